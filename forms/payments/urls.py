"""Payment URLs: the resident's pages (under the language prefix) and the providers' webhooks
(not language-prefixed: a provider posts to one fixed address)."""

from django.urls import path

from . import views

resident_urlpatterns = [
    path("payments/<uuid:payment_uuid>/start/", views.start, name="payment_start"),
    path("payments/<uuid:payment_uuid>/pay/", views.pay_now_view, name="payment_pay_now"),
    path("payments/<uuid:payment_uuid>/return/", views.payment_return, name="payment_return"),
    path("payments/sandbox/<uuid:payment_uuid>/", views.sandbox, name="payment_sandbox"),
]

webhook_urlpatterns = [
    path("payments/<slug:provider_id>/webhook/", views.webhook, name="payment_webhook"),
]
