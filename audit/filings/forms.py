"""Forms of the filing pages: filters, submit, decide, resubmit, withdraw, extend."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from partyadmin.forms import DateInput, StyledFormMixin

from . import rules
from .models import FilingKind, FilingStatus
from .selectors import FilingFilters
from .uploads import MaterialUpload

MAX_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MaterialsField(forms.FileField):
    """Several files in one input; the type and size checks happen in the service (by content)."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"一次最多上传 {MAX_FILES} 个文件。")
        return [super(MaterialsField, self).clean(item, initial) for item in files]


MATERIALS_HELP = f"可多选；只接受 {rules.ALLOWED_LABEL} 文件，每个不超过 10 MB。"


def uploads_of(files: list) -> list[MaterialUpload]:
    return [MaterialUpload(title="", file=item) for item in files]


class FilingFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部"), *FilingKind.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *FilingStatus.choices])
    township = forms.ModelChoiceField(label="乡镇（街道）", required=False, queryset=None, empty_label="全部")
    organization = forms.ModelChoiceField(label="报送组织", required=False, queryset=None, empty_label="全部")
    overdue = forms.BooleanField(label="只看超期", required=False)

    def __init__(self, *args: Any, townships: QuerySet, senders: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self.fields["organization"].queryset = senders

    def filters(self) -> FilingFilters:
        if not self.is_valid():
            return FilingFilters()
        data = self.cleaned_data
        return FilingFilters(kind=data["kind"], status=data["status"], township=data["township"],
                             organization=data["organization"], overdue_only=data["overdue"])


class FilingSubmitForm(StyledFormMixin, forms.Form):
    from_organization = forms.ModelChoiceField(label="报送组织", queryset=None)
    kind = forms.ChoiceField(label="类别", choices=FilingKind.choices)
    title = forms.CharField(label="标题", max_length=200)
    note = forms.CharField(label="报送说明", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    materials = MaterialsField(label="材料", help_text=MATERIALS_HELP)

    def __init__(self, *args: Any, organizations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_organization"].queryset = organizations
        self.fields["kind"].help_text = (
            "备案、审批、预审报有审批权的基层党委（党委自身报县委组织部）；审议报党总支或基层党委。"
        )


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(label="办理结果", choices=[("approve", "通过（同意）"), ("return", "退回")],
                                 widget=forms.RadioSelect)
    opinion = forms.CharField(label="办理意见", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="通过时可不填；退回时须写明理由。")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("opinion") or "").strip():
            self.add_error("opinion", "退回时必须填写意见。")
        return data


class ResubmitForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="重新报送说明", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    materials = MaterialsField(label="补充材料", help_text=MATERIALS_HELP)


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="撤回原因", required=False, max_length=300)


class ExtendForm(StyledFormMixin, forms.Form):
    until = forms.DateField(label="延长至", widget=DateInput())
    reason = forms.CharField(label="延长理由", max_length=300)
