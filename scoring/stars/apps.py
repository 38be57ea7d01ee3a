from django.apps import AppConfig


class StarsConfig(AppConfig):
    """Ranking and stars (DESIGN §6.4–§6.6): the quarterly freeze and ranking, the year-end star
    proposal and decision, consequences, democratic evaluation."""

    name = "scoring.stars"
    label = "stars"
    verbose_name = "排名定星"
