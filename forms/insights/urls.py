"""Residents' URL of the insights app (under the language prefix): the satisfaction question."""

from django.urls import path

from .satisfaction import satisfaction

urlpatterns = [path("feedback/<int:flow_id>/", satisfaction, name="flow_satisfaction")]
