from collections.abc import Iterable

from branches.scoping import AnyUser


def member_counts_by_path(*, user: AnyUser, under: Iterable[str]) -> dict[str, int]:
    """Replaced by the member register: members per organization path, in one query."""
    return {}
