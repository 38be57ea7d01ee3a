"""The one domain error type.

Services raise `RuleViolation` when a business rule forbids an action. Forms show its message as a
form error, the API answers 409 with its code and message, and plain pages show it as a message;
it never becomes a 500.
"""


class RuleViolation(Exception):  # noqa: N818 - the domain's own name
    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
