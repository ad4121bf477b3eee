"""PutMetricData's rules for the data it takes
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html)."""

from __future__ import annotations

import math
import time
from typing import Any

from lamina.services.cloudwatch.datapoints import to_seconds
from lamina.services.cloudwatch.errors import InvalidParameterCombinationException, InvalidParameterValueException

MAX_PAST = 14 * 86400  # data up to two weeks old is accepted
MAX_FUTURE = 2 * 3600  # and up to two hours ahead


def _finite(value: Any, where: str) -> None:
    if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        raise InvalidParameterValueException(f"The value {value} for parameter {where} is invalid.")
    if value != 0 and not (2 ** -360 <= abs(value) <= 2 ** 360):
        raise InvalidParameterValueException(f"The value {value} for parameter {where} is out of range.")


def check(namespace: str, data: list[dict[str, Any]], now: float | None = None) -> None:
    if namespace.startswith("AWS/"):
        raise InvalidParameterValueException(
            f"The value {namespace} for parameter Namespace is invalid: the AWS/ namespaces are reserved.")
    now = now or time.time()
    for index, datum in enumerate(data, 1):
        where = f"MetricData.member.{index}"
        kinds = [k for k in ("Value", "StatisticValues", "Values") if datum.get(k) is not None]
        if len(kinds) > 1:
            raise InvalidParameterCombinationException(
                f"The parameters {where}.{kinds[0]} and {where}.{kinds[1]} are mutually exclusive and you have "
                "specified both.")
        if not kinds:
            raise InvalidParameterCombinationException(
                f"At least one of the parameters {where}.Value, {where}.StatisticValues or {where}.Values must "
                "be specified.")
        if datum.get("Value") is not None:
            _finite(datum["Value"], f"{where}.Value")
        if datum.get("Values") is not None:
            for value in datum["Values"]:
                _finite(value, f"{where}.Values")
            counts = datum.get("Counts")
            if counts is not None and len(counts) != len(datum["Values"]):
                raise InvalidParameterValueException(
                    f"The parameters {where}.Values and {where}.Counts must be of the same size.")
            if not datum["Values"]:
                raise InvalidParameterValueException(f"The parameter {where}.Values must not be empty.")
        if datum.get("StatisticValues") is not None:
            stats = datum["StatisticValues"]
            for name in ("SampleCount", "Sum", "Minimum", "Maximum"):
                _finite(stats[name], f"{where}.StatisticValues.{name}")
            if stats["SampleCount"] <= 0 or stats["Minimum"] > stats["Maximum"]:
                raise InvalidParameterValueException(f"The parameter {where}.StatisticValues is not consistent.")
        if datum.get("StorageResolution") not in (None, 1, 60):
            raise InvalidParameterValueException(
                f"The value {datum['StorageResolution']} for parameter {where}.StorageResolution is invalid: "
                "use 1 or 60.")
        names = [d["Name"] for d in datum.get("Dimensions") or ()]
        if len(names) != len(set(names)):
            raise InvalidParameterValueException(f"The parameter {where}.Dimensions contains a name twice.")
        if datum.get("Timestamp") is not None:
            when = to_seconds(datum["Timestamp"])
            if when < now - MAX_PAST or when > now + MAX_FUTURE:
                raise InvalidParameterValueException(
                    f"The parameter {where}.Timestamp must specify a time no more than two weeks in the past "
                    "and no more than two hours in the future.")
