"""The home screen's table: every topic with its question count, how many the learner has seen, and a
mastery bar; the first row stands for all topics. The highlighted row is what `p` practises."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from tutor.app.strings import shown, t
from tutor.bank import Bank
from tutor.study.progress import Progress, mastery_bar

ALL = "__all__"
FIXED = 4 + 6 + 15 + 4 * 2 + 2  # Qs, Seen, Mastery, cell padding, scrollbar


class TopicTable(DataTable):
    """Rows keyed by topic id (`ALL` for the whole bank)."""

    def __init__(self, lang: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.lang = lang
        self._filled_with: tuple[Bank, Progress] | None = None
        self._filled_width = 0

    def fill(self, bank: Bank, progress: Progress) -> None:
        """(Re)draw the rows, keeping the highlighted topic."""
        self._filled_with = (bank, progress)
        keep = self.topic_key
        self.clear(columns=True)
        lang = self.lang
        title_width = max(16, (self.size.width or 80) - FIXED)
        self._filled_width = self.size.width
        self.add_column(t(lang, "home.col.topic"), key="topic", width=title_width)
        # numbers are right-aligned, so their headers are too (else they sit two columns to the left)
        self.add_column(Text(t(lang, "home.col.questions"), justify="right"), key="count", width=4)
        self.add_column(Text(t(lang, "home.col.seen"), justify="right"), key="seen", width=6)
        self.add_column(t(lang, "home.col.mastery"), key="mastery", width=15)

        def title(value: str, style: str = "") -> Text:
            cell = Text(value, style=style, no_wrap=True, overflow="ellipsis")
            cell.truncate(title_width, overflow="ellipsis")
            return cell

        self.add_row(
            title(t(lang, "home.all_topics"), "bold"),
            Text(str(progress.total), justify="right"),
            Text(str(progress.seen), justify="right"),
            mastery_bar(progress.mastery),
            key=ALL,
        )
        for tp in progress.topics:
            found = bank.topic_title(tp.topic)
            name = shown(found, lang) if found is not None else tp.topic
            self.add_row(
                title(name),
                Text(str(tp.total), justify="right"),
                Text(str(tp.seen), justify="right"),
                mastery_bar(tp.mastery),
                key=tp.topic,
            )
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep))

    @property
    def topic_key(self) -> str | None:
        """The highlighted row's key (`ALL` or a topic id), or None when the table is empty."""
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - no valid cursor yet
            return None
        return key.value

    def on_resize(self, event: events.Resize) -> None:
        if self._filled_with is not None and event.size.width != self._filled_width:
            self.fill(*self._filled_with)
