"""Every lab the app knows, with its last stored verdict: Enter opens one (the same LabScreen that a
question's feedback opens). The title column takes the width the other two leave (a title cut there
ends in …); the highlighted lab's whole title and its summary show below the table, wrapped."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from tutor.app.messages import OpenLab
from tutor.app.screens.base import TutorScreen
from tutor.app.strings import shown
from tutor.safetext import one_line

DETAIL_ROWS = 6  # the highlighted lab's title and summary below the table; the table keeps the rest


class LabsScreen(TutorScreen):
    AUTO_FOCUS = "#labs-table"
    BINDINGS = [Binding("escape", "back", "key.back")]

    def __init__(self, labs: dict[str, Any], store: Any, *, lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.labs = labs
        self.store = store

    def compose(self) -> ComposeResult:
        yield Static(self.t("labs.title"), id="labs-bar", classes="bar", markup=False)
        yield DataTable(id="labs-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="labs-detail")
        yield Static(self.t("labs.hint") if self.labs else self.t("labs.empty"), id="labs-hint", markup=False)
        yield Footer()

    def on_screen_resume(self) -> None:
        self.fill()

    def on_resize(self, event: events.Resize) -> None:
        self.fill()

    def fill(self) -> None:
        """(Re)draw the rows; the title column takes the width left and ends in … when cut."""
        from rich.cells import cell_len

        from tutor.study.labruns import last_runs

        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        last = last_runs(self.store)
        rows = []
        for lab_id, ref in sorted(self.labs.items()):
            run = last.get(lab_id)
            when = f"{self.t(f'lab.verdict.{run.verdict}')} {run.finished_at.astimezone():%m-%d}" if run else self.t("labs.never")
            rows.append((lab_id, when, shown(ref.title, self.lang)))
        widths = [max([cell_len(self.t(h)), *(cell_len(r[i]) for r in rows)]) for i, h in enumerate(("labs.col.lab", "labs.col.last"))]
        title_width = max(12, self._free_width(table, len(rows)) - sum(widths) - 3 * 2)  # 3 columns, 1 cell padding each side
        table.add_column(self.t("labs.col.lab"), key="lab", width=widths[0])
        table.add_column(self.t("labs.col.last"), key="last", width=widths[1])
        table.add_column(self.t("labs.col.title"), key="title", width=title_width)
        for lab_id, when, title in rows:
            cell = Text(title, no_wrap=True, overflow="ellipsis")
            cell.truncate(title_width, overflow="ellipsis")
            table.add_row(Text(one_line(lab_id)), Text(when), cell, key=lab_id)  # Text: file text is never markup
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.show_detail()

    @staticmethod
    def _free_width(table: DataTable, rows: int) -> int:
        """The table's width less a vertical scrollbar, only when the rows overflow it and one is drawn."""
        width = table.size.width or table.app.size.width
        overflows = rows + 1 > table.size.height  # + the header
        return width - (table.styles.scrollbar_size_vertical if overflows else 0)

    def show_detail(self) -> None:
        """The highlighted lab's whole title (bold) and summary, in the learner's language."""
        detail = self.query_one("#labs-detail", Static)
        table = self.query_one(DataTable)
        ref = None
        if table.row_count:
            ref = self.labs.get(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
        detail.display = ref is not None
        if ref is None:
            return
        width = max(20, detail.content_region.width or self.size.width - 2)
        lines = Text(shown(ref.title, self.lang), style="bold").wrap(self.app.console, width)
        summary = shown(ref.summary, self.lang)
        if summary:
            lines.extend(Text(summary, style="dim").wrap(self.app.console, width))
        if len(lines) > DETAIL_ROWS:  # a long summary: its end stays in the lab page, said so with …
            lines = lines[:DETAIL_ROWS]
            lines[-1].truncate(width - 1)
            lines[-1].append("…", style="dim")
        detail.update(Text("\n").join(lines))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(OpenLab(str(event.row_key.value)))

    def action_back(self) -> None:
        self.dismiss()
