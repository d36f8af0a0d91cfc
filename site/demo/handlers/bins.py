"""Bin collections: the "find your bin day" answer and the missed-bin return visit."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import dates
from forms.flows.handlers import LookupResult, actions, results

logger = logging.getLogger(__name__)

WASTE_PHONE = "01632 960 100"
COLLECTION_DAYS = (
    gettext_lazy("Mondays"),
    gettext_lazy("Tuesdays"),
    gettext_lazy("Wednesdays"),
    gettext_lazy("Thursdays"),
    gettext_lazy("Fridays"),
)


def long_date(day: datetime.date) -> str:
    """'Tuesday 1 December 2026', in the resident's language."""
    return dates.long_date(day)


class BinDayResult:
    """The collection day and next bin dates for the answer `address` (an address dict)."""

    title = gettext_lazy("Bin collection day for an address")

    def show(self, answers: dict[str, Any], today: datetime.date | None = None) -> LookupResult:
        from forms.places.models import Property, Weekday

        address = answers.get("address") or {}
        uprn = address.get("uprn") if isinstance(address, dict) else None
        found = Property.objects.filter(uprn=uprn).first() if uprn else None
        contact = _("Call us on %(phone)s, Monday to Friday, 8:30am to 5:30pm.") % {
            "phone": WASTE_PHONE
        }
        if found is None and isinstance(address, dict) and address.get("entered_by_hand"):
            # Collection rounds are kept against the council's own address list; an address
            # typed by hand is not on it, so only the waste team can say when its bins go out.
            return LookupResult(
                heading=_("We cannot find bin collections for an address entered by hand"),
                rows=[(_("Address"), str(address.get("address") or ""))],
                note=contact,
            )
        if found is None:
            return LookupResult(
                heading=_("We cannot find the collection day for this address"), note=contact
            )
        today = today or timezone.localdate()
        weekday = Weekday(found.bin_day)
        rows = [(_("Address"), found.single_line)]
        rows += [(bin_name, long_date(day)) for bin_name, day in found.next_collections(today)]
        rows.append((_("Food caddy"), _("Every %(day)s") % {"day": weekday.label}))
        return LookupResult(
            heading=_("Your bins are collected on %(days)s") % {"days": COLLECTION_DAYS[weekday]},
            rows=rows,
            note=_(
                "Put your bins out by 7am on your collection day. The black bin and the "
                "green-lid bin go out in turn, one each week. We empty your food caddy every week."
            ),
        )


class MissedBinReturn:
    """Tells the resident when we will come back for a missed bin: the first working day after
    tomorrow (weekends skipped), counted from the day the report was sent. Crews plan their
    rounds a day ahead, so tomorrow is too soon. Reads the answer `bins` (checkbox labels)."""

    title = gettext_lazy("Missed bin: tell the resident when we will come back")

    def run(self, submission: Any) -> list[str]:
        try:
            sent = timezone.localdate(submission.created_at) if submission.created_at else None
            day = self.return_day(sent or timezone.localdate())
            bins = submission.answer("bins")
            count = len(bins) if isinstance(bins, list) and bins else 1
        except Exception:  # an action never loses a request: fall back to the general promise
            logger.exception("Could not work out the return day for %s", submission)
            return [_("We will come back to empty your bin within 2 working days.")]
        return [
            ngettext(
                "We will come back to empty your bin %(on_day)s.",
                "We will come back to empty your bins %(on_day)s.",
                count,
            )
            # "on Tuesday 8 December 2026" as a whole: Welsh mutates the day after "ar"
            % {"on_day": dates.on_date(day)},
            ngettext(
                "Leave it out from 7am that day, until we have emptied it.",
                "Leave them out from 7am that day, until we have emptied them.",
                count,
            ),
        ]

    @staticmethod
    def return_day(reported: datetime.date) -> datetime.date:
        """The first working day after the day after `reported` (Saturday and Sunday skipped)."""
        day = reported + datetime.timedelta(days=2)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day


bin_day = results.register("bin-day")(BinDayResult())
missed_bin = actions.register("missed-bin")(MissedBinReturn())
