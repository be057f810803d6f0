"""One item in full: facts and light, the report's words in their paragraph, instances with
their own lights, events with evidence, and the history of every change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from tracker.i18n import t
from tracker.labels import (
    LIGHT_STYLE,
    baseline_label,
    due_text,
    figure,
    history_change,
    history_when,
    kind_label,
    light_label,
    localized,
    progress_label,
    recorded_at,
    status_label,
    village_label,
)
from tracker.models import Kind, Report, Role
from tracker.schedule import Light
from tracker.services.access import RANK, account_of, may_change
from tracker.services.detail import EventEntry, ItemDetail, item_detail
from tracker.services.listing import ItemRow
from tracker.services.lookup import get_commitment
from tracker.tui import editing
from tracker.tui.bulk import bulk_log
from tracker.tui.screens.base import LedgerScreen
from tracker.tui.voiding import void_event
from tracker.work import OpenLedger

# A paragraph longer than this is shown as the excerpt's sentence with one sentence either
# side (`p` shows it whole): the report's paragraphs run to 900 characters, a whole 80×24
# screen, and would push the item's history out of sight.
LONG_PARAGRAPH = 240
SENTENCE_ENDS = "。！？；!?;"


@dataclass(frozen=True)
class Passage:
    """Part of the report's text, with the excerpt at [start, end) inside it."""

    text: str
    start: int
    end: int
    cut_before: bool = False
    cut_after: bool = False


def paragraph_of(text: str, start: int, end: int) -> Passage:
    """The line of the report (its paragraph) holding the excerpt [start, end)."""
    begin = text.rfind("\n", 0, start) + 1
    finish = text.find("\n", end)
    finish = len(text) if finish < 0 else finish
    return Passage(text[begin:finish], start - begin, end - begin)


def around(passage: Passage, sentences: int = 1) -> Passage:
    """The sentences holding the excerpt, with `sentences` more on either side."""
    text = passage.text
    bounds = [0, *(i + 1 for i, ch in enumerate(text) if ch in SENTENCE_ENDS), len(text)]
    bounds = sorted(set(bounds))
    first = max(i for i, b in enumerate(bounds) if b <= passage.start)
    last = min(i for i, b in enumerate(bounds) if b >= passage.end)
    begin = bounds[max(first - sentences, 0)]
    finish = bounds[min(last + sentences, len(bounds) - 1)]
    return Passage(
        text[begin:finish],
        passage.start - begin,
        passage.end - begin,
        cut_before=begin > 0,
        cut_after=finish < len(text),
    )


@dataclass(frozen=True)
class Loaded:
    """What the screen shows, read in one go by the worker."""

    detail: ItemDetail
    paragraph: Passage | None
    may_supervise: bool = False  # x (督办) is offered to supervisors and admins only
    may_change: bool = False  # v (作废) is offered to those who may change the item only


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover - the loop returns


class _Facts:
    """The rows of the facts grid, each value as Text: the app's console reads a str as
    markup, and a unit or a leader named "[red]…" would be drawn red, or "[/]" break."""

    def __init__(self, grid: Table) -> None:
        self.grid = grid

    def add_row(self, label: str, value: str | Text) -> None:
        self.grid.add_row(label, Text(value) if isinstance(value, str) else value)


