"""The report's own text with every tracked excerpt located, and what no commitment covers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from tracker.models import Commitment, Report
from tracker.schedule import Light
from tracker.services.deadlines import Deadlines
from tracker.services.listing import rows_where
from tracker.services.report_text import SectionSpan, Span, parse_sections, report_shown_parts


@dataclass(frozen=True)
class Highlight:
    """Where a commitment's source excerpt lies in the text, and its light today."""

    start: int
    end: int
    code: str
    title: str
    title_en: str | None
    light: Light


@dataclass(frozen=True)
class UncoveredItem:
    """An enumerated item (一是…) that no commitment quotes."""

    section: int
    item: Span


@dataclass(frozen=True)
class ReportView:
    slug: str
    title: str
    text: str
    sections: tuple[SectionSpan, ...]
    highlights: list[Highlight]  # in text order
    uncovered: list[UncoveredItem]
    # The pieces of `text` shown, in order: the report from its title to its end, without
    # the portal's page around it (offsets, like every other here, index into `text`).
    shown: tuple[tuple[int, int], ...] = ()

    def highlight_for(self, code: str) -> Highlight | None:
        """The excerpt of commitment `code` (an instance's commitment for an instance code)."""
        base = code.split("/")[0]
        for highlight in self.highlights:
            if highlight.code == base or base.startswith(f"{highlight.code}-V"):
                return highlight
        return None


def report_view(*, session: Session, report: Report, deadlines: Deadlines) -> ReportView:
    """The text of `report` with its commitments' excerpts, as they stood on the as-of date."""
    sections = parse_sections(report.text)
    rows = {
        row.code: row
        for row in rows_where(
            session=session,
            conditions=[
                col(Commitment.report_id) == report.id,
                col(Commitment.parent_id).is_(None),
            ],
            deadlines=deadlines,
        )
    }
    located = session.exec(
        select(Commitment.code, Commitment.excerpt_start, Commitment.excerpt_end)
        .where(
            col(Commitment.report_id) == report.id,
            col(Commitment.parent_id).is_(None),
            col(Commitment.excerpt_start).is_not(None),
        )
        .order_by(col(Commitment.excerpt_start))
    ).all()
    highlights = [
        Highlight(
            start=start,
            end=end,
            code=code,
            title=rows[code].title,
            title_en=rows[code].title_en,
            light=rows[code].light,
        )
        for code, start, end in located
        if start is not None and end is not None
    ]
    covered = set(
        session.exec(
            select(Commitment.section, Commitment.item).where(
                col(Commitment.report_id) == report.id, col(Commitment.parent_id).is_(None)
            )
        ).all()
    )
    uncovered = [
        UncoveredItem(section=section.number, item=item)
        for section in sections
        for item in section.items
        if (section.number, item.number) not in covered
    ]
    return ReportView(
        slug=report.slug,
        title=report.title,
        text=report.text,
        sections=sections,
        highlights=highlights,
        uncovered=uncovered,
        shown=report_shown_parts(report.text, report.title),
    )
