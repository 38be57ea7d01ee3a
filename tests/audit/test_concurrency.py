"""Concurrent writers in one county queue on the chain head instead of forking the chain (DESIGN §5)."""

import threading

import pytest
from django.db import connection

from audit.models import Event
from audit.services import record
from audit.verification import verify_chain

from .helpers import ON_POSTGRES

APPENDS_PER_WRITER = 20


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks on the chain head need PostgreSQL; SQLite has one writer")
def test_two_concurrent_writers_produce_one_unbroken_chain(transactional_db, county):
    chain = str(county.pk)
    already = Event.objects.filter(chain=chain).count()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait(timeout=10)
            for index in range(APPENDS_PER_WRITER):
                record(actor=None, action="test.concurrent", organization=county,
                       changes={"writer": [None, writer], "index": [None, index]})
        except BaseException as error:  # noqa: BLE001 (re-raised by the assertion below)
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=write, args=(writer,)) for writer in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    seqs = list(Event.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, already + 2 * APPENDS_PER_WRITER + 1))
    report = verify_chain(chain)
    assert report.ok and report.count == already + 2 * APPENDS_PER_WRITER
