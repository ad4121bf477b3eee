"""Schedule expressions as https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
documents them (rate units, the six cron fields, ``?``, ``L``, ``W``, ``#``)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from lamina.services.events.errors import ValidationException
from lamina.services.events.schedules import Rate, parse

START = datetime(2026, 11, 23, 15, 0, 30, tzinfo=timezone.utc).timestamp()  # a Monday


def firings(expression: str, count: int = 3, start: float = START) -> list[str]:
    schedule = parse(expression)
    out, moment = [], start
    for _ in range(count):
        moment = schedule.next_after(moment, start)
        out.append(datetime.fromtimestamp(moment, timezone.utc).strftime("%a %Y-%m-%d %H:%M"))
    return out


@pytest.mark.parametrize("expression, expected", [
    ("cron(0 10 * * ? *)", ["Tue 2026-11-24 10:00", "Wed 2026-11-25 10:00", "Thu 2026-11-26 10:00"]),
    ("cron(15 12 * * ? *)", ["Tue 2026-11-24 12:15", "Wed 2026-11-25 12:15", "Thu 2026-11-26 12:15"]),
    ("cron(0/15 * * * ? *)", ["Mon 2026-11-23 15:15", "Mon 2026-11-23 15:30", "Mon 2026-11-23 15:45"]),
    ("cron(0 18 ? * MON-FRI *)", ["Mon 2026-11-23 18:00", "Tue 2026-11-24 18:00", "Wed 2026-11-25 18:00"]),
    ("cron(0 8 1 * ? *)", ["Tue 2026-12-01 08:00", "Fri 2027-01-01 08:00", "Mon 2027-02-01 08:00"]),
    ("cron(0/10 * ? * MON-FRI *)", ["Mon 2026-11-23 15:10", "Mon 2026-11-23 15:20", "Mon 2026-11-23 15:30"]),
    ("cron(0 10 L * ? *)", ["Mon 2026-11-30 10:00", "Thu 2026-12-31 10:00", "Sun 2027-01-31 10:00"]),
    ("cron(0 10 LW * ? *)", ["Mon 2026-11-30 10:00", "Thu 2026-12-31 10:00", "Fri 2027-01-29 10:00"]),
    # 2027-05-15 is a Saturday: the nearest weekday is Friday the 14th.
    ("cron(0 10 15W 5 ? 2027)", ["Fri 2027-05-14 10:00"]),
    ("cron(0 10 ? * 6#3 *)", ["Fri 2026-12-18 10:00", "Fri 2027-01-15 10:00", "Fri 2027-02-19 10:00"]),
    ("cron(0 10 ? * 5L *)", ["Thu 2026-11-26 10:00", "Thu 2026-12-31 10:00", "Thu 2027-01-28 10:00"]),
    ("cron(0 10 ? * L *)", ["Sat 2026-11-28 10:00", "Sat 2026-12-05 10:00", "Sat 2026-12-12 10:00"]),
    ("cron(0 12 1 JAN,JUL ? 2027-2028)", ["Fri 2027-01-01 12:00", "Thu 2027-07-01 12:00", "Sat 2028-01-01 12:00"]),
])
def test_cron_firings(expression: str, expected: list[str]) -> None:
    assert firings(expression, len(expected)) == expected


def test_a_cron_that_ends_has_no_next_time() -> None:
    assert parse("cron(0 12 1 1 ? 2026)").next_after(START, START) is None


def test_rate_counts_from_its_anchor_so_it_never_drifts() -> None:
    rate = parse("rate(5 minutes)")
    assert rate == Rate(300)
    assert rate.next_after(START, START) == START + 300
    # Asked late (a slow loop), the next time is still on the anchor's grid.
    assert rate.next_after(START + 301.7, START) == START + 600
    assert parse("rate(1 hour)") == Rate(3600) and parse("rate(2 days)") == Rate(172800)


@pytest.mark.parametrize("expression", [
    "rate(1 minutes)", "rate(2 minute)", "rate(0 minutes)", "rate(5 seconds)", "rate(five minutes)",
    "cron(0 10 * * * *)",  # day of month and day of week both given
    "cron(0 10 ? * ? *)",  # neither
    "cron(0 10 * * ?)",  # five fields
    "cron(60 10 * * ? *)", "cron(0 24 * * ? *)", "cron(0 10 32 * ? *)", "cron(0 10 ? * 8 *)",
    "cron(0 10 ? * 2#6 *)", "cron(0 10 ? 13 ? *)", "cron(0 10 * * ? 1969)", "cron(0/0 * * * ? *)",
    "every 5 minutes",
])
def test_invalid_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ValidationException) as raised:
        parse(expression)
    assert raised.value.message == "Parameter ScheduleExpression is not valid."
