"""Fee calculators: what a resident pays, worked out on the server from their answers alone.

Money is integer pence. The flows' questions already stop answers out of range; each calculator
checks them again and raises ValueError for an answer it cannot price, so a tampered or stale
session can never be charged a wrong amount.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from core import dates
from core.money import format_pence
from demo.handlers.records import council_tax_accounts, penalty_charge_notices
from forms.flows.handlers import FeeQuote, LookupFailed, fees


class CouncilFee:
    """Base for the council's fee calculators: override `calculate`."""

    title: Any = ""
    # Paying sets up something that renews (the confirmation says "Subscription set up").
    subscription = False

    # override

    def calculate(self, answers: dict[str, Any]) -> FeeQuote:
        raise NotImplementedError

    # helpers

    @staticmethod
    def number(answers: dict[str, Any], name: str, smallest: int, largest: int) -> int:
        """The whole-number answer `name`, which must be from `smallest` to `largest`."""
        value = answers.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"The answer {name!r} must be a whole number, not {value!r}")
        if not smallest <= value <= largest:
            raise ValueError(f"The answer {name!r} must be {smallest} to {largest}, not {value}")
        return value

    @staticmethod
    def quote(*lines: tuple[str, int]) -> FeeQuote:
        return FeeQuote(total_pence=sum(pence for _, pence in lines), lines=list(lines))


class BulkyWasteFee(CouncilFee):
    """£25 for up to 3 items, then £8 for each extra item; at most 10 items (answer `items`)."""

    title = gettext_lazy("Bulky waste: £25 for up to 3 items, £8 for each extra item")
    included_items = 3
    base_pence = 2500
    extra_item_pence = 800
    max_items = 10

    def calculate(self, answers: dict[str, Any]) -> FeeQuote:
        items = self.number(answers, "items", 1, self.max_items)
        base = min(items, self.included_items)
        lines = [
            (ngettext("%(count)d item", "%(count)d items", base) % {"count": base}, self.base_pence)
        ]
        extra = items - base
        if extra:
            text = ngettext(
                "%(count)d extra item at %(price)s",
                "%(count)d extra items at %(price)s each",
                extra,
            ) % {"count": extra, "price": format_pence(self.extra_item_pence)}
            lines.append((text, extra * self.extra_item_pence))
        return self.quote(*lines)


class PerUnitFee(CouncilFee):
    """A price for each of something the resident asks for: answer `answer`, from 1 to
    `largest`, at `unit_pence` each, explained by the plural-aware `line`."""

    answer: str = ""
    unit_pence: int = 0
    largest: int = 1
    line: Any = ""

    def calculate(self, answers: dict[str, Any]) -> FeeQuote:
        count = self.number(answers, self.answer, 1, self.largest)
        text = self.line % {"count": count, "price": format_pence(self.unit_pence)}
        return self.quote((text, count * self.unit_pence))


class GardenWasteFee(PerUnitFee):
    """£50 a year for each brown bin; at most 3 bins (answer `bins`)."""

    title = gettext_lazy("Garden waste: £50 a year for each bin")
    subscription = True
    answer, unit_pence, largest = "bins", 5000, 3
    line = ngettext_lazy(
        "%(count)d brown bin for 12 months",
        "%(count)d brown bins for 12 months at %(price)s each",
        "count",
    )


class SkipPermitFee(CouncilFee):
    """£35 for each skip for each 14 days (answers `skips`, 1 to 3, and `periods`, 1 to 4: a
    permit covers up to 8 weeks at one address; for longer, the resident applies again)."""

    title = gettext_lazy("Skip permit: £35 for each skip for each 14 days")
    permit_pence = 3500
    period_days = 14
    max_skips = 3
    max_periods = 4

    def calculate(self, answers: dict[str, Any]) -> FeeQuote:
        skips = self.number(answers, "skips", 1, self.max_skips)
        periods = self.number(answers, "periods", 1, self.max_periods)
        text = ngettext(
            "%(count)d skip for %(days)d days, at %(price)s for each 14 days",
            "%(count)d skips for %(days)d days, at %(price)s a skip for each 14 days",
            skips,
        ) % {
            "count": skips,
            "days": periods * self.period_days,
            "price": format_pence(self.permit_pence),
        }
        return self.quote((text, skips * periods * self.permit_pence))


