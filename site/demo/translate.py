"""The demo in Welsh, Polish and Arabic, made with wagtail-localize as an editor's would be.

Every language gets a whole page tree: wagtail-localize's tree synchronisation makes an alias of
each English page, so a resident who picked Welsh can reach every service (untranslated pages
say so and keep their English text, marked as English). The home page, every category, ten
services, three flows (a look-up, a request and a paid one) and the standard pages in the
footer are then translated from the
catalogues in ``site/demo/translations/<language>.po`` (not ``locale/``, which makemessages
would take for the demo code's own gettext catalogue): one entry per English string, the way a
translator would receive them from wagtail-localize's "Download PO file".

``manage.py demo_translations --export`` writes the catalogues' English side after the English
demo text changes, keeping what is already translated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import polib
from django.conf import settings
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import (
    LocaleSynchronization,
    StringSegment,
    Translation,
    TranslationSource,
)
from wagtail_localize.segments.extract import extract_segments
from wagtail_localize.segments.types import StringSegmentValue
from wagtail_localize.synctree import synchronize_tree

CATALOGUE_DIR = Path(__file__).resolve().parent / "translations"

# Every kind of service page (info, look-up, request, paid, appointment) is among these.
SERVICES = [
    "bin-collection-day",
    "report-missed-bin",
    "pay-parking-fine",
    "household-waste-recycling-centres",
    "pay-council-tax",
    "report-pothole",
    "blue-badge",
    "register-birth",
    "contact-us",
    "additional-support",
]
# The services whose online flow is translated too.
FLOWS = ["bin-collection-day", "report-missed-bin", "pay-parking-fine"]


def offered(path: str, text: str) -> bool:
    """Whether a string is given to translators. Not a page's web address (a translated page
    keeps its English one, so links, leaflets and the language switcher agree), nor the "yes"
    or "no" a condition checks, which the runtime stores in English in every language."""
    if path == "slug":
        return False
    return not (path.endswith("show_if.answer") and text.strip().casefold() in {"yes", "no"})


def other_languages() -> list[str]:
    """The site's languages other than the source (English)."""
    default = Locale.get_default().language_code
    return [code for code, _name in settings.LANGUAGES if code != default]


def ensure_locales() -> list[Locale]:
    """A Locale for every language, each kept in step with English by alias pages."""
    source = Locale.get_default()
    locales = []
    for code in other_languages():
        locale, _created = Locale.objects.get_or_create(language_code=code)
        LocaleSynchronization.objects.get_or_create(locale=locale, defaults={"sync_from": source})
        synchronize_tree(source, locale)
        locales.append(locale)
    return locales


def pages_to_translate() -> list[Page]:
    """The demo's translated pages, parents before children, in the source language."""
    from forms.flows.models import FlowPage
    from home.models import HomePage, StandardPage
    from services.models import CategoryPage, ServicePage

    source = Locale.get_default()
    home = HomePage.objects.filter(locale=source).first()
    if home is None:
        return []
    categories = list(CategoryPage.objects.child_of(home).filter(locale=source))
    services = {s.slug: s for s in ServicePage.objects.filter(locale=source, slug__in=SERVICES)}
    flows = [
        flow
        for slug in FLOWS
        if slug in services
        for flow in FlowPage.objects.child_of(services[slug])
    ]
    # The standard pages (accessibility, privacy, cookies, contact) are in every footer: a
    # language whose footer led to English pages would not be a whole language.
    standard = list(StandardPage.objects.child_of(home).filter(locale=source).order_by("path"))
    return [
        home,
        *categories,
        *(services[s] for s in SERVICES if s in services),
        *flows,
        *standard,
    ]


def translatable_strings(page: Page) -> Iterator[tuple[str, str]]:
    """(context path, English text) for each string a translator is given for `page`."""
    for segment in extract_segments(page.specific):
        if isinstance(segment, StringSegmentValue) and offered(segment.path, segment.string.data):
            yield segment.path, segment.string.data


def catalogue_path(code: str) -> Path:
    return CATALOGUE_DIR / f"{code}.po"


def read_catalogue(code: str) -> dict[str, str]:
    """English string -> translation, for one language."""
    path = catalogue_path(code)
    if not path.exists():
        return {}
    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(path)) if entry.msgstr}


