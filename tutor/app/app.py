"""The Textual app behind `tutor quiz`, and `make_app()`, which builds it for the CLI and the tests.

The app holds what every screen needs (bank, store, language, linked labs) and starts the study modes;
the sessions in `tutor.study` do the studying, the screens only show and forward. Attributes down,
messages up: each screen is handed what it draws when it is built, and asks for anything else with a
message (tutor.app.messages) handled here. Screens are imported when first shown so that the first frame
does not wait for modules it does not draw.
"""

from __future__ import annotations

import random
import time
from functools import cached_property
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding

from tutor.app import IMPORTED_AT, messages
from tutor.app.strings import LANGUAGES, t

if TYPE_CHECKING:  # pragma: no cover
    from tutor.bank import Bank
    from tutor.bank.labrefs import LabRef
    from tutor.study.sessions import ExamReport
    from tutor.study.store import Store
    from tutor.yamlsrc import Problem

STARTS = ("home", "practice", "review", "exam", "mock")
WARM_AFTER_S = 0.3  # after the first screen, the cached bank's questions are validated in the background
STORE_RETRY_S = 3.0  # how often answers the store refused (locked, full disk) are tried again


THEME_KEY = "app.theme"  # the store setting that remembers the learner's theme across runs


def _provider(name: str):
    """A provider class from tutor.app.commands, imported when the palette first opens."""
    def load():
        from tutor.app import commands

        return getattr(commands, name)
    return load


def _system_commands():
    from textual.system_commands import SystemCommandsProvider

    return SystemCommandsProvider


