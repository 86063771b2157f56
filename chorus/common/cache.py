"""The shared cache of every web and worker process (`CACHES` in config/settings.py).

By default the cache is a table in the main database (`chorus_cache`, created by every
`migrate`, see `chorus.common.apps`), so counters such as the report-key limit are shared by
all processes and survive restarts with no extra service; `CACHE_URL=redis://...` selects
Redis for larger deployments.

Django's database cache implements `incr()` as a read and a separate write that also resets
the entry's expiry to the default timeout: concurrent increments get lost, and a fixed window
(`add(key, 0, timeout=900)` then `incr`) turns into a 5-minute sliding one. `DatabaseCache`
below increments in one transaction holding the row (FOR UPDATE on PostgreSQL; SQLite's
immediate transactions take the write lock up front) and keeps the expiry, as Redis does.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache with an atomic `incr()` that keeps the entry's expiry."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        """Add `delta` to a live entry and return the new value; ValueError if the key is
        missing or expired (like every Django cache). Safe against concurrent callers."""
        db_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)  # type: ignore[attr-defined]  # set by Django's __init__
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote_name('value')}, {quote_name('expires')} FROM {table} "  # noqa: S608
                f"WHERE {quote_name('cache_key')} = %s{lock}",
                [db_key],
            )
            row = cursor.fetchone()
            expires = row[1] if row else None
            for converter in converters:
                expires = converter(expires, expression, connection) if expires else expires
            if row is None or expires is None or expires < tz_now():
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(  # noqa: S301 -- our own table, written by this class only
                base64.b64decode(connection.ops.process_clob(row[0]).encode())
            )
            new_value = value + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode(
                "latin1"
            )
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s "  # noqa: S608
                f"WHERE {quote_name('cache_key')} = %s",
                [encoded, db_key],
            )
        return new_value

    def decr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        return self.incr(key, -delta, version)
