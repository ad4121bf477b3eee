"""GetMetricStatistics and GetMetricData: checking the request, then reading and combining series.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from lamina.services.cloudwatch import metric_math, statistics
from lamina.services.cloudwatch.datapoints import MetricStore, to_seconds
from lamina.services.cloudwatch.errors import (
    InvalidParameterCombinationException,
    InvalidParameterValueException,
    MissingRequiredParameterException,
)
from lamina.services.cloudwatch.metric_math import Context, MathError, Series

MAX_STATISTICS_POINTS = 1440
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 20, 30)
_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")


def check_period(period: int, name: str = "Period") -> None:
    if period <= 0 or (period not in HIGH_RESOLUTION_PERIODS and period % 60):
        raise InvalidParameterValueException(
            f"The parameter {name} must be 1, 5, 10, 20, 30, or a multiple of 60.")


def aligned_start(start: float, period: int) -> int:
    """Period boundaries: minutes for periods of a minute or more, else the period itself."""
    granularity = 60 if period >= 60 else period
    return int(start // granularity * granularity)


@dataclass
class Scope:
    account: str
    region: str


def get_metric_statistics(metrics: MetricStore, scope: Scope, params: dict[str, Any]) -> dict[str, Any]:
    stats = list(params.get("Statistics") or [])
    extended = list(params.get("ExtendedStatistics") or [])
    if not stats and not extended:
        raise MissingRequiredParameterException(
            "Must specify either the parameter Statistics or the parameter ExtendedStatistics.")
    if stats and extended:
        raise InvalidParameterCombinationException(
            "The parameters Statistics and ExtendedStatistics are mutually exclusive.")
    for stat in extended:
        if not statistics.is_valid(stat) or stat in statistics.STANDARD:
            raise InvalidParameterValueException(f"The value {stat} for parameter ExtendedStatistics is not valid.")
    period = params["Period"]
    check_period(period)
    start, end = to_seconds(params["StartTime"]), to_seconds(params["EndTime"])
    if start >= end:
        raise InvalidParameterValueException("The parameter StartTime must be less than the parameter EndTime.")
    first = aligned_start(start, period)
    requested = math.ceil((end - start) / period)
    if requested > MAX_STATISTICS_POINTS:
        raise InvalidParameterCombinationException(
            f"You have requested up to {requested:,} datapoints, which exceeds the limit of 1,440. You may reduce "
            "the datapoints requested by increasing Period, or decreasing the time range.")
    series = metrics.series_id(scope.account, scope.region, params["Namespace"], params["MetricName"],
                               params.get("Dimensions"))
    datapoints = []
    if series is not None:
        buckets = metrics.buckets(series, first, math.ceil(end), period, params.get("Unit"), bool(extended))
        for ts in sorted(buckets):
            agg = buckets[ts]
            point: dict[str, Any] = {"Timestamp": ts, "Unit": params.get("Unit") or agg.unit}
            for stat in stats:
                point[stat] = statistics.value(stat, agg)
            if extended:
                point["ExtendedStatistics"] = {s: v for s in extended
                                               if (v := statistics.value(s, agg)) is not None}
            datapoints.append(point)
    return {"Label": params["MetricName"], "Datapoints": datapoints}


def metric_stat_series(metrics: MetricStore, scope: Scope, stat: dict[str, Any], start: int, end: int) -> Series:
    metric = stat["Metric"]
    period, name = stat["Period"], stat["Stat"]
    series = metrics.series_id(scope.account, scope.region, metric.get("Namespace", ""),
                               metric.get("MetricName", ""), metric.get("Dimensions"))
    points: dict[int, float] = {}
    if series is not None:
        buckets = metrics.buckets(series, start, end, period, stat.get("Unit"), statistics.needs_distribution([name]))
        for ts, agg in buckets.items():
            value = statistics.value(name, agg)
            if value is not None:
                points[ts] = value
    return Series(points, metric.get("MetricName", ""), period)


def run_queries(metrics: MetricStore, scope: Scope, queries: list[dict[str, Any]], start_time: Any,
                end_time: Any) -> list[tuple[dict[str, Any], metric_math.Value | None, str | None]]:
    """Evaluate every query; returns (query, value or None, error message) in the request's order."""
    ids = [q["Id"] for q in queries]
    if len(set(ids)) != len(ids):
        raise InvalidParameterValueException("The values for parameter Id in MetricDataQueries must be unique.")
    for query in queries:
        if not _ID.match(query["Id"]):
            raise InvalidParameterValueException(
                f"The value {query['Id']} for parameter MetricDataQueries.member.Id is not valid: it must start "
                "with a lowercase letter and contain only letters, numbers and underscores.")
        if bool(query.get("MetricStat")) == bool(query.get("Expression")):
            raise InvalidParameterValueException(
                f"The parameter MetricDataQueries.member.{query['Id']} must have exactly one of MetricStat or "
                "Expression.")
        if query.get("MetricStat"):
            check_period(query["MetricStat"]["Period"], "MetricStat.Period")
            if not statistics.is_valid(query["MetricStat"]["Stat"]):
                raise InvalidParameterValueException(f"The value {query['MetricStat']['Stat']} for parameter "
                                                     "MetricStat.Stat is not valid.")
    start, end = to_seconds(start_time), to_seconds(end_time)
    if start >= end:
        raise InvalidParameterValueException("The parameter StartTime must be less than the parameter EndTime.")
    periods = [q["MetricStat"]["Period"] for q in queries if q.get("MetricStat")]
    periods += [q["Period"] for q in queries if q.get("Expression") and q.get("Period")]
    period = min(periods) if periods else 60
    first, last = aligned_start(start, period), math.ceil(end)
    values: dict[str, metric_math.Value] = {}
    labels: dict[str, str] = {}
    errors: dict[str, str] = {}
    for query in queries:
        if query.get("MetricStat"):
            series = metric_stat_series(metrics, scope, query["MetricStat"], aligned_start(start, query["MetricStat"]["Period"]), last)
            series.label = query.get("Label") or series.label
            values[query["Id"]] = series
            labels[query["Id"]] = series.label
    grid = list(range(first, last, period))
    context = Context(values, labels, [q["Id"] for q in queries if q.get("MetricStat")], grid, period)
    pending = [q for q in queries if q.get("Expression")]
    while pending:
        progressed = False
        for query in list(pending):
            try:
                needed = metric_math.references(query["Expression"])
            except MathError as error:
                raise InvalidParameterValueException(f"Error in expression {query['Id']}: {error}") from None
            if query["Id"] in needed:
                raise InvalidParameterValueException(f"Error in expression {query['Id']}: it refers to itself")
            unknown = sorted(n for n in needed if n not in ids)
            if unknown:
                raise InvalidParameterValueException(
                    f"Error in expression {query['Id']}: Unrecognized metric ids or functions: {', '.join(unknown)}")
            if any(n not in values and n in ids for n in needed):
                continue
            try:
                values[query["Id"]] = metric_math.evaluate(query["Expression"], context)
            except MathError as error:
                errors[query["Id"]] = str(error)
                values[query["Id"]] = Series({}, query["Id"], period)
            pending.remove(query)
            progressed = True
        if not progressed:
            raise InvalidParameterValueException("The expressions in MetricDataQueries refer to each other in a cycle.")
    return [(q, values.get(q["Id"]), errors.get(q["Id"])) for q in queries]


