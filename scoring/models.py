"""Points (积分定星, DESIGN §6.2–§6.4): a branch's yearly scheme and its items, the entries of the ledger
(台账) with their evidence, and the members' queries, objections and appeals.

A scheme belongs to one branch for one year. Items are never edited once the scheme is published: a
change after publication retires the item and adds its successor under a new scheme version, and the
published text of every version is kept (`SchemeVersion`), so that every confirmed entry still points
at the item, with the points, it was confirmed under.

An entry counts only when it is confirmed. Confirmed rows are immutable (the services have no path to
change them and, on PostgreSQL, a trigger refuses UPDATE and DELETE of a confirmed row): a mistake is
corrected by a compensating entry (`compensates`) with a reason.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from partyadmin.models import TimeStampedModel


class SectionKind(models.TextChoices):
    BASE = "base", "基础积分"
    BONUS = "bonus", "贡献加分"
    DEDUCTION = "deduction", "违规扣分"
    VETO = "veto", "一票否决"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已公布"


class SchemeMode(models.TextChoices):
    PERCENT = "percent", "百分制"
    CUMULATIVE = "cumulative", "累计分制"


class Aggregation(models.TextChoices):
    SUM = "sum", "全年累计"
    QUARTER_AVERAGE = "quarter_average", "四个季度平均"


class RankingVisibility(models.TextChoices):
    FULL = "full", "公开全部名次和积分"
    OWN_RANK = "own_rank", "党员只看本人名次"
    HIDE_ENDS = "hide_ends", "隐藏前后名次"
    HIDDEN = "hidden", "不向党员显示排名"


class CapPeriod(models.TextChoices):
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


class ConfirmBody(models.TextChoices):
    COMMITTEE = "committee", "支委会"
    GENERAL_MEETING = "general_meeting", "支部党员大会"
    AUTOMATIC = "automatic", "系统自动记录"


class EntryStatus(models.TextChoices):
    PROPOSED = "proposed", "待认定"
    CONFIRMED = "confirmed", "已认定"
    REJECTED = "rejected", "未认定"


class EntryOrigin(models.TextChoices):
    CLERK = "clerk", "记分员登记"
    DECLARATION = "declaration", "党员申报"
    SUGGESTION = "suggestion", "党员群众建议"
    AUTOMATIC = "automatic", "自动记录"
    COMPENSATION = "compensation", "更正冲抵"


class VetoStage(models.TextChoices):
    NONE = "", "—"
    FILED = "filed", "支部大会已认定，报基层党委审核中"
    APPLIED = "applied", "基层党委审核通过，已生效"
    RETURNED = "returned", "基层党委审核未通过"


class Scheme(TimeStampedModel):
    organization = models.ForeignKey(
        "branches.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="scoring_schemes",
    )
    county = models.ForeignKey(
        "branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("方案名称", max_length=120)
    status = models.CharField("状态", max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    mode = models.CharField("计分方式", max_length=12, choices=SchemeMode.choices, default=SchemeMode.CUMULATIVE)
    aggregation = models.CharField("年度积分", max_length=16, choices=Aggregation.choices, default=Aggregation.SUM)
    # {part or section: cap} — the most a part may add up to in a period (deductions never).
    section_caps = models.JSONField("分项上限", default=dict, blank=True)
    total_cap = models.DecimalField("总分上限", max_digits=7, decimal_places=2, null=True, blank=True)
    floor_zero = models.BooleanField("扣完为止", default=False, help_text="总分最低为零。")
    veto_zeroes = models.BooleanField("一票否决清零", default=True,
                                      help_text="一票否决生效后，当期积分一律取消。")
    star_policy_key = models.CharField("定星规则", max_length=40, blank=True)
    star_policy = models.JSONField("定星规则内容", default=dict, blank=True)
    activist_min_score = models.DecimalField("入党积极分子最低积分", max_digits=7, decimal_places=2, null=True,
                                             blank=True, help_text="低于此分的入党积极分子列为积分较低。")
    ranking_visibility = models.CharField("排名公开范围", max_length=12, choices=RankingVisibility.choices,
                                          default=RankingVisibility.FULL)
    template_code = models.CharField("所用模板", max_length=40, blank=True)
    basis = models.TextField("依据", blank=True)
    version = models.PositiveSmallIntegerField("版本", default=1)
    announced_on = models.DateField("党员大会通报日期", null=True, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公布人", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "积分方案"
        verbose_name_plural = "积分方案"
        ordering = ["-year", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="scoring_scheme_one_per_branch_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name}{self.year}年{self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == SchemeStatus.PUBLISHED


class SchemeVersion(models.Model):
    """The published text of one version of a scheme (settings and items), kept for ever."""

    scheme = models.ForeignKey(Scheme, verbose_name="积分方案", on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField("版本")
    snapshot = models.JSONField("方案内容")
    reason = models.CharField("变更原因", max_length=300, blank=True)
    published_at = models.DateTimeField("公布时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公布人", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "方案版本"
        verbose_name_plural = "方案版本"
        ordering = ["scheme", "version"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "version"], name="scoring_scheme_version_unique"),
        ]

    def __str__(self) -> str:
        return f"第{self.version}版"


class Item(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name="积分方案", on_delete=models.CASCADE, related_name="items")
    code = models.CharField("编号", max_length=40)
    name = models.CharField("项目", max_length=200)
    section = models.CharField("类别", max_length=12, choices=SectionKind.choices)
    part = models.CharField("分项", max_length=40, blank=True,
                            help_text="同一分项的项目合计受方案的分项上限约束；不填即按类别。")
    description = models.TextField("说明", blank=True)
    # Magnitudes are positive; a deduction's entries carry the negative sign.
    points = models.DecimalField("每次分值", max_digits=7, decimal_places=2, null=True, blank=True)
    min_points = models.DecimalField("最低分值", max_digits=7, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField("最高分值", max_digits=7, decimal_places=2, null=True, blank=True)
    cap = models.DecimalField("上限", max_digits=7, decimal_places=2, null=True, blank=True)
    cap_period = models.CharField("上限周期", max_length=8, choices=CapPeriod.choices, default=CapPeriod.YEAR)
    allow_declaration = models.BooleanField("党员可申报", default=False)
    allow_suggestion = models.BooleanField("党员群众可建议", default=False)
    allow_clerk = models.BooleanField("书记/记分员可登记", default=True)
    evidence_required = models.BooleanField("须附证明", default=False)
    confirm_by = models.CharField("认定", max_length=16, choices=ConfirmBody.choices[:2],
                                  default=ConfirmBody.COMMITTEE)
    source = models.CharField("自动来源", max_length=60, blank=True)
    value_points = models.JSONField("来源分值", default=dict, blank=True, help_text="{取值: 分值}")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    is_active = models.BooleanField("现行", default=True)
    since_version = models.PositiveSmallIntegerField("启用版本", default=1)
    retired_in_version = models.PositiveSmallIntegerField("停用版本", null=True, blank=True)

    class Meta:
        verbose_name = "积分项目"
        verbose_name_plural = "积分项目"
        ordering = ["scheme", "order", "pk"]
        indexes = [models.Index(fields=["scheme", "source"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_range(self) -> bool:
        return self.points is None and self.max_points is not None

    @property
    def value_points_text(self) -> str:
        """The source values and their points, e.g. "出席 2；缺席 -2；因私请假 前4次 -1，其后 -2"."""
        from .templates_builtin import VALUE_LABELS

        parts = []
        for value, spec in (self.value_points or {}).items():
            if isinstance(spec, list):
                tiers = [f"前{up_to}次 {points}" if up_to is not None else f"其后 {points}" for up_to, points in spec]
                shown = "，".join(tiers)
            else:
                shown = str(spec)
            parts.append(f"{VALUE_LABELS.get(value, value)} {shown}")
        return "；".join(parts)


class Entry(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name="积分方案", on_delete=models.PROTECT, related_name="entries")
    organization = models.ForeignKey(
        "branches.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="scoring_entries",
    )
    county = models.ForeignKey(
        "branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    person = models.ForeignKey("membership.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="scoring_entries")
    item = models.ForeignKey(Item, verbose_name="项目", on_delete=models.PROTECT, related_name="entries")
    section = models.CharField("类别", max_length=12, choices=SectionKind.choices)
    points = models.DecimalField("分值", max_digits=7, decimal_places=2)
    occurred_on = models.DateField("发生日期")
    note = models.CharField("事由", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=EntryStatus.choices, default=EntryStatus.PROPOSED)
    origin = models.CharField("来源", max_length=14, choices=EntryOrigin.choices, default=EntryOrigin.CLERK)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    proposer_name = models.CharField("建议人/证实人", max_length=60, blank=True,
                                     help_text="党员群众建议或受惠群众证实时填写姓名。")
    proposed_at = models.DateTimeField("提出时间")
    confirm_body = models.CharField("认定机构", max_length=16, choices=ConfirmBody.choices, blank=True)
    decided_on = models.DateField("认定会议日期", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认定人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField("认定时间", null=True, blank=True)
    rejected_reason = models.CharField("未认定原因", max_length=300, blank=True)
    veto_stage = models.CharField("一票否决进度", max_length=10, choices=VetoStage.choices, blank=True, default="")
    source = models.CharField("自动来源", max_length=60, blank=True)
    source_key = models.CharField("来源标识", max_length=120, blank=True)
    compensates = models.ForeignKey("self", verbose_name="冲抵的积分", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="compensations")

    class Meta:
        verbose_name = "积分记录"
        verbose_name_plural = "积分记录"
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source_key"], condition=~Q(source_key=""),
                                    name="scoring_entry_source_key_unique"),
            models.UniqueConstraint(fields=["compensates"], condition=Q(compensates__isnull=False),
                                    name="scoring_entry_compensated_once"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="scoring_entry_confirmed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "occurred_on"]),
            models.Index(fields=["person", "occurred_on"]),
            models.Index(fields=["scheme", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.item} {self.points:+}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    """A random name under MEDIA_ROOT/scoring/<county>/: never the uploader's name."""
    return f"scoring/{instance.entry.county_id or 0}/{uuid.uuid4().hex}{instance.extension}"


