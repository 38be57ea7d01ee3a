from datetime import date

from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    """Part of oversight (`audit`): its own tables and migrations under the label "accountability"."""

    name = "audit.accountability"
    label = "accountability"
    verbose_name = "责任追究"

    def ready(self) -> None:
        from audit.registry import register_subject
        from partyadmin.jobs import register_daily

        from .selectors import case_get

        # The audit history page shows a case's events only to users who may see the case.
        register_subject("accountability.accountabilitycase", lambda user, pk: case_get(user=user, pk=pk))
        register_daily("cases_tick", _daily_cases_tick, "责任追究办理期限", count_labels={"overdue": "新超期案件"})


def _daily_cases_tick(*, today: date) -> dict[str, int]:
    from .services import cases_tick

    return {"overdue": cases_tick(today=today)}
