"""The REST API (django-ninja) at /api/v1: built with the accounts' authentication, and each
context's router mounted here."""

from lindung.accounts.api_auth import api_auth
from lindung.claims.api import router as claims_router
from lindung.contributions.api import router as contributions_router
from lindung.core.api import create_api
from lindung.core.files.api import router as files_router
from lindung.core.routes import router as platform_router
from lindung.core.routes_calc import router as calc_router
from lindung.membership.api import router as membership_router
from lindung.membership.api_held import router as held_router
from lindung.membership.api_participants import router as participants_router
from lindung.membership.api_roster import router as roster_router
from lindung.payouts.api import router as payouts_router
from lindung.registry.api import router as registry_router
from lindung.reports.api import router as reports_router

api = create_api(auth=api_auth())

api.add_router("/", platform_router)
api.add_router("/", calc_router)
api.add_router("/", files_router)
api.add_router("/", registry_router)
api.add_router("/", membership_router)
api.add_router("/", roster_router)
api.add_router("/", held_router)
api.add_router("/", participants_router)
api.add_router("/", contributions_router)
api.add_router("/", claims_router)
api.add_router("/", payouts_router)
api.add_router("/", reports_router)

__all__ = ["api"]
