"""Address and location: a postcode, a "Find address" button, then a list of the council's
addresses in that postcode to choose from, or the address typed by hand (GOV.UK's address
pattern) when it is not in the list. Both buttons post the same page; the runtime sees
`find_address` (whose value is the field's html name) and shows the page again with the list.

Pressing Enter in the postcode box submits the form with its first button, which is Continue,
not "Find address". So a postcode whose addresses have not been shown yet (the page remembers
the postcode it listed, in `<name>-searched`) with no address chosen is a look-up, not a
mistake: the field says so with the error code in LOOKUP_CODES, and `address_to_look_up` tells
the runtime which question to show the list for."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forms.flows.questions.boundfield import QuestionBoundField
from forms.flows.questions.fields import QuestionField, clean_text
from forms.places.models import Property, normalise_postcode

ENTER_POSTCODE = _("Enter a postcode")
POSTCODE_MESSAGE = _("Enter a real postcode")
SELECT_ADDRESS = _("Select your address")
CHOOSE_OR_DESCRIBE = _("Choose an address or describe where it is")
DESCRIPTION_MAX = 1200
FIND_COUNCIL_URL = "https://www.gov.uk/find-local-council"

# The messages that only ask the resident to pick from the list: after "Find address" the
# runtime hides them (the list has only just appeared).
CHOOSE_ADDRESS_MESSAGES = (SELECT_ADDRESS, CHOOSE_OR_DESCRIBE)
# A postcode typed but its addresses not shown yet: a look-up (see the module's docstring).
LOOKUP_CODES = ("address_lookup", "location_lookup")

# The address typed by hand: GOV.UK's address pattern, as the council's own list keeps it.
MANUAL_PARTS = ("line1", "line2", "town", "manual_postcode")
MANUAL_LENGTHS = {"line1": 100, "line2": 100, "town": 60}


class AddressSearch:
    """A typed postcode, the council's addresses in it and the one chosen (by UPRN).

    `searched` is the postcode whose list the page showed, if any."""

    def __init__(self, typed: str, uprn: str, searched: str = "") -> None:
        self.typed = typed.strip()
        self.uprn = uprn.strip()
        self.searched = normalise_postcode(searched)

    @cached_property
    def postcode(self) -> str:
        return normalise_postcode(self.typed)

    @cached_property
    def properties(self) -> list[Property]:
        return Property.to_choose_from(self.postcode) if self.postcode else []

    @cached_property
    def chosen(self) -> Property | None:
        if "properties" in self.__dict__:  # the list is read already (the page shows it)
            return next((p for p in self.properties if str(p.uprn) == self.uprn), None)
        # Checking an answer given before (check your answers, the next step): one indexed
        # row, not the whole postcode's list put in reading order. A UPRN is at most 12
        # digits, written without leading zeros, as the list's values are.
        if not self.postcode or not self.uprn.isdigit() or len(self.uprn) > 12:
            return None
        if str(int(self.uprn)) != self.uprn:
            return None
        return Property.in_postcode(self.postcode).filter(uprn=int(self.uprn)).first()

    @cached_property
    def outside_area(self) -> bool:
        """A real-looking postcode with none of our addresses, in a district we do not serve."""
        return (
            bool(self.postcode)
            and not self.properties
            and not Property.serves_postcode(self.postcode)
        )

    @property
    def problem(self) -> tuple[str, Any] | None:
        """(part at fault, message), or None when an address of this postcode is chosen.

        The part is "postcode", "outside" (the postcode box: not in the council's area),
        "lookup" (the list is yet to be shown) or "uprn" (the list was shown; none chosen)."""
        if not self.typed:
            return "postcode", ENTER_POSTCODE
        if not self.postcode:
            return "postcode", POSTCODE_MESSAGE
        if self.chosen is not None:  # an address of this postcode: nothing else to check
            return None
        if self.outside_area:
            area = Property.area_name()
            return "outside", gettext("%(postcode)s is not in %(area)s") % {
                "postcode": self.postcode,
                "area": area,
            }
        if not self.properties:
            return "postcode", gettext(
                "We cannot find any addresses for %(postcode)s. Check the postcode, "
                "or enter the address manually"
            ) % {"postcode": self.postcode}
        if self.chosen is None:
            return ("lookup" if self.searched != self.postcode else "uprn"), SELECT_ADDRESS
        return None


def address_answer(place: Property) -> dict[str, Any]:
    return {
        "uprn": place.uprn,
        "address": place.single_line,
        "postcode": place.postcode,
        "ward": place.ward,
    }


# The address typed by hand


def manual_parts(parts: dict[str, str]) -> dict[str, str]:
    return {part: clean_text(parts.get(part, "")) for part in MANUAL_PARTS}


def is_manual(parts: dict[str, str]) -> bool:
    """Whether the resident typed an address by hand. Not the postcode box alone: it starts
    with the postcode typed for the look-up (and a closed "Enter address manually" still posts
    its boxes)."""
    manual = manual_parts(parts)
    return bool(manual["line1"] or manual["line2"] or manual["town"])


def manual_problems(parts: dict[str, str]) -> list[tuple[str, Any]]:
    """(part, message) for each box of the address typed by hand that is not right."""
    manual = manual_parts(parts)
    names = {
        "line1": _("Address line 1"),
        "line2": _("Address line 2"),
        "town": _("Town or city"),
    }
    problems: list[tuple[str, Any]] = []
    for part, longest in MANUAL_LENGTHS.items():
        if part == "line1" and not manual[part]:
            problems.append((part, _("Enter address line 1, typically the building and street")))
        elif part == "town" and not manual[part]:
            problems.append((part, _("Enter town or city")))
        elif len(manual[part]) > longest:
            problems.append(
                (
                    part,
                    format_lazy(
                        _("{name} must be {max} characters or less"),
                        name=names[part],
                        max=longest,
                    ),
                )
            )
    if not manual["manual_postcode"]:
        problems.append(("manual_postcode", _("Enter postcode")))
    elif not normalise_postcode(manual["manual_postcode"]):
        problems.append(("manual_postcode", POSTCODE_MESSAGE))
    return problems


def manual_answer(parts: dict[str, str]) -> dict[str, Any]:
    """The address typed by hand, in the shape of one chosen from the list: no UPRN or ward
    (it is not in the council's list), and marked as entered by hand."""
    manual = manual_parts(parts)
    postcode = normalise_postcode(manual["manual_postcode"])
    lines = [manual["line1"], manual["line2"], manual["town"], postcode]
    return {
        "uprn": None,
        "address": ", ".join(line for line in lines if line),
        "postcode": postcode,
        "ward": "",
        "entered_by_hand": True,
        "address_line_1": manual["line1"],
        "address_line_2": manual["line2"],
        "town": manual["town"],
    }


def manual_error(problems: list[tuple[str, Any]], code: str) -> ValidationError:
    return ValidationError(
        [ValidationError(message, code=f"{code}_{part}") for part, message in problems]
    )


def address_to_look_up(form: forms.Form) -> str:
    """The html name of the first address question on `form` whose postcode was typed but whose
    addresses have not been shown (Enter pressed in the postcode box, or Continue before "Find
    address"): the runtime shows the list for it as if "Find address" had been pressed.
    '' when there is none."""
    for name, errors in form.errors.as_data().items():
        if any(error.code in LOOKUP_CODES for error in errors):
            return form.add_prefix(name)
    return ""


class AddressWidget(forms.Widget):
    """A postcode box and a list of addresses, posted as `<name>-postcode` and `<name>-uprn`,
    the postcode whose list was shown (`<name>-searched`) and the address typed by hand."""

    use_fieldset = True
    parts: tuple[str, ...] = ("postcode", "uprn", "searched", *MANUAL_PARTS)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {part: str(data.get(f"{name}-{part}", "") or "") for part in self.parts}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}-{part}" not in data for part in self.parts)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-postcode" if id_ else id_


class LocationWidget(AddressWidget):
    parts = (*AddressWidget.parts, "description")


class AddressField(QuestionField):
    """One of the council's addresses, cleaned to {uprn, address, postcode, ward}; or one typed
    by hand, cleaned to the same with uprn None, entered_by_hand True and its lines."""

    widget = AddressWidget
    template_name = "flows/questions/address.html"
    input_classes = ""
    input_error_class = ""
    code = "address"

    def prepare_value(self, value: Any) -> dict[str, str]:
        """The boxes' values: what was posted, or a stored answer shown again."""
        if isinstance(value, dict) and "address" in value:  # a stored answer
            if value.get("entered_by_hand"):
                return {
                    "line1": value.get("address_line_1") or "",
                    "line2": value.get("address_line_2") or "",
                    "town": value.get("town") or "",
                    "manual_postcode": value.get("postcode") or "",
                    "description": value.get("description") or "",
                }
            postcode = value.get("postcode") or ""
            return {
                "postcode": postcode,
                "searched": postcode,
                "uprn": "" if value.get("uprn") is None else str(value["uprn"]),
                "description": value.get("description") or "",
            }
        if not isinstance(value, dict):
            return {}
        return {part: str(text or "") for part, text in value.items()}

    def search_for(self, parts: dict[str, str]) -> AddressSearch:
        return AddressSearch(
            parts.get("postcode", ""), parts.get("uprn", ""), parts.get("searched", "")
        )

    def to_python(self, value: Any) -> dict[str, Any] | None:
        parts = self.prepare_value(value)
        if is_manual(parts):
            problems = manual_problems(parts)
            if problems:
                raise manual_error(problems, self.code)
            return manual_answer(parts)
        search = self.search_for(parts)
        if not search.typed and not search.uprn:
            return None
        if search.problem:
            raise ValidationError(search.problem[1], code=f"address_{search.problem[0]}")
        assert search.chosen is not None  # no problem: an address is chosen
        return address_answer(search.chosen)

    # rendering

    def search(self, bound_field: QuestionBoundField) -> AddressSearch:
        """The bound field's search, made once (a form keeps its bound fields)."""
        search = getattr(bound_field, "_address_search", None)
        if search is None:
            search = self.search_for(self.prepare_value(bound_field.value()))
            bound_field._address_search = search
        return search

    def manual_parts_in_error(self, bound_field: QuestionBoundField) -> dict[str, str]:
        """{part: message} for the boxes of the address typed by hand, when it was typed."""
        parts = self.prepare_value(bound_field.value())
        if not bound_field.errors or not is_manual(parts):
            return {}
        return {part: str(message) for part, message in manual_problems(parts)}

    def part_in_error(self, bound_field: QuestionBoundField) -> str:
        if not bound_field.errors:
            return ""
        manual = self.manual_parts_in_error(bound_field)
        if manual:
            return next(iter(manual))
        problem = self.search(bound_field).problem
        return problem[0] if problem else "postcode"

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        search = self.search(bound_field)
        in_error = self.part_in_error(bound_field)
        base_id, base_name = bound_field.auto_id, bound_field.html_name
        parts = self.prepare_value(bound_field.value())
        manual = manual_parts(parts)
        manual_errors = self.manual_parts_in_error(bound_field)
        addresses = [
            {"uprn": p.uprn, "address": p.single_line, "selected": p == search.chosen}
            for p in search.properties
        ]

        def value(part: str) -> str:
            # GOV.UK: reuse what was typed. Until an address is typed by hand, its postcode
            # box follows the postcode looked up.
            if part == "manual_postcode" and not is_manual(parts):
                return search.typed or manual[part]
            return manual[part]

        def box(part: str, label: Any, autocomplete: str, width: str = "") -> dict[str, Any]:
            message = manual_errors.get(part, "")
            first = bool(message) and part == in_error
            return {
                "id": f"{base_id}-{part}",
                "name": f"{base_name}-{part}",
                "label": label,
                "autocomplete": autocomplete,
                "width": width,
                "value": value(part),
                "error": message,
                # The first message takes the id the fieldset's aria-describedby names.
                "error_id": bound_field.error_id if first else f"{base_id}-{part}-error",
            }

        return {
            "postcode": {
                "id": f"{base_id}-postcode",
                "name": f"{base_name}-postcode",
                "value": search.typed,
                "error": in_error in ("postcode", "outside"),
            },
            "uprn": {
                "id": f"{base_id}-uprn",
                "name": f"{base_name}-uprn",
                "error": in_error == "uprn",
            },
            "searched": {"name": f"{base_name}-searched", "value": search.postcode},
            "addresses": addresses,
            "outside_area": in_error == "outside",
            "find_council_url": FIND_COUNCIL_URL,
            "manual": {
                "id": f"{base_id}-manual",
                "open": is_manual(parts),
                "in_error": bool(manual_errors),
                "boxes": [
                    box("line1", _("Address line 1"), "address-line1"),
                    box("line2", _("Address line 2 (optional)"), "address-line2"),
                    box("town", _("Town or city"), "address-level2", "govuk-!-width-two-thirds"),
                    box("manual_postcode", _("Postcode"), "postal-code", "govuk-input--width-10"),
                ],
            },
        }

    def error_anchor(self, bound_field: QuestionBoundField) -> str:
        part = self.part_in_error(bound_field)
        if part in MANUAL_PARTS:
            return f"{bound_field.auto_id}-{part}"
        has_list = bool(self.search(bound_field).properties)
        listed = part in ("uprn", "lookup") and has_list
        return f"{bound_field.auto_id}-{'uprn' if listed else 'postcode'}"


class LocationField(AddressField):
    """Where something is: an address found by postcode or typed by hand, or the resident's
    own description.

    Cleaned to {uprn (None without an address from the list), address, postcode, description},
    with entered_by_hand and the lines for an address typed by hand."""

    widget = LocationWidget
    template_name = "flows/questions/location.html"
    code = "location"

    def to_python(self, value: Any) -> dict[str, Any] | None:
        parts = self.prepare_value(value)
        search = self.search_for(parts)
        description = clean_text(parts.get("description", ""))
        manual = is_manual(parts)
        if not (search.typed or search.uprn or description or manual):
            return None
        if len(description) > DESCRIPTION_MAX:
            raise ValidationError(
                format_lazy(
                    _("The description must be {max} characters or fewer"), max=DESCRIPTION_MAX
                ),
                code="description_too_long",
            )
        if manual:
            problems = manual_problems(parts)
            if problems:
                raise manual_error(problems, self.code)
            answer = manual_answer(parts)
            del answer["ward"]
            return {**answer, "description": description}
        if search.uprn or not description:
            problem = search.problem
            if problem:
                part, message = problem
                raise ValidationError(
                    CHOOSE_OR_DESCRIBE if part in ("uprn", "lookup") else message,
                    code=f"location_{part}",
                )
            place = search.chosen
            assert place is not None  # no problem: an address is chosen
            return {
                "uprn": place.uprn,
                "address": place.single_line,
                "postcode": place.postcode,
                "description": description,
            }
        return {
            "uprn": None,
            "address": "",
            "postcode": search.postcode,
            "description": description,
        }

    def manual_parts_in_error(self, bound_field: QuestionBoundField) -> dict[str, str]:
        parts = self.prepare_value(bound_field.value())
        if len(clean_text(parts.get("description", ""))) > DESCRIPTION_MAX:
            return {}  # the description's message is the one shown
        return super().manual_parts_in_error(bound_field)

    def part_in_error(self, bound_field: QuestionBoundField) -> str:
        if not bound_field.errors:
            return ""
        parts = self.prepare_value(bound_field.value())
        description = clean_text(parts.get("description", ""))
        if len(description) > DESCRIPTION_MAX:
            return "description"
        if self.manual_parts_in_error(bound_field):
            return super().part_in_error(bound_field)
        if not (parts.get("postcode") or "").strip() and not (parts.get("uprn") or "").strip():
            return "postcode"
        problem = self.search(bound_field).problem
        return problem[0] if problem else "postcode"

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        parts = self.prepare_value(bound_field.value())
        base_id = bound_field.auto_id
        return {
            **super().template_context(bound_field),
            "description": {
                "id": f"{base_id}-description",
                "name": f"{bound_field.html_name}-description",
                "value": parts.get("description", ""),
                "error": self.part_in_error(bound_field) == "description",
            },
        }

    def error_anchor(self, bound_field: QuestionBoundField) -> str:
        if self.part_in_error(bound_field) == "description":
            return f"{bound_field.auto_id}-description"
        return super().error_anchor(bound_field)
