"""The home page and the standard pages linked from the footer."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.db import models
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.indexing import StemmedSearchMixin
from core.languages import localized_pages
from services.blocks import BodyBlock
from services.models import CategoryPage, ServicePage


class HomePage(Page):
    """The front door: a search box, the top tasks, the categories and an alert banner."""

    intro: models.CharField[str, str] = models.CharField(
        _("introduction"), max_length=300, blank=True
    )
    alert_enabled: models.BooleanField[bool, bool] = models.BooleanField(
        _("show the alert banner"),
        default=False,
        help_text=_("Switch on to show the alert at the top of the home page."),
    )
    alert_title: models.CharField[str, str] = models.CharField(
        _("alert title"), max_length=120, blank=True, help_text=_("Bin collections delayed by snow")
    )
    alert_text: models.CharField[str, str] = models.CharField(
        _("alert text"), max_length=400, blank=True
    )

    content_panels: ClassVar[list] = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("alert_enabled"), FieldPanel("alert_title"), FieldPanel("alert_text")],
            heading=_("Alert banner"),
        ),
        InlinePanel("top_tasks", label=_("Top tasks"), max_num=9),
    ]
    search_fields: ClassVar[list] = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types: ClassVar[list[str]] = ["wagtailcore.Page"]
    subpage_types: ClassVar[list[str]] = ["services.CategoryPage", "home.StandardPage"]
    max_count_per_parent = 1
    # Served from the page cache to anonymous readers (core/pagecache.py).
    page_cache = True

    class Meta:
        verbose_name = _("home page")

    @property
    def show_alert(self) -> bool:
        return self.alert_enabled and bool(self.alert_title)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        tasks = self.top_tasks.filter(page__live=True).select_related("page")
        # Chosen once, in English: shown in the resident's language where translated. Looked up
        # only if the page's content is rendered, not when it comes from the fragment cache.
        context["top_tasks"] = SimpleLazyObject(
            lambda: localized_pages(t.page for t in tasks.order_by("sort_order", "pk"))
        )
        context["categories"] = SimpleLazyObject(
            lambda: CategoryPage.objects.child_of(self).live().public()
        )
        return context


class HomePageTopTask(Orderable):
    """A service editors put on the home page because residents need it most."""

    home = ParentalKey(HomePage, related_name="top_tasks", on_delete=models.CASCADE)
    page: models.ForeignKey[ServicePage, ServicePage] = models.ForeignKey(
        "services.ServicePage",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels: ClassVar[list] = [FieldPanel("page")]

    class Meta(Orderable.Meta):
        verbose_name = _("top task")
        verbose_name_plural = _("top tasks")


class StandardPage(StemmedSearchMixin, Page):
    """A plain page such as the accessibility statement, privacy notice, cookies or contact.

    Pages with "Show in menus" ticked are linked from the footer.
    """

    intro: models.CharField[str, str] = models.CharField(
        _("introduction"), max_length=300, blank=True
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    last_reviewed: models.DateField[date | None, date | None] = models.DateField(
        _("last reviewed"), null=True, blank=True
    )

    content_panels: ClassVar[list] = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
    ]
    search_fields: ClassVar[list] = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("search_stems"),
        index.AutocompleteField("search_stems"),
    ]
    stemmed_fields = ("title", "intro")
    parent_page_types: ClassVar[list[str]] = ["home.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    page_cache = True

    class Meta:
        verbose_name = _("standard page")
