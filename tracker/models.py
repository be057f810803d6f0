"""The ledger's tables and enums. No queries here: those live in `tracker.services`.

One table, `commitment`, holds both the report's promises and their instances (a period such
as `5.5a/2022`, or a village such as `3.3a-V07`): an instance is a commitment row with a parent.
Keeping them in one table lets every list, filter and page be a single indexed query.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Integer, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from tracker.schedule import Frequency

__all__ = [
    "Commitment",
    "CommitmentLink",
    "CoUnit",
    "Event",
    "Evidence",
    "Frequency",
    "History",
    "HistoryKind",
    "Kind",
    "Person",
    "Account",
    "AccountUnit",
    "AuditEntry",
    "Extension",
    "ExtensionState",
    "Report",
    "Role",
    "Section",
    "Status",
    "Unit",
    "Village",
]


SORT_KEY_TYPE = String(128).with_variant(String(128, collation="C"), "postgresql")


class Kind(StrEnum):
    """What shape a commitment has, which decides how it is scheduled."""

    ONE_OFF = "one_off"
    RECURRING = "recurring"
    QUOTA = "quota"
    PER_VILLAGE = "per_village"
    RECTIFICATION = "rectification"
    INDICATOR = "indicator"


class Status(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"  # claimed by the officer, with evidence
    VERIFIED = "verified"  # signed off by a supervisor (销号)
    BLOCKED = "blocked"
    CANCELLED = "cancelled"

    @property
    def closed(self) -> bool:
        """Done or cancelled: no light, never overdue."""
        return self in CLOSED_STATUSES


CLOSED_STATUSES = frozenset({Status.DONE, Status.VERIFIED, Status.CANCELLED})


class Role(StrEnum):
    """What an account may do (see services.access)."""

    ADMIN = "admin"  # commitments, accounts, the village roster
    SUPERVISOR = "supervisor"  # every unit; deadlines, extensions, sign-off (销号)
    OFFICER = "officer"  # the items of their own units


class ExtensionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class HistoryKind(StrEnum):
    """What a history row records."""

    SEED = "seed"  # the state the report itself states, written when seeding
    STATUS = "status"  # an officer changed the status
    AUTO_STATUS = "auto_status"  # logging an event met a period's target
    NOTE = "note"
    EVENT = "event"
    VILLAGE = "village"  # a village was named or renamed
    EXTENSION = "extension"  # an extension asked for, approved or refused
    VOID = "void"  # an event marked void (作废): it no longer counts


class Report(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(64), unique=True, index=True)
    title: str = Field(sa_type=String(200))
    issuer: str = Field(sa_type=String(200))
    town: str = Field(sa_type=String(64), index=True)
    year: int
    published: date | None = None
    plan_year: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    # Last year for which period instances exist; later years are created on demand.
    instances_through: int | None = None


class Section(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    number: int
    heading: str = Field(sa_type=String(200))
    heading_en: str | None = Field(default=None, sa_type=String(200))
    start: int  # character offsets of the section in the report text
    end: int


class Unit(SQLModel, table=True):
    """A responsible unit (责任单位), e.g. 司法所."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(100), unique=True, index=True)
    name_en: str | None = Field(default=None, sa_type=String(100))


