"""A realistic 2022 logged on the shipped 2021 ledger, for the annual draft's tests.

On top of tests/test_proof_2022.py's year (screenings every period, two lectures and two
leadership study sessions, one lecture entered twice and voided, the indicators' figures):
the legal-adviser contracts renewed in 21 of the 23 villages, 以考促学 held and done, then
signed off, 以案说法 begun, a reason noted on 推开执法过程全记录, 整改 6.1 extended with
approval, and the minutes of one lecture filed as evidence. Made up for the tests, in the
report's words; nothing of it is in the seed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from test_proof_2022 import OFFICER, item, log_2022

from tracker.db import new_session
from tracker.models import Status
from tracker.schedule import WorkCalendar
from tracker.services.events import log_event
from tracker.services.lookup import now
from tracker.services.signoff import decide_extension, request_extension, verify
from tracker.services.updates import add_note, set_status

RENEWED_VILLAGES = 21  # of 23: two contracts were not renewed in 2022
EXTENSION_REASON = "培训师资未落实，申请延至2023年6月底"
LATE_REASON = "执法记录仪尚未配齐"


def log_year(engine: Engine, calendar: WorkCalendar, files: Path) -> None:
    """The 2022 of the tests (module doc), entered afterwards by an officer (补录)."""
    log_2022(engine, calendar)
    minutes = files / "民法典专题讲座会议记录.txt"
    minutes.write_text("2022年11月8日 民法典专题讲座 会议记录", encoding="utf-8")
    with new_session(engine) as session:

        def log(code: str, day: date, note: str, evidence: list[Path] | None = None) -> None:
            log_event(
                session=session, item=item(session, code), day=day, note=note,
                evidence=evidence or [], user=OFFICER, now=now(), calendar=calendar,
            )  # fmt: skip

        for number in range(1, RENEWED_VILLAGES + 1):
            log(f"3.3b-V{number:02d}", date(2022, 1, 20), "续签法律顾问合同")
        log("7.1a", date(2022, 6, 15), "全镇干部法律知识考试")
        set_status(
            session=session, item=item(session, "7.1a"), status=Status.DONE,
            note="考试已组织，成绩已通报", user=OFFICER, now=now(),
            effective_on=date(2022, 6, 20),
        )  # fmt: skip
        verify(
            session=session, item=item(session, "7.1a"), note="佐证齐全", user=OFFICER,
            now=now(), effective_on=date(2022, 7, 1),
        )  # fmt: skip
        log("7.1b", date(2022, 9, 8), "以身边案例开展警示教育")
        add_note(
            session=session, item=item(session, "1.4c"), text=LATE_REASON, user=OFFICER,
            now=now(), effective_on=date(2022, 10, 12),
        )  # fmt: skip
        request_extension(
            session=session, item=item(session, "6.1"), new_due=date(2023, 6, 30),
            reason=EXTENSION_REASON, user=OFFICER, now=now(), today=now().date(),
            effective_on=date(2022, 11, 20),
        )  # fmt: skip
        decide_extension(
            session=session, item=item(session, "6.1"), approve=True, note="同意",
            user=OFFICER, now=now(), effective_on=date(2022, 11, 25),
        )  # fmt: skip
        session.commit()
    # The minutes of the November lecture, filed with a second record of the day's work.
    with new_session(engine) as session:
        log_event(
            session=session, item=item(session, "2.1"), day=date(2022, 11, 8),
            note="讲座会议记录归档", evidence=[minutes], user=OFFICER, now=now(),
            calendar=calendar,
        )  # fmt: skip
        session.commit()
