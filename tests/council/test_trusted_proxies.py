"""X-Forwarded-Proto (and the other forwarding headers) are believed only from a proxy in
TRUSTED_PROXIES: from anyone else an "https" in it does not make a plain-http request secure
(production's SECURE_PROXY_SSL_HEADER and SECURE_SSL_REDIRECT, council/proxies.py)."""

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings

from council.proxies import TrustedProxyHeadersMiddleware

PROXY = "10.0.0.2"
STRANGER = "198.51.100.9"
PRODUCTION_HTTPS = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "TRUSTED_PROXIES": [PROXY],
    "CLIENT_IP_META_KEY": "HTTP_X_REAL_IP",
}
FORWARDED = {
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_FOR": "203.0.113.7",
    "HTTP_X_REAL_IP": "203.0.113.7",
}


@pytest.mark.django_db
@pytest.mark.parametrize(("peer", "believed"), [(STRANGER, False), (PROXY, True)])
def test_https_is_believed_from_our_proxy_only(peer, believed):
    with override_settings(**PRODUCTION_HTTPS):
        response = Client(REMOTE_ADDR=peer, **FORWARDED).get("/no-such-page/")
    if believed:  # already https: served (here, the not-found page)
        assert response.status_code == 404
    else:  # plain http, whatever the header said: sent to https first
        assert response.status_code == 301
        assert response["Location"] == "https://testserver/no-such-page/"


@pytest.mark.parametrize(("peer", "believed"), [(STRANGER, False), (PROXY, True)])
def test_what_comes_after_sees_forwarding_headers_from_our_proxy_only(rf, peer, believed):
    seen: dict[str, object] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen.update(secure=request.is_secure(), headers=set(FORWARDED) & set(request.META))
        return HttpResponse()

    request = rf.get("/", REMOTE_ADDR=peer, **FORWARDED)
    with override_settings(**PRODUCTION_HTTPS):
        TrustedProxyHeadersMiddleware(view)(request)
    assert seen == {"secure": believed, "headers": set(FORWARDED) if believed else set()}
