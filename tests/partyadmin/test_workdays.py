"""The working-day calendar (DESIGN §2.2): counting, coverage, calendar months, seeding.

The calendar rows of 2004–2026 come from the data migration (chinesecalendar); 2027 is absent.
"""

import pickle
from datetime import date
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import Event
from partyadmin import workdays
from partyadmin.errors import RuleViolation
from partyadmin.models import Holiday
from partyadmin.workdays import (
    CalendarNotCovered,
    add_days,
    add_months,
    add_working_days,
    is_working_day,
    missing_next_year_warning,
    working_days_between,
)

pytestmark = pytest.mark.django_db

NOT_COVERED_2027 = "2027 年的工作日历尚未录入，请系统管理员先录入该年节假日安排。"


def _delete_year(year: int) -> None:
    Holiday.objects.filter(date__year=year).delete()


def _load_holidays(*args: str) -> str:
    out = StringIO()
    call_command("load_holidays", *args, stdout=out)
    return out.getvalue()


# --- counting ----------------------------------------------------------------------------------


def test_design_example_window_closes_on_9_october_2024():
    """DESIGN §2.2: "opened Friday 2024-09-27 for 5 working days (National Day 2024: 1–7 October
    off, Sunday 29 September and Saturday 12 October worked) → 27 Sep, 29 Sep, 30 Sep, 8 Oct,
    9 Oct: closes at the end of 2024-10-09"."""
    assert add_working_days(date(2024, 9, 27), 5) == date(2024, 10, 9)


def test_national_day_2025_window_skips_eight_days_off():
    """National Day 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
    Opened Friday 2025-09-26 for 5 working days → 26 Sep, 28 Sep, 29 Sep, 30 Sep, 9 Oct."""
    assert add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 9)


def test_national_day_2025_rows_agree_with_chinesecalendar():
    """The seeded rows are the package's: 28 Sep and 11 Oct worked, 1–8 Oct off."""
    rows = dict(Holiday.objects.filter(date__range=(date(2025, 9, 27), date(2025, 10, 12)))
                .values_list("date", "is_working_day"))
    assert rows == {d: chinese_calendar.is_workday(d) for d in rows}
    assert rows[date(2025, 9, 28)] and rows[date(2025, 10, 11)]
    assert not any(rows[date(2025, 10, day)] for day in range(1, 9))


def test_window_opened_on_a_working_day_counts_that_day_as_day_one():
    """DESIGN §2.2: "a window of N working days opened on a working day counts that day as day 1"."""
    assert add_working_days(date(2024, 9, 27), 1) == date(2024, 9, 27)


def test_window_opened_on_a_non_working_day_starts_on_the_next_working_day():
    """DESIGN §2.2: "opened on a non-working day, day 1 is the next working day". Opened on
    1 October 2024 (off): 8, 9, 10, 11 Oct and Saturday 12 Oct (worked) → closes 2024-10-12."""
    assert add_working_days(date(2024, 10, 1), 5) == date(2024, 10, 12)


def test_window_over_spring_festival_reads_past_a_long_holiday():
    """Spring Festival 2024: 10–17 February off, Sunday 4 and Sunday 18 February worked."""
    assert add_working_days(date(2024, 2, 9), 2) == date(2024, 2, 18)


def test_long_window_is_counted_across_years():
    assert add_working_days(date(2024, 1, 1), 251 + 1) == add_working_days(date(2025, 1, 1), 1)


def test_window_reads_past_an_unusually_long_run_of_days_off():
    """An administrator may mark weeks off (e.g. a local emergency); the count still finds day 1."""
    Holiday.objects.filter(date__range=(date(2024, 7, 1), date(2024, 8, 15))).update(is_working_day=False)
    assert add_working_days(date(2024, 7, 1), 1) == date(2024, 8, 16)


def test_window_is_computed_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(date(2024, 9, 27), 20)


def test_window_needs_at_least_one_day():
    with pytest.raises(ValueError):
        add_working_days(date(2024, 9, 27), 0)


def test_is_working_day_follows_the_calendar_not_the_weekday():
    assert is_working_day(date(2024, 10, 12))  # Saturday, worked
    assert not is_working_day(date(2024, 10, 1))  # Tuesday, National Day


def test_working_days_between_counts_both_ends():
    assert working_days_between(date(2024, 9, 27), date(2024, 10, 9)) == 5
    assert working_days_between(date(2024, 10, 9), date(2024, 9, 27)) == 0


# --- coverage -----------------------------------------------------------------------------------


def test_window_into_an_uncovered_year_raises_with_the_chinese_message():
    """DESIGN §2.2: "A computation that needs a year the table does not cover raises a clear
    error … Never silently fall back to 'Monday–Friday'"."""
    with pytest.raises(CalendarNotCovered) as raised:
        add_working_days(date(2026, 12, 28), 10)
    assert raised.value.code == "calendar.not_covered"
    assert raised.value.message == NOT_COVERED_2027
    assert raised.value.year == 2027
    assert isinstance(raised.value, RuleViolation)


def test_calendar_error_survives_pickling():
    error = pickle.loads(pickle.dumps(CalendarNotCovered(2027)))  # noqa: S301 - our own bytes
    assert (error.year, error.code, error.message) == (2027, "calendar.not_covered", NOT_COVERED_2027)


def test_window_opened_in_an_uncovered_year_raises():
    with pytest.raises(CalendarNotCovered, match="2027 年"):
        add_working_days(date(2027, 3, 1), 1)


