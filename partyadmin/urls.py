from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import credential_views, job_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<int:pk>/progress/", job_views.job_progress, name="job_progress"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", credential_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/second-factor/", credential_views.second_factor, name="second_factor"),
    path("accounts/second-factor/setup/", credential_views.second_factor_setup, name="second_factor_setup"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("organizations/", include("branches.urls")),
    path("organizations/<int:pk>/committee/", include("branches.committee_urls")),
    path("dues/", include("branches.dues.urls")),
    path("meetings/", include("branches.meetings.urls")),
    path("members/", include("membership.urls")),
    path("recruitment/plans/", include("recruitment.plans.urls")),
    path("recruitment/", include("recruitment.urls")),
    path("points/stars/", include("scoring.stars.urls")),
    path("points/", include("scoring.urls")),
    path("posts/", include("grouping.urls")),
    path("standards/", include("branches.standards.urls")),
    path("audit/", include("audit.urls")),
    path("api/v1/", include("partyadmin.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
