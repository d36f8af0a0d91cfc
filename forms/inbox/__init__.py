"""The staff inbox: residents' requests in the Wagtail admin, for the teams that run them."""

from .permissions import SubmissionPermissionPolicy, submission_permission_policy

__all__ = ["SubmissionPermissionPolicy", "submission_permission_policy"]
