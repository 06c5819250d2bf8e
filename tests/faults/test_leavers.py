"""Learners who leave or pause between planning and a retry get nothing more; a paused one
gets the lesson it missed when it comes back."""

import urllib.request

from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from courses.services import enrolment_resume
from lessons.models import Delivery, SendBatch
from lessons.tokens import delivery_token
from tests.fake_sendgrid import Response
from tests.faults.cluster import Cluster
from tests.faults.harness import wait_until


def post(url: str, data: bytes) -> int:
    request = urllib.request.Request(url, data=data, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def test_learners_who_unsubscribe_or_pause_while_a_retry_waits(cluster: Cluster, live_server, matrix) -> None:  # type: ignore[no-untyped-def]
    cluster.seed(1000)
    # Refused until the leavers are done, however long their 150 POSTs take on a busy machine.
    cluster.fake.script(*[Response(status=429, headers={"Retry-After": "2"})] * 10_000)
    cluster.start_worker()
    cluster.start_beat()
    cluster.next_slot()
    assert wait_until(lambda: SendBatch.objects.filter(status=SendBatch.Status.WAITING).count() >= 8, timeout=60)

    # While slot 1 waits to be retried: 100 learners unsubscribe with the mail's one-click link
    # (RFC 8058, a POST without cookies) and 50 pause from the mail.
    deliveries = list(Delivery.objects.order_by("pk").values_list("pk", "enrolment_id")[:150])
    for pk, _ in deliveries[:100]:
        url = live_server.url + reverse("lessons:unsubscribe", args=[delivery_token(pk)])
        assert post(url, b"List-Unsubscribe=One-Click") == 200
    for pk, _ in deliveries[100:]:
        assert post(live_server.url + reverse("lessons:pause", args=[delivery_token(pk)]), b"action=pause") == 200
    cluster.leave([enrolment for _, enrolment in deliveries[:100]])
    paused = [enrolment for _, enrolment in deliveries[100:]]

    assert cluster.fake.clear_script() > 0
    cluster.run_slot(1, timeout=180)
    skipped = Delivery.objects.filter(status=Delivery.Status.SKIPPED).count()
    assert skipped == 150
    # Back from holiday before slot 2: they get lesson 1, which they never received.
    for enrolment in Enrolment.objects.filter(pk__in=paused):
        enrolment_resume(enrolment=enrolment, now=timezone.now())
    cluster.run_slot(2)
    tally = cluster.tally(2, fewer=dict.fromkeys(paused, 1))
    assert Delivery.objects.filter(enrolment_id__in=paused, position=1, status=Delivery.Status.SENT).count() == 50
    matrix(
        "slot 1 refused with 429; 100 one-click unsubscribes and 50 pauses before the retry; "
        "the 50 resume before slot 2",
        tally,
    )
