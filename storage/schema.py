"""The schema as an ordered list of migrations; never edit one that has shipped, add another."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            # One row per configured watch, plus its health and conditional-GET validators.
            """CREATE TABLE watches (
                name TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                kind TEXT NOT NULL,
                topic TEXT NOT NULL,
                lang TEXT NOT NULL,
                interval_s REAL NOT NULL,
                selector TEXT,
                etag TEXT,
                last_modified TEXT,
                final_url TEXT,
                last_body_hash TEXT,
                last_region_hash TEXT,
                paused INTEGER NOT NULL DEFAULT 0,
                in_config INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                last_checked_at TEXT,
                last_ok_at TEXT,
                last_change_at TEXT,
                consecutive_failures INTEGER NOT NULL DEFAULT 0,
                failing_since TEXT,
                failing_alerted INTEGER NOT NULL DEFAULT 0,
                last_error TEXT
            )""",
            # Every fetch attempt, whatever its outcome.
            """CREATE TABLE fetches (
                id INTEGER PRIMARY KEY,
                watch TEXT NOT NULL REFERENCES watches(name),
                fetched_at TEXT NOT NULL,
                url TEXT NOT NULL,
                final_url TEXT,
                status INTEGER,
                bytes INTEGER NOT NULL DEFAULT 0,
                elapsed_ms REAL,
                outcome TEXT NOT NULL,
                error TEXT,
                body_hash TEXT
            )""",
            "CREATE INDEX fetches_watch ON fetches(watch, id)",
            # Raw bodies, zlib-compressed, stored once per distinct sha256.
            """CREATE TABLE bodies (
                hash TEXT PRIMARY KEY,
                size INTEGER NOT NULL,
                compressed BLOB NOT NULL
            )""",
            # A snapshot is written only when the normalized content differs from the last one.
            """CREATE TABLE snapshots (
                id INTEGER PRIMARY KEY,
                watch TEXT NOT NULL REFERENCES watches(name),
                observed_at TEXT NOT NULL,
                body_hash TEXT NOT NULL REFERENCES bodies(hash),
                region_hash TEXT,
                content_hash TEXT NOT NULL,
                content TEXT NOT NULL,
                document TEXT NOT NULL,
                normalizer_version INTEGER NOT NULL
            )""",
            "CREATE INDEX snapshots_watch ON snapshots(watch, id)",
            # Every record ever seen per watch: what makes flip-flops and stale copies harmless.
            """CREATE TABLE records (
                watch TEXT NOT NULL REFERENCES watches(name),
                key TEXT NOT NULL,
                data TEXT NOT NULL,
                first_seen_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL,
                absent_since TEXT,
                removal_announced INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (watch, key)
            )""",
            # What changed, classified; the notifier and review page read these.
            """CREATE TABLE changes (
                id INTEGER PRIMARY KEY,
                watch TEXT NOT NULL REFERENCES watches(name),
                kind TEXT NOT NULL,
                topic TEXT NOT NULL,
                audience TEXT NOT NULL,
                observed_at TEXT NOT NULL,
                title TEXT NOT NULL,
                summary TEXT NOT NULL,
                data TEXT NOT NULL,
                url TEXT,
                lang TEXT NOT NULL,
                snapshot_id INTEGER REFERENCES snapshots(id),
                previous_snapshot_id INTEGER REFERENCES snapshots(id),
                diff TEXT,
                reviewed_at TEXT,
                reviewed_by TEXT,
                review_note TEXT
            )""",
            "CREATE INDEX changes_watch ON changes(watch, id)",
            # The outbox: one row per recipient of a change, written with the change.
            """CREATE TABLE deliveries (
                id INTEGER PRIMARY KEY,
                change_id INTEGER NOT NULL REFERENCES changes(id),
                chat_id INTEGER NOT NULL,
                lang TEXT NOT NULL DEFAULT 'en',
                role TEXT NOT NULL DEFAULT 'subscriber',
                status TEXT NOT NULL DEFAULT 'pending',
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                created_at TEXT NOT NULL,
                sent_at TEXT,
                message_id INTEGER,
                last_error TEXT
            )""",
            "CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at)",
            # Telegram subscribers, their filters and the topics they follow.
            """CREATE TABLE subscribers (
                chat_id INTEGER PRIMARY KEY,
                lang TEXT NOT NULL DEFAULT 'en',
                active INTEGER NOT NULL DEFAULT 1,
                crs_max INTEGER,
                draw_types TEXT,
                created_at TEXT NOT NULL,
                deactivated_at TEXT,
                deactivated_reason TEXT
            )""",
            """CREATE TABLE subscriptions (
                chat_id INTEGER NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
                topic TEXT NOT NULL,
                PRIMARY KEY (chat_id, topic)
            )""",
        ],
    ),
    (
        2,
        [
            # How many parts of a split message went out, so a retry resumes where it stopped.
            "ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX deliveries_chat ON deliveries(chat_id, status)",
            "CREATE INDEX subscriptions_topic ON subscriptions(topic)",
        ],
    ),
    (
        3,
        [
            # Every review of a change (who, when, note), never overwritten; the changes
            # table's reviewed_* columns keep the latest one for the lists and the bot.
            """CREATE TABLE reviews (
                id INTEGER PRIMARY KEY,
                change_id INTEGER NOT NULL REFERENCES changes(id),
                reviewed_at TEXT NOT NULL,
                reviewed_by TEXT NOT NULL,
                note TEXT
            )""",
            "CREATE INDEX reviews_change ON reviews(change_id, id)",
            """INSERT INTO reviews (change_id, reviewed_at, reviewed_by, note)
               SELECT id, reviewed_at, COALESCE(reviewed_by, ''), review_note FROM changes
               WHERE reviewed_at IS NOT NULL ORDER BY id""",
        ],
    ),
    (
        4,
        [
            # A check's changes held as one bulk (issue 10): released or discarded by a person.
            """CREATE TABLE holds (
                id INTEGER PRIMARY KEY,
                watch TEXT NOT NULL REFERENCES watches(name),
                created_at TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'held',
                changes INTEGER NOT NULL,
                decided_at TEXT,
                decided_by TEXT
            )""",
            # NULL for a change told at once; 'held', 'released' or 'discarded' in a hold.
            "ALTER TABLE changes ADD COLUMN status TEXT",
            "ALTER TABLE changes ADD COLUMN hold_id INTEGER REFERENCES holds(id)",
            "CREATE INDEX changes_hold ON changes(hold_id)",
            # The structured reading failed: since when, and what it missed (page-level meanwhile).
            "ALTER TABLE watches ADD COLUMN degraded_since TEXT",
            "ALTER TABLE watches ADD COLUMN degraded_reason TEXT",
        ],
    ),
    (
        5,
        [
            # Delivery leases: a row being sent is owned by one process until lease_until, so
            # two delivery loops on one database never send the same row.
            "ALTER TABLE deliveries ADD COLUMN lease_owner TEXT",
            "ALTER TABLE deliveries ADD COLUMN lease_until TEXT",
            # Why a pending row waits past its time: 'digest' (gathered into the chat's next
            # digest) or 'quiet' (sent when the chat's quiet hours end).
            "ALTER TABLE deliveries ADD COLUMN held_for TEXT",
            # Subscribers' digests and quiet hours, in their time zone (NULL: Canada/Eastern).
            "ALTER TABLE subscribers ADD COLUMN digest TEXT",  # NULL instant, daily, weekly
            "ALTER TABLE subscribers ADD COLUMN digest_time TEXT",  # HH:MM
            "ALTER TABLE subscribers ADD COLUMN digest_day INTEGER",  # 0 Monday … 6 Sunday
            "ALTER TABLE subscribers ADD COLUMN digest_keep_draws INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE subscribers ADD COLUMN tz TEXT",
            "ALTER TABLE subscribers ADD COLUMN quiet_start TEXT",  # HH:MM
            "ALTER TABLE subscribers ADD COLUMN quiet_end TEXT",
            # Telegram channels of config.toml ([[channel]]) and their health.
            """CREATE TABLE channels (
                chat TEXT PRIMARY KEY,
                posts INTEGER NOT NULL DEFAULT 0,
                last_post_at TEXT,
                last_error TEXT,
                last_error_at TEXT,
                removed_at TEXT,
                removed_reported INTEGER NOT NULL DEFAULT 0
            )""",
        ],
    ),
    (
        6,
        [
            # What a subscriber follows of the data kinds: processing-time countries and
            # program groups (JSON lists; NULL: none chosen) and IEC pools (code + category).
            """CREATE TABLE ptime_prefs (
                chat_id INTEGER PRIMARY KEY REFERENCES subscribers(chat_id) ON DELETE CASCADE,
                countries TEXT,
                programs TEXT
            )""",
            """CREATE TABLE iec_follows (
                chat_id INTEGER NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
                code TEXT NOT NULL,
                category TEXT NOT NULL,
                PRIMARY KEY (chat_id, code, category)
            )""",
        ],
    ),
    (
        7,
        [
            # How the service's parts stand (Telegram reachable or not), for `watches`/`/status`.
            """CREATE TABLE service_status (
                part TEXT PRIMARY KEY,
                state TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
        ],
    ),
    (
        8,
        [
            # Bodies and snapshots stored as zstd deltas against a keyframe of the same watch
            # (storage/snapshots.py). codec NULL: the older zlib / plain-text encoding. The
            # foreign keys keep retention from deleting a keyframe a delta still needs.
            "ALTER TABLE bodies ADD COLUMN codec TEXT",
            "ALTER TABLE bodies ADD COLUMN base TEXT REFERENCES bodies(hash)",
            "CREATE INDEX bodies_base ON bodies(base)",
            "ALTER TABLE snapshots ADD COLUMN codec TEXT",
            "ALTER TABLE snapshots ADD COLUMN base_id INTEGER REFERENCES snapshots(id)",
            "CREATE INDEX snapshots_base ON snapshots(base_id)",
        ],
    ),
    (
        9,
        [
            # Review page sessions signed out, and Telegram Login Widget hashes already used:
            # kept until they would have expired anyway, so a restart forgets neither (issue 16).
            """CREATE TABLE review_signouts (
                sid TEXT PRIMARY KEY,
                expires_at REAL NOT NULL
            )""",
            """CREATE TABLE review_login_hashes (
                hash TEXT PRIMARY KEY,
                expires_at REAL NOT NULL
            )""",
        ],
    ),
    (
        10,
        [
            # follow = "latest": the page a watch follows now (a newer year's page found on its
            # index); NULL until it moves from the configured url (issue 17).
            "ALTER TABLE watches ADD COLUMN followed_url TEXT",
        ],
    ),
    (
        11,
        [
            # /pool on: the chat hears each new Express Entry pool distribution (pool_changed).
            "ALTER TABLE subscribers ADD COLUMN pool_alerts INTEGER NOT NULL DEFAULT 0",
        ],
    ),
    (
        12,
        [
            # Messages sent with allow_paid_broadcast per UTC day ([telegram] paid_broadcast):
            # each is reserved here before it leaves, so the daily cap holds across passes,
            # restarts and processes.
            """CREATE TABLE paid_broadcasts (
                day TEXT PRIMARY KEY,
                sent INTEGER NOT NULL
            )""",
        ],
    ),
    (
        13,
        [
            # /ptime min 2w or 10 %: processing-time moves smaller than this wait for the weekly
            # processing-times summary (NULL: the default, one week or 10 %; "0": every move).
            "ALTER TABLE ptime_prefs ADD COLUMN min_move TEXT",
        ],
    ),
]
