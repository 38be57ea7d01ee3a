"""Deterministic demo data: one county, its townships and branches, ~300 members and an account per role.

Used by `python manage.py seed_demo`. Every object is keyed by a stable code (organizations),
username (accounts) or ID number (people), so running it again creates nothing new.
"""

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from branches import services as org_services
from branches.life_models import CommitteeMember, CommitteePost
from branches.models import Domain, Organization, OrganizationKind
from branches.scoping import Role, grants_of
from membership import services as member_services
from membership.models import Education, Gender, Member, MemberStatus, Person
from membership.rules import anniversary
from partyadmin import (
    demo_branch_life,
    demo_changes,
    demo_grouping,
    demo_meetings,
    demo_oversight,
    demo_recruitment,
    demo_recruitment_plans,
    demo_scoring,
    demo_standards,
    demo_stars,
)
from partyadmin.credentials import totp_secret
from partyadmin.crypto import blind_index
from partyadmin.demo_ids import synthetic_id_number

DEMO_PASSWORD = "Demo-2026-pa"  # noqa: S105 - printed for the demo accounts on purpose

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁建国志宏文博海洋东林峰"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华玲桂兰红梅琳燕萍雪婷慧琴颖洁倩晶月"
OCCUPATIONS = {
    Domain.RURAL: ["农民", "农民", "种植户", "养殖户", "个体工商户", "外出务工人员"],
    Domain.COMMUNITY: ["社区工作者", "退休人员", "个体工商户", "企业职工", "教师"],
    Domain.ORGAN: ["公务员", "公务员", "事业编制人员"],
    Domain.INSTITUTION: ["医生", "护士", "教师", "专业技术人员"],
    Domain.SOE: ["企业职工", "技术员", "工程师", "管理人员"],
}


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    domain: str = ""
    members: int = 0
    groups: int = 0
    can_approve: bool = False
    has_committee: bool = True
    children: tuple["OrgSpec", ...] = ()


B, GB, CM = OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH, OrganizationKind.COMMITTEE
TREE = OrgSpec("DEMO", "红旗县委组织部", OrganizationKind.COUNTY_DEPT, children=(
    OrgSpec("DEMO-CG", "城关镇党委", CM, Domain.COMMUNITY, can_approve=True, children=(
        OrgSpec("DEMO-CG-DG", "东关社区党支部", B, Domain.COMMUNITY, members=32, groups=3),
        OrgSpec("DEMO-CG-XG", "西关社区党支部", B, Domain.COMMUNITY, members=26, groups=2),
        OrgSpec("DEMO-CG-JG", "城关镇机关党支部", B, Domain.ORGAN, members=18),
        OrgSpec("DEMO-CG-DGC", "东关村党总支", GB, Domain.RURAL, children=(
            OrgSpec("DEMO-CG-DGC-1", "东关村第一党支部", B, Domain.RURAL, members=24, groups=2),
            OrgSpec("DEMO-CG-DGC-2", "东关村第二党支部", B, Domain.RURAL, members=22, groups=2),
        )),
    )),
    OrgSpec("DEMO-HK", "河口镇党委", CM, Domain.RURAL, can_approve=True, children=(
        OrgSpec("DEMO-HK-HK", "河口村党支部", B, Domain.RURAL, members=30, groups=3),
        OrgSpec("DEMO-HK-LL", "柳林村党支部", B, Domain.RURAL, members=9, has_committee=False),
        OrgSpec("DEMO-HK-WSY", "河口镇卫生院党支部", B, Domain.INSTITUTION, members=16),
    )),
    OrgSpec("DEMO-QS", "青山镇党委", CM, Domain.RURAL, can_approve=True, children=(
        OrgSpec("DEMO-QS-QS", "青山村党支部", B, Domain.RURAL, members=28, groups=2),
        OrgSpec("DEMO-QS-SM", "石门村党支部", B, Domain.RURAL, members=21, groups=2),
        OrgSpec("DEMO-QS-KY", "青山矿业公司党支部", B, Domain.SOE, members=25, groups=2),
    )),
    OrgSpec("DEMO-JG", "县直机关工委", CM, Domain.ORGAN, can_approve=True, children=(
        OrgSpec("DEMO-JG-CZ", "县财政局机关党支部", B, Domain.ORGAN, members=20),
        OrgSpec("DEMO-JG-JY", "县教育局机关党支部", B, Domain.ORGAN, members=19),
    )),
))

