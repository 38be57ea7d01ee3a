"""Freezes, ranks and publicizes a quarter for every branch not frozen yet (what the daily job does on
the first working day of the next quarter).

    python manage.py stars_quarter_freeze --year 2026 --quarter 3
"""

from typing import Any

from django.core.management.base import BaseCommand

from scoring.stars import rules, services


class Command(BaseCommand):
    help = "Freezes and ranks one quarter for every branch with a published scheme (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        result = services.quarter_freeze_all(quarter=rules.Quarter(opts["year"], opts["quarter"]))
        self.stdout.write(self.style.SUCCESS(f"冻结{result['frozen']}个支部，{result['people']}人，"
                                             f"公示{result['publicized']}个"))
