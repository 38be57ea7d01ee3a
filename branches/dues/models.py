"""Party dues (党费): the yearly base per member, payments by month, and self-lapse flags.

Branch life, above `membership`: the member is referenced by name so that the tree models never
import it. Every row carries the branch (`organization`, the tenant) and its county (the shard key).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from partyadmin.models import TimeStampedModel

from . import rules


class DuesCategory(models.TextChoices):
    SALARIED = rules.SALARIED, "在职（按月工资收入计）"
    RETIRED = rules.RETIRED, "离退休（按离退休费或养老金计）"
    FARMER = rules.FARMER, "农民党员"
    STUDENT = rules.STUDENT, "学生党员"
    HARDSHIP = rules.HARDSHIP, "下岗失业、依靠抚恤救济或领取最低生活保障金"
    REDUCED = rules.REDUCED, "经批准少交或免交"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "现金"
    TRANSFER = "transfer", "银行转账"
    ONLINE = "online", "网上交纳"


class DuesBase(TimeStampedModel):
    """A member's approved dues base for one year (党费基数一年一核定, seed 004) and the monthly amount."""

    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="dues_bases")
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("交纳类别", max_length=16, choices=DuesCategory.choices)
    monthly_income_base = models.DecimalField("月计算基数（元）", max_digits=12, decimal_places=2, default=0)
    rate = models.DecimalField("交纳比例", max_digits=6, decimal_places=4, default=0)
    monthly_amount = models.DecimalField("每月应交（元）", max_digits=10, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核定人", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField("核定时间")

    class Meta:
        verbose_name = "党费基数"
        verbose_name_plural = "党费基数"
        ordering = ["organization", "year", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="dues_base_once_per_member_year"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="dues_base_amount_not_negative"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=1), name="dues_base_rate_fraction"),
        ]
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return f"{self.member} {self.year}年 {self.monthly_amount}元/月"

    @property
    def rate_percent(self) -> str:
        return f"{(self.rate * 100).normalize():f}%"


class DuesPayment(TimeStampedModel):
    """One payment covering consecutive months of one year (monthly, quarterly or in advance)."""

    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="dues_payments")
    year = models.PositiveSmallIntegerField("年度")
    from_month = models.PositiveSmallIntegerField("起始月份")
    to_month = models.PositiveSmallIntegerField("截止月份")
    paid_on = models.DateField("交纳日期")
    amount = models.DecimalField("实交金额（元）", max_digits=10, decimal_places=2)
    expected_amount = models.DecimalField("应交金额（元）", max_digits=10, decimal_places=2)
    method = models.CharField("交纳方式", max_length=10, choices=PaymentMethod.choices)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    cancel_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "党费交纳"
        verbose_name_plural = "党费交纳"
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(from_month__gte=1, to_month__lte=12, from_month__lte=F("to_month")),
                                   name="dues_payment_months_in_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_payment_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["organization", "year"]), models.Index(fields=["member", "year"])]

    def __str__(self) -> str:
        return f"{self.member} {self.months_label} {self.amount}元"

    @property
    def months(self) -> int:
        return self.to_month - self.from_month + 1

    @property
    def months_label(self) -> str:
        if self.from_month == self.to_month:
            return f"{self.year}年{self.from_month}月"
        return f"{self.year}年{self.from_month}–{self.to_month}月"


class DuesPaidMonth(models.Model):
    """A month a payment covers: one row per member and month, so that no month is paid twice."""

    payment = models.ForeignKey(DuesPayment, verbose_name="交纳记录", on_delete=models.CASCADE, related_name="paid_months")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="dues_paid_months")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")

    class Meta:
        verbose_name = "已交月份"
        verbose_name_plural = "已交月份"
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "month"], name="dues_month_paid_once"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="dues_paid_month_1_to_12"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


class LapseResolution(models.TextChoices):
    PAID_UP = "paid_up", "已补交"
    JUSTIFIED = "justified", "有正当理由"
    DISPOSAL = "disposal", "转入处置程序"


class DuesLapseFlag(TimeStampedModel):
    """A self-lapse candidate: six consecutive months unpaid (seed 001; DESIGN §3.2).

    Raised by the daily job once per run of unpaid months; the disposal procedure (membership) reads the
    open flags through `selectors.lapse_candidates`. Resolved when the member pays up, or by the branch.
    """

    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="+")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+")
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT,
                               related_name="dues_lapse_flags")
    since_month = models.DateField("起始欠交月份", help_text="连续未交的第一个月（该月1日）")
    months_unpaid = models.PositiveSmallIntegerField("发现时连续未交月数")
    raised_on = models.DateField("发现日期")
    resolved = models.BooleanField("已处理", default=False)
    resolved_on = models.DateField("处理日期", null=True, blank=True)
    resolution = models.CharField("处理结果", max_length=16, choices=LapseResolution.choices, blank=True)
    resolution_note = models.CharField("处理说明", max_length=300, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "连续欠交党费提示"
        verbose_name_plural = "连续欠交党费提示"
        ordering = ["organization", "since_month", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(resolved=False), name="one_open_lapse_flag_per_member"),
            models.CheckConstraint(condition=Q(resolved=False) | Q(resolved_on__isnull=False),
                                   name="lapse_flag_resolved_has_date"),
        ]
        indexes = [models.Index(fields=["organization", "resolved"])]

    def __str__(self) -> str:
        return f"{self.member} 自{self.since_month:%Y年%m月}起连续欠交党费"
