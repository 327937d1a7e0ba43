"""A user whose password an administrator reset goes to the password change page first."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

ALLOWED_PREFIXES = ("/static/", "/i18n/", "/healthz")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            change = reverse("accounts:password_change")
            allowed = (change, reverse("accounts:logout"))
            if request.path not in allowed and not request.path.startswith(ALLOWED_PREFIXES):
                if request.path.startswith("/api/"):
                    body = {
                        "error": {
                            "code": "password_change_required",
                            "message": _("Change the temporary password in the web interface first."),
                            "fields": {},
                        }
                    }
                    return HttpResponse(json.dumps(body), status=403, content_type="application/json")
                return redirect(change)
        return self.get_response(request)
