"""Rules about organizations, as pure functions over plain values (no ORM)."""

import calendar
from collections.abc import Sequence
from datetime import date
from fractions import Fraction

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


# --- terms and elections (换届选举) -----------------------------------------------------------------

# DESIGN §3.1: the secretary and the superior reviewers are reminded this many months before a term ends.
TERM_REMINDER_MONTHS = 3

# 《中国共产党基层组织选举工作暂行条例》, the regulation seed 004 cites for terms (the 2020 《中国共产党基层组织
# 选举工作条例》 keeps the rule): "进行选举时，有选举权的到会人数超过应到会人数的五分之四，会议有效。"
# The seeds do not state the threshold, so it is the default of the per-tenant policy "election.quorum".
DEFAULT_ELECTION_QUORUM = Fraction(4, 5)


def check_term_years(years: int | None) -> None:
    """seed 004 一(3): "党支部每届任期2年或3年"."""
    if years not in TERM_YEARS:
        raise RuleViolation("term.bad_years", "党支部每届任期2年或3年。", field="term_years")


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_end(started_on: date, years: int) -> date:
    """The day a term of `years` begun on `started_on` is due to end (its anniversary)."""
    check_term_years(years)
    return _years_after(started_on, years)


def _months_before(day: date, months: int) -> date:
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def term_deadline(*, ends_on: date | None, extended_until: date | None) -> date | None:
    """The last day of the term in force: the approved extension, else the regular end."""
    return extended_until or ends_on


def term_reminder(*, ends_on: date | None, extended_until: date | None, today: date) -> str | None:
    """"overdue" after the deadline, "upcoming" within the last 3 months before it, else None."""
    deadline = term_deadline(ends_on=ends_on, extended_until=extended_until)
    if deadline is None:
        return None
    if today > deadline:
        return "overdue"
    if today >= _months_before(deadline, TERM_REMINDER_MONTHS):
        return "upcoming"
    return None


def check_seats(seats: int) -> None:
    """A committee is elected with at most 7 seats (seed 004: "最多不超过7人")."""
    if not 1 <= seats <= MAX_COMMITTEE_MEMBERS:
        raise RuleViolation("election.bad_seats", f"应选名额须为1至{MAX_COMMITTEE_MEMBERS}人。", field="seats")


def check_election_quorum(*, electorate: int, voters: int, quorum: Fraction = DEFAULT_ELECTION_QUORUM) -> None:
    """"有选举权的到会人数超过应到会人数的五分之四，会议有效" (strictly more than the quorum share)."""
    if electorate < 1:
        raise RuleViolation("election.no_electorate", "应到会有选举权的党员人数须大于0。", field="electorate")
    if voters > electorate:
        raise RuleViolation("election.too_many_voters", "实到会人数不能多于应到会人数。", field="voters")
    if Fraction(voters, electorate) <= quorum:
        raise RuleViolation(
            "election.no_quorum",
            f"有选举权的到会人数须超过应到会人数的{quorum.numerator}/{quorum.denominator}"
            f"（应到{electorate}人，实到{voters}人），选举无效。",
            field="voters",
        )


def check_votes(*, votes: Sequence[int], voters: int, seats: int) -> None:
    """Each candidate gets at most one vote per voter; each ballot names at most `seats` people."""
    if not votes:
        raise RuleViolation("election.no_candidates", "请填写候选人及其得票。", field="candidates")
    if any(v < 0 or v > voters for v in votes):
        raise RuleViolation("election.bad_votes", f"每名候选人的得票须在0至实到会人数（{voters}）之间。",
                            field="candidates")
    if sum(votes) > voters * seats:
        raise RuleViolation("election.too_many_votes",
                            f"得票总数不能多于实到会人数×应选名额（{voters}×{seats}）。", field="candidates")


def is_elected_majority(*, votes: int, voters: int) -> bool:
    """"被选举人获得的赞成票超过实到会有选举权的人数的一半，始得当选" (exactly half is not enough)."""
    return 2 * votes > voters


def elected_candidates(*, votes: Sequence[int], voters: int, seats: int) -> list[int]:
    """Indexes of the elected candidates, most votes first.

    Only a majority elects; when more candidates have one than there are seats, the most votes win
    ("以得票多少为序，至取足应选名额为止"); a tie at the last seat cannot be decided here: the
    tied candidates are voted on again ("应就票数相等的被选举人再次投票，得票多的当选").
    Fewer elected than seats is allowed: the remaining seats stay vacant until a by-election (补选).
    """
    winners = sorted((i for i, v in enumerate(votes) if is_elected_majority(votes=v, voters=voters)),
                     key=lambda i: (-votes[i], i))
    if len(winners) > seats and votes[winners[seats - 1]] == votes[winners[seats]]:
        raise RuleViolation(
            "election.tie",
            f"第{seats}名与第{seats + 1}名得票相等（{votes[winners[seats]]}票），不能确定当选人，"
            "应就票数相等的被选举人再次投票。",
            field="candidates",
        )
    return winners[:seats]
