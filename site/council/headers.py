"""Security headers the settings build: the Content Security Policy (django-csp) and what the
Wagtail admin adds to it.

The public site and the admin share one strict policy: scripts, styles, images, fonts and
requests from the site itself only, no inline script or style, nothing may frame the site, forms
post only to the site (and to the payment provider's checkout, which a paid flow's final POST is
redirected to: Chromium checks `form-action` on a redirect after a form post too).
"""

from __future__ import annotations

import re
from typing import Any

from csp.constants import HEADER, NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

# Where each payment provider's checkout page is, for `form-action`: the sandbox is on the site.
PAYMENT_FORM_ACTIONS = {
    "sandbox": [],
    "stripe": ["https://checkout.stripe.com"],
}

ADMIN_PREFIX = "/admin/"
# The Wagtail admin (8.0) is not yet built for a policy without inline code: its widgets write
# small inline <script> elements to start themselves (date choosers, page choosers, inline
# panels: `initDateChooser("id_...", {...})`), and its bundled vendor.js inserts <script> and
# <style> elements while the editor runs. Under /admin/ only, inline <script> and <style>
# *elements* are allowed; inline event handlers and style attributes stay forbidden
# (script-src-attr, style-src-attr), and there is still no eval, no other origin, no framing.
# The image uploader shows each chosen image before it is sent, from a blob: URL.
ADMIN_EXTRA: dict[str, list[str]] = {
    "img-src": ["blob:"],
    "script-src-elem": [SELF, UNSAFE_INLINE],
    "style-src-elem": [SELF, UNSAFE_INLINE],
    "script-src-attr": [NONE],
    "style-src-attr": [NONE],
}


def content_security_policy(
    payment_provider: str, *, upgrade_insecure_requests: bool = False
) -> dict[str, Any]:
    """The CONTENT_SECURITY_POLICY setting (django-csp 4) for a site paid through
    `payment_provider`."""
    directives: dict[str, Any] = {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *PAYMENT_FORM_ACTIONS.get(payment_provider, [])],
    }
    if upgrade_insecure_requests:
        directives["upgrade-insecure-requests"] = True
    return {"DIRECTIVES": directives}


class CouncilCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with two narrow differences:

    - under /admin/ only, what the Wagtail admin needs (ADMIN_EXTRA): inline <script> and
      <style> elements, and blob: images;
    - a response the view marked `X-Frame-Options: SAMEORIGIN` (Wagtail's preview of a page
      being edited, shown in an iframe in the editor) may be framed by the site itself.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # Wagtail renders a preview by running the page's own request through the middleware
        # (so it already has the public policy) and marks it SAMEORIGIN afterwards: let the
        # editor's page frame it, and change nothing else in that policy.
        if _framed_by_site(response) and HEADER in response:
            response[HEADER] = FRAME_ANCESTORS.sub("frame-ancestors 'self'", response[HEADER])
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        extra: dict[str, Any] = {}
        if request.path_info.startswith(ADMIN_PREFIX):
            extra.update(ADMIN_EXTRA)
        if _framed_by_site(response):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        if extra:
            parts.update = {**extra, **(parts.update or {})}
        return parts


FRAME_ANCESTORS = re.compile(r"frame-ancestors [^;]*")


def _framed_by_site(response: HttpResponseBase) -> bool:
    return response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
