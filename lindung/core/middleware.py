from __future__ import annotations

import uuid

from lindung.core.audit import audit_source


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
