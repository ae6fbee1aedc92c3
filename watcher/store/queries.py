"""The queries behind `list`, `show`, `status` and `export`."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from typing import Any

import orjson

from watcher.model import utc_iso
from watcher.store.base import StoreBase
from watcher.store.rows import StoreError, chunks, fts_query
from watcher.text import html_to_text

# Scripts written without spaces between words: Han, Hiragana, Katakana, Hangul.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


class Queries(StoreBase):
    # --- queries for the command line -----------------------------------------------

    def postings(
        self,
        *,
        status: str = "open",
        site: str | None = None,
        since: datetime | None = None,
        search: str | None = None,
        posting_id: str | None = None,
        full: bool = False,
    ) -> list[dict[str, Any]]:
        """Stored postings, newest first, in the `watcher list --json` shape.

        `since`: first seen at or after; `search`: full-text query (SQLite FTS5) over
        titles and descriptions; `full`: include the description.
        """
        where: list[str] = []
        args: list[Any] = []
        if status != "all":
            where.append("p.status = ?")
            args.append(status)
        if status == "open":  # a site sites.yaml no longer names has no open postings
            where.append("s.removed_at IS NULL")
        if site:
            where.append("p.site = ?")
            args.append(site)
        if posting_id:
            where.append("p.id = ?")
            args.append(posting_id)
        if since:
            where.append("p.first_seen >= ?")
            args.append(utc_iso(since))
        if search:
            clause, found = self.search_clause(search)
            where.append(clause)
            args += found
        sql = (
            "SELECT p.site, p.id, p.title, p.url, p.location, p.locations, p.department, p.team, "
            "p.employment, p.workplace, p.compensation, p.posted_at, p.status, p.first_seen, "
            "CASE WHEN p.status = 'open' AND p.misses = 0 THEN COALESCE(s.last_success, "
            "p.last_seen) ELSE p.last_seen END AS last_seen, p.closed_at"
            + (
                ", unpack(d.body, d.dictionary) AS description, d.html AS description_is_html"
                if full
                else ""
            )
            + " FROM postings p LEFT JOIN sites s ON s.name = p.site"
            + (" LEFT JOIN descriptions d ON d.site = p.site AND d.id = p.id" if full else "")
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY p.first_seen DESC, p.site, p.id"
        )
        try:
            cursor = self.db.conn.execute(sql, args)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search {search!r}: {exc}") from None
        names = [d[0] for d in cursor.description]
        out = []
        for row in cursor:
            item = dict(zip(names, row, strict=True))
            item["locations"] = orjson.loads(item["locations"]) if item["locations"] else []
            item["compensation"] = (
                orjson.loads(item["compensation"]) if item["compensation"] else None
            )
            if item.pop("description_is_html", None):
                item["description"] = html_to_text(item["description"])
            out.append(item)
        return out

    def search_clause(self, search: str) -> tuple[str, list[Any]]:
        """A WHERE clause over postings `p` selecting those whose title or description
        holds every word of `search`, and its arguments. Words are whole words (SQLite
        FTS5, unicode61); text in Chinese, Japanese or Korean, written without spaces
        between words, is searched as substrings instead (a trigram index, and a scan
        for words of one or two characters)."""
        if not _CJK.search(search):
            self._sync_search("postings_fts")
            clause = (
                "(p.site, p.id) IN (SELECT site, id FROM postings_fts WHERE postings_fts MATCH ?)"
            )
            return clause, [fts_query(search)]
        self._sync_search("postings_cjk")
        clauses, args = [], []
        for word in search.split():
            if len(word) >= 3:
                inner = "postings_cjk MATCH ?"
                args.append(fts_query(word))
            else:
                inner = "instr(lower(title), ?) OR instr(lower(description), ?)"
                args += [word.lower(), word.lower()]
            clauses.append(f"(p.site, p.id) IN (SELECT site, id FROM postings_cjk WHERE {inner})")
        return "(" + " AND ".join(clauses or ["1"]) + ")", args

    def _sync_search(self, table: str = "postings_fts") -> None:
        """Bring a full-text index (`postings_fts`, or `postings_cjk` for text without
        spaces between words) up to date with the postings.

        The indexes are kept lazily, at search time, so that checks never pay for them:
        a check that writes postings marks them stale (`search_state`), and the next
        search compares each posting's digest with the one its index holds
        (`search_docs`, by key) and re-indexes only those that differ."""
        held = {"postings_fts": "fts", "postings_cjk": "cjk"}[table]
        stale = "SELECT dirty FROM search_state WHERE tbl = ?"
        if not self.db.conn.execute(stale, [table]).fetchone()[0]:
            return  # read without the write lock: most searches find nothing to do
        with self.transaction() as conn:
            if not conn.execute(stale, [table]).fetchone()[0]:
                return
            changed = (
                f"SELECT s.docid FROM search_docs s LEFT JOIN postings p "
                f"ON p.site = s.site AND p.id = s.id "
                f"WHERE s.{held} IS NOT NULL AND (p.digest IS NULL OR p.digest != s.{held})"
            )
            gone = [row[0] for row in conn.execute(changed)]
            for chunk in chunks(gone, 500):
                marks = ",".join("?" * len(chunk))
                conn.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)
                conn.execute(
                    f"UPDATE search_docs SET {held} = NULL WHERE docid IN ({marks})", chunk
                )
            conn.execute(
                "DELETE FROM search_docs WHERE fts IS NULL AND cjk IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM postings p WHERE p.site = search_docs.site "
                "AND p.id = search_docs.id)"
            )
            conn.execute(
                "INSERT OR IGNORE INTO search_docs (site, id) SELECT site, id FROM postings"
            )
            conn.execute(
                f"INSERT INTO {table} (rowid, site, id, digest, title, description) "
                "SELECT s.docid, p.site, p.id, p.digest, p.title, CASE WHEN d.html "
                "THEN html_text(unpack(d.body, d.dictionary)) "
                "ELSE unpack(d.body, d.dictionary) END "
                "FROM search_docs s JOIN postings p ON p.site = s.site AND p.id = s.id "
                "LEFT JOIN descriptions d ON d.site = p.site AND d.id = p.id "
                f"WHERE s.{held} IS NULL"
            )
            conn.execute(
                f"UPDATE search_docs SET {held} = (SELECT p.digest FROM postings p "
                "WHERE p.site = search_docs.site AND p.id = search_docs.id) "
                f"WHERE {held} IS NULL"
            )
            conn.execute("UPDATE search_state SET dirty = 0 WHERE tbl = ?", [table])

    def resolve(self, ref: str, site: str | None = None) -> list[tuple[str, str]]:
        """The (site, id) of the stored postings a user means by `ref`: an id, `site:id`,
        the posting's URL, or (when nothing else fits) the start of an id of at least 4
        characters. Several when `ref` is ambiguous; none when nothing fits."""
        conn = self.db.conn
        scope, args = ("", []) if site is None else (" AND site = ?", [site])
        if ref.startswith(("http://", "https://")):
            found = conn.execute(
                f"SELECT site, id FROM postings WHERE url IN (?, ?){scope}",
                [ref, ref.rstrip("/") if ref.endswith("/") else ref + "/", *args],
            ).fetchall()
            if found:
                return [tuple(row) for row in found]
        name, colon, rest = ref.partition(":")
        if colon and rest and (site is None or site == name):
            found = conn.execute(
                "SELECT site, id FROM postings WHERE site = ? AND id = ?", [name, rest]
            ).fetchall()
            if found:
                return [tuple(row) for row in found]
        exact = [
            tuple(row)
            for row in conn.execute(
                f"SELECT site, id FROM postings WHERE id = ?{scope}", [ref, *args]
            )
        ]
        if exact or len(ref) < 4:
            return exact
        pattern = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        prefixed = conn.execute(
            f"SELECT site, id FROM postings WHERE id LIKE ? ESCAPE '\\'{scope} LIMIT 20",
            [pattern, *args],
        )
        return [tuple(row) for row in prefixed]

    def sites(self) -> list[dict[str, Any]]:
        cursor = self.db.conn.execute(
            "SELECT s.*, (SELECT COUNT(*) FROM postings p WHERE p.site = s.name "
            "AND p.status = 'open') AS open FROM sites s WHERE s.removed_at IS NULL "
            "ORDER BY s.name"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def history(self, site: str, posting_id: str) -> list[dict[str, Any]]:
        cursor = self.db.conn.execute(
            "SELECT kind, at, fields, previous_id FROM events WHERE site = ? AND posting_id = ? "
            "ORDER BY id",
            [site, posting_id],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]
