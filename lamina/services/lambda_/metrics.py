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

import logging
import time
from typing import Any

from lamina.engine.api import InvocationResult
from lamina.services.lambda_.targets import Target

log = logging.getLogger("lamina.lambda")
NAMESPACE = "AWS/Lambda"


class InvocationMetrics:
    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self._in_flight: dict[str, int] = {}  # function name -> invocations running
        self._version_in_flight: dict[str, int] = {}  # engine spec key -> invocations running
        self._unreserved = 0

    def _dimension_sets(self, target: Target, executed: str | None = None) -> list[list[dict[str, str]]]:
        name = target.record.name
        resource = f"{name}:{target.qualifier}" if target.qualifier and target.qualifier != "$LATEST" else name
        sets = [[], [{"Name": "FunctionName", "Value": name}],
                [{"Name": "FunctionName", "Value": name}, {"Name": "Resource", "Value": resource}]]
        if executed is not None and target.alias is not None:
            sets.append(sets[2] + [{"Name": "ExecutedVersion", "Value": executed}])
        return sets

    def _publish(self, target: Target, figures: list[tuple[str, float, str]], executed: str | None = None,
                 account_wide_only: bool = False) -> None:
        publisher = self.platform.peer("cloudwatch")
        if publisher is None:
            return
        now = time.time()
        sets = [[]] if account_wide_only else self._dimension_sets(target, executed)
        data = [{"MetricName": name, "Dimensions": dims, "Value": value, "Unit": unit, "Timestamp": now}
                for name, value, unit in figures for dims in sets]
        try:
            publisher.put_metric_data(target.record.account, target.record.region, NAMESPACE, data)
        except Exception:  # metrics must never break an invocation
            log.warning("Lambda metrics could not be recorded", exc_info=True)

    # synchronous path (every invocation, sync or async, runs through run_sync)
    def started(self, target: Target, spec_key: str) -> None:
        name = target.record.name
        running = self._in_flight[name] = self._in_flight.get(name, 0) + 1
        self._version_in_flight[spec_key] = self._version_in_flight.get(spec_key, 0) + 1
        self._publish(target, [("ConcurrentExecutions", float(running), "Count")])
        if target.record.reserved_concurrency is None:
            self._unreserved += 1
            self._publish(target, [("UnreservedConcurrentExecutions", float(self._unreserved), "Count")],
                          account_wide_only=True)
        provisioned = self.platform.engine.provisioned_concurrency(spec_key)
        if provisioned is not None and provisioned.requested:
            in_use = self._version_in_flight[spec_key]
            self._publish(target, [("ProvisionedConcurrentExecutions", float(min(in_use, provisioned.requested)),
                                    "Count"),
                                   ("ProvisionedConcurrencyUtilization",
                                    min(in_use, provisioned.requested) / provisioned.requested, "None")])

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

    def completed(self, target: Target, version: str, result: InvocationResult, function_error: bool) -> None:
        self._publish(target, [("Invocations", 1.0, "Count"), ("Errors", 1.0 if function_error else 0.0, "Count"),
                               ("Duration", result.duration_ms, "Milliseconds")], executed=version)

    def throttled(self, target: Target) -> None:
        self._publish(target, [("Throttles", 1.0, "Count")])

    # asynchronous path
    def async_received(self, target: Target) -> None:
        self._publish(target, [("AsyncEventsReceived", 1.0, "Count")])

    def async_attempt(self, target: Target, received: float) -> None:
        self._publish(target, [("AsyncEventAge", max(0.0, (time.time() - received) * 1000.0), "Milliseconds")])

    def async_dropped(self, target: Target) -> None:
        self._publish(target, [("AsyncEventsDropped", 1.0, "Count")])

    def delivery_failed(self, target: Target, dead_letter: bool) -> None:
        self._publish(target, [("DeadLetterErrors" if dead_letter else "DestinationDeliveryFailures", 1.0, "Count")])
