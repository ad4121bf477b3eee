"""``GET /metrics``: the Prometheus exposition of lamina's own health and the functions' metrics.

Function figures are taken from the ``AWS/Lambda`` data points the engine publishes (the series
with the FunctionName dimension alone, so nothing is counted twice); platform figures are read
when scraped. Format: https://prometheus.io/docs/instrumenting/exposition_formats/
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.services.platform import Platform

PATH = "/metrics"
# Seconds: Lambda durations run from a millisecond to 15 minutes.
DURATION_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)


class _PlatformCollector(Collector):
    def __init__(self, platform: Platform, started: float) -> None:
        self.platform = platform
        self.started = started

    def collect(self) -> Iterator[Any]:
        yield GaugeMetricFamily("lamina_uptime_seconds", "Seconds since this lamina node started.",
                                value=time.time() - self.started)
        yield CounterMetricFamily("lamina_log_lines_written", "Log events written by functions and PutLogEvents.",
                                  value=self.platform.logs.lines_written)
        depth = GaugeMetricFamily("lamina_queue_depth", "Items waiting in a durable work queue.", labels=["queue"])
        for queue, count in self.platform.store.query("SELECT queue, COUNT(*) FROM queue_items GROUP BY queue"):
            depth.add_metric([queue], count)
        yield depth
        services = GaugeMetricFamily("lamina_service_up", "Services this node serves.", labels=["service"])
        for name in sorted(self.platform.peers):
            services.add_metric([name], 1)
        yield services


class PrometheusEndpoint:
    """A front door: answers GET /metrics, unsigned, as Prometheus scrapes."""

    def __init__(self, platform: Platform) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_PlatformCollector(platform, time.time()))
        labels = ["function_name"]
        self.invocations = Counter("lamina_lambda_invocations", "Function invocations.", labels,
                                   registry=self.registry)
        self.errors = Counter("lamina_lambda_errors", "Invocations that ended in a function error.", labels,
                              registry=self.registry)
        self.throttles = Counter("lamina_lambda_throttles", "Invocations refused for concurrency.", labels,
                                 registry=self.registry)
        self.duration = Histogram("lamina_lambda_duration_seconds", "Time function code ran.", labels,
                                  buckets=DURATION_BUCKETS, registry=self.registry)
        self.concurrency = Gauge("lamina_lambda_concurrent_executions",
                                 "Invocations in flight when the last one started.", labels, registry=self.registry)
        self._by_metric = {"Invocations": self.invocations, "Errors": self.errors, "Throttles": self.throttles,
                           "Duration": self.duration, "ConcurrentExecutions": self.concurrency}
        # (metric, function) -> its labelled child: ``labels()`` takes a lock and builds a key every call.
        self._children: dict[tuple[str, str], Any] = {}

    def matches(self, request: HttpRequest) -> bool:
        return request.path == PATH and request.method in ("GET", "HEAD") and "authorization" not in request.headers

    async def handle(self, request: HttpRequest) -> HttpResponse:
        body = generate_latest(self.registry)
        return HttpResponse(200, [("Content-Type", CONTENT_TYPE_LATEST)], b"" if request.method == "HEAD" else body)

    def observe(self, namespace: str, datum: dict[str, Any]) -> None:
        value = datum.get("Value")
        if value is not None:
            self.observe_value(namespace, datum["MetricName"], datum.get("Dimensions") or (), value)

    def observe_value(self, namespace: str, name: str, dimensions: Any, value: float) -> None:
        observe = self.observer(namespace, name, dimensions)
        if observe is not None:
            observe(value)

    def observer(self, namespace: str, name: str, dimensions: Any) -> Callable[[float], None] | None:
        """What records a value of this series in /metrics, or None when it is not shown there."""
        if namespace != "AWS/Lambda" or len(dimensions) != 1 or dimensions[0]["Name"] != "FunctionName":
            return None
        function = dimensions[0]["Value"]
        child = self._children.get((name, function))
        if child is None:
            metric = self._by_metric.get(name)
            if metric is None:
                return None
            if len(self._children) > 50_000:
                self._children.clear()
            child = self._children[(name, function)] = metric.labels(function)
        if name == "Duration":
            return lambda value: child.observe(value / 1000.0)
        if name == "ConcurrentExecutions":
            return child.set
        return lambda value: child.inc(value) if value > 0 else None
