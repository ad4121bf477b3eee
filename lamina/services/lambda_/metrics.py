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


class InvocationMetrics:
    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self._in_flight: dict[str, int] = {}  # function name -> invocations running
        self._version_in_flight: dict[str, int] = {}  # engine spec key -> invocations running
        self._unreserved = 0
        self._dimension_cache: dict[tuple[str, str | None, str | None], list[tuple[list[dict[str, str]], str]]] = {}

    def _dimension_sets(self, target: Target, executed: str | None = None) -> list[tuple[list[dict[str, str]], str]]:
        """The dimension sets a figure is published under, each with its canonical key (computed once)."""
        name = target.record.name
        qualifier = target.qualifier if target.qualifier and target.qualifier != "$LATEST" else None
        executed = executed if target.alias is not None else None
        key = (name, qualifier, executed)
        found = self._dimension_cache.get(key)
        if found is None:
            resource = f"{name}:{qualifier}" if qualifier else name
            function = [{"Name": "FunctionName", "Value": name}]
            sets = [[], function, function + [{"Name": "Resource", "Value": resource}]]
            if executed is not None:
                sets.append(sets[2] + [{"Name": "ExecutedVersion", "Value": executed}])
            found = [(dimensions, dimensions_key(dimensions)) for dimensions in sets]
            if len(self._dimension_cache) > 10_000:
                self._dimension_cache.clear()
            self._dimension_cache[key] = found
        return found

    def _publish(self, target: Target, figures: list[tuple[str, float, str]], executed: str | None = None,
                 account_wide: list[tuple[str, float, str]] = ()) -> None:  # type: ignore[assignment]
        publisher = self.platform.peer("cloudwatch")
        if publisher is None:
            return
        values = [(name, dimensions, key, value, unit)
                  for name, value, unit in figures for dimensions, key in self._dimension_sets(target, executed)]
        values += [(name, [], _NO_DIMENSIONS, value, unit) for name, value, unit in account_wide]
        try:
            publisher.put_values(target.record.account, target.record.region, NAMESPACE, time.time(), values)
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
        account_wide = [("UnreservedConcurrentExecutions", unreserved, "Count")] if unreserved >= 0 else []
        if result is None:
            self._publish(target, [("Throttles", 1.0, "Count")])
            return
        self._publish(target, [("Invocations", 1.0, "Count"), ("Errors", 1.0 if function_error else 0.0, "Count"),
                               ("Duration", result.duration_ms, "Milliseconds"),
                               ("ConcurrentExecutions", running, "Count")], executed=version,
                      account_wide=account_wide)
        provisioned = self.platform.engine.provisioned_concurrency(spec_key)
        if provisioned is not None and provisioned.requested:
            used = min(in_version, provisioned.requested)
            self._publish(target, [("ProvisionedConcurrentExecutions", used, "Count"),
                                   ("ProvisionedConcurrencyUtilization", used / provisioned.requested, "None")])

    # asynchronous path
    def async_received(self, target: Target) -> None:
        self._publish(target, [("AsyncEventsReceived", 1.0, "Count")])

    def async_attempt(self, target: Target, received: float) -> None:
        self._publish(target, [("AsyncEventAge", max(0.0, (time.time() - received) * 1000.0), "Milliseconds")])

    def async_dropped(self, target: Target) -> None:
        self._publish(target, [("AsyncEventsDropped", 1.0, "Count")])

    def delivery_failed(self, target: Target, dead_letter: bool) -> None:
        self._publish(target, [("DeadLetterErrors" if dead_letter else "DestinationDeliveryFailures", 1.0, "Count")])
