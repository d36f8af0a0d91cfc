"""Signing in to "your requests": a link by email or a 6-digit code by text message, each good
for 30 minutes and once, kept only as a hash; the signed-in address is held in the session.

Nothing here says whether an address has requests: a link or code is sent only when it has, but
the resident is told the same thing either way, and a number with no requests gets a code page
that behaves as any other (its code is one nobody was sent).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from forms.flows.models import Submission
from forms.flows.notifications import render_text, site_base_url
from forms.messaging import Channel, Kind
from forms.messaging.sending import send

from .models import SignIn

VALID_FOR = datetime.timedelta(minutes=30)  # a link or a code
KEPT_FOR = datetime.timedelta(days=1)  # then the row, and the address in it, is deleted
CODE_TRIES = 5  # wrong codes before the code is void
CODE_DIGITS = 6
# Signed in for this long after the last page seen (the session itself may last longer, for a
# flow's answers); signing out ends it at once.
IDLE_LIMIT = datetime.timedelta(minutes=60)

SESSION_ADDRESS = "residents.address"
SESSION_SEEN = "residents.seen"  # when the signed-in resident last saw a page (ISO time)
SESSION_CODE = (
    "residents.code"  # {"id": SignIn pk, "nonce": ..., "address": ...} while a code is out
)


def forget_old_sign_ins() -> None:
    """Links and codes are kept a day after they were sent (for a look at what happened), then
    deleted with the address they name: each new one sent clears the old ones away."""
    SignIn.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def requests_for(address: str) -> QuerySet[Submission]:
    """Every request made with this email address (any case) or mobile number (E.164)."""
    if "@" in address:
        return Submission.objects.filter(contact_email__iexact=address)
    return (
        Submission.objects.filter(contact_mobile=address) if address else Submission.objects.none()
    )


# --- by email: a link -------------------------------------------------------------------------


def send_link(request: HttpRequest, address: str) -> None:
    """Email a sign-in link to `address` if any request was made with it; otherwise nothing."""
    forget_old_sign_ins()
    if not requests_for(address).exists():
        return
    token = secrets.token_urlsafe(32)
    SignIn.objects.create(address=address, channel=SignIn.EMAIL, secret_hash=hash_secret(token))
    link = urljoin(site_base_url(request), reverse("residents_link", args=[token]))
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {"council": settings.COUNCIL_NAME, "link": link, "minutes": minutes()}
    send(
        kind=Kind.SIGN_IN,
        channel=Channel.EMAIL,
        to=address,
        subject=_("Sign in to see your requests"),
        body=render_text("residents/email/sign_in.txt", context),
        language=language,
    )


def find_link(token: str) -> SignIn | None:
    """The unused, unexpired sign-in this link is for, or None."""
    if not token or len(token) > 100:
        return None
    return (
        SignIn.objects.filter(
            secret_hash=hash_secret(token),
            channel=SignIn.EMAIL,
            used_at__isnull=True,
            created_at__gt=timezone.now() - VALID_FOR,
        )
        .only("pk", "address")
        .first()
    )


def use_link(token: str) -> str | None:
    """Spend the link: the address it signs in, or None when it is wrong, used or expired. Only
    one caller ever gets the address (the row is marked used in one UPDATE)."""
    row = find_link(token)
    if row is None:
        return None
    spent = SignIn.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now())
    return row.address if spent == 1 else None


# --- by text message: a code ------------------------------------------------------------------


def send_code(request: HttpRequest, address: str) -> None:
    """Text a 6-digit code to `address` if any request was made with it, and remember in the
    session which code this browser may try. With no request nothing is sent, but the session is
    set up just the same, so the next page cannot tell the two apart."""
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    # The code is hashed with a random nonce kept in this browser's session, not beside the
    # hash: six digits alone would be read back from their hash in a moment.
    nonce = secrets.token_urlsafe(16)
    forget_old_sign_ins()
    has_requests = requests_for(address).exists()
    row = SignIn.objects.create(
        address=address,
        channel=SignIn.SMS,
        secret_hash=hash_secret(f"{nonce}:{code}" if has_requests else secrets.token_urlsafe(32)),
    )
    request.session[SESSION_CODE] = {"id": row.pk, "nonce": nonce}
    if not has_requests:
        return
    body = _(
        "%(code)s is your %(council)s sign-in code. It works for %(minutes)s minutes. "
        "Do not share it with anyone."
    ) % {"code": code, "council": settings.COUNCIL_NAME, "minutes": minutes()}
    send(
        kind=Kind.SIGN_IN,
        channel=Channel.SMS,
        to=address,
        body=body,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


def code_waiting(request: HttpRequest) -> bool:
    return isinstance(request.session.get(SESSION_CODE), dict)


def use_code(request: HttpRequest, code: str) -> tuple[str | None, bool]:
    """Try the code this browser was sent: (the address it signs in, or None; whether the code
    is now void: used, expired or tried too often)."""
    pending = request.session.get(SESSION_CODE)
    if not isinstance(pending, dict) or not isinstance(pending.get("id"), int):
        return None, True
    with transaction.atomic():
        row = (
            SignIn.objects.select_for_update()
            .filter(pk=pending["id"], channel=SignIn.SMS, used_at__isnull=True)
            .first()
        )
        if row is None or row.created_at <= timezone.now() - VALID_FOR or row.tries >= CODE_TRIES:
            return None, True
        given = hash_secret(f"{pending.get('nonce', '')}:{code}")
        if secrets.compare_digest(given, row.secret_hash):
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
            return row.address, False
        SignIn.objects.filter(pk=row.pk).update(tries=F("tries") + 1)
        return None, row.tries + 1 >= CODE_TRIES


# --- the session ------------------------------------------------------------------------------


def sign_in(request: HttpRequest, address: str) -> None:
    """Hold the address in the session, under a new session key (no fixation)."""
    request.session.pop(SESSION_CODE, None)
    request.session.cycle_key()
    request.session[SESSION_ADDRESS] = address
    request.session[SESSION_SEEN] = timezone.now().isoformat()


def signed_in_address(request: HttpRequest) -> str | None:
    """The address this browser is signed in with, or None (never signed in, or idle too
    long); each call counts as activity."""
    address = request.session.get(SESSION_ADDRESS)
    seen = request.session.get(SESSION_SEEN)
    if not isinstance(address, str) or not isinstance(seen, str):
        return None
    try:
        last = datetime.datetime.fromisoformat(seen)
    except ValueError:
        last = None
    if last is None or timezone.now() - last > IDLE_LIMIT:
        sign_out(request)
        return None
    request.session[SESSION_SEEN] = timezone.now().isoformat()
    return address


def sign_out(request: HttpRequest) -> None:
    """End it: the whole session goes, and the browser gets a new, empty one."""
    request.session.flush()


def minutes() -> int:
    return int(VALID_FOR.total_seconds() // 60)


def describe(address: str) -> dict[str, Any]:
    """How the page names the address it is signed in with."""
    return {"address": address, "is_email": "@" in address}