class Person(SQLModel, table=True):
    """Someone who changes the ledger; created the first time they do."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(100), unique=True, index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    title: str | None = Field(default=None, sa_type=String(100))


class Village(SQLModel, table=True):
    """A village or community (村/社区) of a town; numbered, named when the town says so."""

    __table_args__ = (UniqueConstraint("town", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    town: str = Field(sa_type=String(64), index=True)
    number: int
    name: str = Field(sa_type=String(100))
    # Retired (撤并 or added by mistake): its open items cancelled, its history kept.
    retired_on: date | None = None
    retired_reason: str | None = Field(default=None, sa_column=Column(Text))


# The version column of Commitment, named here so the mapper can be told to check it.
_VERSION = Column("version", Integer, nullable=False, server_default=text("1"))


class Commitment(SQLModel, table=True):
    """A promise of the report, or one period's or one village's instance of it."""

    __table_args__ = (
        UniqueConstraint("report_id", "code"),
        Index("ix_commitment_unit_due", "unit_id", "due"),
        Index("ix_commitment_parent_period", "parent_id", "period_start"),
        # The earliest open instance's due date of a commitment (list_filter.effective_due):
        # without it SQLite scans every open row once per commitment with instances.
        Index("ix_commitment_parent_open_due", "parent_id", "status", "due"),
        Index("ix_commitment_report_sort", "report_id", "sort_key"),
        # The open rows by unit and deadline (overdue reviews, lights): on a district's
        # ledger nearly every past period is done, and a review must not read those (issue
        # 15). It holds every column a list of open rows filters on, groups or orders by, so
        # the count of late rows and the ids of a page are read from the index alone
        # (migration 0008 says what each saves).
        Index(
            "ix_commitment_open_rows",
            "status",
            "unit_id",
            "due",
            "parent_id",
            "village_id",
            "period_start",
            "period_end",
            "report_id",
            "sort_key",
            "period_key",
        ),  # fmt: skip
        # The same rows by unit and commitment (services.overdue_scan): a unit's review
        # finds each commitment's oldest late period by one seek, not by reading them all.
        Index(
            "ix_commitment_open_parents",
            "status",
            "unit_id",
            "parent_id",
            "village_id",
            "due",
            "period_start",
            "report_id",
            "sort_key",
        ),  # fmt: skip
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id")
    parent_id: int | None = Field(default=None, foreign_key="commitment.id")
    code: str = Field(sa_type=String(64), index=True)
    # The code with its numbers zero-padded, so that ordering by it is natural (5.10 after 5.9).
    # Compared byte by byte on PostgreSQL too: a locale collation would skip the "-" and "/".
    sort_key: str = Field(sa_type=SORT_KEY_TYPE)
    section: int = Field(index=True)
    item: int | None = None
    title: str = Field(sa_type=String(200))
    title_en: str | None = Field(default=None, sa_type=String(200))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    excerpt: str | None = Field(default=None, sa_column=Column(Text))
    excerpt_start: int | None = None
    excerpt_end: int | None = None
    kind: str = Field(sa_type=String(20), index=True)
    frequency: str | None = Field(default=None, sa_type=String(20))
    target: int | None = None
    # Quota checkpoints as "MM-DD:count" joined by commas, e.g. "06-30:1,12-31:2".
    checkpoints: str | None = Field(default=None, sa_type=String(200))
    baseline: float | None = None
    baseline_text: str | None = Field(default=None, sa_type=String(64))
    measure: str | None = Field(default=None, sa_type=String(20))
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    leader: str | None = Field(default=None, sa_type=String(100))
    start: date | None = None
    due: date | None = Field(default=None, index=True)
    status: str = Field(default=Status.TODO, sa_type=String(20))
    period_key: str | None = Field(default=None, sa_type=String(16))
    period_start: date | None = Field(default=None, index=True)
    period_end: date | None = None
    village_id: int | None = Field(default=None, foreign_key="village.id", index=True)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    # A supervisor's approved extension (延期): the new date the unit works to. Lights and
    # overdue statistics keep counting against `due`, the original deadline.
    extended_due: date | None = None
    # The deadline as the report (or the period) states it, before the working-day rule
    # moved it off a weekend or holiday; shown beside `due`. None where the two agree.
    stated_due: date | None = None
    # Optimistic locking: every UPDATE checks and bumps it, so a change based on a stale
    # read fails instead of overwriting someone else's (see services.updates).
    version: int = Field(default=1, sa_column=_VERSION)

    __mapper_args__ = {"version_id_col": _VERSION}


class CoUnit(SQLModel, table=True):
    """A co-operating unit (配合单位) of a commitment."""

    commitment_id: int = Field(foreign_key="commitment.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class CommitmentLink(SQLModel, table=True):
    """A rectification item (整改) and a measure meant to fix it."""

    rectification_id: int = Field(foreign_key="commitment.id", primary_key=True)
    measure_id: int = Field(foreign_key="commitment.id", primary_key=True)


class Event(SQLModel, table=True):
    """Something that happened on a date: a lecture held, a monthly analysis done."""

    __table_args__ = (
        Index("ix_event_commitment_day", "commitment_id", "happened_on"),
        # What happened, or was voided, after a past day (services.asof.changed_after).
        Index("ix_event_day", "happened_on"),
        Index("ix_event_voided", "voided_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id")
    happened_on: date
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    value: float | None = None  # an indicator's figure for the year
    recorded_by: str = Field(sa_type=String(100))
    recorded_at: datetime
    # A void (作废) corrects a mistake without deleting it: from `voided_on` (its effective
    # date) the event no longer counts; it stays listed, struck through, with who and why.
    voided_on: date | None = None
    voided_by: str | None = Field(default=None, sa_type=String(100))
    voided_at: datetime | None = None
    void_reason: str | None = Field(default=None, sa_column=Column(Text))


class Evidence(SQLModel, table=True):
    """A file that proves an event (佐证材料): where it was, and its fingerprint."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    path: str = Field(sa_type=String(1024))
    sha256: str = Field(sa_type=String(64))
    size: int


