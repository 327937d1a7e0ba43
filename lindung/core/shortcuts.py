"""Helpers for thin web views."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.http import Http404

from lindung.core.errors import NotFound

T = TypeVar("T")


def or_404(selector: Callable[..., T], /, **kwargs) -> T:
    """``selector(**kwargs)``, or a 404 page when it raises ``NotFound`` (an object out of the
    user's scope answers 404 like one that does not exist)."""
    try:
        return selector(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None
