"""The compiled matcher agrees with the naive reference evaluator (tests/unit/patterns/reference.py)
on random events and random patterns of the whole language."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lamina.patterns import compile_pattern
from tests.unit.patterns import reference

KEYS = st.sampled_from(["a", "b", "c"])
TEXT = st.text(alphabet="aAb.*-", max_size=4).map(lambda s: s.replace("*", "x"))
IPS = st.sampled_from(["10.0.0.1", "10.0.1.7", "192.168.1.1", "::1", "2001:db8::5", "nope"])
NUMBERS = st.one_of(st.integers(-5, 5), st.sampled_from([-2.5, 0.5, 3.0, 1e3]))
SCALARS = st.one_of(TEXT, NUMBERS, st.booleans(), st.none(), IPS)
LEAF_VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))


def events(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    values = LEAF_VALUES if depth == 0 else st.one_of(LEAF_VALUES, st.deferred(lambda: events(depth - 1)))
    return st.dictionaries(KEYS, values, max_size=3)


WILDCARDS = st.text(alphabet="aAb.*", max_size=4).filter(lambda s: "**" not in s)
NUMERIC = st.one_of(
    st.tuples(st.sampled_from(["=", "<", "<=", ">", ">="]), NUMBERS).map(list),
    st.tuples(st.sampled_from([">", ">="]), st.integers(-5, 0), st.sampled_from(["<", "<="]),
              st.integers(1, 5)).map(lambda t: [t[0], t[1], t[2], t[3]]),
)
CONDITIONS = st.one_of(
    SCALARS,
    st.builds(lambda s: {"prefix": s}, TEXT),
    st.builds(lambda s: {"prefix": {"equals-ignore-case": s}}, TEXT),
    st.builds(lambda s: {"suffix": s}, TEXT),
    st.builds(lambda s: {"suffix": {"equals-ignore-case": s}}, TEXT),
    st.builds(lambda s: {"equals-ignore-case": s}, TEXT),
    st.builds(lambda s: {"wildcard": s}, WILDCARDS),
    st.builds(lambda n: {"numeric": n}, NUMERIC),
    st.builds(lambda b: {"exists": b}, st.booleans()),
    st.builds(lambda c: {"cidr": c}, st.sampled_from(["10.0.0.0/24", "192.168.0.0/16", "2001:db8::/32"])),
    st.builds(lambda v: {"anything-but": v}, st.one_of(TEXT, NUMBERS, st.lists(TEXT, min_size=1, max_size=3),
                                                        st.lists(NUMBERS, min_size=1, max_size=3))),
    st.builds(lambda s: {"anything-but": {"prefix": s}}, TEXT),
    st.builds(lambda s: {"anything-but": {"suffix": s}}, TEXT),
    st.builds(lambda s: {"anything-but": {"equals-ignore-case": s}}, st.one_of(TEXT, st.lists(TEXT, min_size=1))),
    st.builds(lambda s: {"anything-but": {"wildcard": s}}, st.one_of(WILDCARDS, st.lists(WILDCARDS, min_size=1))),
)


def patterns(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.lists(CONDITIONS, min_size=1, max_size=3)
    if depth == 0:
        return st.dictionaries(KEYS, leaf, min_size=1, max_size=3)
    inner = st.deferred(lambda: patterns(depth - 1))
    fields = st.dictionaries(KEYS, st.one_of(leaf, inner), min_size=1, max_size=3)
    with_or = st.builds(lambda f, alts: {**f, "$or": alts}, fields, st.lists(inner, min_size=2, max_size=3))
    return st.one_of(fields, with_or)


@settings(max_examples=300, deadline=None)
@given(patterns(), events())
def test_compiled_matcher_agrees_with_the_reference(pattern: dict[str, Any], event: dict[str, Any]) -> None:
    assert compile_pattern(pattern).matches(event) == reference.matches(pattern, event)


@settings(max_examples=100, deadline=None)
@given(patterns(), events())
def test_a_pattern_matches_the_same_way_from_its_text(pattern: dict[str, Any], event: dict[str, Any]) -> None:
    compiled = compile_pattern(pattern)
    assert compile_pattern(compiled.source).matches(event) == compiled.matches(event)


@settings(max_examples=200, deadline=None)
@given(patterns(), events())
def test_may_match_never_rules_out_a_matching_event(pattern: dict[str, Any], event: dict[str, Any]) -> None:
    compiled = compile_pattern(pattern)
    if compiled.matches(event):
        assert compiled.may_match(event)
