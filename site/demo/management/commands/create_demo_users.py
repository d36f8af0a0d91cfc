"""`manage.py create_demo_users`: a demo admin, one editor per service team and a web team
member (search synonyms, promoted results and search reports), for `make run`."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

DEMO_PASSWORD = "fernbridge-demo"  # a local demo login, printed on purpose
DEMO_EDITORS = {"waste.editor": "Waste and streets", "registration.editor": "Registration"}
WEB_TEAM_USER = "web.team"
WEB_TEAM_GROUP = "Web team"
# Every demo login and what it can do, printed by `make run`. README.md lists the same logins
# (tests/demo/test_demo_logins.py keeps the two the same).
DEMO_LOGINS = [
    ("admin", "everything: every page, every request, every report and the settings"),
    (
        "waste.editor",
        "edits the Bins, recycling and waste and the Roads and transport pages and their "
        "online forms, and handles their requests",
    ),
    (
        "registration.editor",
        "edits the Births, deaths and marriages pages and their online forms, and handles "
        "their requests",
    ),
    (WEB_TEAM_USER, "the Search menu: synonyms, promoted results and the search reports"),
]
# The web team tune search and read its reports: admin access, synonyms, Wagtail's
# promoted results and "Can view search reports".
WEB_TEAM_PERMISSIONS = Q(content_type__app_label="wagtailadmin", codename="access_admin") | Q(
    content_type__app_label="search",
    codename__in=["add_synonym", "change_synonym", "delete_synonym", "view_search_reports"],
)
WEB_TEAM_PERMISSIONS |= Q(
    content_type__app_label="wagtailsearchpromotions",
    codename__in=["add_searchpromotion", "change_searchpromotion", "delete_searchpromotion"],
)


def web_team_group() -> Group:
    """The Web team group with its permissions (made if missing)."""
    group, _ = Group.objects.get_or_create(name=WEB_TEAM_GROUP)
    group.permissions.add(*Permission.objects.filter(WEB_TEAM_PERMISSIONS))
    return group


class Command(BaseCommand):
    help = "Create the demo admin, team editors and web team (local demo only); print the logins."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo users are for a local demo only (DEBUG is off).")
        User = get_user_model()  # noqa: N806
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
        teams = {**DEMO_EDITORS, WEB_TEAM_USER: WEB_TEAM_GROUP}
        for username, team in teams.items():
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if team == WEB_TEAM_GROUP:
                group = web_team_group()
            else:
                group = Group.objects.filter(name=team).first()
            if group is None:
                raise CommandError("Run load_demo_content first: the team groups are missing.")
            user.groups.add(group)
        port = options.get("port") or 8000
        lines = [f"Demo logins, at http://127.0.0.1:{port}/admin/ (password {DEMO_PASSWORD}):"]
        width = max(len(username) for username, _ in DEMO_LOGINS)
        lines += [f"  {username:<{width}}  {can_do}" for username, can_do in DEMO_LOGINS]
        lines.append("These logins are for this local demo only.")
        if settings.MESSAGE_PROVIDER == "sandbox":
            lines.append(
                f"Emails and text messages are not sent: read them at "
                f"http://127.0.0.1:{port}/demo/outbox/"
            )
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="The port the site serves on.")
