"""Commands on commitments: list, show, status, log, note."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from tracker.cli.context import (
    DATE_METAVAR,
    AppState,
    EffectiveDate,
    date_help,
    fail,
    late_text,
    ledger,
    out,
    parse_as_of,
    parse_date,
    parse_effective,
    unit_of_work,
)
from tracker.cli.exports import check_list_out, text_renderer, write_listing, write_texts
from tracker.cli.render import detail_view, light_text, row_table
from tracker.errors import TrackerError, printable_json
from tracker.i18n import t
from tracker.labels import bulk_summary, clock_time, progress_label, status_label
from tracker.models import Commitment, Status
from tracker.schedule import Light
from tracker.services.bulk import BulkResult, log_range
from tracker.services.detail import item_detail
from tracker.services.events import LoggedEvent, log_event
from tracker.services.list_filter import ListFilter, require_kind
from tracker.services.listing import list_items, row_of, stream_items
from tracker.services.lookup import get_commitment, now
from tracker.services.updates import add_note, parse_status, set_status, status_of
from tracker.work import Ledger

# Rows a table shows unless --limit says otherwise; json and csv give every row.
# A screenful or two: more is better read with --limit 0 through a pager or as csv.
TABLE_LIMIT = 50

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", metavar=DATE_METAVAR, help=date_help("按此日期查看 / view as of")),
]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class DetailFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def _as_of(state: AppState, value: str | None) -> date | None:
    return parse_as_of(value) if value is not None else state.as_of


def _print_json(data: Any) -> None:
    sys.stdout.write(printable_json(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def list_command(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="所有期次 / every instance")] = False,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", metavar="STATUS", help="状态（可重复）/ status (repeatable)"),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", metavar="UNIT", help="牵头或配合单位 / lead or co-operating unit"),
    ] = None,
    section: Annotated[
        int | None, typer.Option("--section", metavar="N", help="部分 1–7 / section")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", metavar="KIND", help="类型 / kind")] = None,
    village: Annotated[
        str | None, typer.Option("--village", metavar="N|NAME", help="村(社区)编号或名称 / village")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只看逾期 / overdue only")] = False,
    due_within: Annotated[
        int | None,
        typer.Option(
            "--due-within", metavar="DAYS", help="N 个工作日内到期 / due within N working days"
        ),
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", metavar="TEXT", help="搜索 / search text")
    ] = None,
    as_of: AsOf = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="table | json | csv | xlsx")
    ] = Format.TABLE,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", help="写入文件（xlsx 必填）/ file to write (xlsx: required)"
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", metavar="N", help=f"最多显示行数（表格默认 {TABLE_LIMIT}，0 为全部）"
        ),
    ] = None,
) -> None:
    """列出承诺事项及当期期次 / list commitments and their current periods."""
    state: AppState = ctx.obj
    if due_within is not None and due_within < 0:
        raise TrackerError("due_within_invalid", value=due_within)
    flt = ListFilter(
        show_all=show_all,
        statuses=[parse_status(s) for s in status or []],
        unit=unit,
        section=section,
        kind=require_kind(kind) if kind else None,
        village=village,
        overdue=overdue,
        due_within=due_within,
        search=search,
        report=state.report,
    )
    check_list_out(fmt, out_path)
    if limit is None:
        limit = TABLE_LIMIT if fmt is Format.TABLE else 0
    with ledger(state, _as_of(state, as_of)) as led:
        if fmt is not Format.TABLE:
            # Written as read, inside the session: the list is never held whole.
            render = text_renderer(fmt.value)
            if render is not None:
                batches = stream_items(
                    session=led.session,
                    flt=flt,
                    deadlines=led.deadlines,
                    limit=limit or None,
                    render=render,
                )
                write_texts(fmt.value, batches, out_path)
                return
            rows = stream_items(
                session=led.session, flt=flt, deadlines=led.deadlines, limit=limit or None
            )
            write_listing(fmt.value, rows, out_path)
            return
        page = list_items(
            session=led.session, flt=flt, deadlines=led.deadlines, limit=limit or None
        )
    console = out()
    console.print(row_table(page.rows))
    shown = len(page.rows)
    if shown < page.total:
        console.print(t("list_truncated", shown=shown, total=page.total))
    else:
        console.print(t("list_count", total=page.total))


def show_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="编号，如 5.5a 或 5.5a/2022 / code")],
    as_of: AsOf = None,
    fmt: Annotated[
        DetailFormat, typer.Option("--format", help="table | json")
    ] = DetailFormat.TABLE,
) -> None:
    """显示一个事项的全部情况 / show one item in full."""
    state: AppState = ctx.obj
    with ledger(state, _as_of(state, as_of)) as led:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        detail = item_detail(session=led.session, item=item, deadlines=led.deadlines)
    if fmt is DetailFormat.JSON:
        _print_json(detail.as_json())
    else:
        out().print(detail_view(detail))


def status_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="编号 / code")],
    status: Annotated[
        str,
        typer.Argument(
            help="todo|in_progress|done|blocked|cancelled 或 未开始|进行中|已完成|受阻|已取消"
        ),
    ],
    note: Annotated[str, typer.Option("--note", metavar="TEXT", help="说明 / note")] = "",
    effective: EffectiveDate = None,
    as_of: AsOf = None,
) -> None:
    """更改状态 / change an item's status."""
    state: AppState = ctx.obj
    new = parse_status(status)
    day = parse_effective(effective, _as_of(state, as_of))

    def change(led: Ledger) -> tuple[Commitment, date | None, Status, bool, Light]:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        when = led.effective_on(day)
        old = status_of(led.session, item, when or now().date())
        changed = set_status(
            session=led.session,
            item=item,
            status=new,
            note=note,
            user=led.user,
            now=now(),
            effective_on=when,
        )
        return item, when, old, changed, led.deadlines.light(item.due, item.status)

    item, when, old, changed, light = unit_of_work(state, change, _as_of(state, as_of))
    console = out()
    if not changed:
        console.print(t("status_unchanged", code=item.code, new=status_label(new)))
        return
    line = t("status_changed", code=item.code, old=status_label(old), new=status_label(new))
    console.print(line, late_text(when, typed=day is not None), light_text(light))


