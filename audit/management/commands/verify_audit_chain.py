"""Verify the hash chains of the audit trail and report the first broken link of each (DESIGN §5)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import chain_of
from audit.verification import BATCH_SIZE, chain_names, verify_chains


class Command(BaseCommand):
    help = "校验审计日志的哈希链（SM3），报告每条链第一处断裂；有断裂时以非零状态退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chain", action="append", default=[], help="只校验这条链（可重复）；全局链为 global")
        parser.add_argument(
            "--county", action="append", type=int, default=[], metavar="ORG_ID",
            help="只校验该县（市、区）委组织部的链（组织编号，可重复）",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="每批读取的记录数")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = [*options["chain"], *(chain_of(county) for county in options["county"])]
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 必须大于 0。")
        if wanted:
            known = set(chain_names())
            unknown = [name for name in wanted if name not in known]
            if unknown:
                raise CommandError(f"没有这些审计链：{', '.join(unknown)}")
        result = verify_chains(wanted or None, batch_size=options["batch_size"])
        if options["verbosity"] >= 2:
            for report in result.chains:
                if report.ok:
                    self.stdout.write(f"审计链 {report.chain}：{report.count} 条，完整")
        if not result.ok:
            lines = "\n".join(str(broken) for broken in result.breaks)
            raise CommandError(f"审计链校验失败，{len(result.breaks)} 条链有断裂：\n{lines}")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：{result.count} 条"))
