"""Bank texts that several bank tests start from: topics, and one good question to vary."""

TOPICS = """\
topics:
  - id: fitting
    title: Fitting
  - id: layers
    title: {en: Layers, ko: 층}
"""

GOOD = """\
  - id: good-{n}
    topic: fitting
    stem: Train 73%, validation 72%. What is it?
    options:
      - {{key: A, text: Underfitting, why: Both low and close.}}
      - {{key: B, text: Overfitting, why: That needs a gap.}}
    answer: A
    explanation: Low and close means high bias.
"""
