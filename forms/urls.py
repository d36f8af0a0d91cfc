"""Public URLs of the flows app (under the language prefix)."""

from django.urls import path

from forms import track

urlpatterns = [
    path("track/", track.track, name="track"),
]
