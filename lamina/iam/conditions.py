"""Condition operators: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, Arn*, Null,
with ``...IfExists`` and the ``ForAnyValue:`` / ``ForAllValues:`` set qualifiers.

Semantics (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html):
- several values for one key: OR; several keys or operators: AND;
- a negated operator (StringNotEquals...) holds when the request value matches none of the values;
- a key missing from the request: the condition is false, except for negated operators (true),
  ``...IfExists`` (true) and ``Null``;
- ``ForAllValues``: every request value matches some policy value (true for no values);
  ``ForAnyValue``: some request value matches some policy value (false for no values).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import ipaddress
from dataclasses import dataclass
from typing import Callable

from lamina.iam.context import Context
from lamina.iam.document import ConditionClause
from lamina.iam.variables import has_variables, plain, substitute
from lamina.iam.wildcards import arn_matcher, glob_matcher

Compare = Callable[[str, str], bool]  # (request value, policy value) -> match


def _string_equals(value: str, wanted: str) -> bool:
    return value == plain(wanted)


def _string_equals_ignore_case(value: str, wanted: str) -> bool:
    return value.casefold() == plain(wanted).casefold()


def _string_like(value: str, wanted: str) -> bool:
    return glob_matcher(wanted)(value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _numeric(test: Callable[[float, float], bool]) -> Compare:
    def compare(value: str, wanted: str) -> bool:
        a, b = _number(value), _number(wanted)
        return a is not None and b is not None and test(a, b)
    return compare


def _instant(text: str) -> float | None:
    """ISO 8601 (W3C profiles) or epoch seconds."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()


def _date(test: Callable[[float, float], bool]) -> Compare:
    def compare(value: str, wanted: str) -> bool:
        a, b = _instant(value), _instant(wanted)
        return a is not None and b is not None and test(a, b)
    return compare


def _bool(value: str, wanted: str) -> bool:
    return value.lower() == plain(wanted).lower()


def _binary(value: str, wanted: str) -> bool:
    try:
        return base64.b64decode(value, validate=True) == base64.b64decode(wanted, validate=True)
    except ValueError:
        return False


@functools.lru_cache(maxsize=4096)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)  # an address alone is a /32 (or /128)
    except ValueError:
        return None


def _ip(value: str, wanted: str) -> bool:
    address, network = _address(value), _network(wanted)
    return address is not None and network is not None and address.version == network.version and address in network


def _arn_like(value: str, wanted: str) -> bool:
    return arn_matcher(wanted)(value)


# operator -> (compare, negated)
_OPERATORS: dict[str, tuple[Compare, bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ignore_case, False),
    "stringnotequalsignorecase": (_string_equals_ignore_case, True),
    "stringlike": (_string_like, False),
    "stringnotlike": (_string_like, True),
    "numericequals": (_numeric(lambda a, b: a == b), False),
    "numericnotequals": (_numeric(lambda a, b: a == b), True),
    "numericlessthan": (_numeric(lambda a, b: a < b), False),
    "numericlessthanequals": (_numeric(lambda a, b: a <= b), False),
    "numericgreaterthan": (_numeric(lambda a, b: a > b), False),
    "numericgreaterthanequals": (_numeric(lambda a, b: a >= b), False),
    "dateequals": (_date(lambda a, b: a == b), False),
    "datenotequals": (_date(lambda a, b: a == b), True),
    "datelessthan": (_date(lambda a, b: a < b), False),
    "datelessthanequals": (_date(lambda a, b: a <= b), False),
    "dategreaterthan": (_date(lambda a, b: a > b), False),
    "dategreaterthanequals": (_date(lambda a, b: a >= b), False),
    "bool": (_bool, False),
    "binaryequals": (_binary, False),
    "ipaddress": (_ip, False),
    "notipaddress": (_ip, True),
    "arnequals": (_arn_like, False),
    "arnlike": (_arn_like, False),
    "arnnotequals": (_arn_like, True),
    "arnnotlike": (_arn_like, True),
}
# Operators whose values may hold policy variables (the others take them literally).
_VARIABLE_FAMILIES = ("string", "arn", "bool")


@dataclass(frozen=True, slots=True)
class Operator:
    base: str  # lower-case name without qualifier and IfExists, e.g. "stringlike"
    qualifier: str  # "" | "foranyvalue" | "forallvalues"
    if_exists: bool


def read_operator(name: str) -> Operator | None:
    qualifier, sep, rest = name.partition(":")
    if not sep:
        qualifier, rest = "", name
    qualifier = qualifier.lower()
    if qualifier not in ("", "foranyvalue", "forallvalues"):
        return None
    base = rest.lower()
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[: -len("ifexists")]
    if base == "null":
        return None if if_exists else Operator(base, qualifier, False)
    return Operator(base, qualifier, if_exists) if base in _OPERATORS else None


def known_operator(name: str) -> bool:
    return read_operator(name) is not None


Test = Callable[[Context], bool]


def compile_clause(clause: ConditionClause, variables: bool) -> Test:
    """A test of one (operator, key, values) against a request context."""
    operator = read_operator(clause.operator)
    assert operator is not None  # documents are checked when read
    key = clause.key.lower()
    values = clause.values
    if operator.base == "null":
        want_absent = any(v.lower() == "true" for v in values)
        want_present = any(v.lower() == "false" for v in values)

        def null_test(context: Context) -> bool:
            value = context.get(key)
            absent = value is None or value == ()
            return (want_absent and absent) or (want_present and not absent)
        return null_test
    compare, negated = _OPERATORS[operator.base]
    dynamic = variables and operator.base.startswith(_VARIABLE_FAMILIES) and any(map(has_variables, values))

    def policy_values(context: Context) -> tuple[str, ...]:
        if not dynamic:
            return values
        found = (substitute(v, context) for v in values)
        return tuple(v for v in found if v is not None)  # a variable without a value matches nothing

    def matches(value: str, wanted: tuple[str, ...]) -> bool:
        return any(compare(value, w) for w in wanted)

    def test(context: Context) -> bool:
        value = context.get(key)
        if value is None:
            if operator.if_exists:
                return True
            if operator.qualifier == "forallvalues":
                return True
            if operator.qualifier == "foranyvalue":
                return False
            return negated
        wanted = policy_values(context)
        request = value if isinstance(value, tuple) else (value,)
        if operator.qualifier == "forallvalues":
            return all(matches(v, wanted) != negated for v in request)
        if operator.qualifier == "foranyvalue":
            return any(matches(v, wanted) != negated for v in request)
        hit = any(matches(v, wanted) for v in request)
        return not hit if negated else hit
    return test


def compile_conditions(clauses: tuple[ConditionClause, ...], variables: bool) -> Test | None:
    """All clauses must hold (None: no conditions)."""
    if not clauses:
        return None
    tests = tuple(compile_clause(c, variables) for c in clauses)
    if len(tests) == 1:
        return tests[0]
    return lambda context: all(test(context) for test in tests)
