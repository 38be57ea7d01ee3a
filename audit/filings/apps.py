from datetime import date

from django.apps import AppConfig


class FilingsConfig(AppConfig):
    """Part of oversight (`audit`): its own tables and migrations under the label "filings"."""

    name = "audit.filings"
    label = "filings"
    verbose_name = "备案与审批"

    def ready(self) -> None:
        from audit.registry import register_subject
        from partyadmin.jobs import register_daily

        from . import policies
        from .selectors import filing_get

        policies.register()
        # The audit history page shows a filing's events only to users who may see the filing.
        register_subject("filings.filing", lambda user, pk: filing_get(user=user, pk=pk))
        register_daily("filings_tick", _daily_filings_tick, "备案与审批期限", count_labels={"overdue": "新超期备案"})


def _daily_filings_tick(*, today: date) -> dict[str, int]:
    from .services import filings_tick

    return {"overdue": filings_tick(today=today)}
