from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy

from lindung.core.api import refuse_nul_body
from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError


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


# Scripts and styles come from this site's static files only: no inline <script>, no ``on…=``
# handlers, no ``style=`` attributes (lindung/static/lindung/lindung.js holds the page behaviours).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself, and the audit source for web and API requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "web"
        refused = refuse_nul_body(request) if source == "api" and request.method in ("POST", "PUT", "PATCH") else None
        with audit_source(source):
            response = refused or self.get_response(request)
        if source == "api":
            response = api_error_shape(request, response)
        response.headers.setdefault("X-Request-ID", request.request_id)
        response.headers.setdefault(
            "Content-Security-Policy",
            CONTENT_SECURITY_POLICY,
        )
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


_API_FALLBACK_ERRORS = {
    404: ("not_found", gettext_lazy("There is no such API endpoint.")),
    405: ("method_not_allowed", gettext_lazy("This endpoint does not accept the %(method)s method.")),
    500: ("server_error", gettext_lazy("The server failed to answer this request; it has been logged (request %(request_id)s).")),
}


def api_error_shape(request, response):
    """Answers under /api/ that did not come from an API handler (an unknown path, a method the
    endpoint does not take, an unhandled error) get the API's one error shape too."""
    if response.status_code not in _API_FALLBACK_ERRORS or response.get("Content-Type", "").startswith("application/json"):
        return response
    if response.status_code == 500 and settings.DEBUG:
        return response  # keep the traceback page while developing
    code, message = _API_FALLBACK_ERRORS[response.status_code]
    error = ServiceError(code, str(message) % {"method": request.method, "request_id": request.request_id}, status=response.status_code)
    shaped = HttpResponse(json.dumps(error.as_dict()), status=error.status, content_type="application/json")
    if response.has_header("Allow"):
        shaped["Allow"] = response["Allow"]
    return shaped
