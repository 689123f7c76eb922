/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "turnout-clock.h"
#include "turnout-segment.h"
#include "turnout-segments.h"
#include "turnout-store.h"
#include "turnout-test-utils.h"

/* Segments: the rule tree's JSON, its compiled SQL checked against a plain
 * evaluator of the definitions, the presets, and the store API. */

#define DAY 86400
/* 2026-06-15 12:00:00 UTC: the frozen clock of every test. */
#define NOW G_GINT64_CONSTANT (1781524800)
#define ZONE "America/New_York"

static TurnoutStore *
open_fresh_store (const char *name)
{
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autoptr(GError) error = NULL;
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  return store;
}

static void
exec (sqlite3    *db,
      const char *sql)
{
  g_autoptr(GError) error = NULL;

  turnout_db_exec (db, sql, &error);
  g_assert_no_error (error);
}

/* Runs an INSERT with `?` parameters: "i" binds a gint64, "s" a string
 * (NULL binds NULL). */
static gint64
insert (sqlite3    *db,
        const char *sql,
        const char *types,
        ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, sql, &error);
  va_list ap;

  g_assert_no_error (error);
  va_start (ap, types);
  for (int i = 0; types[i] != '\0'; i++)
    if (types[i] == 'i')
      sqlite3_bind_int64 (stmt, i + 1, va_arg (ap, gint64));
    else
      sqlite3_bind_text (stmt, i + 1, va_arg (ap, const char *), -1, SQLITE_TRANSIENT);
  va_end (ap);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return sqlite3_last_insert_rowid (db);
}

static gint64
add_contact (sqlite3    *db,
             const char *city,
             gint64      created_at)
{
  return insert (db, "INSERT INTO contacts (city, created_at, updated_at) VALUES (?, ?, ?)",
                 "sii", city, created_at, created_at);
}

static gint64
add_event (sqlite3 *db,
           gint64   starts_at)
{
  return insert (db, "INSERT INTO events (name, starts_at, created_at, updated_at)"
                     " VALUES ('Show', ?, 0, 0)", "i", starts_at);
}

static void
add_registration (sqlite3    *db,
                  gint64      contact,
                  gint64      event,
                  const char *status,
                  gint64      amount,
                  gint64      confirmed_at,
                  gint64      cancelled_at)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = turnout_db_prepare (db, "INSERT INTO registrations (contact_id, event_id, status, amount,"
                                 " created_at, confirmed_at, cancelled_at, updated_at)"
                                 " VALUES (?, ?, ?, ?, 0, ?, ?, 0)", &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, contact);
  sqlite3_bind_int64 (stmt, 2, event);
  sqlite3_bind_text (stmt, 3, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, amount);
  if (confirmed_at != 0)
    sqlite3_bind_int64 (stmt, 5, confirmed_at);
  if (cancelled_at != 0)
    sqlite3_bind_int64 (stmt, 6, cancelled_at);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

static void
tag_contact (sqlite3    *db,
             gint64      contact,
             const char *tag)
{
  insert (db, "INSERT OR IGNORE INTO tags (name) VALUES (?)", "s", tag);
  insert (db, "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id)"
              " SELECT ?, id FROM tags WHERE name = ?", "is", contact, tag);
}

static gint64
count (TurnoutStore   *store,
       TurnoutSegment *segment)
{
  g_autoptr(GError) error = NULL;
  gint64 n = turnout_segments_count (store, segment, NULL, &error);

  g_assert_no_error (error);
  return n;
}

static gint64
count_json (TurnoutStore *store,
            const char   *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) segment = turnout_segment_new_from_json (json, &error);

  g_assert_no_error (error);
  return count (store, segment);
}

static gint64
count_preset (TurnoutStore *store,
              const char   *preset,
              int           days)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) segment = turnout_segment_new_preset (preset, days, &error);

  g_assert_no_error (error);
  return count (store, segment);
}

/* The model the property test evaluates rule trees over, read back from
 * the store. */

typedef struct
{
  gint64  id;
  char   *city;
  char   *time_zone;
  char   *phone;
  char   *email;
  char   *sms_consent;
  char   *email_consent;
  gint64  created_at;
  GPtrArray *tags;    /* lower-cased names */
} Contact;

typedef struct
{
  gint64  contact;
  gint64  event;
  char   *status;
  gint64  amount;
  gint64  confirmed_at;   /* -1: none */
  gint64  cancelled_at;   /* -1: none */
  gint64  starts_at;
} Registration;

typedef struct
{
  GArray    *contacts;
  GArray    *registrations;
  GTimeZone *zone;
  gint64     now;       /* the clock the trees are evaluated at */
} Model;

