"""Loads the demo content from site/demo/content into the page tree, idempotently.

Missing pages are created and filled in. Pages that already exist are left as editors left
them, unless ``reset`` is asked for: then each is compared with the content files and saved (as
a new published revision) only where something differs. Either way, running the loader twice
changes nothing the second time.
"""

from __future__ import annotations

import csv
import datetime
import tomllib
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Locale, Page, Site

from demo.flow_loader import load_demo_flows
from demo.loading import LoadReport, indexing_once_at_the_end, rich_text, without_ids
from demo.search_loader import load_demo_search
from demo.translate import load_translations
from home.models import HomePage, HomePageTopTask, StandardPage
from services.models import (
    CategoryPage,
    ContactSettings,
    ServicePage,
    ServicePageRelatedService,
    ServiceSearchWords,
)

DEMO_DIR = Path(__file__).resolve().parent
CONTENT_DIR = DEMO_DIR / "content"
LAST_REVIEWED = datetime.date(2026, 11, 1)

# The service teams of the demo, and the categories whose pages each may edit and publish.
TEAMS: dict[str, list[str]] = {
    "Waste and streets": ["bins-recycling-waste", "roads-transport"],
    "Registration": ["births-deaths-marriages"],
}
TEAM_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]

CONTACT_DEFAULTS = {
    "phone_number": "01632 960 000",
    "phone_hours": "Monday to Friday, 8:30am to 5:30pm",
    "out_of_hours": (
        "For emergencies when we are closed, such as a dangerous road, flooding or a child or "
        "adult at risk, call 01632 960 999 at any time."
    ),
    "face_to_face": (
        "Visit the Customer Service Centre at the Civic Centre, Market Street, Fernbridge "
        "FE1 1AA. It is open by appointment, Monday to Friday 9am to 5pm, and until 7pm on "
        "Thursdays. Call us to book and we will tell you what to bring."
    ),
}


