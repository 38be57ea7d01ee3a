"""Member forms: parse and shape input; the rules run in the services (RuleViolation → field error)."""

from typing import Any

from django import forms
from django.db.models import Model, QuerySet

from branches.models import Domain, Organization
from partyadmin.crypto import mask_address, mask_id_number, mask_phone
from partyadmin.forms import DateInput, StyledFormMixin

from .imports import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from .models import Flow, Member, MemberStatus, Person
from .selectors import FLOATING


def _model_field(model: type[Model], name: str, **kwargs: Any) -> forms.Field:
    field = model._meta.get_field(name).formfield(**kwargs)
    assert field is not None  # noqa: S101 - every field named here is editable
    return field


class _OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class _PartyGroupChoiceField(forms.ModelChoiceField):
    """Party groups labelled with their branch, since group names repeat across branches."""

    branch_names: dict[str, str] = {}

    def label_from_instance(self, obj: Organization) -> str:
        branch = self.branch_names.get(obj.path[: -Organization.steplen])
        return f"{branch} / {obj.name}" if branch else obj.name


PERSONAL_DATA = ("id_number", "phone", "address")


class MemberForm(StyledFormMixin, forms.Form):
    """Create a member: the person and the register entry in one form."""

    organization = _OrganizationChoiceField(label="所在党支部", queryset=Organization.objects.none())
    name = _model_field(Person, "name")
    gender = _model_field(Person, "gender")
    birth_date = _model_field(Person, "birth_date", widget=DateInput())
    id_number = forms.CharField(
        label="公民身份号码", max_length=18, min_length=18,
        help_text="18位，末位可为X；出生日期和性别须与之一致。",
    )
    ethnicity = _model_field(Person, "ethnicity")
    education = _model_field(Person, "education")
    occupation = _model_field(Person, "occupation")
    position = _model_field(Person, "position")
    phone = forms.CharField(label="联系电话", max_length=20, required=False,
                            help_text="手机号码或带区号的固定电话，如 0371-12345678。")
    address = forms.CharField(label="家庭住址", max_length=200, required=False)
    is_league_member = _model_field(Person, "is_league_member")
    is_union_member = _model_field(Person, "is_union_member")
    party_group = _PartyGroupChoiceField(label="所在党小组", queryset=Organization.objects.none(), required=False)
    status = forms.ChoiceField(label="党员类别", choices=MemberStatus.choices)
    joined_on = _model_field(Member, "joined_on", widget=DateInput())
    full_on = _model_field(Member, "full_on", widget=DateInput(), help_text="正式党员填写。")
    category = forms.ChoiceField(
        label="所在领域", choices=[("", "同所在党支部")] + list(Domain.choices), required=False,
    )
    is_office_holder = _model_field(Member, "is_office_holder")
    flow = _model_field(Member, "flow")
    flow_organization = _model_field(Member, "flow_organization", help_text="流动党员填写。")
    flow_certificate_no = _model_field(Member, "flow_certificate_no")
    is_exempt = _model_field(Member, "is_exempt", help_text="年老体弱、长期患病等，经本人申请、党支部同意。")
    exempt_reason = _model_field(Member, "exempt_reason")
    is_leading_cadre = _model_field(Member, "is_leading_cadre")
    remark = _model_field(Member, "remark")

    def __init__(self, *args: Any, branches: QuerySet[Organization], party_groups: QuerySet[Organization],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = branches
        group_field = self.fields["party_group"]
        group_field.queryset = party_groups
        group_field.branch_names = {branch.path: branch.name for branch in branches}

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments for the member services."""
        data = dict(self.cleaned_data)
        data.pop("organization", None)
        return data


# Changed only through their procedures (membership.changes: flow registration, exemption with its
# filing), never by editing the record: the edit form leaves them out.
PROCEDURE_FIELDS = ("flow", "flow_organization", "flow_certificate_no", "is_exempt", "exempt_reason")


class MemberEditForm(MemberForm):
    """Edit a member. The personal data fields start empty (the stored values are never put into
    the page unmasked); left empty, they keep the stored value. Flow and exemption are not editable
    here (PROCEDURE_FIELDS)."""

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        person = member.person
        initial = {
            field: getattr(person, field) for field in (
                "name", "gender", "birth_date", "ethnicity", "education", "occupation", "position",
                "is_league_member", "is_union_member",
            )
        } | {
            field: getattr(member, field) for field in (
                "party_group", "status", "joined_on", "full_on", "category", "is_office_holder", "is_leading_cadre",
                "remark",
            )
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        del self.fields["organization"]
        for name in PROCEDURE_FIELDS:
            del self.fields[name]
        masks = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}
        for name, mask in masks.items():
            field = self.fields[name]
            field.required = False
            current = mask(getattr(person, name))
            field.help_text = f"当前：{current}。留空则不修改。" if current else "留空则不填写。"
            field.widget.attrs["autocomplete"] = "off"

    def service_fields(self) -> dict[str, Any]:
        data = super().service_fields()
        for name in PERSONAL_DATA:
            if not data.get(name):
                data.pop(name, None)
        return data


YES_NO_ANY = {"": None, "yes": True, "no": False}


class MemberFilterForm(StyledFormMixin, forms.Form):
    """The list's GET filters (the same ones select the rows of the Excel export)."""

    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "姓名、身份证号或手机号"}))
    organization = _OrganizationChoiceField(label="党组织", queryset=Organization.objects.none(), required=False,
                                            empty_label="全部")
    status = forms.ChoiceField(label="党员类别", choices=[("", "全部"), *MemberStatus.choices], required=False)
    category = forms.ChoiceField(label="所在领域", choices=[("", "全部"), *Domain.choices], required=False)
    office = forms.ChoiceField(label="有职/无职", choices=[("", "全部"), ("yes", "有职"), ("no", "无职")],
                               required=False)
    flow = forms.ChoiceField(label="流动情况", choices=[("", "全部"), (FLOATING, "流动党员（流出或流入）"),
                                                   *Flow.choices], required=False)
    exempt = forms.ChoiceField(label="积分评星", choices=[("", "全部"), ("no", "参加积分评星"),
                                                      ("yes", "免于积分评星")], required=False)
    sort = forms.ChoiceField(
        label="排序", required=False,
        choices=[("", "默认"), ("name", "姓名"), ("-name", "姓名（倒序）"),
                 ("joined_on", "入党日期（早→晚）"), ("-joined_on", "入党日期（晚→早）")],
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def selector_filters(self) -> dict[str, Any]:
        """The cleaned filters as keyword arguments for `selectors.member_list` (none when invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data["q"], "organization": data["organization"], "status": data["status"],
            "category": data["category"], "office_holder": YES_NO_ANY[data["office"]], "flow": data["flow"],
            "exempt": YES_NO_ANY[data["exempt"]], "sort": data["sort"],
        }

    def audited_filters(self) -> dict[str, Any]:
        """The filters given, as plain values for the audit trail (the organization by id)."""
        if not self.is_valid():
            return {}
        return {key: value.pk if isinstance(value, Model) else value
                for key, value in self.cleaned_data.items() if key != "sort" and value}


class MemberImportForm(StyledFormMixin, forms.Form):
    """The upload of a filled-in register sheet; its content is checked by `membership.imports`."""

    file = forms.FileField(
        label="Excel文件",
        help_text=f"请使用下载的模板填写，.xlsx 格式，不超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MB、"
                  f"{MAX_IMPORT_ROWS:,} 行。",
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }),
    )
