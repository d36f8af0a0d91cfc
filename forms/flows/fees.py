"""Fees as content: the rules an editor sets on a flow (filled in below)."""

from __future__ import annotations

from typing import Any

from wagtail import blocks


class FeeRulesBlock(blocks.StreamBlock):
    pass


def rules_fee(page: Any) -> Any:
    return None
