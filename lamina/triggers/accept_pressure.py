"""Whether asynchronous invocations are arriving in a burst, so that delivery leaves the event loop to them.

Accepting and delivering events share one event loop. Left alone, 64 deliveries in flight take most of
its turns (each is several steps: claim, run, finish, the metrics) and a client queueing events waits
behind the backlog it is creating. Acknowledging an event is what a caller waits for; its delivery may
lag a little (Lambda's own queue gives no timing promise). So while events arrive at BURST_RATE or more,
the async invoker delivers with a fraction of its concurrency; one quiet WINDOW later it is back to full
concurrency, so a server that is not being flooded delivers as fast as ever.
"""

from __future__ import annotations

import asyncio
from typing import Callable

WINDOW = 0.1  # seconds over which the arrival rate is judged
BURST_RATE = 500.0  # accepts per second from which acceptance needs a larger share of the loop


class AcceptPressure:
    def __init__(self, on_change: Callable[[bool], None], *, window: float = WINDOW,
                 burst_rate: float = BURST_RATE) -> None:
        """``on_change(True)`` when a burst begins, ``on_change(False)`` when it has ended."""
        self._on_change = on_change
        self._window = window
        self._burst = max(1, round(burst_rate * window))
        self._count = 0
        self._timer: asyncio.TimerHandle | None = None
        self.bursting = False

    def accepted(self) -> None:
        """One event was accepted (called on the accept path: a counter, nothing more)."""
        self._count += 1
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._window, self._judge)

    def _judge(self) -> None:
        bursting, self._count = self._count >= self._burst, 0
        if bursting != self.bursting:
            self.bursting = bursting
            self._on_change(bursting)
        # Keep judging while a burst lasts (its end must be noticed); otherwise wait for the next accept.
        self._timer = asyncio.get_running_loop().call_later(self._window, self._judge) if bursting else None

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
