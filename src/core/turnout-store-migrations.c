/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-store"

#include "config.h"

#include "turnout-store-private.h"

/*
 * The schema, as numbered migrations. Each runs in one transaction together
 * with the PRAGMA user_version that records it, so a file is always at
 * exactly one version. Never edit a migration that has shipped: add the next
 * one, and a test that upgrades a file made at the previous version.
 *
 * Conventions: times are Unix seconds (UTC) in INTEGER columns; money is in
 * the currency's minor units (cents) in INTEGER columns; channels are 'sms'
 * (MMS is an SMS with media) and 'email'.
 */

static const char migration_1[] =
  /* Every non-secret setting, as area.name keys (see turnout-settings.c). */
  "CREATE TABLE settings ("
  "  key         TEXT PRIMARY KEY NOT NULL,"
  "  value       TEXT NOT NULL,"
  "  updated_at  INTEGER NOT NULL"
  ") WITHOUT ROWID;"

  "CREATE TABLE contacts ("
  "  id                   INTEGER PRIMARY KEY,"
  "  first_name           TEXT NOT NULL DEFAULT '',"
  "  last_name            TEXT NOT NULL DEFAULT '',"
  "  phone                TEXT CHECK (phone IS NULL OR phone GLOB '+[1-9]*'),"
  "  email                TEXT CHECK (email IS NULL OR email = lower(email)),"
  "  city                 TEXT NOT NULL DEFAULT '',"
  "  time_zone            TEXT,"
  "  notes                TEXT NOT NULL DEFAULT '',"
  "  sms_consent          TEXT NOT NULL DEFAULT 'unknown'"
  "                       CHECK (sms_consent IN ('unknown', 'opted_in', 'opted_out')),"
  "  sms_consent_at       INTEGER,"
  "  sms_consent_source   TEXT,"
  "  email_consent        TEXT NOT NULL DEFAULT 'unknown'"
  "                       CHECK (email_consent IN ('unknown', 'opted_in', 'opted_out')),"
  "  email_consent_at     INTEGER,"
  "  email_consent_source TEXT,"
  "  created_at           INTEGER NOT NULL,"
  "  updated_at           INTEGER NOT NULL"
  ");"
  "CREATE INDEX contacts_phone ON contacts (phone) WHERE phone IS NOT NULL;"
  "CREATE INDEX contacts_email ON contacts (email) WHERE email IS NOT NULL;"
  "CREATE INDEX contacts_name ON contacts (last_name COLLATE NOCASE, first_name COLLATE NOCASE);"
  "CREATE INDEX contacts_created ON contacts (created_at);"

  /* Consent is evidence: every change is appended here by the triggers
   * below, and a row, once written, is never changed. */
  "CREATE TABLE consent_history ("
  "  id          INTEGER PRIMARY KEY,"
  "  contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,"
  "  channel     TEXT NOT NULL CHECK (channel IN ('sms', 'email')),"
  "  status      TEXT NOT NULL CHECK (status IN ('unknown', 'opted_in', 'opted_out')),"
  "  source      TEXT,"
  "  changed_at  INTEGER NOT NULL"
  ");"
  "CREATE INDEX consent_history_contact ON consent_history (contact_id, changed_at);"
  "CREATE TRIGGER consent_history_immutable BEFORE UPDATE ON consent_history"
  " BEGIN SELECT RAISE (ABORT, 'consent history is append-only'); END;"
  "CREATE TRIGGER contacts_consent_insert AFTER INSERT ON contacts BEGIN"
  "  INSERT INTO consent_history (contact_id, channel, status, source, changed_at)"
  "    SELECT NEW.id, 'sms', NEW.sms_consent, NEW.sms_consent_source,"
  "           coalesce (NEW.sms_consent_at, NEW.created_at)"
  "     WHERE NEW.sms_consent <> 'unknown';"
  "  INSERT INTO consent_history (contact_id, channel, status, source, changed_at)"
  "    SELECT NEW.id, 'email', NEW.email_consent, NEW.email_consent_source,"
  "           coalesce (NEW.email_consent_at, NEW.created_at)"
  "     WHERE NEW.email_consent <> 'unknown';"
  "END;"
  "CREATE TRIGGER contacts_sms_consent_update"
  " AFTER UPDATE OF sms_consent, sms_consent_source, sms_consent_at ON contacts"
  " WHEN NEW.sms_consent IS NOT OLD.sms_consent"
  "   OR NEW.sms_consent_source IS NOT OLD.sms_consent_source BEGIN"
  "  INSERT INTO consent_history (contact_id, channel, status, source, changed_at)"
  "    VALUES (NEW.id, 'sms', NEW.sms_consent, NEW.sms_consent_source,"
  "            coalesce (NEW.sms_consent_at, NEW.updated_at));"
  "END;"
  "CREATE TRIGGER contacts_email_consent_update"
  " AFTER UPDATE OF email_consent, email_consent_source, email_consent_at ON contacts"
  " WHEN NEW.email_consent IS NOT OLD.email_consent"
  "   OR NEW.email_consent_source IS NOT OLD.email_consent_source BEGIN"
  "  INSERT INTO consent_history (contact_id, channel, status, source, changed_at)"
  "    VALUES (NEW.id, 'email', NEW.email_consent, NEW.email_consent_source,"
  "            coalesce (NEW.email_consent_at, NEW.updated_at));"
  "END;"

  /* Genres and free tags share one namespace, told apart by kind. */
  "CREATE TABLE tags ("
  "  id    INTEGER PRIMARY KEY,"
  "  name  TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length (trim (name)) > 0),"
  "  kind  TEXT NOT NULL DEFAULT 'tag' CHECK (kind IN ('tag', 'genre'))"
  ");"
  "CREATE TABLE contact_tags ("
  "  contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,"
  "  tag_id      INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (contact_id, tag_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX contact_tags_tag ON contact_tags (tag_id, contact_id);"

  "CREATE TABLE events ("
  "  id          INTEGER PRIMARY KEY,"
  "  name        TEXT NOT NULL CHECK (length (trim (name)) > 0),"
  "  starts_at   INTEGER NOT NULL,"
  "  ends_at     INTEGER CHECK (ends_at IS NULL OR ends_at >= starts_at),"
  "  time_zone   TEXT NOT NULL DEFAULT 'UTC',"
  "  venue       TEXT NOT NULL DEFAULT '',"
  "  city        TEXT NOT NULL DEFAULT '',"
  "  notes       TEXT NOT NULL DEFAULT '',"
  "  created_at  INTEGER NOT NULL,"
  "  updated_at  INTEGER NOT NULL"
  ");"
  "CREATE INDEX events_starts ON events (starts_at);"
  "CREATE TABLE event_tags ("
  "  event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,"
  "  tag_id    INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (event_id, tag_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX event_tags_tag ON event_tags (tag_id, event_id);"

  "CREATE TABLE registrations ("
  "  id            INTEGER PRIMARY KEY,"
  "  contact_id    INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,"
  "  event_id      INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,"
  "  status        TEXT NOT NULL DEFAULT 'registered'"
  "                CHECK (status IN ('draft', 'registered', 'cancelled', 'attended')),"
  "  amount        INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),"
  "  ticket_type   TEXT NOT NULL DEFAULT '',"
  "  source        TEXT,"
  "  created_at    INTEGER NOT NULL,"
  "  confirmed_at  INTEGER,"
  "  cancelled_at  INTEGER,"
  "  updated_at    INTEGER NOT NULL"
  ");"
  "CREATE INDEX registrations_contact ON registrations (contact_id, event_id);"
  "CREATE INDEX registrations_event ON registrations (event_id, status);"
  "CREATE INDEX registrations_confirmed ON registrations (confirmed_at) WHERE confirmed_at IS NOT NULL;"
  "CREATE INDEX registrations_cancelled ON registrations (cancelled_at) WHERE cancelled_at IS NOT NULL;"

  /* Checked at send time, not only when a campaign is queued. Addresses are
   * stored as sent: E.164 phone numbers, lower-cased email addresses. */
  "CREATE TABLE suppressions ("
  "  id          INTEGER PRIMARY KEY,"
  "  channel     TEXT NOT NULL CHECK (channel IN ('sms', 'email')),"
  "  address     TEXT NOT NULL CHECK (length (address) > 0),"
  "  reason      TEXT NOT NULL DEFAULT 'manual',"
  "  source      TEXT,"
  "  created_at  INTEGER NOT NULL,"
  "  UNIQUE (channel, address)"
  ");"

  "CREATE TABLE segments ("
  "  id          INTEGER PRIMARY KEY,"
  "  name        TEXT NOT NULL UNIQUE CHECK (length (trim (name)) > 0),"
  "  rules       TEXT NOT NULL CHECK (json_valid (rules)),"
  "  created_at  INTEGER NOT NULL,"
  "  updated_at  INTEGER NOT NULL"
  ");"

  "CREATE TABLE templates ("
  "  id          INTEGER PRIMARY KEY,"
  "  name        TEXT NOT NULL UNIQUE CHECK (length (trim (name)) > 0),"
  "  channel     TEXT NOT NULL CHECK (channel IN ('sms', 'email')),"
  "  subject     TEXT NOT NULL DEFAULT '',"
  "  body_text   TEXT NOT NULL DEFAULT '',"
  "  body_html   TEXT NOT NULL DEFAULT '',"
  "  media_urls  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid (media_urls)),"
  "  created_at  INTEGER NOT NULL,"
  "  updated_at  INTEGER NOT NULL"
  ");"

  /* template_snapshot is the template as it was at launch (JSON): editing
   * the template later never changes what a running campaign sends. */
  "CREATE TABLE campaigns ("
  "  id                 INTEGER PRIMARY KEY,"
  "  name               TEXT NOT NULL CHECK (length (trim (name)) > 0),"
  "  channel            TEXT NOT NULL CHECK (channel IN ('sms', 'email')),"
  "  segment_id         INTEGER REFERENCES segments (id) ON DELETE SET NULL,"
  "  template_id        INTEGER REFERENCES templates (id) ON DELETE SET NULL,"
  "  event_id           INTEGER REFERENCES events (id) ON DELETE SET NULL,"
  "  template_snapshot  TEXT CHECK (template_snapshot IS NULL OR json_valid (template_snapshot)),"
  "  state              TEXT NOT NULL DEFAULT 'draft'"
  "                     CHECK (state IN ('draft', 'scheduled', 'running', 'paused',"
  "                                      'completed', 'cancelled', 'stopped')),"
  "  scheduled_at       INTEGER,"
  "  expires_at         INTEGER,"
  "  state_reason       TEXT,"
  "  created_at         INTEGER NOT NULL,"
  "  launched_at        INTEGER,"
  "  finished_at        INTEGER,"
  "  updated_at         INTEGER NOT NULL"
  ");"
  "CREATE INDEX campaigns_state ON campaigns (state, scheduled_at);"

  "CREATE TABLE automations ("
  "  id           INTEGER PRIMARY KEY,"
  "  name         TEXT NOT NULL CHECK (length (trim (name)) > 0),"
  "  trigger      TEXT NOT NULL,"
  "  delay_days   INTEGER NOT NULL DEFAULT 0,"
  "  template_id  INTEGER REFERENCES templates (id) ON DELETE RESTRICT,"
  "  segment_id   INTEGER REFERENCES segments (id) ON DELETE SET NULL,"
  "  event_id     INTEGER REFERENCES events (id) ON DELETE CASCADE,"
  "  active       INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),"
  "  last_run_at  INTEGER,"
  "  created_at   INTEGER NOT NULL,"
  "  updated_at   INTEGER NOT NULL"
  ");"

  /* The send queue and the send log in one table: one row per recipient per
   * campaign, per automation firing, or per one-off send. The two unique
   * indexes are what make a second send to the same person impossible, even
   * after a crash: a campaign reaches a contact once, an automation reaches a
   * contact once per event (or once at all when it has no event). */
  "CREATE TABLE messages ("
  "  id              INTEGER PRIMARY KEY,"
  "  campaign_id     INTEGER REFERENCES campaigns (id) ON DELETE CASCADE,"
  "  automation_id   INTEGER REFERENCES automations (id) ON DELETE CASCADE,"
  "  contact_id      INTEGER REFERENCES contacts (id) ON DELETE SET NULL,"
  "  event_id        INTEGER REFERENCES events (id) ON DELETE SET NULL,"
  "  channel         TEXT NOT NULL CHECK (channel IN ('sms', 'email')),"
  "  address         TEXT NOT NULL,"
  "  state           TEXT NOT NULL DEFAULT 'queued'"
  "                  CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'undelivered',"
  "                                   'failed', 'suppressed', 'skipped', 'unknown')),"
  "  attempts        INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER,"
  "  claimed_at      INTEGER,"
  "  sent_at         INTEGER,"
  "  delivered_at    INTEGER,"
  "  provider_id     TEXT,"
  "  error_code      TEXT,"
  "  error_text      TEXT,"
  "  segments        INTEGER,"
  "  created_at      INTEGER NOT NULL,"
  "  updated_at      INTEGER NOT NULL,"
  "  CHECK (campaign_id IS NULL OR automation_id IS NULL)"
  ");"
  "CREATE UNIQUE INDEX messages_campaign_once ON messages (campaign_id, contact_id)"
  "  WHERE campaign_id IS NOT NULL;"
  "CREATE UNIQUE INDEX messages_automation_once"
  "  ON messages (automation_id, contact_id, ifnull (event_id, 0))"
  "  WHERE automation_id IS NOT NULL;"
  "CREATE INDEX messages_due ON messages (state, next_attempt_at);"
  "CREATE INDEX messages_contact ON messages (contact_id, created_at);"
  "CREATE INDEX messages_provider ON messages (provider_id) WHERE provider_id IS NOT NULL;";


