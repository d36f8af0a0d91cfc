"""`manage.py create_demo_users`: a demo admin and one editor per service team, for `make run`."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

DEMO_PASSWORD = "fernbridge-demo"  # a local demo login, printed on purpose
DEMO_EDITORS = {"waste.editor": "Waste and streets", "registration.editor": "Registration"}


class Command(BaseCommand):
    help = "Create the demo admin and team editors (local demo only) and print their logins."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo users are for a local demo only (DEBUG is off).")
        User = get_user_model()  # noqa: N806
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
        for username, team in DEMO_EDITORS.items():
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
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
                "These logins are for this local demo only."
            )
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="The port the site serves on.")
