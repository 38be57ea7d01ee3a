"""The working-day calendar in Django admin, for the system administrator (DESIGN §2.2, §2.7).

Days are corrected one by one (or in bulk with the two actions); a whole new year is entered only
on the explicit "生成某年日历" page. Every write is an audit event.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from audit.admin_mixins import AuditedAdminMixin
from audit.services import record

from . import workdays
from .models import Holiday

WEEKDAY_LABELS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


class YearListFilter(admin.SimpleListFilter):
    title = "年份"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(d.year), f"{d.year} 年") for d in Holiday.objects.dates("date", "year", order="DESC")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> QuerySet[Holiday]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


class GenerateYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    confirm = forms.BooleanField(
        label="我已知晓：生成后须按国务院办公厅公布的放假安排，逐日修正法定节假日和调休上班日",
        required=True,
        error_messages={"required": "请确认生成后将逐日核对节假日安排。"},
    )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if workdays.is_year_covered(year):
            raise forms.ValidationError(f"{year} 年的工作日历已完整录入，无需生成；如需修正，请在列表中逐日修改。")
        return year


@admin.register(Holiday)
class HolidayAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "weekday", "is_working_day", "name", "note", "source")
    list_display_links = ("date",)
    list_editable = ("is_working_day", "name", "note")
    list_filter = (YearListFilter, "is_working_day", "source")
    search_fields = ("name", "note")
    date_hierarchy = "date"
    ordering = ("date",)
    list_per_page = 100
    show_full_result_count = False  # one COUNT(*) per page, not two
    fields = ("date", "is_working_day", "name", "note", "source")
    actions = ("mark_working_days", "mark_rest_days")

    @admin.display(description="星期")
    def weekday(self, obj: Holiday) -> str:
        return WEEKDAY_LABELS[obj.date.weekday()]

    def get_readonly_fields(self, request: HttpRequest, obj: Holiday | None = None) -> tuple[str, ...]:
        return ("date", "source") if obj is not None else ("source",)

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        obj.source = Holiday.Source.MANUAL  # loads from chinesecalendar leave this row alone
        super().save_model(request, obj, form, change)

    def _mark(self, request: HttpRequest, queryset: QuerySet[Holiday], *, working: bool) -> None:
        with transaction.atomic():
            dates = sorted(queryset.exclude(is_working_day=working).values_list("date", flat=True))
            Holiday.objects.filter(date__in=dates).update(
                is_working_day=working, source=Holiday.Source.MANUAL, updated_at=timezone.now()
            )
            if dates:
                record(
                    actor=request.user, action="partyadmin.holiday.admin_change",
                    subject_type="partyadmin.holiday", subject_id=dates[0].isoformat(),
                    subject_label=f"{len(dates)} 个日历日",
                    changes={"is_working_day": [not working, working], "dates": [d.isoformat() for d in dates]},
                )
        kind = "工作日" if working else "休息日"
        self.message_user(request, f"已将 {len(dates)} 天标记为{kind}。", messages.SUCCESS)

    @admin.action(description="标记为工作日", permissions=["change"])
    def mark_working_days(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> None:
        self._mark(request, queryset, working=True)

    @admin.action(description="标记为休息日", permissions=["change"])
    def mark_rest_days(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> None:
        self._mark(request, queryset, working=False)

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        generate = path(
            "generate/",
            self.admin_site.admin_view(self.generate_year_view),
            name=f"{opts.app_label}_{opts.model_name}_generate",
        )
        return [generate, *super().get_urls()]

    def generate_year_view(self, request: HttpRequest) -> HttpResponse:
        """生成某年日历: fill a year on the administrator's explicit request, never automatically."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GenerateYearForm(request.POST or None, initial={"year": workdays.china_today().year + 1})
        if request.method == "POST" and form.is_valid():
            year = form.cleaned_data["year"]
            from_package = year in workdays.package_years()
            with transaction.atomic():
                if from_package:
                    created = workdays.load_chinese_calendar([year])[year].created
                else:
                    created = workdays.fill_year_weekdays(year)
                source = Holiday.Source.CHINESE_CALENDAR if from_package else Holiday.Source.WEEKDAYS
                record(
                    actor=request.user, action="partyadmin.holiday.generate_year",
                    subject_type="partyadmin.holiday", subject_id=str(year), subject_label=f"{year} 年工作日历",
                    changes={"created": [None, created], "source": [None, source.value]},
                )
            if from_package:
                text = f"已按 chinesecalendar 数据生成 {year} 年日历（新增 {created} 天）。请核对。"
            else:
                text = (
                    f"已生成 {year} 年日历（新增 {created} 天，周一至周五为工作日）。"
                    f"请按放假安排逐日修正法定节假日和调休上班日。"
                )
            self.message_user(request, text, messages.WARNING if not from_package else messages.SUCCESS)
            changelist = reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist")
            return HttpResponseRedirect(f"{changelist}?year={year}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "生成某年日历（周一至周五为工作日）",
            "form": form,
            "covered_years": workdays.covered_years(),
            "package_years": workdays.package_years(),
        }
        return TemplateResponse(request, "admin/partyadmin/holiday/generate.html", context)
