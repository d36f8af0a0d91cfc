"""Category pages, service pages and the council's contact channels."""

from __future__ import annotations

import copy
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.indexing import StemmedSearchMixin
from core.languages import localized_pages
from core.richtext import RICH_TEXT_FEATURES

from .blocks import BodyBlock
from .costs import cost_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ServiceKind(models.TextChoices):
    """What a resident can do with a service, as the catalogue describes it."""

    INFO = "info", _("Information")
    LOOKUP = "lookup", _("Look something up")
    FORM = "form", _("Request or report")
    PAID = "paid", _("Pay or apply with a fee")
    APPOINTMENT = "appointment", _("Book an appointment")


def _page_link(
    verbose_name: StrOrPromise, help_text: StrOrPromise
) -> models.ForeignKey[Page | None, Page | None]:
    """An optional link to a page that stays valid (empty) if the page is deleted."""
    return models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=help_text,
    )


@register_setting(icon="mail")
class ContactSettings(ClusterableModel, BaseSiteSetting):
    """How residents reach the council other than online; every service page shows these
    unless it sets its own phone number or face-to-face text."""

    phone_number: models.CharField[str, str] = models.CharField(
        _("phone number"), max_length=40, default="01632 960 000"
    )
    phone_hours: models.CharField[str, str] = models.CharField(
        _("phone opening hours"),
        max_length=200,
        default="Monday to Friday, 8:30am to 5:30pm",
    )
    out_of_hours: models.CharField[str, str] = models.CharField(
        _("out of hours"),
        max_length=300,
        blank=True,
        help_text=_("What to do in an emergency when the lines are closed."),
    )
    face_to_face: models.TextField[str, str] = models.TextField(
        _("face to face"),
        blank=True,
        help_text=_("Where and when residents can see us in person, and how to book."),
    )
    digital_support_page = _page_link(
        _("digital support page"), _("Where residents book help at a library to get online.")
    )
    extra_help_page = _page_link(
        _("extra-help scheme page"),
        _("The page about the extra-help scheme for people who cannot get online."),
    )
    feedback_page = _page_link(
        _("feedback page"), _("Where the phase banner's 'feedback' link goes.")
    )

    panels: ClassVar[list] = [
        MultiFieldPanel(
            [FieldPanel("phone_number"), FieldPanel("phone_hours"), FieldPanel("out_of_hours")],
            heading=_("Phone"),
        ),
        FieldPanel("face_to_face"),
        InlinePanel(
            "translations",
            heading=_("In other languages"),
            label=_("Language"),
            help_text=_(
                "The opening hours and face-to-face text as residents read them in Welsh, "
                "Polish or Arabic. Where a language has none, the English is shown."
            ),
        ),
        FieldPanel("digital_support_page"),
        FieldPanel("extra_help_page"),
        FieldPanel("feedback_page"),
    ]

    class Meta:
        verbose_name = _("contact channels")

    TRANSLATED_FIELDS: ClassVar[tuple[str, ...]] = ("phone_hours", "out_of_hours", "face_to_face")

    @classmethod
    def for_request(cls, request: HttpRequest) -> ContactSettings:
        """The settings in the request's language, looked up once a request."""
        language = get_language() or settings.LANGUAGE_CODE
        cached = getattr(request, "_contact_in_language", None)
        if cached is None or cached[0] != language:
            cached = (language, super().for_request(request).in_language(language))
            request._contact_in_language = cached  # type: ignore[attr-defined]
        return cached[1]

    def in_language(self, language: str) -> ContactSettings:
        """These settings with the texts editors wrote for `language`, where they did."""
        if not self.pk or language == settings.LANGUAGE_CODE:
            return self
        translation = next(
            (t for t in self.translations.all() if t.language == language.split("-")[0]), None
        )
        if translation is None:
            return self
        localized = copy.copy(self)
        for name in self.TRANSLATED_FIELDS:
            setattr(localized, name, getattr(translation, name) or getattr(self, name))
        return localized


def other_language_choices() -> list[tuple[str, StrOrPromise]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class ContactSettingsTranslation(Orderable):
    """The contact texts in one other language."""

    setting = ParentalKey(ContactSettings, related_name="translations", on_delete=models.CASCADE)
    language: models.CharField[str, str] = models.CharField(
        _("language"), max_length=10, choices=other_language_choices
    )
    phone_hours: models.CharField[str, str] = models.CharField(
        _("phone opening hours"), max_length=200, blank=True
    )
    out_of_hours: models.CharField[str, str] = models.CharField(
        _("out of hours"), max_length=300, blank=True
    )
    face_to_face: models.TextField[str, str] = models.TextField(_("face to face"), blank=True)

    panels: ClassVar[list] = [
        FieldPanel("language"),
        FieldPanel("phone_hours"),
        FieldPanel("out_of_hours"),
        FieldPanel("face_to_face"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("contact texts in another language")
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "language"], name="one_contact_text_a_language"
            )
        ]


