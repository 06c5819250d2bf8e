"""Signed ids for links in mails: they identify a row without a password.

"." keeps tokens URL-safe; the salt keeps one kind of token from opening another.
A *scoped* token also carries a value of its row (an invite link: its last valid
day): when the row's value changes, every token made before stops working.
"""

from collections.abc import Iterable

from django.core import signing


class SignedId:
    def __init__(self, salt: str) -> None:
        self.salt = salt

    def _signer(self) -> signing.Signer:
        return signing.Signer(salt=self.salt, sep=".")

    def sign(self, pk: int) -> str:
        return self._signer().sign(signing.b62_encode(pk))

    def sign_many(self, pks: Iterable[int]) -> list[str]:
        """The same tokens as ``sign``, with one signer for all (a batch signs 1,000)."""
        signer = self._signer()
        return [signer.sign(signing.b62_encode(pk)) for pk in pks]

    def unsign(self, token: str) -> int | None:
        """The id, or None for a forged or malformed token."""
        try:
            return signing.b62_decode(self._signer().unsign(token))
        except (signing.BadSignature, ValueError):
            return None

    def sign_scoped(self, pk: int, scope: str) -> str:
        """A token for ``pk`` that also carries ``scope``, a value of its row the token is only valid
        for while it lasts (an invite link: its last day). ``scope`` must be URL-safe."""
        return self._signer().sign(f"{signing.b62_encode(pk)}_{scope}")

    def unsign_scoped(self, token: str) -> tuple[int, str] | None:
        """(id, scope) for a genuine token, None for a forged or malformed one; the caller compares
        the scope with the row's."""
        try:
            value = self._signer().unsign(token)
            pk, _, scope = value.partition("_")
            return signing.b62_decode(pk), scope
        except (signing.BadSignature, ValueError):
            return None
