from django.urls import path

from lindung.membership import views

app_name = "membership"

urlpatterns = [
    path("", views.sponsor_list, name="sponsor_list"),
    path("<str:code>/", views.sponsor_detail, name="sponsor_detail"),
]
