"""The question types editors put on a flow's question pages.

Every question has a label, an answer name (the key handlers and conditions use), a hint, a
required flag and its own error messages; each type adds its rules. The runtime turns a question
into a Django form field with `forms.flows.questions.build_field`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import BlockGroup

from forms.flows.handlers import lookups

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANSWER_NAME = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$",
    _("Use lower-case letters, numbers and underscores, starting with a letter."),
)


class IdentifierBlock(blocks.CharBlock):
    """A name code refers to (an answer name, a page address): never offered for translation,
    so a translated flow keeps working with the same conditions, fee rules and look-ups."""

    def get_translatable_segments(self, value: str) -> list:
        return []


def lookup_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", _("None")), *lookups.get_choices()]


def lookup_block() -> blocks.ChoiceBlock:
    """A question's optional check against council records (a registered look-up)."""
    return blocks.ChoiceBlock(
        label=_("Check the answer with"), choices=lookup_choices, required=False
    )


def with_advanced(block: blocks.StructBlock, advanced: list[str]) -> BlockGroup:
    """The block's fields, with `advanced` ones in Wagtail's collapsed settings area: what
    the site works out by itself and an editor rarely needs to change."""
    names = list(block.child_blocks)
    return BlockGroup(
        children=[name for name in names if name not in advanced],
        settings=[name for name in advanced if name in names],
    )


class QuestionBlock(blocks.StructBlock):
    """What every question has."""

    label = blocks.CharBlock(
        label=_("Question"),
        max_length=200,
        help_text=_(
            "Residents see this above the answer box, or as the page heading when it is the "
            "only question on the page. Ask for one thing: 'What is your full name?'"
        ),
    )
    name = IdentifierBlock(
        label=_("Answer name"),
        required=False,
        default="",
        max_length=50,
        validators=[ANSWER_NAME],
        help_text=_(
            "Made from the question when you save, such as 'full_name'. Residents never see "
            "it; conditions, fees and the requests' downloads use it, so it stays the same "
            "when the question's wording changes."
        ),
    )
    hint = blocks.TextBlock(
        label=_("Hint"),
        required=False,
        default="",
        max_length=400,
        help_text=_(
            "Residents see this in grey under the question. Leave it empty if the "
            "question is clear on its own."
        ),
    )
    required = blocks.BooleanBlock(
        label=_("Residents must answer"),
        required=False,
        default=True,
        help_text=_("If not ticked, add '(optional)' to the question."),
    )
    required_message = blocks.CharBlock(
        label=_("Error if left empty"),
        required=False,
        default="",
        max_length=200,
        help_text=_(
            "Residents see this in red if they leave it empty. Say what to do, such as "
            "'Enter your full name'."
        ),
    )
    staff_need = blocks.BooleanBlock(
        label=_("Staff need this answer"),
        required=False,
        default=True,
        help_text=_(
            "Untick it if nobody at the council reads this answer. The checks then tell you "
            "when nothing in the flow (a condition or a fee) uses it, so you can remove it."
        ),
    )

    ADVANCED: ClassVar[list[str]] = ["name", "staff_need", "pattern", "lookup"]

    def get_form_layout(self) -> BlockGroup:
        return with_advanced(self, self.ADVANCED)

    class Meta:
        icon = "form"
        form_classname = "struct-block question-block"


class RuleMessageMixin(blocks.StructBlock):
    rule_message = blocks.CharBlock(
        label=_("Error if a rule is broken"),
        required=False,
        default="",
        max_length=200,
        help_text=_("Your own message, such as 'Full name must be 70 characters or fewer'."),
    )


class ShortTextBlock(RuleMessageMixin, QuestionBlock):
    min_length = blocks.IntegerBlock(label=_("Shortest answer"), required=False, min_value=0)
    max_length = blocks.IntegerBlock(
        label=_("Longest answer"), required=False, min_value=1, default=200
    )
    pattern = IdentifierBlock(
        label=_("Pattern (regular expression)"),
        required=False,
        default="",
        max_length=200,
        help_text=_("For a developer to fill in, such as '^[A-Z]{2}[0-9]{8}$'."),
    )
    width = blocks.ChoiceBlock(
        label=_("Box width"),
        choices=[("full", _("Full")), ("20", _("20 characters")), ("10", _("10 characters"))],
        default="full",
    )
    lookup = lookup_block()

    class Meta:
        icon = "pilcrow"
        label = _("Short text")


class LongTextBlock(RuleMessageMixin, QuestionBlock):
    max_length = blocks.IntegerBlock(
        label=_("Longest answer"), required=False, min_value=1, default=1200
    )

    class Meta:
        icon = "doc-full"
        label = _("Long text")


class EmailBlock(QuestionBlock):
    class Meta:
        icon = "mail"
        label = _("Email address")


class UKPhoneBlock(QuestionBlock):
    class Meta:
        icon = "mobile-alt"
        label = _("UK phone number")


class ContactPreferenceBlock(QuestionBlock):
    class Meta:
        icon = "mail"
        label = _("How to hear from us (email, text message or no updates)")
        help_text = _(
            "Residents tick Email, Text message or both and give the address or UK mobile "
            "number, or tick 'I do not want updates'. The confirmation and status updates go "
            "by what they chose, and they track the request with that address or number. "
            "Ask it once, on the contact page, instead of an email address question: "
            "'How would you like to hear about your request?'"
        )


