"""Requests too large to be anything a resident meant to send are refused before any of them is
read: a 413 page that says what to do.

The largest body the public site accepts is one step with the largest file an editor may allow
(FLOW_UPLOAD_MAX_MB) plus a margin for the other fields and the multipart framing. Staff in the
admin upload documents and images, so /admin/ has its own, larger limit (ADMIN_UPLOAD_MAX_MB).
Django's own limits still apply below this one: DATA_UPLOAD_MAX_MEMORY_SIZE for the fields
without files and DATA_UPLOAD_MAX_NUMBER_FIELDS (both answered with the 400 page).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files import uploadhandler
from django.http import HttpRequest, HttpResponse

from council.outage import render_standalone

MB = 1024 * 1024
MARGIN_BYTES = 1 * MB


def largest_body(path: str) -> int:
    if path.startswith("/admin/"):
        return getattr(settings, "ADMIN_UPLOAD_MAX_MB", 100) * MB + MARGIN_BYTES
    return settings.FLOW_UPLOAD_MAX_MB * MB + MARGIN_BYTES


class RequestSizeLimitMiddleware:
    """Compares the declared Content-Length with the limit before the body is read. (A body
    without Content-Length is read by Django as empty.)"""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads a body with a malformed length as empty
        if length > largest_body(request.path_info):
            response = render_standalone(
                "413.html",
                413,
                {"max_mb": settings.FLOW_UPLOAD_MAX_MB},
                fallback="The file you selected is too big",
            )
            # The body was not read: the connection cannot carry another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


# Uploads: what the browser says about a file, made safe before anything stores it.

MAX_FILE_NAME = 150  # characters; file systems refuse names over 255 bytes


def safe_file_name(name: str) -> str:
    """A file name short enough to store (in UTF-8 bytes too), keeping its extension."""
    if len(name.encode()) <= MAX_FILE_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    stem = stem.encode()[: MAX_FILE_NAME - len(suffix.encode())].decode(errors="ignore")
    return stem + suffix


def safe_charset(charset: str | bytes | None) -> str | None:
    """Django's multipart parser gives a file part's charset parameter as bytes; formtools keeps
    it in the session (JSON), which cannot hold bytes."""
    if isinstance(charset, bytes):
        return charset.decode("ascii", errors="replace")
    return charset


class _SafeNames(uploadhandler.FileUploadHandler):
    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        rest = list(args)
        if rest:
            rest[0] = safe_charset(rest[0])
        if "charset" in kwargs:
            kwargs["charset"] = safe_charset(kwargs["charset"])
        super().new_file(
            field_name, safe_file_name(file_name), content_type, content_length, *rest, **kwargs
        )


class SafeMemoryFileUploadHandler(_SafeNames, uploadhandler.MemoryFileUploadHandler):
    """Django's in-memory handler, with safe_file_name and safe_charset."""


class SafeTemporaryFileUploadHandler(_SafeNames, uploadhandler.TemporaryFileUploadHandler):
    """Django's temporary-file handler, with safe_file_name and safe_charset."""