/* The figures as migration 2 defined them, frozen here: a migration that
 * has shipped must make the same file it always made, whatever the
 * definitions in turnout-store-private.h have become since. */
#define FIGURES_2_ATTENDED_SQL(contact) \
  " FROM registrations r JOIN events e ON e.id = r.event_id" \
  " WHERE r.contact_id = " contact " AND r.status IN ('registered', 'attended')" \
  "   AND e.starts_at <= (SELECT as_of FROM figures_clock)"

#define FIGURES_2_SQL(where) \
  "UPDATE contacts SET" \
  "  events_attended = (SELECT count (DISTINCT r.event_id)" FIGURES_2_ATTENDED_SQL ("contacts.id") ")," \
  "  first_event_at = (SELECT min (e.starts_at)" FIGURES_2_ATTENDED_SQL ("contacts.id") ")," \
  "  last_event_at = (SELECT max (e.starts_at)" FIGURES_2_ATTENDED_SQL ("contacts.id") ")," \
  "  total_spend = (SELECT coalesce (sum (amount), 0) FROM registrations" \
  "                  WHERE contact_id = contacts.id AND status <> 'cancelled')" \
  " WHERE " where ";"

/* The per-contact figures segment filters need, kept on the contact row so
 * no query recomputes them by scanning: events attended (registrations
 * registered or attended for events that have started), total spend (the
 * amounts of registrations not cancelled), first and last event attended.
 *
 * "Started" depends on the time, which SQL triggers can't ask TurnoutClock
 * for, so figures_clock holds the instant they are correct as of. Triggers
 * recompute one contact on every write of their registrations or events;
 * turnout_store_refresh_figures() moves as_of forward and recomputes only
 * the contacts of events that started in between.
 *
 * The contact search index is contentless FTS5 over the name and the
 * email; triggers keep it in step. Phone numbers are found through the
 * contacts_phone index instead (prefixes of E.164), which costs an import
 * nothing extra. */
