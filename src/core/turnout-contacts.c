/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-contacts"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "turnout-clock.h"
#include "turnout-contacts.h"
#include "turnout-csv.h"
#include "turnout-store.h"

/*
 * Whole-contact operations: counting, the GDPR access report (everything
 * stored about one person, as JSON), GDPR erasure, and CSV export in
 * Turnout's own columns, which import reads back with no mapping.
 * These block on the database: call them from a worker or the CLI.
 */

G_DEFINE_QUARK (turnout-contacts-error-quark, turnout_contacts_error)

/**
 * turnout_email_normalize:
 * @text: an email address as typed or imported
 *
 * Checks that @text is a plausible email address (one "@" with a name
 * before it and a domain with a dot after it; no spaces, commas, quotes,
 * brackets) and lower-cases it, as addresses are stored.
 *
 * Returns: (transfer full): the address to store, or %NULL with @error
 *   saying what is wrong.
 */
char *
turnout_email_normalize (const char  *text,
                         GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *at = strchr (trimmed, '@');
  const char *bad = strpbrk (trimmed, " \t,;<>\"()[]\\");

  if (*trimmed == '\0')
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("the email address is empty"));
  else if (bad != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("“%s” is not an email address: “%c” at position %d is not allowed"),
                 trimmed, *bad, (int) (bad - trimmed) + 1);
  else if (at == NULL || at == trimmed || strchr (at + 1, '@') != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("“%s” is not an email address: it needs exactly one “@” with a name "
                   "before it"), trimmed);
  else if (strchr (at + 1, '.') == NULL || at[1] == '.' || g_str_has_suffix (trimmed, ".") ||
           strstr (at, "..") != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("“%s” is not an email address: after the “@” comes a domain such as "
                   "example.com"), trimmed);
  else if (!g_utf8_validate (trimmed, -1, NULL))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("the email address is not valid text"));
  else
    return g_utf8_strdown (trimmed, -1);
  return NULL;
}

/* Turnout's own contact columns: what export writes and import reads. */
static const char * const export_columns[] = {
  "first_name", "last_name", "phone", "email", "city", "time_zone", "tags",
  "sms_consent", "email_consent", "notes", NULL
};

gint64
turnout_contacts_count (TurnoutStore  *store,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db = turnout_store_acquire (store, error);
  gint64 count = -1;
  int rc;

  if (db == NULL)
    return -1;
  stmt = turnout_db_prepare (db, "SELECT count(*) FROM contacts", error);
  if (stmt != NULL)
    {
      if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        count = sqlite3_column_int64 (stmt, 0);
      else
        turnout_db_set_error (error, db, rc, _("Could not count contacts"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return count;
}

static void
add_time (JsonBuilder  *builder,
          const char   *name,
          sqlite3_stmt *stmt,
          int           column)
{
  json_builder_set_member_name (builder, name);
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_builder_add_null_value (builder);
  else
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, column));
      g_autofree char *text = g_date_time_format_iso8601 (time);

      json_builder_add_string_value (builder, text);
    }
}

/* Adds the rows of @sql (bound to @id) as an array of objects whose member
 * names are the column names; columns ending in "_at" become ISO 8601. */
static gboolean
add_rows (JsonBuilder  *builder,
          sqlite3      *db,
          const char   *name,
          const char   *sql,
          gint64        id,
          gboolean      single,
          GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, sql, error);
  int rc;
  gboolean any = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);

  if (name != NULL)
    json_builder_set_member_name (builder, name);
  if (!single)
    json_builder_begin_array (builder);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      any = TRUE;
      json_builder_begin_object (builder);
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          const char *column = sqlite3_column_name (stmt, i);

          if (g_str_has_suffix (column, "_at"))
            {
              add_time (builder, column, stmt, i);
              continue;
            }
          json_builder_set_member_name (builder, column);
          switch (sqlite3_column_type (stmt, i))
            {
            case SQLITE_INTEGER:
              json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, i));
              break;
            case SQLITE_NULL:
              json_builder_add_null_value (builder);
              break;
            default:
              json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, i));
              break;
            }
        }
      json_builder_end_object (builder);
      if (single)
        break;
    }
  if (!single)
    json_builder_end_array (builder);
  if (single ? rc != SQLITE_ROW : rc != SQLITE_DONE)
    {
      if (single && rc == SQLITE_DONE && !any)
        g_set_error (error, TURNOUT_CONTACTS_ERROR, TURNOUT_CONTACTS_ERROR_NOT_FOUND,
                     _("There is no contact %" PRId64), id);
      else
        turnout_db_set_error (error, db, rc, _("Could not read the contact"));
      return FALSE;
    }
  return TRUE;
}