def get_metric_data(metrics: MetricStore, scope: Scope, params: dict[str, Any]) -> dict[str, Any]:
    evaluated = run_queries(metrics, scope, params["MetricDataQueries"], params["StartTime"], params["EndTime"])
    descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    results, messages = [], []
    for query, value, error in evaluated:
        if query.get("ReturnData") is False:
            continue
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            result: dict[str, Any] = {"Id": query["Id"], "StatusCode": "Complete"}
            if isinstance(entry, Series):
                stamps = sorted(entry.points, reverse=descending)
                result.update(Label=query.get("Label") or entry.label or query["Id"], Timestamps=stamps,
                              Values=[entry.points[t] for t in stamps])
            else:
                result.update(Label=query.get("Label") or query["Id"], Timestamps=[], Values=[])
                if entry is not None:
                    # A scalar result: CloudWatch shows it at every period of the range.
                    messages.append({"Code": "ScalarResult", "Value": f"{query['Id']} is a scalar: {entry}"})
            if error:
                result["StatusCode"] = "InternalError"
                result["Messages"] = [{"Code": "ArithmeticError", "Value": error}]
            results.append(result)
    out: dict[str, Any] = {"MetricDataResults": results}
    if messages:
        out["Messages"] = messages
    return out


def alarm_points(metrics: MetricStore, alarm: dict[str, Any], start: int, end: int) -> dict[int, float]:
    """The values an alarm compares with its threshold, one per period in [start, end)."""
    scope = Scope(alarm["_account"], alarm["_region"])
    if not alarm.get("Metrics"):
        stat = {"Metric": {"Namespace": alarm["Namespace"], "MetricName": alarm["MetricName"],
                           "Dimensions": alarm.get("Dimensions") or []},
                "Period": alarm["Period"], "Stat": alarm.get("Statistic") or alarm["ExtendedStatistic"],
                "Unit": alarm.get("Unit")}
        return metric_stat_series(metrics, scope, stat, start, end).points
    evaluated = run_queries(metrics, scope, alarm["Metrics"], start, end)
    for query, value, _ in evaluated:
        if query.get("ReturnData", True) and isinstance(value, Series):
            return value.points
    return {}


def watched_metrics(alarm: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    """(account, region, namespace, name) of every metric an alarm reads."""
    account, region = alarm["_account"], alarm["_region"]
    if not alarm.get("Metrics"):
        return {(account, region, alarm["Namespace"], alarm["MetricName"])}
    return {(account, region, q["MetricStat"]["Metric"].get("Namespace", ""), q["MetricStat"]["Metric"].get("MetricName", ""))
            for q in alarm["Metrics"] if q.get("MetricStat")}


def page_of(result: dict[str, Any], skip: int, limit: int) -> dict[str, Any]:
    """GetMetricData's paging: at most ``limit`` datapoints in all, after the ``skip`` already returned
    (the NextToken counts them)."""
    seen, shown = 0, 0
    for entry in result["MetricDataResults"]:
        stamps, values = entry["Timestamps"], entry["Values"]
        first = min(len(stamps), max(0, skip - seen))
        take = max(0, min(len(stamps) - first, limit - shown))
        seen += len(stamps)
        entry["Timestamps"], entry["Values"] = stamps[first:first + take], values[first:first + take]
        shown += take
        if first + take < len(stamps):
            entry["StatusCode"] = "PartialData"
    if skip + shown < seen:
        result["NextToken"] = str(skip + shown)
    return result
