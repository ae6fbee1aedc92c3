"""The database's schema: versioned migrations (sqlite-utils), applied when a store opens.

A database written by a newer watcher holds migrations this one does not know: it is
refused up front, before anything reads or writes it.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("watcher")


def unknown_steps(db: sqlite_utils.Database) -> list[str]:
    """The schema steps a database has that this watcher does not know: it was written
    by a newer one."""
    known = {step.name for step in migrations.pending(sqlite_utils.Database(memory=True))}
    return [step.name for step in migrations.applied(db) if step.name not in known]


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE sites (
            name TEXT PRIMARY KEY,
            platform TEXT NOT NULL,
            board TEXT NOT NULL,
            baseline_at TEXT,
            last_check TEXT,
            last_success TEXT,
            last_error TEXT,
            error_kind TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            attention INTEGER NOT NULL DEFAULT 0,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT
        );
        CREATE TABLE postings (
            site TEXT NOT NULL,
            id TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT NOT NULL,
            location TEXT,
            locations TEXT,
            department TEXT,
            team TEXT,
            employment TEXT,
            workplace TEXT,
            compensation TEXT,
            posted_at TEXT,
            updated_at TEXT,
            description TEXT,
            digest TEXT NOT NULL,
            detailed INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            closed_at TEXT,
            misses INTEGER NOT NULL DEFAULT 0,
            missing_since TEXT,
            PRIMARY KEY (site, id)
        ) WITHOUT ROWID;
        CREATE INDEX postings_site_status ON postings (site, status, closed_at);
        CREATE INDEX postings_first_seen ON postings (first_seen);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            posting_id TEXT,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            fields TEXT,
            previous_id TEXT,
            occurrence INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX events_posting ON events (site, posting_id, kind);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            site TEXT,
            posting_id TEXT,
            event_id INTEGER,
            kind TEXT NOT NULL,
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'pending',
            last_error TEXT,
            sent_at TEXT,
            claimed_until TEXT
        );
        CREATE INDEX outbox_due ON outbox (status, due_at);
        """
    )


