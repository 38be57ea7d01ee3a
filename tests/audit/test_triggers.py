"""PostgreSQL refuses UPDATE and DELETE on the event log (DESIGN §5).

"积分生成后，原则上不能更改" (seed 001): a confirmed record is corrected only by a new
compensating record, never edited — the database enforces it for the trail itself.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import ChainHead, Event
from audit.services import record

from .helpers import ON_POSTGRES

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ON_POSTGRES, reason="the append-only triggers are installed on PostgreSQL only"),
]


@pytest.fixture
def event(county) -> Event:
    return record(actor=None, action="test.protected", organization=county, changes={"x": [1, 2]})


def test_orm_update_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(action="test.tampered")
    assert Event.objects.get(pk=event.pk).action == "test.protected"


def test_orm_save_of_an_existing_event_is_refused(event):
    event.changes = {"x": [1, 3]}
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()


def test_orm_delete_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()
    assert Event.objects.filter(pk=event.pk).exists()


def test_queryset_delete_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.all().delete()
    assert Event.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET action = 'test.tampered' WHERE id = %s", [event.pk])
    assert Event.objects.get(pk=event.pk).action == "test.protected"


def test_raw_sql_delete_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event WHERE id = %s", [event.pk])
    assert Event.objects.filter(pk=event.pk).exists()


def test_appending_still_works_after_a_refused_change(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    follower = record(actor=None, action="test.after", organization=event.organization)
    assert follower.prev_hash == event.hash


def test_chain_head_cannot_be_rewound(event):
    with pytest.raises(DatabaseError, match="may only advance"), transaction.atomic():
        ChainHead.objects.filter(chain=event.chain).update(seq=event.seq - 1)


def test_chain_head_cannot_be_deleted(event):
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        ChainHead.objects.filter(chain=event.chain).delete()
