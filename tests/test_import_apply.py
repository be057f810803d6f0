"""`tracker import --apply DRAFT`: a reviewed draft's accepted commitments seeded as a new
report, in one transaction; undecided drafts refused, rejected ones left out, a draft edited
into an invalid state refused with its line and field (issue 13, points 3 and 6)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from import_helpers import REPORT, SEED
from sqlalchemy import inspect
from sqlalchemy import select as select_rows
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, col, select
from typer.testing import CliRunner, Result

import tracker.models  # noqa: F401  (registers every table on SQLModel.metadata)
import tracker.work
from tracker.cli import app
from tracker.db import make_engine
from tracker.errors import TrackerError
from tracker.i18n import CATALOGS
from tracker.importing.draft import PLACEHOLDER_UNIT
from tracker.models import Commitment, CommitmentLink, Report, Unit
from tracker.services.seed_file import Review, load_seed_file

runner = CliRunner()
# Seeding as of a day in the plan year keeps the periods made to those of 2022.
AS_OF = "2022-06-15"
ADMIN = "管理员"  # an admin of the seeded ledger (tests/conftest.py TEST_ADMINS)
CODE_LINE = re.compile(r'^  - code: "([^"]+)"$', re.MULTILINE)


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "250"}, catch_exceptions=False)


def apply(url: str, draft: Path, *, user: str = ADMIN, lang: str = "zh") -> Result:
    return invoke(
        "--db", url, "--user", user, "--lang", lang, "--as-of", AS_OF, "import", "--apply",
        str(draft),
    )  # fmt: skip


def message(key: str, lang: str = "zh", **params: object) -> str:
    return CATALOGS[lang][key].format(**params)


def draft_of(folder: Path, slug: str = "bh-import") -> Path:
    """The shipped report imported into a draft under `slug`."""
    folder.mkdir(exist_ok=True)
    result = invoke("import", str(REPORT), "--out", str(folder), "--slug", slug)
    assert result.exit_code == 0, result.output
    return folder / f"{slug}.yaml"


def decide(draft: Path, choose: Callable[[str, str], str]) -> dict[str, str]:
    """Edit the draft's text as a reviewer would: each commitment's `review: undecided`
    becomes `choose(code, its block of lines)`; returns each code's decision."""
    text = draft.read_text(encoding="utf-8")
    marks = list(CODE_LINE.finditer(text))
    decided: dict[str, str] = {}
    pieces = [text[: marks[0].start()]]
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        block = text[mark.start() : end]
        decided[mark.group(1)] = choose(mark.group(1), block)
        pieces.append(block.replace("review: undecided", f"review: {decided[mark.group(1)]}", 1))
    draft.write_text("".join(pieces), encoding="utf-8")
    return decided


def every_third_rejected(code: str, block: str) -> str:
    """Reject the drafts whose unit the report does not name, and every third draft."""
    if f'unit: "{PLACEHOLDER_UNIT}"' in block or sum(map(ord, code)) % 3 == 0:
        return "rejected"
    return "accepted"


def codes_of(url: str, slug: str) -> set[str]:
    """The codes of the report's commitments (not their periods or villages)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            report = session.exec(select(Report).where(col(Report.slug) == slug)).one()
            query = select(Commitment.code).where(
                col(Commitment.report_id) == report.id, col(Commitment.parent_id).is_(None)
            )
            return set(session.exec(query).all())
    finally:
        engine.dispose()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row)
                    for row in conn.execute(select_rows(table).order_by(*table.primary_key.columns))
                ]
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def has_tables(url: str) -> bool:
    """Whether anything was created at `url` (a SQLite file, or tables in the schema)."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return Path(str(parsed.database)).exists()
    engine = make_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# --- the review field ---------------------------------------------------------------------


def test_a_fresh_draft_leaves_every_commitment_undecided(tmp_path: Path) -> None:
    draft = draft_of(tmp_path / "out")
    seed = load_seed_file(draft)
    assert {c.review for c in seed.document.commitments} == {Review.UNDECIDED}
    text = draft.read_text(encoding="utf-8")
    assert text.count("review: undecided") == len(seed.document.commitments)
    assert message("import.draft.header_decide") in text


def test_a_hand_made_seed_without_review_is_all_accepted() -> None:
    seed = load_seed_file(SEED)
    written = yaml.safe_load(SEED.read_text(encoding="utf-8"))["commitments"]
    assert not any("review" in entry for entry in written)
    assert seed.reviewed(Review.ACCEPTED) == seed.document.commitments
    assert len(seed.document.commitments) == 66


# --- applying -----------------------------------------------------------------------------


