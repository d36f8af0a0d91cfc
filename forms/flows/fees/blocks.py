"""The fee rules editors fill in on a flow: price lists, each with its rules.

Where a rule names a question or an option, the editor chooses it rather than types it: the
question and option fields are the condition's own blocks (`ConditionQuestionBlock`,
`OptionKeysBlock`), so the script that turns a condition's fields into lists of the flow's
questions and options (static/flows/flow_editor.js) serves the fee rules too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from forms.flows.blocks import ConditionQuestionBlock, OptionKeysBlock
from forms.flows.conditions import CHOICE_TYPES, NUMBER_TYPES

# The question types whose answers are options: a choice, or a number with a short range (each
# number an option, as conditions read them), such as a lower price for 3 bins than 3 x 1.
OPTION_TYPES = sorted(CHOICE_TYPES | NUMBER_TYPES)


def pounds_block(label: Any, help_text: Any = "") -> blocks.DecimalBlock:
    """An amount in pounds and pence, such as 12.50; the rules work in whole pence."""
    return blocks.DecimalBlock(
        label=label, help_text=help_text, min_value=0, max_digits=8, decimal_places=2
    )


class FeeQuestionBlock(ConditionQuestionBlock):
    """The question a fee rule reads, chosen from the flow's questions like a condition's (it
    keeps the condition's data attribute). `kinds` (`data-flow-question-kinds`) tells the
    script which types of question can be chosen; a fee may read any question in the flow,
    not only those before a step."""

    def __init__(self, kinds: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if kinds:
            self.field.widget.attrs["data-flow-question-kinds"] = " ".join(kinds)


class FixedFeeBlock(blocks.StructBlock):
    description = blocks.CharBlock(
        label=_("What residents see"), max_length=200, help_text=_("Such as 'Blue Badge'.")
    )
    amount = pounds_block(_("Amount (£)"))

    class Meta:
        icon = "tag"
        label = _("Fixed amount")


class PerUnitFeeBlock(blocks.StructBlock):
    # The kinds are sorted so that the migrations Wagtail writes for this block never change.
    question = FeeQuestionBlock(
        kinds=sorted(NUMBER_TYPES),
        label=_("For each of the answer to"),
        max_length=50,
        help_text=_("Choose a whole-number or quantity question, such as 'How many bins?'"),
    )
    amount = pounds_block(_("Amount for each (£)"))
    most = blocks.IntegerBlock(
        label=_("Most a resident can ask for"),
        min_value=1,
        help_text=_("A larger answer is refused. Make it the question's largest answer."),
    )
    unit = blocks.CharBlock(
        label=_("One of them is called"),
        max_length=40,
        help_text=_("Such as 'bin'. Residents see '1 bin at £22'."),
    )
    units = blocks.CharBlock(
        label=_("More than one are called"),
        max_length=40,
        help_text=_("Such as 'bins'. Residents see '3 bins at £22 each'."),
    )

    class Meta:
        icon = "plus"
        label = _("Amount for each")


class OptionPriceBlock(blocks.StructBlock):
    options = OptionKeysBlock(
        label=_("When the answer is"), help_text=_("Tick the answers that cost this amount.")
    )
    amount = pounds_block(_("Amount (£)"), _("0 if it is free."))


class OptionFeeBlock(blocks.StructBlock):
    question = FeeQuestionBlock(
        kinds=OPTION_TYPES, label=_("The amount depends on the answer to"), max_length=50
    )
    description = blocks.CharBlock(
        label=_("What residents see before their answer"),
        required=False,
        default="",
        max_length=200,
        help_text=_("Such as 'Collection size'. Leave it empty to show the answer alone."),
    )
    prices = blocks.ListBlock(OptionPriceBlock(), label=_("Amounts"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Amount by answer")


class ConcessionBlock(blocks.StructBlock):
    question = FeeQuestionBlock(
        kinds=OPTION_TYPES, label=_("A concession if the answer to"), max_length=50
    )
    options = OptionKeysBlock(label=_("is one of"), help_text=_("Tick the answers that qualify."))
    percent_off = blocks.IntegerBlock(
        label=_("Percentage off the total"),
        min_value=1,
        max_value=100,
        help_text=_("50 for half price, 100 for free."),
    )
    description = blocks.CharBlock(
        label=_("What residents see"),
        max_length=200,
        help_text=_("Such as 'Half price: you receive council tax reduction'."),
    )

    class Meta:
        icon = "pick"
        label = _("Concession")


class FeeRuleBlock(blocks.StreamBlock):
    fixed = FixedFeeBlock()
    per_unit = PerUnitFeeBlock()
    by_option = OptionFeeBlock()
    concession = ConcessionBlock()


class PriceListBlock(blocks.StructBlock):
    applies_from = blocks.DateBlock(
        label=_("These prices apply from"),
        required=False,
        help_text=_(
            "Leave it empty for prices that apply until another price list takes over. Fees "
            "usually change on 1 April: add next year's prices with that date, and they take "
            "over on the day."
        ),
    )
    rules = FeeRuleBlock(label=_("What residents pay"))

    class Meta:
        icon = "tag"
        label = _("Price list")


class FeeRulesBlock(blocks.StreamBlock):
    """A flow's price lists; the one in force is the latest that has started."""

    price_list = PriceListBlock()
