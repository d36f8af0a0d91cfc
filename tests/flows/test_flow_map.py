"""An editor sees a flow as a map: every page in order, each branch with its condition in words,
the end points, the pages nobody can reach and the checks' problems, and each page opens in the
editor. The map reads the flow's shape and the checks' report; it never walks the flow, so these
tests give it the report they want."""

from __future__ import annotations

from unittest import mock

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.template.loader import render_to_string
from django.test import TestCase
from django.urls import reverse
from wagtail.models import GroupPagePermission, PanelPlaceholder
from wagtail.test.utils import WagtailTestUtils

from forms.flows.checks import ERROR, WARNING, Problem, Report
from forms.flows.conditions import shape_of
from forms.flows.editor.flow_map import FlowMapPanel, build_map, map_context, map_of
from forms.flows.models import FlowPage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import end_point, make_flow, page, question

BINS = "Which bins did we miss?"
OUT_BY_7AM = "Was your bin at the edge of your property by 7am on your collection day?"
TAGGED = "Did the crew leave a tag on your bin?"


def option(label: str, key: str) -> dict[str, str]:
    return {"label": label, "hint": "", "key": key}


def missed_bin_steps() -> list[dict]:
    """The demo's "Report a missed bin" (site/demo/flows/report-missed-bin.toml), with one more
    branch: where the food caddy was, only for a missed caddy."""
    return [
        page(
            "which-bins",
            question(
                "checkboxes",
                "bins",
                BINS,
                options=[
                    option("Black bin (general waste)", "black-bin"),
                    option("Green-lid bin (recycling)", "green-lid-bin"),
                    option("Food caddy", "food-caddy"),
                ],
            ),
        ),
        page(
            "caddy",
            question("short_text", "caddy_place", "Where did you leave your food caddy?"),
            show_if={"question": "bins", "options": ["food-caddy"], "negate": False},
        ),
        page("address", question("address", "address", "What is the address of the missed bin?")),
        page("out-by-7am", question("yes_no", "out_by_7am", OUT_BY_7AM)),
        end_point(
            "bin-not-out-in-time",
            "We cannot come back for your bin",
            "Our crews follow a set route from 7am.",
            {"question": "out_by_7am", "options": ["no"], "negate": False},
        ),
        page("tag", question("yes_no", "tagged", TAGGED)),
        end_point(
            "bin-was-tagged",
            "We will empty your bin on your next collection day",
            "The tag tells you why the crew could not empty your bin.",
            {"question": "tagged", "options": ["yes"], "negate": False},
        ),
        page(
            "contact-details",
            question("short_text", "full_name", "Full name"),
            question("email", "email", "Email address"),
            heading="Your contact details",
        ),
    ]


TITLES = [
    BINS,
    "Where did you leave your food caddy?",
    "What is the address of the missed bin?",
    OUT_BY_7AM,
    "We cannot come back for your bin",
    TAGGED,
    "We will empty your bin on your next collection day",
    "Your contact details",
]


def text(element) -> str:
    return " ".join(element.get_text(" ", strip=True).split())


