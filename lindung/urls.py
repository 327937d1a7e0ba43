from django.contrib import admin
from django.urls import include, path

from lindung.api import api
from lindung.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("lindung.accounts.urls")),
    path("regions/", include("lindung.registry.urls")),
    path("", include("lindung.membership.urls")),
    path("contributions/", include("lindung.contributions.urls")),
    path("claims/", include("lindung.claims.views")),
    path("payouts/", include("lindung.payouts.views")),
    path("reports/", include("lindung.reports.urls")),
    path("admin/", admin.site.urls),
    path("", include("lindung.core.urls")),
]