class WholeNumberBlock(RuleMessageMixin, QuestionBlock):
    min_value = blocks.IntegerBlock(label=_("Smallest"), required=False)
    max_value = blocks.IntegerBlock(label=_("Largest"), required=False)
    lookup = lookup_block()

    class Meta:
        icon = "order"
        label = _("Whole number")


class MoneyBlock(RuleMessageMixin, QuestionBlock):
    min_amount = blocks.DecimalBlock(
        label=_("Smallest amount (£)"), required=False, min_value=0, decimal_places=2
    )
    max_amount = blocks.DecimalBlock(
        label=_("Largest amount (£)"), required=False, min_value=0, decimal_places=2
    )

    class Meta:
        icon = "tag"
        label = _("Money")


class DateBlock(RuleMessageMixin, QuestionBlock):
    must_be = blocks.ChoiceBlock(
        label=_("The date must be"),
        choices=[
            ("any", _("Any date")),
            ("past", _("In the past")),
            ("today_or_past", _("Today or in the past")),
            ("future", _("In the future")),
            ("today_or_future", _("Today or in the future")),
        ],
        default="any",
    )
    earliest = blocks.DateBlock(label=_("Earliest date"), required=False)
    latest = blocks.DateBlock(label=_("Latest date"), required=False)

    class Meta:
        icon = "date"
        label = _("Date")


class OptionBlock(blocks.StructBlock):
    label = blocks.CharBlock(
        label=_("Option"), max_length=200, help_text=_("Residents see this next to its button.")
    )
    hint = blocks.CharBlock(
        label=_("Hint"),
        required=False,
        default="",
        max_length=200,
        help_text=_("Residents see this in grey under the option."),
    )
    # Conditions name an option by its key, never its wording: rewording or translating an
    # option keeps every branch that depends on it.
    key = IdentifierBlock(
        label=_("Option key"),
        required=False,
        default="",
        max_length=50,
        help_text=_(
            "Made from the option's first wording when you save; conditions use it. "
            "It stays the same when the wording changes or is translated."
        ),
    )

    def get_form_layout(self) -> BlockGroup:
        return with_advanced(self, ["key"])


class ChoiceQuestionBlock(QuestionBlock):
    options = blocks.ListBlock(OptionBlock(), label=_("Options"), min_num=1)


class RadiosBlock(ChoiceQuestionBlock):
    class Meta:
        icon = "radio-full"
        label = _("Radios (choose one)")


class CheckboxesBlock(ChoiceQuestionBlock):
    class Meta:
        icon = "tasks"
        label = _("Checkboxes (choose any)")


class SelectBlock(ChoiceQuestionBlock):
    class Meta:
        icon = "list-ul"
        label = _("Select (drop-down list)")


class YesNoBlock(QuestionBlock):
    class Meta:
        icon = "radio-empty"
        label = _("Yes or no")


class QuantityBlock(RuleMessageMixin, QuestionBlock):
    min_value = blocks.IntegerBlock(label=_("Smallest"), default=1, min_value=0)
    max_value = blocks.IntegerBlock(label=_("Largest"), required=False, min_value=1)
    unit = blocks.CharBlock(
        label=_("Unit"),
        required=False,
        default="",
        max_length=30,
        help_text=_("Such as 'items' or 'bins'."),
    )

    class Meta:
        icon = "plus"
        label = _("Quantity")


class AddressBlock(QuestionBlock):
    lookup = lookup_block()

    class Meta:
        icon = "home"
        label = _("Address (postcode, then choose)")


class LocationBlock(QuestionBlock):
    class Meta:
        icon = "site"
        label = _("Location (an address or a description)")


class FileUploadBlock(QuestionBlock):
    max_size_mb = blocks.IntegerBlock(
        label=_("Largest file (MB)"), default=10, min_value=1, max_value=20
    )
    allow_images = blocks.BooleanBlock(label=_("Photos (JPG, PNG)"), required=False, default=True)
    allow_pdf = blocks.BooleanBlock(label=_("PDF documents"), required=False, default=True)

    class Meta:
        icon = "doc-full-inverse"
        label = _("File upload")


class DeclarationBlock(QuestionBlock):
    statement = blocks.TextBlock(
        label=_("What the resident confirms"),
        max_length=600,
        help_text=_("Such as 'The information I have given is correct.'"),
    )

    class Meta:
        icon = "tick-inverse"
        label = _("Declaration")


class QuestionsBlock(blocks.StreamBlock):
    """The questions on one question page (a new page starts with one short text question,
    so an editor starts by writing it rather than meeting an error)."""

    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    email = EmailBlock()
    uk_phone = UKPhoneBlock()
    contact_preference = ContactPreferenceBlock()
    whole_number = WholeNumberBlock()
    money = MoneyBlock()
    date = DateBlock()
    radios = RadiosBlock()
    checkboxes = CheckboxesBlock()
    select = SelectBlock()
    yes_no = YesNoBlock()
    quantity = QuantityBlock()
    address = AddressBlock()
    location = LocationBlock()
    file_upload = FileUploadBlock()
    declaration = DeclarationBlock()

    def get_default(self) -> Any:
        # Through to_python, which gives every field of the question its own default
        # (a default given as data would leave them empty, and the editor shows "undefined").
        return self.to_python([{"type": "short_text", "value": {}}])

    class Meta:
        min_num = 1
