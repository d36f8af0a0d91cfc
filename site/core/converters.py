"""The `<id:...>` path converter: a database id in a URL, 1 to 18 digits.

Django's `<int:...>` takes any number of digits, and a number past the database's integer (a
signed 64-bit bigint, 19 digits) is an error there, not "not found": SQLite's driver raises
OverflowError and PostgreSQL a DataError, both a 500 page. Eighteen digits is more rows than any
table here will hold and always fits, so a longer number simply matches no URL: a 404.

Importing this module registers the converter (Django keeps one registry for every URLconf);
each URL module that uses `<id:...>` imports it, so it is there before its patterns are built.
"""

from __future__ import annotations

import re

from django.urls import register_converter

DATABASE_ID_REGEX = "[0-9]{1,18}"


class DatabaseIdConverter:
    regex = DATABASE_ID_REGEX

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(DatabaseIdConverter, "id")


def is_database_id(value: object) -> bool:
    """Whether `value` (from a URL, a query string or a form) can be a database id: for the
    choice fields that look an id up (a filter's "?flow=..."), where a longer number is the
    same 500 as in a path."""
    return re.fullmatch(DATABASE_ID_REGEX, str(value).strip()) is not None
