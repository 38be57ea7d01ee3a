from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = "党员"

    def ready(self) -> None:
        from audit.registry import register_subject

        from .selectors import member_get

        # The audit history page shows a member's events only to users who may see the member.
        register_subject("membership.member", lambda user, subject_id: member_get(user=user, pk=subject_id))
