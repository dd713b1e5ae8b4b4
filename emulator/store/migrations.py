"""The schema, as the migrations that build it: `MIGRATIONS[i]` takes a database from version i to i + 1
(`PRAGMA user_version`), and Store.migrate runs those a file has not had, each in its own transaction. Add a
change as a new `_vN_<topic>` at the end; never edit one that has shipped (sandboxes already ran it)."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = []


def migration(fn: Callable[[sqlite_utils.Database], None]) -> Callable[[sqlite_utils.Database], None]:
    MIGRATIONS.append(fn)
    return fn


@migration
def _v1_core(db: sqlite_utils.Database) -> None:
    db["tenant"].create({"mid": int, "parent_mid": int, "name": str}, pk="mid")
    db["api_user"].create({"username": str, "password": str, "mid": int}, pk="username")
    db["token"].create(
        {"token": str, "kind": str, "mid": int, "client_id": str, "scope": str, "expires_at": float},
        pk="token",
    )
    db["counter"].create({"name": str, "value": int}, pk="name")
    # The generic SOAP object store: one row per APIObject, its properties as JSON.
    db["object"].create(
        {
            "pk": int,
            "mid": int,
            "type": str,
            "id": int,
            "object_id": str,
            "customer_key": str,
            "name": str,
            "data": str,
            "created": float,
            "modified": float,
        },
        pk="pk",
    )
    # Look-ups by key and name compare case-insensitively, as SFMC's SQL Server collation does.
    db.execute("CREATE INDEX idx_object_key ON object(mid, type, customer_key COLLATE NOCASE)")
    db.execute("CREATE INDEX idx_object_name ON object(mid, type, name COLLATE NOCASE)")
    db["object"].create_index(["mid", "type", "id"])
    db["object"].create_index(["object_id"])
    db["retrieve_continuation"].create(
        {"request_id": str, "mid": int, "query": str, "offset": int, "created": float}, pk="request_id"
    )
    # Audience state (subscribers, list membership, data-extension rows) lives in its own tables:
    # sends and imports stream through them by the hundred thousand.
    db["subscriber"].create(
        {
            "mid": int,
            "subscriber_key": str,
            "id": int,
            "email": str,
            "status": str,
            "attributes": str,
            "email_type": str,
            "created": float,
            "modified": float,
        },
        pk=("mid", "subscriber_key"),
    )
    db["subscriber"].create_index(["mid", "email"])
    db["subscriber"].create_index(["mid", "id"])
    db["list_subscriber"].create(
        {"mid": int, "list_id": int, "subscriber_key": str, "status": str, "created": float, "modified": float},
        pk=("mid", "list_id", "subscriber_key"),
    )
    db["de_row"].create(
        {"pk": int, "mid": int, "de_key": str, "key_value": str, "row": str, "created": float},
        pk="pk",
    )
    db["de_row"].create_index(["mid", "de_key", "key_value"])
    # Asynchronous work (sends, imports): the id is the SFMC Task/Job ID.
    db["job"].create(
        {
            "id": int,
            "mid": int,
            "kind": str,
            "status": str,
            "detail": str,
            "created": float,
            "started": float,
            "finished": float,
        },
        pk="id",
    )
    db["outbox"].create(
        {
            "id": int,
            "mid": int,
            "job_id": int,
            "message_key": str,
            "definition_key": str,
            "subscriber_key": str,
            "to_addr": str,
            "from_name": str,
            "from_addr": str,
            "subject": str,
            "html": str,
            "text": str,
            "source": str,
            "created": float,
        },
        pk="id",
    )
    db["outbox"].create_index(["mid", "job_id"])
    db["outbox"].create_index(["message_key"])
    # Every email-definition creation (REST transactional or SOAP TriggeredSendDefinition), for the
    # rolling 7-day quota.
    db["definition_quota"].create(
        {"id": int, "mid": int, "kind": str, "key": str, "created": float}, pk="id"
    )
    db["definition_quota"].create_index(["mid", "created"])
    # Tracking events of sends (SentEvent, NotSent, bounces...).
    db["send_event"].create(
        {"id": int, "mid": int, "job_id": int, "subscriber_key": str, "email": str, "event_type": str,
         "event_date": float, "triggered_send_key": str, "batch_id": int, "detail": str},
        pk="id",
    )
    db["send_event"].create_index(["mid", "job_id"])
    db["send_event"].create_index(["mid", "subscriber_key"])
    # REST documents that are not SOAP objects (transactional definitions, Content Builder assets...).
    db["rest_object"].create(
        {"pk": int, "mid": int, "kind": str, "key": str, "data": str, "created": float, "modified": float},
        pk="pk",
    )
    db["rest_object"].create_index(["mid", "kind", "key"])
    # Transactional messages by messageKey, with their send status.
    db["tx_message"].create(
        {"pk": int, "mid": int, "message_key": str, "definition_key": str, "request_id": str,
         "contact_key": str, "to_addr": str, "status": str, "status_code": int, "status_message": str,
         "payload": str, "created": float, "updated": float},
        pk="pk",
    )
    db["tx_message"].create_index(["mid", "message_key"], unique=True)
    db["tx_message"].create_index(["mid", "definition_key", "status"])
    # The request journal (bounded; see store/journal.py).
    db["journal"].create(
        {"id": int, "ts": float, "mid": int, "method": str, "path": str, "action": str, "object_type": str,
         "status": int, "ms": float, "fault": str, "request": str, "response": str},
        pk="id",
    )



@migration
def _v2_send_recipient(db: sqlite_utils.Database) -> None:
    """Issue 6: each send's audience, materialised once at start. One row per (job, subscriber); a batch of
    messages and its rows' new state commit together, so a send resumes after a crash without sending
    anyone twice or skipping anyone."""
    db["send_recipient"].create(
        {"pk": int, "job_id": int, "mid": int, "subscriber_key": str, "email": str, "source": str,
         "row_pk": int, "state": str, "reason": str},
        pk="pk",
    )
    db["send_recipient"].create_index(["job_id", "subscriber_key"], unique=True)
    db["send_recipient"].create_index(["job_id", "state", "pk"])
    db["send_event"].create_index(["job_id", "event_type"])


@migration
def _v3_journal_host(db: sqlite_utils.Database) -> None:
    """Issue 12: the host each journalled request was addressed to (a Marketing Cloud host through the proxy)."""
    db["journal"].add_column("host", str)


@migration
def _v4_journal_headers(db: sqlite_utils.Database) -> None:
    """Issue 16: the journal keeps each request's headers (JSON), so the inspector can show them (masked)
    and copy an exchange as curl."""
    db["journal"].add_column("headers", str)


@migration
def _v5_token_lifecycle(db: sqlite_utils.Database) -> None:
    """Issues 10/11: the user a web/public-app token was approved by, the redirect URI an authorization code
    was issued for, and an index so expired tokens are purged without a scan."""
    db["token"].add_column("user", str, not_null_default="")
    db["token"].add_column("redirect_uri", str, not_null_default="")
    db["token"].create_index(["expires_at"])


@migration
def _v6_keyset_retrieve(db: sqlite_utils.Database) -> None:
    """Issue 13: a continued Retrieve resumes after the last row it answered (a keyset, not an offset), and
    the documented filters (ListID, SubscriberKey, SendID, EventDate) read through an index. An index ends
    with the rowid, so `a=? AND rowid>? ORDER BY rowid` is a range on (a, rowid): one page read, no scan."""
    db.execute("ALTER TABLE retrieve_continuation ADD COLUMN after TEXT")
    db.execute("CREATE INDEX idx_object_type_pk ON object(mid, type)")
    db.execute("CREATE INDEX idx_subscriber_key_nocase ON subscriber(mid, subscriber_key COLLATE NOCASE)")
    db.execute("CREATE INDEX idx_list_subscriber_list ON list_subscriber(mid, list_id)")
    db.execute("CREATE INDEX idx_list_subscriber_key ON list_subscriber(mid, subscriber_key COLLATE NOCASE)")
    db.execute("CREATE INDEX idx_de_row_de ON de_row(mid, de_key)")
    # Each event type is retrieved on its own (SentEvent, NotSentEvent...): the type leads every index.
    db.execute("CREATE INDEX idx_send_event_type ON send_event(mid, event_type)")
    db.execute("CREATE INDEX idx_send_event_job ON send_event(mid, event_type, job_id)")
    db.execute("CREATE INDEX idx_send_event_key_nocase ON send_event(mid, event_type, subscriber_key COLLATE NOCASE)")
    db.execute("CREATE INDEX idx_send_event_date ON send_event(mid, event_type, event_date)")


@migration
def _v7_sms_channel(db: sqlite_utils.Database) -> None:
    """Issue 15: transactional SMS shares the outbox and the message table with email, told apart by a
    channel. Message keys are unique per channel (the SMS and email routes are separate key spaces)."""
    db.execute("ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email'")
    db.execute("ALTER TABLE tx_message ADD COLUMN channel TEXT NOT NULL DEFAULT 'email'")
    db.execute("DROP INDEX idx_tx_message_mid_message_key")
    db.execute("DROP INDEX idx_tx_message_mid_definition_key_status")
    db.execute("CREATE UNIQUE INDEX idx_tx_message_key ON tx_message(mid, channel, message_key)")
    db.execute("CREATE INDEX idx_tx_message_status ON tx_message(mid, channel, definition_key, status)")


@migration
def _v8_content_indexes(db: sqlite_utils.Database) -> None:
    """Issue 11: Content Builder and campaign pages read through indexes: by id (the default order), by
    parent category, by an asset's category, by campaign, by modification time (campaigns' default), and
    by name without case (the uniqueness checks of every create)."""
    for name, expr in (("id", "$.id"), ("parent", "$.parentId"), ("category", "$.category.id"),
                       ("campaign", "$.campaignId")):
        db.execute(f"CREATE INDEX idx_rest_object_{name} ON rest_object(mid, kind, json_extract(data, '{expr}'))")
    db.execute("CREATE INDEX idx_rest_object_modified ON rest_object(mid, kind, modified)")
    # names compare without case (an asset's name is unique per category and type; categories per parent)
    db.execute("CREATE INDEX idx_rest_object_name ON rest_object(mid, kind, lower(json_extract(data, '$.name')))")


@migration
def _v9_send_links(db: sqlite_utils.Database) -> None:
    """Issue 11: the tracked links of each send (LinkSend), recorded when its audience is built; a link's id
    is SFMC's Link ID. ListSend needs no table: it is counted from send_recipient and send_event."""
    db["send_link"].create(
        {"id": int, "mid": int, "job_id": int, "url": str, "alias": str, "ordinal": int},
        pk="id",
    )
    db["send_link"].create_index(["mid", "job_id"])
    db.execute("CREATE INDEX idx_send_recipient_source ON send_recipient(job_id, source)")


