"""Proof on the seed: a realistic 2022 logged on the shipped ledger, seen as of 2022-12-31.

Daily screenings are logged a month at a time, as officers keep them; two lectures and two
leadership study sessions are held (one lecture entered twice by mistake and voided); the
indicators get their 2022 figures. Then every recurring duty is done, red is only what was
really missed, and the overview, `tracker summary`, the app's overview and the summary
printout give the same numbers.
"""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from tracker.cli import app as cli_app
from tracker.config import load_settings
from tracker.db import new_session
from tracker.i18n import t
from tracker.models import Commitment, Event, Kind
from tracker.schedule import Light, WorkCalendar
from tracker.services.asof import as_of_view
from tracker.services.bulk import log_range
from tracker.services.corrections import void_event
from tracker.services.dashboard import Dashboard, commitment_states, dashboard
from tracker.services.deadlines import Deadlines
from tracker.services.events import log_event
from tracker.services.lookup import get_commitment, now
from tracker.tui import make_app
from tracker.tui.screens.dashboard import DashboardScreen
from tracker.work import Opening

YEAR_END = date(2022, 12, 31)
OFFICER = "王科员"  # an admin of the test ledger (tests/conftest.py)
RECURRING = ("3.2-D", "3.2-W", "3.2-M")
# The indicators' 2022 figures (made up for the test, in the report's measures).
FIGURES = {
    "2.1-N1": 620.0,
    "2.1-N2": 190.0,
    "2.1-N3": 16.0,
    "2.1-N4": 16500.0,
    "2.1-N5": 80.0,
    "3.1-N1": 47.0,
    "3.2-N1": 215.0,
    "3.2-N2": 3.0,
    "3.2-N3": 98.1,
}


def item(session: Session, code: str) -> Commitment:
    return get_commitment(session=session, code=code, report_slug=None)


def month_ends(year: int) -> list[tuple[date, date]]:
    starts = [date(year, month, 1) for month in range(1, 13)]
    ends = [date(year, month + 1, 1) for month in range(1, 12)] + [date(year + 1, 1, 1)]
    return [
        (start, date.fromordinal(end.toordinal() - 1))
        for start, end in zip(starts, ends, strict=True)
    ]


def log_2022(engine: Engine, calendar: WorkCalendar) -> None:
    """What the town did in 2022, entered by an officer afterwards (补录)."""
    with new_session(engine) as session:
        for code in RECURRING:
            for start, end in month_ends(2022):
                log_range(
                    session=session, item=item(session, code), start=start, end=end,
                    note=f"{start.month}月记录", evidence=[], user=OFFICER, now=now(),
                    calendar=calendar,
                )  # fmt: skip
        lectures = [(date(2022, 5, 10), "宪法专题讲座"), (date(2022, 11, 8), "民法典专题讲座")]
        studies = [(date(2022, 3, 15), "党委理论学习中心组学法"), (date(2022, 9, 20), "专题学法")]
        for code, held in (("5.5a", lectures), ("5.5b", studies)):
            for day, note in held:
                log_event(
                    session=session, item=item(session, code), day=day, note=note,
                    evidence=[], user=OFFICER, now=now(), calendar=calendar,
                )  # fmt: skip
        # The May lecture entered a second time by mistake, then voided.
        twin = log_event(
            session=session, item=item(session, "5.5a"), day=date(2022, 5, 10),
            note="宪法专题讲座", evidence=[], user=OFFICER, now=now(), calendar=calendar,
            again=True,
        )  # fmt: skip
        assert twin.event.id is not None
        void_event(
            session=session, event_id=twin.event.id, reason="重复录入", user=OFFICER,
            now=now(), calendar=calendar, day=date(2022, 5, 10),
        )  # fmt: skip
        for code, figure in FIGURES.items():
            log_event(
                session=session, item=item(session, code), day=date(2022, 12, 30),
                note="2022年度数据", evidence=[], user=OFFICER, now=now(), calendar=calendar,
                value=figure,
            )  # fmt: skip
        session.commit()


def overview(engine: Engine, calendar: WorkCalendar, day: date = YEAR_END) -> Dashboard:
    with new_session(engine) as session:
        return dashboard(session=session, deadlines=Deadlines(as_of=day, calendar=calendar))


def really_missed(engine: Engine, day: date) -> set[str]:
    """The commitments with something due before `day` that nothing records as done:
    counted from the rows, without the ledger's lights."""
    with Session(engine) as session:
        rows = session.exec(select(Commitment)).all()
        logged = {e.commitment_id for e in session.exec(select(Event)).all() if e.voided_on is None}
    by_id = {r.id: r for r in rows}
    missed: set[str] = set()
    for row in rows:
        open_then = row.status not in ("done", "verified", "cancelled") and row.id not in logged
        if row.due is not None and row.due < day and open_then:
            top = by_id[row.parent_id] if row.parent_id is not None else row
            if row.period_start is None or row.period_start <= day:
                missed.add(top.code)
    return missed


