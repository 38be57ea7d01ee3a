"""The benchmark's data generator and timer (a benchmark prints numbers; these tests only check that the
generated county holds what the command promises and that the timer runs every step)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from branches.models import Organization
from membership.models import Member
from scoring.models import Entry, EntryStatus, Scheme
from scoring.stars.models import QuarterResult, StarRow

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes with PostgreSQL COPY"),
]


def test_the_generator_writes_members_schemes_and_confirmed_entries() -> None:
    call_command("generate_scoring_tenant", members=95, entries=4, branch_size=30, code="BX", stdout=StringIO())
    county = Organization.objects.get(code="BX")
    assert Organization.objects.filter(county=county, kind="branch").count() == 4  # 30 + 30 + 30 + 5
    assert Member.objects.filter(county=county).count() == 95
    assert Scheme.objects.filter(county=county, status="published").count() == 4
    assert Entry.objects.filter(county=county, status=EntryStatus.CONFIRMED).count() == 380
    assert Member.objects.filter(county=county).select_related("person").first().person.name  # readable names


def test_the_benchmark_runs_the_freeze_and_the_rollup() -> None:
    call_command("generate_scoring_tenant", members=40, entries=3, branch_size=20, code="BY", stdout=StringIO())
    out = StringIO()
    call_command("bench_scoring", code="BY", year=2026, quarter=3, stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split("  ")[0].strip() for line in lines if "SQL statements" in line] == [
        "quarter freeze 2026年第三季度", "quarter freeze again (no-op)", "year-end rollup 2026",
        "year-end rollup 2026 again"]
    branches = Organization.objects.filter(county__code="BY", kind="branch")
    assert QuarterResult.objects.filter(organization__in=branches, year=2026, quarter=3).count() == 40
    assert StarRow.objects.filter(organization__in=branches, year=2026).count() == 40
