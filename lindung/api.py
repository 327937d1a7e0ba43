"""The REST API (django-ninja) at /api/v1: each context's router is mounted here."""

from lindung.contributions.api import router as contributions_router
from lindung.core.api import api
from lindung.core.routes import router as platform_router
from lindung.core.routes_calc import router as calc_router
from lindung.membership.api import router as membership_router
from lindung.membership.api_participants import router as participants_router
from lindung.membership.api_roster import router as roster_router
from lindung.registry.api import router as registry_router

api.add_router("/", platform_router)
api.add_router("/", calc_router)
api.add_router("/", registry_router)
api.add_router("/", membership_router)
api.add_router("/", roster_router)
api.add_router("/", participants_router)
api.add_router("/", contributions_router)

__all__ = ["api"]