def lights_by_code(engine: Engine, calendar: WorkCalendar, day: date) -> dict[str, Light]:
    """Each commitment's light on `day`."""
    with new_session(engine) as session:
        deadlines = Deadlines(as_of=day, calendar=calendar)
        states = commitment_states(session=session, view=as_of_view(session, deadlines))
        codes = dict(session.exec(select(Commitment.id, Commitment.code)).all())
    return {codes[state.id]: state.light for state in states}


def test_a_logged_2022_leaves_red_only_what_was_really_missed(
    engine: Engine, calendar: WorkCalendar
) -> None:
    log_2022(engine, calendar)
    lights = lights_by_code(engine, calendar, YEAR_END)
    with Session(engine) as session:
        kinds = dict(
            session.exec(
                select(Commitment.code, Commitment.kind).where(col(Commitment.parent_id).is_(None))
            ).all()
        )
    # Every recurring duty, quota and indicator was kept in 2022: none of them is red ...
    for code, kind in kinds.items():
        if kind in (Kind.RECURRING, Kind.QUOTA, Kind.INDICATOR):
            assert lights[code] is not Light.RED, code
    for code in (*RECURRING, "5.5a", "5.5b", *FIGURES):
        assert lights[code] is Light.NONE, code  # ... each done for the year
    # ... and nothing else was due before the year's end: the one-offs the report gives
    # until 2022-12-31 (a Saturday) are due on Tuesday 2023-01-03, yellow, not red.
    red = {code for code, light in lights.items() if light is Light.RED}
    assert red == really_missed(engine, YEAR_END) == set()
    assert {"6.1", "7.1a", "1.4c"} <= {c for c, x in lights.items() if x is Light.YELLOW}
    board = overview(engine, calendar)
    assert (board.by_light[Light.RED], board.total) == (0, 66)
    # Once that deadline has passed, red is exactly what was due and never done: the
    # one-offs of 2022, and the new year's first daily screening, not yet logged.
    after = date(2023, 1, 4)
    red = {c for c, x in lights_by_code(engine, calendar, after).items() if x is Light.RED}
    assert red == really_missed(engine, after)
    assert {"6.1", "7.1a", "1.4c", "3.2-D"} <= red
    assert not red & {"3.2-W", "3.2-M", "5.5a", "5.5b", *FIGURES}


def test_the_summary_the_app_and_the_printout_agree_with_the_overview(
    db_url: str, engine: Engine, calendar: WorkCalendar
) -> None:
    log_2022(engine, calendar)
    board = overview(engine, calendar)
    lights = "   ".join(
        t("light_commitments", light=t("light." + light.value), count=board.by_light[light])
        for light in Light
    )
    total = t("overview_total", total=board.total, items=board.items_total)
    runner = CliRunner()
    summary = runner.invoke(cli_app, ["--db", db_url, "--as-of", "2022-12-31", "summary"])
    assert summary.exit_code == 0, summary.output
    assert lights in summary.stdout and total in summary.stdout
    printout = runner.invoke(
        cli_app, ["--db", db_url, "--as-of", "2022-12-31", "report", "--kind", "summary"]
    )
    assert printout.exit_code == 0, printout.output
    assert total in printout.stdout
    for light in Light:
        assert str(board.by_light[light]) in printout.stdout

    async def app_board() -> Dashboard:
        # Built as `tracker --db … --as-of 2022-12-31` builds it.
        app = make_app(Opening(load_settings(db=db_url, user=OFFICER), as_of=YEAR_END))
        async with app.run_test(size=(100, 40)) as pilot:
            for _ in range(50):
                await pilot.pause(0.05)
                screen = app.screen
                if isinstance(screen, DashboardScreen) and screen.board is not None:
                    break
            screen = app.screen
            assert isinstance(screen, DashboardScreen) and screen.board is not None
            seen = screen.board
        app.context.close()
        return seen

    seen = asyncio.run(app_board())
    assert (seen.by_light, seen.by_status, seen.total, seen.items_by_light) == (
        board.by_light,
        board.by_status,
        board.total,
        board.items_by_light,
    )
    assert [(s.done, s.total, s.periods_done, s.periods_total) for s in seen.sections] == [
        (s.done, s.total, s.periods_done, s.periods_total) for s in board.sections
    ]


def test_the_voided_duplicate_does_not_count(engine: Engine, calendar: WorkCalendar) -> None:
    log_2022(engine, calendar)
    with new_session(engine) as session:
        rows = session.exec(
            select(Event)
            .join(Commitment, col(Commitment.id) == Event.commitment_id)
            .where(Commitment.code == "5.5a/2022")
        ).all()
    assert len(rows) == 3 and sum(1 for e in rows if e.voided_on is None) == 2