def test_window_inside_a_partly_entered_year_raises():
    """A year entered only in part (here: January 2027) is not covered."""
    Holiday.objects.bulk_create(
        Holiday(date=date(2027, 1, day), is_working_day=date(2027, 1, day).weekday() < 5) for day in range(1, 32)
    )
    with pytest.raises(CalendarNotCovered, match="2027 年"):
        add_working_days(date(2027, 1, 4), 1)


def test_missing_day_inside_a_covered_year_raises():
    Holiday.objects.filter(date=date(2024, 10, 3)).delete()
    with pytest.raises(CalendarNotCovered, match="2024 年"):
        add_working_days(date(2024, 9, 27), 5)


def test_is_working_day_in_an_uncovered_year_raises():
    with pytest.raises(CalendarNotCovered, match="2027 年"):
        is_working_day(date(2027, 1, 4))


def test_working_days_between_into_an_uncovered_year_raises():
    with pytest.raises(CalendarNotCovered, match="2027 年"):
        working_days_between(date(2026, 12, 1), date(2027, 1, 31))


def test_entering_2027_makes_windows_work():
    """生成某年日历（周一至周五为工作日）, then the administrator corrects New Year's Day."""
    assert workdays.fill_year_weekdays(2027) == 365
    Holiday.objects.filter(date=date(2027, 1, 1)).update(is_working_day=False, name="元旦")
    assert workdays.is_year_covered(2027)
    # Thursday 31 Dec 2026, (Fri 1 Jan 2027 off), Mon 4 Jan, Tue 5 Jan.
    assert add_working_days(date(2026, 12, 31), 3) == date(2027, 1, 5)


def test_filling_a_year_never_changes_existing_rows():
    Holiday.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    assert workdays.fill_year_weekdays(2027) == 364
    assert Holiday.objects.get(date=date(2027, 1, 1)).name == "元旦"


def test_migration_covers_every_year_of_the_package():
    assert workdays.covered_years() == list(range(2004, 2027))
    assert not workdays.is_year_covered(2027)


# --- the administrator's warning -----------------------------------------------------------------


def test_warning_from_1_december_when_next_year_is_missing():
    """DESIGN §2.2: "the admin dashboard warns from 1 December when next year is missing"."""
    warning = missing_next_year_warning(date(2026, 12, 1))
    assert warning is not None and "2027 年的工作日历尚未录入" in warning


def test_no_warning_before_1_december():
    assert missing_next_year_warning(date(2026, 11, 30)) is None


def test_no_warning_when_next_year_is_present():
    workdays.fill_year_weekdays(2027)
    assert missing_next_year_warning(date(2026, 12, 1)) is None


def test_warning_any_day_when_the_current_year_is_missing():
    _delete_year(2026)
    warning = missing_next_year_warning(date(2026, 3, 1))
    assert warning is not None and "2026 年的工作日历尚未完整录入" in warning


# --- calendar days and months ----------------------------------------------------------------------


def test_one_month_after_31_january_is_the_last_day_of_february():
    """DESIGN §2.2: ""One month" is a calendar month (2024-01-31 + 1 month = 2024-02-29)"."""
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)


def test_add_months_crosses_years_both_ways():
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 15), -1) == date(2023, 12, 15)


def test_add_days_counts_calendar_days():
    """DESIGN §2.2: ""within 30 days" is calendar days"."""
    assert add_days(date(2024, 9, 27), 30) == date(2024, 10, 27)


# --- load_holidays ---------------------------------------------------------------------------------


def test_load_holidays_is_idempotent():
    _delete_year(2024)
    _load_holidays("--years", "2024")
    rows = list(Holiday.objects.filter(date__year=2024).values_list("date", "is_working_day", "name", "updated_at"))
    events = Event.objects.count()
    second = _load_holidays("--years", "2024")
    assert second.strip() == "2024 年：新增 0 天，更新 0 天"
    assert len(rows) == 366
    assert list(Holiday.objects.filter(date__year=2024).values_list(
        "date", "is_working_day", "name", "updated_at")) == rows
    assert Event.objects.count() == events  # the second run wrote nothing


def test_load_holidays_records_an_audit_event():
    _delete_year(2024)
    _load_holidays("--years", "2024")
    event = Event.objects.get(action="partyadmin.holiday.load")
    assert event.changes["created"] == [None, 366]


def test_load_holidays_keeps_the_administrators_corrections():
    Holiday.objects.filter(date=date(2024, 10, 8)).update(is_working_day=False, source=Holiday.Source.MANUAL)
    _load_holidays("--years", "2024")
    assert not Holiday.objects.get(date=date(2024, 10, 8)).is_working_day
    _load_holidays("--years", "2024", "--replace-manual")
    assert Holiday.objects.get(date=date(2024, 10, 8)).is_working_day


def test_load_holidays_replaces_a_weekday_template_with_package_data():
    _delete_year(2025)
    workdays.fill_year_weekdays(2025)
    _load_holidays("--years", "2025")
    day = Holiday.objects.get(date=date(2025, 10, 1))
    assert (day.is_working_day, day.name, day.source) == (False, "国庆节", Holiday.Source.CHINESE_CALENDAR)


def test_load_holidays_refuses_a_year_the_package_does_not_have():
    with pytest.raises(CommandError, match="不含 2027 年"):
        call_command("load_holidays", "--years", "2027")
    assert not Holiday.objects.filter(date__year=2027).exists()


def test_package_reading_agrees_with_chinesecalendar_day_by_day():
    for year in (2020, 2024, 2025, 2026):
        for offset in range(workdays.days_in_year(year)):
            day = add_days(date(year, 1, 1), offset)
            working, name = workdays.package_day(day)
            _, english_name = chinese_calendar.get_holiday_detail(day)
            assert working == chinese_calendar.is_workday(day)
            assert bool(name) == (english_name is not None)
