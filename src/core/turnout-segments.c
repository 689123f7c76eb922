/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-segments"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "turnout-clock.h"
#include "turnout-saved-segment.h"
#include "turnout-segments.h"
#include "turnout-store.h"
#include "turnout-store-private.h"

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
  QUERY_SAMPLE_CONTACTS,
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

  /* The compiled conditions compare the figures, correct as of
   * figures_clock.as_of, with times counted from @now: after the refresh
   * the figures as of both are the same (as_of is @now, or no event
   * started in between). */
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
    case QUERY_SAMPLE_CONTACTS:
      /* The first by name: the order the Contacts pane shows them in, and
       * one the name index can give without sorting the whole segment. */
      sql = g_strconcat ("SELECT ", kind == QUERY_SAMPLE ? "c.id" : TURNOUT_CONTACT_ROW_COLUMNS,
                         " FROM contacts c", where_sql,
                         " ORDER BY c.last_name COLLATE NOCASE, c.first_name COLLATE NOCASE,"
                         " c.id LIMIT ?", NULL);
      break;
    case QUERY_IDS:
    default:
      sql = g_strconcat ("SELECT c.id FROM contacts c", where_sql, " ORDER BY c.id", NULL);
      break;
    }
  if ((stmt = turnout_db_prepare (db, sql, error)) == NULL)
    return NULL;
  turnout_segment_query_bind (query, stmt, 1);
  if (kind == QUERY_SAMPLE || kind == QUERY_SAMPLE_CONTACTS)
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
  char           *currency;
} QueryData;

static void
query_data_free (gpointer data)
{
  QueryData *query = data;

  turnout_segment_unref (query->segment);
  g_free (query->currency);
  g_free (query);
}

static gpointer
run_query (sqlite3       *db,
           QueryData     *data,
           GCancellable  *cancellable,
           gint64        *count,
           GPtrArray     *contacts,
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
      else if (data->kind == QUERY_SAMPLE_CONTACTS)
        g_ptr_array_add (contacts, turnout_db_contact_new_from_row (stmt, data->currency));
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
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 count = 0;
  GArray *ids = run_query (db, data, cancellable, &count, contacts, &error);

  if (ids == NULL)
    g_task_return_error (task, error);
  else if (data->kind == QUERY_COUNT)
    {
      g_array_unref (ids);
      g_task_return_int (task, count);
    }
  else if (data->kind == QUERY_SAMPLE_CONTACTS)
    {
      GListStore *store = g_list_store_new (TURNOUT_TYPE_CONTACT);

      g_array_unref (ids);
      g_list_store_splice (store, 0, 0, contacts->pdata, contacts->len);
      g_task_return_pointer (task, store, g_object_unref);
    }
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
}

