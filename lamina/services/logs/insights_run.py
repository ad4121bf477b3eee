"""Running a Logs Insights query over log events: discovered fields, then the commands in order.

Discovered fields (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html):
``@timestamp``, ``@message``, ``@logStream``, ``@log``, ``@ingestionTime``; the members of JSON
events (nested ones joined with dots); and for Lambda's platform lines ``@type``, ``@requestId``,
and from REPORT lines ``@duration``, ``@billedDuration``, ``@memorySize``, ``@maxMemoryUsed``,
``@initDuration`` (milliseconds and megabytes, as numbers).
"""

from __future__ import annotations

import math
import re
import statistics
import time
from typing import Any, Iterable

import orjson

from lamina.services.logs.insights_syntax import Aggregate, Command, Row

_PLATFORM = re.compile(r"^(START|END|REPORT) RequestId: (\S+)")
_REPORT_FIELDS = {"Duration": "@duration", "Billed Duration": "@billedDuration", "Memory Size": "@memorySize",
                  "Max Memory Used": "@maxMemoryUsed", "Init Duration": "@initDuration"}
_REPORT_FIGURE = re.compile(r"(Duration|Billed Duration|Memory Size|Max Memory Used|Init Duration): ([\d.]+)")
TIME_FIELDS = ("@timestamp", "@ingestionTime")


def row_of(ts: int, ingested: int, message: str, stream: str, log: str, ptr: str) -> Row:
    text = message.rstrip("\n")
    row: Row = {"@timestamp": ts, "@message": text, "@logStream": stream, "@log": log,
                "@ingestionTime": ingested, "@ptr": ptr}
    platform = _PLATFORM.match(text)
    if platform:
        row["@type"], row["@requestId"] = platform.groups()
        if row["@type"] == "REPORT":
            for name, figure in _REPORT_FIGURE.findall(text):
                row[_REPORT_FIELDS[name]] = float(figure)
    elif text.startswith("{"):
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError:
            document = None
        if isinstance(document, dict):
            _flatten(document, "", row)
    return row


def _flatten(document: dict[str, Any], prefix: str, row: Row) -> None:
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", row)
        elif name not in row:
            row[name] = value


def run(commands: list[Command], rows: Iterable[Row], limit: int) -> tuple[list[list[dict[str, str]]], int]:
    """The result rows as GetQueryResults returns them, and how many events matched the filters."""
    current: list[Row] = list(rows)
    shown: list[str] | None = None
    has_sort = any(c.kind == "sort" for c in commands)
    aggregated = False
    matched = len(current)  # events that passed every filter (GetQueryResults' recordsMatched)
    for command in commands:
        if command.kind == "filter":
            current = [r for r in current if command.expr(r)]  # type: ignore[misc]
            if not aggregated:
                matched = len(current)
        elif command.kind == "parse":
            current = [_parse(command, r) for r in current]
        elif command.kind in ("fields", "display"):
            for r in current:
                for name, expr in command.items:
                    r[name] = expr(r)
            names = [name for name, _ in command.items]
            shown = names if command.kind == "display" or shown is None else shown + names
        elif command.kind == "stats":
            current, shown = _stats(command, current)
            aggregated = True
        elif command.kind == "sort":
            for expr, _, descending in reversed(command.items):
                current.sort(key=lambda r, e=expr: _sort_key(e(r)), reverse=descending)
        elif command.kind == "limit":
            current = current[:command.limit]
    if not has_sort and not aggregated:
        current.sort(key=lambda r: r.get("@timestamp", 0), reverse=True)
    current = current[:limit]
    return [_result_row(r, shown, aggregated) for r in current], matched


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value)
    return (2, str(value))


def _parse(command: Command, row: Row) -> Row:
    source = command.source(row) if command.source else None  # type: ignore[misc]
    if source is None or command.pattern is None:
        return row
    found = command.pattern.search(str(source))
    if found:
        for index, name in enumerate(command.names):
            value = found.group(name) if name in command.pattern.groupindex else found.group(index + 1)
            row[name] = _maybe_number(value)
    return row


def _maybe_number(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return float(value) if "." in value or "e" in value.lower() else int(value)
    except ValueError:
        return value


def _stats(command: Command, rows: list[Row]) -> tuple[list[Row], list[str]]:
    buckets: dict[tuple, list[Row]] = {}
    for row in rows:
        key = tuple(expr(row) for _, expr in command.groups)
        buckets.setdefault(key, []).append(row)
    if not command.groups and not buckets:
        buckets[()] = []
    out: list[Row] = []
    for key in sorted(buckets, key=lambda k: tuple(_sort_key(v) for v in k)):
        members = buckets[key]
        result: Row = {name: value for (name, _), value in zip(command.groups, key)}
        for aggregate in command.aggregates:
            result[aggregate.name] = _aggregate(aggregate, members)
        out.append(result)
    names = [name for name, _ in command.groups] + [a.name for a in command.aggregates]
    for name, expr in command.groups:
        if getattr(expr, "__qualname__", "").startswith("_bin"):
            for r in out:
                r[name] = _Timestamp(r[name])
    return out, names


class _Timestamp(int):
    """A bin's start, shown as a date like @timestamp."""


def _aggregate(aggregate: Aggregate, rows: list[Row]) -> Any:
    if aggregate.function == "count":
        if aggregate.argument is None:
            return len(rows)
        return sum(1 for r in rows if aggregate.argument(r) is not None)
    values = [aggregate.argument(r) for r in rows] if aggregate.argument else []
    if aggregate.function == "count_distinct":
        return len({v for v in values if v is not None})
    if aggregate.function in ("earliest", "latest"):
        ordered = sorted((r for r in rows if aggregate.argument and aggregate.argument(r) is not None),
                         key=lambda r: r.get("@timestamp", 0))
        if not ordered:
            return None
        chosen = ordered[0] if aggregate.function == "earliest" else ordered[-1]
        return aggregate.argument(chosen)  # type: ignore[misc]
    numbers = sorted(float(v) for v in values if _is_number(v))
    if not numbers:
        return None
    if aggregate.function == "sum":
        return sum(numbers)
    if aggregate.function == "avg":
        return sum(numbers) / len(numbers)
    if aggregate.function == "min":
        return numbers[0]
    if aggregate.function == "max":
        return numbers[-1]
    if aggregate.function == "stddev":
        return statistics.pstdev(numbers)
    # pct: the nearest-rank percentile
    rank = max(1, math.ceil((aggregate.extra or 0) / 100 * len(numbers)))
    return numbers[min(rank, len(numbers)) - 1]


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _result_row(row: Row, shown: list[str] | None, aggregated: bool) -> list[dict[str, str]]:
    if shown is None:
        shown = [k for k in row if k != "@ptr"]
    fields = [{"field": name, "value": _text(name, row.get(name))} for name in shown if row.get(name) is not None]
    if not aggregated and "@ptr" in row:
        fields.append({"field": "@ptr", "value": row["@ptr"]})
    return fields


def _text(name: str, value: Any) -> str:
    if isinstance(value, _Timestamp) or (name in TIME_FIELDS and isinstance(value, int)):
        seconds = int(value) / 1000
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + f".{int(value) % 1000:03d}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)