def light_text(row: ItemRow) -> Text:
    """● 红  逾期 1610 天（1098 个工作日）: the light and, when late, by how much."""
    text = Text(f"● {light_label(row.light)}", style=LIGHT_STYLE[row.light])
    if row.overdue:
        text.append(
            "  " + t("overdue_days", days=row.days_overdue, workdays=row.workdays_overdue),
            style=LIGHT_STYLE[Light.RED],
        )
    elif row.light is Light.YELLOW:
        text.append("  " + t("due_soon"), style=LIGHT_STYLE[Light.YELLOW])
    return text


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
        Binding("p", "paragraph", t("tui.detail.paragraph"), id="paragraph", show=False),
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

    # --- drawing ----------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _redraw(self) -> None:
        if self.loaded is None:
            return
        detail = self.loaded.detail
        row = detail.row
        title = Text()
        title.append("● ", style=LIGHT_STYLE[row.light])
        title.append(f"{row.code}  ", style="bold")
        title.append(localized(row.title, row.title_en), style="bold")
        if row.village is not None:
            title.append(f" · {village_label(row.village, row.village_name)}", style="bold")
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail-facts", Static).update(self._facts(detail))
        self.query_one("#detail-text", Static).update(self._texts(detail))
        self._instances(detail)
        self.query_one("#detail-log", Static).update(self._log(detail))

    def _facts(self, detail: ItemDetail) -> Table:
        row = detail.row
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style=self._style("detail--muted"), no_wrap=True)
        grid.add_column()
        facts = _Facts(grid)
        heading = localized(detail.section_heading, detail.section_heading_en)
        section = f"{row.section} {heading if detail.section_heading else ''}".strip()
        facts.add_row(t("col.section"), section)
        facts.add_row(t("col.kind"), kind_label(row.kind))
        facts.add_row(t("col.unit"), localized(row.unit, row.unit_en))
        if detail.co_units:
            names = map(localized, detail.co_units, detail.co_units_en)
            facts.add_row(t("col.co_units"), t("list_separator").join(names))
        if detail.leader:
            facts.add_row(t("col.leader"), detail.leader)
        if row.village is not None:
            facts.add_row(t("col.village"), village_label(row.village, row.village_name))
        if row.period:
            facts.add_row(t("col.period"), row.period)
        facts.add_row(t("col.status"), Text(status_label(row.status), style="bold"))
        due = due_text(
            row.due,
            detail.extended_due,
            detail.extension_asked,
            detail.stated_due,
            period=bool(row.period),
        )
        facts.add_row(t("col.due"), due)
        facts.add_row(t("col.light"), light_text(row))
        if row.done_count is not None:
            facts.add_row(t("col.progress"), progress_label(row))
        for when, count in detail.checkpoints:
            line = Text(t("checkpoint", date=when.isoformat(), count=count))
            if row.done_count is not None and row.done_count >= count:
                line.append(" ✓", style=LIGHT_STYLE[Light.GREEN])
            facts.add_row(t("col.checkpoint"), line)
        if detail.baseline is not None:
            baseline = baseline_label(detail.baseline, detail.baseline_text, detail.measure)
            facts.add_row(t("col.baseline"), baseline)
        if detail.linked:
            facts.add_row(t("col.linked"), t("list_separator").join(detail.linked))
        return grid

    def _heading(self, text: str) -> Text:
        return Text(text, style=self._style("detail--heading"))

    def _texts(self, detail: ItemDetail) -> RenderableType:
        blocks: list[tuple[str, Text]] = []
        if detail.description:
            blocks.append((t("col.description"), Text(detail.description)))
        if self.loaded is not None and self.loaded.paragraph is not None:
            blocks.append((t("col.source"), self._passage(self.loaded.paragraph)))
        if detail.notes:
            blocks.append((t("col.notes"), Text(detail.notes)))
        parts: list[RenderableType] = []
        for heading, body in blocks:
            parts += [Text(), self._heading(heading), body]
        return Group(*parts)

    def _passage(self, paragraph: Passage) -> Text:
        """The report's words around the excerpt, the excerpt highlighted."""
        shown = paragraph
        if not self.whole_paragraph and len(paragraph.text) > LONG_PARAGRAPH:
            shown = around(paragraph)
        text = Text("……" if shown.cut_before else "")
        offset = len(text)
        text.append(shown.text)
        text.stylize(self._style("detail--excerpt"), offset + shown.start, offset + shown.end)
        if shown.cut_after:
            text.append("……")
        if shown is not paragraph:
            text.append("  " + t("tui.detail.more"), style=self._style("detail--muted"))
        return text

    def _instances(self, detail: ItemDetail) -> None:
        heading = self.query_one("#detail-instances-heading", Static)
        table = self.query_one("#detail-instances", DataTable)
        heading.display = table.display = bool(detail.instances)
        if not detail.instances:
            return
        villages = detail.instances[0].village is not None
        key = "villages_heading" if villages else "instances_heading"
        text = self._heading(
            t(
                key,
                shown=len(detail.instances),
                total=detail.instances_total,
                earlier=detail.instances_open_earlier,
            )
        )
        text.append("  " + t("tui.detail.instances_hint"), style=self._style("detail--muted"))
        heading.update(text)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column("", key="light")
        table.add_column(t("col.code"), key="code")
        table.add_column(t("col.village") if villages else t("col.period"), key="which")
        table.add_column(t("col.due"), key="due")
        table.add_column(t("col.status"), key="status")
        counted = any(row.done_count is not None for row in detail.instances)
        if counted:
            table.add_column(t("col.progress"), key="progress")
        for row in detail.instances:
            which = village_label(row.village, row.village_name) if villages else row.period
            # Text, not str: the table would read a village name "[b]…" as markup.
            cells: list[RenderableType] = [
                Text("●", style=LIGHT_STYLE[row.light]),
                Text(row.code),
                Text(which or "-"),
                Text(row.due.isoformat() if row.due else "-"),
                Text(status_label(row.status)),
            ]
            if counted:
                cells.append(Text(progress_label(row)))
            table.add_row(*cells, key=row.code)
        table.move_cursor(row=min(cursor, table.row_count - 1))

    def _log(self, detail: ItemDetail) -> RenderableType:
        muted = self._style("detail--muted")
        parts: list[RenderableType] = [self._heading(t("events_heading", count=len(detail.events)))]
        for event in detail.events:
            parts.append(self._event(event))
            for file in event.evidence:
                parts.append(
                    Text(
                        f"    {t('tui.detail.evidence')} {file.path}  {_size(file.size)}"
                        f"  sha256 {file.sha256[:12]}…",
                        style=muted,
                    )
                )
        parts += [Text(), self._heading(t("history_heading", count=len(detail.history)))]
        for entry in detail.history:
            # The day it took effect first; a late entry (补录) ends with when it was recorded.
            lead, late = history_when(entry)
            line = Text(f"{lead}  ", style=muted)
            line.append(history_change(entry))
            if entry.note:
                line.append(f"  {entry.note}")
            if late:
                line.append(f"  {late}", style=muted)
            parts.append(line)
        return Group(*parts)

    def _event(self, event: EventEntry) -> Text:
        """#12 2022-03-15  第一次法治专题讲座  王科员 …; a voided one struck through, with who
        voided it, from when and why (it stays in the ledger but no longer counts)."""
        muted = self._style("detail--muted")
        line = Text(f"#{event.id} ", style=muted)
        body = Text()
        body.append(f"{event.day.isoformat()}  ", style="bold")
        body.append(event.note or "-")
        if event.value is not None:
            body.append(f"  [{figure(event.value)}]")
        if event.voided_on is None:
            line.append_text(body)
            line.append(f"  {event.by} {recorded_at(event.at)}", style=muted)
            return line
        body.stylize("strike")
        line.append_text(body)
        mark = t(
            "event_voided_mark",
            reason=event.void_reason,
            by=event.voided_by,
            date=event.voided_on.isoformat(),
        )
        line.append(f"  {mark}", style=self._style("detail--error"))
        return line

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

    def action_paragraph(self) -> None:
        """Show the report's whole paragraph, or only the sentences around the excerpt."""
        self.whole_paragraph = not self.whole_paragraph
        if self.loaded is not None:
            self.query_one("#detail-text", Static).update(self._texts(self.loaded.detail))
