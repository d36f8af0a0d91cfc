"""A flow's steps: question pages and end points, each optionally shown only after an answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import BlockGroup

from core.richtext import RICH_TEXT_FEATURES
from forms.flows.questions.blocks import IdentifierBlock, QuestionsBlock, with_advanced

STEP_NAME = RegexValidator(
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    _("Use lower-case letters, numbers and hyphens, such as 'your-details'."),
)


class ConditionQuestionBlock(IdentifierBlock):
    """The answer name of the earlier question a condition depends on. The editor chooses it
    from a list of the questions before the step (static/flows/flow_editor.js); it is kept as
    the answer name, which never changes with a question's wording or language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.field.widget.attrs.update({"data-flow-condition-question": ""})


class OptionKeysBlock(blocks.FieldBlock):
    """The keys of the options a condition looks for, kept as a list. The editor ticks them
    from the chosen question's options (static/flows/flow_editor.js), so nobody types an
    option's wording; the form field carries them as one comma-separated value."""

    def __init__(self, **kwargs: Any) -> None:
        self.field = forms.CharField(
            required=False,
            widget=forms.TextInput(attrs={"data-flow-condition-options": ""}),
        )
        super().__init__(**kwargs)

    def get_default(self) -> list[str]:
        return []

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return [str(key) for key in value or []]

    def get_prep_value(self, value: Any) -> list[str]:
        return self.to_python(value)

    def value_for_form(self, value: Any) -> str:
        return ",".join(self.to_python(value))

    def value_from_form(self, value: Any) -> list[str]:
        return self.to_python(value)

    def clean(self, value: Any) -> list[str]:
        return self.to_python(value)

    def get_translatable_segments(self, value: Any) -> list:
        return []


class ConditionBlock(blocks.StructBlock):
    """Show a step only when an earlier answer is (or is not) one of some options."""

    question = ConditionQuestionBlock(
        label=_("Only show this if the answer to"),
        required=False,
        default="",
        max_length=50,
        help_text=_("Choose an earlier question. Leave it empty to show this to everyone."),
    )
    options = OptionKeysBlock(
        label=_("is one of"),
        required=False,
        help_text=_("Tick the answers that lead here."),
    )
    negate = blocks.BooleanBlock(
        label=_("Show it when the answer is NOT one of these"), required=False, default=False
    )

    class Meta:
        icon = "cog"
        label = _("Condition")
        form_classname = "struct-block condition-block"


def step_name_block() -> IdentifierBlock:
    return IdentifierBlock(
        label=_("Web address of this page"),
        required=False,
        default="",
        max_length=50,
        validators=[STEP_NAME],
        help_text=_(
            "Made from the page's question when you save, such as 'which-bins'. It ends the "
            "page's web address. If you change it once the flow is live, the old address "
            "keeps working for residents part-way through."
        ),
    )


def former_names_block() -> IdentifierBlock:
    return IdentifierBlock(
        label=_("Earlier web addresses"),
        required=False,
        default="",
        max_length=500,
        help_text=_(
            "Kept by the site when a live page's address changes, so links residents already "
            "have still work. Separated by spaces."
        ),
    )


class QuestionStepBlock(blocks.StructBlock):
    """One question page: a heading and one or more questions."""

    name = step_name_block()
    heading = blocks.CharBlock(
        label=_("Page heading"),
        required=False,
        default="",
        max_length=200,
        help_text=_("Leave empty on a page with one question: the question is the heading."),
    )
    intro = blocks.RichTextBlock(
        label=_("Text above the questions"), required=False, features=RICH_TEXT_FEATURES
    )
    questions = QuestionsBlock(label=_("Questions"))
    show_if = ConditionBlock(label=_("Condition"), required=False)
    former_names = former_names_block()

    def get_form_layout(self) -> BlockGroup:
        return with_advanced(self, ["name", "former_names"])

    class Meta:
        icon = "form"
        label = _("Question page")


class EndPointBlock(blocks.StructBlock):
    """A page where the flow stops, such as "You cannot use this service" or "Call us instead"."""

    SUCCESS = "success"
    NOT_SUCCESS = "not_success"

    name = step_name_block()
    heading = blocks.CharBlock(
        label=_("Heading"),
        max_length=200,
        help_text=_(
            "Residents see this as the page heading, such as 'You cannot use this service'."
        ),
    )
    reason = blocks.RichTextBlock(
        label=_("Reason and what to do instead"), features=RICH_TEXT_FEATURES
    )
    # The reports count a journey that stops here as completed only when the resident got what
    # they came for (an answer); "you can't use this service" is an honest stop, not a success.
    outcome = blocks.ChoiceBlock(
        label=_("Outcome"),
        choices=[
            (NOT_SUCCESS, _("Can't use this service (not a success)")),
            (SUCCESS, _("Answer given (success)")),
        ],
        default=NOT_SUCCESS,
        required=False,
        help_text=_(
            "Choose 'answer given' if someone who stops here has what they came for. "
            "The completion rate counts those as completed; the others are not."
        ),
    )
    show_if = ConditionBlock(label=_("Condition"))
    former_names = former_names_block()

    def get_form_layout(self) -> BlockGroup:
        return with_advanced(self, ["name", "former_names"])

    class Meta:
        icon = "warning"
        label = _("End point")


class StepsBlock(blocks.StreamBlock):
    question_page = QuestionStepBlock()
    end_point = EndPointBlock()

    class Meta:
        min_num = 1
