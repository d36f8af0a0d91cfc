"""The messages a resident gets about a request: the confirmation once it is sent, then one for
each status change staff make with a note.

Both are written here, as plain text in the language the resident used, and sent through the
site's message provider (forms.messaging: GOV.UK Notify, SMTP, or the demo's sandbox outbox),
which records each one on the request for staff: by email, by text message or both, as the
resident chose on a flow's "How to hear from us" question (email alone for a flow without one).
Neither ever stops the request being saved: with no email address or mobile number (or "no
updates") there is nothing to send, and a message the provider does not take now is
kept and tried again by `manage.py send_pending_messages`.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, NavigableString, Tag
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Site
from wagtail.rich_text import expand_db_html

from core.money import format_pence
from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission, SubmissionEvent
from forms.messaging import Channel, Kind, State
from forms.messaging.models import Message
from forms.messaging.sending import send
from services.models import ContactSettings

logger = logging.getLogger(__name__)

LINE_BREAK = "\ue000"  # stands for an editor's <br> while white space is tidied


def send_confirmation(submission: Submission, request: HttpRequest | None = None) -> bool:
    """Email the resident their reference, their answers and what happens next, and text them
    the reference and the track link, by the channels they chose.

    Returns whether a message went out."""
    if not submission.wants_updates:
        return False
    with translation.override(submission.language or settings.LANGUAGE_CODE):
        texted = False
        if submission.mobile_for_updates:
            waiting = submission.status == SubmissionStatus.WAITING_FOR_PAYMENT
            next_line = (
                _("We will start once you have paid.")
                if waiting
                else _("We will text you when there is news.")
            )
            text = _(
                "%(service)s: we have your request. Your reference is %(reference)s. "
                "%(next)s Track it at %(track_url)s"
            ) % {
                "service": submission.service_title,
                "reference": submission.reference,
                "next": next_line,
                "track_url": track_url(request),
            }
            texted = deliver_text(submission, text, Kind.CONFIRMATION)
        if not submission.email_for_updates:
            return texted
        base_url = site_base_url(request)
        flow = submission.flow.in_language(submission.language) if submission.flow else None
        first_event = submission.events.order_by("created_at", "pk").first()
        context = {
            **common_context(submission, request),
            "sent": timezone.localtime(submission.created_at),
            "answers": answers_for_email(submission),
            "fee": format_pence(submission.fee_pence) if submission.fee_pence else "",
            "waiting_for_payment": submission.status == SubmissionStatus.WAITING_FOR_PAYMENT,
            "action_note": first_event.note if first_event else "",
            "what_happens_next": (
                rich_text_as_plain_text(flow.what_happens_next, base_url) if flow else ""
            ),
        }
        subject = _("%(service)s: your reference %(reference)s") % {
            "service": submission.service_title,
            "reference": submission.reference,
        }
        body = render_text("flows/email/confirmation.txt", context)
    return deliver(submission, subject, body, Kind.CONFIRMATION) or texted


def send_confirmation_once(submission: Submission, request: HttpRequest | None = None) -> bool:
    """Send the resident's confirmation email unless someone already has: free requests when
    they are sent, paid ones once the payment is in (whichever of the return page, a webhook or
    reconciliation gets there first)."""
    if not submission.claim_confirmation():
        return False
    send_confirmation(submission, request)
    return True


def send_status_update(submission: Submission, event: SubmissionEvent) -> bool:
    """Email or text the resident (as they chose) the new status of their request and the note
    staff wrote.

    Returns whether a message went out."""
    if not submission.wants_updates:
        return False
    with translation.override(submission.language or settings.LANGUAGE_CODE):
        texted = False
        if submission.mobile_for_updates:
            text = _(
                "%(service)s: your request %(reference)s is now: %(status)s. "
                "Track it at %(track_url)s"
            ) % {
                "service": submission.service_title,
                "reference": submission.reference,
                "status": event.get_status_display(),
                "track_url": track_url(None),
            }
            texted = deliver_text(submission, text, Kind.STATUS_UPDATE)
        if not submission.email_for_updates:
            return texted
        context = {
            **common_context(submission, None),
            "status": event.get_status_display(),
            "note": event.note,
        }
        subject = _("%(service)s: update on your request %(reference)s") % {
            "service": submission.service_title,
            "reference": submission.reference,
        }
        body = render_text("flows/email/status_update.txt", context)
    return deliver(submission, subject, body, Kind.STATUS_UPDATE) or texted


# helpers


def deliver(submission: Submission, subject: str, body: str, kind: Kind) -> bool:
    """Send the resident this email through the site's message provider.

    Returns whether it went out (or is on its way, with a task worker): False when it is kept
    to try again later or could not be sent, which staff see on the request."""
    message = send(
        submission=submission,
        kind=kind,
        channel=Channel.EMAIL,
        to=submission.email_for_updates,
        # A subject with a line break is refused by mail servers (header injection), and a
        # service title is typed by editors.
        subject=" ".join(subject.split()),
        body=body,
        language=submission.language or settings.LANGUAGE_CODE,
    )
    return on_its_way(message)


def on_its_way(message: Message | None) -> bool:
    """Sent, delivered or queued for the worker: not kept to try again, nor failed."""
    return message is not None and message.state in (State.PENDING, State.SENT, State.DELIVERED)


def deliver_text(submission: Submission, text: str, kind: Kind) -> bool:
    """Send the resident this text message (one paragraph of plain text)."""
    message = send(
        submission=submission,
        kind=kind,
        channel=Channel.SMS,
        to=submission.contact_mobile,
        body=" ".join(text.split()),
        language=submission.language or settings.LANGUAGE_CODE,
    )
    return on_its_way(message)


def common_context(submission: Submission, request: HttpRequest | None) -> dict[str, Any]:
    phone_number, phone_hours = phone_line(submission, request)
    return {
        "council": settings.COUNCIL_NAME,
        "reference": submission.reference,
        "service": submission.service_title,
        "track_url": track_url(request),
        "phone_number": phone_number,
        "phone_hours": phone_hours,
    }


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """A plain-text template, without the blank lines its tags leave behind."""
    text = render_to_string(template_name, context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def site_base_url(request: HttpRequest | None) -> str:
    if request is not None:
        return request.build_absolute_uri("/")
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/"


def track_url(request: HttpRequest | None) -> str:
    """The "track your request" page, in the active language, as a full address."""
    return urljoin(site_base_url(request), reverse("track"))


def phone_line(submission: Submission, request: HttpRequest | None) -> tuple[str, str]:
    """The service's own number when it has one, otherwise the council's; and the hours."""
    contact = contact_settings(submission, request)
    service_number = ""
    if submission.flow is not None:
        service_number = getattr(submission.flow.service, "phone_number", "")
    return service_number or contact.phone_number, contact.phone_hours


def contact_settings(submission: Submission, request: HttpRequest | None) -> ContactSettings:
    if request is not None and Site.find_for_request(request) is not None:
        return ContactSettings.for_request(request)
    site = submission.flow.get_site() if submission.flow is not None else None
    site = site or Site.objects.filter(is_default_site=True).first()
    return ContactSettings.for_site(site) if site is not None else ContactSettings()


def answers_for_email(submission: Submission) -> list[dict[str, str]]:
    """Each question as it was asked with its answer. A file question shows file names only."""
    file_names: dict[str, list[str]] = {}
    for upload in submission.files.order_by("pk"):
        file_names.setdefault(upload.question_name, []).append(upload.original_name)
    rows = []
    for answer in submission.answers:
        if answer.get("name") in file_names:
            display = ", ".join(file_names[answer["name"]])
        else:
            display = str(answer.get("display") or "")
        rows.append({"label": str(answer.get("label", "")), "display": display})
    return rows


def rich_text_as_plain_text(html: str, base_url: str) -> str:
    """An editor's rich text (paragraphs, lists, links) as plain text for an email: one blank
    line between paragraphs, '-' or '1.' before list items, a link's address after its words."""
    if not html:
        return ""
    soup = BeautifulSoup(expand_db_html(html), "html.parser")
    for link in soup.find_all("a"):
        href = link.get("href")  # one value (a list only for attributes such as class)
        words = link.get_text()
        if isinstance(href, str) and href and not href.startswith("#"):
            address = urljoin(base_url, href)
            link.replace_with(words if address == words else f"{words} ({address})")
    for line_break in soup.find_all("br"):
        line_break.replace_with(LINE_BREAK)
    blocks: list[str] = []
    for element in soup.contents:
        if isinstance(element, Tag) and element.name in ("ul", "ol"):
            items = element.find_all("li", recursive=False)
            blocks.append(
                "\n".join(
                    f"{f'{n}.' if element.name == 'ol' else '-'} {_squash(item.get_text())}"
                    for n, item in enumerate(items, start=1)
                )
            )
        elif isinstance(element, Tag | NavigableString):
            text = _squash(element.get_text() if isinstance(element, Tag) else str(element))
            if text:
                blocks.append(text)
    return "\n\n".join(block for block in blocks if block)


def _squash(text: str) -> str:
    """White space as HTML shows it: one space for any run, a new line only for a <br>."""
    lines = (" ".join(line.split()) for line in " ".join(text.split()).split(LINE_BREAK))
    return "\n".join(line for line in lines if line)
