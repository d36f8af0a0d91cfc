"""Public URLs of the flows app (under the language prefix)."""

from django.urls import path

from forms import track
from forms.payments.urls import resident_urlpatterns

urlpatterns = [
    path("track/", track.track, name="track"),
    *resident_urlpatterns,
]
