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
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: http://127.0.0.1:{options.get('port') or 8000}/admin/\n"
                f"  admin / {DEMO_PASSWORD}  (every page)\n"
                f"  waste.editor / {DEMO_PASSWORD}  (Bins, recycling and waste; Roads)\n"
                f"  registration.editor / {DEMO_PASSWORD}  (Births, deaths and marriages)\n"
                f"  {WEB_TEAM_USER} / {DEMO_PASSWORD}  (Search: synonyms, promoted results, "
                "reports)\n"
                "These logins are for this local demo only."
            )
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="The port the site serves on.")