class History(SQLModel, table=True):
    """One change, kept for ever: who, when, old -> new, and why (留痕).

    `effective_on` is the day the change took effect (today, or earlier for a late entry,
    补录); `changed_at` is when it was recorded. `--as-of D` replays the rows effective on or
    before D.
    """

    __table_args__ = (
        Index("ix_history_commitment_effective", "commitment_id", "effective_on"),
        # What took effect after a past day (services.asof.changed_after): a range scan.
        Index("ix_history_effective", "effective_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int | None = Field(default=None, foreign_key="commitment.id", index=True)
    village_id: int | None = Field(default=None, foreign_key="village.id", index=True)
    kind: str = Field(sa_type=String(20))
    old: str | None = Field(default=None, sa_type=String(200))
    new: str | None = Field(default=None, sa_type=String(200))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    changed_by: str = Field(sa_type=String(100))
    changed_at: datetime
    effective_on: date


class Account(SQLModel, table=True):
    """Someone allowed to change the ledger, and how far (a name without one may only read).

    The name is what --user / TRACKER_USER / the login gives on SQLite, and the database
    login on PostgreSQL.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(100), unique=True, index=True)
    role: str = Field(sa_type=String(20))
    created_by: str = Field(sa_type=String(100))
    created_at: datetime
    # A disabled account may read but change nothing; kept, not deleted, for the history.
    disabled_at: datetime | None = None
    disabled_by: str | None = Field(default=None, sa_type=String(100))
    disabled_reason: str | None = Field(default=None, sa_column=Column(Text))
    # Signing in to `tracker serve` on a SQLite ledger: an argon2id hash
    # (services.passwords), kept out of repr so that it never reaches a log or traceback.
    # Always NULL on PostgreSQL, where the database login's own password signs in.
    password_hash: str | None = Field(default=None, sa_column=Column(Text), repr=False)
    password_set_at: datetime | None = None


class AccountUnit(SQLModel, table=True):
    """A unit whose items an officer may change."""

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class Extension(SQLModel, table=True):
    """An extension request (延期申请): filed before the deadline, decided by a supervisor."""

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    old_due: date
    new_due: date
    reason: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default=ExtensionState.PENDING, sa_type=String(20))
    requested_by: str = Field(sa_type=String(100))
    requested_at: datetime
    decided_by: str | None = Field(default=None, sa_type=String(100))
    decided_at: datetime | None = None
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False))


class AuditEntry(SQLModel, table=True):
    """One change in the tamper-evident log: a hash chain (services.audit).

    `hash` is SHA-256 over the previous entry's hash and this entry's own content, so
    editing, deleting or reordering any entry breaks every link after it.
    """

    __tablename__ = "audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str = Field(sa_type=String(100))
    action: str = Field(sa_type=String(40))
    target: str = Field(sa_type=String(200), index=True)
    detail: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    prev_hash: str = Field(sa_type=String(64))
    hash: str = Field(sa_type=String(64), unique=True)
