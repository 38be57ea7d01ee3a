"""The admission file (一人一档): one file per person and branch, its 25 steps (一步一审) and the records
the steps produce (recommendations, contact persons, training records, evaluations, introducers)."""

from django.conf import settings
from django.db import models

from . import rules


class Stage(models.TextChoices):
    APPLICANT = rules.Stage.APPLICANT, "入党申请人"
    ACTIVIST = rules.Stage.ACTIVIST, "入党积极分子"
    CANDIDATE = rules.Stage.CANDIDATE, "发展对象"
    PROBATIONARY = rules.Stage.PROBATIONARY, "预备党员"
    FULL = rules.Stage.FULL, "正式党员"


class FileStatus(models.TextChoices):
    ACTIVE = "active", "进行中"
    ARCHIVED = "archived", "已归档"
    CANCELLED = "cancelled", "已取消积极分子资格"
    TERMINATED = "terminated", "已终止"


class StepStatus(models.TextChoices):
    PENDING = "pending", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    DONE = "done", "已完成"


class DeadlineStatus(models.TextChoices):
    NONE = rules.DeadlineStatus.NONE, "—"
    NORMAL = rules.DeadlineStatus.NORMAL, "正常"
    DUE_SOON = rules.DeadlineStatus.DUE_SOON, "即将到期"
    OVERDUE = rules.DeadlineStatus.OVERDUE, "已超期"


