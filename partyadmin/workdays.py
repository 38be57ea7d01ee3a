"""Working days (工作日) and calendar arithmetic: the one module every deadline rule uses (DESIGN §2.2).

The calendar table
------------------
`Holiday` holds one row per date: date (primary key) → is_working_day, name, note. A year is
*covered* when it holds a row for every one of its dates (365 or 366 rows). We store every date,
not "a complete-year marker plus exception rows", because:

* "the next N working days" is then one ordered range scan of the primary key
  (`date >= start ORDER BY date LIMIT k`) that reads working and non-working days alike, so no
  weekday rule in code can ever stand in for a missing day;
* "is year Y covered" is one count over one index range (rows between 1 Jan and 31 Dec = days in
  Y), and there is no second table that could disagree with the rows;
* the administrator sees and corrects concrete days in the admin, never an implicit rule.

A computation that needs a date of a year that is not covered raises `CalendarNotCovered`, which
names the year. There is never a Monday–Friday fallback: a year is entered on purpose, either by
`python manage.py load_holidays` (from the chinesecalendar package, which covers 2004–2026) or on
the admin page "生成某年日历" (Monday to Friday as working days, then corrected by hand for the
holidays the State Council announces). `missing_next_year_warning` tells the administrator from
1 December when next year is still missing.

How much each function checks
------------------------------
`is_working_day`, `working_days_between` and `is_year_covered` require the whole year(s) to be
covered. `add_working_days` reads forward from the opening day in one query and requires every
date from the opening day to 31 December of each year it reaches (a window-function count per
year in the same query): a year entered only in part is refused, the past days of the opening
year are not re-checked.

Counting (DESIGN §2.2)
----------------------
"a window of N working days opened on a working day counts that day as day 1; opened on a
non-working day, day 1 is the next working day; it closes at the end of day N." `add_working_days`
returns day N; the window is open through the end of that date (China time). "One month" is a
calendar month (`add_months`), "within 30 days" is calendar days (`add_days`).

The writers at the end of this module (`load_chinese_calendar`, `fill_year_weekdays`) only fill
the table; the data migration, the `load_holidays` command and the admin call them, and the
command and the admin record the audit event.
"""

import calendar
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import chinese_calendar
from django.db import transaction
from django.db.models import Count, Q, Window
from django.db.models.functions import ExtractYear
from django.utils import timezone

from .errors import RuleViolation
from .models import Holiday


class CalendarNotCovered(RuleViolation):
    """A computation needs a year that the working-day calendar does not cover."""

    def __init__(self, year: int) -> None:
        super().__init__(
            "calendar.not_covered",
            f"{year} 年的工作日历尚未录入，请系统管理员先录入该年节假日安排。",
        )
        self.year = year
        self.args = (year,)  # so that pickling (e.g. a Celery result) rebuilds the same error


def china_today() -> date:
    """Today in China (TIME_ZONE is Asia/Shanghai)."""
    return timezone.localdate()


# --- calendar arithmetic ---------------------------------------------------------------------


def add_days(d: date, n: int) -> date:
    """`n` calendar days after `d` ("within 30 days" = calendar days)."""
    return d + timedelta(days=n)


def add_months(d: date, n: int) -> date:
    """`n` calendar months after `d`, clamped to the month's last day (2024-01-31 + 1 = 2024-02-29)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last_day))


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def _days_through_year_end(first: date) -> int:
    """Number of dates from `first` through 31 December of its year."""
    return (_year_end(first.year) - first).days + 1


# --- reading the calendar --------------------------------------------------------------------


def year_row_counts(first_year: int, last_year: int) -> dict[int, int]:
    """Rows held per year in [first_year, last_year] (one grouped query; absent years are 0)."""
    rows = (
        Holiday.objects.filter(date__range=(date(first_year, 1, 1), _year_end(last_year)))
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(rows=Count("date"))
        .values_list("year", "rows")
    )
    counts = dict.fromkeys(range(first_year, last_year + 1), 0)
    counts.update(dict(rows))
    return counts


def is_year_covered(year: int) -> bool:
    """Whether the table holds every date of `year`."""
    return year_row_counts(year, year)[year] == days_in_year(year)


def covered_years() -> list[int]:
    """The years the table covers completely, ascending."""
    rows = (
        Holiday.objects.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(rows=Count("date"))
        .values_list("year", "rows")
        .order_by("year")
    )
    return [year for year, count in rows if count == days_in_year(year)]


def is_working_day(d: date) -> bool:
    """Whether `d` is a working day; raises CalendarNotCovered unless d's whole year is entered."""
    counts = Holiday.objects.filter(date__range=(date(d.year, 1, 1), _year_end(d.year))).aggregate(
        rows=Count("date"), working=Count("date", filter=Q(date=d, is_working_day=True))
    )
    if counts["rows"] != days_in_year(d.year):
        raise CalendarNotCovered(d.year)
    return counts["working"] == 1


