"""A small in-process fake of the SendGrid v3 Mail Send API.

The fake serves ``POST /v3/mail/send`` on a loopback port, so the real
``sendgrid`` SDK can be pointed at it::

    with FakeSendGrid() as fake:
        client = SendGridAPIClient(api_key="SG.test", host=fake.url)
        client.client.mail.send.post(request_body=message)
        assert fake.accepted[0].status == 202

Besides the Python API it serves a control/inspection API under
``/__fake__/`` so it can be driven from another process (see ``_Handler``),
and it can be run on its own::

    python -m tests.fake_sendgrid --port 3030 [--verbose]

Behaviour in short:

* Requests without ``Authorization: Bearer <token>`` are answered 401.
* A body over 30 MB is answered 413, one that is not UTF-8 415, one that is
  not a JSON object 400.
* The body is checked against SendGrid's documented Mail Send rules; each
  rule cites its page where it is checked (``_check_message``):
  at most 1,000 personalizations and 1,000 recipients (to + cc + bcc); each
  address once per request, across every personalization's to, cc and bcc
  (Druppel's planner relies on this refusal being real); addresses of at
  most 320 characters, recipient names without ``;`` or ``,``; headers with
  string values, ASCII names, none twice and none of the reserved ones
  (x-sg-id, x-sg-eid, received, dkim-signature, Content-Type,
  Content-Transfer-Encoding, To, From, Subject, Reply-To, CC, BCC);
  custom_args of strings, at most 10,000 bytes per personalization once
  merged; substitutions of strings, at most 100 and 10,000 bytes; at most 10
  unique ASCII categories of at most 255 characters; a subject (or one per
  personalization, or a template); content blocks with a type and a value,
  text/plain first, then text/html. Every violation found is reported in one
  400 with SendGrid's ``{"errors": [{"message", "field", "help"}]}`` body.
  Rules that depend on the account (template, IP pool or ASM group ids) and
  parameters Druppel never sends (attachments, send_at, batch_id, asm,
  mail_settings) are not modelled.
* Valid requests are accepted on arrival and answered 202 with an empty body
  and a unique ``X-Message-Id`` header.
* ``script()`` queues one-shot answers for the next mail-send requests
  (``hang()`` delays one, ``lose()`` never answers it), and
  ``reject_recipients()`` adds persistent per-recipient failures.
* Received hooks run as soon as a request is accepted, before a scripted
  delay (SendGrid's events can arrive before its answer); accepted hooks run
  after a 202 was written. ``accepted`` and ``requests`` record what came in.

Events the other way: tests/sendgrid_events.py signs and posts SendGrid-shaped
events to Druppel's webhook, and tests/drip/sendgrid_sample_events.json holds
SendGrid's published sample of each event type.
"""

from tests.fake_sendgrid.fake import FakeSendGrid
from tests.fake_sendgrid.rules import MAX_PERSONALIZATIONS
from tests.fake_sendgrid.shapes import MAIL_SEND_PATH, RecordedRequest, Response

__all__ = [
    "MAIL_SEND_PATH",
    "MAX_PERSONALIZATIONS",
    "FakeSendGrid",
    "RecordedRequest",
    "Response",
]
