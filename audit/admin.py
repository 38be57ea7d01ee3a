"""Read-only admin for the audit trail: nobody adds, changes or deletes events or chain heads here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ChainHead, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    """View permission only, even for superusers (the audit role cannot change the trail, §2.7)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "chain", "seq", "actor_name", "address", "organization", "action", "subject_label", "result",
    )
    list_filter = ("result", "created_at")  # no DISTINCT-based filters over a table this size
    search_fields = ("actor_name", "action", "subject_label", "subject_id", "address")
    date_hierarchy = "created_at"
    list_select_related = ("organization",)
    ordering = ("-created_at", "-id")
    show_full_result_count = False  # no second COUNT(*) over the whole trail
    fields = (
        "chain", "seq", "created_at", "county", "organization", "actor", "actor_name", "address",
        "subject_type", "subject_id", "subject_label", "action", "result", "changes", "prev_hash", "hash",
    )
    readonly_fields = fields


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("chain", "seq", "last_hash")
    readonly_fields = ("chain", "seq", "last_hash")
