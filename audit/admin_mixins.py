"""Django-admin writes are audited like any other write (DESIGN §2.7: every write)."""

from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from branches.models import Organization

from .services import record


class AuditedAdminMixin:
    """Records one audit event per admin save or delete, in the same transaction.

    `masked_fields` maps a field name to a function that masks its value, for personal data.
    """

    masked_fields: dict[str, Any] = {}

    def audit_organization(self, obj: models.Model) -> Organization | None:
        if isinstance(obj, Organization):
            return obj
        return getattr(obj, "organization", None)

    def _value(self, name: str, value: Any) -> Any:
        mask = self.masked_fields.get(name)
        if mask is not None:
            return mask(value)
        if isinstance(value, models.Model):
            return str(value)
        return value

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = {name: self._value(name, form.initial.get(name)) for name in form.changed_data}
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            changes = {
                name: [before.get(name) if change else None, self._value(name, form.cleaned_data.get(name))]
                for name in form.changed_data
            }
            record(
                actor=request.user, action=f"{obj._meta.label_lower}.admin_{'change' if change else 'add'}",
                organization=self.audit_organization(obj), subject=obj, changes=changes,
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            organization = self.audit_organization(obj)
            label, pk = str(obj)[:200], obj.pk
            super().delete_model(request, obj)  # type: ignore[misc]
            record(
                actor=request.user, action=f"{obj._meta.label_lower}.admin_delete", organization=organization,
                subject_type=obj._meta.label_lower, subject_id=str(pk), subject_label=label,
            )

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