def log_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="编号 / code")],
    day: Annotated[
        str | None,
        typer.Option("--date", metavar=DATE_METAVAR, help=date_help("发生日期 / when it happened")),
    ] = None,
    note: Annotated[
        str, typer.Option("--note", metavar="TEXT", help="说明，如会议纪要 / note")
    ] = "",
    evidence: Annotated[
        list[Path] | None,
        typer.Option(
            "--evidence", metavar="FILE", help="佐证材料文件（可重复）/ evidence file (repeatable)"
        ),
    ] = None,
    value: Annotated[
        float | None, typer.Option("--value", help="指标数值 / an indicator's figure")
    ] = None,
    again: Annotated[
        bool,
        typer.Option(
            "--again", help="同日同样的记录确实又发生了一次 / it really happened twice that day"
        ),
    ] = False,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar=DATE_METAVAR,
            help=date_help("批量记录周期性事项：起 / bulk: first day"),
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to", metavar=DATE_METAVAR, help=date_help("批量记录周期性事项：止 / bulk: last day")
        ),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """记录一次发生的事（如一次讲座），或用 --from/--to 批量记录周期性事项各期
    / log what happened on a date, or every period of a recurring duty in a range."""
    state: AppState = ctx.obj
    if start is not None or end is not None:
        if day is not None:
            raise TrackerError("bulk_range_with_date")
        if start is None or end is None:
            raise TrackerError("bulk_range_incomplete")
        viewed = _as_of(state, as_of)
        first, last = parse_date(start, "--from", viewed), parse_date(end, "--to", viewed)
        _log_range(state, code, first, last, note, list(evidence or []), value, as_of)
        return
    if day is None:
        fail(t("usage_missing", param="--date"), 2)
        return
    happened = parse_date(day, "--date", _as_of(state, as_of))
    files = len(evidence or [])

    def record(led: Ledger) -> tuple[LoggedEvent, Light, str]:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        logged = log_event(
            session=led.session,
            item=item,
            day=happened,
            note=note,
            evidence=list(evidence or []),
            value=value,
            user=led.user,
            now=now(),
            calendar=led.deadlines.calendar,
            again=again,
        )
        target = logged.item
        assert target.id is not None
        row = row_of(session=led.session, item_id=target.id, deadlines=led.deadlines)
        return logged, led.deadlines.light(target.due, target.status), progress_label(row)

    logged, light, shown = unit_of_work(state, record, _as_of(state, as_of))
    target = logged.item
    console = out()
    if logged.repeated:
        # The same command, run moments ago, was recorded but its answer lost (killed).
        at = clock_time(logged.event.recorded_at)
        date_ = happened.isoformat()
        console.print(t("event_repeated", code=target.code, date=date_, at=at, id=logged.event.id))
    else:
        console.print(t("event_logged", code=target.code, date=happened.isoformat(), files=files))
    if logged.done_count is not None:
        console.print(t("event_progress", progress=shown, status=status_label(target.status)))
    if logged.status_changed is not None:
        old, new = logged.status_changed
        console.print(
            t("status_changed", code=target.code, old=status_label(old), new=status_label(new))
        )
    console.print(light_text(light))


def _log_range(
    state: AppState,
    code: str,
    start: date,
    end: date,
    note: str,
    evidence: list[Path],
    value: float | None,
    as_of: str | None,
) -> None:
    """`log CODE --from --to`: every period of a recurring duty in the range with no record."""

    def record(led: Ledger) -> BulkResult:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        return log_range(
            session=led.session,
            item=item,
            start=start,
            end=end,
            note=note,
            evidence=evidence,
            value=value,
            user=led.user,
            now=now(),
            calendar=led.deadlines.calendar,
        )

    result = unit_of_work(state, record, _as_of(state, as_of))
    summary = bulk_summary(result.code, len(result.logged), result.recorded, result.cancelled)
    out().print(summary + t("date.range_used", start=start.isoformat(), end=end.isoformat()))


def note_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="编号 / code")],
    text: Annotated[str, typer.Argument(help="备注内容 / the note")],
    effective: EffectiveDate = None,
    as_of: AsOf = None,
) -> None:
    """添加备注（保留原有备注）/ add a note; earlier notes are kept."""
    state: AppState = ctx.obj
    day = parse_effective(effective, _as_of(state, as_of))

    def append(led: Ledger) -> tuple[Commitment, date | None]:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        when = led.effective_on(day)
        add_note(
            session=led.session,
            item=item,
            text=text,
            user=led.user,
            now=now(),
            effective_on=when,
        )
        return item, when

    item, when = unit_of_work(state, append, _as_of(state, as_of))
    out().print(t("note_added", code=item.code), late_text(when, typed=day is not None))


def register(app: typer.Typer) -> None:
    app.command("list")(list_command)
    app.command("show")(show_command)
    app.command("status")(status_command)
    app.command("log")(log_command)
    app.command("note")(note_command)
