"""The name this command had before text messages: `manage.py send_pending_messages` under the
name an existing crontab may still use. It sends every waiting message, email or text."""

from forms.messaging.management.commands.send_pending_messages import Command as SendPending


class Command(SendPending):
    help = "Another name for send_pending_messages (cron: every 5 minutes)."
