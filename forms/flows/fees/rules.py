"""A flow's fee rules as plain data, and as a fee calculator: a quote for a resident's answers,
and the cost in words for the service page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import dates
from core.money import format_pence
from forms.flows.conditions import (
    Question,
    answer_keys,
    items,
    labels_by_key,
    raw_steps,
    shape_of,
)
from forms.flows.handlers import FeeQuote


def local_today() -> datetime.date:
    """Today in the council's time zone: the day a price list starts is a UK date."""
    return timezone.localdate()


# reading the stored rules (editors' drafts included, so nothing here assumes a field is set)


def _pence(amount: Any) -> int | None:
    """An amount in pounds, as stored ("12.50", 12.5 or a Decimal), in whole pence."""
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
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _keys(value: Any) -> list[str]:
    """Option keys as stored: a list, or the comma-separated text of the editor's form."""
    if isinstance(value, str):
        return [key.strip() for key in value.split(",") if key.strip()]
    return [str(key) for key in value or []]


def number(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclass
class Rule:
    kind: ClassVar[str] = ""
    label: ClassVar[Any] = ""  # as the editor knows the kind of rule (the block's label)
    question: str = ""


@dataclass
class FixedAmount(Rule):
    kind: ClassVar[str] = "fixed"
    label: ClassVar[Any] = gettext_lazy("Fixed amount")
    description: str = ""
    pence: int | None = None


@dataclass
class PerUnit(Rule):
    kind: ClassVar[str] = "per_unit"
    label: ClassVar[Any] = gettext_lazy("Amount for each")
    pence: int | None = None
    most: int | None = None
    unit: str = ""
    units: str = ""

    def noun(self, count: int) -> str:
        # Editors give the two forms English has; a language with more (Welsh, Polish) uses
        # the nearer one, and the sentence around it comes from the language's own catalogue.
        return self.unit if count == 1 else (self.units or self.unit)


@dataclass
class OptionPrice:
    options: list[str]
    pence: int | None


@dataclass
class ByOption(Rule):
    kind: ClassVar[str] = "by_option"
    label: ClassVar[Any] = gettext_lazy("Amount by answer")
    description: str = ""
    prices: list[OptionPrice] = field(default_factory=list)

    def row_for(self, key: str) -> OptionPrice | None:
        return next((row for row in self.prices if key in row.options), None)


@dataclass
class Concession(Rule):
    kind: ClassVar[str] = "concession"
    label: ClassVar[Any] = gettext_lazy("Concession")
    options: list[str] = field(default_factory=list)
    percent: int | None = None
    description: str = ""

    def discount(self, total: int) -> int:
        """The pence taken off `total`, to the nearest penny. Half a penny goes to the resident
        (the discount rounds up): a concession never charges anyone a fraction more."""
        return (total * (self.percent or 0) + 50) // 100


@dataclass
class PriceList:
    applies_from: datetime.date | None
    rules: list[Rule]


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
            most=number(value.get("most")),
            unit=str(value.get("unit") or ""),
            units=str(value.get("units") or ""),
        )
    if kind == "by_option":
        prices = [
            OptionPrice(_keys(row.get("options")), _pence(row.get("amount")))
            for row in items(value.get("prices"))
        ]
        description = str(value.get("description") or "")
        return ByOption(question=question, description=description, prices=prices)
    if kind == "concession":
        return Concession(
            question=question,
            options=_keys(value.get("options")),
            percent=number(value.get("percent_off")),
            description=str(value.get("description") or ""),
        )
    return None


def price_lists(rules: Any) -> list[PriceList]:
    """A flow's fee rules (its StreamValue, or their stored JSON) as price lists."""
    lists = []
    # raw_steps reads any StreamField's value as its stored JSON, not only a flow's steps.
    for item in raw_steps(rules):
        if item.get("type") != "price_list":
            continue
        value = item.get("value") or {}
        read = [
            read_rule(r.get("type") or "", r.get("value") or {}) for r in value.get("rules") or []
        ]
        lists.append(PriceList(_date(value.get("applies_from")), [r for r in read if r]))
    return lists


def in_force(lists: list[PriceList], on: datetime.date) -> PriceList | None:
    """The price list that applies on `on`: the latest to have started (no date: always)."""
    started = [p for p in lists if p.applies_from is None or p.applies_from <= on]
    return max(started, key=lambda p: p.applies_from or datetime.date.min, default=None)


def upcoming(lists: list[PriceList], on: datetime.date) -> list[tuple[datetime.date, PriceList]]:
    """(start, price list) for the lists entered in advance, that start after `on`, soonest
    first."""
    later = [(p.applies_from, p) for p in lists if p.applies_from and p.applies_from > on]
    return sorted(later, key=lambda pair: pair[0])


def used_answer_names(raw_rules: Any) -> set[str]:
    """The answer names the fee reads, in any of its price lists."""
    return {rule.question for p in price_lists(raw_rules) for rule in p.rules if rule.question}


