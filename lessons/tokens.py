"""Signed tokens in mail links: they identify a delivery without a password."""

from django.core import signing

_SALT = "druppel.delivery"


def _signer() -> signing.Signer:
    # "." keeps tokens URL-safe; the signature covers the delivery id.
    return signing.Signer(salt=_SALT, sep=".")


def delivery_token(delivery_id: int) -> str:
    return _signer().sign(signing.b62_encode(delivery_id))


def delivery_id_from_token(token: str) -> int | None:
    try:
        return signing.b62_decode(_signer().unsign(token))
    except (signing.BadSignature, ValueError):
        return None
