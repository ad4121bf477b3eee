"""The Logs Insights query language, the subset lamina runs: reading a query into commands.

Syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
Commands, joined by ``|``: ``fields``, ``display``, ``filter``, ``stats ... by ...``, ``sort``,
``limit``, ``parse``. Expressions: literals, fields (``@message``, ``a.b``, `` `odd name` ``),
arithmetic, comparisons, ``and``/``or``/``not``, ``like "text"`` / ``like /regex/``, ``=~``,
``in [...]`` and the functions in ``FUNCTIONS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lamina.services.logs.insights_expressions import Expr, QuerySyntaxError, Row, parse_expression

__all__ = ["Aggregate", "Command", "QuerySyntaxError", "Row", "parse_query", "split_commands"]


@dataclass
class Aggregate:
    function: str
    argument: Expr | None  # None for count(*)
    extra: float | None = None  # pct's percentile
    name: str = ""


@dataclass
class Command:
    kind: str
    # fields/display: [(name, expr)]; filter: expr; sort: [(expr, name, descending)]; limit: n
    items: list[Any] = field(default_factory=list)
    expr: Expr | None = None
    limit: int = 0
    aggregates: list[Aggregate] = field(default_factory=list)
    groups: list[tuple[str, Expr]] = field(default_factory=list)
    source: Expr | None = None  # parse's input field
    pattern: re.Pattern[str] | None = None
    names: list[str] = field(default_factory=list)


def split_commands(query: str) -> list[str]:
    """Split at ``|`` outside quotes and regexes."""
    parts, current, quote = [], [], ""
    for char in query:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "\"'`" or (char == "/" and re.search(r"(like|=~)\s*$", "".join(current), re.I)):
            quote = char
            current.append(char)
        elif char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_query(query: str) -> list[Command]:
    lines = [line for line in query.splitlines() if not line.strip().startswith("#")]
    commands = []
    for text in split_commands("\n".join(lines)):
        keyword, _, rest = text.partition(" ")
        keyword = keyword.strip().lower()
        rest = rest.strip()
        if keyword in ("fields", "display"):
            commands.append(Command(keyword, items=_named_list(rest)))
        elif keyword == "filter":
            commands.append(Command("filter", expr=parse_expression(rest)))
        elif keyword == "stats":
            commands.append(_stats(rest))
        elif keyword == "sort":
            commands.append(Command("sort", items=_sort_keys(rest)))
        elif keyword == "limit":
            if not rest.isdigit():
                raise QuerySyntaxError(f"limit takes a number, not {rest!r}")
            commands.append(Command("limit", limit=int(rest)))
        elif keyword == "parse":
            commands.append(_parse_command(rest))
        else:
            raise QuerySyntaxError(f"unknown command {keyword!r}")
    return commands


def _split_top(text: str, separator: str = ",") -> list[str]:
    parts, depth, current, quote = [], 0, [], ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _alias(text: str) -> tuple[str, str | None]:
    match = re.match(r"^(.*?)\s+as\s+(@?[A-Za-z_][A-Za-z0-9_.@\-]*|`[^`]+`)\s*$", text, re.IGNORECASE | re.DOTALL)
    if match:
        return match.group(1).strip(), match.group(2).strip("`")
    return text, None


def _named_list(text: str) -> list[tuple[str, Expr]]:
    items = []
    for part in _split_top(text):
        source, alias = _alias(part)
        items.append((alias or source.strip().strip("`"), parse_expression(source)))
    return items


def _sort_keys(text: str) -> list[tuple[Expr, str, bool]]:
    keys = []
    for part in _split_top(text):
        words = part.split()
        descending = len(words) > 1 and words[-1].lower() == "desc"
        if len(words) > 1 and words[-1].lower() in ("asc", "desc"):
            part = part.rsplit(None, 1)[0]
        keys.append((parse_expression(part), part.strip().strip("`"), descending))
    return keys


_AGGREGATES = ("count", "count_distinct", "sum", "avg", "min", "max", "pct", "stddev", "earliest", "latest")


def _stats(text: str) -> Command:
    body, by = text, ""
    match = re.search(r"\s+by\s+", text, re.IGNORECASE)
    if match:
        body, by = text[:match.start()], text[match.end():]
    command = Command("stats")
    for part in _split_top(body):
        source, alias = _alias(part)
        call = re.match(r"^\s*([a-z_]+)\s*\((.*)\)\s*$", source, re.IGNORECASE | re.DOTALL)
        if not call or call.group(1).lower() not in _AGGREGATES:
            raise QuerySyntaxError(f"stats needs an aggregation function such as count(*), not {source!r}")
        function, inner = call.group(1).lower(), call.group(2).strip()
        arguments = _split_top(inner)
        extra = None
        if function == "pct":
            if len(arguments) != 2:
                raise QuerySyntaxError("pct takes a field and a percentile, e.g. pct(@duration, 95)")
            extra = float(arguments[1])
        argument = None if inner in ("*", "") else parse_expression(arguments[0])
        command.aggregates.append(Aggregate(function, argument, extra, alias or source.strip()))
    for part in _split_top(by):
        source, alias = _alias(part)
        command.groups.append((alias or source.strip().strip("`"), parse_expression(source)))
    return command


def _parse_command(text: str) -> Command:
    match = re.match(r"^(\S+)\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|/(?:[^/\\]|\\.)+/)\s*(?:as\s+(.+))?$",
                     text.strip(), re.IGNORECASE | re.DOTALL)
    if not match:
        raise QuerySyntaxError("parse takes a field, then a \"glob * pattern\" as names, or a /regex/")
    source = parse_expression(match.group(1))
    pattern_text = match.group(2)
    if pattern_text.startswith("/"):
        pattern = re.compile(re.sub(r"\(\?<(\w+)>", r"(?P<\1>", pattern_text[1:-1]))
        return Command("parse", source=source, pattern=pattern, names=list(pattern.groupindex))
    names = [n.strip() for n in (match.group(3) or "").split(",") if n.strip()]
    glob = pattern_text[1:-1]
    if glob.count("*") != len(names):
        raise QuerySyntaxError(f"parse: the pattern has {glob.count('*')} wildcards but {len(names)} names")
    regex = ".*?".join(re.escape(piece) for piece in glob.split("*"))
    regex = re.sub(r"\.\*\?", "(.*?)", regex)
    if glob.endswith("*"):
        regex = regex[:-len("(.*?)")] + "(.*)"
    return Command("parse", source=source, pattern=re.compile(regex, re.DOTALL), names=names)
