"""Undoing an unsubscribe from the lesson mail, right after it (a mistaken tap).

The done page carries a signed token for that one unsubscribe: the enrolment, the state it
left (active or paused) and the moment it ended. The undo restores that state, only while the
enrolment is still unsubscribed from that same moment, and only for a while. A suspended
enrolment (its mailbox refused our mail) gets no undo: that needs someone to act.
"""

import datetime as dt

from core.tokens import SignedId
from courses.models import Enrolment
from courses.services import enrolment_resubscribe

_UNDO = SignedId("druppel.unsubscribe-undo")
UNDO_DAYS = 30
_UNDOABLE: dict[str, str] = {Enrolment.Status.ACTIVE: "a", Enrolment.Status.PAUSED: "p"}


def _moment(ended_at: dt.datetime) -> str:
    """The unsubscribe's moment, to the microsecond: a later unsubscribe has another."""
    return str(round(ended_at.timestamp() * 1_000_000))


def undo_token(*, enrolment: Enrolment, left: str) -> str:
    """For an enrolment just unsubscribed from state ``left``; empty when that cannot be undone."""
    if left not in _UNDOABLE or enrolment.ended_at is None:
        return ""
    return _UNDO.sign_scoped(enrolment.pk, _UNDOABLE[left] + _moment(enrolment.ended_at))


def unsubscribe_undo(*, token: str, enrolment_id: int, now: dt.datetime) -> bool:
    """Restore the state the token names; False for a forged, stale or someone else's token."""
    found = _UNDO.unsign_scoped(token)
    if found is None or found[0] != enrolment_id or len(found[1]) < 2:
        return False
    state, ended = found[1][0], found[1][1:]
    enrolment = Enrolment.objects.filter(pk=enrolment_id, status=Enrolment.Status.UNSUBSCRIBED).first()
    if enrolment is None or enrolment.ended_at is None or _moment(enrolment.ended_at) != ended:
        return False
    if now - enrolment.ended_at > dt.timedelta(days=UNDO_DAYS):
        return False
    return enrolment_resubscribe(enrolment=enrolment, paused=state == "p", now=now)