class CategoryPage(StemmedSearchMixin, Page):
    """A group of services, such as "Bins, recycling and waste"."""

    intro: models.CharField[str, str] = models.CharField(
        _("introduction"), max_length=300, blank=True
    )

    content_panels: ClassVar[list] = [*Page.content_panels, FieldPanel("intro")]
    search_fields: ClassVar[list] = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("search_stems"),
        index.AutocompleteField("search_stems"),
    ]
    stemmed_fields = ("title", "intro")
    parent_page_types: ClassVar[list[str]] = ["home.HomePage"]
    subpage_types: ClassVar[list[str]] = ["services.ServicePage"]
    # Served from the page cache to anonymous readers (core/pagecache.py).
    page_cache = True

    class Meta:
        verbose_name = _("category page")

    def services(self) -> models.QuerySet[ServicePage]:
        """The live, public services in this category, in the order editors set."""
        return ServicePage.objects.child_of(self).live().public()

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # public() reads the view restrictions at once: only when the content is rendered.
        context["services"] = SimpleLazyObject(self.services)
        return context


class ServicePage(StemmedSearchMixin, Page):
    """One council service: what it is, who can use it, what it costs and how to do it,
    online first and by phone, face to face or with help."""

    kind: models.CharField[str, str] = models.CharField(
        _("kind of service"), max_length=20, choices=ServiceKind.choices, default=ServiceKind.INFO
    )
    summary: models.CharField[str, str] = models.CharField(
        _("summary"),
        max_length=250,
        help_text=_("One or two sentences. Shown under the title and in search results."),
    )
    keywords: models.CharField[str, str] = models.CharField(
        _("words residents use"),
        max_length=300,
        blank=True,
        help_text=_(
            "Other words people search with, separated by commas, such as 'tip, dump'. "
            "Not shown on the page."
        ),
    )
    who_can_use = RichTextField(
        _("who can use this service"), features=RICH_TEXT_FEATURES, blank=True
    )
    before_you_start = RichTextField(
        _("what you need before you start"), features=RICH_TEXT_FEATURES, blank=True
    )
    cost: models.CharField[str, str] = models.CharField(
        _("cost"),
        max_length=300,
        blank=True,
        help_text=_(
            "For example 'Free' or '£25'. A service whose online flow has fees set on it shows "
            "those fees instead."
        ),
    )
    time_to_complete: models.CharField[str, str] = models.CharField(
        _("how long it takes"), max_length=200, blank=True, help_text=_("About 5 minutes")
    )
    service_standard: models.CharField[str, str] = models.CharField(
        _("service standard"),
        max_length=300,
        blank=True,
        help_text=_("The promise we publish, such as 'We reply within 5 working days.'"),
    )
    external_start_url: models.URLField[str, str] = models.URLField(
        _("online service on another website"),
        blank=True,
        help_text=_("Only for services done on a national website, such as GOV.UK."),
    )
    start_button_text: models.CharField[str, str] = models.CharField(
        _("start button text"), max_length=80, blank=True, help_text=_("Defaults to 'Start now'.")
    )
    phone_number: models.CharField[str, str] = models.CharField(
        _("phone number"),
        max_length=40,
        blank=True,
        help_text=_("Leave empty to show the council's main number."),
    )
    face_to_face: models.TextField[str, str] = models.TextField(
        _("face to face"),
        blank=True,
        help_text=_("How to do this in person. Leave empty to show the customer service centre."),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    last_reviewed: models.DateField[date | None, date | None] = models.DateField(
        _("last reviewed"), null=True, blank=True
    )

    content_panels: ClassVar[list] = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("who_can_use"),
        FieldPanel("before_you_start"),
        MultiFieldPanel(
            [FieldPanel("cost"), FieldPanel("time_to_complete"), FieldPanel("service_standard")],
            heading=_("Cost, time and standard"),
        ),
        MultiFieldPanel(
            [FieldPanel("external_start_url"), FieldPanel("start_button_text")],
            heading=_("Start button"),
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("phone_number"), FieldPanel("face_to_face")],
            heading=_("Other ways to do this"),
        ),
        InlinePanel("related_services", label=_("Related services"), max_num=6),
        FieldPanel("last_reviewed"),
    ]
    promote_panels: ClassVar[list] = [
        *Page.promote_panels,
        FieldPanel("keywords"),
        InlinePanel(
            "search_terms",
            label=_("Words for search, by language"),
            help_text=_(
                "The situations residents describe when they need this service, and for each "
                "other language its title, summary and the words its speakers search with. "
                "A resident searching in that language finds this service even before its "
                "page is translated: the result shows the English page, marked as English."
            ),
        ),
    ]
    search_fields: ClassVar[list] = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("keywords", boost=3),
        index.SearchField("search_words", boost=3),
        index.SearchField("who_can_use"),
        index.SearchField("before_you_start"),
        index.SearchField("body"),
        index.SearchField("search_stems"),
        index.AutocompleteField("search_stems"),
        index.FilterField("kind"),
        index.FilterField("search_popularity"),
    ]
    stemmed_fields = ("title", "keywords", "summary")
    parent_page_types: ClassVar[list[str]] = ["services.CategoryPage"]
    subpage_types: ClassVar[list[str]] = ["flows.FlowPage"]
    page_cache = True

    class Meta:
        verbose_name = _("service page")

    def words_for_search(self, language: str | None = None) -> ServiceSearchWords | None:
        """This page's words for search in `language` (its own, by default), if it has any.
        A page in another language keeps a copy of its English page's rows (aliases and
        translations are copied from it), so each page reads its own."""
        language = language or self.locale.language_code
        for row in self.search_terms.all():
            if row.language == language:
                return row
        return None

    def search_words(self) -> str:
        row = self.words_for_search()
        return row.text() if row is not None else ""

    @cached_property
    def online_flow(self) -> Page | None:
        """The live online flow under this page, if it has one: a live child of the one page
        type allowed under a service page (`subpage_types`, named by the flows app's label, so
        this app does not import the flows app, which builds on it)."""
        for model in self.allowed_subpage_models():
            flow = model.objects.child_of(self).live().first()
            if flow is not None:
                return flow
        return None

    @cached_property
    def current_cost(self) -> str:
        """The cost residents read: worked out from the online flow's fee rules where it has
        them (services/costs.py), else the editor's `cost` text."""
        return cost_of(self)

    @cached_property
    def start_url(self) -> str:
        """Where "Start now" goes: our own online flow, else a national service's site, else ""
        (the page then offers the other ways only)."""
        flow = self.online_flow
        return flow.url if flow is not None else self.external_start_url

    def get_related_services(self) -> list[ServicePage]:
        """Live related services, in one query whatever their number."""
        links = (
            self.related_services.filter(service__live=True)
            .select_related("service")
            .order_by("sort_order", "pk")
        )
        return localized_pages(link.service for link in links)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # Looked up only if the page's content is rendered, not when it comes from the fragment
        # cache (core/pagecache.py).
        context["related"] = SimpleLazyObject(self.get_related_services)
        context["contact"] = SimpleLazyObject(lambda: ContactSettings.for_request(request))
        return context


