from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from audit.admin_mixins import AuditedAdminMixin

from .life_models import CommitteeMember
from .models import Organization, OrganizationUserObjectPermission


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
