"""How values read in the current language: statuses, kinds, lights, villages, names.

Shared by the command line and the terminal app, so both say the same thing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from tracker.i18n import CATALOGS, get_language, t
from tracker.models import Kind
from tracker.schedule import Light

if TYPE_CHECKING:  # the services import these labels: no cycle at run time
    from tracker.services.listing import ItemRow

# Rich styles of the traffic lights, readable on light and dark backgrounds.
LIGHT_STYLE = {
    Light.RED: "bold red",
    Light.YELLOW: "bold yellow",
    Light.GREEN: "green",
    Light.NONE: "dim",
}


def light_label(light: Light) -> str:
    return t(f"light.{light.value}")


def status_label(status: str) -> str:
    return t(f"status.{status}")


def bulk_summary(code: str, logged: int, recorded: int, cancelled: int) -> str:
    """One line on what bulk logging did: periods logged, already recorded, cancelled."""
    counts = {"code": code, "logged": logged, "recorded": recorded}
    if cancelled:
        return t("bulk_logged_cancelled", cancelled=cancelled, **counts)
    return t("bulk_logged", **counts)


def kind_label(kind: str) -> str:
    return t(f"kind.{kind}")


def localized(zh: str | None, en: str | None) -> str:
    """The English text in English when there is one, else the Chinese."""
    if get_language() == "en" and en:
        return en
    return zh or "-"


def village_label(number: int | None, name: str | None) -> str:
    """A village's name, or 村(社区)07 / Village 07 until the town names it."""
    if number is None:
        return "-"
    return name or t("village_placeholder", number=number)


def due_text(
    due: date | None,
    extended: date | None,
    asked: date | None,
    stated: date | None = None,
    *,
    period: bool = False,
) -> str:
    """An item's deadline as the detail shows it: the date the report (or the period) states
    beside it when a rest day moved it, and an extension granted or asked for."""
    if due is None:
        return "-"
    shown = due.isoformat()
    if stated is not None and stated != due:
        key = "detail.due_moved_period" if period else "detail.due_moved"
        shown = t(key, due=shown, stated=stated.isoformat())
    if extended is not None:
        return t("detail.extended", due=shown, to=extended.isoformat())
    if asked is not None:
        return t("detail.extension_asked", due=shown, to=asked.isoformat())
    return shown


def items_text(counts: dict[Light, int]) -> str:
    """The periods and village items behind the commitments, by light."""
    return t(
        "items_by_light",
        red=counts.get(Light.RED, 0),
        yellow=counts.get(Light.YELLOW, 0),
        green=counts.get(Light.GREEN, 0),
        none=counts.get(Light.NONE, 0),
    )


def folded_title(title: str, count: int) -> str:
    """A commitment's title with how many of its periods are late, when they are folded
    into one entry: "矛盾纠纷日排查：逾期 1,221 期"."""
    return title if count == 1 else t("late_periods", title=title, count=f"{count:,}")


def long_date(day: date) -> str:
    """A day written out with its weekday, as an officer checks it against a calendar:
    2022年5月10日 星期二 / Tue 10 May 2022."""
    return t(
        "date.long",
        year=day.year,
        month_name=t(f"date.month.{day.month}"),
        day=day.day,
        weekday=t(f"date.weekday.{day.weekday()}"),
    )


def recorded_at(moment: datetime) -> str:
    """When something was recorded, in this machine's time zone, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def clock_time(moment: datetime) -> str:
    """The time of day something was recorded, in this machine's time zone: 14:03."""
    return moment.astimezone().strftime("%H:%M")


def figure(value: float) -> str:
    """A figure as officers write it: 12 (not 12.0), 97.82, 16000 (never 1.6e+04)."""
    number = float(value)  # an int is a float to the type checker, not to is_integer()
    if number.is_integer():
        return str(int(number))
    return f"{number:.12g}"


def baseline_label(baseline: float | None, text: str | None, measure: str | None) -> str:
    """The 2021 figure as the report states it (15场次, 600余份); in English, the number in
    its measure (15 sessions, over 600 copies), the report's words being Chinese."""
    if baseline is None or (text and get_language() == "zh"):
        return text or "-"
    number = figure(baseline)
    key = f"measure.{measure}"
    if key in CATALOGS[get_language()]:
        amount = t(key, figure=number)
    elif get_language() == "zh":
        amount = f"{number}{measure or ''}"
    else:
        amount = f"{number} {measure}" if measure else number
    # 余 after a number: "more than" (600余份, over 600 copies).
    return t("baseline_over", amount=amount) if text and "余" in text else amount


def progress_label(row: ItemRow) -> str:
    """The progress of a period: an indicator's figure against its 2021 baseline
    (12 / 2021年基数 15场次), a quota's count against its target (1/2), else its count."""
    if row.done_count is None:
        return ""
    if row.kind is Kind.INDICATOR:
        value = figure(row.value) if row.value is not None else "-"
        baseline = baseline_label(row.baseline, row.baseline_text, row.measure)
        return t("indicator_progress", value=value, baseline=baseline)
    return f"{row.done_count}/{row.target}" if row.target else str(row.done_count)
