"""Who sees the flow reports: the flows the inbox lets a user see (a service team sees the flows
it may edit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wagtail.query import PageQuerySet

from forms.flows.models import FlowPage
from forms.flows.permissions import editable_flow_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def visible_flows(user: User | AnonymousUser) -> PageQuerySet:
    """The flows whose figures this user may see: superusers all, staff with admin access the
    flows they may edit (the inbox's service-team rule), anyone else none."""
    flows = FlowPage.objects.all()
    if not user.is_active:
        return flows.none()
    if user.is_superuser:
        return flows
    if not user.has_perm("wagtailadmin.access_admin"):
        return flows.none()
    return flows.filter(pk__in=editable_flow_ids(user))


def can_see_flow_reports(user: User | AnonymousUser) -> bool:
    return visible_flows(user).exists()
