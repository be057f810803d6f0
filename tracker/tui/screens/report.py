"""报告原文: the whole report with every tracked excerpt lit by its light, and the enumerated
items no commitment covers marked ✗; `n`/`N` walk the excerpts, Enter opens one's commitment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.labels import LIGHT_STYLE, light_label, localized
from tracker.schedule import Light
from tracker.services.report_view import ReportView, report_view
from tracker.tui.widgets.report_text import UNCOVERED_MARK, ReportText

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp

LOAD = "report"  # the worker group of the report's query


class ReportScreen(Screen[None]):
    """The report as it reads, loaded in a worker and relit after every change."""

    DEFAULT_CSS = """
    ReportScreen #report-summary { height: 1; padding: 0 1; background: $boost; }
    ReportScreen #report-status { height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.view: ReportView | None = None
        self._pending_jump: str | None = None
        self._stale = False

    @property
    def tracker(self) -> TrackerApp:
        from tracker.tui.app import TrackerApp

        assert isinstance(self.app, TrackerApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="report-summary")
        yield ReportText(id="report-text")
        yield Static(t("tui.report.hint"), id="report-status")
        yield Footer()

    def on_mount(self) -> None:
        self.tracker.ledger_changed.subscribe(self, self._ledger_changed)
        text = self.query_one(ReportText)
        text.loading = True
        text.focus()
        self.load()

    # --- loading ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group=LOAD)
    def load(self) -> ReportView:
        """Read the report and its commitments' lights, off the UI thread."""
        context = self.tracker.context
        with context.session() as session:
            report = context.the_report(session)
            return report_view(session=session, report=report, deadlines=context.deadlines)

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != LOAD:
            return
        text = self.query_one(ReportText)
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, ReportView):
            text.loading = False
            self.show(event.worker.result)
        elif event.state is WorkerState.ERROR:
            text.loading = False
            error = event.worker.error
            reason = error.message() if isinstance(error, TrackerError) else str(error)
            self.query_one("#report-summary", Static).update(
                Text(t("tui.report.failed", reason=reason), style="bold red")
            )

    def _ledger_changed(self, _code: str) -> None:
        # Out of sight, the text is relit when it is shown again rather than on every save.
        if self.is_current:
            self.load()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.load()

    def show(self, view: ReportView) -> None:
        """Show `view`, then go to the excerpt asked for before it had arrived."""
        self.view = view
        self.query_one(ReportText).show(view)
        summary = t(
            "tui.report.summary",
            excerpts=len(view.highlights),
            uncovered=len(view.uncovered),
            mark=UNCOVERED_MARK.strip(),
        )
        self.query_one("#report-summary", Static).update(summary)
        if self._pending_jump is not None:
            code, self._pending_jump = self._pending_jump, None
            self.jump_to(code)

    # --- moving about -----------------------------------------------------------------

    def jump_to(self, code: str) -> None:
        """Scroll to and select the excerpt of `code` (an instance goes to its commitment's)."""
        if self.view is None:
            self._pending_jump = code  # still loading: go there once the text is in
            return
        highlight = self.view.highlight_for(code)
        if highlight is None:
            self.notify(t("tui.report.no_excerpt", code=code), severity="warning")
            return
        index = next(i for i, h in enumerate(self.view.highlights) if h is highlight)
        text = self.query_one(ReportText)
        text.select(index, center=True)
        text.focus()

    @on(ReportText.Selected)
    def _describe(self, event: ReportText.Selected) -> None:
        highlight = event.highlight
        assert self.view is not None
        # Closed and undated commitments have no light to name.
        light = "" if highlight.light is Light.NONE else f" {light_label(highlight.light)}"
        line = Text.assemble(
            f"{event.index + 1}/{len(self.view.highlights)} ",
            ("● ", LIGHT_STYLE[highlight.light]),
            (highlight.code, "bold"),
            (light, LIGHT_STYLE[highlight.light]),
            f"  {localized(highlight.title, highlight.title_en)}",
            no_wrap=True,
            overflow="ellipsis",
        )
        self.query_one("#report-status", Static).update(line)

    @on(ReportText.Opened)
    def _open(self, event: ReportText.Opened) -> None:
        self.tracker.open_item(event.highlight.code)
