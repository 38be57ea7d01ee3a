"""Branch-life tables: committee members, elections and terms (dues live in `branches.dues`).

These sit above `membership` in the layering and reference it by string only, so that
`branches/models.py` (below `audit`) never imports it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from partyadmin.models import TimeStampedModel


class CommitteePost(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    ORGANIZATION = "organization", "组织委员"
    PROPAGANDA = "propaganda", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    YOUTH = "youth", "青年委员"
    WOMEN = "women", "妇女委员"
    OTHER = "other", "委员"


class Discipline(models.TextChoices):
    """Party discipline a committee member is under (seed 004 备注3: "党支部书记受党内警告以上处分的,或支委班子成员受
    党内严重警告以上处分的" is a veto of the branch standardization assessment), mildest first."""

    NONE = "", "无"
    WARNING = "warning", "警告"
    SERIOUS_WARNING = "serious_warning", "严重警告"
    REMOVAL_FROM_POST = "removal_from_post", "撤销党内职务"
    PROBATION = "probation", "留党察看"
    EXPULSION = "expulsion", "开除党籍"


class CommitteeMember(TimeStampedModel):
    """A seat on a branch (or committee) committee during a term: 书记、副书记、委员."""

    organization = models.ForeignKey(
        "branches.Organization", verbose_name="党组织", on_delete=models.CASCADE, related_name="committee_members",
    )
    member = models.ForeignKey(
        "membership.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="committee_posts",
    )
    post = models.CharField("职务", max_length=16, choices=CommitteePost.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    discipline = models.CharField("受党纪处分", max_length=20, choices=Discipline.choices, blank=True, default="")

    class Meta:
        verbose_name = "支部委员"
        verbose_name_plural = "支部委员"
        ordering = ["organization", "post", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(post="secretary", ended_on__isnull=True),
                name="one_sitting_secretary_per_organization",
            ),
            models.UniqueConstraint(
                fields=["organization", "member"], condition=Q(ended_on__isnull=True),
                name="one_sitting_post_per_member",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="committee_member_ended_after_started",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_post_display()}"


class ElectionKind(models.TextChoices):
    GENERAL = "general", "换届选举"
    BY_ELECTION = "by_election", "补选"


class Election(TimeStampedModel):
    """A committee election at a general meeting (换届选举 or 补选, seed 004 "委员出缺及时补选").

    A general election starts a new term (2 or 3 years) and replaces the sitting committee; a by-election
    fills vacancies within the current term. The result is recorded once; the seats it fills are
    `CommitteeMember` rows linked from the elected candidates.
    """

    organization = models.ForeignKey(
        "branches.Organization", verbose_name="党组织", on_delete=models.CASCADE, related_name="elections",
    )
    held_on = models.DateField("选举日期")
    kind = models.CharField("选举类别", max_length=16, choices=ElectionKind.choices)
    term_years = models.PositiveSmallIntegerField("任期（年）", null=True, blank=True)
    seats = models.PositiveSmallIntegerField("应选名额")
    electorate = models.PositiveIntegerField("应到会有选举权党员")
    voters = models.PositiveIntegerField("实到会有选举权党员")
    quorum = models.CharField("会议有效比例", max_length=8, help_text="到会人数须超过应到会人数的该比例")
    approved_by_superior = models.CharField("上级党组织批复", max_length=200, blank=True)
    minutes = models.TextField("会议记录", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "选举"
        verbose_name_plural = "选举"
        ordering = ["organization", "-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(voters__lte=F("electorate")), name="election_voters_within_electorate"),
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=7), name="election_seats_1_to_7"),
            models.CheckConstraint(
                condition=Q(kind="by_election") | Q(term_years__in=[2, 3]), name="election_general_term_2_or_3_years",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.held_on:%Y-%m-%d} {self.get_kind_display()}"


class ElectionCandidate(models.Model):
    """One name on the ballot and its votes; an elected candidate is seated (`seat`)."""

    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(
        "membership.Member", verbose_name="党员", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    name = models.CharField("姓名", max_length=50)
    votes = models.PositiveIntegerField("得票")
    elected = models.BooleanField("当选", default=False)
    post = models.CharField("分工", max_length=16, choices=CommitteePost.choices, blank=True)
    seat = models.OneToOneField(
        CommitteeMember, verbose_name="任职记录", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="election_candidate",
    )

    class Meta:
        verbose_name = "候选人"
        verbose_name_plural = "候选人"
        ordering = ["election", "-votes", "pk"]

    def __str__(self) -> str:
        return self.name


class TermExtension(TimeStampedModel):
    """An approved postponement of a re-election (seed 004: "如需延期换届,应报上级党组织批准,延长期限一般不超过一年")."""

    organization = models.ForeignKey(
        "branches.Organization", verbose_name="党组织", on_delete=models.CASCADE, related_name="term_extensions",
    )
    ends_on = models.DateField("原任期届满")
    extended_until = models.DateField("延期至")
    approved_on = models.DateField("批准日期")
    approval = models.CharField("批准文件或意见", max_length=200)
    reason = models.CharField("延期原因", max_length=300)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "延期换届"
        verbose_name_plural = "延期换届"
        ordering = ["organization", "-approved_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(extended_until__gt=F("ends_on")), name="term_extension_after_end"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} 延期至 {self.extended_until:%Y-%m-%d}"
