"""Opening the database, and its transactions."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from watcher import __version__
from watcher.model import utc_iso
from watcher.packing import TRAIN_AFTER, Packer, train
from watcher.store.rows import StoreError, damaged, why
from watcher.store.schema import migrations, unknown_steps
from watcher.text import html_to_text

log = logging.getLogger("watcher.store")


class StoreBase:
    """The connection and what every part of the store shares."""

    def __init__(self, path: Path | str, *, timeout: float = 30.0, create: bool = True):
        """Open (and migrate) the database at `path`; `create=False` for commands that
        only read: a missing file is then an error, and no folder or file is made."""
        self.path = Path(path)
        memory = str(path) == ":memory:"
        if not create and not memory and not self.path.is_file():
            raise StoreError(
                f"no database at {self.path}: run `watcher check` first, or give its path with --db"
            )
        try:
            if create and not memory:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                str(path) if create or memory else f"{self.path.absolute().as_uri()}?mode=rw",
                timeout=timeout,
                isolation_level=None,
                uri=not (create or memory),
            )
            self.db = sqlite_utils.Database(conn)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.create_function("html_text", 1, html_to_text, deterministic=True)
            self._unchanged: list[tuple[str | None, str | None, str]] | None = None
            self.packer = Packer(self._dictionary)
            conn.create_function("pack", 1, self.packer.pack)
            conn.create_function("unpack", 2, self.packer.unpack, deterministic=True)
            newer = unknown_steps(self.db)
            if newer:
                conn.close()
                raise StoreError(
                    f"the database {self.path} was written by a newer watcher (it has the "
                    f"schema step {newer[-1]}, which watcher {__version__} does not know): "
                    "upgrade watcher (pip install -U careers-watcher) to use it"
                )
            migrations.apply(self.db)
            self._untrained = self._load_dictionary()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                damaged(self.path, exc) or f"cannot open database {self.path}: {exc}"
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from None

    def close(self) -> None:
        self.db.conn.close()

    # --- the descriptions' dictionary (see packing.py) ------------------------------

    def _dictionary(self, key: int) -> bytes | None:
        row = self.db.conn.execute("SELECT data FROM dictionaries WHERE id = ?", [key]).fetchone()
        return bytes(row[0]) if row else None

    def _load_dictionary(self) -> int:
        """Use the newest dictionary; else how many descriptions were stored without."""
        conn = self.db.conn
        row = conn.execute("SELECT id, data FROM dictionaries ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None:
            self.packer.use(row[0], bytes(row[1]))
            return 0
        return int(conn.execute("SELECT COUNT(*) FROM descriptions").fetchone()[0])

    def _train(self) -> None:
        """Train a dictionary from the latest descriptions, in its own transaction. Run
        after a commit, it never fails the caller: without one, it tries again later."""
        self._untrained = self._load_dictionary()  # another process may have made one
        if self._untrained < TRAIN_AFTER:
            return
        rows = self.db.conn.execute(
            "SELECT body, dictionary FROM descriptions ORDER BY rowid DESC LIMIT ?",
            [TRAIN_AFTER],
        ).fetchall()
        data = train([self.packer.unpack(body, key) or "" for body, key in rows])
        if data is not None:
            try:
                with self.transaction() as conn:
                    key = conn.execute(
                        "INSERT INTO dictionaries (data, created_at) VALUES (?, ?)",
                        [data, utc_iso(datetime.now(UTC))],
                    ).lastrowid
            except StoreError as exc:  # the caller's work is committed: do not fail it
                log.warning("description dictionary not trained yet: %s", exc)
            else:
                self.packer.use(int(key or 0), data)
                return
        self._untrained = 0  # try again after as many more descriptions

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock at once (so two processes queue
        instead of failing when a reader upgrades), rolled back on any error. Nested
        uses join the outer one."""
        conn = self.db.conn
        if conn.in_transaction:  # joined by a caller's transaction, committed by it
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(why(exc)) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(why(exc)) from None
            raise
        if self._untrained >= TRAIN_AFTER and not self.packer.dictionary:
            self._train()