def working_days_between(first: date, last: date) -> int:
    """Number of working days d with first <= d <= last (0 when last < first).

    Every year from first's through last's must be covered.
    """
    if last < first:
        return 0
    rows = (
        Holiday.objects.filter(date__range=(date(first.year, 1, 1), _year_end(last.year)))
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(
            rows=Count("date"),
            working=Count("date", filter=Q(is_working_day=True, date__range=(first, last))),
        )
        .values_list("year", "rows", "working")
    )
    by_year = {year: (count, working) for year, count, working in rows}
    for year in range(first.year, last.year + 1):
        if by_year.get(year, (0, 0))[0] != days_in_year(year):
            raise CalendarNotCovered(year)
    return sum(working for _, working in by_year.values())


def add_working_days(start: date, n: int) -> date:
    """Day N of a window of `n` working days opened on `start` (DESIGN §2.2).

    Day 1 is `start` when it is a working day, else the next working day; the window closes at
    the end of the returned date. One query in practice: the rows from `start` onward, with a
    per-year row count to prove each year reached is entered through 31 December.
    """
    if n < 1:
        raise ValueError("a working-day window has at least one day")
    counted = 0
    batch_start = start
    while True:
        limit = 2 * (n - counted) + 20  # the longest holiday runs fit with room to spare
        bound = _year_end(add_days(batch_start, limit).year)
        rows = list(
            Holiday.objects.filter(date__range=(batch_start, bound))
            .annotate(year_rows=Window(Count("date"), partition_by=[ExtractYear("date")]))
            .order_by("date")
            .values_list("date", "is_working_day", "year_rows")[:limit]
        )
        expected = batch_start
        for day, working, year_rows in rows:
            if day != expected:
                raise CalendarNotCovered(expected.year)
            if year_rows != _days_through_year_end(max(batch_start, date(day.year, 1, 1))):
                raise CalendarNotCovered(day.year)
            if working:
                counted += 1
                if counted == n:
                    return day
            expected = add_days(day, 1)
        if len(rows) < limit:  # the table ends before day N
            raise CalendarNotCovered(expected.year)
        batch_start = expected  # an unusually long run of days off: read on


def missing_next_year_warning(today: date) -> str | None:
    """The administrator's warning about a missing calendar year, or None.

    From 1 December: next year not entered yet. Any day: the current year not entered (then every
    working-day deadline fails now, which is the more urgent message).
    """
    counts = year_row_counts(today.year, today.year + 1)
    if counts[today.year] != days_in_year(today.year):
        return (
            f"{today.year} 年的工作日历尚未完整录入，涉及工作日的期限现在无法计算。"
            f"请系统管理员立即录入 {today.year} 年节假日安排。"
        )
    next_year = today.year + 1
    if today.month == 12 and counts[next_year] != days_in_year(next_year):
        return (
            f"{next_year} 年的工作日历尚未录入。请系统管理员在 {today.year} 年 12 月 31 日前按国务院办公厅"
            f"公布的放假安排录入 {next_year} 年节假日，否则自 {next_year} 年 1 月 1 日起涉及工作日的期限将无法计算。"
        )
    return None


# --- filling the calendar --------------------------------------------------------------------

_HOLIDAY_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    kept: int = 0  # rows the administrator changed, left as they are


