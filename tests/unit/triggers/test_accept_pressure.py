"""Delivery gives way to a burst of accepts and takes its full concurrency back when the burst ends."""

from __future__ import annotations

import asyncio

from lamina.triggers.accept_pressure import AcceptPressure

WINDOW = 3600.0  # the tests judge the windows themselves: the timer never fires on its own


def test_a_burst_is_noticed_and_its_end_too() -> None:
    changes: list[bool] = []

    async def scenario() -> None:
        pressure = AcceptPressure(changes.append, window=WINDOW, burst_rate=10 / WINDOW)
        for _ in range(10):
            pressure.accepted()
        pressure._judge()  # a window with 10 accepts: a burst
        for _ in range(10):
            pressure.accepted()
        pressure._judge()  # the burst goes on: nothing changes
        pressure._judge()  # a window without accepts: the burst is over
        pressure.stop()

    asyncio.run(scenario())
    assert changes == [True, False]


def test_a_trickle_of_accepts_is_not_a_burst() -> None:
    changes: list[bool] = []

    async def scenario() -> None:
        pressure = AcceptPressure(changes.append, window=WINDOW, burst_rate=10 / WINDOW)
        for _ in range(9):
            pressure.accepted()
        pressure._judge()
        assert pressure._timer is None  # nothing to watch until the next accept
        pressure.stop()

    asyncio.run(scenario())
    assert changes == []
