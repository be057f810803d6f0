"""草稿审核: one draft seed file reviewed commitment by commitment.

The report's text on the left, the current draft's excerpt highlighted in it; the drafts on
the right, each with its review mark (✓ accepted, ✗ rejected, ? undecided); how many are
still undecided above them. A draft the import linked to an earlier report's commitment
(it continues it, or closes it as done) is marked in the list, and a line under the counts
says what accepting it will do; `l` drops the link.

It needs no database: every decision and edit is written to the draft file at once
(tracker.importing.review, which checks the whole file as seeding would before replacing
it), so leaving loses nothing. `tracker review DRAFT.yaml` shows it alone (ReviewApp); the
officers' app pushes LedgerDraftReviewScreen after its 导入, which can also seed the draft
into the ledger (Ctrl+S, after asking) and goes back with Escape.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tracker.errors import TrackerError, printable
from tracker.i18n import t
from tracker.importing import review
from tracker.importing.review import Draft, DraftRow
from tracker.schedule import Light
from tracker.services.report_text import report_shown_parts
from tracker.services.report_view import Highlight, ReportView
from tracker.services.seed_file import Review
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.tui.widgets.draft_dialog import DraftChanges, DraftDialog, SplitDialog
from tracker.tui.widgets.report_text import ReportText

MARK = {Review.ACCEPTED: "✓", Review.REJECTED: "✗", Review.UNDECIDED: "?"}
_COLUMNS = ("mark", "code", "title", "kind", "unit")


def report_view(draft: Draft, slug: str) -> ReportView:
    """The draft's report as the report widget shows it, one highlight per draft."""
    highlights = sorted(
        (
            Highlight(row.start, row.end, row.code, row.title, None, Light.NONE)
            for row in draft.rows
        ),
        key=lambda h: (h.start, h.end),
    )
    return ReportView(
        slug=slug,
        title=draft.title,
        text=draft.text,
        sections=draft.sections,
        highlights=highlights,
        uncovered=[],
        shown=report_shown_parts(draft.text, draft.title),
    )


def link_line(row: DraftRow) -> str:
    """What accepting a linked draft does, with what the import said of the link; empty
    for a draft of its own."""
    if row.earlier is None:
        return ""
    how = "continues" if row.continues else "closes"
    note = t("review.link.note", note=row.link_note) if row.link_note else ""
    return t(f"review.link.{how}", earlier=row.earlier, note=note)


class DraftTable(DataTable[Text]):
    """The drafts, one row each: mark, code, title, kind, unit."""


