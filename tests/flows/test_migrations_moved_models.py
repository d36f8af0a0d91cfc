"""The move of the payments, insights and address-list models out of the flows app
(flows 0008 and the new apps' 0001) keeps every row, every relation and the staff's permissions.

The migrations only change Django's state (the tables keep their names through Meta.db_table)
and re-label the content types, so a mistake there would not show on a fresh database: it shows
on a live one, which this test imitates. It fills the tables through the models as they were at
flows 0007, migrates forward, reads everything back through the models as they are in their new
apps, then migrates back to 0007 and reads it again.

django-test-migrations drops every table and replays the migrations up to flows 0007, and at the
end migrates the whole project again: about 15 s on SQLite or PostgreSQL, so this is one test, not
many. The plugin marks it `migration_test`: `pytest -m "not migration_test"` leaves it out.
"""

import datetime as dt
import uuid

import pytest
from django.apps import apps as installed_apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

BEFORE_THE_MOVE = ("flows", "0007_pending_emails")
# Named, not "the latest": the test is about this move and must keep testing it when the apps
# get later migrations.
AFTER_THE_MOVE = [
    ("flows", "0008_models_moved_to_their_apps"),
    ("payments", "0001_initial"),
    ("insights", "0001_initial"),
    ("places", "0001_initial"),
]

# Every model that moved, by its new app: each one's content type must follow it.
MOVED = {
    "payments": ["payment", "refund", "paymentevent"],
    "insights": [
        "flowevent",
        "flowday",
        "flowstepday",
        "flowerrorday",
        "satisfactionresponse",
        "channelvolume",
        "channelcosts",
    ],
    "places": ["property"],
}
GROUP = "Payments team"
DAY = dt.date(2026, 10, 12)
JOURNEY = uuid.UUID("6f1c3a52-8d0e-4c1b-9a57-2b0d9e4f7a10")
# One permission in each new app, held by a group, so each content-type move is seen.
GROUP_PERMISSIONS = {
    "payments": ("payment", "refund_payment", "Can refund payments and see all payments"),
    "insights": ("satisfactionresponse", "view_satisfactionresponse", "Can view satisfaction"),
    "places": ("property", "view_property", "Can view property"),
}


@pytest.fixture
def _database_as_migrated(django_db_setup, django_db_blocker):
    """Give the tests that run after this one the database that the test run created.

    django-test-migrations drops every table, and pytest-django flushes a transactional test's
    database at the end: the rows that migrations create (Wagtail's root page, default site and
    locale, the content types) would be gone for later transactional tests and for the next run
    with --reuse-db. So their snapshot is taken first and put back last. This fixture must be set
    up before `migrator` (so torn down after pytest-django's flush): name it in usefixtures.
    """
    with django_db_blocker.unblock():
        snapshot = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        # Torn down in the wrong order, the snapshot would go back first and be flushed after.
        if Group.objects.filter(name=GROUP).exists():
            pytest.fail("_database_as_migrated must come before migrator (usefixtures)")
        # pytest-django's flush ran post_migrate, which made content types and permissions again
        # with new ids: empty the tables once more, without it, so the snapshot's ids go back.
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(snapshot)
        # That flush restarted the sequences and the rows came back with their ids: move
        # PostgreSQL's sequences past them, as loaddata does, or the next page would take id 1.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), installed_apps.get_models()):
                cursor.execute(sql)


def content_type(apps, app_label, model):
    # The migrator mutes post_migrate, so no content type exists that a migration did not make.
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def add_page(apps, model, parent, title, slug, **fields):
    """A page of the historical `model` under `parent`: the historical models have none of
    treebeard's methods, so the materialised path is written by hand (4 characters a level)."""
    parent.numchild += 1
    parent.save(update_fields=["numchild"])
    return model.objects.create(
        title=title,
        draft_title=title,
        slug=slug,
        path=f"{parent.path}{parent.numchild:04d}",
        depth=parent.depth + 1,
        url_path=f"{parent.url_path}{slug}/",
        locale_id=parent.locale_id,
        content_type=content_type(apps, model._meta.app_label, model._meta.model_name),
        live=True,
        **fields,
    )


