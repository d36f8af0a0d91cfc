"""Requests too large to be anything a resident meant to send are refused before any of them is
read: a 413 page that says what to do.

The largest body the public site accepts is one step with the largest file an editor may allow
(FLOW_UPLOAD_MAX_MB) plus a margin for the other fields and the multipart framing. Staff in the
admin upload documents and images, so /admin/ has its own, larger limit (ADMIN_UPLOAD_MAX_MB).
Django's own limits still apply below this one: DATA_UPLOAD_MAX_MEMORY_SIZE for the fields
without files and DATA_UPLOAD_MAX_NUMBER_FIELDS (both answered with the 400 page).
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.conf import settings
from django.core.files import uploadhandler
from django.http import HttpRequest, HttpResponse, multipartparser
from django.utils.http import parse_header_parameters

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
        shorten_long_file_names(request)
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


# File names too long for Django's multipart parser. It reads each part's headers in one chunk
# of MAX_TOTAL_HEADER_SIZE (1 KB) and answers a longer one with the 400 page, losing every answer
# on the page; a long name in Welsh, Arabic or emoji (two to four bytes a letter) is enough.
# Raising that limit is no cure: the parameters are parsed in time that grows with the square of
# their length. So a part whose headers will not fit has its file name shortened (safe_file_name)
# on the way in, before the parser sees it, and the rest of the body passes untouched.

# (Django's stubs do not declare the constant; 1024 is its value.)
PART_HEADERS_FIT = getattr(multipartparser, "MAX_TOTAL_HEADER_SIZE", 1024) - 4  # less CRLFCRLF
LONGEST_PART_HEADERS = 1 * MB  # past this it is not a file name: the parser's 400 stands
FILE_NAME_PARAMETER = re.compile(rb'(;\s*filename=")([^"]*)(")', re.IGNORECASE)


def shorten_long_file_names(request: HttpRequest) -> None:
    content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    boundary = params.get("boundary", "")
    if content_type != "multipart/form-data" or not boundary or not hasattr(request, "_stream"):
        return
    # The request reads its body from _stream (HttpRequest.read), as Django's parser does.
    shortening = _FileNameShortening(request._stream, boundary.encode("ascii", "ignore"))
    request._stream = io.BufferedReader(shortening)


def _shorter_file_name(match: re.Match[bytes]) -> bytes:
    name = match.group(2).decode("utf-8", errors="ignore")
    return match.group(1) + safe_file_name(name).encode() + match.group(3)


class _FileNameShortening(io.RawIOBase):
    """A multipart body as read, with any part's headers that are too long for the parser given
    a shorter file name. Between parts the body is passed on as it comes; a part's headers are
    held only until their blank line (at most LONGEST_PART_HEADERS)."""

    def __init__(self, stream: Any, boundary: bytes) -> None:
        self.stream = stream
        self.delimiter = b"--" + boundary
        self.pending = b""  # read, not yet passed on
        self.ready = b""  # passed on, not yet read
        self.in_headers = False  # just after a delimiter: the pending bytes are part headers
        self.ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.ready and not (self.ended and not self.pending):
            self._fill()
        size = min(len(buffer), len(self.ready))
        buffer[:size] = self.ready[:size]
        self.ready = self.ready[size:]
        return size

    def _fill(self) -> None:
        chunk = b"" if self.ended else self.stream.read(64 * 1024)
        self.ended = self.ended or not chunk
        self.pending += chunk
        while self.pending:
            if self.in_headers:
                end = self.pending.find(b"\r\n\r\n")
                if end == -1 and not self.ended and len(self.pending) <= LONGEST_PART_HEADERS:
                    return  # the headers go on in the next chunk
                if end == -1:
                    self.ready += self.pending
                    self.pending = b""
                    return
                headers = self.pending[:end]
                if len(headers) > PART_HEADERS_FIT:
                    headers = FILE_NAME_PARAMETER.sub(_shorter_file_name, headers)
                self.ready += headers + b"\r\n\r\n"
                self.pending = self.pending[end + 4 :]
                self.in_headers = False
            else:
                start = self.pending.find(self.delimiter)
                if start == -1:
                    # keep what could be the start of a delimiter cut by the chunk's end
                    keep = 0 if self.ended else len(self.delimiter) - 1
                    cut = max(len(self.pending) - keep, 0)
                    self.ready += self.pending[:cut]
                    self.pending = self.pending[cut:]
                    return
                cut = start + len(self.delimiter)
                self.ready += self.pending[:cut]
                self.pending = self.pending[cut:]
                self.in_headers = True

    def close(self) -> None:
        self.stream.close()
        super().close()
