"""The admin sign-in lockout (django-axes): who the client is, when they are locked out, and
the page a locked-out person sees.

Two locks, counted over the same failed attempts (axes' AccessAttempt rows):

- five wrong passwords for one username from one address within 15 minutes lock that pair
  (AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME), so an attacker elsewhere cannot lock a real editor
  out by guessing;
- twenty for one username within an hour, from any number of addresses, lock that username
  everywhere for an hour (LOCKOUT_USERNAME_FAILURE_LIMIT, LOCKOUT_USERNAME_COOLOFF_TIME), so
  guesses spread over many addresses are throttled too.

axes has one failure limit and one cool-off for all its lockout parameters (its maintainers'
answer to "a different limit per parameter" is a custom handler), hence `CouncilAxesHandler`.
Its attempts are kept for the longer of the two cool-offs, so after a pair's lock ends,
another wrong password from that pair within the hour locks it again at once: slower still.

An administrator can unlock sooner:

    manage.py axes_reset_username <username>    # that person, from every address, both locks
    manage.py axes_reset_ip <address>           # everyone at that address
    manage.py axes_reset                        # everyone
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

TEMPLATE = "axes/lockout.html"


def minutes(cool_off: Any) -> int:
    if not isinstance(cool_off, timedelta):  # axes also accepts hours as a number
        cool_off = timedelta(hours=float(cool_off or 0))
    return max(1, math.ceil(cool_off.total_seconds() / 60))


def cool_off_minutes() -> int:
    """The pair's lock (AXES_COOLOFF_TIME), in minutes."""
    return minutes(settings.AXES_COOLOFF_TIME)


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class CouncilAxesHandler(AxesDatabaseHandler):
    """axes' database handler with the second, per-username lock (see the module's docstring).

    axes asks `get_failures` whether a request is locked out (before the password is checked)
    and, after each failure, whether to lock it out now, comparing the answer with
    AXES_FAILURE_LIMIT both times. It answers with the pair's recent failures, or with the
    username's when those reach their own, higher limit (LOCKOUT_USERNAME_FAILURE_LIMIT must
    be at least AXES_FAILURE_LIMIT, so that count is over the limit too). It notes on the
    request which lock applies, for the page's "wait N minutes"."""

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        pair_cool_off = get_cool_off(request) or timedelta(0)
        username_cool_off = settings.LOCKOUT_USERNAME_COOLOFF_TIME
        pair = _failures(
            AccessAttempt.objects.filter(
                username=username,
                ip_address=request.axes_ip_address,
                attempt_time__gte=now - pair_cool_off,
            )
        )
        everywhere = 0
        if username:  # a form sent without a username names nobody to lock
            everywhere = _failures(
                AccessAttempt.objects.filter(
                    username=username, attempt_time__gte=now - username_cool_off
                )
            )
        if everywhere >= settings.LOCKOUT_USERNAME_FAILURE_LIMIT:
            request.axes_lockout_minutes = minutes(username_cool_off)
            return everywhere
        request.axes_lockout_minutes = minutes(pair_cool_off)
        return pair

    def clean_expired_user_attempts(
        self, request: Any = None, credentials: dict | None = None
    ) -> int:
        """Forget attempts older than the longer cool-off (axes' own forgets them after
        AXES_COOLOFF_TIME, too soon for the per-username count)."""
        longest = max(get_cool_off(request) or timedelta(0), settings.LOCKOUT_USERNAME_COOLOFF_TIME)
        count, _ = AccessAttempt.objects.filter(attempt_time__lte=timezone.now() - longest).delete()
        return count


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """ "Too many sign-in attempts", in the admin's own look, with 429 Too Many Requests and
    Retry-After. It names neither the username nor the address, and says how long the lock
    that applies lasts (the handler notes it on the request)."""
    wait = getattr(request, "axes_lockout_minutes", None) or cool_off_minutes()
    message = ngettext(
        "Too many sign-in attempts. Wait %(minutes)d minute, then try again, "
        "or ask an administrator to unlock your account.",
        "Too many sign-in attempts. Wait %(minutes)d minutes, then try again, "
        "or ask an administrator to unlock your account.",
        wait,
    ) % {"minutes": wait}
    response = render(
        request,
        TEMPLATE,
        {"message": message, "minutes": wait},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),  # axes sets it (default 429)
    )
    response["Retry-After"] = str(wait * 60)
    return response
