"""When lessons go out: slots in an organisation's local calendar (pure; courses/schedule.py loads them).

A slot is one of the course's weekdays at its send time, in the organisation's
time zone, on a day that is neither a public holiday nor a closure day. All
functions here are pure: they take a Calendar and return aware UTC datetimes.
"""

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import holidays

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Far enough to cross any realistic run of holidays and collective leave.
_SEARCH_DAYS = 400


class NoSlotError(ValueError):
    """The calendar has no slot within a year: no weekdays, or closed throughout."""


@lru_cache(maxsize=64)
def _holidays(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


def holiday_checker(country: str) -> Callable[[dt.date], bool]:
    if not country:
        return lambda day: False
    calendar = _holidays(country)
    return lambda day: day in calendar


@dataclass(frozen=True)
class Calendar:
    tz: zoneinfo.ZoneInfo
    weekdays: frozenset[int]
    send_time: dt.time
    is_closed: Callable[[dt.date], bool]

    def slot_on(self, day: dt.date) -> dt.datetime | None:
        """The slot on this local day, in UTC, or None when the day has none."""
        if day.weekday() not in self.weekdays or self.is_closed(day):
            return None
        local = dt.datetime.combine(day, self.send_time, tzinfo=self.tz)
        return local.astimezone(dt.UTC)

    def slots_from(self, moment: dt.datetime, *, inclusive: bool = True) -> Iterator[dt.datetime]:
        """Slots on or after ``moment`` (strictly after unless ``inclusive``)."""
        day = moment.astimezone(self.tz).date()
        days_without_slot = 0
        while days_without_slot < _SEARCH_DAYS:
            slot = self.slot_on(day)
            day += dt.timedelta(days=1)
            if slot is None or slot < moment or (slot == moment and not inclusive):
                days_without_slot += 1
                continue
            days_without_slot = 0
            yield slot
        raise NoSlotError("no slot within a year")

    def next_slot(self, moment: dt.datetime, *, inclusive: bool = False) -> dt.datetime:
        return next(self.slots_from(moment, inclusive=inclusive))

    def first_slot_on_or_after(self, day: dt.date) -> dt.datetime:
        midnight = dt.datetime.combine(day, dt.time.min, tzinfo=self.tz)
        return self.next_slot(midnight, inclusive=True)


def make_calendar(
    *,
    timezone: str,
    holiday_country: str,
    weekdays: Iterable[int],
    send_time: dt.time,
    closures: Iterable[tuple[dt.date, dt.date]] = (),
) -> Calendar:
    is_holiday = holiday_checker(holiday_country)
    periods = tuple(closures)

    def is_closed(day: dt.date) -> bool:
        return is_holiday(day) or any(start <= day <= end for start, end in periods)

    return Calendar(
        tz=zoneinfo.ZoneInfo(timezone),
        weekdays=frozenset(weekdays),
        send_time=send_time,
        is_closed=is_closed,
    )


def parse_weekdays(codes: Iterable[str]) -> list[int]:
    """['mon', 'wed', 'fri'] -> [0, 2, 4]; raises ValueError on an unknown code."""
    days = []
    for code in codes:
        key = str(code).strip().lower()[:3]
        if key not in WEEKDAY_CODES:
            raise ValueError(f"unknown weekday {code!r}; use {', '.join(WEEKDAY_CODES)}")
        days.append(WEEKDAY_CODES.index(key))
    if not days:
        raise ValueError("a course needs at least one weekday")
    return sorted(set(days))
