"""GOV.UK Notify's delivery-receipt callback, and the sandbox's demo outbox page."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from .models import Message
from .receipts import BadReceiptError, apply_notify_receipt

logger = logging.getLogger(__name__)

OUTBOX_SIZE = 50


@csrf_exempt  # Notify posts from its servers, with a bearer token instead of a CSRF token
@require_POST
def notify_callback(request: HttpRequest) -> HttpResponse:
    """Notify's delivery receipts. Notify sends `Authorization: Bearer <token>` with the token
    set on its "Callbacks" page, which must equal NOTIFY_CALLBACK_TOKEN: 401 without one, 403
    with a wrong one (or when the site has none set), 400 for JSON that is not a receipt, 200
    for every receipt (repeated, out of order, or for a message deleted since: nothing to do,
    and nothing for Notify to retry)."""
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        response = JsonResponse({"error": "A bearer token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="notify-callback"'
        return response
    expected = settings.NOTIFY_CALLBACK_TOKEN
    if not expected or not constant_time_compare(token.strip(), expected):
        return JsonResponse({"error": "The bearer token is not the right one."}, status=403)
    try:
        data = json.loads(request.body)
        outcome = apply_notify_receipt(data)
    except (ValueError, BadReceiptError) as error:  # JSONDecodeError and UnicodeDecodeError too
        logger.warning("A Notify callback that is not a delivery receipt: %s", type(error).__name__)
        return JsonResponse({"error": "Not a delivery receipt."}, status=400)
    return JsonResponse({"result": outcome})


@require_safe
@never_cache
def sandbox_outbox(request: HttpRequest) -> HttpResponse:
    """Every message the demo "sent", newest first: the site sends nothing anywhere under the
    sandbox provider, so this is where someone trying `make run` reads their link or code. Not
    there at all under any other provider (and production refuses the sandbox)."""
    if settings.MESSAGE_PROVIDER != "sandbox":
        raise Http404
    messages = Message.objects.filter(provider="sandbox").select_related("submission")
    return TemplateResponse(
        request,
        "messaging/outbox.html",
        {"outbox": messages.order_by("-created_at", "-pk")[:OUTBOX_SIZE]},
    )
