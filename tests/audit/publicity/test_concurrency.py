"""The daily job run twice at the same moment opens each window once (claim by conditional UPDATE)."""

import threading
from datetime import date

import pytest
from django.db import connection

from audit.models import Event
from audit.publicity import services
from audit.publicity.models import PublicityWindow, WindowStatus
from tests.audit.helpers import ON_POSTGRES

from .factories import open_window

WINDOWS = 20


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks need PostgreSQL; SQLite has one writer")
def test_two_concurrent_ticks_open_each_window_once(transactional_db, working_calendar, branch_a):
    for n in range(WINDOWS):
        open_window(branch_a, title=f"公示{n}", starts_on=date(2024, 9, 30))
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            start.wait(timeout=10)
            results.append(services.publicity_tick(today=date(2024, 9, 30)))
        except BaseException as error:  # noqa: BLE001 (re-raised by the assertion below)
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(result["opened"] for result in results) == WINDOWS
    assert PublicityWindow.objects.filter(status=WindowStatus.OPEN).count() == WINDOWS
    assert Event.objects.filter(action="publicity.start").count() == WINDOWS
