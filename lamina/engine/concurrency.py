"""Concurrency accounting: the account limit, reserved concurrency per function, and throttling.

A function with reserved concurrency R runs at most R invocations at once and
no other function may use those R; functions without a reservation share what
is left of the account limit
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html,
https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html).
"""

from __future__ import annotations

from lamina.engine.api import EngineError, Throttled

# The wording Lambda uses in TooManyRequestsException for concurrency throttles.
RATE_EXCEEDED = "Rate Exceeded."


class Concurrency:
    def __init__(self, account_limit: int, minimum_unreserved: int) -> None:
        self.account_limit = account_limit
        self.minimum_unreserved = minimum_unreserved
        self._reserved: dict[str, int] = {}  # function ARN (unqualified) -> reserved concurrency
        self._running: dict[str, int] = {}  # function ARN -> invocations in flight
        self._unreserved_running = 0

    @property
    def unreserved(self) -> int:
        """Account concurrency not reserved by any function (GetAccountSettings' UnreservedConcurrentExecutions)."""
        return self.account_limit - sum(self._reserved.values())

    def reserved(self, function_arn: str) -> int | None:
        return self._reserved.get(function_arn)

    def set_reserved(self, function_arn: str, reserved: int | None) -> None:
        """Reserve concurrency for a function (None removes the reservation; 0 stops it being invoked).

        Raises EngineError("reserved_concurrency_too_high") when the reservation would leave less than the
        minimum unreserved, with Lambda's message (PutFunctionConcurrency's InvalidParameterValueException).
        """
        if reserved is None:
            self._reserved.pop(function_arn, None)
            return
        others = sum(value for arn, value in self._reserved.items() if arn != function_arn)
        if self.account_limit - others - reserved < self.minimum_unreserved:
            raise EngineError(
                "reserved_concurrency_too_high",
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{self.minimum_unreserved}].",
            )
        self._reserved[function_arn] = reserved

    def running(self, function_arn: str) -> int:
        return self._running.get(function_arn, 0)

    def acquire(self, function_arn: str) -> Lease:
        """Count one more invocation in flight, or raise Throttled with Lambda's Reason."""
        reserved = self._reserved.get(function_arn)
        running = self._running.get(function_arn, 0)
        if reserved is not None:
            if running >= reserved:
                raise Throttled("ReservedFunctionConcurrentInvocationLimitExceeded", RATE_EXCEEDED)
        elif self._unreserved_running >= self.unreserved:
            raise Throttled("ConcurrentInvocationLimitExceeded", RATE_EXCEEDED)
        else:
            self._unreserved_running += 1
        self._running[function_arn] = running + 1
        return Lease(self, function_arn, from_unreserved=reserved is None)

    def _release(self, lease: Lease) -> None:
        running = self._running[lease.function_arn] - 1
        if running:
            self._running[lease.function_arn] = running
        else:
            del self._running[lease.function_arn]
        if lease.from_unreserved:
            self._unreserved_running -= 1


class Lease:
    """One invocation's hold on concurrency; remembers which pool it drew from even if reservations change."""

    __slots__ = ("_owner", "function_arn", "from_unreserved", "_released")

    def __init__(self, owner: Concurrency, function_arn: str, from_unreserved: bool) -> None:
        self._owner = owner
        self.function_arn = function_arn
        self.from_unreserved = from_unreserved
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._owner._release(self)
