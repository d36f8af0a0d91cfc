"""Residents' URL of the insights app (under the language prefix): the satisfaction question."""

from django.urls import path

import core.converters  # noqa: F401 - registers <id:...>

from .satisfaction import satisfaction

urlpatterns = [path("feedback/<id:flow_id>/", satisfaction, name="flow_satisfaction")]
