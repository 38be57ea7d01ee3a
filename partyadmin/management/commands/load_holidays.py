"""Fill the working-day calendar from the chinesecalendar package (DESIGN §2.2). Safe to run twice.

    python manage.py load_holidays                     # every year the package covers
    python manage.py load_holidays --years 2024 2025
    python manage.py load_holidays --years 2026 --replace-manual

Rows the administrator changed in the admin are kept unless --replace-manual.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from audit.services import record
from partyadmin import workdays
from partyadmin.errors import RuleViolation


class Command(BaseCommand):
    help = "从 chinesecalendar 数据录入工作日历（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", nargs="+", type=int, help="年份（默认：chinesecalendar 覆盖的全部年份）")
        parser.add_argument(
            "--replace-manual", action="store_true", help="同时覆盖系统管理员在后台修改过的日期"
        )

    def handle(self, *args: Any, years: list[int] | None, replace_manual: bool, **options: Any) -> None:
        try:
            with transaction.atomic():
                results = workdays.load_chinese_calendar(years, replace_manual=replace_manual)
                created = sum(r.created for r in results.values())
                updated = sum(r.updated for r in results.values())
                if created or updated:
                    record(
                        actor=None, action="partyadmin.holiday.load",
                        subject_type="partyadmin.holiday", subject_id=f"{min(results)}-{max(results)}",
                        subject_label="工作日历（chinesecalendar）",
                        changes={"years": [None, sorted(results)], "created": [None, created], "updated": [None, updated]},
                    )
        except RuleViolation as error:
            raise CommandError(error.message) from error
        for year, result in results.items():
            line = f"{year} 年：新增 {result.created} 天，更新 {result.updated} 天"
            if result.kept:
                line += f"，保留管理员修改 {result.kept} 天（如需覆盖请加 --replace-manual）"
            self.stdout.write(line)