static char *
column_dup (sqlite3_stmt *stmt,
            int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static void
load_model (sqlite3 *db,
            gint64   now,
            Model   *model)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  model->now = now;
  model->contacts = g_array_new (FALSE, TRUE, sizeof (Contact));
  model->registrations = g_array_new (FALSE, TRUE, sizeof (Registration));
  model->zone = g_time_zone_new_identifier (ZONE);

  stmt = turnout_db_prepare (db, "SELECT id, city, time_zone, phone, email, sms_consent,"
                                 " email_consent, created_at FROM contacts ORDER BY id", NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Contact c = { sqlite3_column_int64 (stmt, 0), column_dup (stmt, 1), column_dup (stmt, 2),
                    column_dup (stmt, 3), column_dup (stmt, 4), column_dup (stmt, 5),
                    column_dup (stmt, 6), sqlite3_column_int64 (stmt, 7),
                    g_ptr_array_new_with_free_func (g_free) };
      g_array_append_val (model->contacts, c);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = turnout_db_prepare (db, "SELECT ct.contact_id, t.name FROM contact_tags ct"
                                 " JOIN tags t ON t.id = ct.tag_id", NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    for (guint i = 0; i < model->contacts->len; i++)
      if (g_array_index (model->contacts, Contact, i).id == sqlite3_column_int64 (stmt, 0))
        g_ptr_array_add (g_array_index (model->contacts, Contact, i).tags,
                         g_ascii_strdown ((const char *) sqlite3_column_text (stmt, 1), -1));
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = turnout_db_prepare (db, "SELECT r.contact_id, r.event_id, r.status, r.amount,"
                                 " coalesce (r.confirmed_at, -1), coalesce (r.cancelled_at, -1),"
                                 " e.starts_at FROM registrations r"
                                 " JOIN events e ON e.id = r.event_id", NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Registration r = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
                         column_dup (stmt, 2), sqlite3_column_int64 (stmt, 3),
                         sqlite3_column_int64 (stmt, 4), sqlite3_column_int64 (stmt, 5),
                         sqlite3_column_int64 (stmt, 6) };
      g_array_append_val (model->registrations, r);
    }
}

static void
free_model (Model *model)
{
  for (guint i = 0; i < model->contacts->len; i++)
    {
      Contact *c = &g_array_index (model->contacts, Contact, i);
      g_free (c->city); g_free (c->time_zone); g_free (c->phone); g_free (c->email);
      g_free (c->sms_consent); g_free (c->email_consent);
      g_ptr_array_unref (c->tags);
    }
  for (guint i = 0; i < model->registrations->len; i++)
    g_free (g_array_index (model->registrations, Registration, i).status);
  g_array_unref (model->contacts);
  g_array_unref (model->registrations);
  g_time_zone_unref (model->zone);
}

static gboolean
is_attendance (Model              *model,
               const Registration *r)
{
  return (g_str_equal (r->status, "registered") || g_str_equal (r->status, "attended"))
         && r->starts_at <= model->now;
}

/* The date of an instant in the segment zone, as a comparable number. */
static int
day_of (Model  *model,
        gint64  t)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, model->zone);

  return g_date_time_get_year (local) * 10000 + g_date_time_get_month (local) * 100
         + g_date_time_get_day_of_month (local);
}

static int
parse_day (const char *text)
{
  return atoi (text) * 10000 + atoi (text + 5) * 100 + atoi (text + 8);
}

static gboolean
eval_date (Model      *model,
           gboolean    has,
           gint64      t,
           const char *op,
           JsonNode   *value)
{
  if (!has)
    return FALSE;
  if (g_str_equal (op, "before"))
    return day_of (model, t) < parse_day (json_node_get_string (value));
  if (g_str_equal (op, "after"))
    return day_of (model, t) > parse_day (json_node_get_string (value));
  if (g_str_equal (op, "on"))
    return day_of (model, t) == parse_day (json_node_get_string (value));
  if (g_str_equal (op, "within_days"))
    return t >= model->now - json_node_get_int (value) * DAY && t <= model->now;
  return t < model->now - json_node_get_int (value) * DAY;
}

static gboolean
eval_number (gint64      n,
             const char *op,
             JsonNode   *value)
{
  if (g_str_equal (op, "between"))
    {
      JsonArray *a = json_node_get_array (value);
      return n >= json_array_get_int_element (a, 0) && n <= json_array_get_int_element (a, 1);
    }
  if (g_str_equal (op, "eq"))
    return n == json_node_get_int (value);
  if (g_str_equal (op, "ne"))
    return n != json_node_get_int (value);
  if (g_str_equal (op, "gte"))
    return n >= json_node_get_int (value);
  return n <= json_node_get_int (value);
}

static gboolean
has_tag (Contact    *c,
         const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < c->tags->len; i++)
    if (g_str_equal (g_ptr_array_index (c->tags, i), lower))
      return TRUE;
  return FALSE;
}

static gboolean eval_group (Model *model, Contact *c, JsonObject *group);

static gboolean
eval_condition (Model      *model,
                Contact    *c,
                JsonObject *rule)
{
  const char *field = json_object_get_string_member (rule, "field");
  const char *op = json_object_get_string_member (rule, "op");
  JsonNode *value = json_object_get_member (rule, "value");
  gint64 attended = 0, spend = 0, first = G_MAXINT64, last = G_MININT64;
  g_autoptr(GHashTable) events = g_hash_table_new (g_int64_hash, g_int64_equal);
  gboolean found = FALSE;

  for (guint i = 0; i < model->registrations->len; i++)
    {
      Registration *r = &g_array_index (model->registrations, Registration, i);

      if (r->contact != c->id)
        continue;
      if (!g_str_equal (r->status, "cancelled"))
        spend += r->amount;
      if (is_attendance (model, r))
        {
          g_hash_table_add (events, &r->event);
          first = MIN (first, r->starts_at);
          last = MAX (last, r->starts_at);
        }
      if (g_str_equal (field, "registered_for") && r->event == json_node_get_int (value)
          && (!json_object_has_member (rule, "status")
              || g_str_equal (r->status, json_object_get_string_member (rule, "status"))))
        found = TRUE;
      if (g_str_equal (field, "attended") && r->event == json_node_get_int (value)
          && is_attendance (model, r))
        found = TRUE;
      if (g_str_equal (field, "upcoming_registration") && g_str_equal (r->status, "registered")
          && r->starts_at > model->now
          && (value == NULL || r->starts_at <= model->now + json_node_get_int (value) * DAY))
        found = TRUE;
      if (g_str_equal (field, "cancelled_registration") && r->cancelled_at >= 0
          && r->cancelled_at >= model->now - json_node_get_int (value) * DAY
          && r->cancelled_at <= model->now)
        found = TRUE;
      if (g_str_equal (field, "confirmed_registration") && r->confirmed_at >= 0
          && r->confirmed_at >= model->now - json_node_get_int (value) * DAY
          && r->confirmed_at <= model->now)
        found = TRUE;
    }
  attended = g_hash_table_size (events);

  if (g_str_equal (field, "tags"))
    {
      JsonArray *names = json_node_get_array (value);
      guint hits = 0;

      for (guint i = 0; i < json_array_get_length (names); i++)
        hits += has_tag (c, json_array_get_string_element (names, i));
      if (g_str_equal (op, "any"))
        return hits > 0;
      if (g_str_equal (op, "none"))
        return hits == 0;
      return hits == json_array_get_length (names);
    }
  if (g_str_equal (field, "events_attended"))
    return eval_number (attended, op, value);
  if (g_str_equal (field, "total_spend"))
    return eval_number (spend, op, value);
  if (g_str_equal (field, "first_event"))
    return eval_date (model, attended > 0, first, op, value);
  if (g_str_equal (field, "last_event"))
    return eval_date (model, attended > 0, last, op, value);
  if (g_str_equal (field, "created"))
    return eval_date (model, TRUE, c->created_at, op, value);
  if (g_str_equal (field, "city"))
    return (g_ascii_strcasecmp (c->city, json_node_get_string (value)) == 0)
           == g_str_equal (op, "is");
  if (g_str_equal (field, "time_zone"))
    return (g_strcmp0 (c->time_zone, json_node_get_string (value)) == 0) == g_str_equal (op, "is");
  if (g_str_equal (field, "sms_consent"))
    return g_str_equal (c->sms_consent, json_node_get_string (value)) == g_str_equal (op, "is");
  if (g_str_equal (field, "email_consent"))
    return g_str_equal (c->email_consent, json_node_get_string (value)) == g_str_equal (op, "is");
  if (g_str_equal (field, "has_phone"))
    return (c->phone != NULL && *c->phone != '\0') == json_node_get_boolean (value);
  if (g_str_equal (field, "has_email"))
    return (c->email != NULL && *c->email != '\0') == json_node_get_boolean (value);
  return found;
}

