"""The whole-flow checks' part for the fees: mistakes in a flow's fee rules an editor should fix.

forms.flows.checks builds on this module and turns each (level, message) into a Problem.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from core import dates
from forms.flows.conditions import NUMBER_TYPES, FlowShape, Question, Step
from forms.flows.fees import rules
from forms.flows.fees.rules import (
    ByOption,
    Concession,
    FixedAmount,
    PerUnit,
    PriceList,
    Rule,
    in_force,
    number,
    option_label,
    price_lists,
)

# The same words as forms.flows.checks' levels (which this module may not import).
ERROR = "error"
WARNING = "warning"

Problems = list[tuple[str, str]]


def fee_problems(shape: FlowShape, raw_rules: Any, today: datetime.date | None = None) -> Problems:
    """(level, message) for each mistake in a flow's fee rules (a StreamValue or its JSON).

    Errors: a rule that reads a question the flow does not ask, or one it cannot price (a
    "for each" on anything but a whole number or quantity, an option on a question without
    options), an option key the question does not have, a missing amount, two price lists
    from the same day, and no price list in force today. A warning: a "for each" whose most is
    lower than the question allows (a resident would be refused only at the end), and an
    option with no amount."""
    on = today or rules.local_today()
    lists = price_lists(raw_rules)
    problems: Problems = []
    starts: set[datetime.date | None] = set()
    for prices in lists:
        where = _where(prices)
        if prices.applies_from in starts:
            problems.append(
                (
                    ERROR,
                    _("%(where)s: another price list starts on the same day.") % {"where": where},
                )
            )
        starts.add(prices.applies_from)
        for position, rule in enumerate(prices.rules, start=1):
            named = _("%(where)s, rule %(position)d (%(rule)s)") % {
                "where": where,
                "position": position,
                "rule": rule.label,
            }
            problems += [(level, f"{named}: {text}") for level, text in _rule_problems(shape, rule)]
    if lists and in_force(lists, on) is None:
        problems.append(
            (
                ERROR,
                _(
                    "No price list applies today, so residents cannot pay. Leave one price "
                    "list's start date empty, or give it a date that has passed."
                ),
            )
        )
    return problems


def _where(prices: PriceList) -> str:
    """How an editor finds the price list: by its start date."""
    if prices.applies_from is None:
        return _("The price list with no start date")
    return _("The price list from %(date)s") % {"date": dates.day_month_year(prices.applies_from)}


def _rule_problems(shape: FlowShape, rule: Rule) -> Problems:
    problems: Problems = []
    if None in _amounts(rule):
        problems.append((ERROR, _("an amount is missing.")))
    if isinstance(rule, PerUnit) and not rule.most:
        problems.append((ERROR, _("the most a resident can ask for is missing.")))
    if isinstance(rule, Concession) and not rule.percent:
        problems.append((ERROR, _("the percentage off is missing.")))
    if isinstance(rule, FixedAmount):
        return problems
    if not rule.question:
        return [*problems, (ERROR, _("no question is chosen."))]
    step, question = shape.question(rule.question)
    if step is None or question is None:
        message = _("it reads the answer '%(name)s', which this flow does not ask for.")
        return [*problems, (ERROR, message % {"name": rule.question})]
    if isinstance(rule, PerUnit):
        return problems + _per_unit_problems(rule, step, question)
    if not question.is_choice:
        message = _("'%(question)s' has no answers to choose from.")
        return [*problems, (ERROR, message % {"question": _question(question)})]
    return problems + _option_problems(rule, question)


def _amounts(rule: Rule) -> list[int | None]:
    if isinstance(rule, (FixedAmount, PerUnit)):
        return [rule.pence]
    if isinstance(rule, ByOption):
        return [row.pence for row in rule.prices]
    return []


def _question(question: Question) -> str:
    return question.label or question.name


def _per_unit_problems(rule: PerUnit, step: Step, question: Question) -> Problems:
    if question.kind not in NUMBER_TYPES:
        message = _("'%(question)s' is not a whole number or a quantity, so it cannot be counted.")
        return [(ERROR, message % {"question": _question(question)})]
    largest = _largest_answer(step, question.name)
    if rule.most and (largest is None or largest > rule.most):
        message = _(
            "'%(question)s' allows %(largest)s, but the fee stops at %(most)d: a resident who "
            "asks for more is refused only when they have answered everything. Give the "
            "question the same largest answer."
        )
        return [
            (
                WARNING,
                message
                % {
                    "question": _question(question),
                    "largest": largest if largest is not None else _("any number"),
                    "most": rule.most,
                },
            )
        ]
    return []


def _largest_answer(step: Step, name: str) -> int | None:
    """The largest answer a whole-number or quantity question allows (None: no limit)."""
    for raw in step.raw.get("questions") or []:
        value = raw.get("value") or {}
        if value.get("name") == name:
            return number(value.get("max_value"))
    return None


def _option_problems(rule: Rule, question: Question) -> Problems:
    problems: Problems = []
    if isinstance(rule, ByOption):
        named = [key for row in rule.prices for key in row.options]
    elif isinstance(rule, Concession):
        named = rule.options
        if not named:
            problems.append((ERROR, _("no answer is ticked for the concession.")))
    else:
        named = []
    keys = {option.key for option in question.options}
    for key in dict.fromkeys(named):
        if key not in keys:
            message = _("'%(key)s' is not one of the answers to '%(question)s' (was it removed?)")
            problems.append((ERROR, message % {"key": key, "question": _question(question)}))
        elif isinstance(rule, ByOption) and named.count(key) > 1:
            message = _("'%(option)s' has more than one amount.")
            problems.append((ERROR, message % {"option": option_label(question, key)}))
    if isinstance(rule, ByOption):
        for option in question.options:
            if option.key not in named:
                message = _(
                    "'%(option)s' has no amount, so a resident who chooses it cannot pay. Give "
                    "it one (0 if it is free)."
                )
                problems.append((WARNING, message % {"option": option_label(question, option.key)}))
    return problems