static const char migration_2[] =
  "ALTER TABLE contacts ADD COLUMN events_attended INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE contacts ADD COLUMN total_spend INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE contacts ADD COLUMN first_event_at INTEGER;"
  "ALTER TABLE contacts ADD COLUMN last_event_at INTEGER;"
  "CREATE INDEX contacts_events_attended ON contacts (events_attended);"
  "CREATE INDEX contacts_total_spend ON contacts (total_spend);"
  "CREATE INDEX contacts_first_event ON contacts (first_event_at);"
  "CREATE INDEX contacts_last_event ON contacts (last_event_at);"
  "CREATE INDEX contacts_city ON contacts (city COLLATE NOCASE);"

  "CREATE TABLE figures_clock ("
  "  id     INTEGER PRIMARY KEY CHECK (id = 1),"
  "  as_of  INTEGER NOT NULL"
  ");"
  "INSERT INTO figures_clock (id, as_of) VALUES (1, 0);"

  "CREATE TRIGGER registrations_figures_insert AFTER INSERT ON registrations BEGIN "
  FIGURES_2_SQL ("id = NEW.contact_id")
  "END;"
  "CREATE TRIGGER registrations_figures_update"
  " AFTER UPDATE OF contact_id, event_id, status, amount ON registrations BEGIN "
  FIGURES_2_SQL ("id IN (OLD.contact_id, NEW.contact_id)")
  "END;"
  "CREATE TRIGGER registrations_figures_delete AFTER DELETE ON registrations BEGIN "
  FIGURES_2_SQL ("id = OLD.contact_id")
  "END;"
  "CREATE TRIGGER events_figures_update AFTER UPDATE OF starts_at ON events BEGIN "
  FIGURES_2_SQL ("id IN (SELECT contact_id FROM registrations WHERE event_id = NEW.id)")
  "END;"
  /* Deleting an event deletes its registrations (cascade), whose trigger
   * recomputes their contacts. */

  /* When a registration becomes registered or cancelled, when it happened
   * is kept: the "registration confirmed" automation fires on it. Writers
   * set the time from TurnoutClock; this is the backstop. */
  "CREATE TRIGGER registrations_confirmed_at AFTER UPDATE OF status ON registrations"
  " WHEN NEW.status = 'registered' AND OLD.status <> 'registered'"
  "  AND NEW.confirmed_at IS OLD.confirmed_at BEGIN"
  "  UPDATE registrations SET confirmed_at = NEW.updated_at WHERE id = NEW.id;"
  "END;"
  "CREATE TRIGGER registrations_cancelled_at AFTER UPDATE OF status ON registrations"
  " WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled'"
  "  AND NEW.cancelled_at IS OLD.cancelled_at BEGIN"
  "  UPDATE registrations SET cancelled_at = NEW.updated_at WHERE id = NEW.id;"
  "END;"

  /* Figures of the contacts already in the file; the refresh after the
   * upgrade brings them to now. */
  FIGURES_2_SQL ("1")

  "CREATE VIRTUAL TABLE contacts_fts USING fts5 ("
  "  name, email,"
  "  content = '', tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"
  ");"
  "INSERT INTO contacts_fts (rowid, name, email) SELECT " TURNOUT_FTS_ROW ("contacts")
  " FROM contacts;"
  "CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN"
  "  INSERT INTO contacts_fts (rowid, name, email) SELECT " TURNOUT_FTS_ROW ("NEW") ";"
  "END;"
  "CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN"
  "  INSERT INTO contacts_fts (contacts_fts, rowid, name, email)"
  "    SELECT 'delete', " TURNOUT_FTS_ROW ("OLD") ";"
  "END;"
  "CREATE TRIGGER contacts_fts_update"
  " AFTER UPDATE OF first_name, last_name, email ON contacts BEGIN"
  "  INSERT INTO contacts_fts (contacts_fts, rowid, name, email)"
  "    SELECT 'delete', " TURNOUT_FTS_ROW ("OLD") ";"
  "  INSERT INTO contacts_fts (rowid, name, email) SELECT " TURNOUT_FTS_ROW ("NEW") ";"
  "END;";

