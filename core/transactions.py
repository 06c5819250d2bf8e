"""Whether code runs inside a database transaction of its own."""

from django.db import connection


def in_transaction() -> bool:
    """True inside ``transaction.atomic``. The transaction a Django TestCase wraps each test in does
    not count (Django's own check for durable blocks ignores it the same way), so the rule "no
    network call inside a transaction" holds in tests exactly as in production."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
