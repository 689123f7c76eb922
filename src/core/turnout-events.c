/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-events"

#include "config.h"

#include <stdlib.h>
#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-events.h"
#include "turnout-store.h"

/*
 * Events and their registrations in the store: listing, saving, deleting,
 * and changing registrations' status. Every operation runs on a worker
 * with a connection of its own (turnout_store_run_in_thread()) and comes
 * back as a GObject or a GListModel the UI binds to.
 *
 * Writes are plain INSERTs and UPDATEs so that the triggers of migration 2
 * keep each contact's figures (events attended, total spend, first and
 * last event) right. Those triggers count an event as started when it
 * started before figures_clock.as_of, so every write first brings that
 * instant to TurnoutClock's now. The times a registration was confirmed
 * and cancelled are set here from TurnoutClock, in the same UPDATE as the
 * status; the triggers only back that up for other writers.
 */

#define EVENT_COLUMNS \
  "SELECT e.id, e.name, e.starts_at, e.ends_at, e.time_zone, e.venue, e.city," \
  "       (SELECT group_concat (t.name, char (31)) FROM event_tags et" \
  "          JOIN tags t ON t.id = et.tag_id WHERE et.event_id = e.id)," \
  "       count (r.id) FILTER (WHERE r.status = 'draft')," \
  "       count (r.id) FILTER (WHERE r.status = 'registered')," \
  "       count (r.id) FILTER (WHERE r.status = 'cancelled')," \
  "       count (r.id) FILTER (WHERE r.status = 'attended')," \
  "       coalesce (sum (r.amount) FILTER (WHERE r.status <> 'cancelled'), 0)" \
  "  FROM events e LEFT JOIN registrations r ON r.event_id = e.id"

#define CONTACT_NAME_SQL(c) \
  "coalesce (nullif (trim (" c ".first_name || ' ' || " c ".last_name), ''), " c ".email, " \
  c ".phone, '')"

#define REGISTRATION_COLUMNS \
  "SELECT r.id, r.event_id, r.contact_id, " CONTACT_NAME_SQL ("c") ", c.phone, c.email," \
  "       r.status, r.amount, r.ticket_type, r.created_at, r.confirmed_at, r.cancelled_at," \
  "       e.time_zone" \
  "  FROM registrations r JOIN contacts c ON c.id = r.contact_id" \
  "  JOIN events e ON e.id = r.event_id"

typedef struct
{
  gint64                     id;            /* event or registration */
  TurnoutEvent              *event;         /* a copy only the worker reads */
  GArray                    *ids;           /* gint64 registration ids */
  TurnoutRegistrationStatus  status;
  gint64                     contact_id;
  gint64                     amount;
  char                      *ticket_type;
  char                      *query;
  guint                      limit;
} Op;

static void
op_free (Op *op)
{
  g_clear_object (&op->event);
  g_clear_pointer (&op->ids, g_array_unref);
  g_free (op->ticket_type);
  g_free (op->query);
  g_free (op);
}

static GTask *
new_task (TurnoutStore        *store,
          Op                  *op,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  return task;
}

static gint64
read_clock (void)
{
  return turnout_clock_get_unix (turnout_clock_get_default ());
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? text : "";
}

static int
compare_genres (gconstpointer a,
                gconstpointer b)
{
  return g_utf8_collate (*(const char **) a, *(const char **) b);
}

static TurnoutEvent *
read_event (sqlite3_stmt *stmt)
{
  TurnoutEvent *event = turnout_event_new ();
  g_auto(GStrv) genres = NULL;

  turnout_event_set_id (event, sqlite3_column_int64 (stmt, 0));
  turnout_event_set_name (event, column_text (stmt, 1));
  turnout_event_set_starts_at (event, sqlite3_column_int64 (stmt, 2));
  turnout_event_set_ends_at (event, sqlite3_column_int64 (stmt, 3));
  turnout_event_set_time_zone (event, column_text (stmt, 4));
  turnout_event_set_venue (event, column_text (stmt, 5));
  turnout_event_set_city (event, column_text (stmt, 6));
  /* Unit separators: a genre may contain a comma no one meant as one. */
  genres = g_strsplit (column_text (stmt, 7), "\x1f", -1);
  qsort (genres, g_strv_length (genres), sizeof (char *), compare_genres);
  turnout_event_set_genres (event, (const char * const *) genres);
  turnout_event_set_counts (event,
                            sqlite3_column_int (stmt, 8), sqlite3_column_int (stmt, 9),
                            sqlite3_column_int (stmt, 10), sqlite3_column_int (stmt, 11),
                            sqlite3_column_int64 (stmt, 12));
  return event;
}

