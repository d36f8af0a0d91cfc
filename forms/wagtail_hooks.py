"""The flows app in the Wagtail admin: the Requests inbox."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from forms.inbox import submission_permission_policy
from forms.inbox.viewsets import SubmissionViewSet
from forms.models import Submission
from forms.payments import wagtail_hooks as payment_hooks  # noqa: F401 - the payments report

# Before anything asks for Submission's policy, or Wagtail makes a model-permission fallback.
register_permission_policy(Submission, submission_permission_policy)


@hooks.register("register_admin_viewset")
def register_inbox() -> SubmissionViewSet:
    return SubmissionViewSet()


from forms.insights import admin_hooks as insights_admin_hooks  # noqa: E402, F401
from forms.insights import hooks as insights_hooks  # noqa: E402, F401 - drop-off and KPIs
