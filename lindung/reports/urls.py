from django.urls import path

from lindung.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("sponsors/<str:code>/", views.sponsor, name="sponsor"),
    path("sponsors/<str:code>/download.<str:fmt>", views.download, name="download"),
]
