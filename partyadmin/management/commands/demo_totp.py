from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "演示环境：显示演示管理员账号当前的动态口令"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("仅演示环境（DEBUG）可用。")
        device = TOTPDevice.objects.filter(user__username=username, name="演示验证器", confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} 没有演示验证器。")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
