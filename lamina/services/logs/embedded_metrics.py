"""Embedded Metric Format: a JSON log line with an ``_aws`` block declares metrics whose values are
members of the same line.

Specification: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
- ``_aws.CloudWatchMetrics`` is a list of directives: ``Namespace``, ``Dimensions`` (a list of
  dimension sets, each a list of member names) and ``Metrics`` (``Name``, optional ``Unit`` and
  ``StorageResolution``);
- each metric's value is the root member of that name: a number or a list of up to 100 numbers;
- every dimension set yields its own series; a directive without dimension sets yields one series
  without dimensions; a metric or dimension whose member is missing is skipped.
"""

from __future__ import annotations

from typing import Any, Iterator

import orjson

MAX_VALUES = 100
MAX_DIMENSIONS = 30


def metrics_of(message: str, fallback_ts: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(namespace, PutMetricData MetricData members) for each valid directive of one log line."""
    text = message.strip()
    if not text.startswith("{"):
        return
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        return
    block = document.get("_aws") if isinstance(document, dict) else None
    if not isinstance(block, dict):
        return
    timestamp = block.get("Timestamp")
    ts = timestamp if isinstance(timestamp, (int, float)) and not isinstance(timestamp, bool) else fallback_ts
    for directive in block.get("CloudWatchMetrics") or ():
        if not isinstance(directive, dict) or not isinstance(directive.get("Namespace"), str):
            continue
        data = list(_data_of(directive, document, ts / 1000.0))
        if data:
            yield directive["Namespace"], data


def _data_of(directive: dict[str, Any], document: dict[str, Any], seconds: float) -> Iterator[dict[str, Any]]:
    dimension_sets = directive.get("Dimensions")
    if not isinstance(dimension_sets, list) or not dimension_sets:
        dimension_sets = [[]]
    for names in dimension_sets:
        if not isinstance(names, list) or len(names) > MAX_DIMENSIONS:
            continue
        values = [document.get(name) for name in names]
        if any(not isinstance(v, (str, int, float)) or isinstance(v, bool) for v in values):
            continue
        dimensions = [{"Name": n, "Value": str(v)} for n, v in zip(names, values)]
        for metric in directive.get("Metrics") or ():
            if not isinstance(metric, dict) or not isinstance(metric.get("Name"), str):
                continue
            numbers = _numbers(document.get(metric["Name"]))
            if not numbers:
                continue
            datum: dict[str, Any] = {"MetricName": metric["Name"], "Dimensions": dimensions,
                                     "Values": numbers, "Timestamp": seconds}
            if isinstance(metric.get("Unit"), str):
                datum["Unit"] = metric["Unit"]
            if metric.get("StorageResolution") == 1:
                datum["StorageResolution"] = 1
            yield datum


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, list) and len(value) <= MAX_VALUES:
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return [float(v) for v in value]
    return []
