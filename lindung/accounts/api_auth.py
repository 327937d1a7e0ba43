"""How the API authenticates: an API token (``Authorization: Bearer lnd_…`` or ``X-API-Key``)
or the web session. ``lindung/api.py`` installs these on the NinjaAPI."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from lindung.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    """``Authorization: Bearer lnd_…``"""

    def authenticate(self, request: HttpRequest, token: str):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class HeaderToken(APIKeyHeader):
    """``X-API-Key: lnd_…`` for clients that cannot set Authorization."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        if not key:
            return None
        user = token_authenticate(key)
        if user is not None:
            request.user = user
        return user


def api_auth() -> list:
    """Token (either header) first, then the session of the web UI."""
    return [BearerToken(), HeaderToken(), django_auth]
