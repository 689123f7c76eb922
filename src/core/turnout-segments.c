/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-segments"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "turnout-clock.h"
#include "turnout-segments.h"
#include "turnout-store.h"

/*
 * Saved segments (the segments table) and the queries that find their
 * contacts: each is one statement, the compiled rule tree with its values
 * bound, over the per-contact figures brought up to the clock's time.
 */

static TurnoutSegment *
lookup_on_db (const char  *name,
              gpointer     user_data,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (user_data, "SELECT rules FROM segments WHERE name = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_autoptr(GError) local_error = NULL;
      TurnoutSegment *segment;

      segment = turnout_segment_new_from_json ((const char *) sqlite3_column_text (stmt, 0),
                                               &local_error);
      if (segment == NULL)
        g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID,
                     _("The saved segment “%s” is damaged: %s"), name, local_error->message);
      return segment;
    }
  if (rc != SQLITE_DONE)
    turnout_db_set_error (error, user_data, rc, _("Could not read the segment"));
  else
    g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND,
                 _("No segment is called “%s”"), name);
  return NULL;
}

/* Dates in rules are days in the contacts' default zone, else this
 * computer's. */
static GTimeZone *
dup_zone (sqlite3 *db)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = turnout_db_prepare (db, "SELECT value FROM settings"
                                 " WHERE key = 'contacts.default_time_zone'", NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      GTimeZone *zone = id != NULL && *id != '\0' ? g_time_zone_new_identifier (id) : NULL;

      if (zone != NULL)
        return zone;
    }
  return g_time_zone_new_local ();
}

typedef enum
{
  QUERY_COUNT,
  QUERY_SAMPLE,
  QUERY_IDS,
} QueryKind;

static sqlite3_stmt *
prepare_query (sqlite3         *db,
               TurnoutSegment  *segment,
               gint64           now,
               QueryKind        kind,
               guint            limit,
               GError         **error)
{
  g_autoptr(GTimeZone) zone = dup_zone (db);
  g_autoptr(TurnoutSegmentQuery) query = NULL;
  g_autofree char *where_sql = NULL;
  g_autofree char *sql = NULL;
  const char *where;
  sqlite3_stmt *stmt;

  if (!turnout_db_refresh_figures (db, now, error))
    return NULL;
  query = turnout_segment_compile (segment, now, zone, lookup_on_db, db, error);
  if (query == NULL)
    return NULL;

  /* A tree that matches everyone compiles to "1"; leaving the WHERE out
   * lets SQLite count from the smallest index instead of testing rows. */
  where = turnout_segment_query_get_where (query);
  where_sql = g_str_equal (where, "1") ? g_strdup ("") : g_strconcat (" WHERE ", where, NULL);

  switch (kind)
    {
    case QUERY_COUNT:
      sql = g_strconcat ("SELECT count (*) FROM contacts c", where_sql, NULL);
      break;
    case QUERY_SAMPLE:
      sql = g_strconcat ("SELECT c.id FROM contacts c", where_sql, " ORDER BY random () LIMIT ?",
                         NULL);
      break;
    case QUERY_IDS:
    default:
      sql = g_strconcat ("SELECT c.id FROM contacts c", where_sql, " ORDER BY c.id", NULL);
      break;
    }
  if ((stmt = turnout_db_prepare (db, sql, error)) == NULL)
    return NULL;
  turnout_segment_query_bind (query, stmt, 1);
  if (kind == QUERY_SAMPLE)
    sqlite3_bind_int64 (stmt, turnout_segment_query_get_n_params (query) + 1, limit);
  return stmt;
}

/**
 * turnout_db_segment_foreach_id:
 * @now: the time, from TurnoutClock
 *
 * Streams the ids of the contacts in @segment, in id order, to @func.
 *
 * Returns: %FALSE with @error set when the query failed or was cancelled.
 */
gboolean
turnout_db_segment_foreach_id (sqlite3              *db,
                               TurnoutSegment       *segment,
                               gint64                now,
                               TurnoutSegmentIdFunc  func,
                               gpointer              user_data,
                               GCancellable         *cancellable,
                               GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare_query (db, segment, now, QUERY_IDS, 0, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!func (sqlite3_column_int64 (stmt, 0), user_data))
      return TRUE;
  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not find the segment’s contacts"));
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gboolean
append_id (gint64   contact_id,
           gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, contact_id);
  return TRUE;
}

typedef struct
{
  TurnoutSegment *segment;
  gint64          now;
  QueryKind       kind;
  guint           limit;
} QueryData;

static void
query_data_free (gpointer data)
{
  QueryData *query = data;

  turnout_segment_unref (query->segment);
  g_free (query);
}

