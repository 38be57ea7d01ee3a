"""Run the daily accountability job by hand: `manage.py cases_tick [--today YYYY-MM-DD]` (safe to repeat)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.accountability.services import cases_tick
from partyadmin.workdays import china_today


class Command(BaseCommand):
    help = "标记超期未办结的责任追究案件并发送提醒（可重复运行，不会重复提醒）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="按此日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else china_today()
        except ValueError:
            raise CommandError("--today 须为 YYYY-MM-DD 格式的日期。") from None
        marked = cases_tick(today=today)
        self.stdout.write(self.style.SUCCESS(f"新标记超期责任追究案件 {marked} 件（{today:%Y-%m-%d}）"))
