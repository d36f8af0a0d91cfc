"""Saving a flow's answers as a Submission: once, with its files, then the after-send action
and the confirmation email."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import get_language

from forms.flows import journeys
from forms.flows.checkout import get_checkout
from forms.flows.constants import SubmissionStatus
from forms.flows.handlers import FeeQuote, actions
from forms.flows.models import FlowPage, Submission, SubmissionFile
from forms.flows.notifications import send_confirmation_once
from forms.flows.questions.uploads import clean_copy

logger = logging.getLogger(__name__)


def contact_details(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """The request's contact fields: from the flow's "How to hear from us" question (the
    first) when it has one, else as before, by email to the email address asked for."""
    for answer in answers:
        if answer.get("type") != "contact_preference":
            continue
        chosen = answer["value"] if isinstance(answer["value"], dict) else {}
        channels = chosen.get("channels") or []
        return {
            "contact_email": str(chosen.get("email") or "") if "email" in channels else "",
            "contact_mobile": str(chosen.get("mobile") or "") if "sms" in channels else "",
            "updates_by_email": "email" in channels,
            "updates_by_text": "sms" in channels,
        }
    return {
        "contact_email": email_answer(answers),
        "contact_mobile": "",
        "updates_by_email": True,
        "updates_by_text": False,
    }


def contact_email(answers: list[dict[str, Any]]) -> str:
    """The address the request's emails go to ('' for none)."""
    return str(contact_details(answers)["contact_email"])


def email_answer(answers: list[dict[str, Any]]) -> str:
    """The answer to the question named `email`, or else to the first email-looking answer."""
    by_name = {a["name"]: a["value"] for a in answers}
    if isinstance(by_name.get("email"), str):
        return by_name["email"]
    for answer in answers:
        if answer["name"].endswith("email") and isinstance(answer["value"], str):
            return answer["value"]
    return ""


def save_submission(
    page: FlowPage,
    request: HttpRequest,
    token: uuid.UUID,
    answers: list[dict[str, Any]],
    files: dict[str, UploadedFile],
    fee: FeeQuote | None,
    replaces: str = "",
) -> Submission:
    """Save the request once (by `token`). `replaces`: the reference of a request this
    resident sent with other answers and has not paid for, closed in the same transaction, so
    there are never two live requests for one journey."""
    stored_answers = [{k: a[k] for k in ("name", "label", "value", "display")} for a in answers]
    source = page.source_flow
    if source.pk != page.pk:
        # Asked in another language: keep each question in English too, for staff.
        english = {q.value["name"]: q.value["label"] for _step, q in source.iter_questions()}
        for answer in stored_answers:
            answer["source_label"] = english.get(answer["name"], "")
    with transaction.atomic():
        submission, created = Submission.create_once(
            token,
            flow=page.source_flow,
            service_title=page.service.title,
            language=get_language() or "",
            journey=journeys.journey_id(request, page),
            answers=stored_answers,
            **contact_details(answers),
            fee_pence=fee.total_pence if fee else None,
            status=SubmissionStatus.WAITING_FOR_PAYMENT if fee else SubmissionStatus.RECEIVED,
        )
        if not created:
            return submission
        if replaces:
            close_replaced(page, submission, replaces)
        for number, (name, upload) in enumerate(files.items(), start=1):
            # The type the upload question read from the content; what is kept is the site's
            # clean copy (an image drawn again), under the name the site makes
            # (submission_file_path), not the bytes or the name the browser sent.
            content_type = getattr(upload, "content_type", "") or ""
            content = clean_copy(upload, content_type)
            SubmissionFile.objects.create(
                submission=submission,
                question_name=name,
                number=number,
                original_name=(upload.name or "")[-255:],
                content_type=content_type,
                size=len(content),
                file=ContentFile(content, name="upload"),  # renamed by submission_file_path
            )
        if fee:
            get_checkout().open(submission)  # saved before the resident is sent to pay
    run_action(page, submission)
    if not fee:
        send_confirmation_once(submission, request)  # paid requests: once the money is in
    return submission


def close_replaced(page: FlowPage, submission: Submission, reference: str) -> None:
    old = (
        Submission.objects.select_for_update()
        .filter(reference=reference, flow=page.source_flow)
        .first()
    )
    if old is None or old.status != SubmissionStatus.WAITING_FOR_PAYMENT:
        return  # paid (or closed) meanwhile: staff see both, and the payment says which
    old.set_status(
        SubmissionStatus.CLOSED,
        note=(
            "Closed: the resident changed their answers and sent them again as "
            f"{submission.reference}."
        ),
    )


def run_action(page: FlowPage, submission: Submission) -> None:
    """The flow's after-send action; its sentences go on the first status entry, which the
    confirmation page, the email and "track your request" show. It never loses a request."""
    action = actions.get(page.after_submit_action)
    if action is None:
        return
    try:
        sentences = action.run(submission)
    except Exception:
        logger.exception("After-send action %s failed for %s", page.after_submit_action, submission)
        return
    if sentences:
        first = submission.events.order_by("created_at", "pk").first()
        if first is not None:  # (create_once writes the first entry)
            first.note = " ".join(sentences)
            first.save(update_fields=["note"])
