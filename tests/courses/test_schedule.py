import datetime as dt
import itertools
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from courses.slots import NoSlotError, make_calendar, parse_weekdays

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def calendar(closures=()):  # type: ignore[no-untyped-def]
    return make_calendar(
        timezone="Europe/Brussels",
        holiday_country="BE",
        weekdays=[0, 2, 4],
        send_time=dt.time(8, 30),
        closures=closures,
    )


def local(moments: list[dt.datetime]) -> list[str]:
    return [m.astimezone(BRUSSELS).strftime("%a %Y-%m-%d %H:%M") for m in moments]


def take(iterator, n):  # type: ignore[no-untyped-def]
    return [next(iterator) for _ in range(n)]


def test_send_stays_at_0830_brussels_across_the_spring_dst_change():
    slots = take(calendar().slots_from(dt.datetime(2027, 3, 22, tzinfo=BRUSSELS)), 4)
    assert local(slots) == [
        "Mon 2027-03-22 08:30",
        "Wed 2027-03-24 08:30",
        "Fri 2027-03-26 08:30",
        # Mon 29 March is Easter Monday: skipped.
        "Wed 2027-03-31 08:30",
    ]
    # Before 28 March Brussels is UTC+1, after it UTC+2.
    assert slots[2].astimezone(dt.UTC).hour == 7
    assert slots[3].astimezone(dt.UTC).hour == 6


def test_send_stays_at_0830_brussels_across_the_autumn_dst_change():
    slots = take(calendar().slots_from(dt.datetime(2027, 10, 27, tzinfo=BRUSSELS)), 4)
    # 1 November (Monday) is All Saints' Day, a Belgian holiday.
    assert local(slots) == [
        "Wed 2027-10-27 08:30",
        "Fri 2027-10-29 08:30",
        "Wed 2027-11-03 08:30",
        "Fri 2027-11-05 08:30",
    ]
    assert slots[1].astimezone(dt.UTC).hour == 6
    assert slots[2].astimezone(dt.UTC).hour == 7


def test_easter_monday_2027_is_skipped():
    monday = dt.date(2027, 3, 29)
    assert calendar().slot_on(monday) is None
    assert calendar().slot_on(dt.date(2027, 3, 22)) is not None


def test_a_closure_period_is_skipped():
    closed = calendar(closures=[(dt.date(2027, 7, 19), dt.date(2027, 8, 1))])
    first = closed.next_slot(dt.datetime(2027, 7, 16, 9, 0, tzinfo=BRUSSELS))
    assert local([first]) == ["Mon 2027-08-02 08:30"]


def test_a_slot_at_the_exact_moment_counts_only_when_inclusive():
    moment = dt.datetime(2027, 3, 1, 8, 30, tzinfo=BRUSSELS)
    assert calendar().next_slot(moment, inclusive=True) == moment
    assert local([calendar().next_slot(moment)]) == ["Wed 2027-03-03 08:30"]


def test_a_calendar_closed_all_year_says_so():
    closed = calendar(closures=[(dt.date(2027, 1, 1), dt.date(2029, 1, 1))])
    try:
        closed.next_slot(dt.datetime(2027, 1, 1, tzinfo=BRUSSELS))
    except NoSlotError:
        return
    raise AssertionError("expected NoSlotError")


def test_weekday_codes_parse_and_reject_nonsense():
    assert parse_weekdays(["mon", "Wednesday", "fri"]) == [0, 2, 4]
    for bad in (["funday"], []):
        try:
            parse_weekdays(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} should be refused")


zones = st.sampled_from(["Europe/Brussels", "Europe/London", "America/New_York", "Asia/Kolkata"])
countries = st.sampled_from(["BE", "NL", "GB", ""])
weekday_sets = st.sets(st.integers(0, 6), min_size=1, max_size=7)
send_times = st.times(min_value=dt.time(6, 0), max_value=dt.time(20, 0)).map(lambda t: t.replace(microsecond=0))
moments = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC))


@settings(max_examples=150, deadline=None)
@given(zone=zones, country=countries, weekdays=weekday_sets, send_time=send_times, start=moments)
def test_slots_are_increasing_local_send_times_on_open_course_days(zone, country, weekdays, send_time, start):  # type: ignore[no-untyped-def]
    cal = make_calendar(timezone=zone, holiday_country=country, weekdays=weekdays, send_time=send_time)
    slots = take(cal.slots_from(start), 12)
    assert slots[0] >= start
    assert all(a < b for a, b in itertools.pairwise(slots))
    tz = zoneinfo.ZoneInfo(zone)
    for slot in slots:
        local_slot = slot.astimezone(tz)
        assert local_slot.weekday() in weekdays
        assert not cal.is_closed(local_slot.date())
        # Wall-clock time is the send time, unless the send time fell in a DST gap.
        assert local_slot.time() == send_time or local_slot.dst() != (local_slot - dt.timedelta(hours=3)).dst()
    # No open course day is skipped between consecutive slots.
    for a, b in itertools.pairwise(slots):
        day = a.astimezone(tz).date() + dt.timedelta(days=1)
        while day < b.astimezone(tz).date():
            assert cal.slot_on(day) is None
            day += dt.timedelta(days=1)
