"""The navbar bell: the unread count costs one query, and none when no page shows it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from audit.notifications.context import unread_notifications
from tests.conftest import make_user

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_anonymous_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        context = unread_notifications(request_as(AnonymousUser()))

    assert context == {"unread_notifications": 0}


def test_the_count_is_one_query_and_only_when_shown(django_assert_num_queries):
    alice = make_user("alice")
    NotificationFactory.create_batch(3, user=alice)
    NotificationFactory(user=alice, read=True)
    NotificationFactory(user=make_user("bob"))

    with django_assert_num_queries(0):
        context = unread_notifications(request_as(alice))
    with django_assert_num_queries(1):
        shown = int(str(context["unread_notifications"]))

    assert shown == 3


def test_bell_shows_the_unread_count(django_assert_num_queries):
    alice = make_user("alice")
    NotificationFactory.create_batch(2, user=alice)
    context = unread_notifications(request_as(alice))

    with django_assert_num_queries(1):
        html = render_to_string("partials/notification_bell.html", context)

    assert ">2</span>" in html and "2 条未读" in html and 'href="/audit/notifications/"' in html


def test_bell_caps_the_number_at_99(db):
    html = render_to_string("partials/notification_bell.html", {"unread_notifications": 120})

    assert "99+" in html


def test_bell_without_unread_shows_no_badge(db):
    html = render_to_string("partials/notification_bell.html", {"unread_notifications": 0})

    assert "badge" not in html
