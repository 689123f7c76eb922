/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-delivery"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "turnout-delivery.h"
#include "turnout-phone.h"
#include "turnout-settings.h"
#include "turnout-store.h"

static gboolean
parse_clock (const char *text,
             int        *minutes)
{
  int h, m;
  char end;

  if (sscanf (text, "%d:%d%c", &h, &m, &end) != 2 || h < 0 || h > 23 || m < 0 || m > 59)
    return FALSE;
  *minutes = h * 60 + m;
  return TRUE;
}

/**
 * turnout_quiet_hours_parse:
 * @text: (nullable): "21:00-08:00", or "off" (or %NULL, or empty)
 * @start: (out): minutes after midnight the quiet hours start, -1 for none
 * @end: (out): minutes after midnight they end, -1 for none
 *
 * Returns: %FALSE with @error set when @text is neither.
 */
gboolean
turnout_quiet_hours_parse (const char  *text,
                           int         *start,
                           int         *end,
                           GError     **error)
{
  g_auto(GStrv) parts = NULL;
  int from, to;

  *start = *end = -1;
  if (text == NULL || g_ascii_strcasecmp (text, "off") == 0 || *text == '\0')
    return TRUE;
  parts = g_strsplit (text, "-", 2);
  if (g_strv_length (parts) != 2 || !parse_clock (g_strstrip (parts[0]), &from)
      || !parse_clock (g_strstrip (parts[1]), &to) || from == to)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Quiet hours are written as 21:00-08:00, or off; “%s” is neither"), text);
      return FALSE;
    }
  *start = from;
  *end = to;
  return TRUE;
}

/**
 * turnout_recipient_time_zone:
 * @zone_id: (nullable): the contact's own time zone
 * @default_zone: (nullable): the zone of contacts without one (the setting
 *   `contacts.default_time_zone`)
 *
 * Returns: (transfer full): the contact's zone when it is a known one, else
 *   the default zone when known, else this computer's.
 */
GTimeZone *
turnout_recipient_time_zone (const char *zone_id,
                             const char *default_zone)
{
  GTimeZone *zone = NULL;

  if (zone_id != NULL)
    zone = g_time_zone_new_identifier (zone_id);
  if (zone == NULL && default_zone != NULL && *default_zone != '\0')
    zone = g_time_zone_new_identifier (default_zone);
  if (zone == NULL)
    zone = g_time_zone_new_local ();
  return zone;
}

/**
 * turnout_quiet_hours_end:
 * @start: minutes after midnight the quiet hours start; < 0: none
 * @end: minutes after midnight they end
 * @zone: the recipient's time zone
 * @at: Unix seconds
 *
 * Returns: when the quiet hours around @at end in @zone, in Unix seconds;
 *   0 when @at is not inside them.
 */
gint64
turnout_quiet_hours_end (int        start,
                         int        end,
                         GTimeZone *zone,
                         gint64     at)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) midnight = NULL;
  g_autoptr(GDateTime) until = NULL;
  int minute;
  gboolean quiet;

  if (start < 0)
    return 0;
  utc = g_date_time_new_from_unix_utc (at);
  local = g_date_time_to_timezone (utc, zone);
  minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
  quiet = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!quiet)
    return 0;
  midnight = g_date_time_new (zone, g_date_time_get_year (local), g_date_time_get_month (local),
                              g_date_time_get_day_of_month (local), 0, 0, 0);
  until = g_date_time_add_minutes (midnight, end);
  if (g_date_time_to_unix (until) <= at)
    {
      GDateTime *next = g_date_time_add_days (until, 1);

      g_date_time_unref (until);
      until = next;
    }
  return g_date_time_to_unix (until);
}

/**
 * turnout_frequency_cap_parse:
 * @text: (nullable): "3/7" (at most 3 messages in any 7 days), or empty
 * @messages: (out): the most messages, 0 for no cap
 * @days: (out): in this many days, at least 1
 *
 * Returns: whether @text sets a cap.
 */
gboolean
turnout_frequency_cap_parse (const char *text,
                             guint      *messages,
                             guint      *days)
{
  guint m = 0, d = 0;

  *messages = 0;
  *days = 1;
  if (text == NULL || sscanf (text, "%u/%u", &m, &d) != 2)
    return FALSE;
  *messages = m;
  *days = MAX (d, 1);
  return m > 0;
}

/**
 * turnout_db_prepare_count_recent:
 *
 * Returns: (transfer none) (nullable): the statement
 *   turnout_count_recent_messages() runs, kept prepared with @db: give it
 *   back with turnout_db_cached_release().
 */
sqlite3_stmt *
turnout_db_prepare_count_recent (sqlite3  *db,
                                 GError  **error)
{
  /* What went out or may have: a row being sent or of unknown fate counts,
   * so a crash can't let the cap be passed. */
  return turnout_db_prepare_cached (db,
    "SELECT count (*) FROM messages WHERE contact_id = ?1"
    " AND state IN ('sending', 'sent', 'delivered', 'undelivered', 'unknown')"
    " AND coalesce (sent_at, claimed_at) >= ?2", error);
}

/**
 * turnout_count_recent_messages:
 * @stmt: from turnout_db_prepare_count_recent()
 * @since: Unix seconds
 *
 * Returns: how many messages of any campaign, automation or one-off went
 *   to @contact_id since @since.
 */
gint64
turnout_count_recent_messages (sqlite3_stmt *stmt,
                               gint64        contact_id,
                               gint64        since)
{
  gint64 n;

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, contact_id);
  sqlite3_bind_int64 (stmt, 2, since);
  n = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  return n;
}

/**
 * turnout_phone_list_normalize:
 * @text: numbers separated by commas, such as the setting `sms.test_numbers`
 * @default_region: (nullable): the country of numbers written without a
 *   country code; with %NULL each number must carry its own
 *
 * Returns: (transfer full) (array zero-terminated=1): each number in E.164,
 *   once, in the order given (empty for an empty @text), or %NULL with
 *   @error naming the first bad number and its position.
 */
char **
turnout_phone_list_normalize (const char  *text,
                              const char  *default_region,
                              GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", ",", -1);
  g_autoptr(GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);
  guint position = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      const char *part = g_strstrip (parts[i]);
      char *e164;

      /* "a, b," is forgiven: an empty place is no number. */
      if (*part == '\0')
        continue;
      position++;
      if ((e164 = turnout_phone_normalize (part, default_region, &local_error)) == NULL)
        {
          g_set_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE,
                       /* TRANSLATORS: "number 2 of the list: “555” is too short…" */
                       _("number %u of the list: %s"), position, local_error->message);
          return NULL;
        }
      if (g_ptr_array_find_with_equal_func (numbers, e164, g_str_equal, NULL))
        g_free (e164);
      else
        g_ptr_array_add (numbers, e164);
    }
  g_ptr_array_add (numbers, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&numbers), FALSE);
}
