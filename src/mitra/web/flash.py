"""One-time notices carried across a redirect: what was just logged, deleted or restored.

Pages answer a successful POST with a redirect (so reloading does not log a dose twice); the
page redirected to shows what happened, including any safety alerts the service returned,
through a random token in its URL. Notices are kept in memory, in this process only, and the
store is bounded: the oldest are dropped first. Losing one (a restart) loses only the notice,
never journal data.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from typing import Any

CAPACITY = 64


class FlashStore:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def put(self, payload: dict[str, Any]) -> str:
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._items[token] = payload
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return token

    def get(self, token: str | None) -> dict[str, Any] | None:
        """The notice for ``token``; kept, so reloading the page shows it again."""
        if not token:
            return None
        with self._lock:
            return self._items.get(token)
