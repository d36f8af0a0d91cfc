"""The inbox in the Wagtail admin: Requests. Who may see which requests is the flows app's
permission policy (forms.flows.permissions), registered in its own wagtail_hooks."""

from wagtail import hooks

from .viewsets import SubmissionViewSet


@hooks.register("register_admin_viewset")
def register_inbox() -> SubmissionViewSet:
    return SubmissionViewSet()
