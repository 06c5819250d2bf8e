"""A bulk mail's RFC 8058 headers leave through the outbox and the SendGrid transport as they were
made: SendGrid's reserved-header rules (modelled by the fake) allow them, and they arrive."""

import pytest

from mailer.message import one_click_unsubscribe
from mailer.outgoing import outgoing_add, outgoing_send
from mailer.templated import RenderedMail

pytestmark = pytest.mark.django_db

URL = "https://druppel.example.be/me/reminders/abc.def/"


def test_the_one_click_headers_arrive_at_sendgrid(fake_sendgrid) -> None:  # type: ignore[no-untyped-def]
    headers = one_click_unsubscribe(URL)
    mail = RenderedMail(subject="Een herinnering", text="Tekst", html="<p>Tekst</p>", headers=headers)
    row = outgoing_add(key="bulk:1", kind="reminder", mail=mail, to="eva@example.org", publish=False)
    assert row is not None
    assert outgoing_send(mail_id=row.pk) == "sent"
    (request,) = fake_sendgrid.accepted
    assert request.status == 202
    assert request.body["headers"] == {
        "List-Unsubscribe": f"<{URL}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
