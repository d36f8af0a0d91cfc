"""The admin sign-in lockout (django-axes): who the client is, and the page a locked-out person
sees.

Five wrong passwords for one username from one address lock that pair (AXES_LOCKOUT_PARAMETERS)
for AXES_COOLOFF_TIME. An administrator can unlock sooner:

    manage.py axes_reset_username <username>    # that person, from every address
    manage.py axes_reset_ip <address>           # everyone at that address
    manage.py axes_reset                        # everyone
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

TEMPLATE = "axes/lockout.html"


def cool_off_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    if not isinstance(cool_off, timedelta):  # axes also accepts hours as a number
        cool_off = timedelta(hours=float(cool_off or 0))
    return max(1, math.ceil(cool_off.total_seconds() / 60))


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """ "Too many sign-in attempts", in the admin's own look, with 429 Too Many Requests and
    Retry-After. It names neither the username nor the address."""
    minutes = cool_off_minutes()
    message = ngettext(
        "Too many sign-in attempts. Wait %(minutes)d minute, then try again, "
        "or ask an administrator to unlock your account.",
        "Too many sign-in attempts. Wait %(minutes)d minutes, then try again, "
        "or ask an administrator to unlock your account.",
        minutes,
    ) % {"minutes": minutes}
    response = render(
        request,
        TEMPLATE,
        {"message": message, "minutes": minutes},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),  # axes sets it (default 429)
    )
    response["Retry-After"] = str(minutes * 60)
    return response