static gboolean
eval_group (Model      *model,
            Contact    *c,
            JsonObject *group)
{
  const char *match = json_object_get_string_member (group, "match");
  JsonArray *rules = json_object_get_array_member (group, "rules");
  guint hits = 0;

  for (guint i = 0; i < json_array_get_length (rules); i++)
    {
      JsonObject *rule = json_array_get_object_element (rules, i);

      if (json_object_has_member (rule, "match") ? eval_group (model, c, rule)
                                                 : eval_condition (model, c, rule))
        hits++;
    }
  if (g_str_equal (match, "all"))
    return hits == json_array_get_length (rules);
  if (g_str_equal (match, "any"))
    return hits > 0;
  return hits == 0;
}

/* Values chosen to break anything that splices text into SQL or LIKE. */
static const char * const tag_names[] = {
  "Rock", "jazz", "O'Brien fans", "100%", "a_b", "x;--", "Folk \"acoustic\"", "techno"
};
static const char * const cities[] = {
  "Berlin", "berlin", "O'Neil", "50%", "500", "a_c", "abc", "x;-- DROP", ""
};
static const char * const zones[] = { NULL, "Europe/Berlin", "America/New_York" };
static const char * const consent_values[] = { "unknown", "opted_in", "opted_out" };
static const char * const status_values[] = { "draft", "registered", "cancelled", "attended" };

/* An instant between NOW + low and NOW + high days; half of them fall on
 * whole days from now, so the edges of every window are hit exactly. */
static gint64
random_instant (GRand *rand,
                int    low,
                int    high)
{
  if (g_rand_boolean (rand))
    return NOW + (gint64) g_rand_int_range (rand, low, high + 1) * DAY;
  return NOW + g_rand_int_range (rand, low * DAY, high * DAY);
}

static void
populate (sqlite3 *db,
          GRand   *rand)
{
  exec (db, "BEGIN");
  exec (db, "INSERT INTO settings (key, value, updated_at)"
            " VALUES ('contacts.default_time_zone', '" ZONE "', 0)");
  for (int i = 0; i < 300; i++)
    {
      g_autofree char *phone = g_rand_boolean (rand) ? g_strdup_printf ("+1555%07d", i) : NULL;
      const char *emails[] = { NULL, "", "a@example.org" };
      gint64 id = insert (db, "INSERT INTO contacts (city, time_zone, phone, email, sms_consent,"
                              " email_consent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                          "ssssssi",
                          cities[g_rand_int_range (rand, 0, G_N_ELEMENTS (cities))],
                          zones[g_rand_int_range (rand, 0, G_N_ELEMENTS (zones))], phone,
                          emails[g_rand_int_range (rand, 0, 3)],
                          consent_values[g_rand_int_range (rand, 0, 3)],
                          consent_values[g_rand_int_range (rand, 0, 3)],
                          i == 0 ? NOW : random_instant (rand, -800, 0));

      for (guint t = 0; t < G_N_ELEMENTS (tag_names); t++)
        if (g_rand_int_range (rand, 0, 4) == 0)
          tag_contact (db, id, tag_names[t]);
    }
  /* The first contact and the first event are of exactly now. */
  for (int i = 0; i < 40; i++)
    add_event (db, i == 0 ? NOW : random_instant (rand, -500, 120));
  for (int i = 0; i < 900; i++)
    {
      const char *status = status_values[g_rand_int_range (rand, 0, 4)];
      gint64 confirmed = g_rand_boolean (rand) ? random_instant (rand, -100, 1) : 0;
      gint64 cancelled = g_str_equal (status, "cancelled") && g_rand_boolean (rand)
                         ? random_instant (rand, -100, 1) : 0;

      add_registration (db, g_rand_int_range (rand, 1, 301), g_rand_int_range (rand, 1, 41),
                        status, g_rand_int_range (rand, 0, 5000), confirmed, cancelled);
    }
  exec (db, "COMMIT");
}

static void
random_date (GRand   *rand,
             GString *json)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (
    NOW + g_rand_int_range (rand, -600 * DAY, 150 * DAY));

  g_string_append_printf (json, "\"%04d-%02d-%02d\"", g_date_time_get_year (utc),
                          g_date_time_get_month (utc), g_date_time_get_day_of_month (utc));
}

