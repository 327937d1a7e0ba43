from django.urls import path

from lindung.core import views
from lindung.core.files.views import file_download

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_list, name="audit_list"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("files/<uuid:file_id>/", file_download, name="file_download"),
    path("jobs/<uuid:job_id>/retry/", views.job_retry, name="job_retry"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel, name="job_cancel"),
]
