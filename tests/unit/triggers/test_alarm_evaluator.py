"""When the alarm evaluator evaluates data that has just been written: in the period it was written for."""

from __future__ import annotations

from lamina.triggers.alarm_evaluator import _as_of

MINUTE = 60.0
NOW = 1_750_000_000.5  # 40.5 s into its minute (which starts at 1_749_999_960)


def test_data_of_the_current_period_is_evaluated_now() -> None:
    assert _as_of(NOW, 60, NOW) == NOW
    assert _as_of(NOW - 20, 60, NOW) == NOW  # earlier in the same minute


def test_data_of_the_period_just_ended_is_evaluated_as_at_its_end() -> None:
    # Committed a moment after its minute ended (the metrics' commit delay): the window that holds it.
    current_start = NOW // MINUTE * MINUTE
    written = current_start - 0.2
    assert _as_of(written, 60, NOW) == current_start - 0.001
    assert (_as_of(written, 60, NOW) // MINUTE) * MINUTE == current_start - MINUTE  # evaluated in its own minute


def test_older_data_and_future_data_are_evaluated_now() -> None:
    current_start = NOW // MINUTE * MINUTE
    assert _as_of(current_start - MINUTE - 1, 60, NOW) == NOW  # a backfill two periods back is not a breach now
    assert _as_of(NOW + 3600, 60, NOW) == NOW  # PutMetricData accepts timestamps up to two hours ahead


def test_the_alarms_period_decides_which_period_the_data_belongs_to() -> None:
    five = 300
    start = NOW // five * five
    assert _as_of(start - 1, five, NOW) == start - 0.001
    assert _as_of(start + 1, five, NOW) == NOW
