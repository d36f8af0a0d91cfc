"""The flows app in the Wagtail admin: who may see a flow's requests follows who may edit the
flow's page (forms.flows.permissions); the inbox, the reports and the payments all ask it."""

from typing import Any

from django.contrib import messages
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .checks import ERROR
from .conditions import shape_of
from .models import FlowPage, Submission
from .permissions import submission_permission_policy

# Before anything asks for Submission's policy, or Wagtail makes a model-permission fallback.
register_permission_policy(Submission, submission_permission_policy)

# The flow editor's screens register their own hooks when imported.
from .editor import copy, flow_map, guide, preview  # noqa: E402, F401


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def tell_the_editor_what_the_checks_found(request: Any, page: Any) -> None:
    """After a save, what the whole-flow checks found: errors (which stop a publish) and
    warnings (which never do), each naming its page, so none is silent."""
    # Not on Wagtail's autosaves as the editor types (they ask for JSON): their messages
    # would pile up, stale, for the next page the editor opens.
    if not isinstance(page.specific, FlowPage) or not request.accepts("text/html"):
        return
    flow = page.specific.get_latest_revision_as_object()
    shape = shape_of(flow.steps)
    for problem in flow.run_checks().problems:
        where = shape.steps[problem.step].title if problem.step is not None else ""
        text = f"{where}: {problem.message}" if where else problem.message
        if problem.level == ERROR:
            messages.error(request, _("Fix before publishing. %(problem)s") % {"problem": text})
        else:
            messages.warning(request, text)


@hooks.register("insert_editor_js")
def condition_lists_js() -> str:
    return format_html(
        '<script src="{}" defer></script><script src="{}" defer></script>',
        static("flows/flow_editor.js"),
        static("flows/editor/save_after_autosave.js"),
    )