def test_undecided_drafts_are_refused_with_their_count_and_nothing_is_created(
    empty_db_url: str, tmp_path: Path
) -> None:
    draft = draft_of(tmp_path / "out")
    decided = decide(draft, lambda code, _: "undecided" if code.startswith("7.") else "accepted")
    undecided = sum(1 for d in decided.values() if d == "undecided")
    result = apply(empty_db_url, draft)
    assert result.exit_code == 1
    said = message(
        "import.apply.undecided",
        file=str(draft),
        undecided=undecided,
        accepted=len(decided) - undecided,
        rejected=0,
    )
    assert result.stderr.strip() == said
    assert not has_tables(empty_db_url)


def test_a_draft_with_every_commitment_rejected_is_refused(
    empty_db_url: str, tmp_path: Path
) -> None:
    draft = draft_of(tmp_path / "out")
    rejected = len(decide(draft, lambda *_: "rejected"))
    result = apply(empty_db_url, draft)
    assert result.exit_code == 1
    assert result.stderr.strip() == message(
        "import.apply.none_accepted", file=str(draft), rejected=rejected
    )
    assert not has_tables(empty_db_url)


def test_an_accepted_draft_still_without_its_lead_unit_is_refused(
    empty_db_url: str, tmp_path: Path
) -> None:
    draft = draft_of(tmp_path / "out")
    decided = decide(draft, lambda *_: "accepted")
    unnamed = [
        c.code for c in load_seed_file(draft).document.commitments if c.unit == PLACEHOLDER_UNIT
    ]
    assert unnamed and len(decided) > len(unnamed)
    result = apply(empty_db_url, draft)
    assert result.exit_code == 1
    assert result.stderr.strip() == message(
        "import.apply.placeholder_unit",
        file=str(draft),
        count=len(unnamed),
        code=unnamed[0],
        unit=PLACEHOLDER_UNIT,
    )
    assert not has_tables(empty_db_url)


def test_only_accepted_commitments_are_seeded_into_an_empty_database(
    empty_db_url: str, tmp_path: Path
) -> None:
    draft = draft_of(tmp_path / "out")
    decided = decide(draft, every_third_rejected)
    accepted = {code for code, d in decided.items() if d == "accepted"}
    rejected = len(decided) - len(accepted)
    assert accepted and rejected
    result = apply(empty_db_url, draft)
    assert result.exit_code == 0, result.output
    assert codes_of(empty_db_url, "bh-import") == accepted
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith(
        f"已导入数据库 {empty_db_url}：新报告 bh-import，承诺事项 {len(accepted)} 项"
    )
    assert lines[0].endswith("新增村(社区) 23 个")
    assert lines[1] == message("import.apply.rejected", rejected=rejected)
    # The placeholder unit only rejected drafts named is not made a unit of the ledger.
    engine = make_engine(empty_db_url)
    try:
        with Session(engine) as session:
            units = set(session.exec(select(Unit.name)).all())
    finally:
        engine.dispose()
    assert PLACEHOLDER_UNIT not in units and "司法所" in units


def test_a_draft_is_seeded_beside_the_report_already_there(db_url: str, tmp_path: Path) -> None:
    before = codes_of(db_url, "baohe-2021")
    rows_before = dump(db_url)["commitment"]
    draft = draft_of(tmp_path / "out")
    decided = decide(draft, every_third_rejected)
    result = apply(db_url, draft)
    assert result.exit_code == 0, result.output
    assert codes_of(db_url, "bh-import") == {c for c, d in decided.items() if d == "accepted"}
    assert codes_of(db_url, "baohe-2021") == before
    # The report already there is untouched: its rows come first and are as they were.
    assert dump(db_url)["commitment"][: len(rows_before)] == rows_before
    listed = invoke("--db", db_url, "--as-of", AS_OF, "--report", "bh-import", "list")
    assert listed.exit_code == 0 and "1.1a" in listed.stdout


def test_applying_the_same_draft_twice_is_refused_and_changes_nothing(
    empty_db_url: str, tmp_path: Path
) -> None:
    draft = draft_of(tmp_path / "out")
    decide(draft, every_third_rejected)
    assert apply(empty_db_url, draft).exit_code == 0
    before = dump(empty_db_url)
    again = apply(empty_db_url, draft)
    assert again.exit_code == 1
    assert again.stderr.strip() == message("import.apply.slug_taken", slug="bh-import")
    assert dump(empty_db_url) == before


def test_a_draft_named_as_a_report_in_the_database_is_refused(db_url: str, tmp_path: Path) -> None:
    draft = draft_of(tmp_path / "out", slug="baohe-2021")  # the seed's own slug
    decide(draft, every_third_rejected)
    before = dump(db_url)
    result = apply(db_url, draft, lang="en")
    assert result.exit_code == 1
    assert result.stderr.strip() == message("import.apply.slug_taken", "en", slug="baohe-2021")
    assert dump(db_url) == before


