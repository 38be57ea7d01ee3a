"""The working-day calendar in Django admin: editing, generating a year, the index warning (DESIGN §2.2).

"Working days … seeded from the chinesecalendar package … and editable by the system
administrator … the admin dashboard warns from 1 December when next year is missing."
"""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import Event
from partyadmin import workdays
from partyadmin.models import Holiday
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:partyadmin_holiday_changelist"
GENERATE = "admin:partyadmin_holiday_generate"


def _staff(username: str, *codenames: str):
    user = make_user(username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="partyadmin", codename__in=codenames))
    return user


@pytest.fixture
def sysadmin():
    """The system administrator: may view, add, change and delete calendar days."""
    return _staff("sam", "view_holiday", "add_holiday", "change_holiday", "delete_holiday")


@pytest.fixture
def viewer():
    """Staff who may only look at the calendar."""
    return _staff("vera", "view_holiday")


@pytest.fixture
def other_staff():
    """Staff with no calendar permission at all (e.g. the audit administrator)."""
    return _staff("otto")


@pytest.fixture
def today_is(monkeypatch):
    """Freeze China's "today" for the admin index by replacing the one function that reads the clock."""

    def freeze(day: date) -> None:
        monkeypatch.setattr(workdays, "china_today", lambda: day)

    return freeze


# --- the list ------------------------------------------------------------------------------------


def test_changelist_loads_for_the_system_administrator(client_for, sysadmin, django_assert_max_num_queries):
    client = client_for(sysadmin)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert reverse(GENERATE).encode() in response.content


def test_changelist_filters_by_year(client_for, sysadmin):
    response = client_for(sysadmin).get(reverse(CHANGELIST), {"year": "2025"})
    shown = {row.date.year for row in response.context["cl"].result_list}
    assert shown == {2025}


def test_changelist_searches_holiday_names(client_for, sysadmin):
    response = client_for(sysadmin).get(reverse(CHANGELIST), {"year": "2024", "q": "国庆节"})
    shown = [row.date for row in response.context["cl"].result_list]
    assert shown == [date(2024, 9, 29), *(date(2024, 10, day) for day in range(1, 8)), date(2024, 10, 12)]


def test_viewer_sees_the_list_without_the_generate_link(client_for, viewer):
    response = client_for(viewer).get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert reverse(GENERATE).encode() not in response.content


def test_staff_without_calendar_permission_is_refused(client_for, other_staff):
    assert client_for(other_staff).get(reverse(CHANGELIST)).status_code == 403


def test_user_who_is_not_staff_is_sent_to_the_admin_login(client_for):
    response = client_for(make_user("mary")).get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- correcting days -----------------------------------------------------------------------------


def test_editing_a_day_marks_it_as_the_administrators_and_is_audited(client_for, sysadmin):
    url = reverse("admin:partyadmin_holiday_change", args=["2024-10-08"])
    response = client_for(sysadmin).post(url, {"name": "临时停工", "note": "示例", "_save": "保存"})
    assert response.status_code == 302
    day = Holiday.objects.get(date=date(2024, 10, 8))
    assert (day.is_working_day, day.name, day.source) == (False, "临时停工", Holiday.Source.MANUAL)
    event = Event.objects.get(action="partyadmin.holiday.admin_change")
    assert event.subject_id == "2024-10-08" and event.changes["is_working_day"] == [True, False]


def test_mark_rest_days_action_changes_the_selected_days(client_for, sysadmin):
    response = client_for(sysadmin).post(
        reverse(CHANGELIST), {"action": "mark_rest_days", "_selected_action": ["2024-10-08", "2024-10-09"]}
    )
    assert response.status_code == 302
    assert not Holiday.objects.filter(date__in=[date(2024, 10, 8), date(2024, 10, 9)], is_working_day=True).exists()
    event = Event.objects.get(action="partyadmin.holiday.admin_change")
    assert event.changes["dates"] == ["2024-10-08", "2024-10-09"]