@migration
def _v10_journeys(db: sqlite_utils.Database) -> None:
    """Issue 14: journeys (one row per version of an interaction, its definition as JSON) and the contacts
    in them: where each contact is (activity key), whether it waits and until when, so progress survives a
    restart."""
    db["journey"].create(
        {"pk": int, "mid": int, "id": str, "key": str, "version": int, "name": str, "status": str, "data": str,
         "created": float, "modified": float},
        pk="pk",
    )
    db["journey"].create_index(["mid", "id", "version"], unique=True)
    db.execute("CREATE INDEX idx_journey_key ON journey(mid, key COLLATE NOCASE)")
    db["journey_contact"].create(
        {"pk": int, "mid": int, "journey_id": str, "version": int, "contact_key": str, "event_instance_id": str,
         "data": str, "activity_key": str, "status": str, "wait_until": float, "history": str,
         "entered": float, "updated": float},
        pk="pk",
    )
    db["journey_contact"].create_index(["mid", "journey_id", "version", "status"])
    db["journey_contact"].create_index(["mid", "journey_id", "contact_key"])


@migration
def _v11_engagement(db: sqlite_utils.Database) -> None:
    """Issue 15: engagement events name the outbox message they happened to (opens, clicks, unsubscribes of
    a message without a job: REST transactional), and the Event Notification Service's state: callbacks,
    subscriptions, the queue of events still to deliver (it survives a restart) and the delivery log."""
    db.execute("ALTER TABLE send_event ADD COLUMN message_id INTEGER")
    db.execute("CREATE INDEX idx_send_event_message ON send_event(message_id, event_type)")
    db["ens_callback"].create(
        {"callback_id": str, "mid": int, "name": str, "url": str, "max_batch_size": int, "signature_key": str,
         "verification_key": str, "status": str, "status_reason": str, "created": float}, pk="callback_id")
    db["ens_callback"].create_index(["mid"])
    db["ens_subscription"].create(
        {"subscription_id": str, "mid": int, "callback_id": str, "name": str, "event_types": str,
         "filters": str, "status": str, "status_reason": str, "created": float}, pk="subscription_id")
    db["ens_subscription"].create_index(["mid", "callback_id"])
    # One row per (subscription, event): delivered in id order per subscription, at least once.
    db["ens_queue"].create(
        {"id": int, "subscription_id": str, "callback_id": str, "event": str, "state": str, "attempts": int,
         "next_at": float, "created": float}, pk="id")
    db.execute("CREATE INDEX idx_ens_queue_pending ON ens_queue(state, subscription_id, id)")
    db["ens_delivery"].create(
        {"id": int, "mid": int, "callback_id": str, "subscription_id": str, "at": float, "attempt": int,
         "events": int, "first_event": int, "last_event": int, "outcome": str, "status": int, "error": str,
         "next_at": float}, pk="id")
    db["ens_delivery"].create_index(["callback_id", "id"])


