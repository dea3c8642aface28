"""The training loop (`learner.py`) and its events (`callback.py`), the core callbacks (`callbacks.py`), what an arm
is handed (`arm.py`) and evaluation (`evaluate.py`).

The loop knows no kind of experiment: each kind (tutor/lab/kinds/) brings its callbacks.
"""
