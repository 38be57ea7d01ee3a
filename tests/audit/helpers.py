"""Test helpers for the audit trail: tampering behind the append-only triggers' back."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

ON_POSTGRES = connection.vendor == "postgresql"


@contextmanager
def triggers_disabled() -> Iterator[None]:
    """Alter the trail as a database superuser could (PostgreSQL: user triggers off); a no-op on SQLite.

    `session_replication_role = replica` rather than ALTER TABLE … DISABLE TRIGGER: the latter is
    refused while the test transaction has deferred foreign-key checks pending.
    """
    if not ON_POSTGRES:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
