"""Runs the year-end star rollup of a county (what the January job does), with progress on a JobRun.

    python manage.py stars_rollup --county DEMO --year 2025
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from branches.models import Organization
from scoring.stars import services


class Command(BaseCommand):
    help = "Computes the year-end star proposals of every branch of a county (undecided branches only)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--county", required=True, help="organization code of the county")
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        county = Organization.objects.filter(code=opts["county"], kind="county_dept").first()
        if county is None:
            raise CommandError(f"没有组织代码为 {opts['county']} 的县。")
        result = services.rollup_year(acting_user=None, county=county, year=opts["year"])
        self.stdout.write(self.style.SUCCESS(f"{county.name}{opts['year']}年度：{result['proposals']}个支部，"
                                             f"{result['rows']}人"))
