"""Fees as content: what residents pay, set by editors on a flow as price lists of rules.

A flow's fees are one or more *price lists*. The one in force is the list with the latest
"applies from" date on or before today (a list with no date always applies), so an editor can
enter next April's prices in advance and they take over on the day. A price list holds rules,
added up in order:

- a fixed amount, such as "Blue Badge: £10";
- an amount for each of a whole-number or quantity answer, up to a most ("£22 for each bin,
  up to 3 bins"); a larger answer is refused, as the coded fee handlers refuse one;
- an amount chosen by the answer to a choice question, one row for each option (or options);
- a concession: a percentage off the total when a choice answer is one of some options.

Rules name a question by its answer name and options by their keys, never by their wording, so
a translator or an editor who rewords an option cannot change a fee. Amounts are entered in
pounds and worked out in whole pence.

`rules_fee(page)` is what `FlowPage.fee_calculator()` returns for a flow with rules: the runtime
asks it for a quote, and the service page asks it for the cost in words (`service_cost`), so the
page and the flow never disagree. `fee_problems` is the whole-flow checks' part for the fees.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import blocks
from wagtail.models import Page

from core import dates
from core.money import format_pence
from forms.flows.blocks import ConditionQuestionBlock, OptionKeysBlock
from forms.flows.conditions import (
    CHOICE_TYPES,
    YES_NO_KEYS,
    FlowShape,
    Question,
    answer_keys,
    items,
    raw_steps,
    shape_of,
)
from forms.flows.handlers import FeeQuote

# The question types an amount "for each" can count.
NUMBER_TYPES = frozenset({"whole_number", "quantity"})
# The levels of the whole-flow checks (forms.flows.checks, which builds on this module, uses the
# same words).
ERROR = "error"
WARNING = "warning"


def today() -> datetime.date:
    """Today in the council's time zone: the day a price list starts is a UK date."""
    return timezone.localdate()


# the blocks editors fill in


def pounds_block(label: Any, help_text: Any = "") -> blocks.DecimalBlock:
    return blocks.DecimalBlock(
        label=label, help_text=help_text, min_value=0, max_digits=8, decimal_places=2
    )


