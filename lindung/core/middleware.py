from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from lindung.core.audit import audit_source


class LanguageMiddleware:
    """Indonesian unless the user chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so most browsers would
    get English; Lindung's interface speaks Indonesian first. The language switch (``/i18n/setlang/``)
    sets a cookie, and that choice is honoured."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set itself, and the audit source for web and API requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "web"
        with audit_source(source):
            response = self.get_response(request)
        response.headers.setdefault("X-Request-ID", request.request_id)
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
