"""The inbox in the Wagtail admin: Requests. Who may see which requests is the flows app's
permission policy (forms.flows.permissions), registered in its own wagtail_hooks."""

from wagtail import hooks

from .dashboard import add_requests_panel
from .viewsets import SubmissionViewSet

# Each team's new requests and those waiting longest, on the admin's dashboard.
hooks.register("construct_homepage_panels", add_requests_panel)


@hooks.register("register_admin_viewset")
def register_inbox() -> SubmissionViewSet:
    return SubmissionViewSet()
