"""Forms of the plan pages: the plan (quotas by domain, township and target group) and voiding a number."""

from typing import Any

from django import forms

from branches.models import Domain, Organization
from partyadmin.forms import StyledFormMixin

from . import rules
from .models import DevelopmentPlan, TargetGroup

COUNT = {"min_value": 0, "max_value": rules.MAX_QUOTA, "required": False}


class PlanForm(StyledFormMixin, forms.Form):
    """One field per domain, township and target group; an empty field means "not divided"."""

    year = forms.IntegerField(label="年度", min_value=rules.MIN_YEAR, max_value=rules.MAX_YEAR)
    total_quota = forms.IntegerField(label="计划发展总数", min_value=0, max_value=rules.MAX_QUOTA)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, townships: list[Organization], plan: DevelopmentPlan | None = None,
                 **kwargs: Any) -> None:
        if plan is not None:
            initial = {"year": plan.year, "total_quota": plan.total_quota, "note": plan.note}
            initial |= {f"domain_{k}": v for k, v in plan.domain_quotas.items()}
            initial |= {f"township_{k}": v for k, v in plan.township_quotas.items()}
            initial |= {f"target_{k}": v for k, v in plan.target_group_targets.items()}
            kwargs.setdefault("initial", initial)
        self.townships = townships
        super().__init__(*args, **kwargs)
        for value, label in Domain.choices:
            self.fields[f"domain_{value}"] = forms.IntegerField(label=label, **COUNT)
        for township in townships:
            self.fields[f"township_{township.pk}"] = forms.IntegerField(label=township.name, **COUNT)
        for value, label in TargetGroup.choices:
            self.fields[f"target_{value}"] = forms.IntegerField(label=label, **COUNT)
        if plan is not None:
            self.fields["year"].disabled = True
        for name, field in self.fields.items():
            if name.startswith(("domain_", "township_", "target_")):
                field.widget.attrs.update({"inputmode": "numeric", "placeholder": "不分配"})
        # StyledFormMixin ran before the dynamic fields existed.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def _part(self, prefix: str) -> dict[str, int]:
        return {name[len(prefix):]: value for name, value in self.cleaned_data.items()
                if name.startswith(prefix) and value is not None}

    def fields_of(self, prefix: str) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(prefix)]

    @property
    def domain_fields(self) -> list[forms.BoundField]:
        return self.fields_of("domain_")

    @property
    def township_fields(self) -> list[forms.BoundField]:
        return self.fields_of("township_")

    @property
    def target_fields(self) -> list[forms.BoundField]:
        return self.fields_of("target_")

    def service_arguments(self) -> dict[str, Any]:
        return {
            "total_quota": self.cleaned_data["total_quota"],
            "domain_quotas": self._part("domain_"),
            "township_quotas": self._part("township_"),
            "target_group_targets": self._part("target_"),
            "note": self.cleaned_data["note"],
        }


class VoidForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="作废原因", max_length=200)


class ReportForm(forms.Form):
    """Query of the report pages: county and year (or years without admission)."""

    county = forms.IntegerField(required=False, min_value=1)
    year = forms.IntegerField(required=False, min_value=rules.MIN_YEAR, max_value=rules.MAX_YEAR)
    years = forms.IntegerField(required=False, min_value=1, max_value=20)


class NameListForm(StyledFormMixin, forms.Form):
    """拟发展对象名单: the people the pipeline offers for the organization (`registry.name_list_candidates`)."""

    year = forms.IntegerField(label="年度", min_value=rules.MIN_YEAR, max_value=rules.MAX_YEAR)
    people = forms.MultipleChoiceField(label="拟发展对象", widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="报送说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(person.pk): person for person in candidates}
        self.fields["people"].choices = [(key, person.name) for key, person in self.candidates.items()]
        self.fields["people"].widget.attrs["class"] = "form-check-input"

    def chosen_people(self) -> list[Any]:
        return [self.candidates[key] for key in self.cleaned_data["people"]]
