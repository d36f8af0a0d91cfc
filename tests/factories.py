"""Factories for the site's pages, built on wagtail-factories."""

from __future__ import annotations

import factory
import wagtail_factories
from wagtail.models import Page, Site

from home.models import HomePage
from services.models import CategoryPage, ServicePage


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Fernbridge City Council"
    slug = "home"
    intro = "Find a council service and do it online."

    class Meta:
        model = HomePage


class CategoryPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    intro = "Services in this category."

    class Meta:
        model = CategoryPage


class ServicePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    summary = "Do this thing online."
    kind = "form"
    cost = "Free"
    time_to_complete = "About 5 minutes"
    service_standard = "We reply within 5 working days."

    class Meta:
        model = ServicePage


def make_site() -> HomePage:
    """A HomePage at the root of the default site (replacing Wagtail's welcome page)."""
    root = Page.get_first_root_node()
    for page in root.get_children():
        page.delete()
    home = HomePageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Test"},
    )
    return home
