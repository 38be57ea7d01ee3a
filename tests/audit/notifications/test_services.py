"""Sending notifications: once per (user, key); e-mail only when NOTIFY_BY_EMAIL is on, after commit."""

import pytest
from django.db import transaction

from audit.notifications.models import Notification
from audit.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notify,
    notify_many,
)
from tests.conftest import make_user

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_on(settings):
    settings.NOTIFY_BY_EMAIL = True


@pytest.fixture
def alice_mail(db):
    return make_user("alice", email="alice@example.cn")


def reminder(user, key: str = "filing:42:waiting") -> bool:
    return notify(user=user, key=key, kind="filing.waiting", title="备案待审核", body="东街社区党支部的备案待审核。",
                  url="/audit/filings/42/")


def test_the_same_key_is_notified_once(alice_mail):
    assert reminder(alice_mail) is True

    assert reminder(alice_mail) is False
    assert Notification.objects.filter(user=alice_mail).count() == 1


def test_no_email_when_email_is_off(alice_mail, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminder(alice_mail)

    assert mailoutbox == []


def test_email_is_sent_after_commit_when_on(email_on, alice_mail, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminder(alice_mail)
        assert mailoutbox == []  # nothing leaves while the transaction is open

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["alice@example.cn"]
    assert "备案待审核" in mail.subject
    assert "东街社区党支部的备案待审核。" in mail.body and "/audit/filings/42/" in mail.body


def test_no_email_for_a_notification_already_sent(email_on, alice_mail, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    reminder(alice_mail)

    with django_capture_on_commit_callbacks(execute=True):
        reminder(alice_mail)

    assert mailoutbox == []


def test_no_email_for_a_user_without_an_address(email_on, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminder(make_user("bob"))

    assert mailoutbox == []


def test_no_email_when_the_work_is_rolled_back(email_on, alice_mail, mailoutbox,
                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            reminder(alice_mail)
            raise RuntimeError("the deciding service failed")

    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_a_failing_mail_server_does_not_fail_the_caller(email_on, alice_mail, settings,
                                                        django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens

    with django_capture_on_commit_callbacks(execute=True):
        created = reminder(alice_mail)

    assert created is True


def test_notify_many_creates_only_the_missing_and_counts_them(alice_mail):
    bob = make_user("bob")
    reminder(alice_mail, key="publicity:7:closing")

    created = notify_many(users=[alice_mail, bob], key="publicity:7:closing", kind="publicity.closing",
                          title="公示即将结束")

    assert created == 1
    assert Notification.objects.filter(key="publicity:7:closing").count() == 2


def test_notify_many_emails_only_the_new_recipients(email_on, alice_mail, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    carol = make_user("carol", email="carol@example.cn")
    reminder(alice_mail, key="publicity:7:closing")

    with django_capture_on_commit_callbacks(execute=True):
        notify_many(users=[alice_mail, carol], key="publicity:7:closing", kind="publicity.closing",
                    title="公示即将结束")

    assert [m.to for m in mailoutbox] == [["carol@example.cn"]]


def test_mark_read_sets_the_time_once(alice_mail):
    notification = NotificationFactory(user=alice_mail)
    notification_mark_read(user=alice_mail, notification=notification)
    first = notification.read_at

    notification_mark_read(user=alice_mail, notification=notification)

    notification.refresh_from_db()
    assert first is not None and notification.read_at == first


def test_mark_read_refuses_someone_else_s_notification(alice_mail):
    notification = NotificationFactory(user=make_user("bob"))

    with pytest.raises(PermissionError):
        notification_mark_read(user=alice_mail, notification=notification)


def test_mark_all_read_touches_only_the_user_s_own(alice_mail):
    bob = make_user("bob")
    NotificationFactory.create_batch(2, user=alice_mail)
    NotificationFactory(user=alice_mail, read=True)
    NotificationFactory(user=bob)

    marked = notification_mark_all_read(user=alice_mail)

    assert marked == 2
    assert not Notification.objects.filter(user=alice_mail, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=bob, read_at__isnull=True).count() == 1