static void
start_query (TurnoutStore        *store,
             TurnoutSegment      *segment,
             QueryKind            kind,
             guint                limit,
             const char          *currency,
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
  data->currency = g_strdup (currency);
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
  QueryData data = { segment, turnout_clock_get_unix (turnout_clock_get_default ()), kind, limit,
                     NULL };
  sqlite3 *db = turnout_store_acquire (store, error);
  gpointer result;

  if (db == NULL)
    return NULL;
  if (cancellable != NULL)
    sqlite3_progress_handler (db, 1000, on_progress_check_cancelled, cancellable);
  result = NULL;
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    result = run_query (db, &data, cancellable, count, NULL, error);
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

  start_query (store, segment, QUERY_COUNT, 0, NULL, turnout_segments_count_async,
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

  start_query (store, segment, QUERY_SAMPLE, limit, NULL, turnout_segments_sample_async,
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

  start_query (store, segment, QUERY_IDS, 0, NULL, turnout_segments_dup_ids_async,
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

/**
 * turnout_segments_sample_contacts_async:
 * @limit: at most this many
 * @currency: (nullable): the currency their spend is shown in
 *
 * Reads the first @limit contacts of @segment by name on a worker.
 */
void
turnout_segments_sample_contacts_async (TurnoutStore        *store,
                                        TurnoutSegment      *segment,
                                        guint                limit,
                                        const char          *currency,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (segment != NULL);

  start_query (store, segment, QUERY_SAMPLE_CONTACTS, limit, currency,
               turnout_segments_sample_contacts_async, cancellable, callback, user_data);
}

/**
 * turnout_segments_sample_contacts_finish:
 *
 * Returns: (transfer full): a #GListModel of #TurnoutContact, or %NULL.
 */
GListModel *
turnout_segments_sample_contacts_finish (TurnoutStore  *store,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == turnout_segments_sample_contacts_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Listing ----------------------------------------------------------------- */

static void
list_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(GListStore) segments = g_list_store_new (TURNOUT_TYPE_SAVED_SEGMENT);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  stmt = turnout_db_prepare (db, "SELECT id, name, rules, updated_at FROM segments"
                                 " ORDER BY name COLLATE NOCASE, name", &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(TurnoutSegment) segment = NULL;
      g_autoptr(TurnoutSavedSegment) saved = NULL;

      segment = turnout_segment_new_from_json ((const char *) sqlite3_column_text (stmt, 2),
                                               &local_error);
      if (segment == NULL)
        {
          /* Only a file edited outside Turnout gets here: list the segment
           * as matching no one, and say why wherever its count would be. */
          g_autofree char *message = g_strdup_printf (_("Its rules are damaged: %s"),
                                                      local_error->message);

          segment = turnout_segment_new_from_json ("{\"version\":1,\"match\":\"any\",\"rules\":[]}",
                                                   NULL);
          saved = turnout_saved_segment_new (sqlite3_column_int64 (stmt, 0), name, segment,
                                             sqlite3_column_int64 (stmt, 3));
          turnout_saved_segment_set_count_error (saved, message);
        }
      else
        saved = turnout_saved_segment_new (sqlite3_column_int64 (stmt, 0), name, segment,
                                           sqlite3_column_int64 (stmt, 3));
      g_list_store_append (segments, saved);
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (&error, db, rc, _("Could not list the segments"));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&segments), g_object_unref);
}

/**
 * turnout_segments_list_async:
 *
 * Reads the saved segments, in name order, on a worker.
 */
void
turnout_segments_list_async (TurnoutStore        *store,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_segments_list_async);
  turnout_store_run_in_thread (store, task, list_worker);
}

/**
 * turnout_segments_list_finish:
 *
 * Returns: (transfer full): a #GListModel of #TurnoutSavedSegment (not
 *   counted yet), or %NULL with @error set.
 */
GListModel *
turnout_segments_list_finish (TurnoutStore  *store,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_segments_list_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Saving, renaming, deleting ---------------------------------------------- */

static gint64
find_id (sqlite3     *db,
         const char  *name,
         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, "SELECT id FROM segments WHERE name = ?1",
                                                     error);
  int rc;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not read the segment"));
      return -1;
    }
  return 0;
}

static gboolean
step_done (sqlite3_stmt  *stmt,
           sqlite3       *db,
           const char    *what,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    return TRUE;
  return turnout_db_set_error (error, db, rc, what);
}

/* Points the in_segment conditions of every other segment at the new name. */
static gboolean
rename_references (sqlite3     *db,
                   gint64       id,
                   const char  *old_name,
                   const char  *new_name,
                   gint64       now,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  int rc;

  select = turnout_db_prepare (db, "SELECT id, rules FROM segments WHERE id <> ?1"
                                   " AND rules LIKE '%in_segment%'", error);
  update = turnout_db_prepare (db, "UPDATE segments SET rules = ?2, updated_at = ?3"
                                   " WHERE id = ?1", error);
  if (select == NULL || update == NULL)
    return FALSE;
  sqlite3_bind_int64 (select, 1, id);
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      g_autoptr(TurnoutSegment) segment = NULL;
      g_autoptr(TurnoutSegment) renamed = NULL;
      g_autofree char *json = NULL;

      /* A damaged segment is left as it is; it names nothing we can read. */
      segment = turnout_segment_new_from_json ((const char *) sqlite3_column_text (select, 1),
                                               NULL);
      if (segment == NULL)
        continue;
      renamed = turnout_segment_rename_reference (segment, old_name, new_name);
      if (renamed == NULL)
        continue;
      json = turnout_segment_to_json (renamed);
      sqlite3_reset (update);
      sqlite3_bind_int64 (update, 1, sqlite3_column_int64 (select, 0));
      sqlite3_bind_text (update, 2, json, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (update, 3, now);
      if (!step_done (update, db, _("Could not save the segment"), error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not read the segments"));
  return TRUE;
}

/*
 * Writes @segment as @name: as a new segment when @old_name is NULL (an
 * existing one of that name is replaced only with @replace), else over the
 * segment called @old_name, renaming it — and the in_segment conditions
 * naming it — when the names differ. All in one transaction, which is
 * rolled back when the result would name a missing segment or go round in
 * a circle.
 */
static TurnoutSavedSegment *
save_on_db (sqlite3         *db,
            const char      *old_name,
            const char      *name,
            TurnoutSegment  *segment,
            gboolean         replace,
            gint64           now,
            GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(TurnoutSegmentQuery) query = NULL;
  g_autoptr(GTimeZone) zone = g_time_zone_new_utc ();
  g_autofree char *stripped = g_strstrip (g_strdup (name));
  g_autofree char *json = NULL;
  gint64 id = 0, taken;

  if (*stripped == '\0')
    {
      g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID,
                   _("A segment needs a name"));
      return NULL;
    }
  if (!turnout_db_begin (db, error))
    return NULL;

  if (old_name != NULL)
    {
      if ((id = find_id (db, old_name, error)) < 0)
        goto fail;
      if (id == 0)
        {
          g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND,
                       _("No segment is called “%s”; it may have been deleted"), old_name);
          goto fail;
        }
    }
  if ((taken = find_id (db, stripped, error)) < 0)
    goto fail;
  if (taken != 0 && taken != id && (old_name != NULL || !replace))
    {
      g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_EXISTS,
                   _("A segment called “%s” already exists; choose another name"), stripped);
      goto fail;
    }

  json = turnout_segment_to_json (segment);
  if (id != 0)
    stmt = turnout_db_prepare (db, "UPDATE segments SET name = ?1, rules = ?2, updated_at = ?3"
                                   " WHERE id = ?4", error);
  else
    stmt = turnout_db_prepare (db, "INSERT INTO segments (name, rules, created_at, updated_at)"
                                   " VALUES (?1, ?2, ?3, ?3) ON CONFLICT (name) DO UPDATE"
                                   " SET rules = excluded.rules, updated_at = excluded.updated_at",
                               error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, stripped, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now);
  if (id != 0)
    sqlite3_bind_int64 (stmt, 4, id);
  if (!step_done (stmt, db, _("Could not save the segment"), error))
    goto fail;
  if (id == 0 && (id = find_id (db, stripped, error)) <= 0)
    goto fail;
  if (old_name != NULL && !g_str_equal (old_name, stripped)
      && !rename_references (db, id, old_name, stripped, now, error))
    goto fail;

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
      goto fail;
    query = turnout_segment_compile (wrapper, now, zone, lookup_on_db, db, error);
    if (query == NULL)
      goto fail;
  }
  if (!turnout_db_commit (db, error))
    goto fail;
  return turnout_saved_segment_new (id, stripped, segment, now);

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_db_rollback (db);
  return NULL;
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
  g_autoptr(TurnoutSavedSegment) saved = NULL;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (segment != NULL, FALSE);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return FALSE;
  saved = save_on_db (db, NULL, name, segment, TRUE,
                      turnout_clock_get_unix (turnout_clock_get_default ()), error);
  turnout_store_release (store, db);
  return saved != NULL;
}

