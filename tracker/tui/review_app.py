"""草稿审核: the terminal app `tracker review DRAFT.yaml` opens on a draft seed file.

The report's text on the left, the current draft's excerpt highlighted in it; the drafts on
the right, each with its review mark (✓ accepted, ✗ rejected, ? undecided); how many are
still undecided above them. It needs no database: every decision and edit is written to
the draft file at once (tracker.importing.review, which checks the whole file as seeding
would before replacing it), so quitting loses nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
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


class DraftTable(DataTable[Text]):
    """The drafts, one row each: mark, code, title, kind, unit."""


class ReviewApp(App[None]):
    """Review the drafts of one draft seed file, each decision saved at once."""

    ENABLE_COMMAND_PALETTE = False  # its commands are Textual's own, in English
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('accepted')", t("review.key.accept"), id="accept"),
        Binding("x", "decide('rejected')", t("review.key.reject"), id="reject"),
        Binding("u", "decide('undecided')", t("review.key.undecided"), id="undecided"),
        Binding("e", "edit", t("review.key.edit"), id="edit"),
        Binding("s", "split", t("review.key.split"), id="split"),
        Binding("m", "merge", t("review.key.merge"), id="merge"),
        Binding("q", "quit", t("key.quit"), id="quit"),
    ]
    CSS = """
    #review-counts { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    #review-body { height: 1fr; }
    #review-text { width: 2fr; }
    #review-list { width: 3fr; }
    """

    def __init__(self, path: Path, draft: Draft | None = None) -> None:
        super().__init__()
        self.path = path
        self.draft = draft if draft is not None else review.load_draft(path)
        self.rows: list[DraftRow] = list(self.draft.rows)

    def compose(self) -> ComposeResult:
        yield Static("", id="review-counts", markup=False)
        with Horizontal(id="review-body"):
            yield ReportText(id="review-text")
            yield DraftTable(id="review-list", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("review.title")
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
        self._show_excerpt()

    def _fill(self) -> None:
        """The list's rows from `self.rows`."""
        table = self.query_one(DraftTable)
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row), key=row.code)
        self._count()

    @staticmethod
    def _cells(row: DraftRow) -> tuple[Text, ...]:
        # Text, not str: the table would read a title such as "[1]" as markup.
        kind = t(f"kind.{row.kind.value}")
        shown = (MARK[row.review], row.code, row.title, kind, row.unit)
        return tuple(Text(printable(value)) for value in shown)

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

    @property
    def current(self) -> DraftRow | None:
        """The draft under the list's cursor."""
        table = self.query_one(DraftTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _show_excerpt(self) -> None:
        row = self.current
        text = self.query_one(ReportText)
        if row is None or text.view is None:
            return
        index = next(i for i, h in enumerate(text.view.highlights) if h.code == row.code)
        text.select(index, center=True)

    @on(DataTable.RowHighlighted, "#review-list")
    def _row_changed(self) -> None:
        self._show_excerpt()

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
        for key, value in zip(
            ("mark", "code", "title", "kind", "unit"), self._cells(row), strict=True
        ):
            table.update_cell(row.code, key, value)
        self._count()

    def action_decide(self, decision: str) -> None:
        """Write the decision on the current draft, then go on to the next one."""
        row = self.current
        if row is None:
            return
        try:
            review.set_review(self.path, row.code, decision)
        except TrackerError as exc:
            self.notify(exc.message(), severity="error")
            return
        self._reload(row.code)
        table = self.query_one(DraftTable)
        if decision != Review.UNDECIDED and table.cursor_row < len(self.rows) - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def _reload(self, code: str) -> None:
        """Show the draft `code` as the file now holds it."""
        rows = review.drafts(self.path)
        self._replace(next(r for r in rows if r.code == code))

    def action_edit(self) -> None:
        row = self.current
        if row is None:
            return

        def save(changes: DraftChanges) -> bool:
            return review.edit(self.path, row.code, **changes)

        def done(changes: DraftChanges | None) -> None:
            if changes is not None:
                self._reload(row.code)
                self.notify(t("review.saved", code=row.code))

        self.push_screen(DraftDialog(row, save=save), done)

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
        self._show_excerpt()

    def action_split(self) -> None:
        row = self.current
        if row is None:
            return

        def split(words: str) -> str:
            return review.split(self.path, row.code, words)

        def done(new: str | None) -> None:
            if new is not None:
                self._reload_all(new)
                self.notify(t("review.split.done", code=row.code, new=new))

        excerpt = self.draft.text[row.start : row.end]
        self.push_screen(SplitDialog(row, excerpt, split=split), done)

    def action_merge(self) -> None:
        """Merge the current draft with the next one, after asking."""
        row = self.current
        if row is None:
            return
        index = self.rows.index(row)
        after = self.rows[index + 1] if index + 1 < len(self.rows) else None
        if after is None or (after.section, after.item) != (row.section, row.item):
            self.notify(t("review.merge.none", code=row.code), severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if not yes or after is None:
                return
            try:
                review.merge(self.path, row.code, after.code)
            except TrackerError as exc:
                self.notify(exc.message(), severity="error")
                return
            self._reload_all(row.code)
            self.notify(t("review.merge.done", code=row.code, other=after.code))

        question = t("review.merge.question", code=row.code, other=after.code)
        heading = t("review.key.merge")
        self.push_screen(ConfirmDialog(heading=heading, code=row.code, question=question), answered)
