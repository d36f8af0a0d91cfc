"""The background work of sending (Django's Tasks framework, through django-tasks): a resident
never waits on GOV.UK Notify or a mail server. TASKS picks the backend: the immediate one in the
demo and the tests (the task runs as it is queued), a worker's in production."""

from __future__ import annotations

from django_tasks import task

from .sending import attempt


@task()
def send_message(message_id: int) -> str:
    return attempt(message_id)