static void
random_condition (GRand   *rand,
                  GString *json)
{
  static const char * const matches[] = { "any", "all", "none" };
  static const char * const number_ops[] = { "eq", "ne", "gte", "lte", "between" };
  static const char * const date_ops[] = {
    "before", "after", "on", "within_days", "more_than_days_ago"
  };
  static const char * const date_fields[] = { "first_event", "last_event", "created" };
  static const char * const windows[] = { "cancelled_registration", "confirmed_registration" };
  static const char * const is_ops[] = { "is", "is_not" };

  switch (g_rand_int_range (rand, 0, 12))
    {
    case 0:
      g_string_append_printf (json, "{\"field\":\"tags\",\"op\":\"%s\",\"value\":[",
                              matches[g_rand_int_range (rand, 0, 3)]);
      for (int n = g_rand_int_range (rand, 1, 4), i = 0; i < n; i++)
        {
          g_autofree char *escaped = NULL;
          const char *name = g_rand_int_range (rand, 0, 10) == 0 ? "No such tag"
                             : tag_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (tag_names))];
          g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), name);

          /* Vary the case: tag names match ignoring it. */
          escaped = json_to_string (node, FALSE);
          if (g_rand_boolean (rand))
            {
              char *upper = g_ascii_strup (escaped, -1);
              g_free (escaped);
              escaped = upper;
            }
          g_string_append_printf (json, "%s%s", i > 0 ? "," : "", escaped);
        }
      g_string_append (json, "]}");
      break;
    case 1:
    case 2:
      {
        gboolean spend = g_rand_boolean (rand);
        const char *op = number_ops[g_rand_int_range (rand, 0, 5)];
        int scale = spend ? 3000 : 1;
        int high = spend ? 12000 : 5;

        g_string_append_printf (json, "{\"field\":\"%s\",\"op\":\"%s\",\"value\":",
                                spend ? "total_spend" : "events_attended", op);
        if (g_str_equal (op, "between"))
          {
            int a = g_rand_int_range (rand, 0, high), b = a + g_rand_int_range (rand, 0, 2 * scale);
            g_string_append_printf (json, "[%d,%d]}", a, b);
          }
        else
          g_string_append_printf (json, "%d}", g_rand_int_range (rand, 0, high));
        break;
      }
    case 3:
    case 4:
      {
        const char *op = date_ops[g_rand_int_range (rand, 0, 5)];

        g_string_append_printf (json, "{\"field\":\"%s\",\"op\":\"%s\",\"value\":",
                                date_fields[g_rand_int_range (rand, 0, 3)], op);
        if (g_str_has_prefix (op, "within") || g_str_has_prefix (op, "more"))
          g_string_append_printf (json, "%d}", g_rand_int_range (rand, 0, 500));
        else
          random_date (rand, json), g_string_append (json, "}");
        break;
      }
    case 5:
      g_string_append_printf (json, "{\"field\":\"registered_for\",\"op\":\"is\",\"value\":%d",
                              g_rand_int_range (rand, 1, 43));
      if (g_rand_boolean (rand))
        g_string_append_printf (json, ",\"status\":\"%s\"",
                                status_values[g_rand_int_range (rand, 0, 4)]);
      g_string_append (json, "}");
      break;
    case 6:
      g_string_append_printf (json, "{\"field\":\"attended\",\"op\":\"is\",\"value\":%d}",
                              g_rand_int_range (rand, 1, 43));
      break;
    case 7:
      if (g_rand_boolean (rand))
        g_string_append (json, "{\"field\":\"upcoming_registration\",\"op\":\"any\"}");
      else
        g_string_append_printf (json, "{\"field\":\"upcoming_registration\","
                                      "\"op\":\"within_days\",\"value\":%d}",
                                g_rand_int_range (rand, 0, 150));
      break;
    case 8:
      g_string_append_printf (json, "{\"field\":\"%s\",\"op\":\"within_days\",\"value\":%d}",
                              windows[g_rand_int_range (rand, 0, 2)],
                              g_rand_int_range (rand, 0, 120));
      break;
    case 9:
      {
        g_autoptr(JsonNode) node = json_node_init_string (
          json_node_alloc (), cities[g_rand_int_range (rand, 0, G_N_ELEMENTS (cities))]);
        g_autofree char *escaped = json_to_string (node, FALSE);

        if (g_rand_boolean (rand))
          g_string_append_printf (json, "{\"field\":\"city\",\"op\":\"%s\",\"value\":%s}",
                                  is_ops[g_rand_int_range (rand, 0, 2)], escaped);
        else
          g_string_append_printf (json, "{\"field\":\"time_zone\",\"op\":\"%s\",\"value\":\"%s\"}",
                                  is_ops[g_rand_int_range (rand, 0, 2)],
                                  g_rand_boolean (rand) ? "Europe/Berlin" : "America/New_York");
        break;
      }
    case 10:
      g_string_append_printf (json, "{\"field\":\"%s\",\"op\":\"%s\",\"value\":\"%s\"}",
                              g_rand_boolean (rand) ? "sms_consent" : "email_consent",
                              is_ops[g_rand_int_range (rand, 0, 2)],
                              consent_values[g_rand_int_range (rand, 0, 3)]);
      break;
    default:
      g_string_append_printf (json, "{\"field\":\"%s\",\"op\":\"is\",\"value\":%s}",
                              g_rand_boolean (rand) ? "has_phone" : "has_email",
                              g_rand_boolean (rand) ? "true" : "false");
      break;
    }
}

static void
random_group (GRand   *rand,
              GString *json,
              int      depth)
{
  static const char * const matches[] = { "all", "any", "none" };
  int n = g_rand_int_range (rand, 0, 4);

  g_string_append_printf (json, "\"match\":\"%s\",\"rules\":[",
                          matches[g_rand_int_range (rand, 0, 3)]);
  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      if (depth < 3 && g_rand_int_range (rand, 0, 3) == 0)
        {
          g_string_append_c (json, '{');
          random_group (rand, json, depth + 1);
          g_string_append_c (json, '}');
        }
      else
        random_condition (rand, json);
    }
  g_string_append_c (json, ']');
}

static gboolean
collect_id (gint64   id,
            gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, id);
  return TRUE;
}

static void
use_clock (gint64 now)
{
  g_autoptr(GDateTime) instant = g_date_time_new_from_unix_utc (now);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (instant);

  turnout_clock_set_default (clock);
}

static gint64
query_int (sqlite3    *db,
           const char *sql,
           gint64      a,
           gint64      b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, sql, &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, b);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* An event at @starts_at with a dozen registrations of random contacts,
 * most of them registered (an upcoming registration until it starts). */
static gint64
add_event_with_registrations (sqlite3 *db,
                              GRand   *rand,
                              gint64   starts_at)
{
  gint64 event = add_event (db, starts_at);

  for (int i = 0; i < 12; i++)
    add_registration (db, g_rand_int_range (rand, 1, 301), event,
                      i < 8 ? "registered" : status_values[g_rand_int_range (rand, 0, 4)],
                      g_rand_int_range (rand, 0, 5000), 0, 0);
  return event;
}

