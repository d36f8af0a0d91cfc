"""Payments for paid flows: one row per submission's payment, its refunds, and every provider
event received (each recorded once)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from forms.payments.constants import PaymentStatus


class PaymentQuerySet(models.QuerySet["Payment"]):
    def locked(self, pk: int) -> Payment:
        """The payment `pk` read afresh with its submission, its row locked until the
        transaction ends: call it inside `transaction.atomic()`. Every change to a payment
        starts here, so a return page, webhooks and reconciliation arriving at once take turns
        and each sees what the one before it wrote."""
        return self.select_for_update().select_related("submission").get(pk=pk)


class Payment(models.Model):
    """The fee for one submission, taken through one provider (Stripe, or the sandbox)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(
        "flows.Submission", on_delete=models.CASCADE, related_name="payments"
    )
    provider = models.CharField(_("provider"), max_length=20)
    amount_pence = models.PositiveIntegerField(_("amount (pence)"))
    currency = models.CharField(max_length=3, default="gbp")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.CREATED,
        db_index=True,
    )
    attempt = models.PositiveSmallIntegerField(
        default=1, help_text=_("Goes up when a new checkout is needed (after a failure).")
    )
    provider_session_id = models.CharField(
        _("checkout session"), max_length=255, blank=True, db_index=True
    )
    provider_payment_id = models.CharField(_("payment intent"), max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    refunded_pence = models.PositiveIntegerField(_("refunded (pence)"), default=0)
    options = models.JSONField(
        default=dict, blank=True, help_text=_("What was sent to the provider, for the record.")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        db_table = "flows_payment"  # made in the flows app; kept when it moved here
        verbose_name = _("payment")
        ordering = ["-created_at"]
        permissions = [("refund_payment", _("Can refund payments and see all payments"))]

    def __str__(self) -> str:
        return f"{self.submission.reference} {self.amount_pence}p {self.status}"

    @property
    def idempotency_key(self) -> str:
        """Same key for the same attempt: a double click or a retry never makes two checkouts."""
        return f"checkout-{self.uuid}-{self.attempt}"

    @property
    def refund_status(self) -> PaymentStatus:
        """The status its refunds so far give it: refunded in full, or in part."""
        if self.refunded_pence >= self.amount_pence:
            return PaymentStatus.REFUNDED
        return PaymentStatus.PARTIALLY_REFUNDED

    @property
    def refundable_pence(self) -> int:
        return (
            self.amount_pence - self.refunded_pence
            if self.status in ("paid", "partially_refunded")
            else 0
        )


class Refund(models.Model):
    """Money given back, in full or in part, by a member of staff."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refunds")
    amount_pence = models.PositiveIntegerField(_("amount (pence)"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    provider_refund_id = models.CharField(_("provider refund id"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=20, default="succeeded")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        db_table = "flows_refund"  # made in the flows app; kept when it moved here
        verbose_name = _("refund")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.amount_pence}p refund of {self.payment_id}"


class PaymentEvent(models.Model):
    """A provider event (a webhook), stored once by its id: a repeat is recognised and ignored."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "flows_paymentevent"  # made in the flows app; kept when it moved here
        verbose_name = _("payment event")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="payment_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"