class TutorApp(App):
    CSS_PATH = "tutor.tcss"
    # Ctrl+P opens the palette through our own binding (translated, listed by F1): with Textual's, every
    # footer would give the right end of an 80-column line to "^p palette" and push a screen's own keys off.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "quit", "key.quit", show=False, priority=True),
        Binding("ctrl+p", "command_palette", "key.palette", show=False, priority=True),
        Binding("f1", "keys_help", "key.help", show=False),
        Binding("ctrl+z", "undo_answer", "key.undo", show=False),
    ]

    COMMANDS = {_system_commands, *(_provider(name) for name in
                                     ("QuestionCommands", "TopicCommands", "LabCommands", "MisconceptionCommands"))}

    def __init__(
        self,
        bank: Bank,
        store: Store,
        *,
        lang: str = "en",
        problems: list[Problem] | None = None,
        start: str = "home",
        owns_store: bool = False,
        labs: dict[str, LabRef] | None = None,
        started_at: float | None = None,
        exit_when_ready: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__()
        self.use_command_palette = True  # the palette on our Ctrl+P binding (ENABLE_COMMAND_PALETTE above)
        self.rng = rng if rng is not None else random.Random()
        """Draws question and option orders for every session (tests pass a seeded one)."""
        if labs is not None:
            self.__dict__["labs"] = labs  # preset the cached property (tests, other lab directories)
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r} (use one of: {', '.join(LANGUAGES)})")
        if start not in STARTS:
            raise ValueError(f"unknown start {start!r} (use one of: {', '.join(STARTS)})")
        self.bank = bank
        self.store = store
        self.lang = lang
        self.problems = list(bank.problems if problems is None else problems)
        self.start_mode = start
        self.owns_store = owns_store
        self.started_at = IMPORTED_AT if started_at is None else started_at
        self.exit_when_ready = exit_when_ready
        self.startup_ms: float | None = None
        """Milliseconds from `started_at` (default: importing `tutor.app`) to the first screen drawn."""
        self.lab_processes: set = set()
        """Lab runs in flight (`LabProcess`): killed if the app exits while one trains."""

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    @cached_property
    def labs(self) -> dict[str, LabRef]:
        """The labs questions may link to (id -> LabRef), read once on first use."""
        from tutor import paths
        from tutor.bank.labrefs import lab_catalog

        return lab_catalog(paths.lab_dirs())

    def lab_command(self, lab_path, profile: str, seeds: int | None = None) -> list[str]:
        """The command that runs a lab for the LabScreen (tests replace it with a scripted one)."""
        from tutor.app.lab_process import lab_command

        return lab_command(lab_path, profile, seeds)

    def _lab_command(self, lab_path, profile: str, seeds: int | None = None) -> list[str]:
        # looked up at each run: a test may swap `lab_command` while a lab page is open
        return self.lab_command(lab_path, profile) if seeds is None else self.lab_command(lab_path, profile, seeds)

    # -- lifecycle --------------------------------------------------------------------------------

    def on_mount(self) -> None:
        from tutor.app.screens.home_screen import HomeScreen

        self.title = self.t("app.title")
        self._restore_theme()
        self.set_interval(STORE_RETRY_S, self._retry_store)
        self.push_screen(HomeScreen(self.bank, self.store, problems=self.problems, lang=self.lang,
                                    labs=lambda: self.labs))
        if self.start_mode == "practice":
            self.start_practice()
        elif self.start_mode == "review":
            self.start_review()
        elif self.start_mode in ("exam", "mock"):
            self.start_exam("short" if self.start_mode == "exam" else "full")

    def on_ready(self) -> None:
        self.startup_ms = (time.perf_counter() - self.started_at) * 1000
        self.log.info(f"tutor: first screen after {self.startup_ms:.0f} ms")
        if self.exit_when_ready:
            self.exit(self.startup_ms)
        else:
            # a bank drawn from the cache validates its questions off the UI thread, once the first frame is out
            self.set_timer(WARM_AFTER_S, self.bank.warm)

    def on_unmount(self) -> None:
        for proc in list(self.lab_processes):
            if proc.running:
                proc.proc.kill()
        if self.owns_store:
            self.store.retry_pending()  # a last try for answers the store refused (`tutor quiz` reports what is left)
            self.store.close()

    # -- themes and help ---------------------------------------------------------------------------

    def _restore_theme(self) -> None:
        from tutor.app.themes import HIGH_CONTRAST

        self.register_theme(HIGH_CONTRAST)
        from tutor.study.store import StoreError

        try:
            name = self.store.setting(THEME_KEY)
        except StoreError:  # a store that cannot be read keeps the default look; the screens say why
            name = None
        if name and name in self.available_themes:
            self.theme = name
        self._theme_restored = True

    def watch_theme(self, name: str) -> None:
        """Remember the theme the learner picked (command palette: Change theme) for the next run."""
        from tutor.study.store import StoreError

        if not getattr(self, "_theme_restored", False):
            return
        try:
            if self.store.setting(THEME_KEY) != name:
                self.store.set_setting(THEME_KEY, name)
        except StoreError as exc:
            self.store_trouble(exc)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_answer":
            return bool(getattr(getattr(self.screen, "session", None), "can_undo", False))
        return True

    async def action_undo_answer(self) -> None:
        """Ctrl+Z in practice or review: the last answer taken back (its FSRS card restored), its question up again."""
        from tutor.study.store import StoreError

        screen = self.screen
        session = getattr(screen, "session", None)
        if session is None or not getattr(session, "can_undo", False):
            return
        try:
            question = session.undo()
        except StoreError as exc:
            self.store_trouble(exc)
            return
        if question is not None:
            await screen.show_current()
            self.notify(self.t("undo.done"), timeout=3)

    def action_keys_help(self) -> None:
        from tutor.app.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen, lang=self.lang))

    # -- the progress store -----------------------------------------------------------------------

    def store_trouble(self, exc: BaseException | None = None) -> None:
        """Tell the learner the store refused something: answers waiting in memory, or a failed read."""
        if exc is not None:
            self.notify(self.t("store.read_failed", why=exc), severity="error", timeout=10, markup=False)
        elif self.store.pending:
            why = self.store.last_error or ""
            self.notify(self.t("store.unsaved", why=why, n=len(self.store.pending)), severity="error", timeout=10, markup=False)

    def _retry_store(self) -> None:
        if self.store.damage_note():  # rows skipped as damaged since the last look: say so once
            n = sum(len(keys) for keys in self.store.damaged.values())
            self.notify(self.t("store.damaged", n=n), severity="warning", timeout=10, markup=False)
        busy = any(w.group == "store" and not w.is_finished for w in self.workers)
        if self.store.pending and not busy:
            self._retry_store_worker(len(self.store.pending))

    @work(thread=True, group="store", exit_on_error=False)
    def _retry_store_worker(self, waiting: int) -> None:
        """Off the UI thread: the store may wait for another process's lock (briefly) while it retries."""
        left = self.store.retry_pending()
        if left < waiting:
            self.call_from_thread(self.notify, self.t("store.saved_later", n=waiting - left), timeout=5)

    # -- the study modes --------------------------------------------------------------------------

    def start_practice(self, topic: str | None = None, seed: int | None = None, first: str | None = None) -> None:
        """Practise `topic` (None: all); `first` puts one question of it at the front (the command palette)."""
        from tutor.app.screens.practice_screen import PracticeScreen
        from tutor.study.sessions import PracticeSession
        from tutor.study.store import StoreError

        rng = random.Random(seed) if seed is not None else self.rng
        try:
            session = PracticeSession(self.bank, self.store, topic=topic, rng=rng)
        except StoreError as exc:
            self.store_trouble(exc)
            return
        question = self.bank.questions.get(first) if first is not None else None
        if question is not None and question in session.order:
            session.order.remove(question)
            session.order.insert(0, question)
            session._present()  # draws the new first question's option order
        self.push_screen(PracticeScreen(session, labs=self.labs, lang=self.lang))

    def start_question(self, question_id: str) -> None:
        """Practise a question's topic, that question first (from the command palette)."""
        question = self.bank.questions.get(question_id)
        if question is not None:
            self.start_practice(question.topic, first=question_id)

    def start_misconception(self, misconception: str) -> None:
        from tutor.app.screens.misconception_screen import MisconceptionPracticeScreen
        from tutor.study.focus import MisconceptionPractice
        from tutor.study.store import StoreError

        try:
            session = MisconceptionPractice(self.bank, self.store, misconception, rng=self.rng)
        except ValueError:  # no question of this bank offers it
            self.notify(self.t("mis.no_questions"), severity="warning")
            return
        except StoreError as exc:
            self.store_trouble(exc)
            return
        self.push_screen(MisconceptionPracticeScreen(session, labs=self.labs, lang=self.lang))

    def start_review(self) -> None:
        from tutor.app.screens.review_screen import ReviewScreen
        from tutor.study.focus import FocusedReview
        from tutor.study.store import StoreError

        try:  # the exam plan's reviews for today when a date is set, held misconceptions' questions first
            session = FocusedReview(self.bank, self.store, rng=self.rng)
        except StoreError as exc:
            self.store_trouble(exc)
            return
        self.push_screen(ReviewScreen(session, labs=self.labs, lang=self.lang))

    def start_exam(self, preset: str = "short", topic: str | None = None, seed: int | None = None) -> None:
        from tutor.app.screens.exam_screen import ExamScreen
        from tutor.study.sessions import EXAM_PRESETS, ExamSession

        if not self.bank.by_topic(topic):
            self.notify(self.t("exam.empty"), severity="warning")
            return
        count, minutes = EXAM_PRESETS[preset]
        rng = random.Random(seed) if seed is not None else self.rng
        session = ExamSession(self.bank, self.store, count, minutes, topic=topic, rng=rng)
        self.push_screen(ExamScreen(session, lang=self.lang))

    def open_lab(self, lab_id: str, question_id: str | None = None) -> None:
        """Show a lab (from a question's feedback, or from the labs list)."""
        from tutor.app.screens.lab_screen import LabScreen

        ref = self.labs.get(lab_id)
        if ref is None or ref.path is None:
            self.notify(self.t("lab.missing", id=lab_id), severity="warning")
            return
        self.push_screen(LabScreen(lab_id, ref.path, self.store, bank=self.bank, question_id=question_id, lang=self.lang,
                                   command=self._lab_command,
                                   processes=self.lab_processes))

    def open_labs(self) -> None:
        from tutor.app.screens.labs_screen import LabsScreen

        self.push_screen(LabsScreen(self.labs, self.store, lang=self.lang))

    def show_report(self, report: ExamReport) -> None:
        """Replace the finished exam with its report (Escape there goes home)."""
        from tutor.app.screens.exam_report_screen import ExamReportScreen

        self.switch_screen(ExamReportScreen(report, labs=self.labs, topics=self.bank.topics, lang=self.lang,
                                            pass_mark=self._pass_mark()))

    def _pass_mark(self) -> float:
        """The learner's pass mark (tutor plan --pass-mark), else the plan's default."""
        from tutor.study.plan import DEFAULT_PASS_MARK, load_settings
        from tutor.study.store import StoreError

        try:
            return load_settings(self.store).pass_mark
        except StoreError:  # a store that cannot be read now: the report still shows, with the default
            return DEFAULT_PASS_MARK

    # -- what the screens ask for -----------------------------------------------------------------

    def on_start_practice(self, message: messages.StartPractice) -> None:
        self.start_practice(message.topic)

    def on_start_misconception(self, message: messages.StartMisconception) -> None:
        self.start_misconception(message.misconception)

    def on_start_question(self, message: messages.StartQuestion) -> None:
        self.start_question(message.question_id)

    def on_start_review(self, message: messages.StartReview) -> None:
        self.start_review()

    def on_start_exam(self, message: messages.StartExam) -> None:
        self.start_exam(message.preset)

    def on_open_labs(self, message: messages.OpenLabs) -> None:
        self.open_labs()

    def on_open_lab(self, message: messages.OpenLab) -> None:
        self.open_lab(message.lab_id, question_id=message.question_id)

    def on_show_report(self, message: messages.ShowReport) -> None:
        self.show_report(message.report)

    def on_store_trouble(self, message: messages.StoreTrouble) -> None:
        self.store_trouble(message.error)


