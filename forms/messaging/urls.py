"""Message URLs: the demo's outbox page (under the language prefix) and GOV.UK Notify's delivery
receipt callback (not language-prefixed: Notify posts to one fixed address)."""

from django.urls import path

from . import views

resident_urlpatterns = [
    path("demo/outbox/", views.sandbox_outbox, name="sandbox_outbox"),
]

callback_urlpatterns = [
    path("messages/notify/callback/", views.notify_callback, name="notify_callback"),
]
