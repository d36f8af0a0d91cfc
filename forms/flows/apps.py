from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlowsConfig(AppConfig):
    """Online flows: FlowPage, its question types, the runtime, submissions and their emails.

    The label is "flows", not "forms": django.forms already holds that label, and a label
    names database tables, so it is fixed from the first migration on.
    """

    name = "forms.flows"
    label = "flows"
    verbose_name = _("Online flows")

    def ready(self) -> None:
        # A service page's "Cost" is its flow's fee rules in words, where it has them. The
        # services app sits below this one, so it offers a registry that this app fills.
        from forms.flows.fees import service_cost
        from services.costs import cost_sources

        if "flow-fee-rules" not in cost_sources:
            cost_sources.register("flow-fee-rules")(service_cost)
