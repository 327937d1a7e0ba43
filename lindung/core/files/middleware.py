"""Refuse a request body larger than any upload Lindung accepts, before it is read.

Django streams an upload above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file, but reads all
of it first; a 200 MB CSV was accepted whole. This middleware answers 413 from the declared
``Content-Length`` when it exceeds ``LINDUNG_UPLOAD_MAX_REQUEST_BYTES`` (default: the largest
upload limit of the file kinds plus 1 MB for the form), in the API's error shape for ``/api/``.
Each upload is then checked against its own kind's limit by ``check_upload``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from lindung.core.files.kinds import KINDS


def max_request_bytes() -> int:
    configured = getattr(settings, "LINDUNG_UPLOAD_MAX_REQUEST_BYTES", None)
    if configured:
        return int(configured)
    return max(k.limit for k in KINDS.values()) + 1024 * 1024


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_request_bytes()
        if length > limit:
            message = _("The upload is %(size)s MB; Lindung accepts at most %(limit)s MB in one request.") % {
                "size": length // (1024 * 1024),
                "limit": limit // (1024 * 1024),
            }
            if request.path.startswith("/api/"):
                response = JsonResponse({"error": {"code": "request_too_large", "message": message, "fields": {"file": message}}}, status=413)
            else:
                response = HttpResponse(f"<!doctype html><title>413</title><p>{escape(message)}</p>", status=413)
            # The body is not read: the connection cannot be reused for another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