class ServiceSearchWords(Orderable):
    """What residents who speak one language search for a service with: the situations they
    describe and, in a language other than the page's own, its title and summary as they
    would be written in it. Editors keep them as content, as synonyms and keywords are."""

    page = ParentalKey(ServicePage, related_name="search_terms", on_delete=models.CASCADE)
    language: models.CharField[str, str] = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES
    )
    title: models.CharField[str, str] = models.CharField(
        _("title in this language"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty in the page's own language."),
    )
    summary: models.CharField[str, str] = models.CharField(
        _("summary in this language"), max_length=250, blank=True
    )
    phrases: models.TextField[str, str] = models.TextField(
        _("words and situations residents use"),
        blank=True,
        help_text=_(
            "One on each line: the words people search with, and what they say when they "
            "need this service, such as 'my bin was not emptied'. Not shown on the page."
        ),
    )

    panels: ClassVar[list] = [
        FieldPanel("language"),
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("phrases"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("words for search")
        verbose_name_plural = _("words for search")
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["page", "language"], name="one_search_words_a_language")
        ]

    def __str__(self) -> str:
        return str(self.get_language_display())

    def phrase_list(self) -> list[str]:
        return [line.strip() for line in self.phrases.splitlines() if line.strip()]

    def text(self) -> str:
        """Everything here as one text, for the search index."""
        return "\n".join(part for part in (self.title, self.summary, *self.phrase_list()) if part)


class ServicePageRelatedService(Orderable):
    """A service shown under "Related services" on another service's page."""

    page = ParentalKey(ServicePage, related_name="related_services", on_delete=models.CASCADE)
    service: models.ForeignKey[ServicePage, ServicePage] = models.ForeignKey(
        ServicePage, verbose_name=_("service"), on_delete=models.CASCADE, related_name="+"
    )

    panels: ClassVar[list] = [FieldPanel("service")]

    class Meta(Orderable.Meta):
        verbose_name = _("related service")
        verbose_name_plural = _("related services")


def reindex_service(instance: ServiceSearchWords, **kwargs: Any) -> None:
    """A page's words for search are saved after the page itself (modelcluster commits child
    rows once the page's own row is written), so the page's entry in the search index, made
    when the page was saved, is made again with them."""
    if kwargs.get("raw"):
        return
    page = ServicePage.objects.filter(pk=instance.page_id).first()
    if page is not None:
        index.insert_or_update_object(page)


models.signals.post_save.connect(reindex_service, sender=ServiceSearchWords)
models.signals.post_delete.connect(reindex_service, sender=ServiceSearchWords)
