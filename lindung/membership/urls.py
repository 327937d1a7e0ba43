"""Membership URLs, one module per area so each can grow on its own."""

from lindung.membership.web import employers, held, participants, roster, sponsors

app_name = "membership"

urlpatterns = [*sponsors.urlpatterns, *roster.urlpatterns, *participants.urlpatterns, *employers.urlpatterns, *held.urlpatterns]
