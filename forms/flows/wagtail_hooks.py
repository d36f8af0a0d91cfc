"""The flows app in the Wagtail admin: who may see a flow's requests follows who may edit the
flow's page (forms.flows.permissions); the inbox, the reports and the payments all ask it."""

from wagtail.permissions import register_permission_policy

from .models import Submission
from .permissions import submission_permission_policy

# Before anything asks for Submission's policy, or Wagtail makes a model-permission fallback.
register_permission_policy(Submission, submission_permission_policy)

# The flow editor's screens register their own hooks when imported.
from .editor import flow_map, guide, preview  # noqa: E402, F401
