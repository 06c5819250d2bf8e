"""Signed tokens in mail links: they identify a delivery without a password."""

from collections.abc import Iterable

from core.tokens import SignedId

_DELIVERY = SignedId("druppel.delivery")


def delivery_token(delivery_id: int) -> str:
    return _DELIVERY.sign(delivery_id)


def delivery_tokens(delivery_ids: Iterable[int]) -> list[str]:
    return _DELIVERY.sign_many(delivery_ids)


def delivery_id_from_token(token: str) -> int | None:
    return _DELIVERY.unsign(token)
