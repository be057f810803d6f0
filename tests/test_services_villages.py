"""The village roster: CSV import in the encodings officers actually have, and renaming."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import Commitment, History, HistoryKind, Kind, Report, Status, Village
from tracker.services.seed_file import Seed
from tracker.services.villages import RosterChange, import_roster, rename_village

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=timezone(timedelta(hours=8)))
SEEDED_THROUGH = 2026
OFFICER = "张干事"
# Made-up names: the report does not name the town's villages.
NAMES = {
    n: f"{name}村"
    for n, name in enumerate(
        "和平 光明 新华 金鸡 石桥 双河 长春 白鹤 "
        "龙泉 清水 红星 太平 永安 高峰 兴隆 桂花 竹林 莲花 青龙 凤凰 五星 联合 民主".split(),
        start=1,
    )
}


def report_of(session: Session) -> Report:
    return session.exec(select(Report)).one()


def roster(session: Session) -> list[tuple[int, str]]:
    villages = session.exec(select(Village).order_by(col(Village.number))).all()
    return [(v.number, v.name) for v in villages]


def village_history(session: Session) -> list[History]:
    query = select(History).where(History.kind == HistoryKind.VILLAGE).order_by(col(History.id))
    return list(session.exec(query).all())


def write_csv(tmp_path: Path, lines: list[str], encoding: str = "utf-8", end: str = "\n") -> Path:
    path = tmp_path / "villages.csv"
    path.write_bytes(end.join(lines).encode(encoding) + end.encode())
    return path


def import_csv(session: Session, path: Path) -> RosterChange:
    return import_roster(
        session=session, report=report_of(session), path=path, user=OFFICER, now=NOW
    )


ROSTER_LINES = ["编号,名称", *(f"{n},{name}" for n, name in NAMES.items())]


# --- Import ---


@pytest.mark.parametrize(
    ("encoding", "end"),
    [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("gbk", "\r\n")],
    ids=["utf-8", "utf-8-with-bom", "gbk-from-excel"],
)
def test_import_names_every_village_and_records_each_name(
    session: Session, tmp_path: Path, encoding: str, end: str
) -> None:
    path = write_csv(tmp_path, ROSTER_LINES, encoding, end)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    change = import_csv(session, path)
    session.flush()
    assert (change.renamed, change.added, change.instances) == (23, 0, 0)
    assert roster(session) == sorted(NAMES.items())
    history = village_history(session)
    numbers = {v.id: v.number for v in session.exec(select(Village)).all()}
    assert sorted((numbers[h.village_id or 0], h.old, h.new) for h in history) == [
        (n, None, name) for n, name in sorted(NAMES.items())
    ]
    assert {h.changed_by for h in history} == {OFFICER}


def test_importing_the_same_roster_again_changes_nothing(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path, ROSTER_LINES)
    import_csv(session, path)
    session.flush()
    rows = len(village_history(session))
    change = import_csv(session, path)
    session.flush()
    assert (change.renamed, change.added, change.instances) == (0, 0, 0)
    assert len(village_history(session)) == rows


def test_new_number_adds_a_village_with_its_per_village_items(
    session: Session, seed: Seed, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, [*ROSTER_LINES, "24,幸福社区"])
    change = import_csv(session, path)
    session.flush()
    per_village = [c for c in seed.document.commitments if c.kind is Kind.PER_VILLAGE]
    assert (change.renamed, change.added, change.instances) == (23, 1, len(per_village))
    village = session.exec(select(Village).where(Village.number == 24)).one()
    assert (village.town, village.name) == ("保和镇", "幸福社区")
    instances = session.exec(
        select(Commitment).where(Commitment.village_id == village.id).order_by(Commitment.code)
    ).all()
    assert [i.code for i in instances] == sorted(f"{c.code}-V24" for c in per_village)
    # The seed's "done" was the report's word about the 23 villages of 2021, not about this one,
    # and its 2021 deadline is not this village's: it has none until a supervisor sets one.
    assert all(i.status == Status.TODO for i in instances)
    assert all(i.due is None for i in instances)
    added = [h for h in village_history(session) if h.village_id == village.id]
    assert [(h.old, h.new) for h in added] == [(None, "幸福社区")]


def test_import_may_swap_two_names(session: Session, tmp_path: Path) -> None:
    import_csv(session, write_csv(tmp_path, ROSTER_LINES))
    session.flush()
    swapped = {**NAMES, 1: NAMES[2], 2: NAMES[1]}
    import_csv(session, write_csv(tmp_path, ["编号,名称", "1," + NAMES[2], "2," + NAMES[1]]))
    session.flush()
    assert roster(session) == sorted(swapped.items())


def test_import_of_a_name_held_by_another_village_is_refused(
    session: Session, tmp_path: Path
) -> None:
    import_csv(session, write_csv(tmp_path, ROSTER_LINES))
    session.flush()
    before = roster(session)
    with pytest.raises(TrackerError) as caught:
        import_csv(session, write_csv(tmp_path, ["编号,名称", f"5,{NAMES[9]}"]))
    assert caught.value.key == "village_name_taken"
    assert caught.value.params == {"name": NAMES[9], "number": 9}
    assert roster(session) == before


BAD_FILES = {
    # name: (lines of the file, the error key, the line it names or None)
    "no_name_column": (["编号,备注", "1,已核实"], "csv_columns", None),
    "no_number_column": (["名称", "和平村"], "csv_columns", None),
    "duplicate_number": (["编号,名称", "1,和平村", "2,光明村", "1,新华村"], "csv_duplicate", 4),
    "duplicate_name": (["编号,名称", "1,和平村", "2,和平村"], "csv_duplicate", 3),
    "chinese_numeral": (["编号,名称", "1,和平村", "二,光明村"], "csv_row", 3),
    "zero": (["编号,名称", "0,和平村"], "csv_row", 2),
    "negative": (["编号,名称", "-3,和平村"], "csv_row", 2),
    "superscript_digit": (["编号,名称", "²,和平村"], "csv_row", 2),
    "number_too_large": (["编号,名称", "3000000000,和平村"], "csv_row", 2),
    "empty_name": (["编号,名称", "1,和平村", "2, "], "csv_row", 3),
    "missing_cell": (["名称,编号", "和平村"], "csv_row", 2),
    "blank_rows_before_the_bad_one": (["编号,名称", "", "1,和平村", ",", "x,光明村"], "csv_row", 5),
    "empty_file": ([], "csv_empty", None),
    "only_blank_lines": (["", " ", ","], "csv_empty", None),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_roster_file_is_refused_and_nothing_changes(
    session: Session, tmp_path: Path, case: str
) -> None:
    lines, key, line = BAD_FILES[case]
    path = tmp_path / "villages.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    before = (roster(session), len(village_history(session)))
    commitments = session.exec(select(func.count()).select_from(Commitment)).one()
    with pytest.raises(TrackerError) as caught:
        import_csv(session, path)
    assert caught.value.key == key
    assert caught.value.params["path"] == str(path)
    if line is not None:
        assert caught.value.params["line"] == line
    session.flush()
    assert (roster(session), len(village_history(session))) == before
    assert session.exec(select(func.count()).select_from(Commitment)).one() == commitments


def test_missing_roster_file_is_file_missing(session: Session, tmp_path: Path) -> None:
    with pytest.raises(TrackerError) as caught:
        import_csv(session, tmp_path / "nowhere.csv")
    assert caught.value.key == "file_missing"


# --- Rename ---


def rename(session: Session, number: int, name: str) -> RosterChange:
    return rename_village(
        session=session, report=report_of(session), number=number, name=name, user=OFFICER, now=NOW
    )


def test_rename_names_one_village_and_records_old_and_new(session: Session) -> None:
    change = rename(session, 5, "  石桥村 ")
    session.flush()
    assert (change.renamed, change.added, change.instances) == (1, 0, 0)
    rename(session, 5, "石桥社区")
    session.flush()
    assert dict(roster(session))[5] == "石桥社区"
    assert [(h.old, h.new) for h in village_history(session)] == [
        (None, "石桥村"),
        ("石桥村", "石桥社区"),
    ]


def test_rename_to_another_villages_name_is_refused(session: Session) -> None:
    rename(session, 5, "石桥村")
    session.flush()
    before = roster(session)
    with pytest.raises(TrackerError) as caught:
        rename(session, 6, "石桥村")
    assert caught.value.key == "village_name_taken"
    assert caught.value.params == {"name": "石桥村", "number": 5}
    assert roster(session) == before


def test_rename_to_its_own_name_changes_nothing(session: Session) -> None:
    rename(session, 5, "石桥村")
    session.flush()
    change = rename(session, 5, "石桥村")
    session.flush()
    assert change.renamed == 0
    assert len(village_history(session)) == 1


@pytest.mark.parametrize(
    ("number", "name", "key"),
    [
        (99, "新村", "village_unknown"),
        (5, " ", "village_bad_name"),
        (5, "村" * 101, "village_bad_name"),
    ],
)
def test_rename_refuses_unknown_villages_and_bad_names(
    session: Session, number: int, name: str, key: str
) -> None:
    before = roster(session)
    with pytest.raises(TrackerError) as caught:
        rename(session, number, name)
    assert caught.value.key == key
    assert roster(session) == before