class MissedBinMapTestCase(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        category = CategoryPageFactory(parent=home, slug="bins", title="Bins")
        cls.service = ServicePageFactory(parent=category, slug="missed-bin", title="Missed bin")
        cls.flow = make_flow(
            missed_bin_steps(),
            service=cls.service,
            slug="report",
            title="Report a missed bin collection",
        )

    def map_url(self, flow: FlowPage | None = None) -> str:
        return reverse("flow_map", args=[(flow or self.flow).pk])

    def rendered(self, report: Report, flow: FlowPage | None = None) -> BeautifulSoup:
        """The map as the admin page shows it, with the checks' report `report`."""
        flow = flow or self.flow
        shape = shape_of(flow.steps)
        edit_url = reverse("wagtailadmin_pages:edit", args=[flow.pk])
        flow_map = build_map(shape, report, edit_url=edit_url)
        return BeautifulSoup(
            render_to_string("flows/editor/includes/flow_map.html", map_context(flow_map)),
            "html.parser",
        )


class TheMapTests(MissedBinMapTestCase):
    def setUp(self):
        self.login()

    def test_every_page_is_listed_in_order_then_check_your_answers(self):
        soup = BeautifulSoup(self.client.get(self.map_url()).content, "html.parser")
        steps = soup.select("[data-flow-map-steps] > li")
        titles = [text(li.select_one(".flow-map__step-title a")) for li in steps[:-1]]
        self.assertEqual(titles, TITLES)
        self.assertEqual(text(steps[-1]), "Check your answers, then send")

    def test_each_branch_says_its_condition_in_words(self):
        soup = BeautifulSoup(self.client.get(self.map_url()).content, "html.parser")
        conditions = {
            li["data-step"]: text(li.select_one("[data-condition]"))
            for li in soup.select("[data-flow-map-steps] > li[data-step]")
            if li.select_one("[data-condition]")
        }
        self.assertEqual(
            conditions,
            {
                "caddy": f"Branch: If '{BINS}' includes 'Food caddy'. "
                "Everyone else skips this page.",
                "bin-not-out-in-time": f"Branch: If '{OUT_BY_7AM}' is 'No'. "
                "The flow stops here for them. Everyone else goes on.",
                "bin-was-tagged": f"Branch: If '{TAGGED}' is 'Yes'. "
                "The flow stops here for them. Everyone else goes on.",
            },
        )

    def test_the_diagram_draws_branches_off_the_line_and_is_hidden_from_screen_readers(self):
        soup = BeautifulSoup(self.client.get(self.map_url()).content, "html.parser")
        svg = soup.select_one("svg.flow-map__diagram")
        self.assertEqual(svg["aria-hidden"], "true")
        # its links are for the mouse: the list's links are the ones in the tab order
        self.assertTrue(all(a["tabindex"] == "-1" for a in svg.select("a")))
        # three branches (the caddy page and two end points), two of them stopping there
        paths = [p["d"] for p in svg.select("path.flow-map__branch")]
        self.assertEqual(len(paths), 3)
        self.assertEqual(sum(1 for d in paths if d.count("Q") == 1), 2)
        labels = [text(t) for t in svg.select("text.flow-map__label")]
        self.assertEqual(labels[0], f"1. {BINS}")
        self.assertEqual(labels[-1], "Check your answers, then send")

    def test_each_page_links_to_its_block_in_the_editor(self):
        soup = BeautifulSoup(self.client.get(self.map_url()).content, "html.parser")
        edit_url = reverse("wagtailadmin_pages:edit", args=[self.flow.pk])
        links = [a["href"] for a in soup.select("[data-flow-map-steps] a[data-step-link]")]
        expected = [f"{edit_url}#:w:contentpath=steps.{block.id}" for block in self.flow.steps]
        self.assertEqual(links, expected)
        # the editor names each block by its id, and Wagtail scrolls to that address
        editor = self.client.get(edit_url)
        for block in self.flow.steps:
            self.assertContains(editor, block.id)
        self.assertContains(editor, "flows/editor/flow_map.js")

    def test_the_map_is_of_the_latest_draft(self):
        draft = self.flow.get_latest_revision_as_object()
        draft.steps = [*missed_bin_steps(), page("extra", question("email", "extra", "Extra?"))]
        draft.save_revision()
        response = self.client.get(self.map_url())
        self.assertContains(response, "Extra?")
        self.assertContains(response, "latest draft, which is not published yet")

    def test_a_look_up_ends_with_its_result(self):
        flow = self.flow.get_latest_revision_as_object()
        flow.result_handler = "bin-day"
        self.assertEqual(map_of(flow).ending, "Result shown")

    def test_the_editor_s_header_menu_links_to_the_map(self):
        editor = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.flow.pk]))
        self.assertContains(editor, f'href="{self.map_url()}"')
        service_editor = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.service.pk]))
        self.assertNotContains(service_editor, "/map/")


class MarksTests(MissedBinMapTestCase):
    def test_a_page_nobody_can_reach_is_marked(self):
        everything_but_the_tag = {0, 1, 2, 3, 4, 6, 7}
        soup = self.rendered(Report(reachable=everything_but_the_tag))
        unreachable = soup.select("[data-flow-map-steps] > li[data-unreachable]")
        self.assertEqual([li["data-step"] for li in unreachable], ["tag"])
        self.assertIn("Nobody can reach this page.", text(unreachable[0]))
        self.assertIn("Nobody can reach this", text(soup.select_one("svg g.is-unreachable")))

    def test_pages_after_an_end_point_for_everyone_are_marked(self):
        steps = missed_bin_steps()
        steps[4]["value"]["show_if"] = {"question": "", "options": [], "negate": False}
        flow = make_flow(steps, slug="stops")
        shape = shape_of(flow.steps)
        after = set(range(5, len(shape.steps)))
        soup = self.rendered(Report(reachable=set(range(5)), sendable=False), flow=flow)
        marked = soup.select("[data-flow-map-steps] > li[data-unreachable]")
        self.assertEqual({li["data-step"] for li in marked}, {shape.steps[i].name for i in after})
        self.assertIn("An end point before it stops everyone.", text(marked[0]))
        self.assertIn("No answers get this far.", text(soup.select_one("[data-ending]")))
        # the line goes on dashed after the stop
        self.assertTrue(soup.select("line.flow-map__spine.is-dead"))

    def test_a_page_s_problems_are_shown_with_it(self):
        report = Report(
            problems=[
                Problem(ERROR, "The condition names an option that was removed.", step=4),
                Problem(WARNING, "Nothing uses the answer 'caddy_place'.", step=1),
            ],
            reachable=set(range(8)),
        )
        soup = self.rendered(report)
        steps = {li["data-step"]: li for li in soup.select("[data-flow-map-steps] > li[data-step]")}
        self.assertEqual(
            text(steps["bin-not-out-in-time"].select_one("[data-problem=error]")),
            "Error: The condition names an option that was removed.",
        )
        self.assertEqual(
            text(steps["caddy"].select_one("[data-problem=warning]")),
            "Warning: Nothing uses the answer 'caddy_place'.",
        )
        self.assertIn("1 error", text(soup.select_one("svg g.has-error")))