def read_catalogue() -> list[dict[str, str]]:
    """The services the demo carries, from catalogue.tsv (one row per service)."""
    with (DEMO_DIR / "catalogue.tsv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def read_categories() -> list[dict[str, str]]:
    with (DEMO_DIR / "categories.tsv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def read_services() -> list[dict[str, Any]]:
    """Every service from the content files, each with its category slug."""
    services = []
    for path in sorted((CONTENT_DIR / "services").glob("*.toml")):
        with path.open("rb") as f:
            for service in tomllib.load(f).get("service", []):
                services.append({**service, "category": path.stem})
    return services


def read_search_words() -> dict[str, dict[str, dict[str, Any]]]:
    """Service slug -> language -> its words for search: the situations in the English content
    files, and each other language's title, summary and phrases (content/search/<code>.toml)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    english = settings.LANGUAGE_CODE
    for service in read_services():
        if service.get("situations"):
            found.setdefault(service["slug"], {})[english] = {"phrases": service["situations"]}
    for path in sorted((CONTENT_DIR / "search").glob("*.toml")):
        with path.open("rb") as f:
            for service in tomllib.load(f).get("service", []):
                found.setdefault(service["slug"], {})[path.stem] = service
    return found


def search_words_rows(words: dict[str, dict[str, Any]]) -> list[ServiceSearchWords]:
    return [
        ServiceSearchWords(
            language=language,
            title=entry.get("title", ""),
            summary=entry.get("summary", ""),
            phrases="\n".join(entry.get("phrases", [])),
            sort_order=number,
        )
        for number, (language, entry) in enumerate(sorted(words.items()))
    ]


def read_site() -> dict[str, Any]:
    with (CONTENT_DIR / "site.toml").open("rb") as f:
        return tomllib.load(f)


LIST_ITEM_IDS = uuid.UUID("6f1d8a52-3c5e-4f0b-9a57-0d2b6a1e4c11")


def body_blocks(blocks: Iterable[dict[str, Any]], page_ids: dict[str, int]) -> list[dict]:
    """Turn content-file blocks into StreamField data for services.blocks.BodyBlock."""
    stream: list[dict[str, Any]] = []
    for block in blocks:
        kind = block["type"]
        if kind == "heading":
            stream.append({"type": "heading", "value": block["text"]})
        elif kind == "paragraph":
            stream.append({"type": "paragraph", "value": rich_text(block["text"])})
        elif kind == "list":
            # Wagtail's block format, each item with an id: wagtail-localize only offers the
            # items of a list stored this way to translators (a plain list stays in English).
            # The ids come from the text, so loading again changes nothing.
            items = [
                {"type": "item", "value": text, "id": str(uuid.uuid5(LIST_ITEM_IDS, f"{n}:{text}"))}
                for n, text in enumerate(block["items"])
            ]
            value = {"items": items, "numbered": bool(block.get("numbered"))}
            stream.append({"type": "list", "value": value})
        elif kind == "inset":
            stream.append({"type": "inset_text", "value": {"text": rich_text(block["text"])}})
        elif kind == "warning":
            stream.append({"type": "warning_text", "value": {"text": block["text"]}})
        elif kind == "details":
            value = {"summary": block["summary"], "text": rich_text(block["text"])}
            stream.append({"type": "details", "value": value})
        elif kind == "callout":
            value = {
                "heading": block["heading"],
                "text": block["text"],
                "page": page_ids.get(block.get("link_slug", "")),
                "link_text": block.get("link_text", ""),
            }
            stream.append({"type": "callout", "value": value})
        else:
            raise ValueError(f"Unknown block type {kind!r} in the demo content")
    return stream


class DemoLoader:
    """Creates or brings up to date the home page, categories, services and standard pages."""

    def __init__(
        self,
        log: Callable[[str], None] | None = None,
        reset: bool = False,
        translate: bool = False,
    ) -> None:
        self.log = log or (lambda message: None)
        self.reset = reset
        # Welsh, Polish and Arabic trees and translations (demo.translate)
        self.translate = translate
        self.report = LoadReport()
        self._new_pages: set[int] = set()

    @transaction.atomic
    def load(self) -> LoadReport:
        with indexing_once_at_the_end():
            return self._load()

    def _load(self) -> LoadReport:
        site_content = read_site()
        home = self.home_page(site_content["home"])
        categories = {
            c["slug"]: self.child(home, CategoryPage, c["slug"], {"title": c["title"]})
            for c in site_content["category"]
        }
        services = read_services()
        pages = {
            s["slug"]: self.child(
                categories[s["category"]],
                ServicePage,
                s["slug"],
                {
                    "title": s["title"],
                    "summary": s["summary"],
                    "kind": s["kind"],
                },
            )
            for s in services
        }
        page_ids = {slug: page.pk for slug, page in pages.items()}
        for c in site_content["category"]:
            self.sync(categories[c["slug"]], {"title": c["title"], "intro": c["intro"]})
        search_words = read_search_words()
        for s in services:
            self.sync(
                pages[s["slug"]],
                self.service_fields(s, page_ids),
                related=[pages[slug] for slug in s.get("related", [])],
                search_words=search_words.get(s["slug"], {}),
            )
        for p in site_content["page"]:
            page = self.child(home, StandardPage, p["slug"], {"title": p["title"]})
            self.sync(
                page,
                {
                    "title": p["title"],
                    "intro": p.get("intro", ""),
                    "body": body_blocks(p.get("body", []), page_ids),
                    "show_in_menus": True,
                    "last_reviewed": LAST_REVIEWED,
                },
            )
        self.top_tasks(home, [pages[slug] for slug in site_content["home"]["top_tasks"]])
        self.contact_settings(home, pages)
        load_demo_flows(self.report, reset=self.reset, log=self.log)
        load_demo_search(self.report, reset=self.reset, log=self.log)
        if self.translate:
            self.report.created.extend(load_translations(reset=self.reset, log=self.log))
        self.team_groups(categories)
        return self.report

    # pages

    def home_page(self, content: dict[str, Any]) -> HomePage:
        root = Page.get_first_root_node()
        # Wagtail's welcome page is a plain Page at the top; ours replaces it.
        for welcome in root.get_children().exact_type(Page):
            welcome.delete()
        home = HomePage.objects.child_of(root).filter(locale=Locale.get_default()).first()
        if home is None:
            home = root.add_child(instance=HomePage(title=content["heading"], slug="home"))
            self.report.created.append("home")
            self._new_pages.add(home.pk)
        self.sync(
            home,
            {
                "title": content["heading"],
                "intro": content["intro"],
                "alert_title": content["alert_title"],
                "alert_text": content["alert_text"],
            },
        )
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        if site.root_page_id != home.pk or not site.site_name:
            site.hostname, site.port, site.root_page = "localhost", 80, home
            site.site_name = "Fernbridge City Council"
            site.save()
        return home

    def child(self, parent: Page, model: type[Page], slug: str, fields: dict[str, Any]) -> Any:
        page = model.objects.child_of(parent).filter(slug=slug).first()
        if page is None:
            page = parent.add_child(instance=model(slug=slug, **fields))
            self.report.created.append(page.url_path)
            self._new_pages.add(page.pk)
        return page

    def sync(
        self,
        page: Page,
        fields: dict[str, Any],
        related: list[ServicePage] | None = None,
        search_words: dict[str, dict[str, Any]] | None = None,
    ):
        """Publish a new revision of `page` only if `fields`, `related` or `search_words`
        differ from it.

        Pages that existed before this run are only touched when resetting, except to add
        words for search in a language the page has none in yet (the demo's, since they came
        after its pages)."""
        if page.pk not in self._new_pages and not self.reset:
            if search_words and self.add_search_words(page, search_words):
                page.save_revision(log_action=False).publish(log_action=False)
                self.report.updated.append(page.url_path)
                self.log(f"  {page.url_path}: words for search")
            return
        changed = []
        for name, value in fields.items():
            current, wanted = getattr(page, name), value
            if name == "body":
                current, wanted = without_ids(list(current.raw_data)), without_ids(value)
            if current != wanted:
                setattr(page, name, value)
                changed.append(name)
        if related is not None:
            current_ids = [link.service_id for link in page.related_services.order_by("sort_order")]
            if current_ids != [r.pk for r in related]:
                page.related_services = [
                    ServicePageRelatedService(service=r, sort_order=i)
                    for i, r in enumerate(related)
                ]
                changed.append("related_services")
        if search_words is not None:
            current = [
                (w.language, w.title, w.summary, w.phrases)
                for w in page.search_terms.order_by("sort_order")
            ]
            rows = search_words_rows(search_words)
            if current != [(w.language, w.title, w.summary, w.phrases) for w in rows]:
                page.search_terms = rows
                changed.append("search_terms")
        if changed or page.latest_revision_id is None:
            page.save_revision(log_action=False).publish(log_action=False)
            if page.url_path not in self.report.created:
                self.report.updated.append(page.url_path)
            self.log(f"  {page.url_path}: {', '.join(changed) or 'first revision'}")

    def add_search_words(self, page: ServicePage, words: dict[str, dict[str, Any]]) -> bool:
        """Add the demo's words for search in the languages `page` has none in."""
        have = {w.language for w in page.search_terms.all()}
        missing = [row for row in search_words_rows(words) if row.language not in have]
        if not missing:
            return False
        page.search_terms = [*page.search_terms.all(), *missing]
        return True

    def service_fields(self, s: dict[str, Any], page_ids: dict[str, int]) -> dict[str, Any]:
        return {
            "title": s["title"],
            "kind": s["kind"],
            "summary": s["summary"],
            "keywords": ", ".join(s.get("keywords", [])),
            "who_can_use": rich_text(s.get("who_can_use", "")),
            "before_you_start": rich_text(s.get("before_you_start", "")),
            "cost": s.get("cost", ""),
            "time_to_complete": s.get("time_to_complete", ""),
            "service_standard": s.get("service_standard", ""),
            "external_start_url": s.get("external_start_url", ""),
            "start_button_text": s.get("start_button_text", "")
            if s.get("external_start_url")
            else "",
            "phone_number": s.get("phone_number", ""),
            "face_to_face": s.get("face_to_face", ""),
            "body": body_blocks(s.get("body", []), page_ids),
            "last_reviewed": LAST_REVIEWED,
            "search_description": s["summary"],
        }

    def top_tasks(self, home: HomePage, tasks: list[ServicePage]) -> None:
        if home.pk not in self._new_pages and not self.reset:
            return
        if [t.page_id for t in home.top_tasks.order_by("sort_order")] != [t.pk for t in tasks]:
            home.top_tasks = [HomePageTopTask(page=t, sort_order=i) for i, t in enumerate(tasks)]
            home.save_revision(log_action=False).publish(log_action=False)
            self.report.updated.append("home top tasks")

    # site settings and permissions

    def contact_settings(self, home: HomePage, pages: dict[str, ServicePage]) -> None:
        site = Site.objects.get(root_page=home)
        contact = ContactSettings.for_site(site)
        if contact.phone_number and contact.digital_support_page_id and not self.reset:
            return
        wanted = {
            **CONTACT_DEFAULTS,
            "digital_support_page_id": pages["book-digital-support"].pk,
            "extra_help_page_id": pages["additional-support"].pk,
            "feedback_page_id": pages["complaints"].pk,
        }
        if any(getattr(contact, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(contact, k, v)
            contact.save()
            self.report.updated.append("contact settings")

    def team_groups(self, categories: dict[str, CategoryPage]) -> None:
        access_admin = Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
        page_perms = Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=TEAM_PAGE_PERMISSIONS
        )
        # wagtail-localize's "Translate" action and translation editor
        translate = Permission.objects.filter(
            content_type__app_label="wagtail_localize", codename="submit_translation"
        )
        for name, slugs in TEAMS.items():
            group, created = Group.objects.get_or_create(name=name)
            if created:
                self.report.created.append(f"group {name}")
            group.permissions.add(access_admin, *translate)
            # The team looks after its categories in every language.
            pages = [p for slug in slugs for p in categories[slug].get_translations(inclusive=True)]
            for page in pages:
                for permission in page_perms:
                    _, made = GroupPagePermission.objects.get_or_create(
                        group=group, page=page, permission=permission
                    )
                    if made and not created:
                        self.report.updated.append(f"group {name}")
