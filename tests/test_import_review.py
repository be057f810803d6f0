"""Reviewing a draft in place (tracker.importing.review): each decision and edit rewrites
only the lines of its commitment, the whole file checked as seeding checks it before it is
replaced; a refused edit leaves the file as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from review_helpers import copy_draft, import_draft, with_undecided

from tracker.errors import TrackerError
from tracker.importing.review import (
    Counts,
    counts,
    drafts,
    edit,
    load_draft,
    merge,
    set_review,
    split,
)
from tracker.models import Kind
from tracker.schedule import Frequency
from tracker.services.seed_file import Review


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return import_draft(tmp_path_factory.mktemp("imported"))


@pytest.fixture
def draft(made: Path, tmp_path: Path) -> Path:
    path = copy_draft(made, tmp_path / "draft")
    with_undecided(path)
    return path


def block(path: Path, code: str) -> list[str]:
    """The lines of commitment `code`, from its code line to the next one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f'  - code: "{code}"')
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("  - code:")), len(lines)
    )
    return lines[start:end]


def test_a_new_draft_is_all_undecided_with_its_excerpts_in_the_report(draft: Path) -> None:
    rows = drafts(draft)
    assert len(rows) > 24 and counts(rows) == Counts(0, 0, len(rows))
    text = (draft.parent / "baohe-2021-report.txt").read_text(encoding="utf-8")
    first = rows[0]
    assert (
        first.code == "1.1a"
        and "优化了依法治镇工作领导小组人员结构" in text[first.start : first.end]
    )


def test_without_review_lines_every_draft_counts_as_accepted(made: Path, tmp_path: Path) -> None:
    path = copy_draft(made, tmp_path / "plain")
    text = path.read_text(encoding="utf-8").replace("    review: undecided\n", "")
    path.write_text(text, encoding="utf-8")
    rows = drafts(path)
    assert counts(rows) == Counts(len(rows), 0, 0)


def test_accept_reject_and_undecided_are_written_at_once_and_counted(draft: Path) -> None:
    total = len(drafts(draft))
    assert set_review(draft, "1.1a", Review.ACCEPTED)
    assert set_review(draft, "1.1b", "rejected")
    assert counts(drafts(draft)) == Counts(1, 1, total - 2)
    assert "    review: accepted" in block(draft, "1.1a")
    assert set_review(draft, "1.1a", Review.UNDECIDED)
    assert counts(drafts(draft)) == Counts(0, 1, total - 1)
    assert not set_review(draft, "1.1b", Review.REJECTED)  # already so: nothing written


def test_a_review_line_is_added_after_the_code_line_when_absent(made: Path, tmp_path: Path) -> None:
    path = copy_draft(made, tmp_path / "plain")
    text = path.read_text(encoding="utf-8").replace("    review: undecided\n", "")
    path.write_text(text, encoding="utf-8")
    set_review(path, "2.1a", Review.REJECTED)
    lines = block(path, "2.1a")
    assert lines[1] == "    review: rejected"
    assert {row.code: row.review for row in drafts(path)}["2.1a"] is Review.REJECTED
    # Only that line was added.
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(text.splitlines()) + 1


def test_an_edit_replaces_the_fields_and_drops_their_mark_only(draft: Path) -> None:
    before = draft.read_text(encoding="utf-8")
    old = block(draft, "1.1b")
    assert any(line.startswith("    due:") and "待核定" in line for line in old)
    assert edit(draft, "1.1b", title="明确牵头部门职责", due=date(2022, 6, 30))
    row = next(r for r in drafts(draft) if r.code == "1.1b")
    assert (row.title, row.due, row.kind) == ("明确牵头部门职责", date(2022, 6, 30), Kind.ONE_OFF)
    new = block(draft, "1.1b")
    assert '    title: "明确牵头部门职责"' in new and "    due: 2022-06-30" in new
    # Every other line of the file, comments of other commitments included, is as it was.
    after = draft.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before.splitlines())
    assert sum(a != b for a, b in zip(before.splitlines(), after, strict=True)) == 2


def test_an_edit_to_a_quota_with_its_target(draft: Path) -> None:
    row = next(r for r in drafts(draft) if r.kind is Kind.QUOTA)
    assert edit(draft, row.code, target=(row.target or 1) + 1, unit=row.unit)
    again = next(r for r in drafts(draft) if r.code == row.code)
    assert again.target == (row.target or 1) + 1 and again.unit == row.unit


def test_a_one_off_becomes_a_quota_with_its_frequency_and_target(draft: Path) -> None:
    assert edit(draft, "1.2b", kind=Kind.QUOTA, frequency="yearly", target=2)
    row = next(r for r in drafts(draft) if r.code == "1.2b")
    assert (row.kind, row.frequency, row.target) == (Kind.QUOTA, Frequency.YEARLY, 2)
    lines = block(draft, "1.2b")
    assert {"    kind: quota", "    frequency: yearly", "    target: 2"} <= set(lines)


def test_a_unit_the_draft_does_not_list_is_added_to_its_units(draft: Path) -> None:
    """The reviewer names the real lead unit (the draft had 待核定单位): it joins `units:`,
    once, and the draft loads with it."""
    row = next(r for r in drafts(draft) if r.unit == "待核定单位")
    assert edit(draft, row.code, unit="镇党政办")
    assert next(r for r in drafts(draft) if r.code == row.code).unit == "镇党政办"
    other = next(r for r in drafts(draft) if r.code != row.code)
    edit(draft, other.code, unit="镇党政办")
    text = draft.read_text(encoding="utf-8")
    assert text.count('  - name: "镇党政办"') == 1


