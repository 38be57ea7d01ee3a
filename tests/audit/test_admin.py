"""The Django admin shows the trail read-only: nobody adds, changes or deletes events (DESIGN §2.7)."""

import pytest
from django.urls import reverse

from audit.models import Event
from audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(county) -> Event:
    return record(actor=None, action="test.admin", organization=county)


def test_changelist_is_readable(admin_client, event):
    response = admin_client.get(reverse("admin:audit_event_changelist"))
    assert response.status_code == 200
    assert b"test.admin" in response.content


def test_detail_page_is_view_only(admin_client, event):
    response = admin_client.get(reverse("admin:audit_event_change", args=[event.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content


def test_event_cannot_be_added(admin_client, db):
    assert admin_client.get(reverse("admin:audit_event_add")).status_code == 403


def test_event_cannot_be_changed(admin_client, event):
    response = admin_client.post(reverse("admin:audit_event_change", args=[event.pk]), {"action": "test.x"})
    assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).action == "test.admin"


def test_event_cannot_be_deleted(admin_client, event):
    assert admin_client.post(reverse("admin:audit_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_chain_head_cannot_be_changed(admin_client, event):
    url = reverse("admin:audit_chainhead_change", args=[event.chain])
    assert admin_client.post(url, {"seq": 0}).status_code == 403