class TheMapPageTests(MissedBinMapTestCase):
    def editor(self, name: str, page) -> object:
        group = Group.objects.create(name=name)
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        for codename in ("add_page", "change_page"):
            GroupPagePermission.objects.create(
                group=group,
                page=page,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        user = get_user_model().objects.create_user(name, f"{name}@example.org", "password")
        user.groups.add(group)
        return user

    def test_an_editor_of_the_flow_sees_its_problems_grouped_by_page(self):
        self.client.force_login(self.editor("bins-team", self.service))
        report = Report(
            problems=[
                Problem(WARNING, "Nobody can send this flow with a food caddy only."),
                Problem(ERROR, "The condition names an option that was removed.", step=4),
            ],
            reachable=set(range(8)),
        )
        with mock.patch.object(FlowPage, "run_checks", return_value=report):
            response = self.client.get(self.map_url())
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        groups = soup.select("[data-flow-map-checks] [data-group]")
        self.assertEqual([g["data-group"] for g in groups], ["flow", "bin-not-out-in-time"])
        self.assertEqual(text(groups[1].h3), "Page 5: We cannot come back for your bin")
        self.assertTrue(groups[1].h3.a["href"].startswith(f"/admin/pages/{self.flow.pk}/edit/#"))
        # the page looks like Wagtail's: its header, with the page's place in the tree
        self.assertIn("Missed bin", text(soup.select_one(".w-breadcrumbs")))

    def test_no_problems_is_said(self):
        self.login()
        response = self.client.get(self.map_url())
        self.assertContains(response, "The checks found no problems.")

    def test_an_editor_of_another_service_is_refused(self):
        elsewhere = ServicePageFactory(parent=self.service.get_parent(), slug="bulky-waste")
        self.client.force_login(self.editor("bulky-team", elsewhere))
        # Wagtail's answer to PermissionDenied in its admin, as for a page they may not edit:
        # back to the dashboard, saying why.
        response = self.client.get(self.map_url(), follow=True)
        self.assertEqual(response.redirect_chain, [(reverse("wagtailadmin_home"), 302)])
        self.assertContains(response, "Sorry, you do not have permission to access this area.")
        self.assertNotContains(response, "Which bins did we miss?")
        # nor offered the link in the menu of a page they may see
        self.assertNotContains(
            self.client.get(reverse("wagtailadmin_explore", args=[elsewhere.pk])), "/map/"
        )

    def test_only_flows_have_a_map(self):
        self.login()
        self.assertEqual(self.client.get(self.map_url(self.service)).status_code, 404)
        self.assertEqual(self.client.get("/admin/flows/999999/map/").status_code, 404)

    def test_signed_out_goes_to_sign_in(self):
        response = self.client.get(self.map_url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class PanelTests(MissedBinMapTestCase):
    def bound(self, instance):
        panel = FlowMapPanel().bind_to_model(FlowPage)
        return panel.get_bound_panel(instance=instance, request=None, form=None)

    def test_the_panel_shows_the_map_with_links_within_the_editor(self):
        html = self.bound(self.flow.get_latest_revision_as_object()).render_html()
        soup = BeautifulSoup(html, "html.parser")
        links = [a["href"] for a in soup.select("[data-flow-map-steps] a[data-step-link]")]
        self.assertEqual(len(links), len(TITLES))
        self.assertTrue(all(link.startswith("#:w:contentpath=steps.") for link in links))
        self.assertIn(self.map_url(), html)

    def test_a_flow_not_saved_yet_has_no_map_yet(self):
        html = self.bound(FlowPage(title="New")).render_html()
        self.assertIn("Save the flow to see its map.", html)

    def test_the_panel_brings_its_styles(self):
        self.assertIn("flows/editor/flow_map.css", str(self.bound(self.flow).media))

    def test_in_the_page_editor_the_panel_shows_the_map_of_the_flow_being_edited(self):
        self.login()
        # FlowPage's panels with the map added as models/flow.py adds it: by its dotted path,
        # as Wagtail's own Page names its panels, since the models may not import the editor.
        # (Wagtail keeps each page type's editor once made: forgotten before and after.)
        placeholder = PanelPlaceholder("forms.flows.editor.flow_map.FlowMapPanel", [], {})
        panels = [*FlowPage.content_panels, placeholder]
        FlowPage.get_edit_handler.cache_clear()
        self.addCleanup(FlowPage.get_edit_handler.cache_clear)
        with mock.patch.object(FlowPage, "content_panels", panels):
            response = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.flow.pk]))
        soup = BeautifulSoup(response.content, "html.parser")
        panel = soup.select_one("[data-flow-map-panel]")
        titles = [text(a) for a in panel.select("[data-flow-map-steps] a[data-step-link]")]
        self.assertEqual(titles, TITLES)
        self.assertTrue(soup.select_one('link[href$="flows/editor/flow_map.css"]'))
