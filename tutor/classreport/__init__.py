"""For instructors: how a bank's questions performed in a class, from the class's xAPI statements
(`tutor class report`). Classical test theory as Moodle's quiz statistics report does it: facility,
item-rest discrimination, option analysis, dubious items, per misconception the share of the class holding
it, Cronbach's alpha. Torch-free and Textual-free; matplotlib only for the PNG."""
