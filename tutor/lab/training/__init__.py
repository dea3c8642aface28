"""The training loop (`learner.py`) and its events (`callback.py`), the core callbacks (`callbacks.py`), what an arm
is handed (`arm.py`), evaluation (`evaluate.py`), and where it trains (`device.py`, `threads.py`).

The loop knows no kind of experiment: each kind (tutor/lab/kinds/) brings its callbacks.
"""
