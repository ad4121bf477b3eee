"""The Logs Insights query language, the subset lamina runs: reading a query into commands.

Syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
Commands, joined by ``|``: ``fields``, ``display``, ``filter``, ``stats ... by ...``, ``sort``,
``limit``, ``parse``. Expressions: literals, fields (``@message``, ``a.b``, `` `odd name` ``),
arithmetic, comparisons, ``and``/``or``/``not``, ``like "text"`` / ``like /regex/``, ``=~``,
``in [...]`` and the functions in ``FUNCTIONS``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
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
            commands.append(Command("filter", expr=_Parser(rest).whole()))
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
        items.append((alias or source.strip().strip("`"), _Parser(source).whole()))
    return items


def _sort_keys(text: str) -> list[tuple[Expr, str, bool]]:
    keys = []
    for part in _split_top(text):
        words = part.split()
        descending = len(words) > 1 and words[-1].lower() == "desc"
        if len(words) > 1 and words[-1].lower() in ("asc", "desc"):
            part = part.rsplit(None, 1)[0]
        keys.append((_Parser(part).whole(), part.strip().strip("`"), descending))
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
        argument = None if inner in ("*", "") else _Parser(arguments[0]).whole()
        command.aggregates.append(Aggregate(function, argument, extra, alias or source.strip()))
    for part in _split_top(by):
        source, alias = _alias(part)
        command.groups.append((alias or source.strip().strip("`"), _Parser(source).whole()))
    return command


def _parse_command(text: str) -> Command:
    match = re.match(r"^(\S+)\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|/(?:[^/\\]|\\.)+/)\s*(?:as\s+(.+))?$",
                     text.strip(), re.IGNORECASE | re.DOTALL)
    if not match:
        raise QuerySyntaxError("parse takes a field, then a \"glob * pattern\" as names, or a /regex/")
    source = _Parser(match.group(1)).whole()
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
