"""Schedule expressions: ``rate(value unit)`` and AWS's six-field ``cron(...)``
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).

croniter reads neither the year field, nor ``L`` and ``nL`` in the day of week, nor ``LW``, and
numbers days of the week from 0, so AWS's cron is evaluated here: a field is a set of values,
with the day fields' specials as predicates on a date. Times are UTC.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from lamina.services.events.errors import ValidationException

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}
MONTHS = {name: i + 1 for i, name in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                                                 "NOV", "DEC"])}
DAYS = {name: i + 1 for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
MAX_YEAR = 2199


def invalid() -> ValidationException:
    return ValidationException("Parameter ScheduleExpression is not valid.")


@dataclass(frozen=True, slots=True)
class Rate:
    seconds: int

    def next_after(self, moment: float, anchor: float) -> float:
        """The first firing strictly after ``moment``: anchor + k * period, so firings never drift."""
        periods = int((moment - anchor) // self.seconds) + 1
        return anchor + max(1, periods) * self.seconds


def _aws_weekday(day: date) -> int:
    return (day.weekday() + 1) % 7 + 1  # SUN=1 ... SAT=7


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    """A field of numbers with , - * and / (and names for months and days)."""
    out: set[int] = set()
    for part in field.split(","):
        step, stepped = 1, "/" in part
        if stepped:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise invalid()
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(part, names)
            end = high if stepped else start  # "5/10": from 5 to the end, every 10
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise invalid()
        out.update(range(start, end + 1, step))
    return out


def _number(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise invalid()
    return int(text)


def _nearest_weekday(day: int, year: int, month: int) -> int:
    """``nW``: the weekday nearest day n within the month."""
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    weekday = date(year, month, day).weekday()
    if weekday == 5:  # Saturday: Friday before, or Monday after when the 1st is a Saturday
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday after, or Friday before when it ends the month
        return day + 1 if day < last else day - 2
    return day


def _day_of_month(field: str) -> Callable[[date], bool]:
    if field == "L":
        return lambda d: d.day == calendar.monthrange(d.year, d.month)[1]
    if field == "LW":
        return lambda d: d.day == _nearest_weekday(calendar.monthrange(d.year, d.month)[1], d.year, d.month)
    if field.endswith("W"):
        if not field[:-1].isdigit() or not 1 <= int(field[:-1]) <= 31:
            raise invalid()
        wanted = int(field[:-1])
        return lambda d: d.day == _nearest_weekday(wanted, d.year, d.month)
    days = _values(field, 1, 31)
    return lambda d: d.day in days


def _day_of_week(field: str) -> Callable[[date], bool]:
    if field == "L":
        return lambda d: _aws_weekday(d) == 7  # the last day of the week: Saturday
    if field.endswith("L"):  # nL: the last such weekday of the month
        weekday = _number(field[:-1], DAYS)
        if not 1 <= weekday <= 7:
            raise invalid()
        return lambda d: _aws_weekday(d) == weekday and d.day + 7 > calendar.monthrange(d.year, d.month)[1]
    if "#" in field:  # n#k: the k-th such weekday of the month
        day_text, nth_text = field.split("#", 1)
        weekday = _number(day_text, DAYS)
        if not 1 <= weekday <= 7 or not nth_text.isdigit() or not 1 <= int(nth_text) <= 5:
            raise invalid()
        nth = int(nth_text)
        return lambda d: _aws_weekday(d) == weekday and (d.day - 1) // 7 + 1 == nth
    days = _values(field, 1, 7, DAYS)
    return lambda d: _aws_weekday(d) in days


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    day: Callable[[date], bool]
    months: frozenset[int]
    years: frozenset[int]

    def next_after(self, moment: float, anchor: float = 0.0) -> float | None:
        """The first firing strictly after ``moment`` (None: the schedule has no more)."""
        start = datetime.fromtimestamp(moment, timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        while day.year <= MAX_YEAR:
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
                continue
            if day.month not in self.months:
                day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
                continue
            if self.day(day):
                first = (start.hour, start.minute) if day == start.date() else (0, 0)
                for hour in sorted(h for h in self.hours if h >= first[0]):
                    for minute in sorted(self.minutes):
                        if (hour, minute) >= first:
                            fire = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
                            return fire.timestamp()
            day += timedelta(days=1)
        return None


Schedule = Rate | Cron


def parse(expression: str) -> Schedule:
    """A schedule, or ValidationException as PutRule answers."""
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        # "If the value is equal to 1, then the unit must be singular"; above 1, plural.
        if value == 0 or (value == 1) != (not unit.endswith("s")):
            raise invalid()
        return Rate(value * _UNIT[unit.rstrip("s")])
    cron = _CRON.match(expression)
    if not cron:
        raise invalid()
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise invalid()
    minutes, hours, day_of_month, months, day_of_week, years = fields
    # One of the day fields must be "?" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions).
    if (day_of_month == "?") == (day_of_week == "?"):
        raise invalid()
    day = _day_of_week(day_of_week) if day_of_month == "?" else _day_of_month(day_of_month)
    return Cron(frozenset(_values(minutes, 0, 59)), frozenset(_values(hours, 0, 23)), day,
                frozenset(_values(months, 1, 12, MONTHS)), frozenset(_values(years, 1970, MAX_YEAR)))
