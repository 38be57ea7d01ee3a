from django.apps import AppConfig


class BranchesConfig(AppConfig):
    name = "branches"
    verbose_name = "党组织"

    def ready(self) -> None:
        # Branch life (committees, elections, terms): its policy, daily step and audit subjects.
        from .services import register_branch_life

        register_branch_life()
