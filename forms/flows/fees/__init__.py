"""Fees as content: what residents pay, set by editors on a flow as price lists of rules.

A flow's fees are one or more *price lists*. The one in force is the list with the latest
"applies from" date on or before today (a list with no date always applies), so an editor can
enter next April's prices in advance and they take over on the day. A price list holds rules,
added up in order:

- a fixed amount, such as "Blue Badge: £10";
- an amount for each of a whole-number or quantity answer, up to a most ("£22 for each bin,
  up to 3 bins"); a larger answer is refused, as the coded fee handlers refuse one;
- an amount chosen by the answer to a choice question, a row for each option (or options);
- a concession: a percentage off the total when a choice answer is one of some options.

Rules name a question by its answer name and options by their keys, never by their wording, so
a translator or an editor who rewords an option cannot change a fee. Amounts are entered in
pounds and worked out in whole pence.

- `blocks`: what editors fill in (`FeeRulesBlock`, FlowPage.fee_rules);
- `rules`: the rules as plain data, and `rules_fee(page)`, what `FlowPage.fee_calculator()`
  returns for a flow with rules: a quote for a resident's answers and the cost in words;
- `cost`: the service page's "Cost", from its flow's rules (`service_cost`), so the page and the
  flow never disagree;
- `problems`: the whole-flow checks' part for the fees (`fee_problems`).
"""

from forms.flows.fees.blocks import FeeRulesBlock
from forms.flows.fees.cost import service_cost
from forms.flows.fees.problems import ERROR, WARNING, fee_problems
from forms.flows.fees.rules import RulesFee, local_today, price_lists, rules_fee, used_answer_names

__all__ = [
    "ERROR",
    "WARNING",
    "FeeRulesBlock",
    "RulesFee",
    "fee_problems",
    "local_today",
    "price_lists",
    "rules_fee",
    "service_cost",
    "used_answer_names",
]
