"""The lab engine: real training runs that test a question's claim (`tutor lab NAME`).

Kept tiny and torch-free on purpose: the quiz imports `tutor.lab.errors` and friends without paying for
torch; modules that need torch import it themselves.
"""
