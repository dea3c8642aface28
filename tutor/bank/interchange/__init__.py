"""Bridges to the formats instructors and learners already use: Moodle GIFT, Moodle XML, Aiken, Anki.

One module per format; `model` holds the question as read from another format, `build` turns it into
tutor's YAML, `commands` runs `tutor questions import/export`. Nothing here imports torch or Textual
(genanki is imported only when an Anki deck is written).
"""

IMPORT_FORMATS = ("gift", "moodle-xml", "aiken")
EXPORT_FORMATS = ("gift", "moodle-xml", "aiken", "anki")