static gpointer
run_query (sqlite3       *db,
           QueryData     *data,
           GCancellable  *cancellable,
           gint64        *count,
           GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (data->kind == QUERY_IDS)
    {
      if (!turnout_db_segment_foreach_id (db, data->segment, data->now, append_id, ids,
                                          cancellable, error))
        return NULL;
      return g_steal_pointer (&ids);
    }

  stmt = prepare_query (db, data->segment, data->now, data->kind, data->limit, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (data->kind == QUERY_COUNT)
        *count = sqlite3_column_int64 (stmt, 0);
      else
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not find the segment’s contacts"));
      return NULL;
    }
  return g_steal_pointer (&ids);
}

static void
query_worker (GTask        *task,
              sqlite3      *db,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  gint64 count = 0;
  GArray *ids = run_query (db, data, cancellable, &count, &error);

  if (ids == NULL)
    g_task_return_error (task, error);
  else if (data->kind == QUERY_COUNT)
    {
      g_array_unref (ids);
      g_task_return_int (task, count);
    }
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
}

static void
start_query (TurnoutStore        *store,
             TurnoutSegment      *segment,
             QueryKind            kind,
             guint                limit,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);
  QueryData *data = g_new0 (QueryData, 1);

  data->segment = turnout_segment_ref (segment);
  data->now = turnout_clock_get_unix (turnout_clock_get_default ());
  data->kind = kind;
  data->limit = limit;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, query_data_free);
  turnout_store_run_in_thread (store, task, query_worker);
}

static int
on_progress_check_cancelled (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

static gpointer
run_sync (TurnoutStore   *store,
          TurnoutSegment *segment,
          QueryKind       kind,
          guint           limit,
          GCancellable   *cancellable,
          gint64         *count,
          GError        **error)
{
  QueryData data = { segment, turnout_clock_get_unix (turnout_clock_get_default ()), kind, limit };
  sqlite3 *db = turnout_store_acquire (store, error);
  gpointer result;

  if (db == NULL)
    return NULL;
  if (cancellable != NULL)
    sqlite3_progress_handler (db, 1000, on_progress_check_cancelled, cancellable);
  result = NULL;
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    result = run_query (db, &data, cancellable, count, error);
  sqlite3_progress_handler (db, 0, NULL, NULL);
  turnout_store_release (store, db);
  return result;
}

/**
 * turnout_segments_count:
 *
 * Blocks; see turnout_segments_count_async().
 *
 * Returns: the number of contacts, or -1 with @error set.
 */
gint64
turnout_segments_count (TurnoutStore    *store,
                        TurnoutSegment  *segment,
                        GCancellable    *cancellable,
                        GError         **error)
{
  gint64 count = -1;
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), -1);
  g_return_val_if_fail (segment != NULL, -1);

  ids = run_sync (store, segment, QUERY_COUNT, 0, cancellable, &count, error);
  return ids == NULL ? -1 : count;
}

/**
 * turnout_segments_count_async:
 *
 * Counts the contacts in @segment on a worker. Cancelling interrupts the
 * query; the result is then %G_IO_ERROR_CANCELLED.
 */
void
turnout_segments_count_async (TurnoutStore        *store,
                              TurnoutSegment      *segment,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (segment != NULL);

  start_query (store, segment, QUERY_COUNT, 0, turnout_segments_count_async,
               cancellable, callback, user_data);
}

/**
 * turnout_segments_count_finish:
 *
 * Returns: the number of contacts, or -1 with @error set.
 */
gint64
turnout_segments_count_finish (TurnoutStore  *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_segments_count_async,
                        -1);

  return g_task_propagate_int (G_TASK (result), error);
}

/**
 * turnout_segments_sample:
 * @limit: at most this many
 *
 * Blocks; see turnout_segments_sample_async().
 *
 * Returns: (transfer full) (element-type gint64): contact ids picked at
 *   random from the segment, or %NULL with @error set.
 */
GArray *
turnout_segments_sample (TurnoutStore    *store,
                         TurnoutSegment  *segment,
                         guint            limit,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (segment != NULL, NULL);

  return run_sync (store, segment, QUERY_SAMPLE, limit, cancellable, NULL, error);
}

void
turnout_segments_sample_async (TurnoutStore        *store,
                               TurnoutSegment      *segment,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (segment != NULL);

  start_query (store, segment, QUERY_SAMPLE, limit, turnout_segments_sample_async,
               cancellable, callback, user_data);
}

/**
 * turnout_segments_sample_finish:
 *
 * Returns: (transfer full) (element-type gint64): contact ids, or %NULL.
 */
