"""How the detail screen draws one item: its facts, the report's words around the excerpt,
its instances, its events and its history.

What these say is built in the services (`services.facts`, `services.changes`), as
`tracker show` says it; this module only lays it out as Rich text in the screen's theme
colours. Every stored value is drawn as `Text`: the app's console reads a str as markup, and a
unit or a note written "[red]…" would be drawn red, or "[/]" break the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widgets import DataTable, Static

from tracker.i18n import t
from tracker.labels import (
    LIGHT_STYLE,
    progress_label,
    status_label,
    village_label,
)
from tracker.services.changes import history_line
from tracker.services.detail import EventEntry, ItemDetail
from tracker.services.facts import Fact, event_words, evidence_words, item_heading

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
class DetailStyles:
    """The theme's colours for the screen's Rich text (its component classes)."""

    heading: Style
    excerpt: Style
    muted: Style
    error: Style


def title_text(detail: ItemDetail) -> Text:
    """● 5.5a/2022  每年至少2次法治专题讲座: the light, the code and what the item is called."""
    title = Text()
    title.append("● ", style=LIGHT_STYLE[detail.row.light])
    title.append(f"{detail.row.code}  ", style="bold")
    title.append(item_heading(detail), style="bold")
    return title


def facts_grid(facts: list[Fact], styles: DetailStyles) -> Table:
    """An item's facts, label beside value, as `tracker show` lists them."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style=styles.muted, no_wrap=True)
    grid.add_column()
    for fact in facts:
        style = LIGHT_STYLE[fact.light] if fact.light else ("bold" if fact.strong else "")
        grid.add_row(fact.label, Text(fact.value, style=style))
    return grid


def texts_view(
    detail: ItemDetail, paragraph: Passage | None, whole: bool, styles: DetailStyles
) -> RenderableType:
    """The requirement, the report's words around the excerpt and the item's notes."""
    blocks: list[tuple[str, Text]] = []
    if detail.description:
        blocks.append((t("col.description"), Text(detail.description)))
    if paragraph is not None:
        blocks.append((t("col.source"), passage_text(paragraph, whole, styles)))
    if detail.notes:
        blocks.append((t("col.notes"), Text(detail.notes)))
    parts: list[RenderableType] = []
    for heading, body in blocks:
        parts += [Text(), Text(heading, style=styles.heading), body]
    return Group(*parts)


def passage_text(paragraph: Passage, whole: bool, styles: DetailStyles) -> Text:
    """The report's words around the excerpt (all of them when `whole`), the excerpt
    highlighted."""
    shown = paragraph
    if not whole and len(paragraph.text) > LONG_PARAGRAPH:
        shown = around(paragraph)
    text = Text("……" if shown.cut_before else "")
    offset = len(text)
    text.append(shown.text)
    text.stylize(styles.excerpt, offset + shown.start, offset + shown.end)
    if shown.cut_after:
        text.append("……")
    if shown is not paragraph:
        text.append("  " + t("tui.detail.more"), style=styles.muted)
    return text


def fill_instances(
    heading: Static, table: DataTable[RenderableType], detail: ItemDetail, styles: DetailStyles
) -> None:
    """The item's village items or latest periods, each with its own light; hidden when it
    has none. The cursor stays on the row it was on."""
    heading.display = table.display = bool(detail.instances)
    if not detail.instances:
        return
    villages = detail.instances[0].village is not None
    key = "villages_heading" if villages else "instances_heading"
    text = Text(
        t(
            key,
            shown=len(detail.instances),
            total=detail.instances_total,
            earlier=detail.instances_open_earlier,
        ),
        style=styles.heading,
    )
    text.append("  " + t("tui.detail.instances_hint"), style=styles.muted)
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


def log_view(detail: ItemDetail, styles: DetailStyles) -> RenderableType:
    """The item's events with their evidence, then its history, each change in the words
    `tracker show` and `tracker history` use."""
    muted = styles.muted
    heading = Text(t("events_heading", count=len(detail.events)), style=styles.heading)
    files = sum(len(event.evidence) for event in detail.events)
    if files:  # where the files can be had by name (the evidence dialog)
        heading.append("  " + t("tui.evidence.count", count=files), style=muted)
    parts: list[RenderableType] = [heading]
    for event in detail.events:
        parts.append(event_text(event, styles))
        parts += [Text(f"    {evidence_words(file)}", style=muted) for file in event.evidence]
    heading = Text(t("history_heading", count=len(detail.history)), style=styles.heading)
    parts += [Text(), heading]
    for entry in detail.history:
        # The day it took effect first; a late entry (补录) ends with when it was recorded.
        line = history_line(entry)
        text = Text(f"{line.when}  ", style=muted)
        text.append(line.change.sentence())
        if line.late:
            text.append(f"  {line.late}", style=muted)
        parts.append(text)
    return Group(*parts)


def event_text(event: EventEntry, styles: DetailStyles) -> Text:
    """#12 2022-03-15  第一次法治专题讲座  王科员 …, in the words `tracker show` uses: the id
    and who muted, the day bold; a voided one struck through, with its void mark."""
    words = event_words(event)
    line = Text(f"{words.id} ", style=styles.muted)
    body = Text()
    body.append(f"{words.day}  ", style="bold")
    body.append(words.body)
    if not words.voided:
        line.append_text(body)
        return line.append(f"  {words.recorded}", style=styles.muted)
    body.stylize("strike")
    line.append_text(body)
    return line.append(f"  {words.voided}", style=styles.error)
