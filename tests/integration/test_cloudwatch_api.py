"""The CloudWatch API over each protocol botocore may speak to it (smithy-rpc-v2-cbor, json, query):
PutMetricData, statistics, metric math, ListMetrics, alarms."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from tests.functions import unique_name
from tests.protocol_clients import client_speaking

PROTOCOLS = ("smithy-rpc-v2-cbor", "json", "query")


@pytest.fixture(params=PROTOCOLS)
def cw(request, server, tmp_path_factory):  # type: ignore[no-untyped-def]
    return client_speaking(server, "cloudwatch", request.param, tmp_path_factory.mktemp("models"))


def _minute(minutes_ago: int = 0) -> dt.datetime:
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    return now - dt.timedelta(minutes=minutes_ago)


def test_statistics_of_values_statistic_sets_and_percentiles(cw) -> None:  # type: ignore[no-untyped-def]
    namespace = unique_name("App")
    at = _minute(5)
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "Latency", "Dimensions": [{"Name": "Route", "Value": "/a"}], "Timestamp": at,
         "Values": [10.0, 20.0, 30.0], "Counts": [1.0, 2.0, 1.0], "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": [{"Name": "Route", "Value": "/a"}], "Timestamp": at,
         "Value": 100.0, "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": [{"Name": "Route", "Value": "/a"}],
         "Timestamp": at + dt.timedelta(minutes=1),
         "StatisticValues": {"SampleCount": 4, "Sum": 8, "Minimum": 1, "Maximum": 3}, "Unit": "Milliseconds"}])
    found = cw.get_metric_statistics(
        Namespace=namespace, MetricName="Latency", Dimensions=[{"Name": "Route", "Value": "/a"}],
        StartTime=at, EndTime=at + dt.timedelta(minutes=2), Period=60,
        Statistics=["SampleCount", "Sum", "Average", "Minimum", "Maximum"])
    points = sorted(found["Datapoints"], key=lambda p: p["Timestamp"])
    assert [(p["SampleCount"], p["Sum"], p["Average"], p["Minimum"], p["Maximum"]) for p in points] == [
        (5.0, 180.0, 36.0, 10.0, 100.0), (4.0, 8.0, 2.0, 1.0, 3.0)]
    assert points[0]["Unit"] == "Milliseconds" and found["Label"] == "Latency"
    extended = cw.get_metric_statistics(
        Namespace=namespace, MetricName="Latency", Dimensions=[{"Name": "Route", "Value": "/a"}],
        StartTime=at, EndTime=at + dt.timedelta(minutes=1), Period=60, ExtendedStatistics=["p50", "p99"])
    assert extended["Datapoints"][0]["ExtendedStatistics"] == {"p50": 20.0, "p99": 100.0}
    # A metric is the exact dimension set: none given reads another (empty) metric.
    assert cw.get_metric_statistics(Namespace=namespace, MetricName="Latency", StartTime=at,
                                    EndTime=at + dt.timedelta(minutes=2), Period=60,
                                    Statistics=["Sum"])["Datapoints"] == []


def test_high_resolution_and_metric_math(cw) -> None:  # type: ignore[no-untyped-def]
    namespace = unique_name("Hi")
    at = _minute(3)
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "Hits", "Timestamp": at + dt.timedelta(seconds=s), "Value": float(s), "StorageResolution": 1}
        for s in range(0, 20, 2)] + [
        {"MetricName": "Misses", "Timestamp": at + dt.timedelta(seconds=s), "Value": 1.0, "StorageResolution": 1}
        for s in range(0, 10, 2)])
    window = {"StartTime": at, "EndTime": at + dt.timedelta(seconds=20)}
    per_ten = cw.get_metric_statistics(Namespace=namespace, MetricName="Hits", Period=10, Statistics=["Sum"],
                                       **window)
    assert sorted(p["Sum"] for p in per_ten["Datapoints"]) == [20.0, 70.0]
    queries = [
        {"Id": "hits", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "Hits"}, "Period": 10,
                                      "Stat": "Sum"}},
        {"Id": "misses", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "Misses"}, "Period": 10,
                                        "Stat": "Sum"}, "ReturnData": False},
        {"Id": "total", "Expression": "SUM(METRICS())"},
        {"Id": "filled", "Expression": "FILL(misses, 0)"},
        {"Id": "ratio", "Expression": "misses / (hits + misses)"},
    ]
    results = {r["Id"]: r for r in cw.get_metric_data(MetricDataQueries=queries, ScanBy="TimestampAscending",
                                                      **window)["MetricDataResults"]}
    assert set(results) == {"hits", "total", "filled", "ratio"}
    assert results["hits"]["Values"] == [20.0, 70.0]
    assert results["total"]["Values"] == [25.0, 70.0]
    assert results["filled"]["Values"] == [5.0, 0.0]
    assert results["ratio"]["Values"] == [pytest.approx(5 / 25)]
    assert results["hits"]["Timestamps"][0] < results["hits"]["Timestamps"][1]


def test_list_metrics_filters_by_dimension(cw) -> None:  # type: ignore[no-untyped-def]
    namespace = unique_name("List")
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "A", "Dimensions": [{"Name": "Host", "Value": "h1"}], "Value": 1.0},
        {"MetricName": "A", "Dimensions": [{"Name": "Host", "Value": "h2"}], "Value": 1.0},
        {"MetricName": "B", "Value": 1.0}])
    everything = cw.list_metrics(Namespace=namespace)["Metrics"]
    assert sorted((m["MetricName"], tuple(d["Value"] for d in m["Dimensions"])) for m in everything) == [
        ("A", ("h1",)), ("A", ("h2",)), ("B", ())]
    on_h2 = cw.list_metrics(Namespace=namespace, Dimensions=[{"Name": "Host", "Value": "h2"}])["Metrics"]
    assert [m["Dimensions"] for m in on_h2] == [[{"Name": "Host", "Value": "h2"}]]


def test_bad_input_is_refused_with_cloudwatch_errors(cw) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as reserved:
        cw.put_metric_data(Namespace="AWS/Lambda", MetricData=[{"MetricName": "x", "Value": 1.0}])
    assert reserved.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as both:
        cw.put_metric_data(Namespace="Mine", MetricData=[{"MetricName": "x", "Value": 1.0, "Values": [1.0]}])
    assert both.value.response["Error"]["Code"] == "InvalidParameterCombination"
    with pytest.raises(ClientError) as too_many:
        cw.get_metric_statistics(Namespace="Mine", MetricName="x", StartTime=_minute(60 * 25), EndTime=_minute(),
                                 Period=60, Statistics=["Sum"])
    assert too_many.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert "exceeds the limit of 1,440" in too_many.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as period:
        cw.get_metric_statistics(Namespace="Mine", MetricName="x", StartTime=_minute(5), EndTime=_minute(),
                                 Period=45, Statistics=["Sum"])
    assert period.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_alarm_lifecycle_history_and_actions_switch(cw) -> None:  # type: ignore[no-untyped-def]
    namespace, alarm = unique_name("Alarmed"), unique_name("alarm")
    cw.put_metric_alarm(AlarmName=alarm, Namespace=namespace, MetricName="Queue", Statistic="Maximum", Period=60,
                        EvaluationPeriods=2, DatapointsToAlarm=1, Threshold=10,
                        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
                        Tags=[{"Key": "team", "Value": "ops"}])
    described = cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]
    assert described["StateValue"] == "OK"  # missing data counts as not breaching
    cw.put_metric_data(Namespace=namespace, MetricData=[{"MetricName": "Queue", "Value": 50.0}])
    # Alarms reading a metric are evaluated before PutMetricData answers.
    assert cw.describe_alarms(StateValue="ALARM", AlarmNamePrefix=alarm)["MetricAlarms"][0]["AlarmName"] == alarm
    for_metric = cw.describe_alarms_for_metric(Namespace=namespace, MetricName="Queue")["MetricAlarms"]
    assert [a["AlarmName"] for a in for_metric] == [alarm]
    cw.disable_alarm_actions(AlarmNames=[alarm])
    assert cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["ActionsEnabled"] is False
    cw.set_alarm_state(AlarmName=alarm, StateValue="INSUFFICIENT_DATA", StateReason="testing")
    history = cw.describe_alarm_history(AlarmName=alarm, HistoryItemType="StateUpdate",
                                        ScanBy="TimestampAscending")["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in history] == [
        "Alarm updated from INSUFFICIENT_DATA to OK", "Alarm updated from OK to ALARM",
        "Alarm updated from ALARM to INSUFFICIENT_DATA"]
    arn = described["AlarmArn"]
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    with pytest.raises(ClientError) as bad_state:
        cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="x", StateReasonData="{not json")
    assert bad_state.value.response["Error"]["Code"] == "InvalidFormat"
    cw.delete_alarms(AlarmNames=[alarm])
    assert cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"] == []
    with pytest.raises(ClientError) as gone:
        cw.delete_alarms(AlarmNames=[alarm])
    assert gone.value.response["Error"]["Code"] == "ResourceNotFound"


def test_metric_math_alarm(cw) -> None:  # type: ignore[no-untyped-def]
    namespace, alarm = unique_name("Math"), unique_name("ratio")
    cw.put_metric_data(Namespace=namespace, MetricData=[{"MetricName": "Bad", "Value": 3.0},
                                                        {"MetricName": "All", "Value": 4.0}])
    cw.put_metric_alarm(AlarmName=alarm, EvaluationPeriods=1, Threshold=50,
                        ComparisonOperator="GreaterThanOrEqualToThreshold", Metrics=[
                            {"Id": "bad", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "Bad"},
                                                         "Period": 60, "Stat": "Sum"}, "ReturnData": False},
                            {"Id": "all", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "All"},
                                                         "Period": 60, "Stat": "Sum"}, "ReturnData": False},
                            {"Id": "pct", "Expression": "100 * bad / all", "ReturnData": True}])
    assert cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"] == "ALARM"
    with pytest.raises(ClientError) as bad:
        cw.put_metric_alarm(AlarmName=alarm + "x", EvaluationPeriods=1, Threshold=1,
                            ComparisonOperator="GreaterThanThreshold",
                            Metrics=[{"Id": "e", "Expression": "nosuch * 2", "ReturnData": True}])
    assert bad.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_get_metric_data_pages_by_max_datapoints(cw) -> None:  # type: ignore[no-untyped-def]
    namespace = unique_name("Paged")
    at = _minute(10)
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "N", "Timestamp": at + dt.timedelta(minutes=m), "Value": float(m)} for m in range(5)])
    query = [{"Id": "n", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "N"}, "Period": 60,
                                        "Stat": "Sum"}}]
    window = {"StartTime": at, "EndTime": at + dt.timedelta(minutes=5), "ScanBy": "TimestampAscending"}
    first = cw.get_metric_data(MetricDataQueries=query, MaxDatapoints=3, **window)
    assert first["MetricDataResults"][0]["Values"] == [0.0, 1.0, 2.0] and "NextToken" in first
    second = cw.get_metric_data(MetricDataQueries=query, MaxDatapoints=3, NextToken=first["NextToken"], **window)
    assert second["MetricDataResults"][0]["Values"] == [3.0, 4.0] and "NextToken" not in second


def test_large_put_metric_data_arrives_gzipped_and_is_read(cw) -> None:  # type: ignore[no-untyped-def]
    # botocore compresses PutMetricData bodies over 10 KB (the model's requestcompression trait).
    namespace = unique_name("Big")
    at = _minute(30)
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "Load", "Timestamp": at + dt.timedelta(seconds=s), "Value": 1.0, "StorageResolution": 1}
        for s in range(1000)])
    found = cw.get_metric_statistics(Namespace=namespace, MetricName="Load", StartTime=at,
                                     EndTime=at + dt.timedelta(seconds=1000), Period=60,
                                     Statistics=["SampleCount"])
    assert sum(p["SampleCount"] for p in found["Datapoints"]) == 1000
