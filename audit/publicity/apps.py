from django.apps import AppConfig


class PublicityConfig(AppConfig):
    """Part of oversight (`audit`): its own tables and migrations under the label "publicity"."""

    name = "audit.publicity"
    label = "publicity"
    verbose_name = "公示"

    def ready(self) -> None:
        from audit.registry import register_subject
        from partyadmin.jobs import register_daily

        from .selectors import window_get
        from .services import publicity_tick

        # The audit history page shows a window's events (opening, objections, termination) only
        # to users who may see the window.
        register_subject("publicity.publicitywindow", lambda user, subject_id: window_get(user=user, pk=subject_id))
        # The daily run (DESIGN §2.3, 01:00): open windows whose start has come, close those whose
        # last day has passed, remind about those ending tomorrow.
        register_daily("publicity_tick", publicity_tick, "公示期开始与结束")
