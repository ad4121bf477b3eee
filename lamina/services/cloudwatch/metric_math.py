"""Metric math: expressions over the time series of GetMetricData and alarms.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
Supported: numbers; query ids; ``+ - * / ^`` between series and scalars (series meet on the
timestamps they share); ``SUM``, ``AVG``, ``MIN``, ``MAX``, ``STDDEV`` (across an array of series
per timestamp, or over one series to a scalar); ``METRICS()`` / ``METRICS("label text")``;
``FILL(x, value | REPEAT | LINEAR)``; ``ABS``, ``CEIL``, ``FLOOR``, ``DIFF``, ``RATE``,
``RUNNING_SUM``, ``PERIOD``.
"""

from __future__ import annotations

import math
import re
import statistics as pystats
from dataclasses import dataclass
from typing import Any, Callable

Points = dict[int, float]


class MathError(ValueError):
    pass


@dataclass
class Series:
    points: Points
    label: str
    period: int = 60


Value = float | Series | list[Series]

_TOKEN = re.compile(r'\s*(?:(?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|'
                    r'(?P<string>"[^"]*")|(?P<op>[-+*/^(),]))')


@dataclass
class Context:
    series: dict[str, Value]  # query id -> its value
    labels: dict[str, str]
    metric_ids: list[str]  # ids of MetricStat queries, in order (METRICS())
    grid: list[int]  # every period start in the query's time range
    period: int


def tokens(text: str) -> list[tuple[str, str]]:
    out, i = [], 0
    while i < len(text):
        if not text[i:].strip():
            break
        m = _TOKEN.match(text, i)
        if m is None or m.end() == i:
            raise MathError(f"Syntax error in expression near '{text[i:i + 15].strip()}'")
        out.append((m.lastgroup or "", m.group(m.lastgroup or "")))
        i = m.end()
    return out


def references(expression: str) -> set[str]:
    """The query ids an expression names (for ordering evaluation)."""
    names = {value for kind, value in tokens(expression) if kind == "name"}
    return {n for n in names if n.upper() not in FUNCTIONS and n.upper() not in ("REPEAT", "LINEAR")}


def evaluate(expression: str, context: Context) -> Value:
    parser = _Parser(tokens(expression), context)
    result = parser.expression()
    if parser.peek()[0] != "end":
        raise MathError(f"Syntax error in expression near '{parser.peek()[1]}'")
    return result


class _Parser:
    def __init__(self, toks: list[tuple[str, str]], context: Context) -> None:
        self.toks, self.i, self.ctx = toks, 0, context

    def peek(self) -> tuple[str, str]:
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def expression(self) -> Value:
        left = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            left = binary(op, left, self.term())
        return left

    def term(self) -> Value:
        left = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            left = binary(op, left, self.unary())
        return left

    def unary(self) -> Value:
        if self.peek() == ("op", "-"):  # -a ^ 2 is -(a ^ 2)
            self.take()
            return binary("*", -1.0, self.unary())
        return self.power()

    def power(self) -> Value:
        left = self.atom()
        if self.peek() == ("op", "^"):
            self.take()
            return binary("^", left, self.unary())
        return left

    def atom(self) -> Value:
        kind, text = self.take()
        if kind == "number":
            return float(text)
        if kind == "op" and text == "(":
            inner = self.expression()
            if self.take() != ("op", ")"):
                raise MathError("Syntax error: missing ')'")
            return inner
        if kind == "name":
            if self.peek() == ("op", "("):
                return self.call(text.upper())
            if text in self.ctx.series:
                return self.ctx.series[text]
            if text.upper() in ("REPEAT", "LINEAR"):
                return text.upper()  # type: ignore[return-value]
            raise MathError(f"Unrecognized id or function: {text}")
        if kind == "string":
            return text[1:-1]  # type: ignore[return-value]
        raise MathError(f"Syntax error in expression near '{text}'")

    def call(self, name: str) -> Value:
        self.take()
        arguments: list[Any] = []
        while self.peek() != ("op", ")"):
            if self.peek()[0] == "end":
                raise MathError(f"Syntax error: missing ')' after {name}(")
            arguments.append(self.expression())
            if self.peek() == ("op", ","):
                self.take()
        self.take()
        function = FUNCTIONS.get(name)
        if function is None:
            raise MathError(f"Unrecognized function: {name}")
        return function(self.ctx, *arguments)


def _apply(op: str, a: float, b: float) -> float | None:
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b if b != 0 else None  # CloudWatch drops points divided by zero
        return a ** b
    except (OverflowError, ValueError, ZeroDivisionError):
        return None


def _map(series: Series, fn: Callable[[float], float | None], label: str | None = None) -> Series:
    points = {}
    for ts, v in series.points.items():
        r = fn(v)
        if r is not None and not math.isnan(r):
            points[ts] = r
    return Series(points, label or series.label, series.period)


