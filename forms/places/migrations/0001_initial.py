# The places models, moved here from the flows app with their tables (Meta.db_table) and rows:
# the tables are not touched, and their content types (so staff permissions) follow them.

from django.db import migrations, models


MODELS = ["property"]


def move_content_types(apps, schema_editor, source="flows", target="places"):
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
    move_content_types(apps, schema_editor, source="places", target="flows")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("flows", "0008_models_moved_to_their_apps"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Property",
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
                        ("uprn", models.BigIntegerField(unique=True, verbose_name="UPRN")),
                        (
                            "address_line_1",
                            models.CharField(max_length=100, verbose_name="address line 1"),
                        ),
                        (
                            "address_line_2",
                            models.CharField(
                                blank=True, max_length=100, verbose_name="address line 2"
                            ),
                        ),
                        (
                            "town",
                            models.CharField(
                                default="Fernbridge", max_length=60, verbose_name="town"
                            ),
                        ),
                        (
                            "postcode",
                            models.CharField(db_index=True, max_length=8, verbose_name="postcode"),
                        ),
                        ("ward", models.CharField(max_length=60, verbose_name="ward")),
                        (
                            "bin_day",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "Monday"),
                                    (1, "Tuesday"),
                                    (2, "Wednesday"),
                                    (3, "Thursday"),
                                    (4, "Friday"),
                                ],
                                verbose_name="bin collection day",
                            ),
                        ),
                        (
                            "bin_week",
                            models.CharField(
                                choices=[("A", "Week A"), ("B", "Week B")],
                                help_text="Black bins go out in this week; recycling in the other.",
                                max_length=1,
                                verbose_name="bin collection week",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "property",
                        "verbose_name_plural": "properties",
                        "db_table": "flows_property",
                        "ordering": ["postcode", "address_line_1"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back, elidable=False),
    ]