static TurnoutRegistration *
read_registration (sqlite3_stmt *stmt)
{
  TurnoutRegistration *registration = turnout_registration_new ();
  TurnoutRegistrationStatus status = TURNOUT_REGISTRATION_DRAFT;

  turnout_registration_set_id (registration, sqlite3_column_int64 (stmt, 0));
  turnout_registration_set_event_id (registration, sqlite3_column_int64 (stmt, 1));
  turnout_registration_set_contact_id (registration, sqlite3_column_int64 (stmt, 2));
  turnout_registration_set_contact_name (registration, column_text (stmt, 3));
  turnout_registration_set_phone (registration, (const char *) sqlite3_column_text (stmt, 4));
  turnout_registration_set_email (registration, (const char *) sqlite3_column_text (stmt, 5));
  turnout_registration_status_from_string ((const char *) sqlite3_column_text (stmt, 6), &status);
  turnout_registration_set_status (registration, status);
  turnout_registration_set_amount (registration, sqlite3_column_int64 (stmt, 7));
  turnout_registration_set_ticket_type (registration, column_text (stmt, 8));
  turnout_registration_set_created_at (registration, sqlite3_column_int64 (stmt, 9));
  turnout_registration_set_confirmed_at (registration, sqlite3_column_int64 (stmt, 10));
  turnout_registration_set_cancelled_at (registration, sqlite3_column_int64 (stmt, 11));
  turnout_registration_set_time_zone (registration, column_text (stmt, 12));
  return registration;
}

static gboolean
step_done (sqlite3       *db,
           sqlite3_stmt  *stmt,
           const char    *what,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  return turnout_db_set_error (error, db, rc, what);
}

static void
set_not_found (GError **error)
{
  g_set_error_literal (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND,
                       _("The event is no longer there; it may have been deleted."));
}

/* Listing events ---------------------------------------------------------- */

static void
list_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(GListStore) events = g_list_store_new (TURNOUT_TYPE_EVENT);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  /* Newest first: the upcoming events come before the past ones. */
  stmt = turnout_db_prepare (db, EVENT_COLUMNS
                             " GROUP BY e.id ORDER BY e.starts_at DESC, e.id DESC", &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, read_event (stmt));
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (&error, db, rc, _("Could not read the events"));
      g_task_return_error (task, error);
      return;
    }

  g_list_store_splice (events, 0, 0, rows->pdata, rows->len);
  g_task_return_pointer (task, g_steal_pointer (&events), g_object_unref);
}

/**
 * turnout_events_list_async:
 *
 * Reads every event with its genres and the counts of its registrations,
 * newest first (so upcoming events come before past ones).
 */
void
turnout_events_list_async (TurnoutStore        *store,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = new_task (store, g_new0 (Op, 1), turnout_events_list_async, cancellable, callback,
                   user_data);
  turnout_store_run_in_thread (store, task, list_worker);
}

/**
 * turnout_events_list_finish:
 *
 * Returns: (transfer full): a #GListStore of #TurnoutEvent, or %NULL with
 *   @error set.
 */