class DraftReviewScreen(Screen[None]):
    """Review the drafts of one draft seed file, each decision saved at once (as `tracker
    review` shows it; the app's own is LedgerDraftReviewScreen)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('accepted')", t("review.key.accept"), id="accept"),
        Binding("x", "decide('rejected')", t("review.key.reject"), id="reject"),
        Binding("u", "decide('undecided')", t("review.key.undecided"), id="undecided"),
        Binding("e", "edit", t("review.key.edit"), id="edit"),
        Binding("s", "split", t("review.key.split"), id="split"),
        Binding("m", "merge", t("review.key.merge"), id="merge"),
        # Offered on a linked draft only (check_action).
        Binding("l", "unlink", t("review.key.unlink"), id="unlink"),
    ]
    # Its own layout rather than app.tcss: two apps show it (ReviewApp has no stylesheet).
    DEFAULT_CSS = """
    DraftReviewScreen #review-counts {
        height: 1; padding: 0 1; background: $panel; text-style: bold;
    }
    /* One line: what accepting does comes first, the import's note is cut if need be. */
    DraftReviewScreen #review-link {
        height: 1; padding: 0 1; background: $panel; color: $text-warning;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    DraftReviewScreen #review-body { height: 1fr; }
    DraftReviewScreen #review-text { width: 2fr; }
    DraftReviewScreen #review-list { width: 3fr; }
    """
    # The footer as `tracker review` has always shown it.
    COMPACT_FOOTER = False

    def __init__(self, path: Path, draft: Draft) -> None:
        super().__init__()
        self.path = path
        self.draft = draft
        self.rows: list[DraftRow] = list(draft.rows)

    def compose(self) -> ComposeResult:
        yield Static("", id="review-counts", markup=False)
        yield Static("", id="review-link", markup=False)
        with Horizontal(id="review-body"):
            yield ReportText(id="review-text")
            yield DraftTable(id="review-list", cursor_type="row")
        yield Footer(compact=self.COMPACT_FOOTER)

    def on_mount(self) -> None:
        text = self.query_one(ReportText)
        text.show(report_view(self.draft, self.path.stem))
        table = self.query_one(DraftTable)
        table.add_column("", key="mark", width=1)
        table.add_column(t("review.column.code"), key="code", width=5)
        table.add_column(t("review.column.title"), key="title", width=12)
        table.add_column(t("review.column.kind"), key="kind", width=8)
        table.add_column(t("review.column.unit"), key="unit", width=8)
        self._fill()
        table.focus()
        # Back to a draft half reviewed: start on the first one not yet decided.
        undecided = [i for i, row in enumerate(self.rows) if row.review is Review.UNDECIDED]
        if undecided:
            table.move_cursor(row=undecided[0])
        self._show_current()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unlink":
            row = self._current_or_none()
            return row is not None and row.earlier is not None
        return True

    # --- the list ---------------------------------------------------------------------

    def _fill(self) -> None:
        """The list's rows from `self.rows`."""
        table = self.query_one(DraftTable)
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row), key=row.code)
        # The link line only for a draft with links, so a draft of its own keeps its rows.
        self.query_one("#review-link").display = any(r.earlier for r in self.rows)
        self._count()

    @staticmethod
    def _cells(row: DraftRow) -> tuple[Text, ...]:
        # Text, not str: the table would read a title such as "[1]" as markup.
        kind = t(f"kind.{row.kind.value}")
        title = Text(printable(row.title))
        if row.earlier is not None:
            how = "continues" if row.continues else "closes"
            title = Text.assemble((t(f"review.mark.{how}"), "bold"), title)
        shown = (
            Text(MARK[row.review]),
            Text(printable(row.code)),
            title,
            Text(printable(kind)),
            Text(printable(row.unit)),
        )
        return shown

    def _count(self) -> None:
        done = review.counts(self.rows)
        said = t(
            "review.counts",
            undecided=done.undecided,
            accepted=done.accepted,
            rejected=done.rejected,
            file=self.path.name,
        )
        self.query_one("#review-counts", Static).update(printable(said))

    def _current_or_none(self) -> DraftRow | None:
        try:
            return self.current
        except NoMatches:  # asked before the list is there
            return None

    @property
    def current(self) -> DraftRow | None:
        """The draft under the list's cursor."""
        table = self.query_one(DraftTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _show_current(self) -> None:
        """The current draft's excerpt in the text, its link said, its keys offered."""
        row = self.current
        link = "" if row is None else link_line(row)
        self.query_one("#review-link", Static).update(printable(link))
        self.refresh_bindings()  # `l` is offered on a linked draft only
        text = self.query_one(ReportText)
        if row is None or text.view is None:
            return
        index = next(i for i, h in enumerate(text.view.highlights) if h.code == row.code)
        text.select(index, center=True)

    @on(DataTable.RowHighlighted, "#review-list")
    def _row_changed(self) -> None:
        self._show_current()

    @on(ReportText.Selected)
    def _excerpt_chosen(self, event: ReportText.Selected) -> None:
        """An excerpt chosen in the text (a click, `n`/`N`): the list follows it."""
        codes = [row.code for row in self.rows]
        table = self.query_one(DraftTable)
        index = codes.index(event.highlight.code) if event.highlight.code in codes else -1
        if index >= 0 and index != table.cursor_row:
            table.move_cursor(row=index)

    def _replace(self, row: DraftRow) -> None:
        index = next(i for i, r in enumerate(self.rows) if r.code == row.code)
        self.rows[index] = row
        table = self.query_one(DraftTable)
        for key, value in zip(_COLUMNS, self._cells(row), strict=True):
            table.update_cell(row.code, key, value)
        self._count()
        if row is self.current:
            self._show_current()

    def _reload(self, code: str) -> None:
        """Show the draft `code` as the file now holds it."""
        rows = review.drafts(self.path)
        self._replace(next(r for r in rows if r.code == code))

    def _reload_all(self, code: str) -> None:
        """Show the whole draft as the file now holds it (drafts came or went), the cursor
        on draft `code`."""
        self.draft = review.load_draft(self.path)
        self.rows = list(self.draft.rows)
        self.query_one(ReportText).show(report_view(self.draft, self.path.stem))
        self._fill()
        codes = [row.code for row in self.rows]
        table = self.query_one(DraftTable)
        table.move_cursor(row=codes.index(code) if code in codes else 0)
        self._show_current()

    # --- the decisions and edits --------------------------------------------------------

    def action_decide(self, decision: str) -> None:
        """Write the decision on the current draft, then go on to the next one."""
        row = self.current
        if row is None:
            return
        try:
            review.set_review(self.path, row.code, decision)
        except TrackerError as exc:
            self.notify(exc.message(), severity="error", markup=False)
            return
        self._reload(row.code)
        table = self.query_one(DraftTable)
        if decision != Review.UNDECIDED and table.cursor_row < len(self.rows) - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_edit(self) -> None:
        row = self.current
        if row is None:
            return

        def save(changes: DraftChanges) -> bool:
            return review.edit(self.path, row.code, **changes)

        def done(changes: DraftChanges | None) -> None:
            if changes is not None:
                self._reload(row.code)
                self.notify(t("review.saved", code=row.code), markup=False)

        self.app.push_screen(DraftDialog(row, save=save), done)

    def action_split(self) -> None:
        row = self.current
        if row is None:
            return

        def split(words: str) -> str:
            return review.split(self.path, row.code, words)

        def done(new: str | None) -> None:
            if new is not None:
                self._reload_all(new)
                self.notify(t("review.split.done", code=row.code, new=new), markup=False)

        excerpt = self.draft.text[row.start : row.end]
        self.app.push_screen(SplitDialog(row, excerpt, split=split), done)

    def action_merge(self) -> None:
        """Merge the current draft with the next one, after asking."""
        row = self.current
        if row is None:
            return
        index = self.rows.index(row)
        after = self.rows[index + 1] if index + 1 < len(self.rows) else None
        if after is None or (after.section, after.item) != (row.section, row.item):
            self.notify(t("review.merge.none", code=row.code), severity="warning", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if not yes or after is None:
                return
            try:
                review.merge(self.path, row.code, after.code)
            except TrackerError as exc:
                self.notify(exc.message(), severity="error", markup=False)
                return
            self._reload_all(row.code)
            self.notify(t("review.merge.done", code=row.code, other=after.code), markup=False)

        question = t("review.merge.question", code=row.code, other=after.code)
        heading = t("review.key.merge")
        dialog = ConfirmDialog(heading=heading, code=row.code, question=question)
        self.app.push_screen(dialog, answered)

    def action_unlink(self) -> None:
        """Drop the current draft's link to an earlier commitment: the reviewer says it is
        another duty, so accepted it becomes a commitment of its own."""
        row = self.current
        if row is None or row.earlier is None:
            return
        try:
            review.unlink(self.path, row.code)
        except TrackerError as exc:
            self.notify(exc.message(), severity="error", markup=False)
            return
        self._reload_all(row.code)
        said = t("review.unlinked", code=row.code, earlier=row.earlier)
        self.notify(said, markup=False)


class LedgerDraftReviewScreen(DraftReviewScreen):
    """草稿审核 in the officers' app, over the screen it was opened from: Escape goes back
    to it, and Ctrl+S seeds the reviewed draft into the ledger through `apply` (after
    asking). `u` `s` `m` are kept off its footer, which at 80 columns has room for the
    rest and the app's `?` and `q` only; they are in the help and the palette."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "decide('undecided')", t("review.key.undecided"), id="undecided", show=False),
        Binding("s", "split", t("review.key.split"), id="split", show=False),
        Binding("m", "merge", t("review.key.merge"), id="merge", show=False),
        # Ctrl+S, as on the app's other screen that finishes something (choosing a report);
        # it only asks, and the question is answered with its buttons, never by a second
        # Ctrl+S.
        Binding("ctrl+s", "apply", t("review.key.apply"), id="apply", priority=True),
        Binding("escape", "back", t("key.back"), id="back"),
    ]
    # Compact, as the app's other screens' footers.
    COMPACT_FOOTER = True

    def __init__(self, path: Path, draft: Draft, apply: Callable[[Path], object]) -> None:
        super().__init__(path, draft)
        self.apply = apply

    def action_apply(self) -> None:
        """Ask, with the counts, whether to seed the draft into the ledger; the app does it
        (and says why not: undecided drafts, not an admin, the report already there)."""
        done = review.counts(self.rows)
        question = t("review.apply.question", accepted=done.accepted, rejected=done.rejected)
        linked = [r for r in self.rows if r.review is Review.ACCEPTED and r.earlier is not None]
        if linked:
            # Accepted links make no new commitment: say where they go before asking.
            continues = sum(1 for row in linked if row.continues is not None)
            question += t(
                "review.apply.linked",
                new=done.accepted - len(linked),
                continues=continues,
                closes=len(linked) - continues,
            )
        if done.undecided:
            # Said before the officer confirms; the refusal itself is the import's.
            question += t("review.apply.undecided", undecided=done.undecided)

        def answered(yes: bool | None) -> None:
            if yes:
                self.apply(self.path)

        heading = t("review.key.apply")
        dialog = ConfirmDialog(heading=heading, code=self.path.name, question=question)
        self.app.push_screen(dialog, answered)

    def action_back(self) -> None:
        self.app.pop_screen()
