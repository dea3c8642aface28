"""Statistics that judge a lab's claims over seeds (torch-free): see `rule`."""

from tutor.lab.verdict.rule import (ALPHA, RULE_TEXT, VERDICTS, Judgement, clearance, holm, judge, judge_all, mean_sd,
                                    min_effect_for, verdict)

__all__ = ["ALPHA", "RULE_TEXT", "VERDICTS", "Judgement", "clearance", "holm", "judge", "judge_all", "mean_sd",
           "min_effect_for", "verdict"]
