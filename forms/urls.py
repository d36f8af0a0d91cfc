"""Public URLs of the flows app (under the language prefix)."""

from django.urls import path

from forms import satisfaction, track
from forms.payments.urls import resident_urlpatterns

urlpatterns = [
    path("track/", track.track, name="track"),
    path("feedback/<int:flow_id>/", satisfaction.satisfaction, name="flow_satisfaction"),
    *resident_urlpatterns,
]
