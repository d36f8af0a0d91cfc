# The payments models, moved here from the flows app with their tables (Meta.db_table) and rows:
# the tables are not touched, and their content types (so staff permissions) follow them.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


MODELS = ["payment", "refund", "paymentevent"]


def move_content_types(apps, schema_editor, source="flows", target="payments"):
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
    move_content_types(apps, schema_editor, source="payments", target="flows")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("flows", "0008_models_moved_to_their_apps"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Payment",
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
                        ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("provider", models.CharField(max_length=20, verbose_name="provider")),
                        (
                            "amount_pence",
                            models.PositiveIntegerField(verbose_name="amount (pence)"),
                        ),
                        ("currency", models.CharField(default="gbp", max_length=3)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("created", "Not started"),
                                    ("pending", "Waiting for the card payment"),
                                    ("paid", "Paid"),
                                    ("failed", "Failed"),
                                    ("cancelled", "Cancelled"),
                                    ("expired", "Expired"),
                                    ("partially_refunded", "Partly refunded"),
                                    ("refunded", "Refunded"),
                                ],
                                db_index=True,
                                default="created",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "attempt",
                            models.PositiveSmallIntegerField(
                                default=1,
                                help_text="Goes up when a new checkout is needed (after a failure).",
                            ),
                        ),
                        (
                            "provider_session_id",
                            models.CharField(
                                blank=True,
                                db_index=True,
                                max_length=255,
                                verbose_name="checkout session",
                            ),
                        ),
                        (
                            "provider_payment_id",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="payment intent"
                            ),
                        ),
                        ("checkout_url", models.URLField(blank=True, max_length=2000)),
                        ("expires_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "refunded_pence",
                            models.PositiveIntegerField(default=0, verbose_name="refunded (pence)"),
                        ),
                        (
                            "options",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text="What was sent to the provider, for the record.",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                auto_now_add=True, db_index=True, verbose_name="started"
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        (
                            "paid_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="paid"),
                        ),
                        (
                            "submission",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="payments",
                                to="flows.submission",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "payment",
                        "db_table": "flows_payment",
                        "ordering": ["-created_at"],
                        "permissions": [
                            ("refund_payment", "Can refund payments and see all payments")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Refund",
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
                            "amount_pence",
                            models.PositiveIntegerField(verbose_name="amount (pence)"),
                        ),
                        (
                            "reason",
                            models.CharField(blank=True, max_length=300, verbose_name="reason"),
                        ),
                        ("idempotency_key", models.CharField(max_length=100, unique=True)),
                        (
                            "provider_refund_id",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="provider refund id"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                default="succeeded", max_length=20, verbose_name="status"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="when"),
                        ),
                        (
                            "payment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="refunds",
                                to="payments.payment",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "refund",
                        "db_table": "flows_refund",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="PaymentEvent",
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
                        ("provider", models.CharField(max_length=20)),
                        ("event_id", models.CharField(max_length=255)),
                        ("type", models.CharField(max_length=100)),
                        ("payload", models.JSONField(default=dict)),
                        ("received_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "payment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="events",
                                to="payments.payment",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "payment event",
                        "db_table": "flows_paymentevent",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("provider", "event_id"), name="payment_event_once"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back, elidable=False),
    ]
