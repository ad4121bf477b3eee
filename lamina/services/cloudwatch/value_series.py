"""Series that are published together again and again: the engine's figures of every invocation.

A Lambda invocation publishes the same dozen series each time (Invocations, Errors, Duration... under three
or four dimension sets). Looking each one up by its key in the pending data points was most of the cost of
the metrics; a ``ValueSeries`` keeps the pending aggregates of its series for the current minute and adds
to them directly, until the minute changes or the store commits its pending points.
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
        self._generation = -1
        self._aggregates: list[list[Aggregate]] = []

    def add(self, when: float, values: Sequence[float]) -> None:
        """One value per group, measured at ``when``, added under each of the group's dimension sets."""
        store = self.store
        ts = int(when // MINUTE * MINUTE)
        if ts != self._ts or store.generation != self._generation:
            self._aggregates = [store.pending_aggregates(keys, ts) for keys in self._keys]
            self._ts, self._generation = ts, store.generation
        for aggregates, value in zip(self._aggregates, values):
            for aggregate in aggregates:
                aggregate.add_value(value)
        for index, observe in self._observers:
            observe(values[index])
        store.schedule_flush()
