"""Where a service page's "Cost" comes from.

An editor writes a service's cost as text. A service whose online flow works its fee out from
rules that editors set shows those rules in words instead, so the page and the flow never
disagree. The flows app builds on this one, so this app cannot ask it: the flows app registers a
cost source here when it is ready (forms/flows/apps.py), and a service page asks each source in
turn, keeping the editor's text when none has an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core.registry import Registry

if TYPE_CHECKING:
    from services.models import ServicePage

# A source gives the cost of a service in words, or "" when it has nothing to say about it.
CostSource = Callable[["ServicePage"], str]

cost_sources: Registry[CostSource] = Registry("cost sources")


def cost_of(service: ServicePage) -> str:
    """What the service page shows as its cost: the first source's answer, else the editor's."""
    for source_id in cost_sources:
        cost = cost_sources[source_id](service)
        if cost:
            return cost
    return service.cost
