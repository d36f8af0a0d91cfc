"""Fixed values the flows, submissions and inbox share."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    """Where a resident's request is. Residents see these words on "track your request"."""

    RECEIVED = "received", _("Received")
    WAITING_FOR_PAYMENT = "waiting_for_payment", _("Waiting for payment")
    PAID = "paid", _("Paid")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")


# Step names the runtime uses for its own pages; an editor's step may not take them.
CHECK_ANSWERS_STEP = "check-your-answers"
RESERVED_STEP_NAMES = frozenset(
    {CHECK_ANSWERS_STEP, "confirmation", "result", "session-expired", "start", "start-again"}
)