typedef struct
{
  char           *old_name;
  char           *name;
  TurnoutSegment *segment;
  gint64          now;
} SaveData;

static void
save_data_free (gpointer data)
{
  SaveData *save = data;

  g_free (save->old_name);
  g_free (save->name);
  g_clear_pointer (&save->segment, turnout_segment_unref);
  g_free (save);
}

static void
save_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *save = task_data;
  GError *error = NULL;
  TurnoutSavedSegment *saved;

  saved = save_on_db (db, save->old_name, save->name, save->segment, FALSE, save->now, &error);
  if (saved == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, saved, g_object_unref);
}

/**
 * turnout_segments_save_async:
 * @old_name: (nullable): the name of the saved segment this replaces (and
 *   renames when @name differs), or %NULL to save a new one
 * @name: its name
 *
 * Saves on a worker. A new segment may not take the name of another
 * (%TURNOUT_SEGMENT_ERROR_EXISTS); renaming one also renames it in the
 * in_segment conditions of the others. Refuses rules that name a missing
 * segment or lead back to this one (%TURNOUT_SEGMENT_ERROR_CYCLE).
 * Nothing is written when it fails.
 */
void
turnout_segments_save_async (TurnoutStore        *store,
                             const char          *old_name,
                             const char          *name,
                             TurnoutSegment      *segment,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *save;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (name != NULL);
  g_return_if_fail (segment != NULL);

  save = g_new0 (SaveData, 1);
  save->old_name = g_strdup (old_name);
  save->name = g_strdup (name);
  save->segment = turnout_segment_ref (segment);
  save->now = turnout_clock_get_unix (turnout_clock_get_default ());
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_segments_save_async);
  g_task_set_task_data (task, save, save_data_free);
  turnout_store_run_in_thread (store, task, save_worker);
}

