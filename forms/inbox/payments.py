"""Payments on a request's page in the inbox: what was paid, what was refunded, and the refund
form for staff who may give money back (`payments.refund_payment`)."""

from __future__ import annotations

import decimal
import re
import uuid
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from django import forms
from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.utils import get_user_display_name

from core.money import format_pence
from forms.flows.models import Submission
from forms.payments import providers
from forms.payments.models import Payment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

REFUND_PERMISSION = "payments.refund_payment"
# The detail page has two forms; this hidden field says which one was sent.
REFUND_ACTION = "refund"
STRIPE_DASHBOARD = "https://dashboard.stripe.com"
PROVIDER_NAMES = {"stripe": "Stripe", "sandbox": gettext_lazy("Sandbox (test, no money taken)")}


def can_refund(user: User | AnonymousUser) -> TypeGuard[User]:
    """Finance staff and superusers. Seeing the request is checked separately: the page is not
    found for a request the user may not see."""
    return bool(user.is_active and user.has_perm(REFUND_PERMISSION))


def provider_name(provider_id: str) -> str:
    if provider_id in PROVIDER_NAMES:
        return str(PROVIDER_NAMES[provider_id])
    provider = providers.get(provider_id)
    return str(getattr(provider, "title", "") or provider_id)


def stripe_dashboard_url(payment: Payment) -> str:
    """The payment in Stripe's dashboard, for a Stripe payment intent ("pi_...")."""
    if payment.provider != "stripe" or not payment.provider_payment_id.startswith("pi_"):
        return ""
    secret = getattr(settings, "STRIPE_SECRET_KEY", "") or ""
    test = "/test" if secret.startswith(("sk_test_", "rk_test_")) else ""
    return f"{STRIPE_DASHBOARD}{test}/payments/{payment.provider_payment_id}"


def new_refund_key(payment: Payment) -> str:
    """One key per refund form shown: sending the same form twice refunds once. It is also the
    idempotency key given to the provider, so it is unique across payments."""
    return f"refund-{payment.uuid}-{uuid.uuid4().hex}"


def parse_pounds(text: str) -> decimal.Decimal:
    """'12.50', '£12.5', '1,234' or ' 12 ' in pounds; raises ValueError when it is not money."""
    cleaned = re.sub(r"[\s,]", "", text or "").removeprefix("£")
    if not re.fullmatch(r"\d+(\.\d{1,2})?|\.\d{1,2}", cleaned):
        raise ValueError(text)
    return decimal.Decimal(cleaned)


class RefundForm(forms.Form):
    """Refund all that is left of a payment, or part of it, with a reason for the records."""

    FULL = "full"
    PART = "part"

    # Hidden; checked in clean(), so a problem with them shows as an error above the form.
    payment = forms.IntegerField(widget=forms.HiddenInput, required=False)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    how = forms.ChoiceField(
        label=gettext_lazy("How much do you want to refund?"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Select how much you want to refund")},
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount to refund, in pounds"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Only if you are refunding part of it. For example, 12.50"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the refund"),
        max_length=300,
        help_text=gettext_lazy(
            "For the council's records and finance. The resident is told the amount, not the "
            "reason."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Enter the reason for the refund")},
    )

    def __init__(self, *args: Any, payment: Payment, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "refund")
        # A request can have more than one payment, each with a form: ids must not clash.
        kwargs.setdefault("auto_id", f"id_payment{payment.pk}_%s")
        super().__init__(*args, **kwargs)
        self.payment_obj = payment
        remaining = format_pence(payment.refundable_pence)
        if payment.refunded_pence:
            full_label = _("Refund the rest (%(amount)s)") % {"amount": remaining}
        else:
            full_label = _("Refund the full amount (%(amount)s)") % {"amount": remaining}
        how_field = cast(forms.ChoiceField, self.fields["how"])
        how_field.choices = [(self.FULL, full_label), (self.PART, _("Refund part of it"))]
        if not self.is_bound:
            self.initial.setdefault("payment", payment.pk)
            self.initial.setdefault("key", new_refund_key(payment))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        key_pattern = rf"refund-{self.payment_obj.uuid}-[0-9a-f]{{32}}"
        if cleaned.get("payment") != self.payment_obj.pk or not re.fullmatch(
            key_pattern, cleaned.get("key") or ""
        ):
            raise forms.ValidationError(
                _("This form is out of date. Reload the page and try again.")
            )
        how = cleaned.get("how")
        refundable = self.payment_obj.refundable_pence
        if refundable <= 0:
            raise forms.ValidationError(_("There is nothing left to refund on this payment."))
        if how == self.FULL:
            cleaned["amount_pence"] = refundable
        elif how == self.PART:
            text = (cleaned.get("amount") or "").strip()
            if not text:
                self.add_error("amount", _("Enter the amount to refund"))
                return cleaned
            try:
                pounds = parse_pounds(text)
            except ValueError:
                self.add_error(
                    "amount", _("Amount to refund must be an amount of money, like 12.50")
                )
                return cleaned
            pence = int(pounds * 100)
            if pence <= 0:
                self.add_error("amount", _("Amount to refund must be more than £0"))
            elif pence > refundable:
                self.add_error(
                    "amount",
                    _("Amount to refund must be %(amount)s or less")
                    % {"amount": format_pence(refundable)},
                )
            else:
                cleaned["amount_pence"] = pence
        return cleaned

    @property
    def error_field(self) -> str | None:
        """Where an error from the refund itself goes: by the amount when one was typed."""
        return "amount" if self.cleaned_data.get("how") == self.PART else None


def local_datetime(value: Any) -> str:
    return dateformat.format(timezone.localtime(value), "j M Y, H:i") if value else ""


def payment_sections(
    submission: Submission, user: User | AnonymousUser, refund_form: RefundForm | None = None
) -> list[dict[str, Any]]:
    """Each payment of the request, newest first, with its refunds and (for those who may
    refund, while money is left to refund) a refund form: the one sent, if it had errors."""
    may_refund = can_refund(user)
    sections = []
    payments = submission.payments.order_by("-created_at", "-pk").prefetch_related("refunds__user")
    for payment in payments:
        form = None
        if may_refund and payment.refundable_pence > 0:
            if refund_form is not None and refund_form.payment_obj.pk == payment.pk:
                form = refund_form
            else:
                form = RefundForm(payment=payment)
        sections.append(
            {
                "payment": payment,
                "amount": format_pence(payment.amount_pence),
                "status": payment.get_status_display(),
                "provider": provider_name(payment.provider),
                "session_id": payment.provider_session_id,
                "payment_id": payment.provider_payment_id,
                "dashboard_url": stripe_dashboard_url(payment),
                "started": local_datetime(payment.created_at),
                "paid_at": local_datetime(payment.paid_at),
                "refunded": format_pence(payment.refunded_pence),
                "refundable": format_pence(payment.refundable_pence),
                "refunds": [
                    {
                        "amount": format_pence(refund.amount_pence),
                        "reason": refund.reason,
                        "by": get_user_display_name(refund.user) if refund.user else "",
                        "when": local_datetime(refund.created_at),
                        "provider_refund_id": refund.provider_refund_id,
                    }
                    for refund in payment.refunds.all()
                ],
                "refund_form": form,
            }
        )
    return sections
