from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from partyadmin.demo_data import seed_demo


class Command(BaseCommand):
    help = "载入演示数据（可重复运行，不会重复创建）；每行输出一个账号：角色<TAB>用户名<TAB>密码<TAB>组织"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="随机数种子（同一种子得到同样的数据）")

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        for account in seed_demo(seed):
            self.stdout.write(f"{account.role.value}\t{account.username}\t{account.password}\t{account.organization}"
                              f"\t{account.totp_secret}")
