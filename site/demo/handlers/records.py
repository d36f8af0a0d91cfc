"""Look-ups: answers checked against the council's records.

The demo has no parking or council tax system behind it, so the records here are fakes that
always give the same answer for the same number. Each is described in its class's docstring.
"""

from __future__ import annotations

import datetime
import random
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import dates
from forms.flows.handlers import LookupFailed, lookups

REDUCED_PCN_PENCE = 3500
FULL_PCN_PENCE = 7000
REDUCED_RATE_DAYS = 14


def compact(value: Any) -> str:
    """A typed number in capitals, without spaces or hyphens: 'fe 1234-5678' -> 'FE12345678'."""
    return re.sub(r"[\s-]+", "", str(value or "")).upper()


class PenaltyChargeNotices:
    """The demo's register of penalty charge notices (PCNs).

    A PCN number is FE then 8 digits, such as FE12345678; case, spaces and hyphens are ignored.
    The register is made up from the number itself:

    - numbers starting FE9 are not in the register ("not found");
    - numbers ending in 0 have already been paid;
    - any other last digit says how many days ago the notice was issued:
      1 -> 1 day, 2 -> 3, 3 -> 6, 4 -> 10, 5 -> 14, 6 -> 15, 7 -> 21, 8 -> 35, 9 -> 60.
      Up to 14 days after the issue date the reduced rate (£35) is due; after that, £70.

    So FE12345671 and FE12345675 cost £35 (FE12345675 on its last day), FE12345678 costs £70,
    FE12345670 is already paid and FE91234567 is not found. The vehicle's registration is made
    up from the number too, so it is the same every time.

    A notice paid on this site (a paid request of a flow with the "pcn" fee) is paid too: the
    look-up says when, and the request's reference, so it cannot be paid twice.
    """

    title = gettext_lazy("Penalty charge notice (parking fine) number")
    pattern = re.compile(r"^FE[0-9]{8}$")
    days_since_issue = {1: 1, 2: 3, 3: 6, 4: 10, 5: 14, 6: 15, 7: 21, 8: 35, 9: 60}

    # override

    def check(self, value: Any, question: Any = None) -> dict[str, Any]:
        notice = self.notice(value)
        self.refuse_if_paid_online(notice["number"])
        return notice

    # helpers

    def notice(self, value: Any, today: datetime.date | None = None) -> dict[str, Any]:
        """The notice with number `value` as {"number", "amount_due_pence", "issued" (ISO date),
        "vehicle"}, or LookupFailed with what the resident should do."""
        number = compact(value)
        if not self.pattern.match(number):
            raise LookupFailed(
                _("Enter a penalty charge notice number in the correct format, like FE12345678")
            )
        if number.startswith("FE9"):
            raise LookupFailed(
                _(
                    "We cannot find a penalty charge notice with that number. "
                    "Check the number on your notice"
                )
            )
        last_digit = int(number[-1])
        today = today or timezone.localdate()
        if last_digit == 0:
            # Paid some days ago (made up from the number, the same every time), at the
            # council's cash office or by phone: its receipt number is the notice's own.
            paid_on = today - datetime.timedelta(days=2 + int(number[-2]))
            raise self.already_paid(paid_on, f"PCN-{number[2:]}")
        days = self.days_since_issue[last_digit]
        return {
            "number": number,
            "amount_due_pence": REDUCED_PCN_PENCE if days <= REDUCED_RATE_DAYS else FULL_PCN_PENCE,
            "issued": (today - datetime.timedelta(days=days)).isoformat(),
            "vehicle": self.vehicle(number),
        }

    @staticmethod
    def refuse_if_paid_online(number: str) -> None:
        """LookupFailed saying when it was paid, and the payment's reference, if the notice
        `number` has been paid on this site. The register above is made up and cannot change, so
        the payments taken for a notice are its record of being paid."""
        from forms.payments.constants import SETTLED
        from forms.payments.models import Payment

        paid = (
            Payment.objects.filter(status__in=SETTLED, submission__flow__fee_handler="pcn")
            .select_related("submission")
            .order_by("paid_at")
        )
        for payment in paid.iterator():
            if compact(payment.submission.answer("pcn_number")) == number:
                when = timezone.localtime(payment.paid_at or payment.updated_at).date()
                raise PenaltyChargeNotices.already_paid(when, payment.submission.reference)

    @staticmethod
    def already_paid(when: datetime.date, reference: str) -> LookupFailed:
        return LookupFailed(
            _(
                "This penalty charge notice has already been paid. We received the payment on "
                "%(date)s, payment reference %(reference)s. You do not need to pay it again"
            )
            % {"date": dates.day_month_year(when), "reference": reference}
        )

    @staticmethod
    def vehicle(number: str) -> str:
        """A plausible current-style UK registration, such as 'KM21 XPD', the same for a number."""
        rng = random.Random(int(number[2:]))
        area = rng.choice("ABCDEFGHKLMNOPRSVWY") + rng.choice("ABCDEFGHJKLMNOPRSTUVWXY")
        age = rng.choice(["18", "68", "19", "69", "20", "70", "21", "71", "22", "72", "23", "73"])
        letters = "".join(rng.choice("ABCDEFGHJKLMNOPRSTUVWXYZ") for _ in range(3))
        return f"{area}{age} {letters}"


class CouncilTaxAccounts:
    """The demo's council tax accounts.

    An account number has 8 digits and starts with 5; spaces are ignored. The last digit is the
    Luhn check digit of the first 7 (the check card numbers use), so a mistyped digit and most
    swaps of 2 neighbouring digits are caught. Valid demo numbers: 50000009, 51234565 and 59876540.
    """

    title = gettext_lazy("Council tax account number")
    pattern = re.compile(r"^5[0-9]{7}$")

    # override

    def check(self, value: Any, question: Any = None) -> dict[str, Any]:
        number = compact(value)
        if not self.pattern.match(number) or self.check_digit(number[:7]) != int(number[7]):
            raise LookupFailed(_("Enter a council tax account number that matches our records"))
        return {"account_number": number}

    # helpers

    @staticmethod
    def check_digit(digits: str) -> int:
        """The Luhn check digit for `digits`: double every other digit from the right."""
        total = 0
        for position, char in enumerate(reversed(digits)):
            digit = int(char)
            if position % 2 == 0:
                digit *= 2
                if digit > 9:
                    digit -= 9
            total += digit
        return (10 - total % 10) % 10


class AddressInArea:
    """Checks a chosen address is one we serve. Addresses are chosen from our own list, so this
    only fails when the list has changed since the resident chose."""

    title = gettext_lazy("Address we serve")

    def check(self, value: Any, question: Any = None) -> dict[str, Any]:
        from forms.places.models import Property

        uprn = value.get("uprn") if isinstance(value, dict) else None
        found = Property.objects.filter(uprn=uprn).first() if uprn else None
        if found is None:
            raise LookupFailed(_("Choose an address in Fernbridge from the list"))
        return {"uprn": found.uprn, "ward": found.ward}


penalty_charge_notices = lookups.register("pcn")(PenaltyChargeNotices())
council_tax_accounts = lookups.register("council-tax-account")(CouncilTaxAccounts())
address_in_area = lookups.register("address-in-area")(AddressInArea())
