"""The query log the web team reads: what residents searched for (redacted), how many results
they got, which result they chose and whether that search led them to start or finish a flow.

No IP address, user, session key or answer is stored; a search's query is redacted before it
is saved (see `search.analytics.redact`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VIEW_REPORTS_PERMISSION = "search.view_search_reports"


class SearchLog(models.Model):
    """One search: the first results page of a query (later pages are not searches)."""

    query = models.CharField(
        _("search term"),
        max_length=255,
        help_text=_("Normalised, with email addresses, phone numbers and postcodes removed."),
    )
    language = models.CharField(_("language"), max_length=12, blank=True, default="")
    result_count = models.PositiveIntegerField(_("results"))
    created_at = models.DateTimeField(_("searched at"), default=timezone.now)

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        # Nobody edits the log; the web team only read it.
        default_permissions = ()
        permissions = [("view_search_reports", _("Can view search reports"))]
        indexes = [
            models.Index(fields=["created_at"], name="search_log_created"),
            models.Index(fields=["query", "created_at"], name="search_log_query_created"),
            models.Index(fields=["result_count", "created_at"], name="search_log_results_created"),
        ]

    def __str__(self) -> str:
        return self.query


class SearchClick(models.Model):
    """A resident chose the result at `position` (1 = first, promoted results included)."""

    log = models.ForeignKey(
        SearchLog, verbose_name=_("search"), on_delete=models.CASCADE, related_name="clicks"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    promotion = models.ForeignKey(
        "wagtailsearchpromotions.SearchPromotion",
        verbose_name=_("promoted link"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("clicked at"), default=timezone.now)

    class Meta:
        verbose_name = _("search result click")
        verbose_name_plural = _("search result clicks")
        default_permissions = ()
        indexes = [
            models.Index(fields=["created_at"], name="search_click_created"),
        ]

    def __str__(self) -> str:
        return f"{self.log_id} #{self.position}"


class FlowFromSearch(models.Model):
    """A resident started (or finished) a flow within two hours of choosing a search result."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        FINISHED = "finished", _("Finished")

    log = models.ForeignKey(
        SearchLog, verbose_name=_("search"), on_delete=models.CASCADE, related_name="flows"
    )
    flow = models.ForeignKey(
        "flows.FlowPage",
        verbose_name=_("online flow"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The flow's service page when it happened: the page residents chose in the results, for
    # the reports (its title) and for ranking (its popularity).
    service = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("what happened"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("flow from a search")
        verbose_name_plural = _("flows from searches")
        default_permissions = ()
        constraints = [
            # A search leads to starting (or finishing) a flow once, however often it restarts.
            models.UniqueConstraint(
                fields=["log", "flow", "kind"], name="search_flow_once_per_search"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "created_at"], name="search_flow_kind_created"),
        ]

    def __str__(self) -> str:
        return f"{self.log_id} {self.kind} {self.flow_id}"