def test_an_edit_that_changes_nothing_writes_nothing(draft: Path) -> None:
    row = drafts(draft)[0]
    before = draft.read_bytes()
    assert not edit(draft, row.code, title=row.title, kind=row.kind.value, due=row.due)
    assert draft.read_bytes() == before


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"kind": "quota"}, "frequency"),  # a quota needs a frequency and a target
        ({"due": None}, "due"),  # a one-off needs its deadline
        ({"target": 3}, ""),  # only a quota has a target
        ({"title": ""}, "title"),
    ],
)
def test_an_edit_that_would_make_the_file_invalid_is_refused_and_the_file_unchanged(
    draft: Path, fields: dict[str, object], said: str
) -> None:
    before = draft.read_bytes()
    with pytest.raises(TrackerError) as refused:
        edit(draft, "1.1a", **fields)
    message = refused.value.message()
    assert message.startswith(f"种子文件有误 {draft}:") and said in message
    assert "\n" not in message
    assert draft.read_bytes() == before
    assert sorted(p.name for p in draft.parent.iterdir()) == ["baohe-2021-report.txt", draft.name]


def test_an_unknown_code_is_refused(draft: Path) -> None:
    with pytest.raises(TrackerError) as refused:
        set_review(draft, "9.9z", Review.ACCEPTED)
    assert refused.value.message() == "草稿中没有编号为 9.9z 的事项"


def test_a_hand_edited_review_value_that_is_no_review_is_refused_with_its_line(draft: Path) -> None:
    text = draft.read_text(encoding="utf-8").replace("review: undecided", "review: maybe", 1)
    draft.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    review: maybe") + 1
    with pytest.raises(TrackerError) as refused:
        drafts(draft)
    assert refused.value.message().startswith(f"种子文件有误 {draft}:{line}：")


def test_tracker_review_refuses_a_draft_that_does_not_load_in_one_line(draft: Path) -> None:
    from typer.testing import CliRunner

    from tracker.cli import app

    text = draft.read_text(encoding="utf-8")
    text = text.replace('    unit: "派出所"', '    unit: "无此单位"', 1)
    draft.write_text(text, encoding="utf-8")
    done = CliRunner().invoke(app, ["review", str(draft)], catch_exceptions=False)
    assert done.exit_code == 1
    said = done.output.strip()
    assert said.startswith(f"种子文件有误 {draft}:") and "无此单位" in said and "\n" not in said


def test_merging_two_drafts_of_an_item_covers_both_and_drops_the_other(draft: Path) -> None:
    before = {row.code: row for row in drafts(draft)}
    first, second = before["1.1a"], before["1.1b"]
    merge(draft, "1.1a", "1.1b")
    after = {row.code: row for row in drafts(draft)}
    assert "1.1b" not in after and len(after) == len(before) - 1
    assert (after["1.1a"].start, after["1.1a"].end) == (first.start, second.end)
    assert after["1.1a"].title == first.title
    # 1.1b's confidence comment went with it; 1.2a's is still above its code line.
    lines = draft.read_text(encoding="utf-8").splitlines()
    at = lines.index('  - code: "1.2a"')
    assert lines[at - 1].startswith("  # 置信度")
    assert sum(line.startswith("  # 置信度") for line in lines) == len(after)


def test_drafts_of_different_items_are_not_merged(draft: Path) -> None:
    before = draft.read_bytes()
    with pytest.raises(TrackerError) as refused:
        merge(draft, "1.1a", "1.2a")
    assert "不在报告的同一事项中" in refused.value.message()
    assert draft.read_bytes() == before


def test_splitting_a_draft_where_words_begin_makes_a_new_undecided_one(draft: Path) -> None:
    set_review(draft, "1.1b", Review.ACCEPTED)
    row = next(r for r in drafts(draft) if r.code == "1.1b")
    new = split(draft, "1.1b", "形成了")
    rows = {r.code: r for r in drafts(draft)}
    text = (draft.parent / "baohe-2021-report.txt").read_text(encoding="utf-8")
    head, tail = rows["1.1b"], rows[new]
    assert new not in {"1.1a", "1.1b"} and new.startswith("1.1")
    assert text[head.start : head.end] == "明确牵头部门和各部门职责,"
    assert text[tail.start : tail.end].startswith("形成了") and tail.end == row.end
    assert tail.review is Review.UNDECIDED and head.review is Review.ACCEPTED
    assert (tail.kind, tail.unit, tail.due) == (row.kind, row.unit, row.due)
    # In the file, the new draft follows the one it came from.
    codes = [r.code for r in drafts(draft)]
    assert codes[codes.index("1.1b") + 1] == new


def test_a_split_where_the_words_are_not_is_refused(draft: Path) -> None:
    before = draft.read_bytes()
    with pytest.raises(TrackerError):
        split(draft, "1.1b", "不在这里的字")
    assert draft.read_bytes() == before


def test_a_draft_written_in_another_layout_is_refused_rather_than_misread(draft: Path) -> None:
    text = draft.read_text(encoding="utf-8")
    moved = text.replace(
        '  - code: "1.1a"\n    review: undecided\n    section: 1\n',
        '  - section: 1\n    code: "1.1a"\n    review: undecided\n',
        1,
    )
    assert moved != text
    draft.write_text(moved, encoding="utf-8")
    with pytest.raises(TrackerError) as refused:
        set_review(draft, "1.1b", Review.ACCEPTED)
    assert refused.value.key == "review.layout"
    assert draft.read_text(encoding="utf-8") == moved


def test_the_hand_made_seed_reads_as_all_accepted() -> None:
    from import_helpers import SEED

    rows = drafts(SEED)
    assert counts(rows) == Counts(66, 0, 0)


def test_a_draft_that_is_not_there_is_said_in_the_officers_words(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.yaml"
    with pytest.raises(TrackerError) as refused:
        load_draft(missing)
    assert refused.value.message() == f"文件不存在：{missing}"
