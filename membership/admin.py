"""Read-only admin views of the register.

Writes go through `membership.services` (rules and audit), so the admin only looks; and the three
administrators (三员) never read personal data, so it shows the ID number, phone and address masked.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from partyadmin.crypto import mask_address, mask_id_number, mask_phone

from .models import Member, Person


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "gender", "birth_date", "county", "masked_id_number"]
    list_filter = ["gender", "education"]
    search_fields = ["name"]
    list_select_related = ["county"]
    fields = [
        "name", "gender", "birth_date", "ethnicity", "education", "occupation", "position",
        "masked_id_number", "masked_phone", "masked_address", "is_league_member", "is_union_member",
        "user", "county", "created_at", "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="公民身份号码")
    def masked_id_number(self, obj: Person) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Person) -> str:
        return mask_phone(obj.phone)

    @admin.display(description="家庭住址")
    def masked_address(self, obj: Person) -> str:
        return mask_address(obj.address)


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["person", "organization", "status", "joined_on", "category", "is_active"]
    list_filter = ["status", "category", "flow", "is_active"]
    search_fields = ["person__name"]
    list_select_related = ["person", "organization"]
    readonly_fields = [
        "person", "organization", "party_group", "county", "status", "joined_on", "full_on", "category",
        "is_office_holder", "flow", "flow_organization", "flow_certificate_no", "is_exempt", "exempt_reason",
        "is_leading_cadre", "is_active", "created_at", "updated_at",
    ]
    fields = readonly_fields
