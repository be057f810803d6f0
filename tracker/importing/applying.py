"""`tracker import --apply DRAFT` and the app's 导入: a reviewed draft's accepted commitments
seeded as a new report of the database, in one transaction (tracker.work.write_seed, the
path `tracker init --seed` takes), and what it did, in the officer's words.

A draft with any commitment undecided is refused before the database is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from tracker.i18n import t
from tracker.services.seed_file import Review, load_seed_file
from tracker.services.seeding import SeedResult, require_reviewed
from tracker.work import Opening, write_seed


@dataclass(frozen=True)
class Applied:
    """What applying a draft wrote."""

    result: SeedResult
    rejected: int

    @property
    def report(self) -> str:
        return self.result.report

    def lines(self, db: str) -> list[str]:
        """What was written, one line each, in the officer's language."""
        result = self.result
        lines = [
            t(
                "import.apply.done",
                db=db,
                report=result.report,
                commitments=result.commitments,
                instances=result.instances,
                villages=result.villages,
            ),
            t("import.apply.rejected", rejected=self.rejected),
        ]
        if result.links_dropped:
            lines.append(t("import.apply.links_dropped", links=result.links_dropped))
        carried = result.carried
        if carried.continued or carried.closed or carried.already_closed:
            lines.append(
                t(
                    "import.apply.carried",
                    continued=carried.continued,
                    figures=carried.figures,
                    closed=carried.closed,
                )
            )
        if carried.already_closed:
            lines.append(t("import.apply.already_closed", count=carried.already_closed))
        return lines


def apply_draft(opening: Opening, engine: Engine, path: Path) -> Applied:
    """Seed the accepted commitments of the draft at `path` as a new report; refusals
    (an invalid or undecided draft, a slug already there, not an admin) raise TrackerError
    and leave the database as it was."""
    seed = load_seed_file(path)  # an invalid draft: its file, line and field
    require_reviewed(seed)
    result = write_seed(opening, engine, seed, new_report=True)
    return Applied(result=result, rejected=len(seed.reviewed(Review.REJECTED)))