/* The contacts pane sorts by consent through these, as by every other
 * column it shows: without them each page of a consent-sorted list of a
 * million contacts sorted the whole table again. Sorted by phone or email,
 * the contacts without one come last, in id order; contacts_phone and
 * contacts_email leave them out, so two small indexes of only those rows
 * save reading the whole table to reach them. */
static const char migration_3[] =
  "CREATE INDEX contacts_sms_consent ON contacts (sms_consent);"
  "CREATE INDEX contacts_email_consent ON contacts (email_consent);"
  "CREATE INDEX contacts_no_phone ON contacts (phone) WHERE phone IS NULL;"
  "CREATE INDEX contacts_no_email ON contacts (email) WHERE email IS NULL;";

/* Segments ask which contacts have a registration of some kind: confirmed
 * or cancelled within some days, registered for events that start within
 * some. Each index below answers one of those questions alone, contact ids
 * included, where the narrower one it replaces had to read every matching
 * registration row for its contact_id: over five million registrations,
 * counting "confirmed in the last 30 days" went from 600 ms to 150 ms.
 * Each starts with the columns of the index it replaces, in the same
 * order, so every query that used one uses its successor. The plans do not
 * depend on ANALYZE statistics, which Turnout does not keep. */
static const char migration_4[] =
  "DROP INDEX registrations_event;"
  "DROP INDEX registrations_confirmed;"
  "DROP INDEX registrations_cancelled;"
  "CREATE INDEX registrations_event_status ON registrations (event_id, status, contact_id);"
  "CREATE INDEX registrations_confirmed_contact ON registrations (confirmed_at, contact_id)"
  "  WHERE confirmed_at IS NOT NULL;"
  "CREATE INDEX registrations_cancelled_contact ON registrations (cancelled_at, contact_id)"
  "  WHERE cancelled_at IS NOT NULL;";

