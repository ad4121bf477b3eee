"""What an alarm's actions send: the JSON body CloudWatch publishes to SNS topics, and the event
Lambda function actions receive.

SNS: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
(subject ``ALARM: "<name>" in <region description>``, message the alarm's JSON).
Lambda: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-actions-Lambda
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import botocore.session
import orjson


@lru_cache(maxsize=None)
def region_description(region: str) -> str:
    """The region's name as AWS writes it (from botocore's endpoint data), e.g. US East (N. Virginia)."""
    for partition in botocore.session.get_session().get_data("endpoints")["partitions"]:
        found = partition.get("regions", {}).get(region)
        if found:
            return found.get("description", region)
    return region


def _iso(ts: float) -> str:
    when = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def subject(alarm: dict[str, Any], region: str) -> str:
    text = f'{alarm["StateValue"]}: "{alarm["AlarmName"]}" in {region_description(region)}'
    return text[:100]  # SNS subjects are at most 100 characters


def _trigger(alarm: dict[str, Any]) -> dict[str, Any]:
    if alarm.get("Metrics"):
        return {"Period": alarm.get("Period") or 0, "EvaluationPeriods": alarm["EvaluationPeriods"],
                "DatapointsToAlarm": alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"],
                "ComparisonOperator": alarm["ComparisonOperator"], "Threshold": alarm["Threshold"],
                "TreatMissingData": alarm.get("TreatMissingData", "missing"),
                "EvaluateLowSampleCountPercentile": "", "Metrics": alarm["Metrics"]}
    return {
        "MetricName": alarm.get("MetricName"), "Namespace": alarm.get("Namespace"),
        "StatisticType": "Statistic" if alarm.get("Statistic") else "ExtendedStatistic",
        "Statistic": (alarm.get("Statistic") or "").upper() or None,
        "ExtendedStatistic": alarm.get("ExtendedStatistic"),
        "Unit": alarm.get("Unit"),
        "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions") or ()],
        "Period": alarm.get("Period"), "EvaluationPeriods": alarm["EvaluationPeriods"],
        "DatapointsToAlarm": alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"],
        "ComparisonOperator": alarm["ComparisonOperator"], "Threshold": alarm["Threshold"],
        "TreatMissingData": alarm.get("TreatMissingData", "missing"), "EvaluateLowSampleCountPercentile": "",
    }


def sns_message(alarm: dict[str, Any], old_state: str, account: str, region: str) -> str:
    body = {
        "AlarmName": alarm["AlarmName"],
        "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": account,
        "AlarmConfigurationUpdatedTimestamp": _iso(alarm["AlarmConfigurationUpdatedTimestamp"]),
        "NewStateValue": alarm["StateValue"],
        "NewStateReason": alarm["StateReason"],
        "StateChangeTime": _iso(alarm["StateUpdatedTimestamp"]),
        "Region": region_description(region),
        "AlarmArn": alarm["AlarmArn"],
        "OldStateValue": old_state,
        "OKActions": alarm.get("OKActions") or [],
        "AlarmActions": alarm.get("AlarmActions") or [],
        "InsufficientDataActions": alarm.get("InsufficientDataActions") or [],
        "Trigger": _trigger(alarm),
    }
    return orjson.dumps(body).decode()


def lambda_event(alarm: dict[str, Any], old: dict[str, Any], account: str, region: str) -> bytes:
    def state(value: str, reason: str, data: str | None, ts: float) -> dict[str, Any]:
        found: dict[str, Any] = {"value": value, "reason": reason, "timestamp": _iso(ts)}
        if data:
            found["reasonData"] = data
        return found

    configuration: dict[str, Any] = {"description": alarm.get("AlarmDescription", "")}
    if alarm.get("Metrics"):
        configuration["metrics"] = alarm["Metrics"]
    else:
        configuration["metrics"] = [{"id": "m1", "metricStat": {
            "metric": {"namespace": alarm.get("Namespace"), "name": alarm.get("MetricName"),
                       "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or ()}},
            "period": alarm.get("Period"), "stat": alarm.get("Statistic") or alarm.get("ExtendedStatistic")},
            "returnData": True}]
    event = {
        "source": "aws.cloudwatch", "alarmArn": alarm["AlarmArn"], "accountId": account,
        "time": _iso(alarm["StateUpdatedTimestamp"]), "region": region,
        "alarmData": {
            "alarmName": alarm["AlarmName"],
            "state": state(alarm["StateValue"], alarm["StateReason"], alarm.get("StateReasonData"),
                           alarm["StateUpdatedTimestamp"]),
            "previousState": state(old["StateValue"], old.get("StateReason", ""), old.get("StateReasonData"),
                                   old.get("StateUpdatedTimestamp") or alarm["StateUpdatedTimestamp"]),
            "configuration": configuration,
        },
    }
    return orjson.dumps(event)


def email_text(alarm: dict[str, Any], old_state: str, account: str, region: str) -> str:
    """The readable form CloudWatch's alarm e-mails take (the "email" member of the published message)."""
    when = dt.datetime.fromtimestamp(alarm["StateUpdatedTimestamp"], dt.timezone.utc)
    stamp = when.strftime("%A %d %B, %Y %H:%M:%S UTC")
    place = region_description(region)
    n = alarm["EvaluationPeriods"]
    m = alarm.get("DatapointsToAlarm") or n
    lines = [
        f'You are receiving this email because your Amazon CloudWatch Alarm "{alarm["AlarmName"]}" in the {place} '
        f'region has entered the {alarm["StateValue"]} state, because "{alarm["StateReason"]}" at "{stamp}".',
        "",
        "Alarm Details:",
        f"- Name:                       {alarm['AlarmName']}",
        f"- Description:                {alarm.get('AlarmDescription') or ''}",
        f"- State Change:               {old_state} -> {alarm['StateValue']}",
        f"- Reason for State Change:    {alarm['StateReason']}",
        f"- Timestamp:                  {stamp}",
        f"- AWS Account:                {account}",
        f"- Alarm Arn:                  {alarm['AlarmArn']}",
        "",
        "Threshold:",
        f"- The alarm is in the ALARM state when the metric is {alarm['ComparisonOperator']} {alarm['Threshold']} "
        f"for at least {m} of the last {n} period(s) of {alarm.get('Period') or ''} seconds.",
        "",
    ]
    if not alarm.get("Metrics"):
        dimensions = ", ".join(f"{d['Name']} = {d['Value']}" for d in alarm.get("Dimensions") or ())
        lines += [
            "Monitored Metric:",
            f"- MetricNamespace:                     {alarm.get('Namespace')}",
            f"- MetricName:                          {alarm.get('MetricName')}",
            f"- Dimensions:                          [{dimensions}]",
            f"- Period:                              {alarm.get('Period')} seconds",
            f"- Statistic:                           {alarm.get('Statistic') or alarm.get('ExtendedStatistic')}",
            f"- Unit:                                {alarm.get('Unit') or 'not specified'}",
            f"- TreatMissingData:                    {alarm.get('TreatMissingData', 'missing')}",
            "",
        ]
    lines += [
        "State Change Actions:",
        f"- OK: [{', '.join(alarm.get('OKActions') or [])}]",
        f"- ALARM: [{', '.join(alarm.get('AlarmActions') or [])}]",
        f"- INSUFFICIENT_DATA: [{', '.join(alarm.get('InsufficientDataActions') or [])}]",
    ]
    return "\n".join(lines) + "\n"