/**
 * turnout_contacts_dup_json:
 *
 * Everything Turnout stores about one person, for a GDPR access request:
 * the contact, tags, consent history, registrations, messages sent and
 * suppressions of their addresses.
 *
 * Returns: (transfer full): pretty-printed JSON, or %NULL with @error set.
 */
char *
turnout_contacts_dup_json (TurnoutStore  *store,
                           gint64         contact_id,
                           GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  sqlite3 *db = turnout_store_acquire (store, error);
  gboolean ok;

  if (db == NULL)
    return NULL;

  json_builder_begin_object (builder);
  ok = add_rows (builder, db, "contact",
                 "SELECT id, first_name, last_name, phone, email, city, time_zone, notes,"
                 " sms_consent, sms_consent_at, sms_consent_source,"
                 " email_consent, email_consent_at, email_consent_source,"
                 " events_attended, total_spend, first_event_at, last_event_at,"
                 " created_at, updated_at FROM contacts WHERE id = ?1", contact_id, TRUE, error) &&
       add_rows (builder, db, "tags",
                 "SELECT t.name, t.kind FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
                 " WHERE ct.contact_id = ?1 ORDER BY t.name", contact_id, FALSE, error) &&
       add_rows (builder, db, "consent_history",
                 "SELECT channel, status, source, changed_at FROM consent_history"
                 " WHERE contact_id = ?1 ORDER BY changed_at, id", contact_id, FALSE, error) &&
       add_rows (builder, db, "registrations",
                 "SELECT e.name AS event, e.starts_at AS event_starts_at, e.venue, r.status,"
                 " r.amount, r.ticket_type, r.source, r.created_at, r.confirmed_at,"
                 " r.cancelled_at FROM registrations r JOIN events e ON e.id = r.event_id"
                 " WHERE r.contact_id = ?1 ORDER BY e.starts_at", contact_id, FALSE, error) &&
       add_rows (builder, db, "messages",
                 "SELECT channel, address, state, campaign_id, automation_id, sent_at,"
                 " delivered_at, error_code, error_text, created_at FROM messages"
                 " WHERE contact_id = ?1 ORDER BY created_at, id", contact_id, FALSE, error) &&
       add_rows (builder, db, "suppressions",
                 "SELECT s.channel, s.address, s.reason, s.source, s.created_at"
                 " FROM suppressions s JOIN contacts c ON c.id = ?1"
                 " WHERE (s.channel = 'sms' AND s.address = c.phone)"
                 "    OR (s.channel = 'email' AND s.address = c.email)", contact_id, FALSE, error);
  turnout_store_release (store, db);
  if (!ok)
    return NULL;
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static gboolean
exec_bound (sqlite3     *db,
            const char  *sql,
            gint64       id,
            gint64       now,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not erase the contact"));
  return TRUE;
}

/**
 * turnout_contacts_erase:
 *
 * GDPR erasure: removes the person and everything about them (tags,
 * consent history, registrations, the addresses and one-off texts in their
 * send log, the replies from their number or address). Their
 * phone number and email address are kept only as suppressions, so they
 * are never messaged again, even if they are imported anew.
 */
gboolean
turnout_contacts_erase (TurnoutStore  *store,
                        gint64         contact_id,
                        GError       **error)
{
  gint64 now = turnout_clock_get_unix (turnout_clock_get_default ());
  sqlite3 *db = turnout_store_acquire (store, error);
  g_autoptr(sqlite3_stmt) exists = NULL;
  gboolean ok;

  if (db == NULL)
    return FALSE;

  ok = turnout_db_begin (db, error);
  if (ok)
    {
      exists = turnout_db_prepare (db, "SELECT 1 FROM contacts WHERE id = ?1", error);
      ok = exists != NULL;
    }
  if (ok)
    {
      sqlite3_bind_int64 (exists, 1, contact_id);
      if (sqlite3_step (exists) != SQLITE_ROW)
        {
          g_set_error (error, TURNOUT_CONTACTS_ERROR, TURNOUT_CONTACTS_ERROR_NOT_FOUND,
                       _("There is no contact %" PRId64), contact_id);
          ok = FALSE;
        }
      g_clear_pointer (&exists, sqlite3_finalize);
    }
  ok = ok &&
       exec_bound (db, "INSERT INTO suppressions (channel, address, reason, source, created_at)"
                       " SELECT 'sms', phone, 'erased', 'erasure request', ?2 FROM contacts"
                       " WHERE id = ?1 AND phone IS NOT NULL"
                       " ON CONFLICT (channel, address) DO NOTHING", contact_id, now, error) &&
       exec_bound (db, "INSERT INTO suppressions (channel, address, reason, source, created_at)"
                       " SELECT 'email', email, 'erased', 'erasure request', ?2 FROM contacts"
                       " WHERE id = ?1 AND email IS NOT NULL"
                       " ON CONFLICT (channel, address) DO NOTHING", contact_id, now, error) &&
       /* The send log keeps its counts for campaigns, not who it was nor
        * what a one-off text to them said. */
       exec_bound (db, "UPDATE messages SET address = '', error_text = NULL, provider_id = NULL,"
                       " body = NULL, updated_at = ?2 WHERE contact_id = ?1", contact_id, now,
                   error) &&
       /* What they wrote back is theirs too: the replies from their number,
        * and any linked to them (a reply is kept under the number it came
        * from even when the contact's number changed since). */
       exec_bound (db, "DELETE FROM replies WHERE contact_id = ?1"
                       " OR (channel = 'sms' AND address = (SELECT phone FROM contacts"
                       "                                    WHERE id = ?1))"
                       " OR (channel = 'email' AND address = (SELECT email FROM contacts"
                       "                                      WHERE id = ?1))",
                   contact_id, now, error) &&
       exec_bound (db, "DELETE FROM contacts WHERE id = ?1", contact_id, now, error) &&
       turnout_db_commit (db, error);
  if (!ok)
    turnout_db_rollback (db);
  turnout_store_release (store, db);
  return ok;
}

#define EXPORT_SQL \
  "SELECT c.first_name, c.last_name, coalesce (c.phone, ''), coalesce (c.email, ''), c.city," \
  " coalesce (c.time_zone, ''), coalesce ((SELECT group_concat (t.name, ';')" \
  "   FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id), '')," \
  " c.sms_consent, c.email_consent, c.notes FROM contacts c"

static gboolean
flush (GOutputStream  *output,
       GString        *buffer,
       GCancellable   *cancellable,
       GError        **error)
{
  gboolean ok = g_output_stream_write_all (output, buffer->str, buffer->len, NULL, cancellable,
                                           error);

  g_string_truncate (buffer, 0);
  return ok;
}

/**
 * turnout_contacts_export_csv:
 * @output: where the CSV goes (UTF-8, CRLF, a header row)
 * @contact_ids: (nullable) (element-type gint64): the contacts to export,
 *   or %NULL for all
 *
 * Writes contacts in Turnout's own columns. Cells a spreadsheet would run
 * as a formula are neutralised.
 *
 * Returns: the number of contacts written, or -1 with @error set.
 */
gint64
turnout_contacts_export_csv (TurnoutStore   *store,
                             GOutputStream  *output,
                             GArray         *contact_ids,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autoptr(GString) buffer = g_string_sized_new (65536);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db = turnout_store_acquire (store, error);
  gint64 written = 0;
  guint next_id = 0;
  int rc = SQLITE_DONE;

  if (db == NULL)
    return -1;

  /* Two statements rather than "?1 IS NULL OR id = ?1", which would
   * scan the whole table for every selected contact. */
  stmt = turnout_db_prepare (db,
                             contact_ids != NULL ? EXPORT_SQL " WHERE c.id = ?1"
                                                 : EXPORT_SQL " ORDER BY c.id",
                             error);
  if (stmt == NULL)
    goto fail;

  turnout_csv_append_row (buffer, export_columns, -1);
  for (;;)
    {
      if (contact_ids != NULL)
        {
          if (next_id >= contact_ids->len)
            break;
          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, g_array_index (contact_ids, gint64, next_id++));
        }
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *row[G_N_ELEMENTS (export_columns)];

          for (guint i = 0; i + 1 < G_N_ELEMENTS (export_columns); i++)
            row[i] = (const char *) sqlite3_column_text (stmt, i);
          row[G_N_ELEMENTS (export_columns) - 1] = NULL;
          turnout_csv_append_row (buffer, row, -1);
          written++;
          if (buffer->len > 60000 && !flush (output, buffer, cancellable, error))
            goto fail;
        }
      if (rc != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not read contacts to export"));
          goto fail;
        }
      if (contact_ids == NULL)
        break;
    }
  if (!flush (output, buffer, cancellable, error))
    goto fail;

  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return written;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return -1;
}

