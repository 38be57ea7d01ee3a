"""Rules about organizations, as pure functions over plain values (no ORM)."""

from datetime import date

from partyadmin.errors import RuleViolation

# seed 004 一(1): "党支部要根据党员人数和工作需要,合理配备书记、副书记和其他支部委员,最多不超过7人。"
MAX_COMMITTEE_MEMBERS = 7
# seed 004 一(3): "党支部每届任期2年或3年 … 延长期限一般不超过一年。"
TERM_YEARS = (2, 3)
MAX_TERM_EXTENSION_YEARS = 1


def check_committee_size(current: int) -> None:
    """Refuses an eighth committee member."""
    if current + 1 > MAX_COMMITTEE_MEMBERS:
        raise RuleViolation(
            "committee.too_many", f"支部委员最多不超过{MAX_COMMITTEE_MEMBERS}人，现已有{current}人。", field="member",
        )


def term_status(*, ends_on: date | None, extended_until: date | None, today: date) -> str:
    """"normal" / "overdue" for a branch's term (换届): overdue after the end (or the approved extension)."""
    if ends_on is None:
        return "unknown"
    deadline = extended_until or ends_on
    return "overdue" if today > deadline else "normal"


def check_term_extension(*, ends_on: date, extended_until: date) -> None:
    """An extension is "一般不超过一年" (seed 004): at most one year past the regular end."""
    try:
        limit = ends_on.replace(year=ends_on.year + MAX_TERM_EXTENSION_YEARS)
    except ValueError:  # 29 February
        limit = ends_on.replace(year=ends_on.year + MAX_TERM_EXTENSION_YEARS, day=28)
    if extended_until <= ends_on or extended_until > limit:
        raise RuleViolation(
            "term.extension_too_long", "换届延期须晚于任期届满日，且一般不超过一年。", field="term_extended_until",
        )
