"""Flow insights in the Wagtail admin. Wagtail only loads an app's top-level `wagtail_hooks`
module; `forms/wagtail_hooks.py` imports this one."""

from __future__ import annotations

from wagtail import hooks

from .channels import ChannelVolumeViewSet


@hooks.register("register_admin_viewset")
def register_channel_volumes() -> ChannelVolumeViewSet:
    return ChannelVolumeViewSet()
