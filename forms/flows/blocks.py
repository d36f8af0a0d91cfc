"""A flow's steps: question pages and end points, each optionally shown only after an answer."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from core.richtext import RICH_TEXT_FEATURES
from forms.flows.questions.blocks import IdentifierBlock, QuestionsBlock

STEP_NAME = RegexValidator(
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    _("Use lower-case letters, numbers and hyphens, such as 'your-details'."),
)


class ConditionBlock(blocks.StructBlock):
    """Show a step only when an earlier answer is (or is not) a given value."""

    question = IdentifierBlock(
        label=_("Only show this if the answer to"),
        required=False,
        default="",
        max_length=50,
        help_text=_("The answer name of an earlier question, such as 'has_crime_number'."),
    )
    answer = blocks.CharBlock(
        label=_("is"),
        required=False,
        default="",
        max_length=200,
        help_text=_("The option exactly as written, or 'yes' or 'no' for a yes or no question."),
    )
    negate = blocks.BooleanBlock(
        label=_("Show it when the answer is NOT this"), required=False, default=False
    )

    class Meta:
        icon = "cog"
        label = _("Condition")
        form_classname = "struct-block condition-block"


class QuestionStepBlock(blocks.StructBlock):
    """One question page: a heading and one or more questions."""

    name = IdentifierBlock(
        label=_("Web address of this page"),
        max_length=50,
        validators=[STEP_NAME],
        help_text=_("Such as 'your-details'. It ends this page's web address."),
    )
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

    class Meta:
        icon = "form"
        label = _("Question page")


class EndPointBlock(blocks.StructBlock):
    """A page where the flow stops, such as "You cannot use this service" or "Call us instead"."""

    SUCCESS = "success"
    NOT_SUCCESS = "not_success"

    name = IdentifierBlock(
        label=_("Web address of this page"), max_length=50, validators=[STEP_NAME]
    )
    heading = blocks.CharBlock(label=_("Heading"), max_length=200)
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

    class Meta:
        icon = "warning"
        label = _("End point")


class StepsBlock(blocks.StreamBlock):
    question_page = QuestionStepBlock()
    end_point = EndPointBlock()

    class Meta:
        min_num = 1
