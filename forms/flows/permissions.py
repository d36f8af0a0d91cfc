"""Who may see which requests: a service team sees the requests of the flows it may edit.

Wagtail asks a model's permission policy before every generic admin view, so this one policy
decides the inbox list, the detail page, file downloads and exports alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from wagtail.permission_policies import BasePermissionPolicy

from forms.flows.models import FlowPage, Submission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# Staff read requests and change their status; residents create them and retention deletes them.
INBOX_ACTIONS = frozenset({"view", "change"})
ACCESS_ADMIN = ("wagtailadmin", "access_admin")


def editable_flow_ids(user: User | AnonymousUser) -> frozenset[int]:
    """The flows whose page this user may edit, worked out once per request (the user object
    lives as long as the request)."""
    cached = getattr(user, "_flows_editable_flow_ids", None)
    if cached is None:
        cached = frozenset(
            flow.pk for flow in FlowPage.objects.all() if flow.permissions_for_user(user).can_edit()
        )
        user._flows_editable_flow_ids = cached  # type: ignore[union-attr]  # per-request cache
    return cached


class SubmissionPermissionPolicy(BasePermissionPolicy):
    """Requests for staff who can use the admin, limited to the flows they may edit.

    Superusers see every request, including those whose flow was deleted."""

    def __init__(self) -> None:
        super().__init__(Submission)

    def user_has_permission(self, user: User | AnonymousUser, action: str) -> bool:
        if action not in INBOX_ACTIONS or not user.is_active:
            return False
        return user.is_superuser or user.has_perm(".".join(ACCESS_ADMIN))

    def user_has_permission_for_instance(
        self, user: User | AnonymousUser, action: str, instance: Submission
    ) -> bool:
        if not self.user_has_permission(user, action):
            return False
        return user.is_superuser or instance.flow_id in editable_flow_ids(user)

    def instances_user_has_any_permission_for(
        self, user: User | AnonymousUser, actions: Iterable[str]
    ) -> QuerySet[Submission]:
        queryset = Submission.objects.all()
        if not self.user_has_any_permission(user, actions):
            return queryset.none()
        if user.is_superuser:
            return queryset
        return queryset.filter(flow_id__in=editable_flow_ids(user))

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet:
        users = get_user_model().objects.filter(is_active=True)
        if not INBOX_ACTIONS.intersection(actions):
            return users.none()
        app_label, codename = ACCESS_ADMIN
        access_admin = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        )
        return users.filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=access_admin)
            | Q(groups__permissions__in=access_admin)
        ).distinct()


submission_permission_policy = SubmissionPermissionPolicy()
