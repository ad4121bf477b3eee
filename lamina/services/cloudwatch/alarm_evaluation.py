"""Deciding an alarm's state from its most recent periods
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation).

The alarm looks at the last ``EvaluationPeriods`` periods, the current one included (as
CloudWatch does, so a Sum alarm can fire before its period ends). ``DatapointsToAlarm`` (M) of
those (N) breaching puts it in ALARM. Missing periods are treated per ``TreatMissingData``:
``breaching`` / ``notBreaching`` count them as such; ``ignore`` keeps the current state when no
period has data; ``missing`` (the default) goes to INSUFFICIENT_DATA when no period has data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

OPERATORS = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}


@dataclass
class Verdict:
    state: str
    reason: str
    reason_data: dict[str, Any] = field(default_factory=dict)


def window(now: float, period: int, periods: int) -> list[int]:
    """Start times of the evaluated periods, oldest first; the last one contains ``now``."""
    last = int(now // period * period)
    return [last - period * k for k in range(periods - 1, -1, -1)]


def _stamp(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%d/%m/%y %H:%M:%S")


def _iso(ts: float) -> str:
    when = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def evaluate(alarm: dict[str, Any], points: dict[int, float], now: float) -> Verdict:
    period = alarm_period(alarm)
    n = alarm["EvaluationPeriods"]
    m = alarm.get("DatapointsToAlarm") or n
    threshold = alarm["Threshold"]
    test, words = OPERATORS[alarm["ComparisonOperator"]]
    treat = alarm.get("TreatMissingData") or "missing"
    starts = window(now, period, n)
    present = [(ts, points[ts]) for ts in starts if ts in points]
    breaching = [(ts, v) for ts, v in present if test(v, threshold)]
    missing = n - len(present)
    bad = len(breaching) + (missing if treat == "breaching" else 0)
    data: dict[str, Any] = {
        "version": "1.0", "queryDate": _iso(now), "startDate": _iso(starts[0]), "period": period,
        "recentDatapoints": [v for _, v in sorted(present, reverse=True)], "threshold": threshold,
        "evaluatedDatapoints": [{"timestamp": _iso(ts), "value": v} for ts, v in sorted(present, reverse=True)]}
    if alarm.get("Statistic"):
        data["statistic"] = alarm["Statistic"]
    elif alarm.get("ExtendedStatistic"):
        data["statistic"] = alarm["ExtendedStatistic"]
    if bad >= m:
        shown = breaching or present
        described = ", ".join(f"{v} ({_stamp(ts)})" for ts, v in sorted(shown, reverse=True))
        count = len(breaching) if breaching else bad
        reason = (f"Threshold Crossed: {count} out of the last {n} datapoints "
                  f"[{described}] {'was' if count == 1 else 'were'} {words} the threshold ({threshold})"
                  f" (minimum {m} datapoint{'s' if m != 1 else ''} for OK -> ALARM transition).")
        if n == 1 and breaching:
            reason = f"Threshold Crossed: 1 datapoint [{described}] was {words} the threshold ({threshold})."
        return Verdict("ALARM", reason, data)
    if not present and treat == "missing":
        return Verdict("INSUFFICIENT_DATA",
                       f"Insufficient Data: {n} datapoint{'s were' if n != 1 else ' was'} unknown.", data)
    if not present and treat == "ignore":
        return Verdict(alarm.get("StateValue", "INSUFFICIENT_DATA"), alarm.get("StateReason", ""), data)
    shown = present[-1:] if present else []
    described = ", ".join(f"{v} ({_stamp(ts)})" for ts, v in shown)
    return Verdict("OK", f"Threshold Crossed: {len(present)} datapoint{'s' if len(present) != 1 else ''} "
                         f"[{described}] {'was' if len(present) == 1 else 'were'} not {words} the threshold "
                         f"({threshold}).", data)


def alarm_period(alarm: dict[str, Any]) -> int:
    if alarm.get("Period"):
        return int(alarm["Period"])
    for query in alarm.get("Metrics") or ():
        if query.get("MetricStat"):
            return int(query["MetricStat"]["Period"])
        if query.get("Period"):
            return int(query["Period"])
    return 60
