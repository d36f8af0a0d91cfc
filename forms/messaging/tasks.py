"""The background work of sending (Django's Tasks framework, through django-tasks): a resident
never waits on GOV.UK Notify or a mail server. The tasks run on the "messages" backend of TASKS:
the immediate one in the demo and the tests (the task runs as it is queued), the database's in
production, run by `manage.py db_worker --backend messages`."""

from __future__ import annotations

from django_tasks import task

from .sending import attempt


@task(backend="messages")
def send_message(message_id: int) -> str:
    return attempt(message_id)
