"""Networks: backbones (`backbones.py`), plain nets (`plainnet.py`), heads and how an arm's model is assembled
(`heads.py`, `build.py`), and the pretraining of the shipped backbone (`pretrain.py`)."""