/* A contact's next event (next_event_at, see TURNOUT_NEXT_EVENT_SQL) is
 * kept with the other figures, by the same triggers and refresh: "has an
 * upcoming registration" then reads one index instead of every
 * registration for every event ahead. contacts_next_event answers
 * "registered for something in the next N days"; contacts_last_next_event
 * answers "attended before some day and registered for nothing ahead"
 * (lapsed) alone, where contacts_last_event had to read each contact's
 * row. contacts_last_event stays: it is ordered by id within a day, as the
 * contacts pane sorts. The triggers of migration 2 are recreated from the
 * current definitions, which include the new figure. */
static const char migration_5[] =
  "ALTER TABLE contacts ADD COLUMN next_event_at INTEGER;"
  "UPDATE contacts SET next_event_at = " TURNOUT_NEXT_EVENT_SQL ("contacts.id")
  " WHERE id IN (SELECT r.contact_id FROM registrations r"
  "               WHERE r.status = 'registered' AND r.event_id IN"
  "                     (SELECT e.id FROM events e"
  "                       WHERE e.starts_at > (SELECT as_of FROM figures_clock)));"
  "CREATE INDEX contacts_next_event ON contacts (next_event_at);"
  "CREATE INDEX contacts_last_next_event ON contacts (last_event_at, next_event_at);"

  "DROP TRIGGER registrations_figures_insert;"
  "DROP TRIGGER registrations_figures_update;"
  "DROP TRIGGER registrations_figures_delete;"
  "DROP TRIGGER events_figures_update;"
  "CREATE TRIGGER registrations_figures_insert AFTER INSERT ON registrations BEGIN "
  TURNOUT_RECOMPUTE_FIGURES_SQL ("id = NEW.contact_id")
  "END;"
  "CREATE TRIGGER registrations_figures_update"
  " AFTER UPDATE OF contact_id, event_id, status, amount ON registrations BEGIN "
  TURNOUT_RECOMPUTE_FIGURES_SQL ("id IN (OLD.contact_id, NEW.contact_id)")
  "END;"
  "CREATE TRIGGER registrations_figures_delete AFTER DELETE ON registrations BEGIN "
  TURNOUT_RECOMPUTE_FIGURES_SQL ("id = OLD.contact_id")
  "END;"
  "CREATE TRIGGER events_figures_update AFTER UPDATE OF starts_at ON events BEGIN "
  TURNOUT_RECOMPUTE_FIGURES_SQL ("id IN (SELECT contact_id FROM registrations WHERE event_id = NEW.id)")
  "END;";

