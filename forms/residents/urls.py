"""Residents' URLs of "your requests" (under the language prefix)."""

from django.urls import path

import core.converters  # noqa: F401 - registers <id:...>

from . import views

urlpatterns = [
    path("your-requests/", views.start, name="residents_start"),
    path("your-requests/check-your-email/", views.check_email, name="residents_check_email"),
    path("your-requests/sign-in/<str:token>/", views.link, name="residents_link"),
    path("your-requests/enter-code/", views.code, name="residents_code"),
    path("your-requests/sign-out/", views.sign_out, name="residents_sign_out"),
    path("your-requests/requests/", views.request_list, name="residents_list"),
    path("your-requests/requests/<id:pk>/", views.request_detail, name="residents_detail"),
    path(
        "your-requests/requests/<id:pk>/add-information/",
        views.add_information,
        name="residents_add",
    ),
    path("your-requests/requests/<id:pk>/withdraw/", views.withdraw, name="residents_withdraw"),
]