def fill_before_the_move(apps):
    """Rows in every moved table, through the models as they were at flows 0007."""
    Page = apps.get_model("wagtailcore", "Page")
    root = Page.objects.get(depth=1)
    flow = add_page(
        apps, apps.get_model("flows", "FlowPage"), root, "Book a bulky waste collection", "bulky"
    )
    service = add_page(
        apps,
        apps.get_model("services", "ServicePage"),
        root,
        "Bulky waste",
        "bulky-waste",
        summary="Large items collected from your home.",
    )
    staff = apps.get_model("auth", "User").objects.create(username="finance", is_staff=True)

    submission = apps.get_model("flows", "Submission").objects.create(
        flow=flow,
        reference="FB-0001",
        service_title="Bulky waste",
        language="en-gb",
        fee_pence=4200,
        status="paid",
        journey=JOURNEY,
    )
    submission.events.create(status="paid", note="We have your payment.")
    payment = apps.get_model("flows", "Payment").objects.create(
        submission=submission,
        provider="stripe",
        amount_pence=4200,
        status="partially_refunded",  # paid, then one item taken off
        refunded_pence=1000,
        provider_payment_id="pi_1",
        paid_at=dt.datetime(2026, 10, 12, 9, 30, tzinfo=dt.UTC),
    )
    payment.refunds.create(amount_pence=1000, idempotency_key="refund-1", user=staff)
    payment.events.create(provider="stripe", event_id="evt_1", type="checkout.session.completed")

    FlowEvent = apps.get_model("flows", "FlowEvent")
    FlowEvent.objects.create(flow=flow, journey=JOURNEY, kind="started")
    FlowEvent.objects.create(flow=flow, journey=JOURNEY, kind="submitted")
    apps.get_model("flows", "FlowDay").objects.create(flow=flow, day=DAY, started=1, submitted=1)
    apps.get_model("flows", "FlowStepDay").objects.create(
        flow=flow, day=DAY, step="items", reached=2, completed=1
    )
    apps.get_model("flows", "FlowErrorDay").objects.create(
        flow=flow, day=DAY, step="items", field="items", error="required", count=1
    )
    apps.get_model("flows", "SatisfactionResponse").objects.create(
        flow=flow, journey=JOURNEY, rating=5
    )
    apps.get_model("flows", "ChannelVolume").objects.create(
        service=service, month=DAY.replace(day=1), phone=30, face_to_face=4, post=1
    )
    site = apps.get_model("wagtailcore", "Site").objects.get(is_default_site=True)
    apps.get_model("flows", "ChannelCosts").objects.create(site=site)
    apps.get_model("flows", "Property").objects.create(
        uprn=100010001,
        address_line_1="1 Mill Lane",
        postcode="FB1 1AA",
        ward="Mill",
        bin_day=2,
        bin_week="A",
    )

    # Before the move, the content types (as a live site has them) are the flows app's.
    for models in MOVED.values():
        for model in models:
            content_type(apps, "flows", model)
    group = apps.get_model("auth", "Group").objects.create(name=GROUP)
    Permission = apps.get_model("auth", "Permission")
    for model, codename, name in GROUP_PERMISSIONS.values():
        group.permissions.add(
            Permission.objects.create(
                content_type=content_type(apps, "flows", model), codename=codename, name=name
            )
        )


def content_type_ids(apps):
    """{(app label, model): id} of the moved models' content types, wherever they are."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    models = [model for app_models in MOVED.values() for model in app_models]
    return {(ct.app_label, ct.model): ct.pk for ct in ContentType.objects.filter(model__in=models)}


def group_permissions(apps):
    group = apps.get_model("auth", "Group").objects.get(name=GROUP)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def assert_all_there(apps, payments, insights, places):
    """Every row and relation, read through the models of the apps they are in at this state."""
    refund = apps.get_model(payments, "Refund").objects.get()
    assert refund.user.username == "finance"
    payment = refund.payment
    assert (payment.status, payment.amount_pence, payment.refunded_pence) == (
        "partially_refunded",
        4200,
        1000,
    )
    assert payment.submission.reference == "FB-0001"
    assert payment.submission.flow.title == "Book a bulky waste collection"
    assert list(payment.events.values_list("event_id", flat=True)) == ["evt_1"]
    assert list(payment.submission.events.values_list("status", flat=True)) == ["paid"]
    flow = payment.submission.flow

    FlowEvent = apps.get_model(insights, "FlowEvent")
    assert set(FlowEvent.objects.filter(flow=flow).values_list("kind", flat=True)) == {
        "started",
        "submitted",
    }
    assert apps.get_model(insights, "FlowDay").objects.get(flow=flow, day=DAY).submitted == 1
    assert apps.get_model(insights, "FlowStepDay").objects.get(flow=flow).reached == 2
    assert apps.get_model(insights, "FlowErrorDay").objects.get(flow=flow).error == "required"
    satisfaction = apps.get_model(insights, "SatisfactionResponse").objects.get()
    assert (satisfaction.flow_id, satisfaction.rating) == (flow.pk, 5)
    volume = apps.get_model(insights, "ChannelVolume").objects.get()
    assert (volume.service.title, volume.phone) == ("Bulky waste", 30)
    assert apps.get_model(insights, "ChannelCosts").objects.get().site.is_default_site

    address = apps.get_model(places, "Property").objects.get(uprn=100010001)
    assert (address.postcode, address.bin_week) == ("FB1 1AA", "A")


@pytest.mark.usefixtures("_database_as_migrated")  # first: see the fixture
def test_moved_models_keep_their_rows_relations_and_permissions(migrator):
    old_state = migrator.apply_initial_migration(BEFORE_THE_MOVE)
    fill_before_the_move(old_state.apps)
    assert_all_there(old_state.apps, "flows", "flows", "flows")
    ids_before = content_type_ids(old_state.apps)

    new_state = migrator.apply_tested_migration(AFTER_THE_MOVE)
    assert_all_there(new_state.apps, "payments", "insights", "places")
    # The same permission rows, now under the new apps' labels: the group keeps them, and
    # has_perm("payments.refund_payment") is true for its members.
    assert group_permissions(new_state.apps) == {
        (app_label, codename) for app_label, (_, codename, _) in GROUP_PERMISSIONS.items()
    }
    # Every moved model's content type is the same row, re-labelled, none is left under flows
    # (remove_stale_contenttypes would delete it with its permissions) and none is new.
    assert content_type_ids(new_state.apps) == {
        (app_label, model): ids_before["flows", model]
        for app_label, models in MOVED.items()
        for model in models
    }

    # And back: the state-only operations and the content types undo (a rollback of a deploy).
    old_state = migrator.apply_tested_migration(BEFORE_THE_MOVE)
    assert_all_there(old_state.apps, "flows", "flows", "flows")
    assert group_permissions(old_state.apps) == {
        ("flows", codename) for _, codename, _ in GROUP_PERMISSIONS.values()
    }
    assert content_type_ids(old_state.apps) == ids_before