/* Email templates carry a preheader: the line inboxes show after the
 * subject, which otherwise shows the first words of the body ("View in
 * browser"). */
static const char migration_6[] =
  "ALTER TABLE templates ADD COLUMN preheader TEXT NOT NULL DEFAULT '';";

/* A campaign keeps the rules it was created with, so one sent to a
 * ready-made segment ("lapsed") or to a saved segment later deleted still
 * says whom it was for. */
static const char migration_7[] =
  "ALTER TABLE campaigns ADD COLUMN segment_rules TEXT"
  "  CHECK (segment_rules IS NULL OR json_valid (segment_rules));"
  "ALTER TABLE campaigns ADD COLUMN segment_name TEXT;"
  "CREATE INDEX messages_campaign_state ON messages (campaign_id, state)"
  "  WHERE campaign_id IS NOT NULL;";

/* What comes back after sending, and one-off sends.
 *
 * replies keeps every text people sent to the sender, once each however
 * often a poll lists it (provider_id), with what Turnout did about it. An
 * opt-out or opt-in changes suppressions and the contacts' consent (and so
 * consent_history, through its triggers) in the transaction that adds the
 * reply. reply_polls remembers up to when replies were listed, so a pass
 * asks only for what is new even when nobody has replied for months.
 *
 * Delivery receipts are asked for the messages still "sent" in the last
 * 72 hours. polled_at says when each was last asked about: a pass checks
 * the least recently checked first, so every message gets its turn.
 * messages_unconfirmed holds only those rows, by sending time, so a pass
 * reads the window without the rest of the log.
 *
 * body keeps the text of a one-off send (campaigns keep their template):
 * after a crash between the request and its answer, reconciliation asks
 * the provider for a message with that text. */
