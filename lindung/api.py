"""The REST API (django-ninja) at /api/v1: each context's router is mounted here."""

from lindung.core.api import api
from lindung.core.routes import router as platform_router
from lindung.membership.api import router as membership_router
from lindung.registry.api import router as registry_router

api.add_router("/", platform_router)
api.add_router("/", registry_router)
api.add_router("/", membership_router)

__all__ = ["api"]
