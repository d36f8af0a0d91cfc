# The insights models, moved here from the flows app with their tables (Meta.db_table) and rows:
# the tables are not touched, and their content types (so staff permissions) follow them.

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import uuid
from decimal import Decimal
from django.db import migrations, models


MODELS = [
    "channelcosts",
    "channelvolume",
    "flowday",
    "flowerrorday",
    "flowevent",
    "flowstepday",
    "satisfactionresponse",
]


def move_content_types(apps, schema_editor, source="flows", target="insights"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        old = content_types.filter(app_label=source, model=model)
        if old.exists():
            # New code may have made an empty content type for the new label on demand (a
            # server of the new release asked before this ran); the old one, with the
            # permissions groups hold, takes its place.
            content_types.filter(app_label=target, model=model).delete()
            old.update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="insights", target="flows")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("flows", "0008_models_moved_to_their_apps"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("services", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChannelCosts",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "online",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0.08"),
                                max_digits=7,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0")),
                                    django.core.validators.MaxValueValidator(Decimal("10000")),
                                ],
                                verbose_name="online",
                            ),
                        ),
                        (
                            "phone",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("3.39"),
                                max_digits=7,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0")),
                                    django.core.validators.MaxValueValidator(Decimal("10000")),
                                ],
                                verbose_name="by phone",
                            ),
                        ),
                        (
                            "face_to_face",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("10.53"),
                                max_digits=7,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0")),
                                    django.core.validators.MaxValueValidator(Decimal("10000")),
                                ],
                                verbose_name="face to face",
                            ),
                        ),
                        (
                            "post",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("3.39"),
                                help_text="The council's benchmarks give no figure for post; this starts at the phone cost.",
                                max_digits=7,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0")),
                                    django.core.validators.MaxValueValidator(Decimal("10000")),
                                ],
                                verbose_name="by post",
                            ),
                        ),
                        (
                            "site",
                            models.OneToOneField(
                                editable=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="wagtailcore.site",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "channel unit costs",
                        "db_table": "flows_channelcosts",
                    },
                ),
                migrations.CreateModel(
                    name="ChannelVolume",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "month",
                            models.DateField(
                                help_text="Any day in the month", verbose_name="month"
                            ),
                        ),
                        ("phone", models.PositiveIntegerField(default=0, verbose_name="by phone")),
                        (
                            "face_to_face",
                            models.PositiveIntegerField(default=0, verbose_name="face to face"),
                        ),
                        ("post", models.PositiveIntegerField(default=0, verbose_name="by post")),
                        (
                            "service",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="channel_volumes",
                                to="services.servicepage",
                                verbose_name="service",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "channel volume",
                        "verbose_name_plural": "channel volumes",
                        "db_table": "flows_channelvolume",
                        "ordering": ["-month", "service__title"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("service", "month"), name="channelvolume_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FlowDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField()),
                        ("started", models.PositiveIntegerField(default=0)),
                        ("submitted", models.PositiveIntegerField(default=0)),
                        ("end_points", models.PositiveIntegerField(default=0)),
                        ("abandoned", models.PositiveIntegerField(default=0)),
                        ("payment_started", models.PositiveIntegerField(default=0)),
                        ("payment_succeeded", models.PositiveIntegerField(default=0)),
                        ("payment_failed", models.PositiveIntegerField(default=0)),
                        ("payment_cancelled", models.PositiveIntegerField(default=0)),
                        ("by_source", models.JSONField(default=dict)),
                        ("by_device", models.JSONField(default=dict)),
                        (
                            "flow",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="flows.flowpage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "flows_flowday",
                        "default_permissions": (),
                        "constraints": [
                            models.UniqueConstraint(fields=("flow", "day"), name="flowday_unique")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FlowErrorDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField()),
                        ("step", models.CharField(max_length=100)),
                        ("field", models.CharField(max_length=100)),
                        ("error", models.CharField(max_length=100)),
                        ("count", models.PositiveIntegerField(default=0)),
                        (
                            "flow",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="flows.flowpage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "flows_flowerrorday",
                        "default_permissions": (),
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("flow", "day", "step", "field", "error"),
                                name="flowerrorday_unique",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FlowEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("journey", models.UUIDField(default=uuid.uuid4, verbose_name="journey")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("started", "Started"),
                                    ("step_viewed", "Viewed a question page"),
                                    ("step_completed", "Completed a question page"),
                                    ("step_failed", "Failed validation"),
                                    ("back", "Went back"),
                                    ("check_viewed", "Viewed check your answers"),
                                    ("change", "Changed an answer"),
                                    ("payment_started", "Payment started"),
                                    ("payment_succeeded", "Payment succeeded"),
                                    ("payment_failed", "Payment failed"),
                                    ("payment_cancelled", "Payment cancelled"),
                                    ("submitted", "Submitted"),
                                    ("end_point", "Reached an end point"),
                                ],
                                max_length=20,
                                verbose_name="event",
                            ),
                        ),
                        (
                            "step",
                            models.CharField(
                                blank=True, default="", max_length=100, verbose_name="page"
                            ),
                        ),
                        (
                            "field",
                            models.CharField(
                                blank=True, default="", max_length=100, verbose_name="question"
                            ),
                        ),
                        (
                            "error",
                            models.CharField(
                                blank=True, default="", max_length=100, verbose_name="error"
                            ),
                        ),
                        (
                            "language",
                            models.CharField(
                                blank=True, default="", max_length=12, verbose_name="language"
                            ),
                        ),
                        (
                            "device",
                            models.CharField(
                                choices=[
                                    ("mobile", "Mobile"),
                                    ("tablet", "Tablet"),
                                    ("desktop", "Desktop"),
                                    ("unknown", "Unknown"),
                                ],
                                default="unknown",
                                max_length=10,
                                verbose_name="device",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("search", "Site search"),
                                    ("service_page", "The service page"),
                                    ("elsewhere", "Elsewhere"),
                                ],
                                default="elsewhere",
                                max_length=15,
                                verbose_name="came from",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="at"
                            ),
                        ),
                        (
                            "flow",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="flows.flowpage",
                                verbose_name="online flow",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "flow event",
                        "verbose_name_plural": "flow events",
                        "db_table": "flows_flowevent",
                        "default_permissions": (),
                        "indexes": [
                            models.Index(
                                fields=["flow", "created_at"], name="flowevent_flow_created"
                            ),
                            models.Index(
                                fields=["journey", "created_at"], name="flowevent_journey_created"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FlowStepDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField()),
                        ("step", models.CharField(max_length=100)),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                        ("reached", models.PositiveIntegerField(default=0)),
                        ("completed", models.PositiveIntegerField(default=0)),
                        ("failed", models.PositiveIntegerField(default=0)),
                        ("abandoned", models.PositiveIntegerField(default=0)),
                        ("time_buckets", models.JSONField(default=list)),
                        (
                            "flow",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="flows.flowpage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "flows_flowstepday",
                        "default_permissions": (),
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("flow", "day", "step"), name="flowstepday_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SatisfactionResponse",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "rating",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (5, "Very satisfied"),
                                    (4, "Satisfied"),
                                    (3, "Neither satisfied or dissatisfied"),
                                    (2, "Dissatisfied"),
                                    (1, "Very dissatisfied"),
                                ],
                                verbose_name="satisfaction",
                            ),
                        ),
                        (
                            "comment",
                            models.TextField(
                                blank=True, default="", max_length=1200, verbose_name="comment"
                            ),
                        ),
                        ("asked_at", models.CharField(blank=True, default="", max_length=100)),
                        ("journey", models.UUIDField(blank=True, null=True)),
                        ("language", models.CharField(blank=True, default="", max_length=12)),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        (
                            "flow",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="flows.flowpage",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "satisfaction answer",
                        "verbose_name_plural": "satisfaction answers",
                        "db_table": "flows_satisfactionresponse",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("journey__isnull", False)),
                                fields=("journey",),
                                name="satisfaction_once_per_journey",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back, elidable=False),
    ]
