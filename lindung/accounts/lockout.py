"""Log-in throttling with three limits (django-axes counts the failures).

django-axes locks a client when any of its lockout parameter combinations reaches one failure
limit. Lindung needs three different limits:

- one username from one address (``LINDUNG_LOGIN_FAILURE_LIMIT``, default 5): a user who mistyped;
- one address across usernames (``LINDUNG_LOGIN_ADDRESS_FAILURE_LIMIT``, default 20): one machine
  trying many accounts;
- one username across addresses (``LINDUNG_LOGIN_USERNAME_FAILURE_LIMIT``, default 10): many
  machines trying one account.

:class:`LockoutHandler` scales each combination's count to axes' one limit, so a combination
reaches ``AXES_FAILURE_LIMIT`` exactly when it reaches its own limit. A successful log-in forgets
the failures of that username only: logging in to one's own account does not wipe the failures an
address made against other accounts.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def limits() -> list[int]:
    """The limits in the order of ``AXES_LOCKOUT_PARAMETERS`` (pair, address, username)."""
    return [settings.AXES_FAILURE_LIMIT, settings.LINDUNG_LOGIN_ADDRESS_FAILURE_LIMIT, settings.LINDUNG_LOGIN_USERNAME_FAILURE_LIMIT]


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        target = settings.AXES_FAILURE_LIMIT
        scaled = 0
        for attempts, limit in zip(self.get_user_attempts(request, credentials), limits(), strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            scaled = max(scaled, count * target // max(limit, 1))
        return scaled

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
