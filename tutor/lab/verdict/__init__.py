"""Statistics that turn per-seed numbers into a verdict (torch-free); the rule itself is `rule.py`."""