def binary(op: str, left: Value, right: Value) -> Value:
    if isinstance(left, list):
        return [binary(op, s, right) for s in left]  # type: ignore[misc]
    if isinstance(right, list):
        return [binary(op, left, s) for s in right]  # type: ignore[misc]
    if isinstance(left, Series) and isinstance(right, Series):
        shared = left.points.keys() & right.points.keys()
        points = {ts: r for ts in shared if (r := _apply(op, left.points[ts], right.points[ts])) is not None}
        return Series(points, "", left.period)
    if isinstance(left, Series):
        return _map(left, lambda v: _apply(op, v, float(right)), "")  # type: ignore[arg-type]
    if isinstance(right, Series):
        return _map(right, lambda v: _apply(op, float(left), v), "")
    result = _apply(op, float(left), float(right))
    if result is None:
        raise MathError("Division by zero in a scalar expression")
    return result


def _across(reducer: Callable[[list[float]], float]) -> Callable[..., Value]:
    def function(ctx: Context, value: Value, *rest: Any) -> Value:
        if isinstance(value, list):
            stamps = sorted(set().union(*(s.points for s in value))) if value else []
            points = {ts: reducer([s.points[ts] for s in value if ts in s.points]) for ts in stamps}
            return Series(points, "", value[0].period if value else ctx.period)
        if isinstance(value, Series):
            if not value.points:
                raise MathError("The series has no data points")
            return reducer(list(value.points.values()))
        return float(value)
    return function


def _metrics(ctx: Context, text: str | None = None) -> list[Series]:
    found = []
    for query_id in ctx.metric_ids:
        value = ctx.series.get(query_id)
        if isinstance(value, Series) and (text is None or text in ctx.labels.get(query_id, value.label)):
            found.append(value)
    return found


def _fill(ctx: Context, value: Value, how: Any) -> Value:
    if isinstance(value, list):
        return [_fill(ctx, s, how) for s in value]  # type: ignore[misc]
    if not isinstance(value, Series):
        raise MathError("FILL takes a time series")
    points = dict(value.points)
    known = sorted(points)
    for ts in ctx.grid:
        if ts in points:
            continue
        before = [k for k in known if k < ts]
        after = [k for k in known if k > ts]
        if how == "REPEAT":
            if before:
                points[ts] = value.points[before[-1]]
            elif after:
                points[ts] = value.points[after[0]]
        elif how == "LINEAR":
            if before and after:
                a, b = before[-1], after[0]
                points[ts] = value.points[a] + (value.points[b] - value.points[a]) * (ts - a) / (b - a)
        else:
            points[ts] = float(how)
    return Series(points, value.label, value.period)


def _ordered(fn: Callable[[list[tuple[int, float]], Series], Points]) -> Callable[..., Value]:
    def function(ctx: Context, value: Value) -> Value:
        if isinstance(value, list):
            return [function(ctx, s) for s in value]  # type: ignore[misc]
        if not isinstance(value, Series):
            raise MathError("This function takes a time series")
        return Series(fn(sorted(value.points.items()), value), value.label, value.period)
    return function


def _diff(items: list[tuple[int, float]], s: Series) -> Points:
    return {b[0]: b[1] - a[1] for a, b in zip(items, items[1:])}


def _rate(items: list[tuple[int, float]], s: Series) -> Points:
    return {b[0]: (b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(items, items[1:]) if b[0] != a[0]}


def _running_sum(items: list[tuple[int, float]], s: Series) -> Points:
    total, out = 0.0, {}
    for ts, v in items:
        total += v
        out[ts] = total
    return out


def _elementwise(fn: Callable[[float], float]) -> Callable[..., Value]:
    def function(ctx: Context, value: Value) -> Value:
        if isinstance(value, list):
            return [_map(s, fn) for s in value]
        if isinstance(value, Series):
            return _map(value, fn)
        return fn(float(value))
    return function


def _period(ctx: Context, value: Value) -> Value:
    if isinstance(value, Series):
        return float(value.period)
    raise MathError("PERIOD takes a time series")


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "SUM": _across(sum),
    "AVG": _across(lambda xs: sum(xs) / len(xs)),
    "MIN": _across(min),
    "MAX": _across(max),
    "STDDEV": _across(lambda xs: pystats.pstdev(xs) if len(xs) > 1 else 0.0),
    "METRICS": _metrics,  # type: ignore[dict-item]
    "FILL": _fill,
    "ABS": _elementwise(abs),
    "CEIL": _elementwise(lambda v: float(math.ceil(v))),
    "FLOOR": _elementwise(lambda v: float(math.floor(v))),
    "DIFF": _ordered(_diff),
    "RATE": _ordered(_rate),
    "RUNNING_SUM": _ordered(_running_sum),
    "PERIOD": _period,
}