/* Runs @n_rounds random trees at @now, each compared contact by contact
 * with the plain evaluator; every 20th is counted through the store's own
 * connection too, by the frozen clock set to @now. */
static void
check_trees (TurnoutStore *store,
             sqlite3      *db,
             GRand        *rand,
             gint64        now,
             int           n_rounds,
             guint        *n_partial)
{
  g_autoptr(GError) error = NULL;
  Model model;

  use_clock (now);
  load_model (db, now, &model);
  g_assert_cmpuint (model.contacts->len, ==, 300);

  for (int round = 0; round < n_rounds; round++)
    {
      g_autoptr(GString) json = g_string_new ("{\"version\":1,");
      g_autoptr(TurnoutSegment) segment = NULL;
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(JsonNode) root = NULL;
      guint k = 0;

      random_group (rand, json, 1);
      g_string_append_c (json, '}');
      segment = turnout_segment_new_from_json (json->str, &error);
      g_assert_no_error (error);
      turnout_db_segment_foreach_id (db, segment, now, collect_id, ids, NULL, &error);
      g_assert_no_error (error);

      root = json_from_string (json->str, NULL);
      for (guint i = 0; i < model.contacts->len; i++)
        {
          Contact *c = &g_array_index (model.contacts, Contact, i);
          gboolean expected = eval_group (&model, c, json_node_get_object (root));
          gboolean got = k < ids->len && g_array_index (ids, gint64, k) == c->id;

          if (expected != got)
            g_error ("at %" G_GINT64_FORMAT ", contact %" G_GINT64_FORMAT ": expected %s, "
                     "SQL says %s, for %s", now, c->id, expected ? "in" : "out",
                     got ? "in" : "out", json->str);
          k += got;
        }
      g_assert_cmpuint (k, ==, ids->len);
      if (round % 20 == 0)
        g_assert_cmpint (count (store, segment), ==, ids->len);
      *n_partial += ids->len > 0 && ids->len < model.contacts->len;
    }
  free_model (&model);
}

#define EVENTS_BETWEEN_SQL \
  "SELECT count (*) FROM events WHERE starts_at > min (?1, ?2) AND starts_at <= max (?1, ?2)"

/* The compiled SQL reads the figures kept on the contact rows, the
 * evaluator computes everything from the registrations: they must agree
 * on every contact, for every tree, as the clock moves (forward past
 * events starting, exactly onto one, back) and while figures_clock.as_of
 * lags behind it. */
static void
test_property (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("property.db");
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  g_autoptr(GError) error = NULL;
  guint n_partial = 0;
  gint64 late;
  sqlite3 *db, *other = NULL;

  db = turnout_store_acquire (store, &error);
  g_assert_no_error (error);
  populate (db, rand);
  /* Events that start between the clock's stops below, on one, and a
   * second after one. */
  add_event_with_registrations (db, rand, NOW + 3600);
  add_event_with_registrations (db, rand, NOW + DAY);
  add_event_with_registrations (db, rand, NOW + 2 * DAY + 1);
  g_assert_true (turnout_db_refresh_figures (db, NOW, &error));
  check_trees (store, db, rand, NOW, 400, &n_partial);

  /* Two events started since: recomputed by the refresh. */
  check_trees (store, db, rand, NOW + DAY, 400, &n_partial);

  /* Ten minutes on, no event started since: counting needs no write, so
   * it does not wait for a writer holding the lock (for ten seconds, then
   * failing, if it did), and leaves as_of where it was. */
  g_assert_cmpint (query_int (db, EVENTS_BETWEEN_SQL, NOW + DAY, NOW + DAY + 600), ==, 0);
  g_assert_cmpint (sqlite3_open (turnout_store_get_path (store), &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  {
    g_autoptr(TurnoutSegment) upcoming = turnout_segment_new_preset ("upcoming", -1, &error);
    gint64 start = g_get_monotonic_time ();

    g_assert_no_error (error);
    use_clock (NOW + DAY + 600);
    count (store, upcoming);
    /* Far below the store's busy timeout (ten seconds). */
    g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  }
  check_trees (store, db, rand, NOW + DAY + 600, 400, &n_partial);
  g_assert_cmpint (query_int (db, "SELECT as_of FROM figures_clock", 0, 0), ==, NOW + DAY);
  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);

  /* Written meanwhile, as an import writes, with no refresh first: an
   * event that started after as_of, before now. The triggers count it as
   * of as_of (still ahead); the next refresh finds it and counts it as
   * started. */
  late = add_event_with_registrations (db, rand, NOW + DAY + 300);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM contacts WHERE next_event_at = ?1",
                              NOW + DAY + 300, 0),
                   ==, query_int (db, "SELECT count (DISTINCT contact_id) FROM registrations"
                                      " WHERE event_id = ?1 AND status = 'registered'", late, 0));
  check_trees (store, db, rand, NOW + DAY + 600, 400, &n_partial);
  g_assert_cmpint (query_int (db, "SELECT as_of FROM figures_clock", 0, 0), ==, NOW + DAY + 600);

  /* The last explicit event starts a second after this... */
  check_trees (store, db, rand, NOW + 2 * DAY, 400, &n_partial);
  /* ...and exactly now, here. */
  check_trees (store, db, rand, NOW + 2 * DAY + 1, 400, &n_partial);
  /* A clock set back, past every event above. */
  check_trees (store, db, rand, NOW - 3 * DAY, 400, &n_partial);
  /* Every event has started: no one has anything ahead. */
  check_trees (store, db, rand, NOW + 130 * DAY, 400, &n_partial);

  /* The trees must tell contacts apart, or the comparison proves little. */
  g_assert_cmpuint (n_partial, >, 1000);
  g_test_message ("%u of 3200 trees matched only some contacts", n_partial);

  turnout_store_release (store, db);
  use_clock (NOW);
}

