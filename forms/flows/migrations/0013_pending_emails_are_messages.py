"""The emails kept to retry are messages now (forms.messaging, copied by its 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0012_conditions_by_option_key"),
        ("messaging", "0002_emails_kept_from_the_outbox"),
    ]

    operations = [migrations.DeleteModel(name="PendingEmail")]
