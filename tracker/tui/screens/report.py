"""报告原文: the whole report with every tracked excerpt lit by its light, and the enumerated
items no commitment covers marked ✗; `n`/`N` walk the excerpts, Enter opens one's commitment."""

from __future__ import annotations

from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from tracker.i18n import t
from tracker.labels import LIGHT_STYLE, light_label, localized
from tracker.schedule import Light
from tracker.services.report_view import ReportView, report_view
from tracker.tui.screens.base import LedgerScreen
from tracker.tui.widgets.report_text import UNCOVERED_MARK, ReportText
from tracker.work import OpenLedger


class ReportScreen(LedgerScreen[ReportView]):
    """The report as it reads, loaded in a worker and relit after every change."""

    LOADING = "#report-text"

    def __init__(self) -> None:
        super().__init__()
        self.view: ReportView | None = None
        self._pending_jump: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="report-summary")
        yield ReportText(id="report-text")
        yield Static(t("tui.report.hint"), id="report-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(ReportText).focus()

    # --- loading and drawing ----------------------------------------------------------

    def read(self, session: Session, context: OpenLedger) -> ReportView:
        """The report and its commitments' lights."""
        report = context.the_report(session)
        return report_view(session=session, report=report, deadlines=context.deadlines)

    def show_error(self, message: str) -> None:
        self.query_one("#report-summary", Static).update(
            Text(t("tui.report.failed", reason=message), style="bold red")
        )

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