/**
 * turnout_segments_save_finish:
 *
 * Returns: (transfer full): the segment as saved, or %NULL with @error set.
 */
TurnoutSavedSegment *
turnout_segments_save_finish (TurnoutStore  *store,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_segments_save_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The segments whose in_segment conditions name @name directly. */
static gboolean
collect_referrers (sqlite3     *db,
                   const char  *name,
                   GPtrArray   *names,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db, "SELECT name, rules FROM segments WHERE name <> ?1"
                                 " AND rules LIKE '%in_segment%' ORDER BY name COLLATE NOCASE",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(TurnoutSegment) segment = NULL;
      g_auto(GStrv) references = NULL;

      segment = turnout_segment_new_from_json ((const char *) sqlite3_column_text (stmt, 1), NULL);
      if (segment == NULL)
        continue;
      references = turnout_segment_dup_references (segment);
      if (g_strv_contains ((const char * const *) references, name))
        g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    }
  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not read the segments"));
  return TRUE;
}

static gboolean
collect_named (sqlite3     *db,
               const char  *sql,
               gint64       id,
               const char  *format,
               GPtrArray   *users,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (users, g_strdup_printf (format, sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not read what uses the segment"));
  return TRUE;
}

static char **
dup_users_on_db (sqlite3     *db,
                 const char  *name,
                 GError     **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) referrers = g_ptr_array_new_with_free_func (g_free);
  gint64 id;

  if ((id = find_id (db, name, error)) < 0)
    return NULL;
  if (id == 0)
    {
      g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND,
                   _("No segment is called “%s”"), name);
      return NULL;
    }
  /* TRANSLATORS: how a campaign that uses a segment is named, %s is its name. */
  if (!collect_named (db, "SELECT name FROM campaigns WHERE segment_id = ?1"
                          " ORDER BY name COLLATE NOCASE", id, _("the campaign “%s”"), users,
                      error)
      /* TRANSLATORS: how an automation that uses a segment is named. */
      || !collect_named (db, "SELECT name FROM automations WHERE segment_id = ?1"
                             " ORDER BY name COLLATE NOCASE", id, _("the automation “%s”"),
                         users, error)
      || !collect_referrers (db, name, referrers, error))
    return NULL;
  for (guint i = 0; i < referrers->len; i++)
    /* TRANSLATORS: how a segment whose rules name another is named. */
    g_ptr_array_add (users, g_strdup_printf (_("the segment “%s”"),
                                             (char *) g_ptr_array_index (referrers, i)));
  g_ptr_array_add (users, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&users), FALSE);
}

