"""一编三定 for no-office members of rural and community branches (DESIGN §7; seed 000, third document).

One cycle per branch and year: the post list (岗位清单, versioned), the members' claims (认岗), the
placements the branch confirms (定岗), one group per post with its leader and contracting cadre (依岗编组),
the performance ledger (履岗记实台账), training records (培训适岗), the half-year reviews and the
year-end evaluation (考核评岗). Every row carries its branch (`organization`) for the tenancy scope and
the county (the shard key).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from partyadmin.models import TimeStampedModel

from . import rules


class Office(TimeStampedModel):
    """A declared office that makes a member an office holder (村/社区"两委"职务, 村民小组长 …);
    sitting branch committee seats come from `branches.life_models.CommitteeMember`."""

    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("职务", max_length=50)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "党员职务"
        verbose_name_plural = "党员职务"
        ordering = ["organization", "member", "started_on"]
        indexes = [models.Index(fields=["member", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.member} {self.title}"


class ExemptionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "不同意"


class Exemption(TimeStampedModel):
    """因年龄、身体状况等原因难以胜任岗位要求的党员，经党组织同意，可不参加认岗 (seed 000 三(二))."""

    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    reason = models.CharField("原因", max_length=12, choices=rules.EXEMPTION_REASONS.items())
    detail = models.CharField("情况说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=ExemptionStatus.choices, default=ExemptionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    opinion = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "免于认岗"
        verbose_name_plural = "免于认岗"
        ordering = ["organization", "year", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], condition=~Q(status="rejected"),
                                    name="grouping_one_live_exemption_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year} {self.get_reason_display()}"


class CycleStatus(models.TextChoices):
    DRAFT = "draft", "设岗中"
    PUBLISHED = "published", "已公布岗位"


class PostList(TimeStampedModel):
    """One branch's 无职党员岗位清单 for a year; every revision bumps `version` and keeps a snapshot."""

    organization = models.ForeignKey("branches.Organization", verbose_name="村（社区）党组织",
                                     on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField("状态", max_length=10, choices=CycleStatus.choices, default=CycleStatus.DRAFT)
    published_on = models.DateField("党员大会公布日期", null=True, blank=True)
    work_plan = models.TextField("工作计划", blank=True)
    publicity_window_id = models.PositiveIntegerField("编组公示", null=True, blank=True)
    filing_id = models.PositiveIntegerField("备案", null=True, blank=True)
    filed_on = models.DateField("报备日期", null=True, blank=True)

    class Meta:
        verbose_name = "岗位清单"
        verbose_name_plural = "岗位清单"
        ordering = ["-year", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="grouping_one_post_list_per_year"),
        ]
        indexes = [models.Index(fields=["county", "year"])]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年无职党员岗位清单"