@migration
def _v12_send_speed(db: sqlite_utils.Database) -> None:
    """Issue 13: every send writes one event per recipient, and each index of `send_event` is paid on every
    insert. Three were redundant: (mid, job_id) and (mid, event_type, job_id) answer nothing
    (job_id, event_type) does not (a SendID Retrieve reads its one event type by job in id order there),
    and no statement looks events up by (mid, subscriber_key) without case (a SubscriberKey filter reads
    idx_send_event_key_nocase)."""
    for name in ("idx_send_event_mid_job_id", "idx_send_event_mid_subscriber_key", "idx_send_event_job"):
        db.execute(f"DROP INDEX IF EXISTS {name}")


def _content_triggers(table: str, column: str, values: tuple[str, ...]) -> list[str]:
    listed = ", ".join(f"'{v}'" for v in values)
    bump = f"INSERT OR REPLACE INTO content_version(name, version) VALUES ('{table}', random())"
    return [f"CREATE TRIGGER content_version_{table}_{event.lower()} AFTER {event} ON {table} "
            f"WHEN {' OR '.join(f'{row}.{column} IN ({listed})' for row in rows)} BEGIN {bump}; END"
            for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",)))]


@migration
def _v13_content_versions(db: sqlite_utils.Database) -> None:
    """Issue 13: what a transactional send's content is made of gets a version (store/content_versions.py),
    so the looked-up and compiled content of a definition is kept between sends until it changes."""
    from .content_versions import DOCUMENT_KINDS, OBJECT_TYPES

    db.execute("CREATE TABLE content_version (name TEXT PRIMARY KEY, version INTEGER)")
    for sql in (*_content_triggers("object", "type", OBJECT_TYPES),
                *_content_triggers("rest_object", "kind", DOCUMENT_KINDS)):
        db.execute(sql)
