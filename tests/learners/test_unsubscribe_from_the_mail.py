"""The lesson mail's unsubscribe page: "pause instead", and an undo right after unsubscribing."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from lessons.models import Delivery
from lessons.tokens import delivery_token

pytestmark = pytest.mark.django_db


def _urls(enrolment: Enrolment) -> tuple[str, str, str]:
    delivery = Delivery.objects.filter(enrolment=enrolment).order_by("position").first()
    assert delivery is not None
    token = delivery_token(delivery.pk)
    return (
        reverse("lessons:unsubscribe", args=[token]),
        reverse("lessons:unsubscribe_undo", args=[token]),
        reverse("lessons:pause", args=[token]),
    )


def _status(enrolment: Enrolment) -> str:
    enrolment.refresh_from_db()
    return enrolment.status


def test_the_page_offers_to_pause_instead_in_one_tap(eva_enrolment: Enrolment) -> None:
    unsubscribe, _, pause = _urls(eva_enrolment)
    html = Client().get(unsubscribe).content.decode()
    assert f'action="{pause}"' in html
    assert 'name="action" value="pause"' in html
    response = Client().post(pause, {"action": "pause"})
    assert _status(eva_enrolment) == Enrolment.Status.PAUSED
    assert response.content.decode().count("Je lessen zijn gepauzeerd.") == 1


def test_an_unsubscribe_can_be_undone_once_with_its_signed_token(eva_enrolment: Enrolment) -> None:
    unsubscribe, undo, _ = _urls(eva_enrolment)
    html = Client().post(unsubscribe).content.decode()
    assert _status(eva_enrolment) == Enrolment.Status.UNSUBSCRIBED
    assert f'action="{undo}"' in html
    token = re.search(r'name="undo" value="([^"]+)"', html)
    assert token is not None

    assert Client().post(undo, {"undo": token.group(1) + "x"}).status_code == 400
    assert _status(eva_enrolment) == Enrolment.Status.UNSUBSCRIBED

    response = Client().post(undo, {"undo": token.group(1)})
    assert response.status_code == 200
    assert "Je uitschrijving is ongedaan gemaakt" in response.content.decode()
    assert _status(eva_enrolment) == Enrolment.Status.ACTIVE
    assert eva_enrolment.next_due_at is not None
    assert eva_enrolment.ended_at is None
    # The token undid that one unsubscribe; a later one needs its own.
    Client().post(unsubscribe)
    assert Client().post(undo, {"undo": token.group(1)}).status_code == 400
    assert _status(eva_enrolment) == Enrolment.Status.UNSUBSCRIBED


def test_a_paused_learner_who_undoes_is_paused_again(eva_enrolment: Enrolment) -> None:
    unsubscribe, undo, pause = _urls(eva_enrolment)
    Client().post(pause, {"action": "pause"})
    html = Client().post(unsubscribe).content.decode()
    token = re.search(r'name="undo" value="([^"]+)"', html)
    assert token is not None
    Client().post(undo, {"undo": token.group(1)})
    assert _status(eva_enrolment) == Enrolment.Status.PAUSED


def test_a_suspended_enrolment_gets_no_undo(eva_enrolment: Enrolment) -> None:
    unsubscribe, _, _ = _urls(eva_enrolment)
    Enrolment.objects.filter(pk=eva_enrolment.pk).suspend()
    html = Client().post(unsubscribe).content.decode()
    assert _status(eva_enrolment) == Enrolment.Status.UNSUBSCRIBED
    assert 'name="undo"' not in html