class PostListRevision(models.Model):
    """The post list as it stood after a revision (科学设岗: "根据工作需要，适时对岗位进行调整")."""

    post_list = models.ForeignKey(PostList, verbose_name="岗位清单", on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField("版本")
    posts = models.JSONField("岗位", default=list)
    note = models.CharField("调整说明", max_length=200, blank=True)
    revised_at = models.DateTimeField("调整时间")
    revised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调整人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "岗位清单版本"
        verbose_name_plural = "岗位清单版本"
        ordering = ["post_list", "version"]
        constraints = [models.UniqueConstraint(fields=["post_list", "version"], name="grouping_revision_once")]

    def __str__(self) -> str:
        return f"{self.post_list} 第{self.version}版"


class Post(TimeStampedModel):
    """A post (岗位): name, duties and tasks (职责任务), standards (标准要求). Its members form its group."""

    post_list = models.ForeignKey(PostList, verbose_name="岗位清单", on_delete=models.CASCADE, related_name="posts")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    name = models.CharField("岗位名称", max_length=50)
    duties = models.TextField("职责任务")
    standards = models.TextField("标准要求", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)
    # 依岗编组: the group of this post.
    group_name = models.CharField("编组名称", max_length=60, blank=True)
    leader = models.ForeignKey("membership.Member", verbose_name="组长", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    cadre = models.ForeignKey("membership.Member", verbose_name="包组干部", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    committed_on = models.DateField("公开承诺日期", null=True, blank=True)
    work_plan = models.TextField("小组工作计划", blank=True)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["post_list", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post_list", "name"], name="grouping_post_name_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def group_label(self) -> str:
        return self.group_name or f"{self.name}组"


class Claim(models.Model):
    """A member's claim of a post (申报认领)."""

    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.CASCADE, related_name="claims")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    claimed_at = models.DateTimeField("认领时间")
    note = models.CharField("特长及说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "认岗"
        verbose_name_plural = "认岗"
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="grouping_claim_once")]

    def __str__(self) -> str:
        return f"{self.member} 认领 {self.post}"


class PlacementStatus(models.TextChoices):
    PROPOSED = "proposed", "定岗方案"
    CONFIRMED = "confirmed", "已确认"


class Placement(TimeStampedModel):
    """A member on a post: proposed by the branch's placement plan, confirmed after hearing the member.

    A confirmed placement is the member's row in the group ledger (编组台账)."""

    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.CASCADE, related_name="placements")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    status = models.CharField("状态", max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.PROPOSED)
    opinion = models.CharField("党员意见", max_length=200, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    commitment = models.CharField("服务承诺", max_length=300, blank=True)
    commitment_signed_on = models.DateField("签订履岗承诺书日期", null=True, blank=True)
    remark = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "定岗"
        verbose_name_plural = "定岗"
        ordering = ["post", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="grouping_placement_once"),
            models.CheckConstraint(condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                                   name="grouping_placement_confirmed_at"),
        ]
        indexes = [models.Index(fields=["member", "status"])]


class PerformanceEntry(TimeStampedModel):
    """One line of the 履岗记实台账: 活动时间 参与党员 履岗内容 取得成效 备注, signed by leader and cadre."""

    post = models.ForeignKey(Post, verbose_name="编组", on_delete=models.PROTECT, related_name="entries")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    activity_on = models.DateField("活动时间")
    participants = models.ManyToManyField("membership.Member", verbose_name="参与党员", related_name="+")
    content = models.TextField("履岗内容")
    outcome = models.TextField("取得成效", blank=True)
    remark = models.CharField("备注", max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    leader_signed_at = models.DateTimeField("组长签字时间", null=True, blank=True)
    cadre_signed_at = models.DateTimeField("包组干部签字时间", null=True, blank=True)

    class Meta:
        verbose_name = "履岗记实"
        verbose_name_plural = "履岗记实台账"
        ordering = ["-activity_on", "-pk"]
        indexes = [models.Index(fields=["post", "activity_on"]), models.Index(fields=["organization", "activity_on"])]


def photo_path(instance: "PerformancePhoto", filename: str) -> str:
    extension = ".png" if instance.image_format == "png" else ".jpg"
    return f"grouping/{instance.entry.county_id or 0}/{uuid.uuid4().hex}{extension}"


class PerformancePhoto(models.Model):
    """"开展活动要注意保留照片等资料" (附件3): re-encoded without metadata on upload."""

    entry = models.ForeignKey(PerformanceEntry, verbose_name="履岗记实", on_delete=models.CASCADE,
                              related_name="photos")
    image = models.FileField("图片", upload_to=photo_path, max_length=200)
    image_format = models.CharField("格式", max_length=4, choices=[("jpeg", "JPEG"), ("png", "PNG")])
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "履岗照片"
        verbose_name_plural = "履岗照片"
        ordering = ["entry", "pk"]

    def __str__(self) -> str:
        return f"照片 #{self.pk}"

    @property
    def content_type(self) -> str:
        return "image/png" if self.image_format == "png" else "image/jpeg"


class Training(TimeStampedModel):
    """培训适岗: one training a member attended."""

    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("培训日期")
    topic = models.CharField("培训内容", max_length=200)
    kind = models.CharField("类别", max_length=12, choices=rules.TRAINING_KINDS.items())
    organizer = models.CharField("举办单位", max_length=100, blank=True)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-held_on", "pk"]
        indexes = [models.Index(fields=["member", "held_on"])]


class HalfYearReview(TimeStampedModel):
    """每半年进行一次总结、点评 (seed 000 三(六))."""

    post = models.ForeignKey(Post, verbose_name="编组", on_delete=models.PROTECT, related_name="reviews")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    half = models.PositiveSmallIntegerField("半年", choices=[(1, "上半年"), (2, "下半年")])
    summary = models.TextField("履岗情况总结")
    comment = models.TextField("支部点评")
    reviewed_on = models.DateField("点评日期")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="点评人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "半年总结点评"
        verbose_name_plural = "半年总结点评"
        constraints = [models.UniqueConstraint(fields=["post", "half"], name="grouping_review_once_per_half")]


class Evaluation(TimeStampedModel):
    """年底履岗考评: the member's (or leader's) report (述职) and grade at the member + masses meeting."""

    post_list = models.ForeignKey(PostList, verbose_name="岗位清单", on_delete=models.PROTECT,
                                  related_name="evaluations")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    is_leader = models.BooleanField("组长述职", default=False)
    report = models.TextField("述职内容")
    grade = models.CharField("考评等次", max_length=8, choices=rules.GRADES.items())
    evaluated_on = models.DateField("考评会议日期")
    score_entry_id = models.PositiveIntegerField("积分记录", null=True, blank=True)

    class Meta:
        verbose_name = "履岗考评"
        verbose_name_plural = "履岗考评"
        constraints = [models.UniqueConstraint(fields=["post_list", "member"], name="grouping_evaluation_once")]