def make_app(
    bank: Bank | None = None,
    store: Store | None = None,
    lang: str = "en",
    problems: list[Problem] | None = None,
    start: str = "home",
    *,
    labs: dict[str, LabRef] | None = None,
    started_at: float | None = None,
    exit_when_ready: bool = False,
    rng: random.Random | None = None,
) -> TutorApp:
    """Build the quiz app: `bank` defaults to the shipped bank plus configured extra banks, `store` to
    the learner's progress database (closed when the app exits), `problems` to the bank's own problems.
    `start` opens a mode straight away (`home`, `practice`, `review`, `exam`, `mock`); `labs` replaces
    the catalogue of linked labs (default: the shipped `labs/`, read on first feedback).
    `exit_when_ready` quits as soon as the first screen is drawn (for start-up benchmarks; the app's
    return value is then `startup_ms`). `rng` draws the question and option orders (seeded in tests)."""
    if bank is None:
        from tutor.bank import load_bank

        bank = load_bank(cached=True)
    owns_store = store is None
    if store is None:
        from tutor.study.store import Store

        store = Store(interactive=True)
    return TutorApp(
        bank,
        store,
        lang=lang,
        problems=problems,
        start=start,
        owns_store=owns_store,
        labs=labs,
        started_at=started_at,
        exit_when_ready=exit_when_ready,
        rng=rng,
    )
