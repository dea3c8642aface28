"""Learning records as xAPI statements: one `answered` statement per committed answer, written to files
(`tutor progress export/import --xapi`) and sent to a learning record store (`tutor sync --lrs`).

Torch-free and Textual-free; the quiz never imports this package (nor ralph or requests) on its way to the
first screen: the commands import their modules when they run.
"""
