"""`{% pagefragment name scope %}...{% endpagefragment %}`: a part of a content page rendered
once per language and page-cache generation (core/pagecache.py), so that publishing shows
at once. On a flow's steps, and on views that ask for them (search, see
`core.pagecache.share_site_fragments`), only "site" fragments are; anywhere else (error pages,
previews) it renders as if absent.

scope is "site" (the same on every page: the footer), "page" (this page, whatever the query
string: its content) or "path" (this address exactly: the language links, which keep the query
string, so never stored when there is one). See core.pagecache.fragment_key.
Based on Wagtail's preview-aware `{% wagtailcache %}` node, without its failure mode: the cache
being unreachable renders the fragment afresh instead of raising."""

from __future__ import annotations

from django import template
from django.template import Context
from django.utils.safestring import mark_safe
from wagtail.templatetags.wagtail_cache import WagtailCacheNode

from core.pagecache import (
    FRAGMENTS,
    cached_page,
    fragment,
    fragment_key,
    routed_page,
    shares_site_fragments,
    store,
)

register = template.Library()

SCOPES = ("site", "page", "path")


class PageFragmentNode(WagtailCacheNode):
    def __init__(self, nodelist, name: str, scope: str) -> None:
        super().__init__(nodelist, None, name, [], None)
        self.scope = scope

    def render(self, context: Context) -> str:
        request = context.get("request")
        page = None
        if request is not None:
            page = routed_page(request) if self.scope == "site" else cached_page(request)
        shared = (
            self.scope == "site"
            and request is not None
            and page is None
            and context.get("page") is None
            and shares_site_fragments(request)
        )
        if request is None or (not shared and (page is None or context.get("page") is not page)):
            return self.nodelist.render(context)
        key = fragment_key(request, self.fragment_name, self.scope)
        if key is None:
            return self.nodelist.render(context)
        value = fragment(request, key)
        if value is None:
            value = self.nodelist.render(context)
            store(request, key, str(value))
        return mark_safe(value)


@register.tag("pagefragment")
def do_pagefragment(parser, token) -> PageFragmentNode:
    bits = token.split_contents()
    if len(bits) != 3 or bits[2] not in SCOPES or bits[1][0] not in "\"'":
        raise template.TemplateSyntaxError(
            f'Usage: {{% {bits[0]} "name" site|page|path %}}...{{% end{bits[0]} %}}'
        )
    nodelist = parser.parse(("endpagefragment",))
    parser.delete_first_token()
    FRAGMENTS.add((bits[1][1:-1], bits[2]))
    return PageFragmentNode(nodelist, bits[1][1:-1], bits[2])
