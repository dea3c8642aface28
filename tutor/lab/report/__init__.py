"""Showing and keeping a run: the terminal report and result.json (`console.py`), plots (`plots.py`), and the
units numbers are read in (`units.py`, torch-free, shared with the quiz app)."""
