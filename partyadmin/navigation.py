"""The main menu, by what the user's grants allow (a context processor).

The menu is a list of sections; a section with one entry is a plain link, one with more is a drop-down.
An officer sees the branch's and the subtree's work; a member without an office sees their own pages."""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from branches.models import OrganizationKind
from branches.scoping import ROLE_ACTIONS, Action, Role, grants_of

COUNTY_LEVEL = {OrganizationKind.COUNTY_DEPT, OrganizationKind.MUNICIPAL_DEPT}


@dataclass
class Section:
    label: str
    entries: list[tuple[str, str]] = field(default_factory=list)

    def add(self, label: str, url_name: str) -> None:
        self.entries.append((label, reverse(url_name)))


def _sections(user: Any) -> list[Section]:
    grants = grants_of(user)
    roles = {g.role for g in grants}
    actions = {a for g in grants for a in ROLE_ACTIONS[g.role]}
    officer = Action.VIEW_MEMBER in actions
    member = Role.MEMBER in roles
    reviewer = Role.REVIEWER in roles
    county_reviewer = any(g.role == Role.REVIEWER and g.kind in COUNTY_LEVEL for g in grants)
    branch_officer = bool(roles & {Role.SECRETARY, Role.COMMITTEE, Role.CLERK})

    organization = Section("组织")
    if Action.VIEW_ORGANIZATION in actions:
        organization.add("组织", "branches:tree")
    if officer:
        organization.add("党员", "membership:list")
        organization.add("党员变动", "membership:changes:index")
    elif member:
        organization.add("我的档案", "membership:me")

    life = Section("组织生活")
    if officer:
        life.add("组织生活", "meetings:list")
    elif member:
        life.add("我的组织生活", "meetings:mine")
    if reviewer:
        life.add("会议达标", "meetings:compliance")
    if officer:
        life.add("党费", "dues:index")
    elif member:
        life.add("我的党费", "dues:me")
    if branch_officer or reviewer:
        life.add("规范化建设", "standards:index")
    if reviewer or Role.COMMITTEE in roles:
        life.add("待我考核", "standards:queue")

    recruitment = Section("发展党员")
    if branch_officer or reviewer:
        recruitment.add("发展党员", "recruitment:board")
    elif member:
        recruitment.add("我的入党档案", "recruitment:mine")
    if reviewer:
        recruitment.add("发展党员统计", "recruitment:dashboard")
    if county_reviewer:
        recruitment.add("发展计划", "recruitment_plans:index")
    if reviewer:
        recruitment.add("发展结构", "recruitment_plans:structure")
        recruitment.add("未发展党员支部", "recruitment_plans:stagnant")
    if county_reviewer or roles & {Role.SECRETARY, Role.COMMITTEE}:
        recruitment.add("名单预审", "recruitment_plans:name_lists")

    scoring = Section("积分定星")
    if branch_officer or reviewer:
        scoring.add("积分管理", "scoring:index")
        scoring.add("排名定星", "stars:home")
    if reviewer:
        scoring.add("星级总览", "stars:overview")
    if member:
        scoring.add("我的积分", "scoring:mine")
        scoring.add("我的星级", "stars:my_stars")

    grouping = Section("一编三定")
    if officer:
        grouping.add("一编三定", "grouping:index")
    if reviewer:
        grouping.add("一编三定推进", "grouping:township")
    if member:
        grouping.add("我的岗位", "grouping:mine")

    oversight = Section("监督")
    if officer or member:
        oversight.add("公示", "audit:publicity:list")
    if officer:
        oversight.add("报送审批", "audit:filings:queue")
    if reviewer:
        oversight.add("监督看板", "audit:filings:dashboard")
        oversight.add("责任追究", "audit:accountability:list")
    if Action.VIEW_AUDIT in actions:
        oversight.add("审计日志", "audit:events")

    admin = Section("后台管理")
    if user.is_staff:
        admin.add("后台管理", "admin:index")
    return [s for s in (organization, life, recruitment, scoring, grouping, oversight, admin) if s.entries]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    sections = _sections(user)
    # The longest matching prefix is the active entry ("/audit/" must not light up on "/audit/publicity/").
    path = request.path
    urls = [url for s in sections for _, url in s.entries]
    active = max((url for url in urls if path.startswith(url)), key=len, default=None)
    nav = []
    for section in sections:
        entries = [{"label": label, "url": url, "active": url == active} for label, url in section.entries]
        nav.append({"label": section.label, "entries": entries, "active": any(e["active"] for e in entries),
                    "url": entries[0]["url"] if len(entries) == 1 else "", "single": len(entries) == 1})
    return {"nav_sections": nav}