def test_viewer_cannot_change_a_day(client_for, viewer):
    url = reverse("admin:partyadmin_holiday_change", args=["2024-10-08"])
    client_for(viewer).post(url, {"name": "临时停工", "_save": "保存"})
    assert Holiday.objects.get(date=date(2024, 10, 8)).is_working_day


# --- 生成某年日历 ----------------------------------------------------------------------------------


def test_generate_page_offers_next_year(client_for, sysadmin, today_is):
    today_is(date(2026, 12, 1))
    response = client_for(sysadmin).get(reverse(GENERATE))
    assert response.status_code == 200
    assert response.context["form"].initial["year"] == 2027


def test_generating_a_year_fills_monday_to_friday_after_confirmation(client_for, sysadmin):
    response = client_for(sysadmin).post(reverse(GENERATE), {"year": "2027", "confirm": "on"})
    assert response.status_code == 302
    assert response.url == reverse(CHANGELIST) + "?year=2027"
    days = Holiday.objects.filter(date__year=2027)
    assert days.count() == 365
    assert set(days.filter(is_working_day=True).values_list("date__week_day", flat=True)) == {2, 3, 4, 5, 6}
    assert set(days.values_list("source", flat=True)) == {Holiday.Source.WEEKDAYS}
    assert Event.objects.get(action="partyadmin.holiday.generate_year").subject_id == "2027"


def test_generating_needs_explicit_confirmation(client_for, sysadmin):
    response = client_for(sysadmin).post(reverse(GENERATE), {"year": "2027"})
    assert response.status_code == 200
    assert "请确认生成后将逐日核对节假日安排。" in response.content.decode()
    assert not Holiday.objects.filter(date__year=2027).exists()


def test_generating_a_covered_year_is_refused(client_for, sysadmin):
    response = client_for(sysadmin).post(reverse(GENERATE), {"year": "2025", "confirm": "on"})
    assert "2025 年的工作日历已完整录入" in response.content.decode()
    assert not Event.objects.filter(action="partyadmin.holiday.generate_year").exists()


def test_generating_a_package_year_uses_the_package(client_for, sysadmin):
    Holiday.objects.filter(date__year=2025).delete()
    client_for(sysadmin).post(reverse(GENERATE), {"year": "2025", "confirm": "on"})
    day = Holiday.objects.get(date=date(2025, 10, 8))
    assert (day.is_working_day, day.name) == (False, "国庆节")


def test_viewer_cannot_generate_a_year(client_for, viewer):
    assert client_for(viewer).get(reverse(GENERATE)).status_code == 403
    assert client_for(viewer).post(reverse(GENERATE), {"year": "2027", "confirm": "on"}).status_code == 403
    assert not Holiday.objects.filter(date__year=2027).exists()


# --- the admin index warning ----------------------------------------------------------------------

WARNING_2027 = "2027 年的工作日历尚未录入"


def test_admin_index_warns_from_1_december_when_next_year_is_missing(client_for, sysadmin, today_is):
    today_is(date(2026, 12, 1))
    response = client_for(sysadmin).get(reverse("admin:index"))
    assert WARNING_2027 in response.content.decode()
    assert reverse(GENERATE).encode() in response.content


def test_admin_index_does_not_warn_before_december(client_for, sysadmin, today_is):
    today_is(date(2026, 11, 30))
    response = client_for(sysadmin).get(reverse("admin:index"))
    assert response.status_code == 200
    assert "工作日历尚未" not in response.content.decode()


def test_admin_index_does_not_warn_when_next_year_is_present(client_for, sysadmin, today_is):
    workdays.fill_year_weekdays(2027)
    today_is(date(2026, 12, 15))
    assert "工作日历尚未" not in client_for(sysadmin).get(reverse("admin:index")).content.decode()


def test_admin_index_does_not_warn_staff_who_cannot_enter_the_calendar(client_for, other_staff, today_is):
    today_is(date(2026, 12, 1))
    response = client_for(other_staff).get(reverse("admin:index"))
    assert response.status_code == 200
    assert WARNING_2027 not in response.content.decode()