static void
test_presets (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("presets.db");
  g_autoptr(GError) error = NULL;
  gint64 a, b, c, d, e, f, g;
  gint64 past, old, older, soon, later, far;
  sqlite3 *db = turnout_store_acquire (store, &error);

  g_assert_no_error (error);
  past = add_event (db, NOW - 10 * DAY);
  old = add_event (db, NOW - 90 * DAY);           /* exactly 90 days ago: not lapsed yet */
  older = add_event (db, NOW - 90 * DAY - 1);     /* one second more: lapsed */
  soon = add_event (db, NOW + 30 * DAY);          /* the last instant of "next 30 days" */
  later = add_event (db, NOW + 30 * DAY + 1);
  far = add_event (db, NOW + 200 * DAY);

  /* a: three past events: repeat; confirmed exactly 30 days ago: recent. */
  a = add_contact (db, "", 0);
  add_registration (db, a, past, "attended", 1000, NOW - 30 * DAY, 0);
  add_registration (db, a, old, "registered", 0, 0, 0);
  add_registration (db, a, older, "attended", 0, 0, 0);
  /* b: one event, exactly 90 days ago; confirmed a second too early for recent. */
  b = add_contact (db, "", 0);
  add_registration (db, b, old, "registered", 0, NOW - 30 * DAY - 1, 0);
  /* c: one event 90 days and a second ago: lapsed, first-time. */
  c = add_contact (db, "", 0);
  add_registration (db, c, older, "attended", 0, 0, 0);
  /* d: like c but registered for a far event: not lapsed. */
  d = add_contact (db, "", 0);
  add_registration (db, d, older, "attended", 0, 0, 0);
  add_registration (db, d, far, "registered", 0, 0, 0);
  /* e: upcoming at the edge; f: just past the edge; a draft and a
   * cancellation are not registrations for upcoming. */
  e = add_contact (db, "", 0);
  add_registration (db, e, soon, "registered", 0, 0, 0);
  f = add_contact (db, "", 0);
  add_registration (db, f, later, "registered", 0, 0, 0);
  add_registration (db, f, soon, "draft", 0, 0, 0);
  /* g: cancelled exactly 30 days ago, and a cancelled registration of a
   * past event, which is no attendance. */
  g = add_contact (db, "", 0);
  add_registration (db, g, soon, "cancelled", 0, 0, NOW - 30 * DAY);
  add_registration (db, g, past, "cancelled", 0, 0, NOW - 31 * DAY);
  add_contact (db, "", 0);
  turnout_store_release (store, db);

  g_assert_cmpint (count_preset (store, "all", -1), ==, 8);
  g_assert_cmpint (count_preset (store, "repeat", -1), ==, 1);           /* a */
  g_assert_cmpint (count_preset (store, "first-time", -1), ==, 3);       /* b, c, d */
  g_assert_cmpint (count_preset (store, "recent", -1), ==, 1);           /* a */
  g_assert_cmpint (count_preset (store, "recent", 31), ==, 2);           /* a, b */
  g_assert_cmpint (count_preset (store, "upcoming", -1), ==, 1);         /* e */
  g_assert_cmpint (count_preset (store, "upcoming", 31), ==, 2);         /* e, f */
  g_assert_cmpint (count_preset (store, "upcoming", 365), ==, 3);        /* d, e, f */
  g_assert_cmpint (count_preset (store, "lapsed", -1), ==, 1);           /* c */
  g_assert_cmpint (count_preset (store, "lapsed", 5), ==, 3);            /* a, b, c */
  g_assert_cmpint (count_preset (store, "cancelled", -1), ==, 1);        /* g */
  g_assert_cmpint (count_preset (store, "cancelled", 29), ==, 0);

  /* Time passes: the figures follow the clock, and b lapses. */
  {
    g_autoptr(GDateTime) later_now = g_date_time_new_from_unix_utc (NOW + 1);
    g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (later_now);

    turnout_clock_set_default (clock);
    g_assert_cmpint (count_preset (store, "lapsed", -1), ==, 2);         /* b, c */
    g_assert_cmpint (count_preset (store, "upcoming", -1), ==, 2);       /* e, f */
    g_assert_cmpint (count_preset (store, "recent", -1), ==, 0);
  }
  {
    g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
    g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (now);

    turnout_clock_set_default (clock);
  }

  g_assert_null (turnout_segment_new_preset ("repeat", 5, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (turnout_segment_new_preset ("loyal", -1, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND);
}

/* How SQLite runs the count of @segment on @db: the details of EXPLAIN
 * QUERY PLAN, a line each. The statement is the one turnout-segments.c
 * makes around the compiled condition. */
static char *
count_plan (sqlite3        *db,
            TurnoutSegment *segment)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegmentQuery) query = turnout_segment_compile (segment, NOW, utc, NULL, NULL,
                                                                  &error);
  g_autoptr(GString) plan = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  const char *where;

  g_assert_no_error (error);
  where = turnout_segment_query_get_where (query);
  sql = g_strconcat ("EXPLAIN QUERY PLAN SELECT count (*) FROM contacts c",
                     g_str_equal (where, "1") ? "" : " WHERE ",
                     g_str_equal (where, "1") ? "" : where, NULL);
  stmt = turnout_db_prepare (db, sql, &error);
  g_assert_no_error (error);
  turnout_segment_query_bind (query, stmt, 1);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (stmt, 3));
  return g_string_free (g_steal_pointer (&plan), FALSE);
}

/* On a million contacts, reading every registration, or one registration
 * row per match, is what makes a count take seconds. Turnout keeps no
 * ANALYZE statistics, so the plans must come out right without them: every
 * preset reaches registrations through an index that holds what it needs,
 * and only "all" reads through every contact. */
