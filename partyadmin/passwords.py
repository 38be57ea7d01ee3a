"""Password rules required by 等保 2.0 (GB/T 22239-2019, level 3): at least three character classes."""

import string

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
