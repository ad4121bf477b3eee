"""Alarm states from datapoints (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html)."""

from __future__ import annotations

import pytest

from lamina.services.cloudwatch.alarm_evaluation import evaluate, window

NOW = 10_000.0  # within the period starting at 9960


def alarm(**overrides):  # type: ignore[no-untyped-def]
    return {"Period": 60, "EvaluationPeriods": 3, "Threshold": 5.0, "ComparisonOperator": "GreaterThanThreshold",
            "Statistic": "Sum", "StateValue": "OK", "StateReason": "before", **overrides}


def test_window_ends_with_the_current_period() -> None:
    assert window(NOW, 60, 3) == [9840, 9900, 9960]


@pytest.mark.parametrize("points, overrides, state", [
    ({9840: 9.0, 9900: 9.0, 9960: 9.0}, {}, "ALARM"),
    ({9840: 9.0, 9900: 1.0, 9960: 9.0}, {}, "OK"),
    ({9840: 9.0, 9900: 1.0, 9960: 9.0}, {"DatapointsToAlarm": 2}, "ALARM"),
    ({}, {}, "INSUFFICIENT_DATA"),
    ({}, {"TreatMissingData": "notBreaching"}, "OK"),
    ({}, {"TreatMissingData": "breaching"}, "ALARM"),
    ({}, {"TreatMissingData": "ignore"}, "OK"),  # keeps the current state
    ({9960: 9.0}, {"TreatMissingData": "breaching"}, "ALARM"),
    ({9960: 9.0}, {"TreatMissingData": "missing"}, "OK"),
    ({9960: 5.0}, {"EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold"}, "ALARM"),
    ({9960: 4.0}, {"EvaluationPeriods": 1, "ComparisonOperator": "LessThanThreshold"}, "ALARM"),
    ({9000: 99.0}, {"EvaluationPeriods": 1}, "INSUFFICIENT_DATA"),  # outside the window
])
def test_states(points: dict[int, float], overrides: dict, state: str) -> None:  # type: ignore[type-arg]
    assert evaluate(alarm(**overrides), points, NOW).state == state


def test_reason_and_data_name_the_datapoints() -> None:
    verdict = evaluate(alarm(EvaluationPeriods=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                             Threshold=1.0), {9960: 1.0}, NOW)
    assert verdict.reason == ("Threshold Crossed: 1 datapoint [1.0 (01/01/70 02:46:00)] was greater than or equal "
                              "to the threshold (1.0).")
    assert verdict.reason_data["recentDatapoints"] == [1.0] and verdict.reason_data["statistic"] == "Sum"