def test_only_an_admin_may_apply_on_a_ledger_with_accounts(db_url: str, tmp_path: Path) -> None:
    draft = draft_of(tmp_path / "out")
    decide(draft, every_third_rejected)
    before = dump(db_url)
    result = apply(db_url, draft, user="无名氏")
    assert result.exit_code == 1
    assert result.stderr.strip() == message("access_no_account", user="无名氏")
    assert dump(db_url) == before


@pytest.mark.in_process_only("makes ensure_first_admin fail in the test's process")
def test_a_failure_while_seeding_leaves_the_database_unchanged(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = draft_of(tmp_path / "out")
    decide(draft, every_third_rejected)
    before = dump(db_url)

    def fails(**_: object) -> None:  # after the commitments and periods are written
        raise TrackerError("aborted")

    monkeypatch.setattr(tracker.work, "ensure_first_admin", fails)
    result = apply(db_url, draft)
    assert result.exit_code == 1
    assert dump(db_url) == before


def test_a_link_to_a_rejected_measure_is_dropped_and_said(
    empty_db_url: str, tmp_path: Path
) -> None:
    """A hand-made seed under a new slug, with one measure its rectification names rejected."""
    shutil.copy(REPORT, tmp_path / REPORT.name)
    text = SEED.read_text(encoding="utf-8").replace("slug: baohe-2021", "slug: bh-reviewed", 1)
    text = text.replace('  - code: "7.1a"\n', '  - code: "7.1a"\n    review: rejected\n', 1)
    draft = tmp_path / "reviewed.yaml"
    draft.write_text(text, encoding="utf-8")
    result = apply(empty_db_url, draft)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[1:] == [
        message("import.apply.rejected", rejected=1),
        message("import.apply.links_dropped", links=1),
    ]
    codes = codes_of(empty_db_url, "bh-reviewed")
    assert "7.1a" not in codes and {"6.1", "7.1b", "7.1c"} <= codes
    engine = make_engine(empty_db_url)
    try:
        with Session(engine) as session:
            by_id = {c.id: c.code for c in session.exec(select(Commitment)).all()}
            links = session.exec(select(CommitmentLink)).all()
    finally:
        engine.dispose()
    measures = {by_id[link.measure_id] for link in links if by_id[link.rectification_id] == "6.1"}
    assert measures == {"7.1b", "7.1c"}


def test_init_refuses_a_draft_with_undecided_commitments_too(
    empty_db_url: str, tmp_path: Path
) -> None:
    draft = draft_of(tmp_path / "out")
    drafts = len(load_seed_file(draft).document.commitments)
    result = invoke("--db", empty_db_url, "--user", ADMIN, "init", "--seed", str(draft))
    assert result.exit_code == 1
    said = message(
        "import.apply.undecided", file=str(draft), undecided=drafts, accepted=0, rejected=0
    )
    assert result.stderr.strip() == said
    assert not has_tables(empty_db_url)


@pytest.mark.parametrize(
    "args",
    [
        ("import",),
        ("import", "--apply", "x.yaml", str(REPORT)),
        ("import", "--apply", "x.yaml", "--slug", "a"),
    ],
)
def test_apply_with_a_report_or_drafting_options_is_a_usage_error(args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


# --- a draft edited into an invalid state (point 6) ---------------------------------------

# (what the reviewer's edit replaces, with what, the field named in the refusal)
EDITS = {
    "bad_kind": ("    kind: one_off", "    kind: someday", "kind"),
    "excerpt_not_in_text": ('    excerpt: "', '    excerpt: "从未写过的话', "excerpt"),
    "unknown_unit": ('    unit: "', '    unit: "不存在的单位', "unit"),
    "bad_review": ("    review: accepted", "    review: maybe", "review"),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_a_draft_edited_into_an_invalid_state_is_refused_with_its_line(
    empty_db_url: str, tmp_path: Path, case: str
) -> None:
    old, new, field = EDITS[case]
    draft = draft_of(tmp_path / "out")
    decide(draft, lambda *_: "accepted")
    text = draft.read_text(encoding="utf-8")
    at = text.index(old)
    line = text.count("\n", 0, at) + 1
    draft.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    result = apply(empty_db_url, draft)
    assert result.exit_code == 1
    said = result.stderr.strip()
    assert said.startswith(f"种子文件有误 {draft}:{line}："), said
    assert len(said.splitlines()) == 1
    if case in ("bad_kind", "bad_review"):
        assert field in said
    assert not has_tables(empty_db_url)
