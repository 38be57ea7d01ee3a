"""`/api/v1/notifications/`: own notifications only; others' ids are 404."""

import pytest

from audit.notifications.models import Notification

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"


def test_list_returns_only_own(api_for, alice, bob):
    mine = NotificationFactory(user=alice)
    NotificationFactory(user=bob)

    response = api_for(alice).get(LIST)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_list_can_show_only_unread(api_for, alice):
    unread = NotificationFactory(user=alice)
    NotificationFactory(user=alice, read=True)

    rows = api_for(alice).get(LIST, {"unread": "true"}).json()["results"]

    assert [(row["id"], row["is_read"]) for row in rows] == [(unread.pk, False)]


def test_list_query_count_is_flat(api_for, alice, branch_a, django_assert_max_num_queries):
    NotificationFactory.create_batch(30, user=alice, organization=branch_a)
    api = api_for(alice)

    with django_assert_max_num_queries(4):
        rows = api.get(LIST).json()["results"]

    assert rows[0]["organization_name"] == "东街社区党支部"


def test_retrieving_an_outsider_s_notification_is_404(api_for, alice, charlie):
    notification = NotificationFactory(user=alice)

    assert api_for(charlie).get(f"{LIST}{notification.pk}/").status_code == 404


def test_read_marks_own_notification(api_for, alice):
    notification = NotificationFactory(user=alice)

    response = api_for(alice).post(f"{LIST}{notification.pk}/read/")

    assert response.status_code == 200 and response.json()["is_read"] is True
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_reading_a_colleague_s_notification_is_404(api_for, alice, bob):
    notification = NotificationFactory(user=alice)

    assert api_for(bob).post(f"{LIST}{notification.pk}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_read_all_marks_only_own(api_for, alice, bob):
    NotificationFactory.create_batch(2, user=alice)
    NotificationFactory(user=bob)

    response = api_for(alice).post(f"{LIST}read-all/")

    assert response.json() == {"marked": 2}
    assert Notification.objects.filter(user=bob, read_at__isnull=True).count() == 1


def test_anonymous_is_refused(client, alice):
    NotificationFactory(user=alice)

    assert client.get(LIST).status_code in {401, 403}
