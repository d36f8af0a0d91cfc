"""Where a payment is, and which changes are allowed (events may arrive late or twice)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Not started")
    PENDING = "pending", _("Waiting for the card payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")


S = PaymentStatus
# Late, repeated or out-of-order news never moves a payment backwards: once paid it can only be
# refunded; a session that failed, was cancelled or expired can still be paid (Stripe's word wins).
# Keyed by the status as stored (a str).
ALLOWED: dict[str, set[PaymentStatus]] = {
    S.CREATED: {S.PENDING, S.PAID, S.FAILED, S.CANCELLED, S.EXPIRED},
    S.PENDING: {S.PAID, S.FAILED, S.CANCELLED, S.EXPIRED},
    S.FAILED: {S.PENDING, S.PAID, S.EXPIRED},
    S.CANCELLED: {S.PENDING, S.PAID, S.EXPIRED, S.FAILED},
    S.EXPIRED: {S.PENDING, S.PAID},
    S.PAID: {S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.PARTIALLY_REFUNDED: {S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.REFUNDED: set(),
}
OPEN = {S.CREATED, S.PENDING, S.FAILED, S.CANCELLED, S.EXPIRED}  # not paid yet
SETTLED = {S.PAID, S.PARTIALLY_REFUNDED, S.REFUNDED}