# role, username, organization code, display name; the member account is linked to a member of that branch.
ACCOUNTS = [
    (Role.SECRETARY, "dg_shuji", "DEMO-CG-DG", "东关社区书记"),
    (Role.COMMITTEE, "dg_weiyuan", "DEMO-CG-DG", "东关社区组织委员"),
    (Role.CLERK, "dg_jifen", "DEMO-CG-DG", "东关社区记分员"),
    (Role.SECRETARY, "hk_shuji", "DEMO-HK-HK", "河口村书记"),
    (Role.MEMBER, "dg_dangyuan", "DEMO-CG-DG", "东关社区党员"),
    (Role.REVIEWER, "cg_shenhe", "DEMO-CG", "城关镇组织员"),
    (Role.REVIEWER, "xian_zzb", "DEMO", "县委组织部组织科"),
    (Role.SYSADMIN, "sysadmin", "DEMO", "系统管理员"),
    (Role.SECADMIN, "secadmin", "DEMO", "安全管理员"),
    (Role.AUDITOR, "auditor", "DEMO", "审计管理员"),
]

# Django-admin model permissions of the three administrators (三员分立).
ADMIN_MODEL_PERMISSIONS = {
    Role.SYSADMIN: ["partyadmin.view_holiday", "partyadmin.add_holiday", "partyadmin.change_holiday",
                    "partyadmin.delete_holiday", "branches.view_organization", "branches.change_organization",
                    "auth.view_user", "auth.add_user", "auth.change_user"],
    Role.SECADMIN: ["branches.view_organizationuserobjectpermission", "branches.add_organizationuserobjectpermission",
                    "branches.delete_organizationuserobjectpermission", "auth.view_user"],
    Role.AUDITOR: ["audit.view_event"],
}


@dataclass
class DemoAccount:
    role: Role
    username: str
    password: str
    organization: str
    totp_secret: str = "-"  # noqa: S105 - administrators: the key to type into an authenticator app


