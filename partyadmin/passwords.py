"""Password rules required by 等保 2.0 (GB/T 22239-2019, level 3): at least three character classes, and none of
the last five passwords reused."""

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    classes = (
        ("大写字母", lambda c: c in string.ascii_uppercase),
        ("小写字母", lambda c: c in string.ascii_lowercase),
        ("数字", lambda c: c in string.digits),
        ("特殊字符", lambda c: not c.isalnum()),
    )

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        found = sum(1 for _, test in self.classes if any(test(c) for c in password))
        if found < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊字符中的至少 %(n)d 类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、特殊字符中的至少 {self.min_classes} 类。"


class PasswordHistoryValidator:
    """None of the last `history` passwords may be used again (等保 2.0, DESIGN §2.7).

    Every password set is remembered as its hash (`PasswordRecord`); Django calls `password_changed`
    whenever a user is saved after `set_password`.
    """

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def _recent_hashes(self, user: Any) -> list[str]:
        from .models import PasswordRecord

        hashes = list(PasswordRecord.objects.filter(user_id=user.pk).values_list("password", flat=True)[: self.history])
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)
        return hashes[: self.history]

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        user._password_replaced = user.password  # remembered by password_changed if it was never recorded
        if any(check_password(password, encoded) for encoded in self._recent_hashes(user)):
            raise ValidationError(
                "新密码不能与最近 %(n)d 次使用过的密码相同。", code="password_reused", params={"n": self.history},
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        from .models import PasswordRecord

        if user is None or user.pk is None:
            return
        replaced = getattr(user, "_password_replaced", "")
        if replaced and not PasswordRecord.objects.filter(user_id=user.pk).exists():
            # The account's first password (set when it was made) joins the history it is now leaving.
            PasswordRecord.objects.create(user_id=user.pk, password=replaced, changed_at=user.date_joined)
        PasswordRecord.objects.create(user_id=user.pk, password=user.password)
        stale = PasswordRecord.objects.filter(user_id=user.pk).values_list("pk", flat=True)[self.history:]
        PasswordRecord.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return f"新密码不能与最近 {self.history} 次使用过的密码相同。"
