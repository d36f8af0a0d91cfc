"""Sessions in the database, as Django's own, written only when they changed or when their
expiry must move on.

Answers in progress are kept for SESSION_COOKIE_AGE counted from the resident's last page
(SESSION_SAVE_EVERY_REQUEST), which with Django's store means an UPDATE in a transaction on
every page, even a page that changed nothing, such as a question shown again. Here each write
sets the row's expiry REFRESH beyond the age, and a session that has not changed is written
again only once the row would expire sooner than a full age from now: the row never expires
earlier than Django's would, and a resident reading or reloading pages costs no write.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sessions.backends import db

REFRESH = datetime.timedelta(minutes=5)


class SessionStore(db.SessionStore):
    # what the session held when it was read, serialized, and when its row expires
    _loaded_state: bytes | None = None
    _loaded_expiry: datetime.datetime | None = None

    # (Django's own private hooks, which its type stubs do not list)
    def _get_session_from_db(self) -> Any:
        row = super()._get_session_from_db()  # type: ignore[misc]
        self._loaded_expiry = row.expire_date if row is not None else None
        return row

    def load(self) -> dict[str, Any]:
        data = super().load()
        self._loaded_state = self._state(data) if self._loaded_expiry is not None else None
        return data

    def _state(self, data: dict[str, Any]) -> bytes:
        return self.serializer().dumps(data)

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        row = super().create_model_instance(data)
        row.expire_date += REFRESH
        return row

    def save(self, must_create: bool = False) -> None:
        if (
            not must_create
            and self.session_key is not None
            and self._loaded_state is not None
            and self._loaded_expiry is not None
            and self._loaded_expiry >= self.get_expiry_date()
            and self._state(self._get_session()) == self._loaded_state  # type: ignore[attr-defined]
        ):
            return
        super().save(must_create=must_create)
        if self.session_key is not None:
            data = self._get_session(no_load=True)  # type: ignore[attr-defined]
            self._loaded_state = self._state(data)
            self._loaded_expiry = self.get_expiry_date() + REFRESH
