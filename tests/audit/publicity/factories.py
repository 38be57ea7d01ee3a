"""Publicity windows for tests, opened through the real service (dates computed from the policy)."""

from datetime import date
from typing import Any

from audit.publicity import services
from audit.publicity.models import PublicityWindow
from branches.models import Organization

TODAY = date(2024, 9, 27)  # a Friday before National Day 2024: the example of DESIGN §2.2


def fields(name: str, **extra: Any) -> dict[str, Any]:
    """The public fields of one person, as a domain app would pass them."""
    return {"name": name, "gender": "男", "age": 28, "education": "大学本科", "occupation": "社区工作者",
            "position": "网格员", **extra}


def open_window(organization: Organization, *, acting_user: Any = None, starts_on: date = TODAY,
                today: date = TODAY, names: tuple[str, ...] = ("张伟",), subject_type: str = "",
                **kwargs: Any) -> PublicityWindow:
    entries = [(subject_type, str(n) if subject_type else "", fields(name)) for n, name in enumerate(names, start=1)]
    defaults: dict[str, Any] = {
        "title": "关于确定入党积极分子的公示", "kind": "recruitment.activist", "scope": ["branch_members", "unit_masses"],
        "contact": "组织委员 王老师 0391-2345678",
    }
    return services.publicity_open(
        acting_user=acting_user, organization=organization, entries=entries, starts_on=starts_on, today=today,
        **{**defaults, **kwargs},
    )
