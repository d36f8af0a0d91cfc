from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Card payments for flows with a fee: providers, refunds, reconciliation, the report."""

    name = "forms.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from forms.flows.checkout import install_checkout

        from . import sandbox, stripe_checkout  # noqa: F401 - the providers register themselves
        from .checkout import CardCheckout

        install_checkout(CardCheckout())
