"""No personal data in the logs.

`RedactPersonalData` is a logging filter set on every handler in LOGGING (council/settings/
base.py). Handlers run their filters before they write, and the filter changes the record
itself, so whatever handles the record after it sees the redacted text too. For each record it:

- formats the message with its arguments, then replaces emails, UK phone numbers, postcodes,
  card-like and other long numbers (the rules of core/redaction.py, shared with the search
  query log) and public IP addresses with placeholders, and clears the arguments;
- removes query strings from any path or URL in the message ("GET /search/?q=..." ->
  "GET /search/?[query removed]"): a query string holds what a resident typed; and writes a
  path segment that is a UUID or a long token as "[id]" (council/access_log.py);
- formats and redacts the traceback and stack now, so no handler prints the raw one (and keeps
  only the name of an exception whose message is a template's whole context);
- drops the `request` Django attaches to django.request and django.server records (with its
  POST body, cookies and headers), so no handler can write it out.

It never drops a record: an operator still sees that something happened, and where.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import traceback

from core.redaction import EMAIL, redact_personal_data
from council.access_log import redact_ids

# "/path?query" (also inside a full URL): the query goes, up to the next space or quote.
QUERY_STRING = re.compile(r"(?P<path>(?:https?://[^\s/?#\"']+)?/[^\s?#\"']*)\?[^\s\"'#]*")
QUERY_REMOVED = "?[query removed]"
# An email address written in a URL: "jo%40example.org".
ENCODED_EMAIL = re.compile(r"[\w.+\-%]+%40[\w.\-]+", re.IGNORECASE)
# IPv4 and IPv6 addresses; a resident's (public) address is personal data, our own servers'
# (loopback, private) are kept for the operator ("could not connect to 127.0.0.1:6379").
IP_ADDRESS = re.compile(
    r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"  # IPv4, perhaps with a :port after it
    r"|(?<![\w.:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w.:])",  # IPv6
    re.IGNORECASE,
)
IP_REMOVED = "[ip address]"
UUID = re.compile(r"(\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)", re.I)
# Exceptions whose message holds a whole template context (Django's template engine logs them at
# DEBUG, on django.template, which LOGGING also keeps at INFO).
CONTEXT_DUMPS = ("VariableDoesNotExist",)
# Attributes some records carry that hold a whole request (body, cookies, headers).
REQUEST_ATTRIBUTES = ("request",)


def _ip_address(match: re.Match[str]) -> str:
    try:
        address = ipaddress.ip_address(match[0])
    except ValueError:
        return match[0]  # "10:30:00" or "1.2.3.456": not an address
    return match[0] if address.is_private or address.is_loopback else IP_REMOVED


def redact(text: str) -> str:
    """A log line as it may be kept."""
    text = QUERY_STRING.sub(lambda match: match["path"] + QUERY_REMOVED, text)
    # "/payments/<uuid>/return/" -> "/payments/[id]/return/": an id in an address opens its page.
    text = redact_ids(text)
    text = ENCODED_EMAIL.sub(EMAIL, text)
    text = IP_ADDRESS.sub(_ip_address, text)
    # A payment's or a task's UUID is ours, not the resident's: its digits are no card number.
    pieces = UUID.split(text)
    return "".join(
        piece if UUID.fullmatch(piece) else redact_personal_data(piece) for piece in pieces
    )


class RedactPersonalData(logging.Filter):
    """See the module's docstring. Set it on handlers, not loggers: a logger's filters only see
    records logged on that very logger, a handler's see every record that reaches it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_council_redacted", False):
            return True  # another handler has already done it
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, never its arguments
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            if type(record.exc_info[1]).__name__ in CONTEXT_DUMPS:
                # Its message is the whole template context: every answer on the page.
                record.exc_text = type(record.exc_info[1]).__name__
            else:
                lines = traceback.format_exception(*record.exc_info)
                record.exc_text = "".join(lines).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name in REQUEST_ATTRIBUTES:
            record.__dict__.pop(name, None)
        record._council_redacted = True
        return True


class OneLineFormatter(logging.Formatter):
    """One line per record, whatever it holds: line breaks in the message or the traceback are
    written as "\\n". Log collectors then keep a traceback in one entry, and nobody can forge a
    log line by putting a line break in what they send ("/path%0AERROR ...")."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")