def option_label(question: Question | None, key: str) -> str:
    """An option's wording in the flow's language (its key if the flow no longer has it)."""
    option = question.option(key) if question is not None else None
    return option.label if option is not None and option.label else key


# the fee


class RulesFee:
    """A flow's fee rules as a fee calculator (`forms.flows.handlers.FeeCalculator`): a quote
    for a resident's answers, and the cost in words for the service page. The words come from
    the flow in the resident's language; the amounts, questions and option keys are the same in
    every language."""

    subscription = False

    def __init__(self, page: Any) -> None:
        self.page = page
        self.title = _("Fees set on the flow '%(flow)s'") % {"flow": page.title}
        self.lists = price_lists(page.fee_rules)
        self.shape = shape_of(page.steps)

    # the quote

    def calculate(self, answers: dict[str, Any], today: datetime.date | None = None) -> FeeQuote:
        """What the resident pays for `answers`, with its lines in the resident's language.

        Raises ValueError for an answer it cannot price: missing, not one of the question's
        options, or more than a rule's most. The questions stop those; this checks again so a
        stale or tampered session is never charged a wrong amount."""
        on = today or local_today()
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
            elif isinstance(rule, Concession) and self._chosen(rule, answers) & set(rule.options):
                concessions.append(rule)
        total = sum(pence for _text, pence in lines)
        # Concessions do not add up: a resident who qualifies for two gets the larger.
        best = max((c.discount(total) for c in concessions), default=0)
        if best:
            concession = next(c for c in concessions if c.discount(total) == best)
            lines.append((concession.description, -best))
        return FeeQuote(total_pence=total - best, lines=lines)

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
        """A line for each option the answer chose. An unanswered question (its page was not
        shown) cannot be priced; an optional one left empty chose nothing, and costs nothing."""
        answer = answers.get(rule.question)
        if answer is None:
            raise ValueError(f"The answer {rule.question!r} is missing")
        chosen = self._chosen(rule, answers)
        if answer not in ("", []) and not chosen:
            raise ValueError(f"The answer {rule.question!r} is not one of its options: {answer!r}")
        _step, question = self.shape.question(rule.question)
        keys = sorted(chosen)
        if question is not None:
            # In the options' order; one option for a one-answer question, however many share
            # its wording.
            keys = [o.key for o in question.options if o.key in chosen]
            keys = keys if question.many else keys[:1]
        lines = []
        for key in keys:
            row = rule.row_for(key)
            if row is None:
                raise ValueError(f"The answer {rule.question!r} chose {key!r}, which has no amount")
            label = option_label(question, key)
            if rule.description:
                label = _("%(description)s: %(option)s") % {
                    "description": rule.description,
                    "option": label,
                }
            lines.append((label, self._amount(row.pence)))
        return lines

    def _chosen(self, rule: Rule, answers: dict[str, Any]) -> set[str]:
        """The keys of the options the resident's answer to the rule's question chose."""
        return answer_keys(answers.get(rule.question), self.labels_by_key.get(rule.question, {}))

    @cached_property
    def labels_by_key(self) -> dict[str, dict[str, set[str]]]:
        # The source language's wordings too: an answer given before the resident switched
        # language still counts. Only a quote needs them, so the service page never asks.
        shapes = [self.shape]
        source = self.page.source_flow if self.page.pk else self.page
        if source.pk != self.page.pk:
            shapes.append(shape_of(source.steps))
        return labels_by_key(shapes)

    # the cost in words

    def describe(self, today: datetime.date | None = None) -> str:
        """The cost in words for the service page, such as "£22 for each bin, up to 3 bins.
        Half price: you receive council tax reduction.", then each price list entered in
        advance: "From 1 April 2027: £24 for each bin, up to 3 bins. ..." """
        on = today or local_today()
        current = in_force(self.lists, on)
        parts = [self._words(current)] if current is not None else []
        for start, later in upcoming(self.lists, on):
            parts.append(
                _("From %(date)s: %(prices)s")
                % {"date": dates.day_month_year(start), "prices": self._words(later)}
            )
        return " ".join(parts)

    def _words(self, prices: PriceList) -> str:
        sentences = [_sentence(self._rule_words(rule)) for rule in prices.rules]
        return " ".join(s for s in sentences if s) or _sentence(_("Free"))

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
            rows = "; ".join(
                _("%(options)s: %(price)s")
                % {
                    "options": _(" or ").join(option_label(question, k) for k in row.options),
                    "price": _price(row.pence),
                }
                for row in rule.prices
                if row.options and row.pence is not None
            )
            if rows and rule.description:
                return _("%(description)s (%(prices)s)") % {
                    "description": rule.description,
                    "prices": rows,
                }
            return rows
        if isinstance(rule, Concession):
            return rule.description
        return ""


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def _price(pence: int) -> str:
    return format_pence(pence) if pence else _("free")


def rules_fee(page: Any) -> RulesFee:
    """The fee calculator for a flow with fee rules (`FlowPage.fee_calculator()`)."""
    return RulesFee(page)
