"""How the resident wants to hear about their request: by email, by text message, both, or not
at all (GOV.UK's checkboxes with a conditionally revealed box each, and an exclusive "or" box).

Posted as `<name>` (the boxes ticked: "email", "sms", "none"), `<name>-email` and
`<name>-mobile`. Without JavaScript every revealed box shows; only the boxes whose option is
ticked are checked and kept. Cleaned to {"channels": [...], "email": ..., "mobile": ...}: the
channels in the order "email", "sms" (empty for "no updates"), the mobile in E.164.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forms.flows.questions.boundfield import QuestionBoundField
from forms.flows.questions.fields import EMAIL_MESSAGE, OFCOM_DRAMA, QuestionField, clean_text

EMAIL = "email"
SMS = "sms"
NONE = "none"
CHANNELS = (EMAIL, SMS)
PARTS = ("email", "mobile")
LONGEST_EMAIL = 254
LONGEST_MOBILE = 40

SELECT_HOW = _("Select how you would like to hear from us")
ENTER_EMAIL = _("Enter your email address")
ENTER_MOBILE = _("Enter a mobile phone number, like 07700 900 982")
MOBILE_MESSAGE = _("Enter a mobile phone number, like 07700 900 982")
NONE_AND_CHANNEL = _('Select email or text message, or select "I do not want updates"')


def parse_mobile(text: str) -> str:
    """A UK mobile number as typed ('07700 900 123', '+44 7700 900123') in E.164
    ('+447700900123'); '' when it is not one."""
    text = clean_text(text)
    if not text or len(text) > LONGEST_MOBILE or "\x00" in text:
        return ""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return ""
    national = str(number.national_number)
    if number.country_code != 44:
        return ""
    drama = bool(OFCOM_DRAMA.match(national)) and national.startswith("7")
    is_mobile = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    if not (drama or (phonenumbers.is_valid_number(number) and is_mobile)):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_mobile(e164: str) -> str:
    """'+447700900123' as a resident writes it: '07700 900123'."""
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    # phonenumbers writes a mobile '07700 900123'; GOV.UK's '07700 900 123' reads more easily.
    digits = national.replace(" ", "")
    if len(digits) == 11 and digits.startswith("07"):
        return f"{digits[:5]} {digits[5:8]} {digits[8:]}"
    return national


def display_lines(stored: dict[str, Any]) -> list[str]:
    """The answer as the resident reads it back, a line a channel."""
    channels = stored.get("channels") or []
    lines = []
    if EMAIL in channels and stored.get("email"):
        lines.append(gettext("By email: %(email)s") % {"email": stored["email"]})
    if SMS in channels and stored.get("mobile"):
        lines.append(
            gettext("By text message: %(mobile)s") % {"mobile": national_mobile(stored["mobile"])}
        )
    return lines or [gettext("No updates: track it by its reference")]


class ContactPreferenceWidget(forms.Widget):
    use_fieldset = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, Any]:
        chosen = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        if isinstance(chosen, str):
            chosen = [chosen]
        value: dict[str, Any] = {"chosen": [str(c) for c in chosen]}
        for part in PARTS:
            typed = data.get(f"{name}-{part}", "")
            value[part] = typed if isinstance(typed, str) else ""
        return value

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and all(f"{name}-{part}" not in data for part in PARTS)

    def id_for_label(self, id_: str) -> str:
        return id_


class ContactPreferenceField(QuestionField):
    """Email, text message, both, or no updates; each channel's box checked only when ticked."""

    widget = ContactPreferenceWidget
    template_name = "flows/questions/contact_preference.html"
    input_classes = ""
    input_error_class = ""

    def prepare_value(self, value: Any) -> dict[str, Any]:
        """What the page shows: the posted value, or a stored answer shown again."""
        if isinstance(value, dict) and "channels" in value:  # a stored answer
            channels = list(value.get("channels") or [])
            return {
                "chosen": channels or [NONE],
                "email": value.get("email") or "",
                "mobile": national_mobile(value["mobile"]) if value.get("mobile") else "",
            }
        if not isinstance(value, dict):
            return {"chosen": [], "email": "", "mobile": ""}
        chosen = value.get("chosen") or []
        return {
            "chosen": [str(c) for c in chosen] if isinstance(chosen, list) else [],
            "email": str(value.get("email") or ""),
            "mobile": str(value.get("mobile") or ""),
        }

    def problems(self, parts: dict[str, Any]) -> list[tuple[str, Any]]:
        """(part, message) for what is wrong: "chosen", "email" or "mobile"."""
        chosen = set(parts["chosen"])
        if chosen - {EMAIL, SMS, NONE}:
            return [("chosen", SELECT_HOW)]
        if NONE in chosen and chosen & {EMAIL, SMS}:
            return [("chosen", NONE_AND_CHANNEL)]
        problems: list[tuple[str, Any]] = []
        if EMAIL in chosen:
            email = clean_text(parts["email"])
            if not email:
                problems.append(("email", ENTER_EMAIL))
            elif not is_email(email):
                problems.append(("email", EMAIL_MESSAGE))
        if SMS in chosen:
            mobile = clean_text(parts["mobile"])
            if not mobile:
                problems.append(("mobile", ENTER_MOBILE))
            elif not parse_mobile(mobile):
                problems.append(("mobile", MOBILE_MESSAGE))
        return problems

    def to_python(self, value: Any) -> dict[str, Any] | None:
        parts = self.prepare_value(value)
        if not parts["chosen"]:
            return None  # "required" says what to do
        problems = self.problems(parts)
        if problems:
            raise ValidationError(
                [ValidationError(message, code=f"contact_{part}") for part, message in problems]
            )
        channels = [c for c in CHANNELS if c in parts["chosen"]]
        answer: dict[str, Any] = {"channels": channels}
        if EMAIL in channels:
            answer["email"] = clean_text(parts["email"])
        if SMS in channels:
            answer["mobile"] = parse_mobile(parts["mobile"])
        return answer

    # rendering

    def problems_shown(self, bound_field: QuestionBoundField) -> dict[str, str]:
        if not bound_field.errors:
            return {}
        parts = self.prepare_value(bound_field.value())
        if not parts["chosen"]:
            return {"chosen": str(bound_field.errors[0])}
        return {part: str(message) for part, message in self.problems(parts)}

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        parts = self.prepare_value(bound_field.value())
        shown = self.problems_shown(bound_field)
        base_id, base_name = bound_field.auto_id, bound_field.html_name
        chosen = set(parts["chosen"])
        # The first message takes the id the fieldset's aria-describedby names.
        first = next((part for part in ("chosen", *PARTS) if part in shown), "")

        def box(part: str, label: Any, hint: Any, input_type: str, autocomplete: str) -> Any:
            return {
                "id": f"{base_id}-{part}",
                "name": f"{base_name}-{part}",
                "label": label,
                "hint": hint,
                "hint_id": f"{base_id}-{part}-hint",
                "type": input_type,
                "autocomplete": autocomplete,
                "value": clean_text(parts[part])[:LONGEST_EMAIL],
                "error": shown.get(part, ""),
                "error_id": bound_field.error_id if part == first else f"{base_id}-{part}-error",
            }

        return {
            "chosen_error": "chosen" in shown,
            "items": [
                {
                    "id": base_id,
                    "value": EMAIL,
                    "label": _("Email"),
                    "checked": EMAIL in chosen,
                    "conditional_id": f"conditional-{base_id}",
                    "box": box("email", _("Email address"), "", "email", "email"),
                },
                {
                    "id": f"{base_id}-2",
                    "value": SMS,
                    "label": _("Text message"),
                    "checked": SMS in chosen,
                    "conditional_id": f"conditional-{base_id}-2",
                    "box": box(
                        "mobile",
                        _("UK mobile phone number"),
                        _("For example, 07700 900 982"),
                        "tel",
                        "tel",
                    ),
                },
            ],
            "none": {
                "id": f"{base_id}-3",
                "value": NONE,
                "label": _("I do not want updates"),
                "hint": _("You can still quote your reference if you contact us"),
                "hint_id": f"{base_id}-3-item-hint",
                "checked": NONE in chosen,
            },
        }

    def error_anchors(self, bound_field: QuestionBoundField) -> list[str]:
        """Each message's box, in the order of the messages."""
        parts = self.prepare_value(bound_field.value())
        if not parts["chosen"]:
            return [bound_field.auto_id] * len(bound_field.errors)
        return [
            f"{bound_field.auto_id}-{part}" if part in PARTS else bound_field.auto_id
            for part, _message in self.problems(parts)
        ]

    def error_anchor(self, bound_field: QuestionBoundField) -> str:
        shown = self.problems_shown(bound_field)
        if "email" in shown:
            return f"{bound_field.auto_id}-email"
        if "mobile" in shown:
            return f"{bound_field.auto_id}-mobile"
        return bound_field.auto_id


def is_email(text: str) -> bool:
    if len(text) > LONGEST_EMAIL or "\x00" in text:
        return False
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True
