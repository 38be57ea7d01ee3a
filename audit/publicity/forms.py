"""Publicity forms: parse and shape input; the rules run in the services (RuleViolation → form error)."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from branches.models import Organization
from partyadmin.forms import DateInput, StyledFormMixin

from . import rules
from .models import Channel, Finding, ObjectionStatus, PublicityEntry, WindowStatus


class _OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class _EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PublicityEntry) -> str:
        return f"{obj.order}. {obj.snapshot.get('name', '')}"


class WindowForm(StyledFormMixin, forms.Form):
    """An ad-hoc notice (the domain apps open theirs through `services.publicity_open`)."""

    organization = _OrganizationChoiceField(label="发布组织", queryset=Organization.objects.none())
    title = forms.CharField(label="公示标题", max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": "如：关于确定张三等同志为入党积极分子的公示"}))
    kind = forms.ChoiceField(label="公示类别", choices=list(rules.KIND_LABELS.items()), initial="other")
    scope = forms.MultipleChoiceField(
        label="公示范围", choices=list(rules.SCOPES.items()), widget=forms.CheckboxSelectMultiple,
        initial=["branch_members", "unit_masses"],
    )
    starts_on = forms.DateField(label="公示开始日期", widget=DateInput(),
                                help_text="截止日期按本单位的公示期限自动计算（一般为5个工作日）。")
    contact = forms.CharField(label="异议受理联系人及电话", max_length=100, required=False,
                              help_text="党组织的办公联系人和电话，如：组织委员 王老师 0391-1234567。")
    results_label = forms.CharField(label="结果栏名称", max_length=20, required=False,
                                    help_text="默认为“民主评议、票决结果”，可改为如“季度积分”。")

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["scope"].widget.attrs["class"] = "form-check-input"


GENDERS = [("", "—"), ("男", "男"), ("女", "女")]


class EntryForm(StyledFormMixin, forms.Form):
    """One row of the notice's table: exactly the public fields of seed 000."""

    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=GENDERS, required=False)
    age = forms.IntegerField(label="年龄", min_value=1, max_value=149, required=False)
    education = forms.CharField(label="文化程度", max_length=30, required=False)
    occupation = forms.CharField(label="职业", max_length=50, required=False)
    position = forms.CharField(label="职务", max_length=50, required=False)
    results = forms.CharField(label="评议、票决结果", max_length=200, required=False)

    def public_fields(self) -> dict[str, Any]:
        """The filled-in fields only: an empty column is left out of the notice."""
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


class _BaseEntryFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if not any(form.has_changed() for form in self.forms):
            raise forms.ValidationError("请至少填写一个公示对象。")

    def entries(self) -> list[tuple[str, str, dict[str, Any]]]:
        return [("", "", form.public_fields()) for form in self.forms if form.has_changed()]


EntryFormSet = forms.formset_factory(EntryForm, formset=_BaseEntryFormSet, extra=5, max_num=50, validate_max=True)


class WindowFilterForm(StyledFormMixin, forms.Form):
    organization = _OrganizationChoiceField(label="党组织", queryset=Organization.objects.none(), required=False,
                                            empty_label="全部")
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *WindowStatus.choices], required=False)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ObjectionFileForm(StyledFormMixin, forms.Form):
    """A member's own objection, filed online."""

    entry = _EntryChoiceField(label="针对的公示对象", queryset=PublicityEntry.objects.none(), required=False,
                              empty_label="整个公示")
    content = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 6}),
                              help_text="请写明反映的具体问题和事实，以便党组织调查核实。")
    anonymous = forms.BooleanField(label="匿名提出（不保存提出人，也无法在“我的异议”中查看办理结果）", required=False)

    def __init__(self, *args: Any, entries: QuerySet[PublicityEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries


class ObjectionRecordForm(StyledFormMixin, forms.Form):
    """An objection received on paper, by phone or in person, entered by an officer."""

    entry = _EntryChoiceField(label="针对的公示对象", queryset=PublicityEntry.objects.none(), required=False,
                              empty_label="整个公示")
    channel = forms.ChoiceField(label="反映方式", choices=[c for c in Channel.choices if c[0] != Channel.ONLINE])
    received_on = forms.DateField(label="收到日期", widget=DateInput(), help_text="须在公示期间内。")
    anonymous = forms.BooleanField(label="匿名反映", required=False)
    on_behalf_of_name = forms.CharField(label="反映人姓名", max_length=50, required=False, help_text="匿名反映不填。")
    content = forms.CharField(label="反映内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, entries: QuerySet[PublicityEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries


class ObjectionInvestigateForm(StyledFormMixin, forms.Form):
    investigation = forms.CharField(label="调查核实进展", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ObjectionConcludeForm(StyledFormMixin, forms.Form):
    investigation = forms.CharField(label="调查核实情况", widget=forms.Textarea(attrs={"rows": 6}),
                                    help_text="写明调查方式、核实的事实和结论依据。")
    finding = forms.ChoiceField(
        label="核实结论", choices=[("", "请选择"), *Finding.choices],
        help_text="认定为实质性问题的，立即终止该对象的发展程序（公示只有一个对象或异议针对整个公示时终止整个公示）。",
    )


class ObjectionFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label="办理状态", choices=[("", "全部"), *ObjectionStatus.choices], required=False)
