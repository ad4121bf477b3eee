"""The AWS/Lambda metrics of invocations, published to CloudWatch through its MetricPublisher interface.

Metrics and dimensions: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
and https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-view.html: every figure is
published account-wide (no dimension), per FunctionName, per FunctionName and Resource (the
function, or function:qualifier when invoked through an alias or version) and, for aliases, per
FunctionName, Resource and ExecutedVersion.
- Invocations, Errors, Duration: per completed invocation (throttled requests are not invocations);
- Throttles: per request refused for concurrency;
- ConcurrentExecutions (Maximum is the meaningful statistic): the invocations in flight as each starts;
  UnreservedConcurrentExecutions the same, account-wide, for functions without reserved concurrency;
- ProvisionedConcurrentExecutions / ProvisionedConcurrencyUtilization for versions and aliases with
  provisioned concurrency;
- AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped, DeadLetterErrors, DestinationDeliveryFailures
  for asynchronous invocation.
Nothing here may fail an invocation: without a CloudWatch service on the node the figures are skipped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from lamina.engine.api import InvocationResult
from lamina.services.cloudwatch.datapoints import dimensions_key
from lamina.services.lambda_.targets import Target

log = logging.getLogger("lamina.lambda")
NAMESPACE = "AWS/Lambda"
_NO_DIMENSIONS = dimensions_key([])


# The figures each kind of publication carries, in order: (metric name, unit).
Figures = tuple[tuple[str, str], ...]
COMPLETED: Figures = (("Invocations", "Count"), ("Errors", "Count"), ("Duration", "Milliseconds"),
                      ("ConcurrentExecutions", "Count"))
UNRESERVED: Figures = (("UnreservedConcurrentExecutions", "Count"),)
PROVISIONED: Figures = (("ProvisionedConcurrentExecutions", "Count"), ("ProvisionedConcurrencyUtilization", "None"))
THROTTLES: Figures = (("Throttles", "Count"),)
ASYNC_RECEIVED: Figures = (("AsyncEventsReceived", "Count"),)
ASYNC_AGE: Figures = (("AsyncEventAge", "Milliseconds"),)
ASYNC_DROPPED: Figures = (("AsyncEventsDropped", "Count"),)
DEAD_LETTER: Figures = (("DeadLetterErrors", "Count"),)
DESTINATION_FAILED: Figures = (("DestinationDeliveryFailures", "Count"),)


class InvocationMetrics:
    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self._in_flight: dict[str, int] = {}  # function name -> invocations running
        self._version_in_flight: dict[str, int] = {}  # engine spec key -> invocations running
        self._unreserved = 0
        # (publisher, account, region, function, qualifier, executed, figures, account-wide figures) -> the
        # publisher's handle on those series: built once, so an invocation adds a dozen values with no lookups.
        self._series: dict[tuple[Any, ...], Any] = {}

    @staticmethod
    def _dimension_sets(name: str, qualifier: str | None,
                        executed: str | None) -> list[tuple[list[dict[str, str]], str]]:
        """The dimension sets a figure is published under, each with its canonical key."""
        resource = f"{name}:{qualifier}" if qualifier else name
        function = [{"Name": "FunctionName", "Value": name}]
        sets = [[], function, function + [{"Name": "Resource", "Value": resource}]]
        if executed is not None:
            sets.append(sets[2] + [{"Name": "ExecutedVersion", "Value": executed}])
        return [(dimensions, dimensions_key(dimensions)) for dimensions in sets]

    def _publish(self, target: Target, figures: Figures, values: tuple[float, ...], executed: str | None = None,
                 account_wide: Figures = ()) -> None:
        """``values``: one per figure, then one per account-wide figure (published with no dimension)."""
        publisher = self.platform.peer("cloudwatch")
        if publisher is None:
            return
        record = target.record
        qualifier = target.qualifier if target.qualifier and target.qualifier != "$LATEST" else None
        executed = executed if target.alias is not None else None
        key = (publisher, record.account, record.region, record.name, qualifier, executed, figures, account_wide)
        try:
            series = self._series.get(key)
            if series is None:
                sets = self._dimension_sets(record.name, qualifier, executed)
                groups = [(name, unit, sets) for name, unit in figures]
                groups += [(name, unit, [([], _NO_DIMENSIONS)]) for name, unit in account_wide]
                if len(self._series) > 10_000:
                    self._series.clear()
                series = self._series[key] = publisher.value_series(record.account, record.region, NAMESPACE, groups)
            series.add(time.time(), values)
        except Exception:  # metrics must never break an invocation
            log.warning("Lambda metrics could not be recorded", exc_info=True)

    # synchronous path (every invocation, sync or async, runs through run_sync)
    def started(self, target: Target, spec_key: str) -> tuple[float, ...]:
        """Count the invocation in flight; returns the concurrency figures to publish when it ends
        (one publication per invocation keeps the hook cheap)."""
        name = target.record.name
        running = self._in_flight[name] = self._in_flight.get(name, 0) + 1
        in_version = self._version_in_flight[spec_key] = self._version_in_flight.get(spec_key, 0) + 1
        unreserved = -1.0
        if target.record.reserved_concurrency is None:
            self._unreserved += 1
            unreserved = float(self._unreserved)
        return float(running), float(in_version), unreserved

    def ended(self, target: Target, spec_key: str) -> None:
        name = target.record.name
        self._in_flight[name] -= 1
        if not self._in_flight[name]:
            del self._in_flight[name]
        self._version_in_flight[spec_key] -= 1
        if not self._version_in_flight[spec_key]:
            del self._version_in_flight[spec_key]
        if target.record.reserved_concurrency is None:
            self._unreserved -= 1

    def completed(self, target: Target, spec_key: str, version: str, concurrency: tuple[float, ...],
                  result: InvocationResult | None, function_error: bool) -> None:
        """Publish an invocation's figures (``result`` None: it was throttled) once the answer is on its way:
        the callback runs in the event loop's next round, after the response is written and before any
        later request (a reader of the metrics among them) is handled."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._completed(target, spec_key, version, concurrency, result, function_error)
            return
        loop.call_soon(self._completed, target, spec_key, version, concurrency, result, function_error)

    def _completed(self, target: Target, spec_key: str, version: str, concurrency: tuple[float, ...],
                   result: InvocationResult | None, function_error: bool) -> None:
        running, in_version, unreserved = concurrency
        if result is None:
            self._publish(target, THROTTLES, (1.0,))
            return
        errors = 1.0 if function_error else 0.0
        if unreserved >= 0:
            self._publish(target, COMPLETED, (1.0, errors, result.duration_ms, running, unreserved), executed=version,
                          account_wide=UNRESERVED)
        else:
            self._publish(target, COMPLETED, (1.0, errors, result.duration_ms, running), executed=version)
        provisioned = self.platform.engine.provisioned_concurrency(spec_key)
        if provisioned is not None and provisioned.requested:
            used = min(in_version, provisioned.requested)
            self._publish(target, PROVISIONED, (used, used / provisioned.requested))

    # asynchronous path
    def async_received(self, target: Target) -> None:
        self._publish(target, ASYNC_RECEIVED, (1.0,))

    def async_attempt(self, target: Target, received: float) -> None:
        self._publish(target, ASYNC_AGE, (max(0.0, (time.time() - received) * 1000.0),))

    def async_dropped(self, target: Target) -> None:
        self._publish(target, ASYNC_DROPPED, (1.0,))

    def delivery_failed(self, target: Target, dead_letter: bool) -> None:
        self._publish(target, DEAD_LETTER if dead_letter else DESTINATION_FAILED, (1.0,))
