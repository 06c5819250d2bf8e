"""Two beats, duplicated tasks: each delivery is created once and sent once.

Runs on whichever database the suite uses; in CI's second pass that is
PostgreSQL, where the ticks really overlap (SKIP LOCKED), while SQLite
serialises writers.
"""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import override_settings

from courses.models import Enrolment
from drip.sending import batch_send
from drip.tick import drip_tick
from lessons.models import Delivery, SendBatch
from tests.factories import CourseFactory, OrganisationFactory, enrol_many, make_lessons

MONDAY = dt.datetime.fromisoformat("2027-03-01T08:30:00+01:00")


def run_in_threads(target, count: int) -> list[BaseException]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            target(index)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
@override_settings(DRIP_TICK_CHUNK=700)  # three chunks each: the ticks interleave and skip each other's
def test_two_ticks_at_once_create_and_send_each_delivery_once(fake_sendgrid):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 3)
    for _ in range(3):
        enrol_many(course, OrganisationFactory.create(), 700, start=MONDAY.date())
    planned: list[list[int]] = [[], []]

    def tick(index: int) -> None:
        drip_tick(now=MONDAY, dispatch=planned[index].append)

    assert run_in_threads(tick, 2) == []
    every_batch = planned[0] + planned[1]

    def send_all(index: int) -> None:
        # Both "workers" try every batch, as duplicated or redelivered tasks would.
        for batch_id in every_batch:
            batch_send(batch_id=batch_id, dispatch=lambda batch_id: None)

    assert run_in_threads(send_all, 2) == []

    assert Delivery.objects.count() == 2100
    assert set(Enrolment.objects.values_list("next_position", flat=True)) == {2}
    sent_ids = Counter(int(args["delivery_id"]) for args in fake_sendgrid.custom_args())
    assert len(sent_ids) == 2100
    assert max(sent_ids.values()) == 1
    assert set(SendBatch.objects.values_list("status", flat=True)) == {SendBatch.Status.SENT}
    assert all(len(r.body["personalizations"]) <= 1000 for r in fake_sendgrid.accepted)