@functools.cache
def package_years() -> range:
    """The years the installed chinesecalendar package has data for."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def package_day(d: date) -> tuple[bool, str]:
    """(is working day, name) for `d` from chinesecalendar; LookupError outside its years.

    The same reading as `chinese_calendar.get_holiday_detail`, straight from its public tables
    (that function re-derives the package's year range on every call: 8,000 calls took a second).
    """
    if d.year not in package_years():
        raise LookupError(f"chinesecalendar has no data for {d.year}")
    if d in chinese_calendar.workdays:
        working, english_name = True, chinese_calendar.workdays[d]
    elif d in chinese_calendar.holidays:
        working, english_name = False, chinese_calendar.holidays[d]
    else:
        working, english_name = d.weekday() < 5, None
    if english_name is None:
        return working, ""
    chinese = chinese_calendar.Holiday(english_name).chinese
    name = _HOLIDAY_NAMES.get(chinese, chinese)
    return working, f"{name}调休上班" if working else name


def _dates_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range(days_in_year(year))]


@transaction.atomic
def load_chinese_calendar(
    years: Iterable[int] | None = None, *, replace_manual: bool = False, model: Any = Holiday
) -> dict[int, LoadResult]:
    """Fill `years` (default: all the package covers) from chinesecalendar. Safe to run twice.

    Missing dates are created; rows from the package or from the Monday–Friday template are
    brought in line with the package; rows the administrator changed are kept unless
    `replace_manual`. Notes are never touched. `model` lets the data migration pass its
    historical model.
    """
    available = package_years()
    wanted = sorted(set(years if years is not None else available))
    for year in wanted:
        if year not in available:
            raise RuleViolation(
                "calendar.no_package_data",
                f"chinesecalendar 数据不含 {year} 年（仅含 {available.start}–{available.stop - 1} 年），"
                f"请在后台“生成某年日历”后按放假安排逐日修正。",
            )
    if not wanted:
        return {}
    existing = {
        row[0]: row[1:]
        for row in model.objects.filter(date__range=(date(wanted[0], 1, 1), _year_end(wanted[-1]))).values_list(
            "date", "is_working_day", "name", "source"
        )
    }
    now = timezone.now()
    results: dict[int, LoadResult] = {}
    to_create: list[Any] = []
    to_update: defaultdict[tuple[bool, str], list[date]] = defaultdict(list)
    for year in wanted:
        result = results[year] = LoadResult()
        for d in _dates_of(year):
            working, name = package_day(d)
            row = existing.get(d)
            if row is None:
                to_create.append(
                    model(date=d, is_working_day=working, name=name, source=Holiday.Source.CHINESE_CALENDAR)
                )
                result.created += 1
                continue
            row_working, row_name, row_source = row
            if (row_working, row_name, row_source) == (working, name, Holiday.Source.CHINESE_CALENDAR):
                continue
            if row_source == Holiday.Source.MANUAL and not replace_manual:
                if (row_working, row_name) != (working, name):
                    result.kept += 1
                continue
            to_update[working, name].append(d)
            result.updated += 1
    model.objects.bulk_create(to_create, batch_size=1000)
    # One UPDATE per distinct value (a few dozen at most), not a CASE over hundreds of rows.
    for (working, name), dates in to_update.items():
        for i in range(0, len(dates), 500):  # keeps SQLite under its bound-parameter limit
            model.objects.filter(date__in=dates[i : i + 500]).update(
                is_working_day=working, name=name, source=Holiday.Source.CHINESE_CALENDAR, updated_at=now
            )
    return results


@transaction.atomic
def fill_year_weekdays(year: int) -> int:
    """Create the missing dates of `year`, Monday–Friday as working days; returns how many.

    Only ever called on the administrator's explicit request ("生成某年日历"): the rows are marked
    as a template to be corrected for the year's holidays. Existing rows are never changed.
    """
    present = set(Holiday.objects.filter(date__range=(date(year, 1, 1), _year_end(year))).values_list("date", flat=True))
    rows = [
        Holiday(date=d, is_working_day=d.weekday() < 5, source=Holiday.Source.WEEKDAYS)
        for d in _dates_of(year)
        if d not in present
    ]
    Holiday.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
