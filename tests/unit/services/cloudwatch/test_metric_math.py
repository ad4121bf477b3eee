"""Metric math over series (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html)."""

from __future__ import annotations

import pytest

from lamina.services.cloudwatch.metric_math import Context, MathError, Series, evaluate, references


def context() -> Context:
    a = Series({0: 1.0, 60: 2.0, 120: 3.0}, "a")
    b = Series({0: 10.0, 120: 30.0}, "b")
    return Context({"a": a, "b": b}, {"a": "Errors", "b": "Invocations"}, ["a", "b"], [0, 60, 120, 180], 60)


def points(value):  # type: ignore[no-untyped-def]
    assert isinstance(value, Series)
    return value.points


def test_arithmetic_meets_on_shared_timestamps() -> None:
    assert points(evaluate("100 * a / b", context())) == {0: 10.0, 120: 10.0}
    assert points(evaluate("a + 1", context())) == {0: 2.0, 60: 3.0, 120: 4.0}
    assert points(evaluate("-a ^ 2", context())) == {0: -1.0, 60: -4.0, 120: -9.0}
    assert evaluate("2 * (3 + 4)", context()) == 14.0


def test_division_by_zero_drops_the_point() -> None:
    ctx = context()
    ctx.series["z"] = Series({0: 0.0, 60: 2.0}, "z")
    assert points(evaluate("a / z", ctx)) == {60: 1.0}


def test_aggregates_across_and_over_series() -> None:
    assert points(evaluate("SUM(METRICS())", context())) == {0: 11.0, 60: 2.0, 120: 33.0}
    assert points(evaluate("MAX(METRICS())", context())) == {0: 10.0, 60: 2.0, 120: 30.0}
    assert evaluate("AVG(a)", context()) == 2.0  # one series: a scalar
    assert points(evaluate('SUM(METRICS("Inv"))', context())) == {0: 10.0, 120: 30.0}


def test_fill() -> None:
    assert points(evaluate("FILL(b, 0)", context())) == {0: 10.0, 60: 0.0, 120: 30.0, 180: 0.0}
    assert points(evaluate("FILL(b, REPEAT)", context())) == {0: 10.0, 60: 10.0, 120: 30.0, 180: 30.0}
    assert points(evaluate("FILL(b, LINEAR)", context())) == {0: 10.0, 60: 20.0, 120: 30.0}


def test_series_functions() -> None:
    assert points(evaluate("DIFF(a)", context())) == {60: 1.0, 120: 1.0}
    assert points(evaluate("RATE(a)", context())) == {60: 1 / 60, 120: 1 / 60}
    assert points(evaluate("RUNNING_SUM(a)", context())) == {0: 1.0, 60: 3.0, 120: 6.0}
    assert evaluate("PERIOD(a)", context()) == 60.0


def test_references_skip_functions() -> None:
    assert references("SUM(METRICS()) / FILL(m1, REPEAT) + e2") == {"m1", "e2"}


@pytest.mark.parametrize("text", ["a +", "NOPE(a)", "(a", "c * 2", "a $ b"])
def test_errors(text: str) -> None:
    with pytest.raises(MathError):
        evaluate(text, context())
