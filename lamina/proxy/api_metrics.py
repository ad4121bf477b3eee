"""API Gateway's metrics, published to the node's CloudWatch service when it serves one.

HTTP APIs: ``Count``, ``4xx``, ``5xx``, ``Latency``, ``IntegrationLatency``, ``DataProcessed`` by ApiId,
ApiId+Stage and, with detailed metrics enabled, ApiId+Stage+Route
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html).
REST APIs: ``Count``, ``4XXError``, ``5XXError``, ``Latency``, ``IntegrationLatency`` by ApiName,
ApiName+Stage and, detailed, ApiName+Stage+Method+Resource
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from lamina.services.cloudwatch.datapoints import dimensions_key

NAMESPACE = "AWS/ApiGateway"
# (publisher, account, region, dimension set keys, figure names) -> the publisher's handle on those series:
# a stage's requests publish the same series again and again (cloudwatch/value_series.py).
_SERIES: dict[tuple[Any, ...], Any] = {}


@dataclass(slots=True)
class RequestFigures:
    status: int
    latency_ms: float
    integration_latency_ms: float | None
    bytes_processed: int


def _values(names: tuple[str, str], figures: RequestFigures, http_api: bool) -> list[tuple[str, float, str]]:
    client, server = names
    values = [("Count", 1.0, "Count"),
              (client, 1.0 if 400 <= figures.status < 500 else 0.0, "Count"),
              (server, 1.0 if figures.status >= 500 else 0.0, "Count"),
              ("Latency", figures.latency_ms, "Milliseconds")]
    if figures.integration_latency_ms is not None:
        values.append(("IntegrationLatency", figures.integration_latency_ms, "Milliseconds"))
    if http_api:
        values.append(("DataProcessed", float(figures.bytes_processed), "Bytes"))
    return values


def publish(cloudwatch: Any, account: str, region: str, figures: RequestFigures,
            dimension_sets: list[list[dict[str, str]]], http_api: bool) -> None:
    """Publish one request's figures under every dimension set; nothing when CloudWatch is not served."""
    if cloudwatch is None:
        return
    names = ("4xx", "5xx") if http_api else ("4XXError", "5XXError")
    values = _values(names, figures, http_api)
    sets = [(dimensions, dimensions_key(dimensions)) for dimensions in dimension_sets]
    key = (cloudwatch, account, region, tuple(k for _, k in sets), tuple(name for name, _, _ in values))
    series = _SERIES.get(key)
    if series is None:
        if len(_SERIES) > 10_000:
            _SERIES.clear()
        series = _SERIES[key] = cloudwatch.value_series(account, region, NAMESPACE,
                                                        [(name, unit, sets) for name, _, unit in values])
    series.add(time.time(), tuple(value for _, value, _ in values))