class DemoBuilder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not secrets
        self.today = date(2026, 11, 1)
        self.serial = 0

    @transaction.atomic
    def build(self) -> list[DemoAccount]:
        organizations = {spec.code: org for spec, org in self._organizations(TREE, parent=None)}
        for spec, organization in self._walk(TREE, organizations):
            if spec.kind == OrganizationKind.BRANCH and spec.members:
                self._members(spec, organization)
        accounts = self._accounts(organizations)
        demo_oversight.build(organizations)
        demo_changes.build(organizations, demo_oversight.demo_today())  # before dues: a transfer moves a member
        demo_branch_life.build(organizations, demo_oversight.demo_today())
        demo_meetings.build(organizations, demo_oversight.demo_today())
        demo_scoring.build(organizations, demo_oversight.demo_today())
        demo_stars.build(organizations, demo_oversight.demo_today())
        demo_recruitment_plans.build(organizations, demo_oversight.demo_today())  # before the files: their numbers
        demo_recruitment.build(organizations, demo_oversight.demo_today())
        demo_grouping.build(organizations, demo_oversight.demo_today())
        demo_standards.build(organizations, demo_oversight.demo_today())
        leader = organizations[demo_grouping.BRANCH]
        accounts.append(DemoAccount(Role.MEMBER, demo_grouping.LEADER_ACCOUNT, DEMO_PASSWORD, leader.name, "-"))
        return accounts

    def _walk(self, spec: OrgSpec, organizations: dict[str, Organization]) -> Iterator[tuple[OrgSpec, Organization]]:
        yield spec, organizations[spec.code]
        for child in spec.children:
            yield from self._walk(child, organizations)

    def _organizations(self, spec: OrgSpec, parent: Organization | None) -> Iterator[tuple[OrgSpec, Organization]]:
        organization = Organization.objects.filter(code=spec.code).first()
        if organization is None:
            started = date(2024, 3, 1) if spec.kind == B else None
            organization = org_services.organization_create(
                acting_user=None, parent=parent, name=spec.name, code=spec.code, kind=spec.kind, domain=spec.domain,
                can_approve_admission=spec.can_approve, has_committee=spec.has_committee,
                term_years=3 if started else None, term_started_on=started,
                term_ends_on=started.replace(year=started.year + 3) if started else None,
            )
        yield spec, organization
        if spec.kind == B:
            for number in range(1, spec.groups + 1):
                code = f"{spec.code}-G{number}"
                if not Organization.objects.filter(code=code).exists():
                    org_services.organization_create(
                        acting_user=None, parent=organization, name=f"第{'一二三四五'[number - 1]}党小组",
                        code=code, kind=OrganizationKind.PARTY_GROUP, domain=spec.domain,
                    )
        for child in spec.children:
            yield from self._organizations(child, organization)

    def _person_name(self, male: bool) -> str:
        given = GIVEN_MALE if male else GIVEN_FEMALE
        length = self.rng.choice((1, 2, 2))
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(given) for _ in range(length))

    def _members(self, spec: OrgSpec, branch: Organization) -> None:
        groups = list(Organization.objects.filter(path__startswith=branch.path, kind=OrganizationKind.PARTY_GROUP)
                      .order_by("path"))
        created: list[Member] = []
        for index in range(spec.members):
            self.serial += 1
            male = self.rng.random() < 0.68
            birth = date(self.rng.randint(1946, 2002), self.rng.randint(1, 12), self.rng.randint(1, 28))
            id_number = synthetic_id_number(birth, male, self.serial)
            earliest_join = birth.replace(year=birth.year + 19)
            joined_on = earliest_join + timedelta(days=self.rng.randint(0, max(0, (self.today - earliest_join).days - 60)))
            probationary = joined_on > self.today - timedelta(days=365)
            fields = dict(
                name=self._person_name(male), gender=Gender.MALE if male else Gender.FEMALE, birth_date=birth,
                id_number=id_number,
                phone=f"13{self.rng.randint(0, 9)}{self.rng.randint(10_000_000, 99_999_999)}",
                address=f"红旗县{branch.name[:3]}{self.rng.randint(1, 120)}号",
                education=self.rng.choice(list(Education.values)),
                occupation=self.rng.choice(OCCUPATIONS.get(spec.domain, ["职工"])),
                status=MemberStatus.PROBATIONARY if probationary else MemberStatus.FULL,
                joined_on=joined_on,
                full_on=None if probationary else anniversary(joined_on, 1),
                party_group=groups[index % len(groups)] if groups else None,
                is_office_holder=index < 5,
                is_league_member=(self.today.year - birth.year) <= 28 and self.rng.random() < 0.5,
                is_union_member=spec.domain in (Domain.SOE, Domain.ORGAN, Domain.INSTITUTION),
                is_leading_cadre=spec.domain == Domain.ORGAN and index == 0,
            )
            # Every random draw happens above, so a re-run walks the same sequence and finds each person.
            existing = Member.objects.filter(person__id_number_index=blind_index(id_number)).first()
            member = existing or member_services.member_create(acting_user=None, organization=branch, **fields)
            created.append(member)
        self._committee(branch, created)

    def _committee(self, branch: Organization, members: list[Member]) -> None:
        if not branch.has_committee or CommitteeMember.objects.filter(organization=branch).exists():
            return
        posts = [CommitteePost.SECRETARY, CommitteePost.DEPUTY, CommitteePost.ORGANIZATION,
                 CommitteePost.PROPAGANDA, CommitteePost.DISCIPLINE]
        full = [m for m in members if m.status == MemberStatus.FULL]
        for post, member in zip(posts, full, strict=False):
            org_services.committee_member_appoint(
                acting_user=None, organization=branch, member=member, post=post, started_on=branch.term_started_on,
            )

    def _accounts(self, organizations: dict[str, Organization]) -> list[DemoAccount]:
        user_model = get_user_model()
        accounts = []
        for role, username, code, display in ACCOUNTS:
            organization = organizations[code]
            user, created = user_model.objects.get_or_create(username=username, defaults={"first_name": display})
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.is_staff = role in ADMIN_MODEL_PERMISSIONS
            user.save()
            if role in ADMIN_MODEL_PERMISSIONS:
                user.user_permissions.set(_permissions(ADMIN_MODEL_PERMISSIONS[role]))
            if not any(g.role == role and g.organization_id == organization.pk for g in grants_of(user)):
                org_services.grant_role(acting_user=None, user=user, organization=organization, role=role)
            if role == Role.MEMBER:
                self._link_member_account(user, organization)
            secret = _authenticator(user) if role in ADMIN_MODEL_PERMISSIONS else "-"
            accounts.append(DemoAccount(role, username, DEMO_PASSWORD, organization.name, secret))
        return accounts

    def _link_member_account(self, user: object, branch: Organization) -> None:
        if Person.objects.filter(user=user).exists():
            return
        person = (Person.objects.filter(member__organization=branch, user__isnull=True, member__status=MemberStatus.FULL)
                  .order_by("member__joined_on").last())
        member_services.person_link_account(acting_user=None, person=person, user=user)


def _authenticator(user: object) -> str:
    """A confirmed TOTP device with a key derived from the user name, so the printed key stays valid when the
    demo is rebuilt (demo only: real administrators bind their own device on first login)."""
    key = hashlib.sha256(f"partyadmin-demo-totp:{user.username}".encode()).hexdigest()[:40]  # type: ignore[attr-defined]
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="演示验证器", defaults={"key": key, "confirmed": True})
    return totp_secret(device)


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    return [p for p in Permission.objects.select_related("content_type")
            if (p.content_type.app_label, p.codename) in wanted]


def seed_demo(seed: int = 2026) -> list[DemoAccount]:
    return DemoBuilder(seed).build()
