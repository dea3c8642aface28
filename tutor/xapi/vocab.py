"""The IRIs tutor's statements use: xAPI's own vocabulary where it has a word, `urn:tutor:` for the rest."""

from __future__ import annotations

HOME_PAGE = "urn:tutor"  # actor.account.homePage: the learner is an account of "tutor", named by a pseudonym
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
QUESTION_PREFIX = "urn:tutor:question:"
PLATFORM = "tutor"

MODE = "urn:tutor:mode"  # practice | exam | review
SHOWN = "urn:tutor:shown"  # the option keys in the order shown, joined by "[,]"
FIRST = "urn:tutor:first"  # true for the learner's first answer to the question
MISCONCEPTION = "urn:tutor:misconception"  # the misconception ids of the chosen distractors (a list)

SEPARATOR = "[,]"  # xAPI's separator for the choices of a `choice` interaction's response
