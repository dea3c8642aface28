"""Datasets (`datasets.py`, `fractals.py`), the on-disk cache (`cache.py`) and frozen features (`features.py`)."""
