"""Global options where people put them: `tracker report --lang en` as well as
`tracker --lang en report`.

Click reads an option only on the command that declares it, so the global options typed
after the subcommand are moved in front of it before click parses the line. The walk reads
the line as click will: the options of each command it passes through, and the values they
take, so that a value that looks like a global option (`--note "--lang"`) stays the value
it is; nothing after `--` is touched; and a subcommand that declares an option of the same
name itself (`list --as-of`) keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def option_arity(command: Any) -> dict[str, int]:
    """How many values each option of `command` takes, by every name it is typed as: 0 for
    a flag, 1 for --db URL. (Duck-typed on click's Parameter: Typer vendors click.)"""
    arity: dict[str, int] = {}
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") != "option":
            continue
        takes = 0 if getattr(param, "is_flag", False) or getattr(param, "count", False) else 1
        takes *= max(int(getattr(param, "nargs", 1) or 1), 1)
        for name in [*param.opts, *getattr(param, "secondary_opts", [])]:
            arity[name] = takes
    return arity


def _is_option(token: str) -> bool:
    return token.startswith("-") and token != "-"


def _taken(token: str, arity: Mapping[str, int]) -> int:
    """How many of the tokens after the option `token` are its values (none when it is
    written with its value, --db=x)."""
    return 0 if "=" in token else arity.get(token, 0)


def subcommand_index(args: Sequence[str], arity: Mapping[str, int]) -> int:
    """Where the subcommand's name is in `args`: after the group's own options and their
    values; len(args) when there is none (or `--` comes first)."""
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":
            return len(args)
        if not _is_option(token):
            return index
        index += 1 + _taken(token, arity)
    return len(args)


def hoist_global_options(group: Any, args: Sequence[str]) -> list[str]:
    """`args` with the global options (those of `group` that take a value) typed after the
    subcommand moved in front of it, in the order typed (so the last still wins)."""
    group_arity = option_arity(group)
    movable = {name: n for name, n in group_arity.items() if n > 0}
    start = subcommand_index(args, group_arity)
    if start >= len(args):
        return list(args)
    # An unknown command (click says so) has no options of its own: its --lang still moves,
    # so that the refusal is in the language asked for.
    command = getattr(group, "commands", {}).get(args[start])
    moved: list[str] = []
    kept: list[str] = [args[start]]
    index = start + 1
    while index < len(args):
        token = args[index]
        if token == "--":
            kept.extend(args[index:])
            break
        if not _is_option(token):
            # In a group (villages, users…), the first word names its subcommand, whose
            # options are read from there on.
            subcommands = getattr(command, "commands", None)
            if subcommands and token in subcommands:
                command = subcommands[token]
            kept.append(token)
            index += 1
            continue
        name = token.split("=", 1)[0]
        own = option_arity(command)
        if name in own or name not in movable:
            # The command's own option (with its values), or one click will refuse.
            taken = _taken(token, own)
            kept.extend(args[index : index + 1 + taken])
            index += 1 + taken
            continue
        taken = _taken(token, movable)
        moved.extend(args[index : index + 1 + taken])
        index += 1 + taken
    return [*args[:start], *moved, *kept]