static void
test_plans (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("plans.db");
  g_autoptr(GError) error = NULL;
  const char * const *presets = turnout_segment_list_presets ();
  sqlite3 *db = turnout_store_acquire (store, &error);

  g_assert_no_error (error);
  {
    g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, "SELECT count(*) FROM sqlite_schema"
                                                           " WHERE name LIKE 'sqlite_stat%'",
                                                       &error);

    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  }
  for (guint i = 0; presets[i] != NULL; i++)
    {
      g_autoptr(TurnoutSegment) segment = turnout_segment_new_preset (presets[i], -1, &error);
      g_autofree char *plan = NULL;
      g_auto(GStrv) lines = NULL;

      g_assert_no_error (error);
      plan = count_plan (db, segment);
      g_test_message ("%s:\n%s", presets[i], plan);
      lines = g_strsplit (plan, "\n", -1);
      for (guint j = 0; lines[j] != NULL; j++)
        {
          if (g_str_has_prefix (lines[j], "SCAN ") && !g_str_equal (presets[i], "all"))
            g_error ("%s reads a whole table or index: %s", presets[i], plan);
          if ((g_str_has_prefix (lines[j], "SEARCH r ") || g_str_has_prefix (lines[j], "SCAN r "))
              && strstr (lines[j], "COVERING INDEX") == NULL)
            g_error ("%s reads registration rows: %s", presets[i], plan);
        }
      /* Upcoming and lapsed read one index of the contacts' figures
       * each, and nothing else: not a registration, not an event. */
      if (g_str_equal (presets[i], "lapsed"))
        g_assert_cmpstr (plan, ==, "SEARCH c USING COVERING INDEX contacts_last_next_event"
                                   " (last_event_at>? AND last_event_at<?)\n");
      if (g_str_equal (presets[i], "upcoming"))
        g_assert_cmpstr (plan, ==, "SEARCH c USING COVERING INDEX contacts_next_event"
                                   " (next_event_at>? AND next_event_at<?)\n");
    }
  turnout_store_release (store, db);
}

static void
test_literal_values (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("literal.db");
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  gint64 id;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cities); i++)
    {
      id = add_contact (db, cities[i], 0);
      tag_contact (db, id, tag_names[i % G_N_ELEMENTS (tag_names)]);
    }
  turnout_store_release (store, db);

  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"city\",\"op\":\"is\",\"value\":\"O'Neil\"}]}"),
                   ==, 1);
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"city\",\"op\":\"is\",\"value\":\"50%\"}]}"),
                   ==, 1);
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"city\",\"op\":\"is\",\"value\":\"a_c\"}]}"),
                   ==, 1);
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"city\",\"op\":\"is\",\"value\":\"%\"}]}"),
                   ==, 0);
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"city\",\"op\":\"is\","
                                      "\"value\":\"x;-- DROP\"}]}"), ==, 1);
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"city\",\"op\":\"is\","
                                      "\"value\":\"' OR 1=1 --\"}]}"), ==, 0);
  /* Berlin and berlin */
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"city\",\"op\":\"is\",\"value\":\"BERLIN\"}]}"),
                   ==, 2);
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"tags\",\"op\":\"any\","
                                      "\"value\":[\"x;--\", \"100%\"]}]}"), ==, 2);
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"tags\",\"op\":\"any\","
                                      "\"value\":[\"o'brien FANS\"]}]}"), ==, 1);
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"tags\",\"op\":\"any\","
                                      "\"value\":[\"a%\", \"_\", \"a_\"]}]}"), ==, 0);
  g_assert_cmpint (count_json (store, "{\"version\":1,\"match\":\"all\",\"rules\":["
                                      "{\"field\":\"tags\",\"op\":\"none\","
                                      "\"value\":[\"Folk \\\"acoustic\\\"\"]}]}"), ==, 8);
  /* No value ever reaches the SQL text. */
  {
    g_autoptr(TurnoutSegment) segment = turnout_segment_new_from_json (
      "{\"version\":1,\"match\":\"any\",\"rules\":[{\"field\":\"city\",\"op\":\"is\","
      "\"value\":\"x;-- DROP\"},{\"field\":\"tags\",\"op\":\"all\",\"value\":[\"O'Brien fans\"]}]}",
      &error);
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
    g_autoptr(TurnoutSegmentQuery) query = turnout_segment_compile (segment, NOW, utc, NULL,
                                                                    NULL, &error);

    g_assert_no_error (error);
    g_assert_null (strstr (turnout_segment_query_get_where (query), "DROP"));
    g_assert_null (strstr (turnout_segment_query_get_where (query), "Brien"));
    g_assert_cmpuint (turnout_segment_query_get_n_params (query), ==, 3);
  }
}

static void
assert_refused (const char *json,
                const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) segment = turnout_segment_new_from_json (json, &error);

  g_assert_null (segment);
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID);
  if (!g_str_has_prefix (error->message, message))
    g_error ("expected “%s…”, got “%s”", message, error->message);
}

static void
test_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) segment = NULL;
  g_autofree char *json = NULL;
  g_autoptr(TurnoutSegment) again = NULL;
  g_autofree char *json_again = NULL;

  assert_refused ("{\"version\":1,", "$: not valid JSON");
  assert_refused ("[]", "$: expected an object");
  assert_refused ("{\"match\":\"all\",\"rules\":[]}", "$.version: expected");
  assert_refused ("{\"version\":2,\"match\":\"all\",\"rules\":[]}", "$.version: unknown version 2");
  assert_refused ("{\"version\":\"1\",\"match\":\"all\",\"rules\":[]}", "$.version: expected");
  assert_refused ("{\"version\":1,\"match\":\"most\",\"rules\":[]}", "$.match: expected");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[],\"x\":1}",
                  "$: unknown member \"x\"");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":{}}", "$.rules: expected a list");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"city\",\"op\":\"is\","
                  "\"value\":\"a\"},{\"field\":\"city\",\"op\":\"is\",\"value\":\"a\"},"
                  "{\"field\":\"events_attended\",\"op\":\"≈\",\"value\":2}]}",
                  "$.rules[2].op: unknown operator \"≈\"");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"match\":\"any\",\"rules\":["
                  "{\"field\":\"shoe_size\",\"op\":\"eq\",\"value\":2}]}]}",
                  "$.rules[0].rules[0].field: unknown field \"shoe_size\"");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"events_attended\","
                  "\"op\":\"gte\",\"value\":\"2\"}]}", "$.rules[0].value: expected a whole number");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"events_attended\","
                  "\"op\":\"gte\",\"value\":2.5}]}", "$.rules[0].value: expected a whole number");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"total_spend\","
                  "\"op\":\"between\",\"value\":[5,1]}]}", "$.rules[0].value: the low end");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"last_event\","
                  "\"op\":\"on\",\"value\":\"2026-02-30\"}]}", "$.rules[0].value: expected a date");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"tags\","
                  "\"op\":\"any\",\"value\":[\"a\", 3]}]}", "$.rules[0].value[1]: expected a tag");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"has_phone\","
                  "\"op\":\"is\",\"value\":1}]}", "$.rules[0].value: expected true or false");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"registered_for\","
                  "\"op\":\"is\",\"value\":3,\"status\":\"maybe\"}]}", "$.rules[0].status: expected");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"city\","
                  "\"op\":\"is\",\"value\":\"a\",\"status\":\"draft\"}]}",
                  "$.rules[0]: unknown member \"status\"");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"city\","
                  "\"op\":\"is\"}]}", "$.rules[0]: missing member \"value\"");
  assert_refused ("{\"version\":1,\"match\":\"all\",\"rules\":[3]}", "$.rules[0]: expected an object");

  /* What is read is written back the same. */
  segment = turnout_segment_new_preset ("lapsed", 60, &error);
  g_assert_no_error (error);
  json = turnout_segment_to_json (segment);
  again = turnout_segment_new_from_json (json, &error);
  g_assert_no_error (error);
  json_again = turnout_segment_to_json (again);
  g_assert_cmpstr (json, ==, json_again);
  g_assert_nonnull (strstr (json, "\"value\":60"));
}

