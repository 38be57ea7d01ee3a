from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from membership.services import person_reencrypt_batch


class Command(BaseCommand):
    help = "密钥轮换：用 FIELD_ENCRYPTION_KEYS 的第一个密钥重新加密身份证号、电话和住址（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        total = 0
        while done := person_reencrypt_batch(acting_user=None, batch_size=batch_size):
            total += done
        self.stdout.write(f"已重新加密 {total} 人的个人敏感信息。")