static void
users_worker (GTask        *task,
              sqlite3      *db,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  char **users = dup_users_on_db (db, task_data, &error);

  if (users == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, users, (GDestroyNotify) g_strfreev);
}

/**
 * turnout_segments_dup_users_async:
 * @name: a saved segment's name
 *
 * Finds, on a worker, what uses the segment: campaigns, automations, and
 * segments whose rules name it.
 */
void
turnout_segments_dup_users_async (TurnoutStore        *store,
                                  const char          *name,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (name != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_segments_dup_users_async);
  g_task_set_task_data (task, g_strdup (name), g_free);
  turnout_store_run_in_thread (store, task, users_worker);
}

/**
 * turnout_segments_dup_users_finish:
 *
 * Returns: (transfer full): what uses the segment, each as words such as
 *   `the campaign “Summer Opening”` (empty when nothing does), or %NULL
 *   with @error set.
 */
char **
turnout_segments_dup_users_finish (TurnoutStore  *store,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_segments_dup_users_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
delete_on_db (sqlite3     *db,
              const char  *name,
              GError     **error)
{
  g_autoptr(GPtrArray) referrers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!turnout_db_begin (db, error))
    return FALSE;
  if (!collect_referrers (db, name, referrers, error))
    goto fail;
  if (referrers->len > 0)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < referrers->len; i++)
        g_string_append_printf (list, "%s“%s”", i > 0 ? ", " : "",
                                (char *) g_ptr_array_index (referrers, i));
      /* TRANSLATORS: the first %s is a segment's name, the second a list
       * of the names of the segments whose rules use it. */
      g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_IN_USE,
                   _("“%s” can’t be deleted while other segments are built on it: %s. "
                     "Remove it from their rules first."), name, list->str);
      goto fail;
    }
  /* Campaigns and automations that used it are left without an audience
   * (segment_id is set to NULL), which they show; the caller asked first. */
  stmt = turnout_db_prepare (db, "DELETE FROM segments WHERE name = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if (!step_done (stmt, db, _("Could not delete the segment"), error))
    goto fail;
  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND,
                   _("No segment is called “%s”"), name);
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (turnout_db_commit (db, error))
    return TRUE;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_db_rollback (db);
  return FALSE;
}

static void
delete_worker (GTask        *task,
               sqlite3      *db,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (delete_on_db (db, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * turnout_segments_delete_async:
 * @name: a saved segment's name
 *
 * Deletes the segment on a worker. Refuses one that other segments' rules
 * name (%TURNOUT_SEGMENT_ERROR_IN_USE, naming them); campaigns and
 * automations using it lose their audience, so ask the user first
 * (turnout_segments_dup_users_async()).
 */
void
turnout_segments_delete_async (TurnoutStore        *store,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (name != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_segments_delete_async);
  g_task_set_task_data (task, g_strdup (name), g_free);
  turnout_store_run_in_thread (store, task, delete_worker);
}

gboolean
turnout_segments_delete_finish (TurnoutStore  *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_segments_delete_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tags_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  stmt = turnout_db_prepare (db, "SELECT name FROM tags ORDER BY name COLLATE NOCASE",
                             &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (&error, db, rc, _("Could not read the tags"));
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_add (names, NULL);
  g_task_return_pointer (task, g_ptr_array_free (g_steal_pointer (&names), FALSE),
                         (GDestroyNotify) g_strfreev);
}

/**
 * turnout_segments_list_tags_async:
 *
 * Reads the names of every tag and genre, for the tags rule's chooser.
 */
void
turnout_segments_list_tags_async (TurnoutStore        *store,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_segments_list_tags_async);
  turnout_store_run_in_thread (store, task, tags_worker);
}

/**
 * turnout_segments_list_tags_finish:
 *
 * Returns: (transfer full): tag and genre names in name order, or %NULL.
 */
char **
turnout_segments_list_tags_finish (TurnoutStore  *store,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_segments_list_tags_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