static const char migration_8[] =
  "CREATE TABLE replies ("
  "  id           INTEGER PRIMARY KEY,"
  "  provider_id  TEXT NOT NULL UNIQUE CHECK (length (provider_id) > 0),"
  "  channel      TEXT NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms', 'email')),"
  "  address      TEXT NOT NULL,"
  "  to_address   TEXT,"
  "  body         TEXT NOT NULL DEFAULT '',"
  "  received_at  INTEGER NOT NULL,"
  "  contact_id   INTEGER REFERENCES contacts (id) ON DELETE SET NULL,"
  "  action       TEXT NOT NULL DEFAULT 'none'"
  "               CHECK (action IN ('opt_out', 'opt_in', 'help', 'none')),"
  "  created_at   INTEGER NOT NULL"
  ");"
  "CREATE INDEX replies_received ON replies (received_at);"
  "CREATE INDEX replies_contact ON replies (contact_id) WHERE contact_id IS NOT NULL;"
  "CREATE TABLE reply_polls ("
  "  id            INTEGER PRIMARY KEY CHECK (id = 1),"
  "  listed_until  INTEGER NOT NULL"
  ");"
  "ALTER TABLE messages ADD COLUMN polled_at INTEGER;"
  "ALTER TABLE messages ADD COLUMN body TEXT;"
  "CREATE INDEX messages_unconfirmed ON messages (sent_at)"
  "  WHERE state = 'sent' AND provider_id IS NOT NULL;";

static const TurnoutMigration migrations[] = {
  { 1, "contacts, events, registrations, consent, suppressions, segments, templates, "
       "campaigns, automations, messages and settings", migration_1 },
  { 2, "per-contact figures kept by triggers, confirmation times, contact search", migration_2 },
  { 3, "indexes for sorting contacts by consent, and by phone or email with empty ones last",
    migration_3 },
  { 4, "indexes that give segments the contacts of registrations by event, by confirmation "
       "time and by cancellation time", migration_4 },
  { 5, "each contact's next event as a figure, with indexes for upcoming and lapsed segments",
    migration_5 },
  { 6, "a preheader for email templates", migration_6 },
  { 7, "campaigns keep the rules of their segment; messages by campaign and state",
    migration_7 },
  { 8, "replies with what was done about them, delivery polling, the text of one-off sends",
    migration_8 },
};

/* Every table, in the order `turnout-cli doctor` reports them. */
static const char * const tables[] = {
  "contacts", "consent_history", "tags", "contact_tags", "events", "event_tags",
  "registrations", "suppressions", "segments", "templates", "campaigns", "automations",
  "messages", "replies", "settings", NULL
};

const TurnoutMigration *
turnout_store_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}

const char * const *
turnout_store_tables (void)
{
  return tables;
}