class ResidentPermitFee(CouncilFee):
    """£40 for a household's first permit and £80 for its second; at most 2 a household.

    Answers: `existing_permit` ("yes" when the household already has one, so only 1 more, at
    the second permit's price, can be bought; then `permits_held` must be "1 permit") and
    `permits` (1 or 2, asked when it has none)."""

    title = gettext_lazy("Resident parking permit: £40 for the first, £80 for the second")
    first_pence = 4000
    second_pence = 8000

    def calculate(self, answers: dict[str, Any]) -> FeeQuote:
        if answers.get("existing_permit") == "yes":
            if answers.get("permits_held") not in (None, "1 permit"):
                raise ValueError("The household already has the most permits it can have")
            if answers.get("permits") not in (None, 1):
                raise ValueError("A household with a permit can only buy 1 more")
            return self.quote((_("Second permit for your household"), self.second_pence))
        permits = self.number(answers, "permits", 1, 2)
        lines = [(_("First permit"), self.first_pence)]
        if permits == 2:
            lines.append((_("Second permit"), self.second_pence))
        return self.quote(*lines)


class BlueBadgeFee(CouncilFee):
    """£10 for a Blue Badge (refunded if we turn the application down)."""

    title = gettext_lazy("Blue Badge: £10")
    badge_pence = 1000

    def calculate(self, answers: dict[str, Any]) -> FeeQuote:
        return self.quote((_("Blue Badge"), self.badge_pence))


class PenaltyChargeNoticeFee(CouncilFee):
    """The amount due on the penalty charge notice `pcn_number`, from the PCN register."""

    title = gettext_lazy("Parking fine: the amount due on the penalty charge notice")

    def calculate(self, answers: dict[str, Any]) -> FeeQuote:
        try:
            notice = penalty_charge_notices.check(answers.get("pcn_number"))
        except LookupFailed as error:
            raise ValueError(str(error)) from error
        issued = dates.day_month_year(datetime.date.fromisoformat(notice["issued"]))
        text = _("Penalty charge notice %(number)s for %(vehicle)s, issued %(issued)s") % {
            "number": notice["number"],
            "vehicle": notice["vehicle"],
            "issued": issued,
        }
        return self.quote((text, notice["amount_due_pence"]))


class CouncilTaxPaymentFee(CouncilFee):
    """The amount the resident chose (`amount`, £1 to £5,000) for the account `account_number`."""

    title = gettext_lazy("Council tax: the amount the resident enters")
    smallest_pence = 100
    largest_pence = 500000

    def calculate(self, answers: dict[str, Any]) -> FeeQuote:
        try:
            account = council_tax_accounts.check(answers.get("account_number"))
        except LookupFailed as error:
            raise ValueError(str(error)) from error
        amount = self.number(answers, "amount", self.smallest_pence, self.largest_pence)
        text = _("Payment to council tax account %(account)s") % {
            "account": account["account_number"]
        }
        return self.quote((text, amount))


bulky_waste = fees.register("bulky-waste")(BulkyWasteFee())
garden_waste = fees.register("garden-waste")(GardenWasteFee())
skip_permit = fees.register("skip-permit")(SkipPermitFee())
resident_permit = fees.register("resident-permit")(ResidentPermitFee())
blue_badge = fees.register("blue-badge")(BlueBadgeFee())
pcn = fees.register("pcn")(PenaltyChargeNoticeFee())
council_tax = fees.register("council-tax")(CouncilTaxPaymentFee())
