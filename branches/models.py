"""The organization tree (the tenants) and role grants.

This module sits below `audit` and the domain apps: it may import only the kernel (`partyadmin`).
Branch-life tables (meetings, dues, committees and terms, checklists) live in other modules of this
app, above `membership`.
"""

from django.db import models
from guardian.models import UserObjectPermissionBase
from treebeard.mp_tree import MP_Node

from partyadmin.models import TimeStampedModel


class OrganizationKind(models.TextChoices):
    MUNICIPAL_DEPT = "municipal_dept", "市委组织部"
    COUNTY_DEPT = "county_dept", "县（市、区）委组织部"
    COMMITTEE = "committee", "乡镇（街道）党（工）委/基层党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    PARTY_GROUP = "party_group", "党小组"


class Domain(models.TextChoices):
    RURAL = "rural", "农村"
    COMMUNITY = "community", "社区"
    ORGAN = "organ", "机关"
    INSTITUTION = "institution", "事业单位"
    SOE = "soe", "国有企业"
    NON_PUBLIC = "non_public", "非公企业"
    SOCIAL_ORGANIZATION = "social_organization", "社会组织"
    SCHOOL = "school", "学校"


# Which kinds may sit under which (a group only under a branch, and so on).
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    OrganizationKind.MUNICIPAL_DEPT: {None},
    OrganizationKind.COUNTY_DEPT: {None, OrganizationKind.MUNICIPAL_DEPT},
    OrganizationKind.COMMITTEE: {OrganizationKind.COUNTY_DEPT, OrganizationKind.COMMITTEE},
    OrganizationKind.GENERAL_BRANCH: {OrganizationKind.COMMITTEE},
    OrganizationKind.BRANCH: {OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH},
    OrganizationKind.PARTY_GROUP: {OrganizationKind.BRANCH},
}


class Organization(MP_Node, TimeStampedModel):
    """A party organization: a node of the tree and the unit of tenancy.

    `path` is treebeard's materialized path: everything under a node is one indexed prefix scan.
    `county` is the county-level ancestor (itself for a county department), the shard key.
    """

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    code = models.CharField("组织代码", max_length=32, unique=True)
    kind = models.CharField("类别", max_length=20, choices=OrganizationKind.choices)
    domain = models.CharField("领域", max_length=24, choices=Domain.choices, blank=True)
    county = models.ForeignKey(
        "self", verbose_name="所属县（市、区）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    # seed 000: 有审批权的基层党委; rural and community committees under a township only review (审议).
    can_approve_admission = models.BooleanField("有审批发展党员权", default=False)
    # seed 000: "不设支部委员会的由支部大会" decides what the committee would.
    has_committee = models.BooleanField("设支部委员会", default=True)
    # seed 000: 设星定级, the organization's own star level (raises member-star quotas).
    star_level = models.PositiveSmallIntegerField("组织星级", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField("任期（年）", null=True, blank=True)
    term_started_on = models.DateField("本届任期开始", null=True, blank=True)
    term_ends_on = models.DateField("本届任期届满", null=True, blank=True)
    term_extended_until = models.DateField("经批准延期至", null=True, blank=True)
    is_active = models.BooleanField("有效", default=True)

    # No node_order_by: a new node is always the rightmost child, so existing paths never shift
    # (paths held by caches, grants and shard routing stay valid).

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        permissions = [
            ("role_secretary", "支部书记"),
            ("role_committee", "支部委员"),
            ("role_clerk", "记分员"),
            ("role_reviewer", "审核人（乡镇、县）"),
            ("role_member", "党员本人"),
            ("role_sysadmin", "系统管理员"),
            ("role_secadmin", "安全管理员"),
            ("role_auditor", "审计管理员"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_years__isnull=True) | models.Q(term_years__in=[2, 3]),
                name="organization_term_2_or_3_years",
            ),
            models.CheckConstraint(
                condition=models.Q(star_level__isnull=True) | models.Q(star_level__gte=1, star_level__lte=5),
                name="organization_star_level_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["county", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind == OrganizationKind.BRANCH

    @property
    def decides_by_general_meeting(self) -> bool:
        """Without a branch committee, the general meeting decides (seed 000)."""
        return self.kind == OrganizationKind.BRANCH and not self.has_committee


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    """A role grant (user, organization, role) as a guardian object permission with a direct FK.

    A grant on an organization covers its whole subtree (see `branches.scoping`).
    """

    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="user_grants")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"



class OrganizationPolicy(TimeStampedModel):
    """A per-tenant policy setting (DESIGN §4.2: "variants … are a per-tenant policy setting, not code
    forks"). A setting on an organization applies to its whole subtree unless a lower node overrides it;
    keys and defaults are declared in `branches.policies`."""

    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.CASCADE,
                                     related_name="policies")
    key = models.CharField("策略项", max_length=64)
    value = models.JSONField("取值")

    class Meta:
        verbose_name = "组织策略"
        verbose_name_plural = "组织策略"
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="organization_policy_unique")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.key}"


# Branch-life tables are declared in their own module (they reference `membership` by name only).
from .life_models import CommitteeMember, CommitteePost  # noqa: E402

__all__ = ["CommitteeMember", "CommitteePost", "Domain", "Organization", "OrganizationKind",
           "OrganizationPolicy", "OrganizationUserObjectPermission"]
