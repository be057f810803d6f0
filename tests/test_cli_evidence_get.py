"""`tracker evidence get CODE [--event N] --out DIR`: evidence back under its original names.

Files are logged through the CLI into a real store (beside the SQLite file, or the folder a
PostgreSQL ledger is configured with), then written out and compared byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.config import evidence_dir_setting
from tracker.i18n import CATALOGS
from tracker.services.evidence_copies import file_name
from tracker.services.evidence_store import evidence_root, stored_path

USER = "测试员"
AS_OF = "2026-11-26"
runner = CliRunner()


def invoke(db: str, *args: str, lang: str = "zh") -> Result:
    argv = ["--db", db, "--user", USER, "--as-of", AS_OF, "--lang", lang, *args]
    return runner.invoke(app, argv, env={"COLUMNS": "250"}, catch_exceptions=False)


def msg(key: str, lang: str = "zh", **params: Any) -> str:
    return CATALOGS[lang][key].format(**params)


@pytest.fixture
def store(backend: str, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ledger's store: beside the SQLite file, or the folder PostgreSQL needs set."""
    monkeypatch.delenv("TRACKER_EVIDENCE_DIR", raising=False)
    if backend == "postgresql":
        monkeypatch.setenv("TRACKER_EVIDENCE_DIR", str(tmp_path / "shared-evidence"))
    return evidence_root(db_url, evidence_dir_setting())


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Two files named 纪要.pdf (different content, different folders) and a 签到表."""
    (tmp_path / "一月").mkdir()
    (tmp_path / "二月").mkdir()
    made = {
        "minutes": tmp_path / "一月" / "纪要.pdf",
        "minutes2": tmp_path / "二月" / "纪要.pdf",
        "sheet": tmp_path / "签到表.jpg",
    }
    made["minutes"].write_bytes("一月讲座纪要".encode() * 100)
    made["minutes2"].write_bytes("二月讲座纪要".encode() * 100)
    made["sheet"].write_bytes(b"\x89PNG sign-in sheet")
    return made


def log(db: str, code: str, day: str, note: str, *paths: Path) -> int:
    args = [arg for path in paths for arg in ("--evidence", str(path))]
    result = invoke(db, "log", code, "--date", day, "--note", note, *args)
    assert result.exit_code == 0, result.stderr
    shown = json.loads(invoke(db, "show", code.split("/")[0] + "/2026", "--format", "json").stdout)
    return max(event["id"] for event in shown["events"])


def out_dir(tmp_path: Path, name: str = "取回") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


def test_get_writes_each_file_under_its_original_name_byte_for_byte(
    db_url: str, store: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    event = log(db_url, "5.5a", "2026-05-10", "宪法讲座", files["minutes"], files["sheet"])
    folder = out_dir(tmp_path)
    result = invoke(db_url, "evidence", "get", "5.5a", "--out", str(folder))
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in folder.iterdir()) == ["签到表.jpg", "纪要.pdf"]
    assert (folder / "纪要.pdf").read_bytes() == files["minutes"].read_bytes()
    assert (folder / "签到表.jpg").read_bytes() == files["sheet"].read_bytes()
    # One line per file written, naming where it went and which event it proves.
    assert result.stdout.splitlines() == [
        msg("evidence_get_written", path=str(folder / name), name=name, event=event,
            date="2026-05-10")
        for name in ("纪要.pdf", "签到表.jpg")
    ]  # fmt: skip


def test_two_files_with_one_name_get_distinct_names(
    db_url: str, store: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    log(db_url, "5.5a", "2026-05-10", "一月讲座", files["minutes"])
    log(db_url, "5.5a", "2026-06-10", "二月讲座", files["minutes2"])
    folder = out_dir(tmp_path)
    result = invoke(db_url, "evidence", "get", "5.5a", "--out", str(folder))
    assert result.exit_code == 0, result.stderr
    assert (folder / "纪要.pdf").read_bytes() == files["minutes"].read_bytes()
    assert (folder / "纪要 (2).pdf").read_bytes() == files["minutes2"].read_bytes()
    assert "纪要 (2).pdf" in result.stdout.splitlines()[1]


def test_an_existing_file_is_never_overwritten_and_the_same_file_not_written_twice(
    db_url: str, store: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    log(db_url, "5.5a", "2026-05-10", "讲座", files["minutes"])
    folder = out_dir(tmp_path)
    (folder / "纪要.pdf").write_bytes(b"the officer's own draft")
    first = invoke(db_url, "evidence", "get", "5.5a", "--out", str(folder))
    assert first.exit_code == 0, first.stderr
    assert (folder / "纪要.pdf").read_bytes() == b"the officer's own draft"
    assert (folder / "纪要 (2).pdf").read_bytes() == files["minutes"].read_bytes()
    again = invoke(db_url, "evidence", "get", "5.5a", "--out", str(folder))
    assert again.exit_code == 0, again.stderr
    assert sorted(path.name for path in folder.iterdir()) == ["纪要 (2).pdf", "纪要.pdf"]
    assert str(folder / "纪要 (2).pdf") in again.stdout


def test_a_name_too_long_once_numbered_is_refused_in_one_line(
    db_url: str, store: Path, tmp_path: Path
) -> None:
    """A file named near the file system's limit (255 bytes) cannot take " (2)": one line
    for it (then the count, as for any file not written), not a traceback."""
    long = tmp_path / ("纪" * 83 + ".pdf")  # 253 bytes in UTF-8
    long.write_bytes(b"minutes")
    log(db_url, "5.5a", "2026-05-10", "讲座", long)
    folder = out_dir(tmp_path)
    (folder / long.name).write_bytes(b"another file of that name")
    result = invoke(db_url, "evidence", "get", "5.5a", "--out", str(folder))
    assert result.exit_code == 1
    numbered = folder / ("纪" * 83 + " (2).pdf")
    refused = msg("file_unwritable", path=str(numbered), reason=msg("reason.name_too_long"))
    assert result.stderr.splitlines() == [
        refused,
        msg("evidence_get_refused", written=0, refused=1),
    ]


def test_a_tampered_stored_file_is_refused_by_name_and_the_others_written(
    db_url: str, store: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    event = log(db_url, "5.5a", "2026-05-10", "讲座", files["minutes"], files["sheet"])
    digest = hashlib.sha256(files["sheet"].read_bytes()).hexdigest()
    stored = stored_path(store, digest)
    stored.chmod(stored.stat().st_mode | stat.S_IWUSR)
    stored.write_bytes(b"swapped behind tracker's back")
    folder = out_dir(tmp_path)
    result = invoke(db_url, "evidence", "get", "5.5a", "--out", str(folder))
    assert result.exit_code == 1
    assert [path.name for path in folder.iterdir()] == ["纪要.pdf"]
    assert result.stderr.splitlines() == [
        msg("evidence_get_changed", name="签到表.jpg", event=event, date="2026-05-10"),
        msg("evidence_get_refused", written=1, refused=1),
    ]


def test_a_missing_stored_file_is_refused_by_name(
    db_url: str, store: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    event = log(db_url, "5.5a", "2026-05-10", "讲座", files["sheet"])
    digest = hashlib.sha256(files["sheet"].read_bytes()).hexdigest()
    stored_path(store, digest).unlink()
    folder = out_dir(tmp_path)
    result = invoke(db_url, "evidence", "get", "5.5a", "--out", str(folder), lang="en")
    assert result.exit_code == 1
    assert list(folder.iterdir()) == []
    assert result.stderr.splitlines()[0] == msg(
        "evidence_get_missing", "en", name="签到表.jpg", event=event, date="2026-05-10",
        store=str(store),
    )  # fmt: skip


def test_event_names_one_event_and_voided_events_are_left_out_unless_named(
    db_url: str, store: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    first = log(db_url, "5.5a", "2026-05-10", "一月讲座", files["minutes"])
    second = log(db_url, "5.5a", "2026-06-10", "二月讲座", files["sheet"])
    only = out_dir(tmp_path, "只取一条")
    result = invoke(db_url, "evidence", "get", "5.5a", "--event", str(second), "--out", str(only))
    assert result.exit_code == 0, result.stderr
    assert [path.name for path in only.iterdir()] == ["签到表.jpg"]

    voided = invoke(db_url, "void", str(first), "--reason", "重复录入")
    assert voided.exit_code == 0, voided.stderr
    folder = out_dir(tmp_path)
    result = invoke(db_url, "evidence", "get", "5.5a", "--out", str(folder))
    assert result.exit_code == 0, result.stderr
    assert [path.name for path in folder.iterdir()] == ["签到表.jpg"]
    assert result.stderr.splitlines() == [msg("evidence_get_voided", count=1)]
    void_second = invoke(db_url, "void", str(second), "--reason", "记错")
    assert void_second.exit_code == 0, void_second.stderr
    nothing = out_dir(tmp_path, "都作废了")
    result = invoke(db_url, "evidence", "get", "5.5a", "--out", str(nothing))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [msg("evidence_get_only_voided", code="5.5a", count=2)]
    assert list(nothing.iterdir()) == []
    named = out_dir(tmp_path, "作废的")
    result = invoke(db_url, "evidence", "get", "5.5a", "--event", str(first), "--out", str(named))
    assert result.exit_code == 0, result.stderr
    assert [path.name for path in named.iterdir()] == ["纪要.pdf"]


@pytest.mark.parametrize(
    ("args", "key", "params"),
    [
        (("1.4c", "--event", "999999"), "evidence_event_unknown", {"event": 999999}),
        (("1.4c",), "evidence_get_none", {"code": "1.4c"}),
    ],
)
def test_nothing_to_get_is_one_line(
    db_url: str, store: Path, tmp_path: Path, args: tuple[str, ...], key: str,
    params: dict[str, Any],
) -> None:  # fmt: skip
    folder = out_dir(tmp_path)
    result = invoke(db_url, "evidence", "get", *args, "--out", str(folder))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [msg(key, **params)]
    assert list(folder.iterdir()) == []


def test_another_items_event_is_refused(
    db_url: str, store: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    event = log(db_url, "5.5a", "2026-05-10", "讲座", files["sheet"])
    result = invoke(db_url, "evidence", "get", "1.4c", "--event", str(event), "--out",
                    str(out_dir(tmp_path)))  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        msg("evidence_event_elsewhere", event=event, code="1.4c", other="5.5a/2026")
    ]


def test_out_must_be_an_existing_folder(db_url: str, store: Path, tmp_path: Path) -> None:
    missing = tmp_path / "没有"
    result = invoke(db_url, "evidence", "get", "5.5a", "--out", str(missing))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [msg("evidence_out_not_dir", path=str(missing))]
    assert not missing.exists()


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        ("C:\\材料\\纪要.pdf", "纪要.pdf"),
        ("/home/wang/签到表.jpg", "签到表.jpg"),
        ("a\u202egpj.exe", "a_gpj.exe"),
        ("会议:纪要?.pdf", "会议_纪要_.pdf"),
        ("..", "0123456789abcdef"),
        ("/", "0123456789abcdef"),
    ],
)
def test_file_names_come_from_the_recorded_path_made_safe(recorded: str, expected: str) -> None:
    assert file_name(recorded, "0123456789abcdef" * 4) == expected
