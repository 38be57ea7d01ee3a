from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from audit.admin_mixins import AuditedAdminMixin

from .life_models import CommitteeMember
from .models import Organization, OrganizationPolicy, OrganizationUserObjectPermission
from .policies import POLICIES, validate_policy


@admin.register(Organization)
class OrganizationAdmin(AuditedAdminMixin, TreeAdmin):
    form = movenodeform_factory(Organization, exclude=["county"])
    list_display = ["name", "code", "kind", "domain", "can_approve_admission", "has_committee", "term_ends_on"]
    list_filter = ["kind", "domain", "can_approve_admission", "has_committee", "is_active"]
    search_fields = ["name", "code"]


@admin.register(OrganizationUserObjectPermission)
class GrantAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "permission", "content_object"]
    list_filter = ["permission"]
    search_fields = ["user__username", "content_object__name"]
    autocomplete_fields = ["content_object"]
    raw_id_fields = ["user"]

    def audit_organization(self, obj: OrganizationUserObjectPermission) -> Organization:
        return obj.content_object

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "permission":
            kwargs["queryset"] = db_field.related_model.objects.filter(
                content_type__app_label="branches", codename__startswith="role_"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "member", "post", "started_on", "ended_on"]
    list_filter = ["post"]
    search_fields = ["organization__name", "member__person__name"]
    raw_id_fields = ["organization", "member"]


class PolicyForm(forms.ModelForm):
    key = forms.ChoiceField(label="策略项", choices=[])

    class Meta:
        model = OrganizationPolicy
        fields = ["organization", "key", "value"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [(p.key, f"{p.label}（{p.key}）") for p in POLICIES.values()]

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        if cleaned.get("key") and "value" in cleaned:
            try:
                validate_policy(cleaned["key"], cleaned["value"])
            except ValidationError as error:
                self.add_error("value", error)
        return cleaned


@admin.register(OrganizationPolicy)
class OrganizationPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = PolicyForm
    list_display = ["organization", "key", "value"]
    list_filter = ["key"]
    raw_id_fields = ["organization"]
