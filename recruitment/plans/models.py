"""The county's side of recruitment (DESIGN §4.3): the annual development plan (发展党员计划), the numbers of
the 入党志愿书 issued against it, the name lists sent for the county's pre-review (预审), and the target
groups a person belongs to (for the structure of admissions).

The plan row is also the lock that serializes numbering: `services.form_number_issue` takes it
`SELECT … FOR UPDATE`, so two requests in one county and year queue up instead of both taking the last
place of the quota. The unique constraints below are the last line of defence.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from branches.models import Domain
from partyadmin.models import TimeStampedModel


class TargetGroup(models.TextChoices):
    """重点群体. Seed 000 一(二): "注重从产业工人、青年农民、外出务工返乡人员、转业退伍军人、高知识群体和非公有制
    经济组织、社会组织中发展党员"; seed 003 item 12: "重视从青年工人、农民、知识分子和妇女中发展党员"."""

    INDUSTRIAL_WORKER = "industrial_worker", "产业工人"
    YOUNG_FARMER = "young_farmer", "青年农民"
    RETURNING_MIGRANT = "returning_migrant", "外出务工返乡人员"
    VETERAN = "veteran", "转业退伍军人"
    HIGH_KNOWLEDGE = "high_knowledge", "高知识群体"
    NON_PUBLIC_SOCIAL = "non_public_social", "非公有制经济组织和社会组织人员"
    YOUNG_WORKER = "young_worker", "青年工人"
    FARMER = "farmer", "农民"
    INTELLECTUAL = "intellectual", "知识分子"
    WOMAN = "woman", "妇女"


# 妇女 follows from the person's gender; the other groups are marked on the person.
MARKED_TARGET_GROUPS = [choice for choice in TargetGroup if choice != TargetGroup.WOMAN]


class DevelopmentPlan(TimeStampedModel):
    """年度发展党员计划 of one county: the total quota, and optionally quotas by domain and by township.

    `domain_quotas` is {Domain value: places}; `township_quotas` is {township organization id (str): places};
    `target_group_targets` is {TargetGroup value: planned number} (guidance for the structure, not a limit).
    An empty dict means "not divided". `next_seq` is the next 入党志愿书 sequence number: it only grows, so a
    voided number is never issued again.
    """

    county = models.ForeignKey("branches.Organization", verbose_name="县（市、区）委组织部", on_delete=models.PROTECT,
                               related_name="development_plans")
    year = models.PositiveSmallIntegerField("年度")
    total_quota = models.PositiveIntegerField("计划发展总数")
    domain_quotas = models.JSONField("分领域名额", default=dict, blank=True)
    township_quotas = models.JSONField("分乡镇（街道）名额", default=dict, blank=True)
    target_group_targets = models.JSONField("重点群体计划数", default=dict, blank=True)
    note = models.TextField("说明", blank=True)
    next_seq = models.PositiveIntegerField("下一个编号序号", default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制定人", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "发展党员计划"
        verbose_name_plural = "发展党员计划"
        ordering = ["-year", "county__path"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="development_plan_one_per_county_year"),
            models.CheckConstraint(condition=Q(next_seq__gte=1), name="development_plan_next_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year}年度发展党员计划"


class FormNumber(models.Model):
    """One 入党志愿书 number: "<county code>-<year>-<0001>", sequential per county and year.

    Seed 003 item 11: "实行入党志愿书编码管理制度，对党员队伍实行总量调控"; seed 000 二(二)5: "按照年度党员
    发展计划和发展对象名单，编号后发放《入党志愿书》". A voided number stays in the ledger and is never issued again.
    """

    plan = models.ForeignKey(DevelopmentPlan, verbose_name="发展党员计划", on_delete=models.PROTECT,
                             related_name="form_numbers")
    county = models.ForeignKey("branches.Organization", verbose_name="县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("入党志愿书编号", max_length=40, unique=True)
    person = models.ForeignKey("membership.Person", verbose_name="发展对象", on_delete=models.PROTECT,
                               related_name="form_numbers")
    domain = models.CharField("领域", max_length=24, choices=Domain.choices)
    organization = models.ForeignKey("branches.Organization", verbose_name="所在党支部", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    township = models.ForeignKey("branches.Organization", verbose_name="乡镇（街道）", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    issued_on = models.DateField("编号日期")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="编号人", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    issued_at = models.DateTimeField("编号时间", auto_now_add=True)
    voided_on = models.DateField("作废日期", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作废人", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "入党志愿书编号"
        verbose_name_plural = "入党志愿书编号"
        ordering = ["county", "year", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "seq"], name="form_number_seq_unique"),
            models.UniqueConstraint(fields=["plan", "person"], condition=Q(voided_on__isnull=True),
                                    name="form_number_once_per_person_and_year"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="form_number_seq_positive"),
            models.CheckConstraint(condition=Q(voided_on__isnull=True) | ~Q(void_reason=""),
                                   name="form_number_void_needs_reason"),
        ]
        indexes = [models.Index(fields=["plan", "domain"]), models.Index(fields=["person", "year"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_void(self) -> bool:
        return self.voided_on is not None


class PersonTargetGroup(models.Model):
    """A person marked as belonging to a target group (重点群体), for the structure report."""

    person = models.ForeignKey("membership.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="target_groups")
    group = models.CharField("重点群体", max_length=24, choices=TargetGroup.choices)
    county = models.ForeignKey("branches.Organization", verbose_name="县（市、区）", on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        verbose_name = "重点群体标记"
        verbose_name_plural = "重点群体标记"
        constraints = [models.UniqueConstraint(fields=["person", "group"], name="person_target_group_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.get_group_display()}"


class NameListStatus(models.TextChoices):
    PENDING = "pending", "待预审"
    APPROVED = "approved", "预审通过"
    RETURNED = "returned", "已退回"


class NameList(TimeStampedModel):
    """拟发展对象名单 sent to the county for pre-review of number and structure (seed 003 item 7)."""

    county = models.ForeignKey("branches.Organization", verbose_name="县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    organization = models.ForeignKey("branches.Organization", verbose_name="报送组织", on_delete=models.PROTECT,
                                     related_name="name_lists")
    year = models.PositiveSmallIntegerField("年度")
    note = models.TextField("报送说明", blank=True)
    status = models.CharField("状态", max_length=12, choices=NameListStatus.choices, default=NameListStatus.PENDING)
    filing = models.OneToOneField("filings.Filing", verbose_name="预审报送", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("预审时间", null=True, blank=True)
    opinion = models.TextField("预审意见", blank=True)

    class Meta:
        verbose_name = "拟发展对象名单"
        verbose_name_plural = "拟发展对象名单"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["county", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年度拟发展对象名单"


class NameListEntry(models.Model):
    name_list = models.ForeignKey(NameList, verbose_name="名单", on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey("membership.Person", verbose_name="发展对象", on_delete=models.PROTECT,
                               related_name="name_list_entries")

    class Meta:
        verbose_name = "名单人员"
        verbose_name_plural = "名单人员"
        constraints = [models.UniqueConstraint(fields=["name_list", "person"], name="name_list_entry_unique")]

    def __str__(self) -> str:
        return f"{self.name_list_id} · {self.person_id}"
