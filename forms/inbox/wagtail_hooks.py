"""The inbox in the Wagtail admin: Requests, with the permission policy that limits each team
to its own services' requests."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from forms.flows.models import Submission

from .permissions import submission_permission_policy
from .viewsets import SubmissionViewSet

# Before anything asks for Submission's policy, or Wagtail makes a model-permission fallback.
register_permission_policy(Submission, submission_permission_policy)


@hooks.register("register_admin_viewset")
def register_inbox() -> SubmissionViewSet:
    return SubmissionViewSet()
