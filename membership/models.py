"""People and the member register (DESIGN §3.2).

One `Person` row follows a person over time (applicant → activist → candidate → probationary →
full member); `Member` is the register entry of a person who has joined. Personal data (ID number,
phone, address) is encrypted at rest with SM4-GCM; the ID number and the phone carry a keyed SM3
blind index beside them for uniqueness checks and exact look-up (DESIGN §2.1).
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from branches.models import Domain, Organization
from partyadmin.crypto import EncryptedCharField
from partyadmin.models import TimeStampedModel


class HardDeleteRefused(Exception):  # noqa: N818 - reads as what happened
    """People and register entries are never deleted (DESIGN §5: the record is corrected by a new record);
    a member who leaves the register is marked inactive with the reason (`membership.changes`)."""


class NoDeleteQuerySet(models.QuerySet):
    def delete(self) -> NoReturn:
        raise HardDeleteRefused("党员和人员记录不能删除：请办理组织关系转出、去世或除名等变动。")


class NoDeleteModel(models.Model):
    """Refuses `delete()` on the row and on its querysets."""

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise HardDeleteRefused("党员和人员记录不能删除：请办理组织关系转出、去世或除名等变动。")


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Education(models.TextChoices):
    GRADUATE = "graduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专/高中"
    JUNIOR_OR_BELOW = "junior_or_below", "初中及以下"


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"


class Flow(models.TextChoices):
    NONE = "none", "非流动党员"
    FLOW_OUT = "flow_out", "流出"
    FLOW_IN = "flow_in", "流入"


class Person(NoDeleteModel, TimeStampedModel):
    """A person known to the party organization, whatever their current stage."""

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField("职业", max_length=100, blank=True)
    position = models.CharField("职务", max_length=100, blank=True)
    id_number = EncryptedCharField("公民身份号码", blank=True)
    id_number_index = models.CharField("身份号码索引", max_length=64, blank=True, editable=False)
    phone = EncryptedCharField("联系电话", blank=True)
    phone_index = models.CharField("电话索引", max_length=64, blank=True, editable=False, db_index=True)
    address = EncryptedCharField("家庭住址", blank=True)
    is_league_member = models.BooleanField("共青团员", default=False)
    is_union_member = models.BooleanField("工会会员", default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="本人账号", on_delete=models.SET_NULL,
        null=True, blank=True, related_name="person",
    )
    county = models.ForeignKey(
        Organization, verbose_name="所属县（市、区）", on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"], condition=~Q(id_number_index=""),
                name="person_id_number_index_unique",
            ),
        ]
        indexes = [models.Index(fields=["county", "name"])]

    def __str__(self) -> str:
        return self.name


class Member(NoDeleteModel, TimeStampedModel):
    """A person's entry in a branch's member register."""

    person = models.OneToOneField(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="member")
    organization = models.ForeignKey(
        Organization, verbose_name="所在党支部", on_delete=models.PROTECT, related_name="members",
    )
    party_group = models.ForeignKey(
        Organization, verbose_name="所在党小组", on_delete=models.PROTECT, null=True, blank=True,
        related_name="group_members",
    )
    county = models.ForeignKey(
        Organization, verbose_name="所属县（市、区）", on_delete=models.PROTECT, related_name="+",
    )
    status = models.CharField("党员类别", max_length=16, choices=MemberStatus.choices)
    joined_on = models.DateField("入党日期")
    full_on = models.DateField("转正日期", null=True, blank=True)
    category = models.CharField("所在领域", max_length=24, choices=Domain.choices, blank=True)
    is_office_holder = models.BooleanField("有职党员", default=False)
    flow = models.CharField("流动情况", max_length=10, choices=Flow.choices, default=Flow.NONE)
    flow_organization = models.CharField("流入/流出党组织", max_length=100, blank=True)
    flow_certificate_no = models.CharField("流动党员活动证号", max_length=40, blank=True)
    # seeds 000, 002: 年老体弱等 — own application, branch approval, filed upward.
    is_exempt = models.BooleanField("免于积分评星", default=False)
    exempt_reason = models.CharField("免于积分评星原因", max_length=200, blank=True)
    # seed 001: leading cadres are scored but not starred.
    is_leading_cadre = models.BooleanField("领导干部", default=False)
    remark = models.CharField("备注", max_length=200, blank=True)
    is_active = models.BooleanField("在册", default=True)

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        constraints = [
            models.CheckConstraint(
                condition=Q(full_on__isnull=True) | Q(full_on__gt=F("joined_on")),
                name="member_full_on_after_joined_on",
            ),
            models.CheckConstraint(
                condition=~Q(status=MemberStatus.FULL) | Q(full_on__isnull=False),
                name="member_full_status_needs_full_on",
            ),
        ]
        # The county FK carries its own index (the shard key); lists filter by branch and status.
        indexes = [models.Index(fields=["organization", "status"]), models.Index(fields=["organization", "id"])]

    def __str__(self) -> str:
        return self.person.name


# Changes of a member's situation (transfers, floating, exemption, disposal, status) live in their own
# module and reference these models by name.
from .changes.models import (  # noqa: E402, F401
    DisposalCase,
    Exemption,
    FlowRecord,
    FlowReport,
    StatusChange,
    Transfer,
)