class Evidence(models.Model):
    """A photo or document supporting an entry (photos are re-encoded without metadata)."""

    entry = models.ForeignKey(Entry, verbose_name="积分记录", on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    title = models.CharField("名称", max_length=200)
    content_type = models.CharField("类型", max_length=80)
    extension = models.CharField("扩展名", max_length=8)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        ordering = ["entry", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class AppealKind(models.TextChoices):
    QUERY = "query", "问询"
    OBJECTION = "objection", "异议"
    APPEAL = "appeal", "申辩"


class AppealStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复存档"


class AppealOutcome(models.TextChoices):
    EXPLAINED = "explained", "予以说明"
    UPHELD = "upheld", "意见成立，予以更正"
    DISMISSED = "dismissed", "意见不成立，维持原积分"


class PublishScope(models.TextChoices):
    PARTIES = "parties", "仅当事人"
    COMMITTEE = "committee", "支委会范围"
    BRANCH = "branch", "本支部党员"


class Appeal(TimeStampedModel):
    """A member's query, objection or appeal about their own or another member's score (seed 000 三(三))."""

    organization = models.ForeignKey(
        "branches.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="scoring_appeals",
    )
    county = models.ForeignKey(
        "branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=10, choices=AppealKind.choices)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人账号", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    raised_by_person = models.ForeignKey("membership.Person", verbose_name="提出人", on_delete=models.PROTECT,
                                         related_name="+")
    person = models.ForeignKey("membership.Person", verbose_name="涉及党员", on_delete=models.PROTECT,
                               related_name="scoring_appeals")
    entry = models.ForeignKey(Entry, verbose_name="涉及积分记录", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="appeals")
    text = models.TextField("内容")
    raised_at = models.DateTimeField("提出时间")
    status = models.CharField("状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    outcome = models.CharField("审核结论", max_length=10, choices=AppealOutcome.choices, blank=True)
    answer = models.TextField("审核意见", blank=True)
    publish_scope = models.CharField("公开范围", max_length=10, choices=PublishScope.choices, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    correction = models.ForeignKey(Entry, verbose_name="更正记录", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = "积分问询异议"
        verbose_name_plural = "积分问询异议"
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.person}"
