from django.urls import path

from lindung.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.region_list, name="region_list"),
]
