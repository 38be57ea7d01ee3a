"""Admin: checklist templates, read-only (a version is never edited; a county loads a new version on the
templates page or through the API)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.admin_mixins import AuditedAdminMixin

from .models import ChecklistTemplate, TemplateItem


class ItemInline(admin.TabularInline):
    model = TemplateItem
    fields = ["order", "key", "requirement", "standard", "points", "prefill"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "version", "county", "total_points", "pass_mark"]
    list_filter = ["code"]
    fields = ["name", "code", "version", "issuer", "county", "total_points", "pass_mark", "notes"]
    readonly_fields = fields
    inlines = [ItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
