"""Run the daily oversight job in this process (the same task beat queues at 01:00). Safe to run twice.

    python manage.py run_daily_oversight                    # today (China time)
    python manage.py run_daily_oversight --date 2026-10-09
    python manage.py run_daily_oversight --force            # run again a day that already ran
"""

from argparse import ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partyadmin.jobs import DAILY_JOB
from partyadmin.models import JobRun
from partyadmin.tasks import daily_oversight
from partyadmin.workdays import china_today


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "运行每日监督任务（公示期、备案与审核期限、责任追究、提醒）；同一天只运行一次，除非加 --force"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", dest="day", type=_iso_date, metavar="YYYY-MM-DD", help="业务日期 YYYY-MM-DD（默认：今天，北京时间）")
        parser.add_argument("--force", action="store_true", help="该日已运行过也重新运行")

    def handle(self, *args: Any, day: date | None, force: bool, **options: Any) -> None:
        day = day or china_today()
        run_id = daily_oversight(day=day.isoformat(), force=force)
        if run_id is None:
            earlier = JobRun.objects.filter(name=DAILY_JOB, day=day).first()
            where = f"（运行记录 #{earlier.pk}）" if earlier else ""
            self.stdout.write(f"{day.isoformat()} 的每日监督任务已运行过{where}，未重复运行；如需重新运行请加 --force。")
            return
        run = JobRun.objects.get(pk=run_id)
        for step in run.result.get("steps", []):
            if step["ok"]:
                self.stdout.write(f"{step['label']}：{step['summary'] or '无变化'}")
            else:
                self.stderr.write(f"{step['label']}：失败 {step['error']}")
        if run.status == JobRun.Status.FAILED:
            raise CommandError(f"每日监督任务 {run.result['day']} 有步骤失败（运行记录 #{run.pk}）。")
        self.stdout.write(self.style.SUCCESS(f"每日监督任务 {run.result['day']} 已完成（运行记录 #{run.pk}）。"))
