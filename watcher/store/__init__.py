"""The SQLite store: one database file holds every posting with its lifecycle, each site's
fetch state, and the outbox of notifications.

- `schema`: migrations; `base`: opening and transactions; `checks`: what a check reads
  and writes (a site's read applied in one transaction with its notifications);
  `outbox`: claiming, sending and marking notifications; `queries`: `list`, `show`,
  `status`; `applications`: what the user applied to (watcher.door); `rows`: the types,
  the SQL and the row conversions.

Times are stored as ISO 8601 UTC text (`2026-11-26T07:00:00Z`), which sorts.
"""

from __future__ import annotations

from watcher.model import Delivery, SiteState, target_of
from watcher.store.applications import Applications
from watcher.store.checks import Checks
from watcher.store.outbox import Outbox
from watcher.store.queries import Queries
from watcher.store.rows import (
    OutboxRow,
    StoreError,
    as_posting,
)
from watcher.store.trends import Trends


class Store(Checks, Outbox, Trends, Queries, Applications):
    """The database. One per process; methods are synchronous and short."""


__all__ = ["Delivery", "OutboxRow", "SiteState", "Store", "StoreError", "as_posting", "target_of"]
