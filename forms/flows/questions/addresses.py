"""Address and location: a postcode, a "Find address" button, then a list of the council's
addresses in that postcode to choose from. Both actions post the same page; the runtime sees
`find_address` (whose value is the field's html name) and shows the page again with the list."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from forms.flows.questions.boundfield import QuestionBoundField
from forms.flows.questions.fields import QuestionField, clean_text
from forms.places.models import Property, normalise_postcode

POSTCODE_MESSAGE = _("Enter a full UK postcode, like FE1 1AA")
NO_ADDRESSES = _("We could not find any addresses for that postcode. Check it and try again")
SELECT_ADDRESS = _("Select your address")
CHOOSE_OR_DESCRIBE = _("Choose an address or describe where it is")
DESCRIPTION_MAX = 1200

# The messages that only ask the resident to pick from the list: after "Find address" the
# runtime hides them (the list has only just appeared).
CHOOSE_ADDRESS_MESSAGES = (SELECT_ADDRESS, CHOOSE_OR_DESCRIBE)


class AddressSearch:
    """A typed postcode, the council's addresses in it and the one chosen (by UPRN)."""

    def __init__(self, typed: str, uprn: str) -> None:
        self.typed = typed.strip()
        self.uprn = uprn.strip()

    @cached_property
    def postcode(self) -> str:
        return normalise_postcode(self.typed)

    @cached_property
    def properties(self) -> list[Property]:
        return list(Property.in_postcode(self.postcode)) if self.postcode else []

    @cached_property
    def chosen(self) -> Property | None:
        return next((p for p in self.properties if str(p.uprn) == self.uprn), None)

    @property
    def problem(self) -> tuple[str, Any] | None:
        """(part at fault, message), or None when an address of this postcode is chosen."""
        if not self.typed:
            return "postcode", _("Enter a postcode")
        if not self.postcode:
            return "postcode", POSTCODE_MESSAGE
        if not self.properties:
            return "postcode", NO_ADDRESSES
        if self.chosen is None:
            return "uprn", SELECT_ADDRESS
        return None


def address_answer(place: Property) -> dict[str, Any]:
    return {
        "uprn": place.uprn,
        "address": place.single_line,
        "postcode": place.postcode,
        "ward": place.ward,
    }


class AddressWidget(forms.Widget):
    """A postcode box and a list of addresses, posted as `<name>-postcode` and `<name>-uprn`."""

    use_fieldset = True
    parts: tuple[str, ...] = ("postcode", "uprn")

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {part: str(data.get(f"{name}-{part}", "") or "") for part in self.parts}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}-{part}" not in data for part in self.parts)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-postcode" if id_ else id_


class LocationWidget(AddressWidget):
    parts = ("postcode", "uprn", "description")


class AddressField(QuestionField):
    """One of the council's addresses, cleaned to {uprn, address, postcode, ward}."""

    widget = AddressWidget
    template_name = "flows/questions/address.html"
    input_classes = ""
    input_error_class = ""

    def prepare_value(self, value: Any) -> dict[str, str]:
        """The boxes' values: what was posted, or a stored answer shown again."""
        if isinstance(value, dict) and "address" in value:  # a stored answer
            return {
                "postcode": value.get("postcode") or "",
                "uprn": "" if value.get("uprn") is None else str(value["uprn"]),
                "description": value.get("description") or "",
            }
        if not isinstance(value, dict):
            return {}
        return {part: str(text or "") for part, text in value.items()}

    def to_python(self, value: Any) -> dict[str, Any] | None:
        parts = self.prepare_value(value)
        search = AddressSearch(parts.get("postcode", ""), parts.get("uprn", ""))
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
            parts = self.prepare_value(bound_field.value())
            search = AddressSearch(parts.get("postcode", ""), parts.get("uprn", ""))
            bound_field._address_search = search
        return search

    def part_in_error(self, bound_field: QuestionBoundField) -> str:
        if not bound_field.errors:
            return ""
        problem = self.search(bound_field).problem
        return problem[0] if problem else "postcode"

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        search = self.search(bound_field)
        in_error = self.part_in_error(bound_field)
        base_id, base_name = bound_field.auto_id, bound_field.html_name
        return {
            "postcode": {
                "id": f"{base_id}-postcode",
                "name": f"{base_name}-postcode",
                "value": search.typed,
                "error": in_error == "postcode",
            },
            "uprn": {
                "id": f"{base_id}-uprn",
                "name": f"{base_name}-uprn",
                "error": in_error == "uprn",
            },
            "addresses": [
                {"uprn": p.uprn, "address": p.single_line, "selected": p == search.chosen}
                for p in search.properties
            ],
        }

    def error_anchor(self, bound_field: QuestionBoundField) -> str:
        part = self.part_in_error(bound_field)
        has_list = bool(self.search(bound_field).properties)
        return f"{bound_field.auto_id}-{'uprn' if part == 'uprn' and has_list else 'postcode'}"


class LocationField(AddressField):
    """Where something is: an address found by postcode, or the resident's own description.

    Cleaned to {uprn (None without an address), address, postcode, description}."""

    widget = LocationWidget
    template_name = "flows/questions/location.html"

    def to_python(self, value: Any) -> dict[str, Any] | None:
        parts = self.prepare_value(value)
        search = AddressSearch(parts.get("postcode", ""), parts.get("uprn", ""))
        description = clean_text(parts.get("description", ""))
        if not (search.typed or search.uprn or description):
            return None
        if len(description) > DESCRIPTION_MAX:
            raise ValidationError(
                format_lazy(
                    _("The description must be {max} characters or fewer"), max=DESCRIPTION_MAX
                ),
                code="description_too_long",
            )
        if search.uprn or not description:
            problem = search.problem
            if problem:
                part, message = problem
                raise ValidationError(
                    CHOOSE_OR_DESCRIBE if part == "uprn" else message, code=f"location_{part}"
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

    def part_in_error(self, bound_field: QuestionBoundField) -> str:
        if not bound_field.errors:
            return ""
        parts = self.prepare_value(bound_field.value())
        description = clean_text(parts.get("description", ""))
        if len(description) > DESCRIPTION_MAX:
            return "description"
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
