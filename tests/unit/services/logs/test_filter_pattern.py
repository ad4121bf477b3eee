"""Filter pattern syntax (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)."""

from __future__ import annotations

import pytest

from lamina.services.logs.filter_pattern import PatternError, compile_pattern

LINES = ["[ERROR] Exception: disk full", "[WARN] disk slow", "INFO all good", "ERROR Exiting now"]


def kept(pattern: str, lines: list[str] = LINES) -> list[str]:
    matcher = compile_pattern(pattern)
    return [line for line in lines if matcher(line)]


@pytest.mark.parametrize("pattern, expected", [
    ("", LINES),
    ('""', LINES),
    ("ERROR", ["[ERROR] Exception: disk full", "ERROR Exiting now"]),
    ("ERROR disk", ["[ERROR] Exception: disk full"]),
    ('"disk full"', ["[ERROR] Exception: disk full"]),
    ("?WARN ?INFO", ["[WARN] disk slow", "INFO all good"]),
    ("ERROR -Exiting", ["[ERROR] Exception: disk full"]),
    ("%dis[ck] (full|slow)%", ["[ERROR] Exception: disk full", "[WARN] disk slow"]),
    ("error", []),  # terms are case-sensitive
])
def test_terms(pattern: str, expected: list[str]) -> None:
    assert kept(pattern) == expected


DOCS = ['{"level": "ERROR", "latency": 250, "user": {"id": "alice"}, "tags": ["a", "b"], "ok": false}',
        '{"level": "INFO", "latency": 12, "user": {"id": "bob"}, "tags": [], "ok": true, "gone": null}',
        "not json"]


@pytest.mark.parametrize("pattern, expected", [
    ('{ $.level = "ERROR" }', [0]),
    ('{ $.level != "ERROR" }', [1]),
    ("{ $.latency > 100 }", [0]),
    ("{ $.latency <= 12 }", [1]),
    ('{ $.user.id = "a*" }', [0]),
    ('{ ($.latency > 100 && $.level = "ERROR") || $.user.id = "bob" }', [0, 1]),
    ('{ $.tags[1] = "b" }', [0]),
    ("{ $.ok IS TRUE }", [1]),
    ("{ $.gone IS NULL }", [1]),
    ("{ $.gone NOT EXISTS }", [0]),
    ("{ $.level = %ERR% }", [0]),
])
def test_json_patterns(pattern: str, expected: list[int]) -> None:
    assert kept(pattern, DOCS) == [DOCS[i] for i in expected]


def test_space_delimited() -> None:
    lines = ['127.0.0.1 frank [10/Oct/2000:13:55:36] "GET /a" 404 2326',
             '127.0.0.2 bob [10/Oct/2000:13:55:37] "GET /b" 200 10']
    assert kept("[ip, user, timestamp, request, status = 404, bytes > 1000]", lines) == [lines[0]]
    assert kept("[ip, ..., status = 2*, bytes]", lines) == [lines[1]]


@pytest.mark.parametrize("pattern", ["{ $.level = ", "{ $.level > \"x\" }", "[a, b = ", "%[%"])
def test_unreadable_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)
