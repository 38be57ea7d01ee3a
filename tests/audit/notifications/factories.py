import factory
from django.utils import timezone

from audit.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    kind = "filing.waiting"
    key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"备案待审核 {n}")
    body = "东街社区党支部报送的备案材料待审核。"
    url = "/audit/filings/"

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))
