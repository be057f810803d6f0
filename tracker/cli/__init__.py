"""The officers' command line. Textual is imported only by the command that opens the app."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Any

import typer
from sqlalchemy.exc import SQLAlchemyError
from typer.completion import completion_init  # type: ignore[attr-defined]
from typer.core import TyperGroup

from tracker import __version__
from tracker.cli.context import DATE_METAVAR, AppState, date_help, fail, parse_as_of
from tracker.cli.global_options import hoist_global_options, option_arity, subcommand_index
from tracker.config import load_settings
from tracker.errors import TrackerError, printable
from tracker.i18n import get_language, normalize_language, set_language, t
from tracker.work import refusal_of


def _early_language(args: Sequence[str], group: Any) -> None:
    """Pick the language before parsing, so that even usage errors are in it: the last
    --lang among the global options (moved before the subcommand by hoist_global_options,
    so a --lang typed after it counts, and a note that reads "--lang" does not)."""
    chosen = os.environ.get("TRACKER_LANG")
    prefix = args[: subcommand_index(args, option_arity(group))]
    for index, arg in enumerate(prefix):
        if arg == "--lang" and index + 1 < len(prefix):
            chosen = prefix[index + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
    set_language(normalize_language(chosen) or "zh")


def usage_message(exc: typer.TyperException) -> str:
    """One line for a usage error, in the current language.

    Typer vendors click and exposes only the base class of its usage errors publicly,
    so the kinds are told apart by name rather than by importing private classes.
    """
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    opts = getattr(param, "opts", None) or []
    if kind == "NoSuchOption":
        return t("usage_no_such_option", option=getattr(exc, "option_name", ""))
    name = opts[0] if opts else getattr(param, "name", "") or ""
    # Arguments are shown as CODE; options as typed (--date), since --DATE would not work.
    name = name if name.startswith("-") else name.upper()
    if kind == "MissingParameter" and param is not None:
        return t("usage_missing", param=name)
    if kind == "BadParameter":
        # The parameter's Python type, where this Typer version exposes it; the generic
        # message (with Typer's English detail) remains for anything else.
        annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            choices = " | ".join(str(member.value) for member in annotation)
            return t("usage_bad_choice", param=name, choices=choices)
        # Typer's words for a number past an option's min or max.
        bound = re.search(
            r"should be (?P<side>less|greater) than (?:or equal to )?(?P<limit>\S+)", exc.message
        )
        if bound:
            key = "usage_at_most" if bound["side"] == "less" else "usage_at_least"
            return t(key, param=name, limit=bound["limit"])
        if annotation is int:
            return t("usage_not_integer", param=name)
        if annotation is float or "number" in exc.message or "float" in exc.message:
            return t("usage_not_number", param=name)
        return _in_language(t("usage_bad_value", param=name, detail=exc.message), name)
    text = exc.format_message()
    unknown = _NO_SUCH_COMMAND.match(text)
    if unknown:
        message = t("usage_no_such_command", command=unknown["command"])
        if unknown["suggestion"]:
            message += t("usage_did_you_mean", suggestion=unknown["suggestion"])
        return message
    for pattern, key in _USAGE_PATTERNS:
        found = pattern.match(text)
        if found:
            return t(key, **found.groupdict())
    return _in_language(t("usage_error", detail=text), "")


# Click's other usage errors, by their English text, with the line that says the same.
_USAGE_PATTERNS = (
    (
        re.compile(r"Option '(?P<option>[^']*)' requires an? (?:argument|\d+ arguments)"),
        "usage_needs_value",
    ),
    (re.compile(r"Option '(?P<option>[^']*)' does not take a value"), "usage_takes_no_value"),
    (
        re.compile(r"Got unexpected extra arguments?(?:\(s\))? \((?P<args>.*)\)"),
        "usage_extra_arguments",
    ),
    (re.compile(r"Missing command"), "usage_missing_command"),
)


def _in_language(message: str, param: str) -> str:
    """`message` as it is in English, which carries Click's own detail; in Chinese, a line
    without it (Click's words are English): what is wrong, where, and where to look."""
    if get_language() == "en":
        return message
    return t("usage_unclear", param=param) if param else t("usage_unclear_plain")


def one_line(message: str) -> str:
    """`message` with what the user typed made printable: `show $'a\\nb'` is one line."""
    return printable(message)


# Click's wording, e.g. "No such command 'lst'. Did you mean 'list'?"
_NO_SUCH_COMMAND = re.compile(
    r"No such command '(?P<command>[^']*)'\.(?: Did you mean '(?P<suggestion>[^']*)'\?)?"
)


class TrackerGroup(TyperGroup):
    """Turns every failure into one line on stderr: exit 1 for bad input, 2 for usage."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = hoist_global_options(self, sys.argv[1:] if args is None else args)
        _early_language(argv, self)
        try:
            result = super().main(
                args=argv,
                prog_name=prog_name or "tracker",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except (TrackerError, SQLAlchemyError, OverflowError, UnicodeEncodeError) as exc:
            # What the ledger refused or could not do, in one line (tracker.work, as the
            # app says it): a race lost outside any unit of work that would have said so
            # itself, a refusal by the database, a number or text it cannot take.
            known = refusal_of(exc)
            if known is None:
                raise
            fail(one_line(known.message()), 1)
        except typer.Abort:
            fail(t("aborted"), 1)
        except typer.TyperException as exc:
            code = getattr(exc, "exit_code", 1)
            fail(one_line(usage_message(exc) if code == 2 else exc.format_message()), code)
        code = result if isinstance(result, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=TrackerGroup,
    name="tracker",
    help="保和镇法治政府建设年度报告 承诺事项台账 / Commitment ledger of a rule-of-law report",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Shell completion (`eval "$(_TRACKER_COMPLETE=source_bash tracker)"`, or zsh, fish): the
# shells are registered here rather than by Typer's --install-completion options, whose help
# is English only. (typer.completion imports completion_init without re-exporting it.)
completion_init()


def _version(value: bool) -> None:
    if value:
        print(f"tracker {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL|PATH",
            help="数据库 URL 或 SQLite 文件路径 / database URL or SQLite path",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", metavar="NAME", help="记录在每次修改上的用户名 / who makes changes"),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", metavar="zh|en", help="界面语言 / language")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar=DATE_METAVAR, help=date_help("按此日期查看 / view as of")),
    ] = None,
    warn_days: Annotated[
        int | None,
        typer.Option(
            "--warn-days", metavar="N", help="到期前几个工作日亮黄灯 / yellow N working days ahead"
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option("--report", metavar="SLUG", help="报告标识，如 baohe-2021 / report slug"),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="版本 / version")
    ] = False,
) -> None:
    """保和镇法治政府建设承诺事项台账。不带命令时显示总览。"""
    settings = load_settings(db=db, user=user, lang=lang, warn_days=warn_days)
    set_language(settings.lang)
    state = AppState(settings=settings, report=report)
    if as_of is not None:
        state.as_of = parse_as_of(as_of)
    ctx.obj = state
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from tracker.cli.context import open_app

            open_app(state)
        else:
            # Piped or scripted: print the overview instead of drawing the app.
            from tracker.cli.review import show_summary

            show_summary(state, None)


def _register() -> None:
    from tracker.cli import (
        admin,
        annual,
        audit,
        corrections,
        database,
        draft_review,
        evidence,
        importing,
        items,
        maintenance,
        report,
        review,
        serve,
        supervision,
    )

    items.register(app)
    corrections.register(app)
    review.register(app)
    admin.register(app)
    report.register(app)
    database.register(app)
    supervision.register(app)
    maintenance.register(app)
    evidence.register(app)
    audit.register(app)
    importing.register(app)
    draft_review.register(app)
    annual.register(app)
    serve.register(app)


_register()


def main() -> None:
    """Entry point of the `tracker` console script."""
    app()