static void
test_in_segment (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("nested.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) berlin = NULL;
  g_autoptr(TurnoutSegment) uses_berlin = NULL;
  g_autoptr(TurnoutSegment) uses_fans = NULL;
  g_autoptr(TurnoutSegment) self_ref = NULL;
  g_autoptr(TurnoutSegment) loaded = NULL;
  g_auto(GStrv) names = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);

  g_assert_no_error (error);
  add_contact (db, "Berlin", 0);
  add_contact (db, "Berlin", 0);
  add_contact (db, "Paris", 0);
  turnout_store_release (store, db);

  berlin = turnout_segment_new_from_json ("{\"version\":1,\"match\":\"all\",\"rules\":["
                                          "{\"field\":\"city\",\"op\":\"is\",\"value\":\"Berlin\"}]}",
                                          &error);
  uses_berlin = turnout_segment_new_from_json ("{\"version\":1,\"match\":\"none\",\"rules\":["
                                               "{\"field\":\"in_segment\",\"op\":\"is\","
                                               "\"value\":\"Berlin\"}]}", &error);
  uses_fans = turnout_segment_new_from_json ("{\"version\":1,\"match\":\"all\",\"rules\":["
                                             "{\"field\":\"in_segment\",\"op\":\"is\","
                                             "\"value\":\"Not Berlin\"}]}", &error);
  self_ref = turnout_segment_new_from_json ("{\"version\":1,\"match\":\"all\",\"rules\":["
                                            "{\"field\":\"in_segment\",\"op\":\"is\","
                                            "\"value\":\"Me\"}]}", &error);
  g_assert_no_error (error);

  /* A segment that names a missing one is refused. */
  g_assert_false (turnout_segments_save (store, "Not Berlin", uses_berlin, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "“Berlin”"));
  g_clear_error (&error);

  g_assert_true (turnout_segments_save (store, "Berlin", berlin, &error));
  g_assert_true (turnout_segments_save (store, "Not Berlin", uses_berlin, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (store, uses_berlin), ==, 1);
  g_assert_cmpint (count (store, uses_fans), ==, 1);

  /* Berlin → Not Berlin → Berlin */
  g_assert_false (turnout_segments_save (store, "Berlin", uses_fans, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_CYCLE);
  g_assert_cmpstr (error->message, ==, "Segments refer to each other in a circle: "
                                       "“Berlin” → “Not Berlin” → “Berlin”");
  g_clear_error (&error);
  g_assert_false (turnout_segments_save (store, "Me", self_ref, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_CYCLE);
  g_clear_error (&error);

  /* Nothing refused was stored. */
  names = turnout_segments_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "Berlin");
  g_assert_cmpstr (names[1], ==, "Not Berlin");
  loaded = turnout_segments_get (store, "Berlin", &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (store, loaded), ==, 2);
  g_assert_null (turnout_segments_get (store, "Nobody", &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND);
}

static void
test_async (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("async.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) segment = turnout_segment_new_preset ("all", -1, &error);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) ids = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);

  g_assert_no_error (error);
  for (int i = 0; i < 50; i++)
    add_contact (db, "", 0);
  turnout_store_release (store, db);

  turnout_segments_count_async (store, segment, NULL, turnout_test_result_cb, &result);
  g_assert_cmpint (turnout_segments_count_finish (store, turnout_test_wait_result (&result),
                                                  &error), ==, 50);
  g_assert_no_error (error);
  g_clear_object (&result);

  turnout_segments_sample_async (store, segment, 7, NULL, turnout_test_result_cb, &result);
  ids = turnout_segments_sample_finish (store, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 7);
  g_clear_pointer (&ids, g_array_unref);
  g_clear_object (&result);

  turnout_segments_dup_ids_async (store, segment, NULL, turnout_test_result_cb, &result);
  ids = turnout_segments_dup_ids_finish (store, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 50);
  g_assert_cmpint (g_array_index (ids, gint64, 0), <, g_array_index (ids, gint64, 49));
  g_clear_object (&result);

  /* Cancelled as soon as it is asked for: the result says so, never a count. */
  turnout_segments_count_async (store, segment, cancellable, turnout_test_result_cb, &result);
  g_cancellable_cancel (cancellable);
  g_assert_cmpint (turnout_segments_count_finish (store, turnout_test_wait_result (&result),
                                                  &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* The blocking call honours a cancelled cancellable too. */
  g_assert_cmpint (turnout_segments_count (store, segment, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
  g_autoptr(TurnoutClock) clock = NULL;

  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  clock = turnout_clock_new_frozen (now);
  turnout_clock_set_default (clock);

  g_test_add_func ("/segment/property", test_property);
  g_test_add_func ("/segment/presets", test_presets);
  g_test_add_func ("/segment/plans", test_plans);
  g_test_add_func ("/segment/literal-values", test_literal_values);
  g_test_add_func ("/segment/refused", test_refused);
  g_test_add_func ("/segment/in-segment", test_in_segment);
  g_test_add_func ("/segment/async", test_async);

  return g_test_run ();
}
