"""Embedded Metric Format (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)."""

from __future__ import annotations

import json

from lamina.services.logs.embedded_metrics import metrics_of


def line(**document) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(document)


def test_each_dimension_set_is_a_series() -> None:
    text = line(_aws={"Timestamp": 1_700_000_000_000, "CloudWatchMetrics": [{
        "Namespace": "Shop", "Dimensions": [["Service"], ["Service", "Region"]],
        "Metrics": [{"Name": "Latency", "Unit": "Milliseconds", "StorageResolution": 1}, {"Name": "Orders"}]}]},
        Service="cart", Region="eu", Latency=[10, 20], Orders=3)
    [(namespace, data)] = list(metrics_of(text, 0))
    assert namespace == "Shop"
    assert [(d["MetricName"], [x["Name"] for x in d["Dimensions"]], d["Values"]) for d in data] == [
        ("Latency", ["Service"], [10.0, 20.0]), ("Orders", ["Service"], [3.0]),
        ("Latency", ["Service", "Region"], [10.0, 20.0]), ("Orders", ["Service", "Region"], [3.0])]
    assert data[0]["Timestamp"] == 1_700_000_000 and data[0]["StorageResolution"] == 1
    assert data[0]["Unit"] == "Milliseconds" and "Unit" not in data[1]


def test_invalid_parts_are_skipped() -> None:
    text = line(_aws={"CloudWatchMetrics": [
        {"Namespace": "A", "Dimensions": [["Missing"], []], "Metrics": [{"Name": "M"}, {"Name": "Text"}]},
        {"Dimensions": [], "Metrics": [{"Name": "M"}]}]}, M=1, Text="nope")
    found = list(metrics_of(text, 5000))
    assert [(ns, [(d["MetricName"], d["Dimensions"], d["Timestamp"]) for d in data]) for ns, data in found] == [
        ("A", [("M", [], 5.0)])]


def test_plain_lines_are_not_metrics() -> None:
    assert list(metrics_of("hello", 0)) == []
    assert list(metrics_of('{"not": "emf"}', 0)) == []
    assert list(metrics_of('{"_aws": {broken', 0)) == []
