"""CloudWatch Logs filter patterns: which log events FilterLogEvents (and ``lamina logs --filter``) keeps.

Syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
- terms: ``ERROR Exception`` (every term must appear; case-sensitive), ``"quoted phrase"``,
  ``?ERROR ?WARN`` (any of them), ``-Exiting`` (must not appear), ``%regex%``;
- JSON: ``{ $.level = "ERROR" }``, ``{ $.latency > 100 && $.user.id = "a*" }``, ``||``, parentheses,
  ``IS TRUE|FALSE|NULL``, ``NOT EXISTS``, array indexes ``$.items[0]``;
- space-delimited: ``[ip, user, ..., status = 404, bytes > 1000]``.
A pattern that cannot be read raises ``PatternError`` with the reason (InvalidParameterException).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any, Callable

import orjson

Matcher = Callable[[str], bool]


class PatternError(ValueError):
    pass


def compile_pattern(pattern: str | None) -> Matcher:
    text = (pattern or "").strip()
    if not text or text == '""':
        return lambda message: True
    if text.startswith("{"):
        return _json_matcher(text)
    if text.startswith("["):
        return _delimited_matcher(text)
    return _terms_matcher(text)


# -- terms ------------------------------------------------------------------------------------
_TERM = re.compile(r'[?-]?(?:"(?:[^"\\]|\\.)*"|%[^%]+%|[^\s"]+)')


def _terms_matcher(text: str) -> Matcher:
    if text.count('"') % 2:
        raise PatternError(f"Invalid character(s) in term '{text}': unbalanced quotes")
    tokens = []
    for raw in _TERM.findall(text):
        sign = raw[0] if raw[0] in "?-" and len(raw) > 1 else ""
        body = raw[len(sign):]
        if body.startswith('"') and body.endswith('"') and len(body) >= 2:
            body = re.sub(r"\\(.)", r"\1", body[1:-1])
        tokens.append(sign + body)
    required: list[Matcher] = []
    alternatives: list[Matcher] = []
    excluded: list[Matcher] = []
    for token in tokens:
        if token.startswith("?") and len(token) > 1:
            alternatives.append(_term(token[1:]))
        elif token.startswith("-") and len(token) > 1:
            excluded.append(_term(token[1:]))
        else:
            required.append(_term(token))

    def matches(message: str) -> bool:
        if any(term(message) for term in excluded):
            return False
        if alternatives and not any(term(message) for term in alternatives):
            return False
        return all(term(message) for term in required)

    return matches


def _term(token: str) -> Matcher:
    if len(token) > 1 and token.startswith("%") and token.endswith("%"):
        regex = _regex(token[1:-1])
        return lambda message: regex.search(message) is not None
    return lambda message: token in message


def _regex(source: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as error:
        raise PatternError(f"Invalid regular expression {source!r}: {error}") from None


# -- JSON ---------------------------------------------------------------------------------------
_JSON_TOKEN = re.compile(r"""\s*(?:
    (?P<and>&&)|(?P<or>\|\|)|(?P<lp>\()|(?P<rp>\))|
    (?P<op>!=|<=|>=|=|<|>)|
    (?P<selector>\$(?:\.[A-Za-z0-9_@\-]+|\[\d+\]|\.\*)*)|
    (?P<string>"(?:[^"\\]|\\.)*")|
    (?P<regex>%[^%]+%)|
    (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|
    (?P<word>[A-Za-z_*][A-Za-z0-9_.*\-]*)
)""", re.VERBOSE)

_MISSING = object()


@dataclass
class _Comparison:
    path: list[str | int]
    op: str
    value: Any

    def __call__(self, document: Any) -> bool:
        found = _select(document, self.path)
        if self.op == "exists":
            return found is not _MISSING
        if self.op == "not exists":
            return found is _MISSING
        if found is _MISSING:
            return False
        if self.op == "is":
            return found is self.value
        if isinstance(self.value, re.Pattern):
            hit = isinstance(found, str) and self.value.search(found) is not None
            return hit if self.op == "=" else not hit
        if isinstance(self.value, str):
            text = found if isinstance(found, str) else orjson.dumps(found).decode()
            hit = fnmatch.fnmatchcase(text, self.value) if "*" in self.value else text == self.value
            return hit if self.op == "=" else not hit
        if not isinstance(found, (int, float)) or isinstance(found, bool):
            return False
        return _compare(found, self.op, self.value)


def _compare(left: float, op: str, right: float) -> bool:
    return {"=": left == right, "!=": left != right, "<": left < right, ">": left > right,
            "<=": left <= right, ">=": left >= right}[op]


def _select(document: Any, path: list[str | int]) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(document, list) or step >= len(document):
                return _MISSING
            document = document[step]
        elif isinstance(document, dict) and step in document:
            document = document[step]
        else:
            return _MISSING
    return document


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        found = _JSON_TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise PatternError(f"Invalid filter pattern near {text[position:position + 20]!r}")
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        position = found.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


class _JsonParser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "")

    def take(self, kind: str) -> str:
        found = self.peek()
        if found[0] != kind:
            raise PatternError(f"Invalid filter pattern: expected {kind}, found {found[1] or 'the end'!r}")
        self.i += 1
        return found[1]

    def expression(self) -> Callable[[Any], bool]:
        left = self.conjunction()
        while self.peek()[0] == "or":
            self.i += 1
            right, first = self.conjunction(), left
            left = lambda d, a=first, b=right: a(d) or b(d)  # noqa: E731
        return left

    def conjunction(self) -> Callable[[Any], bool]:
        left = self.unary()
        while self.peek()[0] == "and":
            self.i += 1
            right, first = self.unary(), left
            left = lambda d, a=first, b=right: a(d) and b(d)  # noqa: E731
        return left

    def unary(self) -> Callable[[Any], bool]:
        if self.peek()[0] == "lp":
            self.i += 1
            inner = self.expression()
            self.take("rp")
            return inner
        path = _path(self.take("selector"))
        kind, word = self.peek()
        if kind == "word" and word.upper() in ("IS", "NOT", "EXISTS"):
            return self.keyword(path)
        op = self.take("op")
        kind, raw = self.peek()
        self.i += 1
        if kind == "string":
            value: Any = orjson.loads(raw)
        elif kind == "number":
            value = float(raw)
        elif kind == "regex":
            value = _regex(raw[1:-1])
        elif kind == "word":
            value = raw
        else:
            raise PatternError(f"Invalid filter pattern: no value after {op}")
        if isinstance(value, (str, re.Pattern)) and op not in ("=", "!="):
            raise PatternError(f"Invalid filter pattern: {op} compares numbers only")
        return _Comparison(path, op, value)

    def keyword(self, path: list[str | int]) -> Callable[[Any], bool]:
        words = []
        while self.peek()[0] == "word" and self.peek()[1].upper() in ("IS", "NOT", "EXISTS", "TRUE", "FALSE",
                                                                      "NULL"):
            words.append(self.take("word").upper())
        phrase = " ".join(words)
        known = {"IS TRUE": ("is", True), "IS FALSE": ("is", False), "IS NULL": ("is", None),
                 "NOT EXISTS": ("not exists", None), "EXISTS": ("exists", None)}
        if phrase not in known:
            raise PatternError(f"Invalid filter pattern: {phrase!r}")
        op, value = known[phrase]
        return _Comparison(path, op, value)


def _path(selector: str) -> list[str | int]:
    steps: list[str | int] = []
    for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", selector[1:]):
        steps.append(int(index) if index else name)
    return steps


def _json_matcher(text: str) -> Matcher:
    if not text.endswith("}"):
        raise PatternError("Invalid filter pattern: a JSON pattern ends with }")
    parser = _JsonParser(_tokens(text[1:-1]))
    condition = parser.expression()
    if parser.peek()[0] != "end":
        raise PatternError(f"Invalid filter pattern near {parser.peek()[1]!r}")

    def matches(message: str) -> bool:
        try:
            document = orjson.loads(message)
        except orjson.JSONDecodeError:
            return False
        return isinstance(document, (dict, list)) and condition(document)

    return matches


# -- space-delimited ------------------------------------------------------------------------------
_FIELD = re.compile(r'"[^"]*"|\[[^\]]*\]|\S+')
_CONDITION = re.compile(r"^\s*([A-Za-z0-9_]+|\.\.\.)\s*(?:(!=|<=|>=|=|<|>)\s*(.+?))?\s*$")


def _delimited_matcher(text: str) -> Matcher:
    if not text.endswith("]"):
        raise PatternError("Invalid filter pattern: a space-delimited pattern ends with ]")
    specs: list[tuple[str, str | None, Any]] = []
    for part in text[1:-1].split(","):
        found = _CONDITION.match(part)
        if found is None:
            raise PatternError(f"Invalid filter pattern field {part.strip()!r}")
        name, op, raw = found.groups()
        value: Any = None
        if op:
            raw = raw.strip()
            if raw.startswith('"') and raw.endswith('"'):
                value = raw[1:-1]
            else:
                try:
                    value = float(raw)
                except ValueError:
                    value = raw
        specs.append((name, op, value))

    def field_ok(field: str, op: str | None, value: Any) -> bool:
        if op is None:
            return True
        field = field[1:-1] if field[:1] in '"[' and len(field) > 1 else field
        if isinstance(value, str):
            hit = fnmatch.fnmatchcase(field, value) if "*" in value else field == value
            return hit if op == "=" else (not hit if op == "!=" else False)
        try:
            return _compare(float(field), op, value)
        except ValueError:
            return False

    def match_from(fields: list[str], f: int, s: int) -> bool:
        if s == len(specs):
            return f == len(fields)
        name, op, value = specs[s]
        if name == "...":
            return any(match_from(fields, k, s + 1) for k in range(f, len(fields) + 1))
        if f >= len(fields):
            return False
        if s == len(specs) - 1 and op is None:
            return True  # the last named field takes the rest of the line
        return field_ok(fields[f], op, value) and match_from(fields, f + 1, s + 1)

    return lambda message: match_from(_FIELD.findall(message), 0, 0)
