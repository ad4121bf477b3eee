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
    cloudwatch.put_values(account, region, NAMESPACE, time.time(),
                          [(name, dimensions, dimensions_key(dimensions), value, unit)
                           for dimensions in dimension_sets for name, value, unit in values])
