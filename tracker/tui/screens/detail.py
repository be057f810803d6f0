"""One item in full: facts and light, the report's words in their paragraph, instances with
their own lights, events with evidence, and the history of every change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from tracker.i18n import t
from tracker.models import Kind, Report, Role
from tracker.services.access import RANK, account_of, may_change
from tracker.services.detail import ItemDetail, item_detail
from tracker.services.facts import item_facts
from tracker.services.lookup import get_commitment
from tracker.tui import editing
from tracker.tui.bulk import bulk_log
from tracker.tui.evidence import show_evidence
from tracker.tui.screens.base import LedgerScreen
from tracker.tui.voiding import void_event
from tracker.tui.widgets.item_detail import (
    DetailStyles,
    Passage,
    facts_grid,
    fill_instances,
    log_view,
    paragraph_of,
    texts_view,
    title_text,
)
from tracker.work import OpenLedger


@dataclass(frozen=True)
class Loaded:
    """What the screen shows, read in one go by the worker."""

    detail: ItemDetail
    paragraph: Passage | None
    may_supervise: bool = False  # x (督办) is offered to supervisors and admins only
    may_change: bool = False  # v (作废) is offered to those who may change the item only


class DetailScreen(LedgerScreen[Loaded]):
    """Everything about one commitment or instance; `s` `l` `n` change it, `v` voids one of
    its events, `t` shows it in the report, Enter on an instance opens that instance."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", t("key.back"), id="back"),
        Binding("s", "status", t("key.status"), id="status"),
        Binding("l", "log", t("key.log"), id="log"),
        Binding("n", "note", t("key.note"), id="note"),
        Binding("x", "supervise", t("key.supervise"), id="supervise"),
        Binding("e", "extend", t("key.extend"), id="extend"),
        # Offered on a recurring commitment itself only (check_action).
        Binding("b", "bulk", t("key.bulk"), id="bulk", tooltip=t("tui.help.bulk")),
        # Offered where an event still counts and the officer may change the item; where
        # not, the hidden `v` after it says why, rather than the app's `v` (逾期督办) taking
        # an officer who meant to void something to another area.
        Binding("v", "void", t("key.void"), id="void", tooltip=t("tui.help.void")),
        Binding("v", "explain_void", show=False),
        Binding("t", "in_report", t("tui.detail.in_report"), id="in_report"),
        # Kept off the footer, which has no room for it at 80 columns; in ? and the palette.
        # Not `p`, which prints here as everywhere.
        Binding("w", "paragraph", t("tui.detail.paragraph"), id="paragraph", show=False),
        # 佐证材料: the files of the item's events by name, to save or open (off the footer
        # too; the events heading says it where there are files).
        Binding("a", "evidence", t("key.evidence"), id="evidence", show=False),
    ]

    # Theme colours for the Rich text this screen draws (set in CSS, so themes apply).
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "detail--heading",
        "detail--excerpt",
        "detail--muted",
        "detail--error",
    }

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.loaded: Loaded | None = None
        self.whole_paragraph = False

    @property
    def detail(self) -> ItemDetail | None:
        """The item as last loaded (None until the first load arrives)."""
        return self.loaded.detail if self.loaded else None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(t("tui.detail.loading"), id="detail-title")
            yield Static(id="detail-facts")
            yield Static(id="detail-text")
            yield Static(id="detail-instances-heading")
            yield DataTable(id="detail-instances", cursor_type="row", zebra_stripes=True)
            yield Static(id="detail-log")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._redraw())
        table = self.query_one("#detail-instances", DataTable)
        table.display = False
        self.query_one("#detail-instances-heading").display = False
        self.query_one("#detail", VerticalScroll).focus()

    # --- loading ----------------------------------------------------------------------

    # Any change reloads (when the screen is next shown), not only one to this item: a
    # change to an instance also moves its commitment's light, and the other way round.
    def read(self, session: Session, context: OpenLedger) -> Loaded:
        """Read the item, its history and instances, and its paragraph of the report."""
        item = get_commitment(session=session, code=self.code, report_slug=context.report)
        detail = item_detail(session=session, item=item, deadlines=context.deadlines)
        paragraph = None
        if detail.excerpt_start is not None and detail.excerpt_end is not None:
            report = session.get(Report, item.report_id)
            assert report is not None
            paragraph = paragraph_of(report.text, detail.excerpt_start, detail.excerpt_end)
        account = account_of(session, context.user)
        supervisor = account is not None and RANK[Role(account.role)] >= RANK[Role.SUPERVISOR]
        return Loaded(detail, paragraph, supervisor, may_change(session, context.user, item))

    def show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.refresh_bindings()  # the supervisor's key shows once we know who is looking
        self._redraw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer 督办 (x) only to those allowed to take it."""
        if action == "supervise":
            return self.loaded is not None and self.loaded.may_supervise
        if action == "bulk":
            row = self.loaded.detail.row if self.loaded else None
            return row is not None and row.kind is Kind.RECURRING and row.parent is None
        if action == "void":
            loaded = self.loaded
            return (
                loaded is not None
                and loaded.may_change
                and any(event.voided_on is None for event in loaded.detail.events)
            )
        return True

    def show_error(self, message: str) -> None:
        title = self.query_one("#detail-title", Static)
        title.update(Text(message, style=self._style("detail--error")))

    # --- drawing: what to say is built in the services, the widgets module lays it out ---

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _styles(self) -> DetailStyles:
        return DetailStyles(
            heading=self._style("detail--heading"),
            excerpt=self._style("detail--excerpt"),
            muted=self._style("detail--muted"),
            error=self._style("detail--error"),
        )

    def _redraw(self) -> None:
        if self.loaded is None:
            return
        detail, styles = self.loaded.detail, self._styles()
        self.query_one("#detail-title", Static).update(title_text(detail))
        self.query_one("#detail-facts", Static).update(facts_grid(item_facts(detail), styles))
        self._draw_texts()
        fill_instances(
            self.query_one("#detail-instances-heading", Static),
            self.query_one("#detail-instances", DataTable),
            detail,
            styles,
        )
        self.query_one("#detail-log", Static).update(log_view(detail, styles))

    def _draw_texts(self) -> None:
        if self.loaded is not None:
            texts = texts_view(
                self.loaded.detail, self.loaded.paragraph, self.whole_paragraph, self._styles()
            )
            self.query_one("#detail-text", Static).update(texts)

    # --- actions ----------------------------------------------------------------------

    @on(DataTable.RowSelected, "#detail-instances")
    def _open_instance(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.tracker.open_item(event.row_key.value)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_status(self) -> None:
        editing.change_status(self, self.code)

    def action_log(self) -> None:
        editing.log_event(self, self.code)

    def action_note(self) -> None:
        editing.add_note(self, self.code)

    def action_supervise(self) -> None:
        editing.supervise(self, self.code)

    def action_extend(self) -> None:
        editing.ask_extension(self, self.code)

    def action_bulk(self) -> None:
        bulk_log(self, self.code)

    def action_void(self) -> None:
        void_event(self, self.code)

    def action_explain_void(self) -> None:
        """`v` where nothing may be voided: the same flow says why (not yours, or no event)."""
        void_event(self, self.code)

    def action_in_report(self) -> None:
        self.tracker.show_in_report(self.code)

    def action_evidence(self) -> None:
        show_evidence(self.tracker, self.code)

    def action_paragraph(self) -> None:
        """Show the report's whole paragraph, or only the sentences around the excerpt."""
        self.whole_paragraph = not self.whole_paragraph
        self._draw_texts()
