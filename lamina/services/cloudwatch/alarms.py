"""Metric alarms and their history in the store.

PutMetricAlarm creates an alarm in INSUFFICIENT_DATA, or overwrites an existing alarm's
configuration leaving its state unchanged
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
History items: ConfigurationUpdate, StateUpdate and Action, kept as AWS keeps them.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from lamina.services.cloudwatch import statistics
from lamina.services.cloudwatch.alarm_evaluation import OPERATORS
from lamina.services.cloudwatch.errors import InvalidParameterCombinationException, InvalidParameterValueException
from lamina.services.cloudwatch.metric_queries import check_period
from lamina.store.base import Store

TABLE = "cloudwatch:alarms"
HISTORY_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS alarm_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL, alarm TEXT NOT NULL,
        ts REAL NOT NULL, kind TEXT NOT NULL, summary TEXT NOT NULL, data TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS alarm_history_alarm ON alarm_history (account, region, alarm, ts)",
]
CONFIG_MEMBERS = ("AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
                  "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
                  "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
                  "EvaluateLowSampleCountPercentile", "Metrics")
ACTION_SERVICES = ("sns", "lambda")


def alarm_key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


def alarm_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"


def check_definition(params: dict[str, Any]) -> None:
    single = any(params.get(k) for k in ("MetricName", "Namespace", "Statistic", "ExtendedStatistic"))
    if single and params.get("Metrics"):
        raise InvalidParameterCombinationException(
            "The parameters MetricName, Namespace, Statistic and Metrics are mutually exclusive.")
    if params.get("ThresholdMetricId"):
        raise InvalidParameterValueException("lamina does not evaluate anomaly detection alarms (ThresholdMetricId).")
    if params["ComparisonOperator"] not in OPERATORS:
        raise InvalidParameterValueException(
            f"The value {params['ComparisonOperator']} for parameter ComparisonOperator is only valid with "
            "anomaly detection models, which lamina does not evaluate.")
    if params.get("Threshold") is None:
        raise InvalidParameterValueException("The parameter Threshold is required.")
    if params.get("Metrics"):
        returned = [q for q in params["Metrics"] if q.get("ReturnData", True)]
        if len(returned) != 1:
            raise InvalidParameterValueException(
                "Exactly one element of the metrics list should return data (ReturnData = true).")
    else:
        if not params.get("MetricName") or not params.get("Namespace") or not params.get("Period"):
            raise InvalidParameterValueException(
                "An alarm needs MetricName, Namespace and Period, or Metrics.")
        if bool(params.get("Statistic")) == bool(params.get("ExtendedStatistic")):
            raise InvalidParameterCombinationException(
                "Exactly one of the parameters Statistic and ExtendedStatistic must be specified.")
        if params.get("ExtendedStatistic") and not statistics.is_valid(params["ExtendedStatistic"]):
            raise InvalidParameterValueException(
                f"The value {params['ExtendedStatistic']} for parameter ExtendedStatistic is not valid.")
        check_period(params["Period"])
    m = params.get("DatapointsToAlarm")
    if m is not None and m > params["EvaluationPeriods"]:
        raise InvalidParameterValueException("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    for kind in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        for action in params.get(kind) or ():
            parts = action.split(":")
            if len(parts) < 6 or parts[0] != "arn" or parts[2] not in ACTION_SERVICES:
                raise InvalidParameterValueException(
                    f"Invalid arn syntax: {action}. lamina carries out SNS topic and Lambda function actions.")


class AlarmBook:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema("cloudwatch-alarms", HISTORY_SCHEMA)

    async def get(self, account: str, region: str, name: str) -> dict[str, Any] | None:
        found = await self.store.get(TABLE, alarm_key(account, region, name))
        return found.value if found else None

    async def all(self, account: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
        prefix = f"{account}/{region}/" if account else ""
        return [r.value for r in await self.store.scan(TABLE, prefix)]

    async def put(self, account: str, region: str, params: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Create or overwrite; returns (alarm, created)."""
        name = params["AlarmName"]
        now = time.time()
        current = await self.get(account, region, name)
        alarm: dict[str, Any] = {
            "AlarmName": name, "AlarmArn": alarm_arn(region, account, name), "AlarmConfigurationUpdatedTimestamp": now,
            "ActionsEnabled": params.get("ActionsEnabled", True), "OKActions": params.get("OKActions") or [],
            "AlarmActions": params.get("AlarmActions") or [],
            "InsufficientDataActions": params.get("InsufficientDataActions") or [],
            "TreatMissingData": params.get("TreatMissingData") or "missing",
            "Dimensions": params.get("Dimensions") or [],
        }
        for member in CONFIG_MEMBERS:
            if params.get(member) is not None and member not in alarm:
                alarm[member] = params[member]
        alarm["_account"], alarm["_region"] = account, region
        if current is None:
            alarm.update(StateValue="INSUFFICIENT_DATA", StateReason="Unchecked: Initial alarm creation",
                         StateUpdatedTimestamp=now, StateTransitionedTimestamp=now)
        else:
            for member in ("StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp",
                           "StateTransitionedTimestamp"):
                if member in current:
                    alarm[member] = current[member]
        await self.store.put(TABLE, alarm_key(account, region, name), alarm)
        self.record(account, region, name, "ConfigurationUpdate",
                    f'Alarm "{name}" {"created" if current is None else "updated"}',
                    {"version": "1.0", "type": "Create" if current is None else "Update",
                     "createdAlarm" if current is None else "updatedAlarm": public(alarm)})
        if params.get("Tags"):
            await self.store.put("cloudwatch:tags", alarm["AlarmArn"], {"tags": params["Tags"]})
        return alarm, current is None

    async def save(self, alarm: dict[str, Any]) -> None:
        await self.store.put(TABLE, alarm_key(alarm["_account"], alarm["_region"], alarm["AlarmName"]), alarm)

    async def delete(self, account: str, region: str, name: str) -> bool:
        found = await self.store.delete(TABLE, alarm_key(account, region, name))
        if found:
            self.store.execute("DELETE FROM alarm_history WHERE account=? AND region=? AND alarm=?",
                               (account, region, name))
        return found

    def record(self, account: str, region: str, name: str, kind: str, summary: str, data: dict[str, Any]) -> None:
        self.store.execute(
            "INSERT INTO alarm_history (account, region, alarm, ts, kind, summary, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (account, region, name, time.time(), kind, summary, orjson.dumps(data).decode()))

    def history(self, account: str, region: str, name: str | None, kind: str | None, start: float | None,
                end: float | None, ascending: bool) -> list[dict[str, Any]]:
        sql = "SELECT alarm, ts, kind, summary, data FROM alarm_history WHERE account=? AND region=?"
        args: list[Any] = [account, region]
        for clause, value in (("alarm = ?", name), ("kind = ?", kind), ("ts >= ?", start), ("ts <= ?", end)):
            if value is not None:
                sql += f" AND {clause}"
                args.append(value)
        sql += f" ORDER BY ts {'ASC' if ascending else 'DESC'}, id {'ASC' if ascending else 'DESC'}"
        return [{"AlarmName": alarm, "AlarmType": "MetricAlarm", "Timestamp": ts, "HistoryItemType": kind,
                 "HistorySummary": summary, "HistoryData": data}
                for alarm, ts, kind, summary, data in self.store.query(sql, args)]


def public(alarm: dict[str, Any]) -> dict[str, Any]:
    """The alarm as DescribeAlarms shows it (without lamina's own bookkeeping)."""
    return {k: v for k, v in alarm.items() if not k.startswith("_")}
