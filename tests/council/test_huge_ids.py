"""A number too big for the database in a URL or a filter is "not found" (or the filter ignored),
never a 500: SQLite's driver raises OverflowError for it, PostgreSQL a DataError."""

from __future__ import annotations

import pytest
from django.test import Client

from core.converters import is_database_id

HUGE = "99999999999999999999"  # 20 digits: past a signed 64-bit integer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/feedback/{HUGE}/", 404),
        (f"/cy/feedback/{HUGE}/", 404),
        (f"/admin/requests/{HUGE}/", 404),
        (f"/admin/requests/1/files/{HUGE}/", 404),
        (f"/admin/reports/flows/{HUGE}/", 404),
        # ids in query strings: the page, with the filter refused or the last page
        (f"/admin/requests/?flow={HUGE}", 200),
        (f"/admin/requests/results/?flow={HUGE}", 200),
        (f"/search/?q=bins&page={HUGE}", 200),
    ],
)
def test_a_huge_id_is_not_found(admin_user, url, status):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    assert client.get(url).status_code == status


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("999999999999999999", True), (HUGE, False), ("-1", False), ("1a", False)],
)
def test_is_database_id(value, expected):
    assert is_database_id(value) is expected
