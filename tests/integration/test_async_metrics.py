"""The asynchronous-invocation metrics: AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#async-invocation-metrics)."""

from __future__ import annotations

import datetime as dt
import time

from tests.functions import ROLE, python_zip, unique_name


def _sum(cw, name: str, metric: str, start: dt.datetime) -> float:  # type: ignore[no-untyped-def]
    points = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName=metric,
                                      Dimensions=[{"Name": "FunctionName", "Value": name}], StartTime=start,
                                      EndTime=start + dt.timedelta(hours=1), Period=3600,
                                      Statistics=["Sum", "SampleCount"])["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_async_events_received_aged_and_dropped(server) -> None:  # type: ignore[no-untyped-def]
    lam, cw = server.client("lambda"), server.client("cloudwatch")
    name = unique_name("asyncfail")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip("def handler(event, context):\n    raise ValueError('no')\n")})
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    for _ in range(2):
        assert lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    assert _sum(cw, name, "AsyncEventsReceived", start) == 2  # counted when accepted
    deadline = time.monotonic() + 30
    while _sum(cw, name, "AsyncEventsDropped", start) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the events run in the background; their metrics are polled, as a dashboard would
    assert _sum(cw, name, "AsyncEventsDropped", start) == 2
    assert _sum(cw, name, "Errors", start) == 2
    ages = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName="AsyncEventAge",
                                    Dimensions=[{"Name": "FunctionName", "Value": name}], StartTime=start,
                                    EndTime=start + dt.timedelta(hours=1), Period=3600,
                                    Statistics=["SampleCount", "Minimum"])["Datapoints"]
    assert ages[0]["SampleCount"] == 2 and ages[0]["Minimum"] >= 0 and ages[0]["Unit"] == "Milliseconds"
