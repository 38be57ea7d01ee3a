"""Times the set-based quarterly freeze and year-end rollup on a generated county and prints the time
and the number of SQL statements of each step.

    python manage.py generate_scoring_tenant --members 100000 --entries 20 --code BENCH1
    python manage.py bench_scoring --code BENCH1 --year 2026
"""

import time
from collections import Counter
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from branches.models import Organization
from scoring.stars import rules, services
from scoring.stars.models import QuarterFreeze, QuarterResult, StarProposal, StarRow


class Command(BaseCommand):
    help = "Times the quarterly freeze and the year-end star rollup of a generated county."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--code", default="BENCH1")
        parser.add_argument("--year", type=int, default=2026)
        parser.add_argument("--quarter", type=int, default=3)
        parser.add_argument("--publicize", action="store_true",
                            help="also open the ranking publicity of every branch (one notice per branch)")

    def _step(self, label: str, fn) -> Any:  # type: ignore[no-untyped-def]
        """Runs fn, counting its SQL statements and the time spent in the slowest kinds of statement."""
        counts: Counter[str] = Counter()
        spent: Counter[str] = Counter()

        def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            started = time.monotonic()
            try:
                return execute(sql, params, many, context)
            finally:
                kind = " ".join(sql.split()[:3])[:40]
                counts[kind] += 1
                spent[kind] += time.monotonic() - started

        with connection.execute_wrapper(counting):
            started = time.monotonic()
            result = fn()
            elapsed = time.monotonic() - started
        self.stdout.write(f"{label:<34} {elapsed:8.2f} s  {sum(counts.values()):6d} SQL statements  {result}")
        if self.verbose:
            shown = [kind for kind, _ in spent.most_common(6)]
            shown += [kind for kind, _ in counts.most_common(3) if kind not in shown]
            for kind in shown:
                self.stdout.write(f"    {spent[kind]:8.2f} s  {counts[kind]:6d} × {kind}")
        return result

    def handle(self, *args: Any, **opts: Any) -> None:
        self.verbose = opts["verbosity"] > 1
        county = Organization.objects.filter(code=opts["code"]).first()
        if county is None:
            raise CommandError(f"没有组织代码为 {opts['code']} 的县。")
        year = opts["year"]
        quarter = rules.Quarter(year, opts["quarter"])
        branches = Organization.objects.filter(county=county, kind="branch")
        StarRow.objects.filter(organization__in=branches, year=year).delete()
        StarProposal.objects.filter(organization__in=branches, year=year).delete()
        QuarterResult.objects.filter(organization__in=branches, year=year).delete()
        QuarterFreeze.objects.filter(organization__in=branches, year=year).delete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM scoring_entry WHERE county_id = %s", [county.pk])
            entries = cursor.fetchone()[0]
        self.stdout.write(f"county {county.code}: {branches.count()} branches, "
                          f"{county.members.model.objects.filter(county=county).count()} members, {entries} entries")
        today = date(year, 10, 9) if quarter.number == 3 else None
        self._step(f"quarter freeze {quarter.label}", lambda: services.quarter_freeze_all(
            quarter=quarter, county_id=county.pk, today=today, publicize=opts["publicize"]))
        self._step("quarter freeze again (no-op)", lambda: services.quarter_freeze_all(
            quarter=quarter, county_id=county.pk, today=today, publicize=opts["publicize"]))
        self._step(f"year-end rollup {year}", lambda: services.rollup_year(acting_user=None, county=county, year=year))
        self._step(f"year-end rollup {year} again", lambda: services.rollup_year(acting_user=None, county=county,
                                                                                   year=year))
        self.stdout.write(f"results: {QuarterResult.objects.filter(organization__in=branches, year=year).count()} "
                          f"quarter rows, {StarRow.objects.filter(organization__in=branches, year=year).count()} "
                          "star rows")
