"""The notifications page: own notifications only, newest first, mark read, follow the link."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.notifications.models import Notification

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("audit:notifications:list")


def read_url(notification: Notification) -> str:
    return reverse("audit:notifications:read", args=[notification.pk])


def open_url(notification: Notification) -> str:
    return reverse("audit:notifications:open", args=[notification.pk])


def test_list_shows_only_the_user_s_own(client_for, alice, bob):
    NotificationFactory(user=alice, title="爱丽丝的提醒")
    NotificationFactory(user=bob, title="鲍勃的提醒")

    html = client_for(alice).get(LIST_URL).content.decode()

    assert "爱丽丝的提醒" in html and "鲍勃的提醒" not in html


def test_list_is_newest_first_with_unread_highlighted(client_for, alice):
    now = timezone.now()
    old = NotificationFactory(user=alice, title="较早的通知", read=True)
    new = NotificationFactory(user=alice, title="最新的通知")
    Notification.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=2))
    Notification.objects.filter(pk=new.pk).update(created_at=now)

    response = client_for(alice).get(LIST_URL)

    assert [n.title for n in response.context["page_obj"]] == ["最新的通知", "较早的通知"]
    html = response.content.decode()
    assert html.count("list-group-item-warning") == 1 and html.count(">未读</span>") == 1


def test_list_can_show_only_unread(client_for, alice):
    NotificationFactory(user=alice, title="未读的通知")
    NotificationFactory(user=alice, title="已读的通知", read=True)

    html = client_for(alice).get(LIST_URL, {"unread": "1"}).content.decode()

    assert "未读的通知" in html and "已读的通知" not in html


def test_list_is_paginated_with_a_flat_query_count(client_for, alice, django_assert_max_num_queries):
    NotificationFactory.create_batch(45, user=alice)
    client = client_for(alice)

    with django_assert_max_num_queries(12):
        response = client.get(LIST_URL, {"page": 2})

    assert response.context["page_obj"].number == 2
    assert len(response.context["page_obj"].object_list) == 20


def test_list_queries_do_not_grow_with_organizations_shown(client_for, alice, branch_a, branch_b,
                                                           django_assert_max_num_queries):
    client = client_for(alice)
    NotificationFactory(user=alice, organization=branch_a)
    client.get(LIST_URL)  # warm caches (session, grants)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST_URL)
    NotificationFactory.create_batch(10, user=alice, organization=branch_b)

    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(LIST_URL).content.decode()

    assert "西街社区党支部" in html


def test_anonymous_list_goes_to_login(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_mark_read_marks_the_user_s_notification(client_for, alice):
    notification = NotificationFactory(user=alice)

    response = client_for(alice).post(read_url(notification))

    assert response.status_code == 302 and response["Location"] == LIST_URL
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_returns_to_the_page_the_user_was_on(client_for, alice):
    notification = NotificationFactory(user=alice)

    response = client_for(alice).post(read_url(notification), {"next": f"{LIST_URL}?page=2"})

    assert response["Location"] == f"{LIST_URL}?page=2"


def test_mark_read_ignores_a_foreign_next(client_for, alice):
    notification = NotificationFactory(user=alice)

    response = client_for(alice).post(read_url(notification), {"next": "https://evil.example/"})

    assert response["Location"] == LIST_URL


def test_mark_read_needs_post(client_for, alice):
    notification = NotificationFactory(user=alice)

    assert client_for(alice).get(read_url(notification)).status_code == 405


def test_marking_a_colleague_s_notification_is_404(client_for, alice, bob):
    notification = NotificationFactory(user=alice)

    assert client_for(bob).post(read_url(notification)).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_an_outsider_s_notification_is_404(client_for, alice, charlie):
    notification = NotificationFactory(user=alice)

    assert client_for(charlie).get(open_url(notification)).status_code == 404


def test_opening_goes_to_the_link_and_marks_read(client_for, alice):
    notification = NotificationFactory(user=alice, url="/audit/filings/42/")

    response = client_for(alice).get(open_url(notification))

    assert response.status_code == 302 and response["Location"] == "/audit/filings/42/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_notification_with_an_outside_link_stays_on_the_list(client_for, alice):
    notification = NotificationFactory(user=alice, url="https://evil.example/phish")

    response = client_for(alice).get(open_url(notification))

    assert response["Location"] == LIST_URL


def test_mark_all_read_marks_only_the_user_s_own(client_for, alice, bob):
    NotificationFactory.create_batch(3, user=alice)
    NotificationFactory(user=bob)

    response = client_for(alice).post(reverse("audit:notifications:read_all"))

    assert response.status_code == 302
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=bob, read_at__isnull=True).count() == 1


def test_mark_all_read_needs_post(client_for, alice):
    assert client_for(alice).get(reverse("audit:notifications:read_all")).status_code == 405
