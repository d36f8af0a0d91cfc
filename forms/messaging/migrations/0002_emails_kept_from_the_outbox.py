"""The emails the flows app kept when the mail server did not take them (flows.PendingEmail)
become messages: still waiting ones are still retried (by send_pending_messages), sent and
given-up ones keep their history for staff. flows 0013 then removes the old table."""

from django.db import migrations

STATES = {"waiting": "waiting", "sent": "sent", "failed": "technical_failure"}


def copy_pending_emails(apps, schema_editor):
    PendingEmail = apps.get_model("flows", "PendingEmail")
    Message = apps.get_model("messaging", "Message")
    for email in PendingEmail.objects.select_related("submission").order_by("pk").iterator():
        Message.objects.create(
            submission_id=email.submission_id,
            kind=email.kind,
            channel="email",
            language=email.submission.language,
            provider="smtp",
            state=STATES.get(email.state, "technical_failure"),
            to=email.to,
            subject=email.subject,
            body=email.body,
            attempts=email.attempts,
            next_attempt_at=email.next_attempt_at,
            last_error=email.last_error,
            created_at=email.created_at,
            sent_at=email.sent_at,
            state_at=email.sent_at,
        )


def copy_back(apps, schema_editor):
    PendingEmail = apps.get_model("flows", "PendingEmail")
    Message = apps.get_model("messaging", "Message")
    back = {"waiting": "waiting", "pending": "waiting", "sent": "sent", "delivered": "sent"}
    for message in Message.objects.filter(channel="email").order_by("pk").iterator():
        if message.submission_id is None:
            continue
        email = PendingEmail.objects.create(
            submission_id=message.submission_id,
            kind=message.kind,
            to=message.to,
            subject=message.subject,
            body=message.body,
            state=back.get(message.state, "failed"),
            attempts=max(message.attempts, 1),
            next_attempt_at=message.next_attempt_at,
            last_error=message.last_error,
            sent_at=message.sent_at,
        )
        PendingEmail.objects.filter(pk=email.pk).update(created_at=message.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("flows", "0012_conditions_by_option_key"),
    ]

    operations = [migrations.RunPython(copy_pending_emails, copy_back)]