class RecruitmentFile(models.Model):
    """发展党员全程记实档案 of one person in one branch."""

    person = models.ForeignKey("membership.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="recruitment_files")
    organization = models.ForeignKey("branches.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="recruitment_files")
    county = models.ForeignKey("branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="+", null=True)
    stage = models.CharField("阶段", max_length=16, choices=Stage.choices, default=Stage.APPLICANT)
    status = models.CharField("状态", max_length=12, choices=FileStatus.choices, default=FileStatus.ACTIVE)
    current_step = models.PositiveSmallIntegerField("当前步骤", default=2)
    applied_on = models.DateField("递交入党申请书日期")
    activist_on = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    candidate_on = models.DateField("列为发展对象日期", null=True, blank=True)
    joined_on = models.DateField("接收为预备党员日期（支部大会）", null=True, blank=True)
    probation_ends_on = models.DateField("预备期满日期", null=True, blank=True)
    probation_extended_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    full_on = models.DateField("转为正式党员日期", null=True, blank=True)
    member = models.ForeignKey("membership.Member", verbose_name="党员", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    is_student = models.BooleanField("在校学生", default=False)
    graduates_on = models.DateField("预计毕业日期", null=True, blank=True)
    is_floating = models.BooleanField("流动人员", default=False)
    relock_until = models.DateField("可再次确定为积极分子日期", null=True, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    ended_reason = models.CharField("终止原因", max_length=500, blank=True)
    next_due_on = models.DateField("最近期限", null=True, blank=True)
    deadline_status = models.CharField("期限状态", max_length=10, choices=DeadlineStatus.choices, blank=True,
                                       default=DeadlineStatus.NONE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "发展党员档案"
        verbose_name_plural = verbose_name
        ordering = ["organization_id", "person__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=models.Q(status="active"),
                                    name="recruitment_one_active_file_per_person"),
            models.CheckConstraint(condition=models.Q(current_step__gte=1, current_step__lte=26),
                                   name="recruitment_current_step_range"),
        ]
        indexes = [models.Index(fields=["county", "status", "stage"]), models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_stage_display()}）"

    @property
    def current_step_title(self) -> str:
        return rules.STEP_TITLES.get(self.current_step, "已办结")

    @property
    def is_active(self) -> bool:
        return self.status == FileStatus.ACTIVE


class Step(models.Model):
    """One of the 25 steps: who did it, when, who signed (谁主办、谁记录，谁负责、谁签字)."""

    file = models.ForeignKey(RecruitmentFile, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField("步骤")
    status = models.CharField("状态", max_length=12, choices=StepStatus.choices, default=StepStatus.PENDING)
    started_on = models.DateField("开始日期", null=True, blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    due_on = models.DateField("办理期限", null=True, blank=True)
    deadline_status = models.CharField("期限状态", max_length=10, choices=DeadlineStatus.choices, blank=True,
                                       default=DeadlineStatus.NONE)
    handler = models.CharField("经办人", max_length=100, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    signer = models.CharField("签字人", max_length=100, blank=True)
    notes = models.TextField("记录", blank=True)
    data = models.JSONField("办理情况", default=dict, blank=True)
    filing = models.ForeignKey("filings.Filing", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    publicity = models.ForeignKey("publicity.PublicityWindow", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    reminded_on = models.DateField("提醒日期", null=True, blank=True)

    class Meta:
        verbose_name = "发展党员步骤"
        verbose_name_plural = verbose_name
        ordering = ["file_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="recruitment_step_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=25), name="recruitment_step_range"),
        ]

    def __str__(self) -> str:
        return f"第{self.number}步 {self.title}"

    @property
    def title(self) -> str:
        return rules.STEP_TITLES[self.number]

    @property
    def phase(self) -> str:
        return rules.STEP_PHASES[self.number]


def material_path(instance: "StepMaterial", filename: str) -> str:
    return f"recruitment/{instance.step.file_id}/{instance.step.number}/{filename}"


class StepMaterial(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField("材料名称", max_length=100)
    file = models.FileField("文件", upload_to=material_path)
    original_name = models.CharField("原文件名", max_length=200)
    file_type = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "步骤材料"
        verbose_name_plural = verbose_name
        ordering = ["step_id", "pk"]

    def __str__(self) -> str:
        return self.title


class RecommendationKind(models.TextChoices):
    MEETING = "meeting", "党员大会推荐"
    INDIVIDUAL = "individual", "党员单独推荐"
    JOINT = "joint", "党员联名推荐"


class Recommendation(models.Model):
    """党员推荐 (seed 000 二(一)1)."""

    file = models.ForeignKey(RecruitmentFile, on_delete=models.CASCADE, related_name="recommendations")
    kind = models.CharField("推荐方式", max_length=12, choices=RecommendationKind.choices)
    recommended_on = models.DateField("推荐日期")
    branch_members = models.PositiveIntegerField("当日支部党员数")
    agree = models.PositiveIntegerField("同意人数")
    recommenders = models.ManyToManyField("membership.Member", verbose_name="推荐人", related_name="+", blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    passed = models.BooleanField("获得半数以上党员同意", default=False)

    class Meta:
        verbose_name = "党员推荐"
        verbose_name_plural = verbose_name
        ordering = ["file_id", "recommended_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recommended_on}"


class ContactPerson(models.Model):
    """培养联系人 (一般从推荐人中指定)."""

    file = models.ForeignKey(RecruitmentFile, on_delete=models.CASCADE, related_name="contact_persons")
    member = models.ForeignKey("membership.Member", on_delete=models.PROTECT, related_name="+")
    assigned_on = models.DateField("指定日期")

    class Meta:
        verbose_name = "培养联系人"
        verbose_name_plural = verbose_name
        ordering = ["file_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["file", "member"], name="recruitment_contact_unique")]

    def __str__(self) -> str:
        return self.member.person.name


class Introducer(models.Model):
    """入党介绍人 (two full members)."""

    file = models.ForeignKey(RecruitmentFile, on_delete=models.CASCADE, related_name="introducers")
    member = models.ForeignKey("membership.Member", on_delete=models.PROTECT, related_name="+")
    assigned_on = models.DateField("确定日期")

    class Meta:
        verbose_name = "入党介绍人"
        verbose_name_plural = verbose_name
        ordering = ["file_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["file", "member"], name="recruitment_introducer_unique")]

    def __str__(self) -> str:
        return self.member.person.name


class TrainingKind(models.TextChoices):
    STUDY = "study", "两学（学党章党规、学系列讲话）"
    ABSORB = "absorb", "三吸纳（学习研讨、主题活动、组织生活）"
    TALK = "talk", "四必谈"
    QUARTERLY_REPORT = "quarterly_report", "培养联系人季度汇报"
    HALF_YEAR_EXAM = "half_year_exam", "党支部半年考察"
    CONTINUED = "continued", "预备期教育考察"


class TrainingRecord(models.Model):
    """两学三吸纳四必谈, quarterly reports, half-yearly examinations (seed 000 二(一)5)."""

    file = models.ForeignKey(RecruitmentFile, on_delete=models.CASCADE, related_name="training_records")
    kind = models.CharField("类别", max_length=20, choices=TrainingKind.choices)
    occurred_on = models.DateField("日期")
    content = models.TextField("内容")
    result = models.CharField("考察结论", max_length=100, blank=True)
    recorded_by = models.CharField("记录人", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "培养教育记录"
        verbose_name_plural = verbose_name
        ordering = ["file_id", "occurred_on", "pk"]
        indexes = [models.Index(fields=["file", "kind", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class Evaluation(models.Model):
    """双评: the branch general meeting with mass representatives (seed 000 二(二)2–3)."""

    file = models.ForeignKey(RecruitmentFile, on_delete=models.CASCADE, related_name="evaluations")
    held_on = models.DateField("评议日期")
    branch_members = models.PositiveIntegerField("支部党员总数")
    members_present = models.PositiveIntegerField("参加评议党员")
    masses_present = models.PositiveIntegerField("参加评议群众")
    forms = models.PositiveIntegerField("收回评议表")
    tallies = models.JSONField("评议票数")
    outcome = models.CharField("评议结果", max_length=10, choices=[(k, v) for k, v in rules.OUTCOME_LABELS.items()])
    warning = models.CharField("提示", max_length=200, blank=True)

    class Meta:
        verbose_name = "民主评议"
        verbose_name_plural = verbose_name
        ordering = ["file_id", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_outcome_display()}"

    def tally_rows(self) -> list[tuple[str, list[int]]]:
        return [(label, [int(self.tallies.get(item, {}).get(grade, 0)) for grade in rules.GRADES])
                for item, label in rules.EVALUATION_ITEMS.items()]
