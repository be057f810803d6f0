"""Which report to work on, when the database holds several (a district's towns)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from sqlmodel import col, select
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from tracker.errors import printable
from tracker.i18n import t
from tracker.models import Report

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


class ChooseReportScreen(Screen[None]):
    """A list of the database's reports; Enter works on the chosen one, and so does Ctrl+S,
    which finishes every dialog of the app. It is the first screen: Escape has nowhere to
    go back to."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "choose", t("tui.choose.key"), id="choose", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("tui.choose.prompt"), id="choose-prompt")
        yield OptionList(id="reports")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        app = self._tracker()
        with app.context.session() as session:
            reports = session.exec(select(Report).order_by(col(Report.slug))).all()
            # Text, not markup; the seed's text made printable (a report may predate its checks).
            options = [
                Option(Text(printable(f"{r.slug}  {r.town}  {r.year}  {r.title}")), id=r.slug)
                for r in reports
            ]
        choices = self.query_one(OptionList)
        choices.add_options(options)
        # The first report under the cursor, so that Enter, as the prompt says, chooses at once.
        if options:
            choices.highlighted = 0
        choices.focus()

    def _tracker(self) -> TrackerApp:
        from tracker.tui.app import TrackerApp

        assert isinstance(self.app, TrackerApp)
        return self.app

    def action_choose(self) -> None:
        """Work on the report under the cursor."""
        option = self.query_one(OptionList).highlighted_option
        if option is not None and option.id is not None:
            self._tracker().use_report(option.id)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._tracker().use_report(event.option.id)
