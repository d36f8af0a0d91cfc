"""Editors create pages in the Wagtail admin, and service teams only edit their own category."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from demo.loader import DemoLoader
from forms.flows.models import FlowPage
from home.models import HomePage, StandardPage
from services.models import CategoryPage, ServicePage
from tests.factories import CategoryPageFactory, make_site


class PageTreeRulesTests(WagtailPageTestCase):
    def test_where_each_page_type_can_go(self):
        self.assertAllowedSubpageTypes(HomePage, {CategoryPage, StandardPage})
        self.assertAllowedSubpageTypes(CategoryPage, {ServicePage})
        self.assertAllowedSubpageTypes(ServicePage, {FlowPage})
        self.assertAllowedParentPageTypes(FlowPage, {ServicePage})
        self.assertAllowedParentPageTypes(ServicePage, {CategoryPage})
        self.assertCanNotCreateAt(HomePage, ServicePage)


class CreatePagesInAdminTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.category = CategoryPageFactory(parent=cls.home, slug="bins", title="Bins")

    def setUp(self):
        self.login()

    def test_editor_creates_a_category(self):
        self.assertCanCreate(
            self.home,
            CategoryPage,
            nested_form_data({"title": "Parking", "slug": "parking", "intro": "Permits."}),
        )

    def test_editor_creates_a_service_page_with_body_and_related_services(self):
        existing = ServicePage(title="Find your bin day", slug="bin-day", summary="Find it.")
        self.category.add_child(instance=existing)
        data = nested_form_data(
            {
                "title": "Report a missed bin",
                "slug": "missed-bin",
                "kind": "form",
                "summary": "Tell us if we did not empty your bin.",
                "who_can_use": rich_text("<p>Anyone in Fernbridge.</p>"),
                "before_you_start": rich_text("<p>Have your address ready.</p>"),
                "cost": "Free",
                "body": streamfield(
                    [
                        ("heading", "What happens next"),
                        ("paragraph", rich_text("<p>We come back within 2 days.</p>")),
                        ("warning_text", {"text": "Report it within 2 days."}),
                        ("details", {"summary": "Help", "text": rich_text("<p>Call us.</p>")}),
                    ]
                ),
                "related_services": inline_formset([{"service": existing.pk}]),
                "search_terms": inline_formset(
                    [
                        {
                            "language": "pl",
                            "title": "Zgłoś nieopróżniony pojemnik",
                            "summary": "",
                            "phrases": "nie zabrali śmieci\nkosz",
                        }
                    ]
                ),
            }
        )
        self.assertCanCreate(self.category, ServicePage, data)
        page = ServicePage.objects.get(slug="missed-bin")
        self.assertEqual([r.service for r in page.related_services.all()], [existing])
        words = page.words_for_search("pl")
        self.assertEqual(words.phrase_list(), ["nie zabrali śmieci", "kosz"])
        response = self.client.get("/bins/missed-bin/")
        self.assertContains(response, "We come back within 2 days.")
        self.assertContains(response, "Find your bin day")

    def test_editor_creates_a_standard_page(self):
        self.assertCanCreate(
            self.home,
            StandardPage,
            nested_form_data(
                {
                    "title": "Cookies",
                    "slug": "cookies",
                    "body": streamfield([("paragraph", rich_text("<p>Only essential.</p>"))]),
                }
            ),
        )

    def test_service_page_is_editable_and_previewable(self):
        page = ServicePage(title="Skip permit", slug="skip", summary="Put a skip on the road.")
        self.category.add_child(instance=page)
        data = nested_form_data(
            {
                "title": "Skip permit",
                "slug": "skip",
                "kind": "paid",
                "summary": "Put a skip on the road.",
                "who_can_use": rich_text(""),
                "before_you_start": rich_text(""),
                "body": streamfield([("heading", "Before you book")]),
                "related_services": inline_formset([]),
                "search_terms": inline_formset([]),
            }
        )
        self.assertPageIsEditable(page, post_data=data)
        self.assertPageIsPreviewable(page, post_data=data)
        self.assertPageIsRenderable(page)


class ServiceTeamPermissionTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()
        cls.editor = get_user_model().objects.create_user("waste.editor", password="x")
        cls.editor.groups.add(Group.objects.get(name="Waste and streets"))

    def setUp(self):
        self.client.force_login(self.editor)

    def test_team_may_edit_and_publish_its_own_category_only(self):
        bins = ServicePage.objects.get(slug="report-missed-bin")
        birth = ServicePage.objects.get(slug="register-birth")
        self.assertTrue(bins.permissions_for_user(self.editor).can_edit())
        self.assertTrue(bins.permissions_for_user(self.editor).can_publish())
        self.assertFalse(birth.permissions_for_user(self.editor).can_edit())

        self.assertEqual(self.client.get(f"/admin/pages/{bins.pk}/edit/").status_code, 200)
        response = self.client.get(f"/admin/pages/{birth.pk}/edit/")
        self.assertNotEqual(response.status_code, 200)

    def test_registration_team_is_limited_to_births_deaths_and_marriages(self):
        group = Group.objects.get(name="Registration")
        pages = set(
            GroupPagePermission.objects.filter(group=group).values_list("page__slug", flat=True)
        )
        self.assertEqual(pages, {"births-deaths-marriages"})
        self.assertIn(Permission.objects.get(codename="access_admin"), group.permissions.all())