def export_catalogues() -> dict[str, tuple[int, int]]:
    """Rewrite each language's catalogue with the English strings of today's demo, keeping the
    translations already made. Returns {language: (strings, translated)}."""
    entries: dict[str, polib.POEntry] = {}
    for page in pages_to_translate():
        where = f"{page.specific_class.__name__}:{page.url_path}"
        for path, text in translatable_strings(page):
            entry = entries.setdefault(text, polib.POEntry(msgid=text, msgstr=""))
            entry.occurrences.append((where, path))
    for name, text in contact_texts().items():
        entry = entries.setdefault(text, polib.POEntry(msgid=text, msgstr=""))
        entry.occurrences.append(("ContactSettings", name))
    CATALOGUE_DIR.mkdir(exist_ok=True)
    counts = {}
    for code in other_languages():
        known = read_catalogue(code)
        po = polib.POFile(wrapwidth=0)
        po.metadata = {
            "Project-Id-Version": "Fernbridge City Council demo content",
            "Language": code,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Transfer-Encoding": "8bit",
        }
        for text, entry in entries.items():
            po.append(
                polib.POEntry(msgid=text, msgstr=known.get(text, ""), occurrences=entry.occurrences)
            )
        po.save(str(catalogue_path(code)))
        counts[code] = (len(po), len(po.translated_entries()))
    return counts


def contact_texts() -> dict[str, str]:
    """The contact channels' English texts (Settings -> Contact channels) by field name."""
    from services.models import ContactSettings

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return {}
    setting = ContactSettings.for_site(site)
    fields = ContactSettings.TRANSLATED_FIELDS
    return {name: getattr(setting, name) for name in fields if getattr(setting, name)}


def translate_contact_texts(code: str, catalogue: dict[str, str], reset: bool = False) -> bool:
    """The contact channels' texts in one language, unless editors have written them."""
    from services.models import ContactSettings, ContactSettingsTranslation

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return False
    setting = ContactSettings.for_site(site)
    existing = ContactSettingsTranslation.objects.filter(setting=setting, language=code).first()
    if existing is not None and not reset:
        return False
    texts = {name: catalogue.get(text, "") for name, text in contact_texts().items()}
    ContactSettingsTranslation.objects.update_or_create(
        setting=setting, language=code, defaults=texts
    )
    return True


def translate_page(
    page: Page, locale: Locale, catalogue: dict[str, str], reset: bool = False
) -> bool:
    """Translate `page` into `locale` from the catalogue through wagtail-localize, and publish
    it. A page already translated is left as its editors left it, unless `reset`."""
    existing = page.get_translation_or_none(locale)
    if existing is not None and existing.alias_of_id is None and not reset:
        return False
    source, created = TranslationSource.get_or_create_from_instance(page.specific)
    if not created:
        source.update_from_db()
    translation, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
    po = polib.POFile()
    segments = StringSegment.objects.filter(source=source).select_related("string", "context")
    for segment in segments:
        english = segment.string.data
        # Strings not given to translators keep their English, translated as themselves, so
        # wagtail-localize counts the translation as complete.
        text = catalogue.get(english) if offered(segment.context.path, english) else english
        if text:
            po.append(
                polib.POEntry(msgid=segment.string.data, msgctxt=segment.context.path, msgstr=text)
            )
    translation.import_po(po, tool_name="Fernbridge demo translations")
    translation.save_target(publish=True)
    return True


def load_translations(reset: bool = False, log: Callable[[str], None] | None = None) -> list[str]:
    """Make every language's tree and the demo's translations. Returns what was translated."""
    log = log or (lambda message: None)
    done = []
    locales = ensure_locales()
    pages = pages_to_translate()
    for locale in locales:
        catalogue = read_catalogue(locale.language_code)
        if not catalogue:
            continue
        for page in pages:
            if translate_page(page, locale, catalogue, reset=reset):
                done.append(f"{locale.language_code}{page.url_path}")
                log(f"  {locale.language_code}: {page.url_path} translated")
        if translate_contact_texts(locale.language_code, catalogue, reset=reset):
            done.append(f"{locale.language_code}: contact channels")
    return done