@migrations()
def m002_search(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE VIRTUAL TABLE postings_fts USING fts5(
            site UNINDEXED, id UNINDEXED, digest UNINDEXED, title, description,
            tokenize = 'unicode61 remove_diacritics 2'
        );
        """
    )


@migrations()
def m003_closing_index(db: sqlite_utils.Database) -> None:
    # The count of closing postings is read before every check: without this it reads
    # every row of the site (measured: 0.2 ms a site; 0.004 ms with it).
    db.executescript(
        "CREATE INDEX postings_closing ON postings (site, misses) "
        "WHERE status = 'open' AND misses > 0;"
    )


@migrations()
def m004_raw_descriptions(db: sqlite_utils.Database) -> None:
    # Descriptions are stored as the platform gives them (HTML or text) and turned into
    # text only when read: a check never pays for HTML parsing it may never need.
    db.executescript("ALTER TABLE postings ADD COLUMN description_is_html INTEGER DEFAULT 0;")


@migrations()
def m005_descriptions_apart(db: sqlite_utils.Database) -> None:
    # Descriptions move to their own table, compressed (see packing.py): a posting's
    # row is then small enough for one page, so what the diff and the counts read
    # never walks an overflow chain, and the database is a fraction of its size.
    # `raw` is the hash of the platform's object the posting was built from (reader.py).
    db.executescript(
        """
        CREATE TABLE dictionaries (
            id INTEGER PRIMARY KEY,
            data BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE descriptions (
            site TEXT NOT NULL,
            id TEXT NOT NULL,
            body BLOB NOT NULL,
            dictionary INTEGER NOT NULL DEFAULT 0,
            html INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX descriptions_posting ON descriptions (site, id);
        INSERT INTO descriptions (site, id, body, html)
            SELECT site, id, pack(description), description_is_html FROM postings
            WHERE description IS NOT NULL AND description != '';
        ALTER TABLE postings DROP COLUMN description;
        ALTER TABLE postings DROP COLUMN description_is_html;
        ALTER TABLE postings ADD COLUMN raw TEXT;
        """
    )


@migrations()
def m006_web_indexes(db: sqlite_utils.Database) -> None:
    # `watcher serve` pages by keyset over these (each also holds the key, site and id):
    # the Openings page's newest and A-Z orders within a status, and a site's events by
    # time for its trend. Without them a deep page or a trend read every row.
    db.executescript(
        """
        CREATE INDEX postings_status_seen ON postings (status, first_seen);
        CREATE INDEX postings_status_title ON postings (status, title COLLATE NOCASE);
        CREATE INDEX events_site_at ON events (site, at, kind);
        """
    )


@migrations()
def m007_site_identity_and_shrinking(db: sqlite_utils.Database) -> None:
    # A site is its board: a renamed site keeps its postings (`removed_at` marks one no
    # longer in sites.yaml); suspect reads that agree are counted so that a board that
    # really shrank is believed; health notices are numbered from the site's row.
    db.executescript(
        """
        ALTER TABLE sites ADD COLUMN removed_at TEXT;
        ALTER TABLE sites ADD COLUMN suspect_reads INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sites ADD COLUMN suspect_key TEXT;
        ALTER TABLE sites ADD COLUMN accept_smaller INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sites ADD COLUMN notices INTEGER NOT NULL DEFAULT 0;
        UPDATE sites SET notices = (SELECT COUNT(DISTINCT key) FROM outbox
            WHERE outbox.site = sites.name AND outbox.kind IN ('attention', 'recovered'));
        CREATE INDEX sites_board ON sites (platform, board);
        """
    )


@migrations()
def m008_applications(db: sqlite_utils.Database) -> None:
    # What the user did about postings (watcher.door): an application, tied to a stored
    # posting (site, posting_id) or to a role found elsewhere (url); its stages as marks
    # with their dates; the second chances and similar roles it was told of; and a
    # full-text index over its role, notes and reflection. Nothing here refers to a site
    # row: marks outlive a site removed from sites.yaml, and meet it again if it returns.
    db.executescript(
        """
        CREATE TABLE applications (
            id INTEGER PRIMARY KEY,
            company TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT,
            site TEXT,
            posting_id TEXT,
            department TEXT,
            team TEXT,
            location TEXT,
            reflection TEXT,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX applications_posting ON applications (site, posting_id)
            WHERE posting_id IS NOT NULL;
        CREATE INDEX applications_url ON applications (url);
        CREATE TABLE application_marks (
            id INTEGER PRIMARY KEY,
            application INTEGER NOT NULL REFERENCES applications (id),
            stage TEXT NOT NULL,
            on_date TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX application_marks_application ON application_marks (application);
        CREATE TABLE application_events (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            application INTEGER NOT NULL REFERENCES applications (id),
            kind TEXT NOT NULL,
            site TEXT NOT NULL,
            posting_id TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX application_events_application ON application_events (application);
        CREATE VIRTUAL TABLE applications_fts USING fts5(
            application UNINDEXED, part UNINDEXED, body,
            tokenize = 'unicode61 remove_diacritics 2'
        );
        """
    )


@migrations()
def m009_search_without_spaces(db: sqlite_utils.Database) -> None:
    # Chinese, Japanese and Korean write words without spaces: the unicode61 index sees a
    # whole phrase as one token. A trigram index finds words inside it.
    db.executescript(
        """
        CREATE VIRTUAL TABLE postings_cjk USING fts5(
            site UNINDEXED, id UNINDEXED, digest UNINDEXED, title, description,
            tokenize = 'trigram'
        );
        """
    )


@migrations()
def m010_search_docs(db: sqlite_utils.Database) -> None:
    # The full-text indexes are kept lazily, at search time. Finding what they lag behind
    # had each search compare every posting with the index by (site, id), which the index
    # cannot look up: quadratic as they grew (minutes at 100,000 postings). Each posting
    # now has one row id in both indexes and the digest each holds (`search_docs`), so a
    # search compares by key, and only after a check wrote postings (`search_state`). No
    # trigger: a check's writes cost what they cost before.
    db.executescript(
        """
        CREATE TABLE search_docs (
            docid INTEGER PRIMARY KEY, site TEXT NOT NULL, id TEXT NOT NULL,
            fts TEXT, cjk TEXT
        );
        CREATE UNIQUE INDEX search_docs_posting ON search_docs (site, id);
        CREATE TABLE search_state (tbl TEXT PRIMARY KEY, dirty INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO search_state VALUES ('postings_fts', 1), ('postings_cjk', 1);
        DELETE FROM postings_fts;
        DELETE FROM postings_cjk;
        """
    )
