"""403, 404 and 500 pages are styled (the site's stylesheet, a card) and in Indonesian."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_404_and_403_pages_are_styled_and_translated(users, client):
    client.force_login(users["sponsor"])
    missing = client.get("/participants/00000000000/")
    assert missing.status_code == 404
    page = missing.content.decode()
    assert "Halaman tidak ditemukan" in page and "lindung.css" in page and 'data-status="404"' in page
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    page = forbidden.content.decode()
    assert "Tidak diizinkan" in page and "lindung.css" in page and 'data-status="403"' in page


@pytest.mark.django_db
def test_500_page_is_styled_and_translated(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    resp = Client(raise_request_exception=False).get("/boom/")
    assert resp.status_code == 500
    page = resp.content.decode()
    assert "Terjadi kesalahan" in page and "lindung.css" in page and "boom" not in page