/* Turnout's own registrations columns, as import reads them. */
static const char * const registration_columns[] = {
  "first_name", "last_name", "phone", "email", "event_name", "event_start", "event_end",
  "venue", "city", "status", "amount", "registered_at", "confirmed_at", "cancelled_at", NULL
};

/* ISO 8601 with the offset of the event's zone, such as
 * 2026-05-02T22:00:00+02:00; empty for no time. */
static char *
format_event_time (sqlite3_stmt *stmt,
                   int           column,
                   GTimeZone    *zone)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return g_strdup ("");
  utc = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, column));
  local = g_date_time_to_timezone (utc, zone);
  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

/**
 * turnout_registrations_export_csv:
 * @output: where the CSV goes
 * @event_id: the event whose registrations to write, or 0 for all
 *
 * Writes registrations in Turnout's own columns (times in ISO 8601 with the
 * event's offset, amounts as decimals such as 25.00), which import reads
 * back with no mapping. Cells a spreadsheet would run are neutralised.
 *
 * Returns: the number of registrations written, or -1 with @error set.
 */
gint64
turnout_registrations_export_csv (TurnoutStore   *store,
                                  GOutputStream  *output,
                                  gint64          event_id,
                                  GCancellable   *cancellable,
                                  GError        **error)
{
  g_autoptr(GString) buffer = g_string_sized_new (65536);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_time_zone_unref);
  sqlite3 *db = turnout_store_acquire (store, error);
  gint64 written = 0;
  int rc;

  if (db == NULL)
    return -1;

  stmt = turnout_db_prepare (db,
                             "SELECT c.first_name, c.last_name, coalesce (c.phone, ''),"
                             " coalesce (c.email, ''), e.name, e.starts_at, e.ends_at, e.venue,"
                             " e.city, r.status, r.amount, r.created_at, r.confirmed_at,"
                             " r.cancelled_at, e.time_zone"
                             " FROM registrations r JOIN events e ON e.id = r.event_id"
                             " JOIN contacts c ON c.id = r.contact_id"
                             " WHERE ?1 = 0 OR r.event_id = ?1"
                             " ORDER BY e.starts_at, e.id, r.id",
                             error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, event_id);

  turnout_csv_append_row (buffer, registration_columns, -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *zone_id = (const char *) sqlite3_column_text (stmt, 14);
      GTimeZone *zone = g_hash_table_lookup (zones, zone_id);
      g_autofree char *starts = NULL, *ends = NULL, *registered = NULL;
      g_autofree char *confirmed = NULL, *cancelled = NULL, *amount = NULL;
      gint64 cents = sqlite3_column_int64 (stmt, 10);
      const char *row[G_N_ELEMENTS (registration_columns)];

      if (zone == NULL)
        {
          zone = g_time_zone_new_identifier (zone_id);
          if (zone == NULL)
            zone = g_time_zone_new_utc ();
          g_hash_table_insert (zones, g_strdup (zone_id), zone);
        }
      starts = format_event_time (stmt, 5, zone);
      ends = format_event_time (stmt, 6, zone);
      registered = format_event_time (stmt, 11, zone);
      confirmed = format_event_time (stmt, 12, zone);
      cancelled = format_event_time (stmt, 13, zone);
      amount = g_strdup_printf ("%" PRId64 ".%02d", cents / 100, (int) (cents % 100));

      row[0] = (const char *) sqlite3_column_text (stmt, 0);
      row[1] = (const char *) sqlite3_column_text (stmt, 1);
      row[2] = (const char *) sqlite3_column_text (stmt, 2);
      row[3] = (const char *) sqlite3_column_text (stmt, 3);
      row[4] = (const char *) sqlite3_column_text (stmt, 4);
      row[5] = starts;
      row[6] = ends;
      row[7] = (const char *) sqlite3_column_text (stmt, 7);
      row[8] = (const char *) sqlite3_column_text (stmt, 8);
      row[9] = (const char *) sqlite3_column_text (stmt, 9);
      row[10] = amount;
      row[11] = registered;
      row[12] = confirmed;
      row[13] = cancelled;
      row[14] = NULL;
      turnout_csv_append_row (buffer, row, -1);
      written++;
      if (buffer->len > 60000 && !flush (output, buffer, cancellable, error))
        goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not read registrations to export"));
      goto fail;
    }
  if (!flush (output, buffer, cancellable, error))
    goto fail;

  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return written;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return -1;
}
