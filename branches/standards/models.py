"""Branch standardization checklists (党支部规范化建设, DESIGN §8; seed 004).

A template (考核细则) is data: sections, items and veto cases, loaded once per (code, version) and never
edited afterwards — a county changes its checklist by loading a new version. A round (考核年度) of a
county pins the template version it uses; each branch of the county gets one assessment in the round,
with a row per item (self score, the committee's review score, what the records say) and per veto case.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from partyadmin.models import TimeStampedModel

from .rules import fmt

SCORE = {"max_digits": 5, "decimal_places": 1}


class ChecklistTemplate(TimeStampedModel):
    code = models.CharField("细则代码", max_length=40)
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=100)
    issuer = models.CharField("制定单位", max_length=100, blank=True)
    # None: shipped with the application and open to every county; else the county that loaded it.
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    pass_mark = models.DecimalField("合格分数线", **SCORE)
    total_points = models.DecimalField("满分", **SCORE)
    notes = models.TextField("说明", blank=True)
    source = models.JSONField("原始数据")
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "考核细则"
        verbose_name_plural = "考核细则"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="standards_template_code_version")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class TemplateSection(models.Model):
    template = models.ForeignKey(ChecklistTemplate, verbose_name="考核细则", on_delete=models.CASCADE,
                                 related_name="sections")
    key = models.CharField("标识", max_length=40)
    order = models.PositiveSmallIntegerField("序号")
    title = models.CharField("考核项目", max_length=60)
    max_points = models.DecimalField("满分", **SCORE)

    class Meta:
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="standards_section_key")]

    def __str__(self) -> str:
        return f"{self.title}（{fmt(self.max_points)}分）"


class TemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, verbose_name="考核细则", on_delete=models.CASCADE,
                                 related_name="items")
    section = models.ForeignKey(TemplateSection, verbose_name="考核项目", on_delete=models.CASCADE,
                                related_name="items")
    key = models.CharField("标识", max_length=60)
    order = models.PositiveSmallIntegerField("序号")
    requirement = models.CharField("考核要求", max_length=60)
    standard = models.TextField("考核标准")
    points = models.DecimalField("分值", **SCORE)
    prefill = models.CharField("依据记录", max_length=40, blank=True)

    class Meta:
        verbose_name = "考核标准"
        verbose_name_plural = "考核标准"
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="standards_item_key"),
            models.CheckConstraint(condition=Q(points__gt=0), name="standards_item_points_positive"),
        ]

    def __str__(self) -> str:
        return self.standard[:40]


class TemplateVeto(models.Model):
    template = models.ForeignKey(ChecklistTemplate, verbose_name="考核细则", on_delete=models.CASCADE,
                                 related_name="vetoes")
    key = models.CharField("标识", max_length=40)
    order = models.PositiveSmallIntegerField("序号")
    text = models.CharField("一票否决情形", max_length=200)
    record_check = models.CharField("依据记录", max_length=40, blank=True)

    class Meta:
        verbose_name = "一票否决情形"
        verbose_name_plural = "一票否决情形"
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="standards_veto_key")]

    def __str__(self) -> str:
        return self.text


class AssessmentRound(TimeStampedModel):
    """A county's assessment year: the template version it pins and the branches' submission deadline."""

    county = models.ForeignKey("branches.Organization", verbose_name="县（市、区）委组织部", on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField("考核年度")
    template = models.ForeignKey(ChecklistTemplate, verbose_name="考核细则", on_delete=models.PROTECT,
                                 related_name="rounds")
    submit_by = models.DateField("支部自评截止日期")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "考核年度"
        verbose_name_plural = "考核年度"
        ordering = ["county", "-year"]
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="standards_round_county_year")]

    def __str__(self) -> str:
        return f"{self.year}年度党支部规范化建设考核"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "支部自评中"
    COMMITTEE_REVIEW = "committee_review", "基层党委考核中"
    RETURNED = "returned", "退回支部修改"
    COUNTY_REVIEW = "county_review", "县委组织部验收中"
    RATED = "rated", "已评定（公示中）"
    CONFIRMED = "confirmed", "已确认"
    OBJECTED = "objected", "公示异议成立"


class Assessment(TimeStampedModel):
    round = models.ForeignKey(AssessmentRound, verbose_name="考核年度", on_delete=models.PROTECT,
                              related_name="assessments")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="standard_assessments")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField("考核年度")
    status = models.CharField("状态", max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    self_total = models.DecimalField("自评总分", null=True, blank=True, **SCORE)
    review_total = models.DecimalField("考核总分", null=True, blank=True, **SCORE)
    vetoed = models.BooleanField("一票否决", default=False)
    passed = models.BooleanField("合格", null=True, blank=True)
    committee_filing = models.ForeignKey("filings.Filing", verbose_name="报送基层党委", on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="+")
    county_filing = models.ForeignKey("filings.Filing", verbose_name="报送县委组织部", on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")
    committee_opinion = models.TextField("基层党委考核意见", blank=True)
    county_opinion = models.TextField("县委组织部评定意见", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    rated_at = models.DateTimeField("评定时间", null=True, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评定人", on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    publicity = models.ForeignKey("publicity.PublicityWindow", verbose_name="结果公示", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    confirmed_on = models.DateField("确认日期", null=True, blank=True)

    class Meta:
        verbose_name = "支部规范化建设考核"
        verbose_name_plural = "支部规范化建设考核"
        ordering = ["round", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="standards_assessment_once_per_round"),
        ]
        indexes = [
            models.Index(fields=["organization", "year", "status"]),
            models.Index(fields=["county", "year", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年度规范化建设考核"

    @property
    def is_qualified(self) -> bool:
        return self.status == AssessmentStatus.CONFIRMED and bool(self.passed)

    @property
    def branch_may_edit(self) -> bool:
        return self.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)


class AssessmentItem(models.Model):
    """One line of the table: 自评分 and 考核分, and what the records say (the pre-fill) with its evidence."""

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(TemplateItem, verbose_name="考核标准", on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField("自评分", null=True, blank=True, **SCORE)
    self_note = models.CharField("自评说明", max_length=500, blank=True)
    review_score = models.DecimalField("考核分", null=True, blank=True, **SCORE)
    review_note = models.CharField("考核说明", max_length=500, blank=True)
    prefill_score = models.DecimalField("记录得分", null=True, blank=True, **SCORE)
    prefill_met = models.BooleanField("记录达标", null=True, blank=True)
    prefill_note = models.CharField("记录情况", max_length=500, blank=True)
    prefill_evidence = models.JSONField("记录依据", default=list, blank=True)
    prefilled_at = models.DateTimeField("预填时间", null=True, blank=True)
    disagrees = models.BooleanField("不认同记录预填", default=False)
    disagree_reason = models.CharField("不认同理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "考核评分"
        verbose_name_plural = "考核评分"
        ordering = ["assessment", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="standards_score_once_per_item"),
            models.CheckConstraint(condition=Q(disagrees=False) | ~Q(disagree_reason=""),
                                   name="standards_disagreement_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.item_id}"

    @property
    def differs(self) -> bool:
        return (self.self_score is not None and self.review_score is not None
                and self.self_score != self.review_score)


class AssessmentVeto(models.Model):
    """A veto case for one assessment: found from the records (or the branch's declaration), and the
    reviewers' finding where they decide otherwise."""

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="vetoes")
    veto = models.ForeignKey(TemplateVeto, verbose_name="一票否决情形", on_delete=models.PROTECT, related_name="+")
    found = models.BooleanField("存在该情形", null=True, blank=True)
    note = models.CharField("情况", max_length=500, blank=True)
    review_found = models.BooleanField("考核认定", null=True, blank=True)
    review_note = models.CharField("认定理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "一票否决核查"
        verbose_name_plural = "一票否决核查"
        ordering = ["assessment", "veto__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "veto"], name="standards_veto_once")]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.veto_id}"

    @property
    def applies(self) -> bool:
        return bool(self.review_found if self.review_found is not None else self.found)


def evidence_path(instance: "Evidence", filename: str) -> str:
    """A random name under MEDIA_ROOT/standards/<county>/: never the uploader's name, never guessable."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"standards/{instance.assessment.county_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """Evidence the branch attaches to an item (or to the funds declaration): a file or a link."""

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="evidence")
    item = models.ForeignKey(TemplateItem, verbose_name="考核标准", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    veto = models.ForeignKey(TemplateVeto, verbose_name="一票否决情形", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    title = models.CharField("名称", max_length=200)
    url = models.CharField("链接", max_length=500, blank=True)
    file = models.FileField("文件", upload_to=evidence_path, max_length=200, blank=True)
    file_type = models.CharField("文件类型", max_length=8, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["assessment", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="standards_evidence_file_or_link"),
        ]

    def __str__(self) -> str:
        return self.title


class RectificationStatus(models.TextChoices):
    OPEN = "open", "整改中"
    DONE = "done", "已整改"


class Rectification(TimeStampedModel):
    """整改: a failing branch's task with a deadline (seed 004 备注2: "严格推进相关整顿工作")."""

    assessment = models.OneToOneField(Assessment, verbose_name="考核", on_delete=models.PROTECT,
                                      related_name="rectification")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    requirement = models.TextField("整改要求")
    due_on = models.DateField("整改期限")
    status = models.CharField("状态", max_length=8, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN)
    overdue_since = models.DateField("超期日期", null=True, blank=True)
    report = models.TextField("整改情况", blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "整改任务"
        verbose_name_plural = "整改任务"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.organization} 整改（期限 {self.due_on:%Y-%m-%d}）"