class FeeQuestionBlock(ConditionQuestionBlock):
    """The question a fee rule reads: chosen from the flow's questions by the same script as a
    condition's question (it keeps the condition's data attribute), which offers only the
    question types in `kinds` (`data-flow-question-kinds`)."""

    def __init__(self, kinds: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if kinds:
            self.field.widget.attrs["data-flow-question-kinds"] = " ".join(sorted(kinds))


class FixedFeeBlock(blocks.StructBlock):
    description = blocks.CharBlock(
        label=_lazy := gettext_lazy("What residents see"),
        max_length=200,
        help_text=gettext_lazy("Such as 'Blue Badge'."),
    )
    amount = pounds_block(gettext_lazy("Amount (£)"))

    class Meta:
        icon = "tag"
        label = gettext_lazy("Fixed amount")


class PerUnitFeeBlock(blocks.StructBlock):
    question = FeeQuestionBlock(
        kinds=NUMBER_TYPES,
        label=gettext_lazy("For each of the answer to"),
        max_length=50,
        help_text=gettext_lazy("Choose a whole-number or quantity question, such as 'How many "
                               "bins?'"),
    )
    amount = pounds_block(gettext_lazy("Amount for each (£)"))
    most = blocks.IntegerBlock(
        label=gettext_lazy("Most a resident can ask for"),
        min_value=1,
        help_text=gettext_lazy("A larger answer is refused. Make it the question's largest "
                               "answer."),
    )
    unit = blocks.CharBlock(
        label=gettext_lazy("One of them is called"),
        max_length=40,
        help_text=gettext_lazy("Such as 'bin'. Residents see '1 bin at £22'."),
    )
    units = blocks.CharBlock(
        label=gettext_lazy("More than one are called"),
        max_length=40,
        help_text=gettext_lazy("Such as 'bins'. Residents see '3 bins at £22 each'."),
    )

    class Meta:
        icon = "plus"
        label = gettext_lazy("Amount for each")


class OptionPriceBlock(blocks.StructBlock):
    options = OptionKeysBlock(
        label=gettext_lazy("When the answer is"),
        help_text=gettext_lazy("Tick the answers that cost this amount."),
    )
    amount = pounds_block(gettext_lazy("Amount (£)"), gettext_lazy("0 if it is free."))


class OptionFeeBlock(blocks.StructBlock):
    question = FeeQuestionBlock(
        kinds=CHOICE_TYPES,
        label=gettext_lazy("The amount depends on the answer to"),
        max_length=50,
    )
    description = blocks.CharBlock(
        label=gettext_lazy("What residents see before their answer"),
        required=False,
        default="",
        max_length=200,
        help_text=gettext_lazy("Such as 'Collection size'. Leave it empty to show the answer "
                               "alone."),
    )
    prices = blocks.ListBlock(OptionPriceBlock(), label=gettext_lazy("Amounts"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = gettext_lazy("Amount by answer")


class ConcessionBlock(blocks.StructBlock):
    question = FeeQuestionBlock(
        kinds=CHOICE_TYPES,
        label=gettext_lazy("A concession if the answer to"),
        max_length=50,
    )
    options = OptionKeysBlock(
        label=gettext_lazy("is one of"), help_text=gettext_lazy("Tick the answers that qualify.")
    )
    percent_off = blocks.IntegerBlock(
        label=gettext_lazy("Percentage off the total"),
        min_value=1,
        max_value=100,
        help_text=gettext_lazy("50 for half price, 100 for free."),
    )
    description = blocks.CharBlock(
        label=gettext_lazy("What residents see"),
        max_length=200,
        help_text=gettext_lazy("Such as 'Half price: you receive council tax reduction'."),
    )

    class Meta:
        icon = "pick"
        label = gettext_lazy("Concession")


class FeeRuleBlock(blocks.StreamBlock):
    fixed = FixedFeeBlock()
    per_unit = PerUnitFeeBlock()
    by_option = OptionFeeBlock()
    concession = ConcessionBlock()


class PriceListBlock(blocks.StructBlock):
    applies_from = blocks.DateBlock(
        label=gettext_lazy("These prices apply from"),
        required=False,
        help_text=gettext_lazy(
            "Leave it empty for prices that apply until another price list takes over. Fees "
            "usually change on 1 April: add next year's prices with that date, and they take "
            "over on the day."
        ),
    )
    rules = FeeRuleBlock(label=gettext_lazy("What residents pay"))

    class Meta:
        icon = "tag"
        label = gettext_lazy("Price list")


class FeeRulesBlock(blocks.StreamBlock):
    """A flow's price lists; the one in force is the latest that has started."""

    price_list = PriceListBlock()


# The labels above are read when a block is made, in whatever language is active then;
# gettext_lazy keeps them translatable (the walrus above only shortens one line).
del _lazy


# the rules as plain data


def _pence(amount: Any) -> int | None:
    """An amount in pounds, as stored ("12.50", 12.5, Decimal), in whole pence."""
    if amount is None or amount == "":
        return None
    try:
        pounds = Decimal(str(amount))
    except InvalidOperation:
        return None
    return int((pounds * 100).to_integral_value(rounding=ROUND_HALF_UP))


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def _keys(value: Any) -> list[str]:
    """Option keys as stored: a list, or the comma-separated text of the editor's form."""
    if isinstance(value, str):
        return [key.strip() for key in value.split(",") if key.strip()]
    return [str(key) for key in value or []]


def _number(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclass
class Rule:
    kind: ClassVar[str] = ""
    question: str = ""

    @property
    def label(self) -> str:
        return str(getattr(FeeRuleBlock.base_blocks.get(self.kind), "label", self.kind))


@dataclass
class FixedAmount(Rule):
    kind: ClassVar[str] = "fixed"
    description: str = ""
    pence: int | None = None


@dataclass
class PerUnit(Rule):
    kind: ClassVar[str] = "per_unit"
    pence: int | None = None
    most: int | None = None
    unit: str = ""
    units: str = ""

    def noun(self, count: int) -> str:
        # Editors give the two forms English has; a language with more (Welsh, Polish) uses
        # the one that fits best, and the sentence around it comes from its own catalogue.
        return self.unit if count == 1 else (self.units or self.unit)


@dataclass
class OptionPrice:
    options: list[str]
    pence: int | None


@dataclass
class ByOption(Rule):
    kind: ClassVar[str] = "by_option"
    description: str = ""
    prices: list[OptionPrice] = field(default_factory=list)

    def price_of(self, key: str) -> int | None:
        return next((p.pence for p in self.prices if key in p.options), None)

    def priced(self, key: str) -> bool:
        return any(key in p.options for p in self.prices)


@dataclass
class Concession(Rule):
    kind: ClassVar[str] = "concession"
    options: list[str] = field(default_factory=list)
    percent: int | None = None
    description: str = ""

    def discount(self, total: int) -> int:
        """The pence taken off `total`, to the nearest penny; half a penny goes to the resident
        (the discount rounds up), so a concession never costs anyone a fraction more."""
        return (total * (self.percent or 0) + 50) // 100


@dataclass
class PriceList:
    index: int
    applies_from: datetime.date | None
    rules: list[Rule]

    def where(self) -> str:
        """How the checks name this list to an editor."""
        if self.applies_from is None:
            return _("The price list with no start date")
        return _("The price list from %(date)s") % {
            "date": dates.day_month_year(self.applies_from)
        }


def read_rule(kind: str, value: dict[str, Any]) -> Rule | None:
    question = str(value.get("question") or "").strip()
    if kind == "fixed":
        return FixedAmount(
            description=str(value.get("description") or ""), pence=_pence(value.get("amount"))
        )
    if kind == "per_unit":
        return PerUnit(
            question=question,
            pence=_pence(value.get("amount")),
            most=_number(value.get("most")),
            unit=str(value.get("unit") or ""),
            units=str(value.get("units") or ""),
        )
    if kind == "by_option":
        prices = [
            OptionPrice(_keys(row.get("options")), _pence(row.get("amount")))
            for row in items(value.get("prices"))
        ]
        return ByOption(
            question=question, description=str(value.get("description") or ""), prices=prices
        )
    if kind == "concession":
        return Concession(
            question=question,
            options=_keys(value.get("options")),
            percent=_number(value.get("percent_off")),
            description=str(value.get("description") or ""),
        )
    return None


def price_lists(rules: Any) -> list[PriceList]:
    """A flow's fee rules (its StreamValue, or their stored JSON) as price lists."""
    lists = []
    # raw_steps reads any StreamField's value as its stored JSON, not only a flow's steps.
    for index, item in enumerate(raw_steps(rules)):
        if item.get("type") != "price_list":
            continue
        value = item.get("value") or {}
        read = [read_rule(r.get("type") or "", r.get("value") or {}) for r in value.get("rules") or []]
        lists.append(PriceList(index, _date(value.get("applies_from")), [r for r in read if r]))
    return lists


def in_force(lists: list[PriceList], on: datetime.date) -> PriceList | None:
    """The price list that applies on `on`: the latest to have started (no date: always)."""
    started = [p for p in lists if p.applies_from is None or p.applies_from <= on]
    return max(started, key=lambda p: p.applies_from or datetime.date.min, default=None)


def upcoming(lists: list[PriceList], on: datetime.date) -> list[PriceList]:
    """The price lists entered in advance, that start after `on`, soonest first."""
    later = [p for p in lists if p.applies_from is not None and p.applies_from > on]
    return sorted(later, key=lambda p: p.applies_from or datetime.date.min)


def used_answer_names(raw_rules: Any) -> set[str]:
    """The answer names the fee reads, in any of its price lists."""
    return {rule.question for p in price_lists(raw_rules) for rule in p.rules if rule.question}


def labels_by_key(shapes: Iterable[FlowShape]) -> dict[str, dict[str, set[str]]]:
    """{answer name: {option key: its wordings}} in each of `shapes` (a flow in its language and
    in its source language): an answer given in either language maps to its option's key."""
    labels: dict[str, dict[str, set[str]]] = {}
    for shape in shapes:
        for _step, question in shape.questions():
            if question.kind == "yes_no":
                labels[question.name] = {key: {key} for key in YES_NO_KEYS}
                continue
            by_key = labels.setdefault(question.name, {})
            for option in question.options:
                by_key.setdefault(option.key, set()).add(option.label)
    return labels


# the fee


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:" else f"{text}."


def _price(pence: int) -> str:
    return format_pence(pence) if pence else _("free")


class RulesFee:
    """A flow's fee rules as a fee calculator (`forms.flows.handlers.FeeCalculator`): a quote
    for a resident's answers, and the cost in words for the service page."""

    subscription = False

    def __init__(self, page: Any) -> None:
        self.page = page
        self.title = _("Fees set on the flow '%(flow)s'") % {"flow": page.title}
        self.lists = price_lists(page.fee_rules)
        self.shape = shape_of(page.steps)

    # the quote

    def calculate(self, answers: dict[str, Any], today: datetime.date | None = None) -> FeeQuote:
        """What the resident pays for `answers`, with its lines in the resident's language.
        Raises ValueError for an answer it cannot price: missing, not a known option, or more
        than the most a rule allows (the questions stop those; a stale or tampered session
        must never be charged a wrong amount)."""
        on = today or globals()["today"]()
        prices = in_force(self.lists, on)
        if prices is None:
            raise ValueError(f"No price list applies on {on.isoformat()}")
        lines: list[tuple[str, int]] = []
        concessions: list[Concession] = []
        for rule in prices.rules:
            if isinstance(rule, FixedAmount):
                lines.append((rule.description, self._amount(rule.pence)))
            elif isinstance(rule, PerUnit):
                lines += self._per_unit(rule, answers)
            elif isinstance(rule, ByOption):
                lines += self._by_option(rule, answers)
            elif isinstance(rule, Concession) and self._chose(rule, answers, rule.options):
                concessions.append(rule)
        total = sum(pence for _text, pence in lines)
        # Concessions do not add up: the resident gets the one that takes most off.
        best = max(concessions, key=lambda c: c.discount(total), default=None)
        if best is not None and best.discount(total):
            lines.append((best.description, -best.discount(total)))
            total -= best.discount(total)
        return FeeQuote(total_pence=total, lines=lines)

    @staticmethod
    def _amount(pence: int | None) -> int:
        if pence is None:
            raise ValueError("A fee rule has no amount")
        return pence

    def _per_unit(self, rule: PerUnit, answers: dict[str, Any]) -> list[tuple[str, int]]:
        count = answers.get(rule.question)
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValueError(f"The answer {rule.question!r} must be a whole number, not {count!r}")
        most = rule.most or 0
        if not 0 <= count <= most:
            raise ValueError(f"The answer {rule.question!r} must be 0 to {most}, not {count}")
        pence = self._amount(rule.pence)
        if not count:
            return []
        text = ngettext(
            "%(count)d %(noun)s at %(price)s",
            "%(count)d %(noun)s at %(price)s each",
            count,
        ) % {"count": count, "noun": rule.noun(count), "price": format_pence(pence)}
        return [(text, count * pence)]

    def _by_option(self, rule: ByOption, answers: dict[str, Any]) -> list[tuple[str, int]]:
        answer = answers.get(rule.question)
        if answer is None:
            raise ValueError(f"The answer {rule.question!r} is missing")
        _step, question = self.shape.question(rule.question)
        chosen = self._keys_of(rule.question, answer)
        if answer not in ([], "") and not chosen:
            raise ValueError(f"The answer {rule.question!r} is not one of its options: {answer!r}")
        if question is not None:
            # In the options' order; one answer to a one-choice question, however it matched.
            chosen = [o.key for o in question.options if o.key in chosen]
            if not question.many:
                chosen = chosen[:1]
        lines = []
        for key in chosen:
            if not rule.priced(key):
                raise ValueError(f"The answer {rule.question!r} chose {key!r}, which has no price")
            label = self._option_label(question, key)
            text = (
                _("%(description)s: %(option)s") % {"description": rule.description, "option": label}
                if rule.description
                else label
            )
            lines.append((text, self._amount(rule.price_of(key))))
        return lines

    def _chose(self, rule: Rule, answers: dict[str, Any], keys: list[str]) -> bool:
        return bool(self._keys_of(rule.question, answers.get(rule.question)) & set(keys))

    def _keys_of(self, name: str, answer: Any) -> set[str]:
        return answer_keys(answer, self.labels_by_key.get(name, {}))

    @property
    def labels_by_key(self) -> dict[str, dict[str, set[str]]]:
        # Looked up once, and only for a quote: the service page's cost never needs the source.
        if not hasattr(self, "_labels"):
            shapes = [self.shape]
            source = self.page.source_flow if self.page.pk else self.page
            if source.pk != self.page.pk:
                shapes.append(shape_of(source.steps))
            self._labels = labels_by_key(shapes)
        return self._labels

    @staticmethod
    def _option_label(question: Question | None, key: str) -> str:
        option = question.option(key) if question is not None else None
        return option.label if option is not None and option.label else key

    # the cost in words

    def describe(self, today: datetime.date | None = None) -> str:
        """The cost in words for the service page, such as "£22 for each bin, up to 3 bins.
        Half price: you receive council tax reduction.", then any price list entered in
        advance: "From 1 April 2027: £24 for each bin, up to 3 bins." """
        on = today or globals()["today"]()
        parts = []
        current = in_force(self.lists, on)
        if current is not None:
            parts.append(self._words(current))
        for later in upcoming(self.lists, on):
            parts.append(
                _("From %(date)s: %(prices)s")
                % {
                    "date": dates.day_month_year(later.applies_from),  # type: ignore[arg-type]
                    "prices": self._words(later),
                }
            )
        return " ".join(part for part in parts if part)

    def _words(self, prices: PriceList) -> str:
        sentences = [self._rule_words(rule) for rule in prices.rules]
        sentences = [_sentence(s) for s in sentences if s]
        return " ".join(sentences) if sentences else _sentence(_("Free"))

    def _rule_words(self, rule: Rule) -> str:
        if isinstance(rule, FixedAmount) and rule.pence is not None:
            return _("%(description)s: %(price)s") % {
                "description": rule.description,
                "price": _price(rule.pence),
            }
        if isinstance(rule, PerUnit) and rule.pence is not None and rule.most:
            return ngettext(
                "%(price)s for each %(unit)s, up to %(most)d %(noun)s",
                "%(price)s for each %(unit)s, up to %(most)d %(noun)s",
                rule.most,
            ) % {
                "price": format_pence(rule.pence),
                "unit": rule.unit,
                "most": rule.most,
                "noun": rule.noun(rule.most),
            }
        if isinstance(rule, ByOption):
            _step, question = self.shape.question(rule.question)
            rows = [
                _("%(options)s: %(price)s")
                % {
                    "options": _(" or ").join(self._option_label(question, k) for k in p.options),
                    "price": _price(p.pence),
                }
                for p in rule.prices
                if p.options and p.pence is not None
            ]
            if not rows:
                return ""
            prices = "; ".join(rows)
            if rule.description:
                return _("%(description)s – %(prices)s") % {
                    "description": rule.description,
                    "prices": prices,
                }
            return prices
        if isinstance(rule, Concession):
            return rule.description
        return ""


def rules_fee(page: Any) -> RulesFee:
    """The fee calculator for a flow with fee rules (`FlowPage.fee_calculator()`)."""
    return RulesFee(page)


# the service page's cost


def service_cost(service: Any) -> str:
    """A service page's cost in words from its live flow's fee rules, "" when it has none (the
    page then shows the editor's text). A translated service page reads its own language's
    flow; one with no flow of its own (not translated or copied yet) reads the English one.

    The service page finds its flow anyway (its Start button), so this costs no query of its
    own, except one for a translated service page with no flow."""
    flow = service.online_flow
    if flow is None and (translation.get_language() or "") != settings.LANGUAGE_CODE:
        flow = _english_flow(service)
    if flow is None or not getattr(flow, "fee_rules", None):
        return ""
    return rules_fee(flow).describe()


def _english_flow(service: Any) -> Any:
    """The live flow under the English version of `service`, in one query."""
    english = Page.objects.filter(
        translation_key=service.translation_key,
        locale__language_code=settings.LANGUAGE_CODE,
    ).values("path")[:1]
    for model in service.allowed_subpage_models():
        if hasattr(model, "fee_rules"):
            return (
                model.objects.live()
                .filter(depth=service.depth + 1, path__startswith=Subquery(english))
                .exclude(pk=getattr(service.online_flow, "pk", None))
                .first()
            )
    return None


# the whole-flow checks' part


def fee_problems(
    shape: FlowShape, raw_rules: Any, today: datetime.date | None = None
) -> list[tuple[str, str]]:
    """(level, message) for each mistake in a flow's fee rules that an editor should fix: a
    rule naming a question the flow does not ask, or of a type it cannot price, an option
    that is not one of the question's, a rule with nothing to work from, two price lists from
    the same day, and no price list in force today. A "for each" whose most is lower than the
    question allows is a warning (the resident's answer would be refused at the end)."""
    on = today or globals()["today"]()
    lists = price_lists(raw_rules)
    problems: list[tuple[str, str]] = []
    seen: dict[datetime.date | None, PriceList] = {}
    for prices in lists:
        if prices.applies_from in seen:
            problems.append(
                (ERROR, _("%(where)s: two price lists start on the same day. Remove one.")
                 % {"where": prices.where()})
            )
        seen.setdefault(prices.applies_from, prices)
        for number, rule in enumerate(prices.rules, start=1):
            where = _("%(where)s, rule %(number)d (%(rule)s)") % {
                "where": prices.where(),
                "number": number,
                "rule": rule.label,
            }
            problems += [(level, f"{where}: {message}") for level, message in _rule_problems(shape, rule)]
    if lists and in_force(lists, on) is None:
        problems.append(
            (ERROR, _("No price list applies today, so residents cannot be charged. Give one "
                      "price list no start date, or a date that has passed."))
        )
    return problems


def _rule_problems(shape: FlowShape, rule: Rule) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    amounts = (
        [rule.pence] if isinstance(rule, (FixedAmount, PerUnit)) else
        [p.pence for p in rule.prices] if isinstance(rule, ByOption) else []
    )
    if any(pence is None for pence in amounts):
        problems.append((ERROR, _("an amount is missing.")))
    if isinstance(rule, FixedAmount):
        return problems
    if not rule.question:
        return [*problems, (ERROR, _("no question is chosen."))]
    step, question = shape.question(rule.question)
    if question is None:
        return [
            *problems,
            (ERROR, _("it reads the answer '%(name)s', which this flow does not ask for.")
             % {"name": rule.question}),
        ]
    asked = {"question": question.label or question.name}
    if isinstance(rule, PerUnit):
        if question.kind not in NUMBER_TYPES:
            problems.append(
                (ERROR, _("'%(question)s' is not a whole number or a quantity, so it cannot be "
                          "counted.") % asked)
            )
        elif rule.most:
            largest = _largest_answer(step.raw if step else {}, question.name)
            if largest is None or largest > rule.most:
                problems.append(
                    (WARNING, _("'%(question)s' allows %(largest)s, but the fee stops at "
                                "%(most)d: a larger answer is refused when the resident has "
                                "answered everything. Give the question the same largest "
                                "answer.")
                     % {**asked, "largest": largest if largest is not None else _("any number"),
                        "most": rule.most})
                )
        return problems
    if question.kind not in CHOICE_TYPES:
        return [
            *problems,
            (ERROR, _("'%(question)s' has no options to choose from.") % asked),
        ]
    keys = {o.key for o in question.options}
    named = (
        [k for p in rule.prices for k in p.options] if isinstance(rule, ByOption)
        else rule.options if isinstance(rule, Concession) else []
    )
    for key in dict.fromkeys(named):
        if key not in keys:
            problems.append(
                (ERROR, _("'%(key)s' is not one of the answers to '%(question)s' (was it "
                          "removed?).") % {**asked, "key": key})
            )
    if isinstance(rule, Concession) and not rule.options:
        problems.append((ERROR, _("no answer is ticked for the concession.")))
    if isinstance(rule, ByOption):
        repeated = [k for k in dict.fromkeys(named) if named.count(k) > 1]
        for key in repeated:
            problems.append(
                (ERROR, _("'%(option)s' has more than one amount.")
                 % {"option": RulesFee._option_label(question, key)})
            )
        for option in question.options:
            if option.key not in named:
                problems.append(
                    (WARNING, _("'%(option)s' has no amount: a resident who chooses it cannot "
                                "pay. Give it an amount (0 if it is free).")
                     % {"option": option.label or option.key})
                )
    return problems


def _largest_answer(step_value: dict[str, Any], name: str) -> int | None:
    """The largest answer a whole-number or quantity question allows (None: no limit)."""
    for question in step_value.get("questions") or []:
        value = question.get("value") or {}
        if value.get("name") == name:
            return _number(value.get("max_value"))
    return None
