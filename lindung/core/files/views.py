"""The one web view that serves stored files (``/files/<id>/``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from lindung.core.files.serving import serve
from lindung.core.shortcuts import or_404


@require_GET
@login_required
def file_download(request, file_id):
    return or_404(serve, request=request, file_id=file_id)
