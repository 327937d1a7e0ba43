"""The one web view that serves stored files (``/files/<id>/``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from lindung.core.errors import NotFound
from lindung.core.files.serving import serve


@require_GET
@login_required
def file_download(request, file_id):
    try:
        return serve(request, file_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
