"""Residents' URL of the inbox app (under the language prefix): "track your request"."""

from django.urls import path

from .track import track

urlpatterns = [path("track/", track, name="track")]
