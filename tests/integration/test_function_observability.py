"""What a function's invocations leave behind, read back with boto3, the AWS CLI (v1) and Prometheus:
its log group and streams, the AWS/Lambda metrics, and metrics from Embedded Metric Format lines."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.functions import ROLE, python_zip, unique_name

SOURCE = """
import json

def handler(event, context):
    for i in range(event.get("lines", 0)):
        print(f"chatty line {i} of {context.aws_request_id}")
    print(json.dumps({"_aws": {"Timestamp": 1000 * int(__import__("time").time()), "CloudWatchMetrics": [
        {"Namespace": "Shop", "Dimensions": [["Service"]], "Metrics": [{"Name": "Orders", "Unit": "Count"}]}]},
        "Service": "checkout", "Orders": event.get("orders", 0), "requestId": context.aws_request_id}))
    if event.get("fail"):
        raise ValueError("order failed")
    return {"ok": True}
"""
INVOCATIONS, FAILURES, LINES = 5, 2, 3


@pytest.fixture(scope="module")
def invoked(server):  # type: ignore[no-untyped-def]
    """A function invoked INVOCATIONS times, FAILURES of which fail; returns (name, start, end)."""
    lam = server.client("lambda")
    name = unique_name("observed")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip(SOURCE)})
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=2)
    for i in range(INVOCATIONS):
        event = {"lines": LINES, "orders": i + 1, "fail": i < FAILURES}
        lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return name, start, dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=2)


def _aws(server, *args: str) -> dict:  # type: ignore[no-untyped-def]
    result = subprocess.run([sys.executable, "-m", "awscli", *args, "--output", "json"],
                            env={**__import__("os").environ, **server.env()}, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_log_group_and_streams_are_named_as_lambda_names_them(server, invoked) -> None:  # type: ignore[no-untyped-def]
    name, _, _ = invoked
    logs = server.client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"]
    assert [g["logGroupName"] for g in groups] == [f"/aws/lambda/{name}"]
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert streams and all(re.match(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", s["logStreamName"])
                           for s in streams)


def test_cli_filter_log_events_finds_each_invocations_lines(server, invoked) -> None:  # type: ignore[no-untyped-def]
    name, _, _ = invoked
    found = _aws(server, "logs", "filter-log-events", "--log-group-name", f"/aws/lambda/{name}",
                 "--filter-pattern", '"chatty line"')
    assert len(found["events"]) == INVOCATIONS * LINES
    reports = _aws(server, "logs", "filter-log-events", "--log-group-name", f"/aws/lambda/{name}",
                   "--filter-pattern", "REPORT")["events"]
    assert len(reports) == INVOCATIONS and all("Billed Duration" in e["message"] for e in reports)
    errors = _aws(server, "logs", "filter-log-events", "--log-group-name", f"/aws/lambda/{name}",
                  "--filter-pattern", '?"[ERROR] ValueError" ?"[ERROR] TypeError"')["events"]
    assert len(errors) == FAILURES


def test_cli_get_log_events_reads_a_stream_from_the_head(server, invoked) -> None:  # type: ignore[no-untyped-def]
    name, _, _ = invoked
    stream = server.client("logs").describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"][0]
    page = _aws(server, "logs", "get-log-events", "--log-group-name", f"/aws/lambda/{name}",
                "--log-stream-name", stream["logStreamName"], "--start-from-head")
    assert page["events"][0]["message"].startswith("START RequestId: ")
    assert page["nextForwardToken"].startswith("f/")


def test_cli_get_metric_statistics_counts_the_invocations(server, invoked) -> None:  # type: ignore[no-untyped-def]
    name, start, end = invoked
    figures = {}
    for metric in ("Invocations", "Errors"):
        found = _aws(server, "cloudwatch", "get-metric-statistics", "--namespace", "AWS/Lambda",
                     "--metric-name", metric, "--dimensions", f"Name=FunctionName,Value={name}",
                     "--statistics", "Sum", "--period", "60", "--start-time", start.isoformat(),
                     "--end-time", end.isoformat())
        figures[metric] = sum(p["Sum"] for p in found["Datapoints"])
    assert figures == {"Invocations": INVOCATIONS, "Errors": FAILURES}


def test_cli_get_metric_data_with_metric_math(server, invoked) -> None:  # type: ignore[no-untyped-def]
    name, start, end = invoked
    dims = [{"Name": "FunctionName", "Value": name}]
    queries = [
        {"Id": "invocations", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations",
                                                        "Dimensions": dims}, "Period": 3600, "Stat": "Sum"},
         "ReturnData": False},
        {"Id": "errors", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors",
                                                   "Dimensions": dims}, "Period": 3600, "Stat": "Sum"},
         "ReturnData": False},
        {"Id": "rate", "Expression": "100 * errors / invocations", "Label": "Error rate (%)"},
        {"Id": "slowest", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Duration",
                                                    "Dimensions": dims}, "Period": 3600, "Stat": "Maximum"}},
    ]
    found = _aws(server, "cloudwatch", "get-metric-data", "--metric-data-queries", json.dumps(queries),
                 "--start-time", (start - dt.timedelta(hours=1)).isoformat(), "--end-time", end.isoformat())
    results = {r["Id"]: r for r in found["MetricDataResults"]}
    assert set(results) == {"rate", "slowest"}
    assert results["rate"]["Label"] == "Error rate (%)"
    assert sum(results["rate"]["Values"]) == pytest.approx(100 * FAILURES / INVOCATIONS)
    assert results["slowest"]["Values"][0] > 0


def test_boto3_sees_concurrency_and_account_wide_figures(server, invoked) -> None:  # type: ignore[no-untyped-def]
    name, start, end = invoked
    cw = server.client("cloudwatch")
    peak = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName="ConcurrentExecutions",
                                    Dimensions=[{"Name": "FunctionName", "Value": name}], StartTime=start,
                                    EndTime=end, Period=3600, Statistics=["Maximum"])["Datapoints"]
    assert [p["Maximum"] for p in peak] == [1.0]  # the invocations ran one after another
    account_wide = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName="Invocations", StartTime=start,
                                            EndTime=end, Period=3600, Statistics=["Sum"])["Datapoints"]
    assert sum(p["Sum"] for p in account_wide) >= INVOCATIONS
    listed = cw.list_metrics(Namespace="AWS/Lambda", Dimensions=[{"Name": "FunctionName", "Value": name}])
    assert {"Invocations", "Errors", "Duration", "ConcurrentExecutions"} <= {m["MetricName"] for m in listed["Metrics"]}


def test_embedded_metric_format_lines_become_metrics(server, invoked) -> None:  # type: ignore[no-untyped-def]
    _, start, end = invoked
    found = server.client("cloudwatch").get_metric_statistics(
        Namespace="Shop", MetricName="Orders", Dimensions=[{"Name": "Service", "Value": "checkout"}],
        StartTime=start, EndTime=end, Period=3600, Statistics=["Sum", "SampleCount", "Maximum"])["Datapoints"]
    assert len(found) == 1
    point = found[0]
    assert (point["Sum"], point["SampleCount"], point["Maximum"]) == (15.0, 5.0, 5.0)
    assert point["Unit"] == "Count"


def test_prometheus_endpoint_counts_the_function(server, invoked) -> None:  # type: ignore[no-untyped-def]
    name, _, _ = invoked
    with urllib.request.urlopen(f"{server.endpoint}/metrics", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    assert f'lamina_lambda_invocations_total{{function_name="{name}"}} {INVOCATIONS}.0' in text
    assert f'lamina_lambda_errors_total{{function_name="{name}"}} {FAILURES}.0' in text
    assert f'lamina_lambda_duration_seconds_count{{function_name="{name}"}} {INVOCATIONS}.0' in text
    assert re.search(r"^lamina_log_lines_written_total \d+", text, re.M)
    assert 'lamina_service_up{service="logs"} 1.0' in text


def test_logs_insights_finds_the_slowest_invocations(server, invoked) -> None:  # type: ignore[no-untyped-def]
    name, start, end = invoked
    logs = server.client("logs")
    query = logs.start_query(
        logGroupName=f"/aws/lambda/{name}", startTime=int(start.timestamp()), endTime=int(end.timestamp()),
        queryString='filter @type = "REPORT" | fields @requestId, @duration | sort @duration desc | limit 3')
    deadline = time.monotonic() + 30
    while True:
        results = logs.get_query_results(queryId=query["queryId"])
        if results["status"] == "Complete" or time.monotonic() > deadline:
            break
        time.sleep(0.05)  # GetQueryResults is polled, as clients poll it
    assert results["status"] == "Complete"
    rows = [{f["field"]: f["value"] for f in row} for row in results["results"]]
    assert len(rows) == 3
    durations = [float(r["@duration"]) for r in rows]
    assert durations == sorted(durations, reverse=True)
    assert results["statistics"]["recordsMatched"] == INVOCATIONS
