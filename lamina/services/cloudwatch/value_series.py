"""Series that are published together again and again: the engine's figures of every invocation.

A Lambda invocation publishes the same few figures each time (Invocations, Errors, Duration...), each under
three or four dimension sets: the same value lands in every set's data point. A ``ValueSeries`` therefore
keeps one aggregate per figure for the current minute, adds each value once, and hands the aggregates over
to the store's pending data points of every dimension set only when the store commits (or is read) or the
minute changes: an invocation adds five values instead of a dozen and more, and looks nothing up.
"""

from __future__ import annotations

from typing import Callable, Sequence

from lamina.services.cloudwatch.datapoints import MINUTE, Aggregate, MetricStore

# One figure: its metric name, unit and the dimension sets (with their canonical keys) it is published under.
Group = tuple[str, str, Sequence[tuple[list[dict[str, str]], str]]]
Observer = Callable[[float], None]


class ValueSeries:
    def __init__(self, store: MetricStore, account: str, region: str, namespace: str, groups: Sequence[Group],
                 observers: Sequence[tuple[int, Observer]]) -> None:
        self.store = store
        self._keys = [[((account, region, namespace, name, key), unit) for _, key in dimension_sets]
                      for name, unit, dimension_sets in groups]
        self._observers = observers  # (group index, Prometheus observer)
        self._ts = -1
        self._held: list[Aggregate] | None = None  # one per group, for the minute ``_ts``, not handed over yet

    def add(self, when: float, values: Sequence[float]) -> None:
        """One value per group, measured at ``when``, added under each of the group's dimension sets."""
        ts = int(when // MINUTE * MINUTE)
        held = self._held
        if held is None or ts != self._ts:
            self._hand_over()
            held = self._held = [Aggregate() for _ in self._keys]
            self._ts = ts
            self.store.hold(self._hand_over)
        for aggregate, value in zip(held, values):
            aggregate.add_value(value)
        for index, observe in self._observers:
            observe(values[index])
        self.store.schedule_flush()

    def _hand_over(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        for keys, aggregate in zip(self._keys, held):
            if aggregate.count:
                for pending in self.store.pending_aggregates(keys, self._ts):
                    pending.merge(aggregate)