GListModel *
turnout_events_list_finish (TurnoutStore  *store,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_events_list_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static TurnoutEvent *
get_event (sqlite3  *db,
           gint64    event_id,
           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db, EVENT_COLUMNS " WHERE e.id = ?1 GROUP BY e.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, event_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return read_event (stmt);
  if (rc == SQLITE_DONE)
    set_not_found (error);
  else
    turnout_db_set_error (error, db, rc, _("Could not read the event"));
  return NULL;
}

static void
get_worker (GTask        *task,
            sqlite3      *db,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Op *op = task_data;
  GError *error = NULL;
  TurnoutEvent *event = get_event (db, op->id, &error);

  if (event == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, event, g_object_unref);
}

/**
 * turnout_events_get_async:
 *
 * Reads one event again, with the current counts of its registrations.
 */
void
turnout_events_get_async (TurnoutStore        *store,
                          gint64               event_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op = g_new0 (Op, 1);

  g_return_if_fail (TURNOUT_IS_STORE (store));

  op->id = event_id;
  task = new_task (store, op, turnout_events_get_async, cancellable, callback, user_data);
  turnout_store_run_in_thread (store, task, get_worker);
}

/**
 * turnout_events_get_finish:
 *
 * Returns: (transfer full): the event, or %NULL with @error set
 *   (%TURNOUT_EVENT_ERROR_NOT_FOUND when it was deleted).
 */
TurnoutEvent *
turnout_events_get_finish (TurnoutStore  *store,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_events_get_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Saving and deleting events ---------------------------------------------- */

static void
bind_trimmed (sqlite3_stmt *stmt,
              int           column,
              const char   *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  sqlite3_bind_text (stmt, column, trimmed, -1, SQLITE_TRANSIENT);
}

static gboolean
save_genres (sqlite3       *db,
             gint64         event_id,
             TurnoutEvent  *event,
             GError       **error)
{
  const char * const *genres = turnout_event_get_genres (event);
  g_autoptr(sqlite3_stmt) clear = NULL;
  g_autoptr(sqlite3_stmt) tag = NULL;
  g_autoptr(sqlite3_stmt) link = NULL;

  clear = turnout_db_prepare (db, "DELETE FROM event_tags WHERE event_id = ?1", error);
  if (clear == NULL)
    return FALSE;
  sqlite3_bind_int64 (clear, 1, event_id);
  if (!step_done (db, clear, _("Could not save the genres"), error))
    return FALSE;

  /* Genres and contacts' tags share one namespace. A tag already used on
   * contacts that becomes an event's genre turns into a genre, so that
   * genres are exactly the tags of kind 'genre'. */
  tag = turnout_db_prepare (db,
                            "INSERT INTO tags (name, kind) VALUES (?1, 'genre')"
                            " ON CONFLICT (name) DO UPDATE SET kind = 'genre'"
                            " RETURNING id",
                            error);
  link = turnout_db_prepare (db,
                             "INSERT OR IGNORE INTO event_tags (event_id, tag_id) VALUES (?1, ?2)",
                             error);
  if (tag == NULL || link == NULL)
    return FALSE;

  for (guint i = 0; genres[i] != NULL; i++)
    {
      int rc;
      gint64 tag_id;

      sqlite3_reset (tag);
      sqlite3_bind_text (tag, 1, genres[i], -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (tag)) != SQLITE_ROW)
        return turnout_db_set_error (error, db, rc, _("Could not save the genres"));
      tag_id = sqlite3_column_int64 (tag, 0);
      if (!step_done (db, tag, _("Could not save the genres"), error))
        return FALSE;

      sqlite3_reset (link);
      sqlite3_bind_int64 (link, 1, event_id);
      sqlite3_bind_int64 (link, 2, tag_id);
      if (!step_done (db, link, _("Could not save the genres"), error))
        return FALSE;
    }
  return TRUE;
}

static gint64
save_event (sqlite3       *db,
            TurnoutEvent  *event,
            GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 id = turnout_event_get_id (event);
  gint64 time = read_clock ();
  int rc;

  if (id == 0)
    stmt = turnout_db_prepare (db,
                               "INSERT INTO events (name, starts_at, ends_at, time_zone, venue,"
                               "                    city, created_at, updated_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
                               error);
  else
    stmt = turnout_db_prepare (db,
                               "UPDATE events SET name = ?1, starts_at = ?2, ends_at = ?3,"
                               "  time_zone = ?4, venue = ?5, city = ?6, updated_at = ?7"
                               " WHERE id = ?8 RETURNING id",
                               error);
  if (stmt == NULL)
    return 0;

  bind_trimmed (stmt, 1, turnout_event_get_name (event));
  sqlite3_bind_int64 (stmt, 2, turnout_event_get_starts_at (event));
  if (turnout_event_get_ends_at (event) != 0)
    sqlite3_bind_int64 (stmt, 3, turnout_event_get_ends_at (event));
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_text (stmt, 4, turnout_event_get_time_zone (event), -1, SQLITE_STATIC);
  bind_trimmed (stmt, 5, turnout_event_get_venue (event));
  bind_trimmed (stmt, 6, turnout_event_get_city (event));
  sqlite3_bind_int64 (stmt, 7, time);
  if (id != 0)
    sqlite3_bind_int64 (stmt, 8, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      set_not_found (error);
      return 0;
    }
  if (rc != SQLITE_ROW)
    {
      turnout_db_set_error (error, db, rc, _("Could not save the event"));
      return 0;
    }
  id = sqlite3_column_int64 (stmt, 0);
  if (!step_done (db, stmt, _("Could not save the event"), error))
    return 0;

  return save_genres (db, id, event, error) ? id : 0;
}

static void
save_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Op *op = task_data;
  GError *error = NULL;
  gint64 id;

  if (!turnout_db_refresh_figures (db, read_clock (), &error) ||
      !turnout_db_begin (db, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  id = save_event (db, op->event, &error);
  if (id == 0 || !turnout_db_commit (db, &error))
    {
      turnout_db_rollback (db);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, id);
}

/**
 * turnout_events_save_async:
 * @event: a new event (id 0) to insert, or a stored one to update
 *
 * Checks @event (turnout_event_validate()) and stores it with its genres,
 * which become tags of kind 'genre', in one transaction. @event is copied:
 * changing it afterwards changes nothing stored. Moving an event's start
 * updates the figures of everyone registered for it.
 */
void
turnout_events_save_async (TurnoutStore        *store,
                           TurnoutEvent        *event,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Op *op = g_new0 (Op, 1);

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (TURNOUT_IS_EVENT (event));

  op->event = turnout_event_copy (event);
  task = new_task (store, op, turnout_events_save_async, cancellable, callback, user_data);
  if (!turnout_event_validate (event, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  turnout_store_run_in_thread (store, task, save_worker);
}

/**
 * turnout_events_save_finish:
 *
 * Returns: the id of the event, or 0 with @error set: in
 *   %TURNOUT_EVENT_ERROR when the event is not valid or no longer there,
 *   else %TURNOUT_STORE_ERROR.
 */
gint64
turnout_events_save_finish (TurnoutStore  *store,
                            GAsyncResult  *result,
                            GError       **error)
{
  gint64 id;

  g_return_val_if_fail (g_task_is_valid (result, store), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_events_save_async, 0);

  id = g_task_propagate_int (G_TASK (result), error);
  return id > 0 ? id : 0;
}

static void
delete_worker (GTask        *task,
               sqlite3      *db,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  if (!turnout_db_refresh_figures (db, read_clock (), &error) ||
      !turnout_db_begin (db, &error))
    goto fail;
  /* The registrations go with the event (ON DELETE CASCADE), and their
   * delete trigger recomputes each contact's figures. */
  stmt = turnout_db_prepare (db, "DELETE FROM events WHERE id = ?1", &error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, op->id);
  if (!step_done (db, stmt, _("Could not delete the event"), &error))
    goto fail;
  if (sqlite3_changes (db) == 0)
    {
      set_not_found (&error);
      goto fail;
    }
  if (!turnout_db_commit (db, &error))
    goto fail;
  g_task_return_boolean (task, TRUE);
  return;

fail:
  turnout_db_rollback (db);
  g_task_return_error (task, error);
}

/**
 * turnout_events_delete_async:
 *
 * Deletes the event and all its registrations, and updates the figures
 * of the contacts who were registered.
 */
void
turnout_events_delete_async (TurnoutStore        *store,
                             gint64               event_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op = g_new0 (Op, 1);

  g_return_if_fail (TURNOUT_IS_STORE (store));

  op->id = event_id;
  task = new_task (store, op, turnout_events_delete_async, cancellable, callback, user_data);
  turnout_store_run_in_thread (store, task, delete_worker);
}

gboolean
turnout_events_delete_finish (TurnoutStore  *store,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_events_delete_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
list_genres_worker (GTask        *task,
                    sqlite3      *db,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  stmt = turnout_db_prepare (db, "SELECT name FROM tags WHERE kind = 'genre' ORDER BY name",
                             &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (&error, db, rc, _("Could not read the genres"));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strv_builder_end (builder), (GDestroyNotify) g_strfreev);
}

/**
 * turnout_events_list_genres_async:
 *
 * Reads the names of every genre (tags of kind 'genre'), A to Z.
 */
void
turnout_events_list_genres_async (TurnoutStore        *store,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = new_task (store, g_new0 (Op, 1), turnout_events_list_genres_async, cancellable,
                   callback, user_data);
  turnout_store_run_in_thread (store, task, list_genres_worker);
}

/**
 * turnout_events_list_genres_finish:
 *
 * Returns: (transfer full): the genres, or %NULL with @error set.
 */
char **
turnout_events_list_genres_finish (TurnoutStore  *store,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_events_list_genres_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Registrations ------------------------------------------------------------ */

static gboolean
event_exists (sqlite3  *db,
              gint64    event_id,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, "SELECT 1 FROM events WHERE id = ?1",
                                                     error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    set_not_found (error);
  else
    turnout_db_set_error (error, db, rc, _("Could not read the event"));
  return FALSE;
}

static void
list_registrations_worker (GTask        *task,
                           sqlite3      *db,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(GListStore) registrations = g_list_store_new (TURNOUT_TYPE_REGISTRATION);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  if (!event_exists (db, op->id, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  stmt = turnout_db_prepare (db, REGISTRATION_COLUMNS
                             " WHERE r.event_id = ?1"
                             " ORDER BY c.last_name COLLATE NOCASE, c.first_name COLLATE NOCASE,"
                             "          r.id",
                             &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  sqlite3_bind_int64 (stmt, 1, op->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, read_registration (stmt));
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (&error, db, rc, _("Could not read the registrations"));
      g_task_return_error (task, error);
      return;
    }

  g_list_store_splice (registrations, 0, 0, rows->pdata, rows->len);
  g_task_return_pointer (task, g_steal_pointer (&registrations), g_object_unref);
}

/**
 * turnout_events_list_registrations_async:
 *
 * Reads every registration of the event with its contact's name, phone
 * and email, by last name then first name. Ten thousand registrations
 * take a moment: cancel a load superseded by another.
 */
void
turnout_events_list_registrations_async (TurnoutStore        *store,
                                         gint64               event_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op = g_new0 (Op, 1);

  g_return_if_fail (TURNOUT_IS_STORE (store));

  op->id = event_id;
  task = new_task (store, op, turnout_events_list_registrations_async, cancellable, callback,
                   user_data);
  turnout_store_run_in_thread (store, task, list_registrations_worker);
}

/**
 * turnout_events_list_registrations_finish:
 *
 * Returns: (transfer full): a #GListStore of #TurnoutRegistration, or
 *   %NULL with @error set (%TURNOUT_EVENT_ERROR_NOT_FOUND when the event
 *   was deleted).
 */
GListModel *
turnout_events_list_registrations_finish (TurnoutStore  *store,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_events_list_registrations_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static TurnoutRegistration *
get_registration (sqlite3  *db,
                  gint64    registration_id,
                  GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db, REGISTRATION_COLUMNS " WHERE r.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, registration_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return read_registration (stmt);
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND,
                         _("The registration is no longer there; it may have been deleted."));
  else
    turnout_db_set_error (error, db, rc, _("Could not read the registration"));
  return NULL;
}

static void
set_status_worker (GTask        *task,
                   sqlite3      *db,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(sqlite3_stmt) update = NULL;
  const char *status = turnout_registration_status_to_string (op->status);
  GError *error = NULL;
  gint64 time = read_clock ();

  if (!turnout_db_refresh_figures (db, time, &error) ||
      !turnout_db_begin (db, &error))
    goto fail;

  /* One UPDATE a registration, all in one transaction. Only a change of
   * status is written: confirming a registration that is already
   * registered keeps the time it was confirmed. Becoming registered is the
   * moment the "registration confirmed" automation fires on; a cancelled
   * time belongs only to a registration that is cancelled; back to draft
   * is back to not confirmed. */
  update = turnout_db_prepare (db,
                               "UPDATE registrations SET status = ?2, updated_at = ?3,"
                               "  confirmed_at = CASE ?2 WHEN 'registered' THEN ?3"
                               "                         WHEN 'draft' THEN NULL"
                               "                         ELSE confirmed_at END,"
                               "  cancelled_at = CASE ?2 WHEN 'cancelled' THEN ?3 ELSE NULL END"
                               " WHERE id = ?1 AND status <> ?2",
                               &error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_text (update, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (update, 3, time);

  for (guint i = 0; i < op->ids->len; i++)
    {
      sqlite3_reset (update);
      sqlite3_bind_int64 (update, 1, g_array_index (op->ids, gint64, i));
      if (!step_done (db, update, _("Could not change the registrations"), &error))
        goto fail;
    }

  for (guint i = 0; i < op->ids->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      TurnoutRegistration *registration =
        get_registration (db, g_array_index (op->ids, gint64, i), &local_error);

      if (registration != NULL)
        g_ptr_array_add (changed, registration);
      else if (!g_error_matches (local_error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND))
        {
          error = g_steal_pointer (&local_error);
          goto fail;
        }
    }

  if (!turnout_db_commit (db, &error))
    goto fail;
  g_task_return_pointer (task, g_steal_pointer (&changed), (GDestroyNotify) g_ptr_array_unref);
  return;

fail:
  turnout_db_rollback (db);
  g_task_return_error (task, error);
}

/**
 * turnout_events_set_status_async:
 * @registration_ids: (array length=n_ids): the registrations to change
 * @status: the new status
 *
 * Changes the status of the registrations in one transaction, with the
 * time from TurnoutClock: becoming registered sets when it was confirmed,
 * becoming cancelled when it was cancelled; back to draft clears both.
 * Registrations already in @status are left as they are. The figures of
 * their contacts follow.
 */
void
turnout_events_set_status_async (TurnoutStore              *store,
                                 const gint64              *registration_ids,
                                 guint                      n_ids,
                                 TurnoutRegistrationStatus  status,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op = g_new0 (Op, 1);

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (registration_ids != NULL || n_ids == 0);
  g_return_if_fail (status <= TURNOUT_REGISTRATION_ATTENDED);

  op->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  g_array_append_vals (op->ids, registration_ids, n_ids);
  op->status = status;
  task = new_task (store, op, turnout_events_set_status_async, cancellable, callback, user_data);
  turnout_store_run_in_thread (store, task, set_status_worker);
}

/**
 * turnout_events_set_status_finish:
 *
 * Returns: (transfer full) (element-type TurnoutRegistration): the
 *   registrations as stored after the change, in the order asked for,
 *   without those that are no longer there; or %NULL with @error set, and
 *   nothing changed. Apply them to the ones shown with
 *   turnout_registration_update_from().
 */
GPtrArray *
turnout_events_set_status_finish (TurnoutStore  *store,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_events_set_status_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Builds an FTS5 query from what the user typed: every word, as a prefix,
 * in quotes so no word is read as an operator. The words are split where
 * the index's tokenizer splits them, so "anna@exa" finds anna@example.com. */
static char *
build_match (const char *query)
{
  g_autoptr(GString) match = g_string_new (NULL);
  g_autoptr(GString) word = g_string_new (NULL);

  for (const char *p = query;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      if (word->len > 0)
        {
          if (match->len > 0)
            g_string_append_c (match, ' ');
          g_string_append_printf (match, "\"%s\"*", word->str);
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }
  return match->len > 0 ? g_string_free (g_steal_pointer (&match), FALSE) : NULL;
}

static char *
phone_digits (const char *query)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  for (const char *p = query; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (!g_ascii_isspace (*p) && strchr ("+-()./", *p) == NULL)
        return NULL;
    }
  return digits->len >= 3 ? g_string_free (g_steal_pointer (&digits), FALSE) : NULL;
}

/* A contact already registered for the event comes with that
 * registration's id and status, so the one adding sees it. */
#define CANDIDATE_COLUMNS \
  "SELECT c.id, " CONTACT_NAME_SQL ("c") ", c.phone, c.email," \
  "       (SELECT id FROM registrations WHERE contact_id = c.id AND event_id = ?3" \
  "         ORDER BY id LIMIT 1) AS registration_id," \
  "       (SELECT status FROM registrations WHERE contact_id = c.id AND event_id = ?3" \
  "         ORDER BY id LIMIT 1)"

static void
find_contacts_worker (GTask        *task,
                      sqlite3      *db,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(GListStore) found = g_list_store_new (TURNOUT_TYPE_REGISTRATION);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *digits = phone_digits (op->query);
  g_autofree char *match = digits == NULL ? build_match (op->query) : NULL;
  GError *error = NULL;
  int rc;

  if (digits == NULL && match == NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&found), g_object_unref);
      return;
    }

  /* A phone number is looked for anywhere in the E.164 form, since people
   * type it the national way; the contacts are few enough to scan. */
  if (digits != NULL)
    stmt = turnout_db_prepare (db,
                               CANDIDATE_COLUMNS
                               "  FROM contacts c WHERE c.phone LIKE '%' || ?1 || '%'"
                               " ORDER BY registration_id IS NOT NULL, c.last_name COLLATE NOCASE,"
                               "          c.first_name COLLATE NOCASE"
                               " LIMIT ?2",
                               &error);
  else
    stmt = turnout_db_prepare (db,
                               CANDIDATE_COLUMNS
                               "  FROM contacts c"
                               " WHERE c.id IN (SELECT rowid FROM contacts_fts"
                               "                 WHERE contacts_fts MATCH ?1)"
                               " ORDER BY registration_id IS NOT NULL, c.last_name COLLATE NOCASE,"
                               "          c.first_name COLLATE NOCASE"
                               " LIMIT ?2",
                               &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, digits != NULL ? digits : match, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, op->limit);
  sqlite3_bind_int64 (stmt, 3, op->id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(TurnoutRegistration) candidate = turnout_registration_new ();

      turnout_registration_set_event_id (candidate, op->id);
      turnout_registration_set_contact_id (candidate, sqlite3_column_int64 (stmt, 0));
      turnout_registration_set_contact_name (candidate, column_text (stmt, 1));
      turnout_registration_set_phone (candidate, (const char *) sqlite3_column_text (stmt, 2));
      turnout_registration_set_email (candidate, (const char *) sqlite3_column_text (stmt, 3));
      if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
        {
          TurnoutRegistrationStatus status = TURNOUT_REGISTRATION_DRAFT;

          turnout_registration_status_from_string ((const char *) sqlite3_column_text (stmt, 5),
                                                   &status);
          turnout_registration_set_id (candidate, sqlite3_column_int64 (stmt, 4));
          turnout_registration_set_status (candidate, status);
        }
      g_list_store_append (found, candidate);
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (&error, db, rc, _("Could not search the contacts"));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&found), g_object_unref);
}

/**
 * turnout_events_find_contacts_async:
 * @event_id: the event the contacts would register for
 * @query: words of a name or an email address, or digits of a phone number
 * @limit: the most contacts to return
 *
 * Looks for contacts to register, by name and email through the search
 * index, or by phone number.
 */
void
turnout_events_find_contacts_async (TurnoutStore        *store,
                                    gint64               event_id,
                                    const char          *query,
                                    guint                limit,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op = g_new0 (Op, 1);

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (query != NULL);

  op->id = event_id;
  op->query = g_strdup (query);
  op->limit = limit;
  task = new_task (store, op, turnout_events_find_contacts_async, cancellable, callback,
                   user_data);
  turnout_store_run_in_thread (store, task, find_contacts_worker);
}

/**
 * turnout_events_find_contacts_finish:
 *
 * Returns: (transfer full): a #GListStore of #TurnoutRegistration of the
 *   event, one a contact found, with the contact's name, phone and email,
 *   A to Z. Those with id 0 are unsaved: set the status and amount of the
 *   one chosen and pass it to turnout_events_add_registration_async().
 *   Contacts already registered for the event come last, with the id and
 *   status of their registration. %NULL with @error set.
 */
GListModel *
turnout_events_find_contacts_finish (TurnoutStore  *store,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_events_find_contacts_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
contact_exists (sqlite3  *db,
                gint64    contact_id,
                GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, "SELECT 1 FROM contacts WHERE id = ?1",
                                                     error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND,
                         _("The contact is no longer there; they may have been deleted."));
  else
    turnout_db_set_error (error, db, rc, _("Could not read the contact"));
  return FALSE;
}

static gboolean
not_registered (sqlite3  *db,
                gint64    event_id,
                gint64    contact_id,
                GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db,
                             "SELECT " CONTACT_NAME_SQL ("c") ", r.status"
                             "  FROM registrations r JOIN contacts c ON c.id = r.contact_id"
                             " WHERE r.event_id = ?1 AND r.contact_id = ?2 LIMIT 1",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event_id);
  sqlite3_bind_int64 (stmt, 2, contact_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_ROW)
    {
      TurnoutRegistrationStatus status = TURNOUT_REGISTRATION_DRAFT;

      turnout_registration_status_from_string ((const char *) sqlite3_column_text (stmt, 1),
                                               &status);
      /* TRANSLATORS: %s is a person's name, the second %s a status such as "Cancelled". */
      g_set_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_ALREADY_REGISTERED,
                   _("%s already has a registration for this event (%s). Change its status "
                     "instead."),
                   column_text (stmt, 0), turnout_registration_status_get_label (status));
      return FALSE;
    }
  return turnout_db_set_error (error, db, rc, _("Could not read the registrations"));
}

static void
add_registration_worker (GTask        *task,
                         sqlite3      *db,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(sqlite3_stmt) insert = NULL;
  TurnoutRegistration *registration;
  GError *error = NULL;
  gint64 time = read_clock ();
  gint64 id;
  int rc;

  if (!turnout_db_refresh_figures (db, time, &error) ||
      !turnout_db_begin (db, &error) ||
      !event_exists (db, op->id, &error) ||
      !contact_exists (db, op->contact_id, &error))
    goto fail;

  /* One registration a contact an event, as imports keep it: a second
   * would count twice in the event's figures and confuse the send of its
   * reminders. The one there can change status instead. */
  if (!not_registered (db, op->id, op->contact_id, &error))
    goto fail;

  insert = turnout_db_prepare (db,
                               "INSERT INTO registrations (contact_id, event_id, status, amount,"
                               "  ticket_type, source, created_at, confirmed_at, cancelled_at,"
                               "  updated_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, 'manual', ?6,"
                               "  CASE ?3 WHEN 'registered' THEN ?6 END,"
                               "  CASE ?3 WHEN 'cancelled' THEN ?6 END, ?6)"
                               " RETURNING id",
                               &error);
  if (insert == NULL)
    goto fail;
  sqlite3_bind_int64 (insert, 1, op->contact_id);
  sqlite3_bind_int64 (insert, 2, op->id);
  sqlite3_bind_text (insert, 3, turnout_registration_status_to_string (op->status), -1,
                     SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 4, op->amount);
  bind_trimmed (insert, 5, op->ticket_type);
  sqlite3_bind_int64 (insert, 6, time);
  if ((rc = sqlite3_step (insert)) != SQLITE_ROW)
    {
      turnout_db_set_error (&error, db, rc, _("Could not add the registration"));
      goto fail;
    }
  id = sqlite3_column_int64 (insert, 0);
  if (!step_done (db, insert, _("Could not add the registration"), &error))
    goto fail;

  registration = get_registration (db, id, &error);
  if (registration == NULL)
    goto fail;
  if (!turnout_db_commit (db, &error))
    {
      g_object_unref (registration);
      goto fail;
    }
  g_task_return_pointer (task, registration, g_object_unref);
  return;

fail:
  turnout_db_rollback (db);
  g_task_return_error (task, error);
}

/**
 * turnout_events_add_registration_async:
 * @registration: an unsaved registration: its event, contact, status,
 *   amount and ticket type are stored (the rest is ignored)
 *
 * Registers the contact for the event, with the time from TurnoutClock as
 * when it was registered (and confirmed, or cancelled, as its status
 * says). The contact's figures follow.
 */
void
turnout_events_add_registration_async (TurnoutStore        *store,
                                       TurnoutRegistration *registration,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op = g_new0 (Op, 1);

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (TURNOUT_IS_REGISTRATION (registration));

  op->id = turnout_registration_get_event_id (registration);
  op->contact_id = turnout_registration_get_contact_id (registration);
  op->status = turnout_registration_get_status (registration);
  op->amount = turnout_registration_get_amount (registration);
  op->ticket_type = g_strdup (turnout_registration_get_ticket_type (registration));
  task = new_task (store, op, turnout_events_add_registration_async, cancellable, callback,
                   user_data);
  turnout_store_run_in_thread (store, task, add_registration_worker);
}

/**
 * turnout_events_add_registration_finish:
 *
 * Returns: (transfer full): the registration as stored, or %NULL with
 *   @error set: %TURNOUT_EVENT_ERROR_ALREADY_REGISTERED when the contact
 *   has a registration for the event already, %TURNOUT_EVENT_ERROR_NOT_FOUND
 *   when the event or the contact was deleted meanwhile.
 */
TurnoutRegistration *
turnout_events_add_registration_finish (TurnoutStore  *store,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_events_add_registration_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
