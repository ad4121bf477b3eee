"""Logs Insights expressions: tokens, operators and functions, compiled to Python closures.

Syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
Precedence, lowest first: ``or``, ``and``, ``not``, comparisons (``=``, ``!=``, ``<``...,
``like``, ``=~``, ``in``), ``+ -``, ``* / %``, ``^``, unary minus, atoms.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

Row = dict[str, Any]
Expr = Callable[[Row], Any]


class QuerySyntaxError(ValueError):
    pass

_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d+)?(?:ms|s|m|h|d|w)?\b)|
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|
    (?P<field>@?[A-Za-z_][A-Za-z0-9_.@\-]*|`[^`]+`)|
    (?P<op>=~|!=|<=|>=|==|=|<|>|\+|-|\*|/|%|\^|\(|\)|\[|\]|,)
)""", re.VERBOSE)

_DURATION = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


_REGEX = re.compile(r"\s*(?P<regex>/(?:[^/\\]|\\.)+/[a-z]*)")


def _regex_may_follow(found: list[tuple[str, str]]) -> bool:
    """A ``/`` starts a regex only after ``like`` or ``=~``; elsewhere it divides."""
    return bool(found) and (found[-1] == ("op", "=~") or found[-1][1].lower() == "like")


def tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _REGEX.match(text, position) if _regex_may_follow(found) else None
        match = match or _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QuerySyntaxError(f"unexpected symbol at: {text[position:position + 20].strip()!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    a, b = _number(left), _number(right)
    if a is None or b is None:
        a, b = str(left), str(right)  # type: ignore[assignment]
    return {"=": a == b, "==": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _arith(op: str, left: Any, right: Any) -> Any:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return None
    if op in "/%" and b == 0:
        return None
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else None, "%": a % b, "^": a ** b}[op]


def _bin(seconds: float) -> Callable[[Row], Any]:
    width = int(seconds * 1000)
    return lambda row: (row.get("@timestamp", 0) // width) * width if width else row.get("@timestamp")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ispresent": lambda v: v is not None,
    "isempty": lambda v: v is None or v == "",
    "isblank": lambda v: v is None or str(v).strip() == "",
    "strlen": lambda v: len(str(v)) if v is not None else None,
    "tolower": lambda v: str(v).lower() if v is not None else None,
    "toupper": lambda v: str(v).upper() if v is not None else None,
    "trim": lambda v: str(v).strip() if v is not None else None,
    "concat": lambda *vs: "".join(str(v) for v in vs if v is not None),
    "abs": lambda v: abs(_number(v)) if _number(v) is not None else None,
    "ceil": lambda v: math.ceil(_number(v)) if _number(v) is not None else None,
    "floor": lambda v: math.floor(_number(v)) if _number(v) is not None else None,
    "substr": lambda v, start, length=None: (str(v)[int(start):] if length is None
                                             else str(v)[int(start):int(start) + int(length)]) if v is not None else None,
    "replace": lambda v, old, new: str(v).replace(str(old), str(new)) if v is not None else None,
    "strcontains": lambda v, s: v is not None and str(s) in str(v),
    "coalesce": lambda *vs: next((v for v in vs if v is not None), None),
}


class _Parser:
    """Precedence: or < and < not < comparison/like/in < + - < * / % < ^ < unary minus < atoms."""

    def __init__(self, text: str) -> None:
        self.tokens = tokens(text)
        self.i = 0
        self.text = text

    def peek(self, offset: int = 0) -> tuple[str, str]:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else ("end", "")

    def word(self, *words: str) -> bool:
        kind, value = self.peek()
        return kind == "field" and value.lower() in words

    def take(self) -> tuple[str, str]:
        found = self.peek()
        self.i += 1
        return found

    def expect(self, value: str) -> None:
        if self.take()[1] != value:
            raise QuerySyntaxError(f"expected {value!r} in {self.text!r}")

    def whole(self) -> Expr:
        expr = self.disjunction()
        if self.peek()[0] != "end":
            raise QuerySyntaxError(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return expr

    def disjunction(self) -> Expr:
        left = self.conjunction()
        while self.word("or"):
            self.take()
            a, b = left, self.conjunction()
            left = lambda r, a=a, b=b: bool(a(r)) or bool(b(r))  # noqa: E731
        return left

    def conjunction(self) -> Expr:
        left = self.negation()
        while self.word("and"):
            self.take()
            a, b = left, self.negation()
            left = lambda r, a=a, b=b: bool(a(r)) and bool(b(r))  # noqa: E731
        return left

    def negation(self) -> Expr:
        if self.word("not"):
            self.take()
            inner = self.negation()
            return lambda r: not inner(r)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.additive()
        negate = False
        if self.word("not") and self.peek(1)[0] == "field" and self.peek(1)[1].lower() in ("like", "in"):
            self.take()
            negate = True
        kind, value = self.peek()
        if kind == "op" and value in ("=", "==", "!=", "<", ">", "<=", ">="):
            self.take()
            right = self.additive()
            return lambda r: _compare(value, left(r), right(r))
        if (kind == "op" and value == "=~") or self.word("like"):
            self.take()
            kind, raw = self.take()
            if kind == "regex":
                body, flags = raw[1:].rsplit("/", 1)
                regex = re.compile(body, re.IGNORECASE if "i" in flags else 0)
                test = lambda r: left(r) is not None and regex.search(str(left(r))) is not None  # noqa: E731
            elif kind == "string":
                text = _unquote(raw)
                test = lambda r: left(r) is not None and text in str(left(r))  # noqa: E731
            else:
                raise QuerySyntaxError("like takes a \"string\" or a /regex/")
            return (lambda r: not test(r)) if negate else test
        if self.word("in"):
            self.take()
            self.expect("[")
            options = []
            while self.peek()[1] != "]":
                options.append(self.additive())
                if self.peek()[1] == ",":
                    self.take()
            self.take()
            test = lambda r: any(_compare("=", left(r), o(r)) for o in options)  # noqa: E731
            return (lambda r: not test(r)) if negate else test
        return left

    def additive(self) -> Expr:
        left = self.multiplicative()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            a, b = left, self.multiplicative()
            left = lambda r, a=a, b=b, op=op: _arith(op, a(r), b(r))  # noqa: E731
        return left

    def multiplicative(self) -> Expr:
        left = self.power()
        while self.peek() in (("op", "*"), ("op", "/"), ("op", "%")):
            op = self.take()[1]
            a, b = left, self.power()
            left = lambda r, a=a, b=b, op=op: _arith(op, a(r), b(r))  # noqa: E731
        return left

    def power(self) -> Expr:
        left = self.unary()
        if self.peek() == ("op", "^"):
            self.take()
            a, b = left, self.power()
            return lambda r: _arith("^", a(r), b(r))
        return left

    def unary(self) -> Expr:
        if self.peek() == ("op", "-"):
            self.take()
            inner = self.unary()
            return lambda r: _arith("-", 0, inner(r))
        return self.atom()

    def atom(self) -> Expr:
        kind, value = self.take()
        if kind == "number":
            unit = re.sub(r"^[\d.]+", "", value)
            number = float(value[:len(value) - len(unit)]) * (_DURATION[unit] if unit else 1)
            return lambda r: number
        if kind == "string":
            text = _unquote(value)
            return lambda r: text
        if kind == "op" and value == "(":
            inner = self.disjunction()
            self.expect(")")
            return inner
        if kind == "field":
            if self.peek() == ("op", "(") and not value.startswith("@"):
                return self.call(value.lower())
            name = value.strip("`")
            return lambda r: r.get(name)
        raise QuerySyntaxError(f"unexpected {value or 'end of query'!r} in {self.text!r}")

    def call(self, name: str) -> Expr:
        self.expect("(")
        arguments: list[Expr] = []
        raw_first = self.peek()
        while self.peek()[1] != ")":
            if self.peek()[0] == "end":
                raise QuerySyntaxError(f"unclosed call of {name}")
            arguments.append(self.disjunction())
            if self.peek()[1] == ",":
                self.take()
        self.take()
        if name == "bin":
            if len(arguments) != 1 or raw_first[0] != "number":
                raise QuerySyntaxError("bin takes a period such as 5m")
            return _bin(arguments[0]({}))
        function = FUNCTIONS.get(name)
        if function is None:
            raise QuerySyntaxError(f"unknown function {name!r}")
        return lambda r: function(*(a(r) for a in arguments))


def _unquote(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def parse_expression(text: str) -> Expr:
    """Compile one expression; raises QuerySyntaxError for what cannot be read."""
    return _Parser(text).whole()
