"""`tracker show` lists the history by the day each change took effect, and marks a late
entry (补录) with when it was recorded and by whom, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.models import Commitment, History

USER = "王科员"
CODE = "1.4c"  # a one-off item, 未开始 in the seed


def tracker(db_url: str, *args: str, lang: str = "zh") -> str:
    """Run a command that must succeed, as 王科员 on the real today; its output."""
    result = CliRunner().invoke(
        app, ["--db", db_url, "--user", USER, "--lang", lang, *args], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def last_history(engine: Engine) -> History:
    with Session(engine) as session:
        item = session.exec(select(Commitment).where(Commitment.code == CODE)).one()
        query = select(History).where(History.commitment_id == item.id)
        return session.exec(query.order_by(col(History.id).desc())).first() or History()


def recorded(row: History) -> str:
    """When the row was recorded, as an officer reads it: local time, to the minute."""
    return row.changed_at.astimezone().strftime("%Y-%m-%d %H:%M")


def test_a_back_dated_status_leads_with_its_day_and_says_when_it_was_recorded(
    db_url: str, engine: Engine
) -> None:
    tracker(db_url, "status", CODE, "已完成", "--date", "2022-05-01")
    row = last_history(engine)
    assert (row.effective_on, row.changed_at.date() > date(2022, 5, 1)) == (
        date(2022, 5, 1),
        True,
    )

    shown = tracker(db_url, "show", CODE)
    line = next(line for line in shown.splitlines() if "状态 未开始 → 已完成" in line)
    assert line.strip(" │").startswith("2022-05-01  状态 未开始 → 已完成")
    assert line.strip(" │").endswith(f"（补录，记录于 {recorded(row)} {USER}）")

    english = tracker(db_url, "show", CODE, lang="en")
    line = next(line for line in english.splitlines() if "→ done" in line)
    assert line.strip(" │").startswith("2022-05-01  status to do → done")
    assert line.strip(" │").endswith(f"(late entry, recorded {recorded(row)} by {USER})")


def test_a_change_made_on_its_own_day_gives_the_time_and_who_and_no_late_mark(
    db_url: str, engine: Engine
) -> None:
    tracker(db_url, "note", CODE, "已起草试行办法")
    row = last_history(engine)
    assert row.effective_on == row.changed_at.date()

    shown = tracker(db_url, "show", CODE)
    line = next(line for line in shown.splitlines() if "备注  已起草试行办法" in line)
    assert line.strip(" │").startswith(f"{recorded(row)}  {USER}  备注")
    assert "补录" not in line
