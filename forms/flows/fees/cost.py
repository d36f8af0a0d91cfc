"""A service page's "Cost" from its flow's fee rules, so the page and the flow never disagree.

The services app sits below this one and never imports it: it asks its `cost_sources` registry,
which forms/flows/apps.py fills with `service_cost` when the app is ready.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Subquery
from django.utils import translation
from wagtail.models import Page

from forms.flows.fees.rules import rules_fee


def service_cost(service: Any) -> str:
    """The cost of `service` in words, from its live flow's fee rules; "" when the flow has no
    rules (the page then shows the editor's own text). A translated service page reads its own
    language's flow; one with no flow of its own reads the English one.

    The service page looks its flow up anyway, for its Start button (`online_flow`, cached on
    the page), so this costs no query of its own but for a translated page with no flow."""
    flow = service.online_flow
    if flow is None and translation.get_language() != settings.LANGUAGE_CODE:
        flow = english_flow(service)
    if flow is None or not getattr(flow, "fee_rules", None):
        return ""
    return rules_fee(flow).describe()


def english_flow(service: Any) -> Any:
    """The live flow under the English version of `service`, in one query (None if none)."""
    english = Page.objects.filter(
        translation_key=service.translation_key, locale__language_code=settings.LANGUAGE_CODE
    ).exclude(pk=service.pk)
    for model in service.allowed_subpage_models():
        if hasattr(model, "fee_rules"):
            return (
                model.objects.live()
                .filter(
                    path__startswith=Subquery(english.values("path")[:1]),
                    depth=Subquery(english.values("depth")[:1]) + 1,
                )
                .first()
            )
    return None
