from django.urls import include, path
from rest_framework.routers import DefaultRouter

from audit.accountability import api as accountability_api
from audit.filings import api as filings_api
from audit.notifications import api as notifications_api
from audit.publicity import api as publicity_api
from branches.api import OrganizationViewSet
from branches.dues import api as dues_api
from branches.meetings import api as meetings_api
from branches.standards import api as standards_api
from grouping import api as grouping_api
from membership.api import MemberViewSet
from membership.changes import api as member_changes_api
from recruitment import api as recruitment_api
from recruitment.plans import api as recruitment_plans_api
from scoring import api as scoring_api
from scoring.stars import api as stars_api

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("members", MemberViewSet, basename="member")
for part in (publicity_api, filings_api, accountability_api, notifications_api, dues_api, meetings_api,
             member_changes_api, recruitment_api, recruitment_plans_api, scoring_api, stars_api,
             grouping_api, standards_api):
    part.register(router)

urlpatterns = [
    path("", include(router.urls)),
]