GArray *
turnout_segments_sample_finish (TurnoutStore  *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_segments_sample_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * turnout_segments_dup_ids_async:
 *
 * Finds every contact of @segment, in id order, on a worker.
 */
void
turnout_segments_dup_ids_async (TurnoutStore        *store,
                                TurnoutSegment      *segment,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (segment != NULL);

  start_query (store, segment, QUERY_IDS, 0, turnout_segments_dup_ids_async,
               cancellable, callback, user_data);
}

/**
 * turnout_segments_dup_ids_finish:
 *
 * Returns: (transfer full) (element-type gint64): contact ids, or %NULL.
 */
GArray *
turnout_segments_dup_ids_finish (TurnoutStore  *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_segments_dup_ids_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * turnout_segments_list:
 *
 * Blocks. Returns: (transfer full): the names of the saved segments, in
 *   name order, or %NULL with @error set.
 */
char **
turnout_segments_list (TurnoutStore  *store,
                       GError       **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return NULL;
  stmt = turnout_db_prepare (db, "SELECT name FROM segments ORDER BY name", error);
  if (stmt != NULL)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      ok = rc == SQLITE_DONE || turnout_db_set_error (error, db, rc,
                                                      _("Could not list the segments"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  if (!ok)
    return NULL;
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/**
 * turnout_segments_get:
 *
 * Blocks. Returns: (transfer full): the saved segment called @name, or
 *   %NULL with @error set (%TURNOUT_SEGMENT_ERROR_NOT_FOUND when none is).
 */
TurnoutSegment *
turnout_segments_get (TurnoutStore  *store,
                      const char    *name,
                      GError       **error)
{
  TurnoutSegment *segment;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return NULL;
  segment = lookup_on_db (name, db, error);
  turnout_store_release (store, db);
  return segment;
}

typedef struct
{
  sqlite3        *db;
  const char     *name;
  TurnoutSegment *segment;
} SaveLookup;

/* While saving, the segment being saved is looked up as its new rules, so
 * a circle through it is found before it is written. */
static TurnoutSegment *
lookup_saving (const char  *name,
               gpointer     user_data,
               GError     **error)
{
  SaveLookup *save = user_data;

  if (g_str_equal (name, save->name))
    return turnout_segment_ref (save->segment);
  return lookup_on_db (name, save->db, error);
}

/**
 * turnout_segments_save:
 * @name: the segment's name; a segment of that name is replaced
 *
 * Blocks. Refuses a segment whose in_segment conditions name a missing
 * segment or lead back to itself (%TURNOUT_SEGMENT_ERROR_CYCLE).
 */
gboolean
turnout_segments_save (TurnoutStore    *store,
                       const char      *name,
                       TurnoutSegment  *segment,
                       GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(TurnoutSegmentQuery) query = NULL;
  g_autoptr(GTimeZone) zone = g_time_zone_new_utc ();
  g_autofree char *json = NULL;
  g_autofree char *stripped = NULL;
  gint64 now = turnout_clock_get_unix (turnout_clock_get_default ());
  SaveLookup save = { NULL, name, segment };
  gboolean ok = FALSE;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (segment != NULL, FALSE);

  stripped = g_strstrip (g_strdup (name));
  if (*stripped == '\0')
    {
      g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID,
                   _("A segment needs a name"));
      return FALSE;
    }
  save.name = stripped;
  if ((db = turnout_store_acquire (store, error)) == NULL)
    return FALSE;
  save.db = db;

  if (!turnout_db_begin (db, error))
    goto out;
  /* Compiled through a rule naming it, so a circle is reported from it:
   * "A" → "B" → "A". */
  {
    g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), stripped);
    g_autofree char *quoted = json_to_string (node, FALSE);
    g_autofree char *wrapper_json = g_strdup_printf (
      "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"in_segment\","
      "\"op\":\"is\",\"value\":%s}]}", quoted);
    g_autoptr(TurnoutSegment) wrapper = turnout_segment_new_from_json (wrapper_json, error);

    if (wrapper == NULL)
      goto out;
    query = turnout_segment_compile (wrapper, now, zone, lookup_saving, &save, error);
    if (query == NULL)
      goto out;
  }
  json = turnout_segment_to_json (segment);
  stmt = turnout_db_prepare (db, "INSERT INTO segments (name, rules, created_at, updated_at)"
                                 " VALUES (?1, ?2, ?3, ?3) ON CONFLICT (name) DO UPDATE"
                                 " SET rules = excluded.rules, updated_at = excluded.updated_at",
                             error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, stripped, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not save the segment"));
      goto out;
    }
  ok = turnout_db_commit (db, error);

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!ok)
    turnout_db_rollback (db);
  turnout_store_release (store, db);
  return ok;
}
