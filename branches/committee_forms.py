"""Forms of the committee pages: elections (with candidate rows), appointments, terms, extensions."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from partyadmin.forms import DateInput, StyledFormMixin

from .life_models import CommitteePost, Discipline, ElectionKind
from .rules import MAX_COMMITTEE_MEMBERS, TERM_YEARS

TERM_CHOICES = [(years, f"{years}年") for years in TERM_YEARS]


class ElectionForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label="选举日期", widget=DateInput())
    kind = forms.ChoiceField(label="选举类别", choices=ElectionKind.choices)
    term_years = forms.TypedChoiceField(label="任期", choices=[("", "—"), *TERM_CHOICES], coerce=int,
                                        required=False, empty_value=None,
                                        help_text="换届选举必填：党支部每届任期2年或3年。")
    seats = forms.IntegerField(label="应选名额", min_value=1, max_value=MAX_COMMITTEE_MEMBERS,
                               help_text=f"支部委员最多不超过{MAX_COMMITTEE_MEMBERS}人。")
    electorate = forms.IntegerField(label="应到会有选举权党员（人）", min_value=1,
                                    help_text="正式党员有选举权，预备党员没有。")
    voters = forms.IntegerField(label="实到会有选举权党员（人）", min_value=0)
    approved_by_superior = forms.CharField(label="上级党组织批复", max_length=200, required=False)
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class CandidateForm(StyledFormMixin, forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=None, required=False, empty_label="（选择党员）")
    name = forms.CharField(label="姓名", max_length=50, required=False, help_text="未选择党员时填写")
    votes = forms.IntegerField(label="得票", min_value=0, required=False)
    post = forms.ChoiceField(label="当选后分工", choices=[("", "—"), *CommitteePost.choices], required=False,
                             help_text="当选人未选分工的，任委员")

    def __init__(self, *args: Any, members: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("member") and not (data.get("name") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("member") or (data.get("name") or "").strip()) and data.get("votes") is None:
            self.add_error("votes", "请填写得票数。")
        return data


CandidateFormSet = forms.formset_factory(CandidateForm, extra=9, max_num=30, validate_max=True)


class AppointForm(StyledFormMixin, forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=None)
    post = forms.ChoiceField(label="职务", choices=CommitteePost.choices)
    started_on = forms.DateField(label="任职日期", widget=DateInput())

    def __init__(self, *args: Any, members: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class SeatEndForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(label="离任日期", widget=DateInput())


class SeatDisciplineForm(StyledFormMixin, forms.Form):
    """Party discipline of a sitting member (seed 004 备注3: a veto of the standardization assessment)."""

    discipline = forms.ChoiceField(label="受党纪处分", choices=Discipline.choices, required=False)


class TermForm(StyledFormMixin, forms.Form):
    started_on = forms.DateField(label="本届任期开始", widget=DateInput())
    years = forms.TypedChoiceField(label="任期", choices=TERM_CHOICES, coerce=int)


class ExtensionForm(StyledFormMixin, forms.Form):
    term_extended_until = forms.DateField(label="延期至", widget=DateInput(),
                                          help_text="延长期限一般不超过一年。")
    approved_on = forms.DateField(label="批准日期", widget=DateInput())
    approval = forms.CharField(label="批准文件或意见", max_length=200)
    reason = forms.CharField(label="延期原因", max_length=300)
