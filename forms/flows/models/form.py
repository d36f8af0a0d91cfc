"""The flow editor's form: the whole-flow checks stop a publish next to the step concerned."""

from __future__ import annotations

from typing import Any

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamBlockValidationError

from forms.flows.checks import steps_error

# The editor's buttons that make a flow live, or ask for it to be: a draft may be unfinished
# and is saved whatever the checks say (they are shown), so nothing typed is ever lost.
PUBLISHING = ("action-publish", "action-submit", "action-workflow-action")


class FlowPageForm(WagtailAdminPageForm):
    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors.get("steps"):
            return
        report = self.instance.run_checks()
        self.flow_report = report
        if report.errors and self.publishing:
            if report.step_errors:
                self.add_error("steps", steps_error(report, len(self.instance.steps)))
            if report.fee_errors:
                self.add_error(
                    "fee_rules",
                    StreamBlockValidationError(
                        non_block_errors=[p.message for p in report.fee_errors]
                    ),
                )

    @property
    def publishing(self) -> bool:
        return any(action in self.data for action in PUBLISHING)

    def problems(self) -> list[Any]:
        report = getattr(self, "flow_report", None)
        return report.problems if report is not None else []
