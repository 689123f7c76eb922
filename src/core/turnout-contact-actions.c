/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-contact-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-contact-actions.h"
#include "turnout-contacts.h"
#include "turnout-store.h"

/*
 * What the contacts pane does to many contacts at once: tag, untag,
 * suppress, delete, export. Each runs on a worker, and each change is one
 * transaction, in which the selection is also turned into ids: either all
 * of it happens or none of it, even for a million contacts.
 */

G_DEFINE_QUARK (turnout-contact-actions-error-quark, turnout_contact_actions_error)

#define MAX_TAG_LENGTH 100
/* How often a long action looks whether it was cancelled. */
#define CANCEL_CHECK_EVERY 1024

typedef enum
{
  OP_ADD_TAG,
  OP_REMOVE_TAG,
  OP_SUPPRESS,
  OP_DELETE,
  OP_EXPORT,
} Op;

typedef struct
{
  Op                       op;
  TurnoutContactSelection *selection;
  char                    *tag;
  TurnoutSuppressChannels  channels;
  GFile                   *file;
  TurnoutStore            *store;
  gint64                   now;
} ActionData;

static void
action_data_free (ActionData *data)
{
  turnout_contact_selection_unref (data->selection);
  g_free (data->tag);
  g_clear_object (&data->file);
  g_clear_object (&data->store);
  g_free (data);
}

/**
 * turnout_contact_actions_normalize_tag:
 * @name: a tag name as typed
 *
 * Checks a tag name: not empty, not too long, and without the characters
 * that separate tags in imported and exported files.
 *
 * Returns: (transfer full): the name trimmed, or %NULL with @error saying
 *   what is wrong with it
 */
char *
turnout_contact_actions_normalize_tag (const char  *name,
                                       GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name != NULL ? name : ""));

  if (*trimmed == '\0')
    {
      g_set_error_literal (error, TURNOUT_CONTACT_ACTIONS_ERROR,
                           TURNOUT_CONTACT_ACTIONS_ERROR_INVALID_TAG, _("A tag needs a name"));
      return NULL;
    }
  if (!g_utf8_validate (trimmed, -1, NULL) || g_utf8_strlen (trimmed, -1) > MAX_TAG_LENGTH)
    {
      g_set_error (error, TURNOUT_CONTACT_ACTIONS_ERROR, TURNOUT_CONTACT_ACTIONS_ERROR_INVALID_TAG,
                   _("A tag name has at most %d characters"), MAX_TAG_LENGTH);
      return NULL;
    }
  for (const char *p = trimmed; *p != '\0'; p++)
    if (*p == ';' || *p == ',')
      {
        g_set_error (error, TURNOUT_CONTACT_ACTIONS_ERROR,
                     TURNOUT_CONTACT_ACTIONS_ERROR_INVALID_TAG,
                     _("A tag name cannot contain “%c”: it separates tags in imported and "
                       "exported files"), *p);
        return NULL;
      }
  return g_steal_pointer (&trimmed);
}

/* Runs @stmt once per id (bound as ?1; its other parameters are bound
 * already) and adds up the rows it changed. */
static gboolean
run_for_ids (sqlite3       *db,
             sqlite3_stmt  *stmt,
             GArray        *ids,
             gint64        *changed,
             GCancellable  *cancellable,
             GError       **error)
{
  for (guint i = 0; i < ids->len; i++)
    {
      int rc;

      if (i % CANCEL_CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return turnout_db_set_error (error, db, rc, _("Could not change the contacts"));
      *changed += sqlite3_changes (db);
    }
  return TRUE;
}

static gint64
find_or_add_tag (sqlite3     *db,
                 const char  *name,
                 gboolean     add,
                 GError     **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) find = NULL;
  int rc;

  if (add)
    {
      insert = turnout_db_prepare (db, "INSERT INTO tags (name) VALUES (?1)"
                                       " ON CONFLICT (name) DO NOTHING", error);
      if (insert == NULL)
        return -1;
      sqlite3_bind_text (insert, 1, name, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (insert)) != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not add the tag"));
          return -1;
        }
    }

  find = turnout_db_prepare (db, "SELECT id FROM tags WHERE name = ?1", error);
  if (find == NULL)
    return -1;
  sqlite3_bind_text (find, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (find, 0);
  if (rc == SQLITE_DONE)
    return 0;
  turnout_db_set_error (error, db, rc, _("Could not read tags"));
  return -1;
}

static gboolean
change_tag (sqlite3       *db,
            ActionData    *data,
            GArray        *ids,
            gint64        *changed,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 tag = find_or_add_tag (db, data->tag, data->op == OP_ADD_TAG, error);

  if (tag < 0)
    return FALSE;
  /* Removing a tag nobody has removes it from nobody. */
  if (tag == 0)
    return TRUE;

  /* Selecting from contacts skips those deleted since they were selected. */
  stmt = turnout_db_prepare (db,
                             data->op == OP_ADD_TAG
                               ? "INSERT INTO contact_tags (contact_id, tag_id)"
                                 " SELECT id, ?2 FROM contacts WHERE id = ?1"
                                 " ON CONFLICT DO NOTHING"
                               : "DELETE FROM contact_tags WHERE contact_id = ?1 AND tag_id = ?2",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 2, tag);
  return run_for_ids (db, stmt, ids, changed, cancellable, error);
}

static gboolean
suppress (sqlite3       *db,
          ActionData    *data,
          GArray        *ids,
          gint64        *changed,
          GCancellable  *cancellable,
          GError       **error)
{
  static const struct
  {
    TurnoutSuppressChannels  channel;
    const char              *sql;
  } channels[] = {
    { TURNOUT_SUPPRESS_SMS,
      "INSERT INTO suppressions (channel, address, reason, source, created_at)"
      " SELECT 'sms', phone, 'manual', 'contacts pane', ?2 FROM contacts"
      " WHERE id = ?1 AND phone IS NOT NULL"
      " ON CONFLICT (channel, address) DO NOTHING" },
    { TURNOUT_SUPPRESS_EMAIL,
      "INSERT INTO suppressions (channel, address, reason, source, created_at)"
      " SELECT 'email', email, 'manual', 'contacts pane', ?2 FROM contacts"
      " WHERE id = ?1 AND email IS NOT NULL"
      " ON CONFLICT (channel, address) DO NOTHING" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;

      if (!(data->channels & channels[i].channel))
        continue;
      stmt = turnout_db_prepare (db, channels[i].sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 2, data->now);
      if (!run_for_ids (db, stmt, ids, changed, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
delete_contacts (sqlite3       *db,
                 GArray        *ids,
                 gint64        *changed,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, "DELETE FROM contacts WHERE id = ?1",
                                                     error);

  if (stmt == NULL)
    return FALSE;
  return run_for_ids (db, stmt, ids, changed, cancellable, error);
}

/* Writes through g_file_replace(), which writes a new file beside the old
 * one and puts it in its place only when closed: a failure leaves the file
 * that was there, and no half-written one. */
static gint64
export_contacts (ActionData    *data,
                 GArray        *ids,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GFileOutputStream) output = NULL;
  g_autoptr(GCancellable) abandon = NULL;
  gint64 written;

  output = g_file_replace (data->file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (output == NULL)
    return -1;

  written = turnout_contacts_export_csv (data->store, G_OUTPUT_STREAM (output), ids, cancellable,
                                         error);
  if (written < 0)
    {
      /* Closing with a cancelled cancellable drops the new file. */
      abandon = g_cancellable_new ();
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (output), abandon, NULL);
      return -1;
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (output), cancellable, error))
    return -1;
  return written;
}

static void
action_worker (GTask        *task,
               sqlite3      *db,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ActionData *data = task_data;
  g_autoptr(GArray) ids = NULL;
  GError *error = NULL;
  gint64 changed = 0;
  gboolean ok;

  if (data->op == OP_EXPORT)
    {
      gint64 written = -1;

      ids = turnout_contact_selection_resolve (data->selection, db, cancellable, &error);
      if (ids != NULL)
        written = export_contacts (data, ids, cancellable, &error);
      if (written < 0)
        g_task_return_error (task, error);
      else
        g_task_return_int (task, written);
      return;
    }

  ok = turnout_db_begin (db, &error);
  if (ok)
    {
      ids = turnout_contact_selection_resolve (data->selection, db, cancellable, &error);
      ok = ids != NULL;
    }
  if (ok)
    {
      switch (data->op)
        {
        case OP_ADD_TAG:
        case OP_REMOVE_TAG:
          ok = change_tag (db, data, ids, &changed, cancellable, &error);
          break;
        case OP_SUPPRESS:
          ok = suppress (db, data, ids, &changed, cancellable, &error);
          break;
        case OP_DELETE:
          ok = delete_contacts (db, ids, &changed, cancellable, &error);
          break;
        case OP_EXPORT:
        default:
          g_assert_not_reached ();
        }
    }
  ok = ok && turnout_db_commit (db, &error);
  if (!ok)
    {
      turnout_db_rollback (db);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, changed);
}

static void
run_action (TurnoutStore            *store,
            TurnoutContactSelection *selection,
            ActionData              *data,
            gpointer                 source_tag,
            GCancellable            *cancellable,
            GAsyncReadyCallback      callback,
            gpointer                 user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  data->selection = turnout_contact_selection_ref (selection);
  data->now = turnout_clock_get_unix (turnout_clock_get_default ());
  g_task_set_task_data (task, data, (GDestroyNotify) action_data_free);
  turnout_store_run_in_thread (store, task, action_worker);
}

static gint64
finish_action (TurnoutStore  *store,
               GAsyncResult  *result,
               gpointer       source_tag,
               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
report_invalid (TurnoutStore        *store,
                gpointer             source_tag,
                GError              *error,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_task_report_error (store, callback, user_data, source_tag, error);
}

/**
 * turnout_contact_actions_add_tag_async:
 * @tag: the tag's name; it is created when no tag has it (ignoring case)
 *
 * Tags the selected contacts. A name turnout_contact_actions_normalize_tag()
 * refuses fails with %TURNOUT_CONTACT_ACTIONS_ERROR_INVALID_TAG.
 */
void
turnout_contact_actions_add_tag_async (TurnoutStore            *store,
                                       TurnoutContactSelection *selection,
                                       const char              *tag,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data)
{
  GError *error = NULL;
  g_autofree char *name = NULL;
  ActionData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (selection != NULL);

  name = turnout_contact_actions_normalize_tag (tag, &error);
  if (name == NULL)
    {
      report_invalid (store, turnout_contact_actions_add_tag_async, error, callback, user_data);
      return;
    }
  data = g_new0 (ActionData, 1);
  data->op = OP_ADD_TAG;
  data->tag = g_steal_pointer (&name);
  run_action (store, selection, data, turnout_contact_actions_add_tag_async, cancellable,
              callback, user_data);
}

/**
 * turnout_contact_actions_add_tag_finish:
 *
 * Returns: how many contacts got the tag (those that had it already don't
 *   count), or -1 with @error set
 */
gint64
turnout_contact_actions_add_tag_finish (TurnoutStore  *store,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return finish_action (store, result, turnout_contact_actions_add_tag_async, error);
}

/**
 * turnout_contact_actions_remove_tag_async:
 * @tag: the tag's name (ignoring case)
 *
 * Takes the tag off the selected contacts. The tag itself stays, for
 * events and segments that use it.
 */
void
turnout_contact_actions_remove_tag_async (TurnoutStore            *store,
                                          TurnoutContactSelection *selection,
                                          const char              *tag,
                                          GCancellable            *cancellable,
                                          GAsyncReadyCallback      callback,
                                          gpointer                 user_data)
{
  GError *error = NULL;
  g_autofree char *name = NULL;
  ActionData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (selection != NULL);

  name = turnout_contact_actions_normalize_tag (tag, &error);
  if (name == NULL)
    {
      report_invalid (store, turnout_contact_actions_remove_tag_async, error, callback, user_data);
      return;
    }
  data = g_new0 (ActionData, 1);
  data->op = OP_REMOVE_TAG;
  data->tag = g_steal_pointer (&name);
  run_action (store, selection, data, turnout_contact_actions_remove_tag_async, cancellable,
              callback, user_data);
}

/**
 * turnout_contact_actions_remove_tag_finish:
 *
 * Returns: how many contacts lost the tag, or -1 with @error set
 */
gint64
turnout_contact_actions_remove_tag_finish (TurnoutStore  *store,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  return finish_action (store, result, turnout_contact_actions_remove_tag_async, error);
}

/**
 * turnout_contact_actions_suppress_async:
 * @channels: whose addresses to suppress: phone numbers, email addresses
 *   or both
 *
 * Adds the selected contacts' addresses to the suppression list (reason
 * "manual", source "contacts pane"): nothing is ever sent to them on that
 * channel again. Addresses suppressed already stay as they were.
 */
void
turnout_contact_actions_suppress_async (TurnoutStore            *store,
                                        TurnoutContactSelection *selection,
                                        TurnoutSuppressChannels  channels,
                                        GCancellable            *cancellable,
                                        GAsyncReadyCallback      callback,
                                        gpointer                 user_data)
{
  ActionData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (selection != NULL);

  if ((channels & (TURNOUT_SUPPRESS_SMS | TURNOUT_SUPPRESS_EMAIL)) == 0)
    {
      report_invalid (store, turnout_contact_actions_suppress_async,
                      g_error_new_literal (TURNOUT_CONTACT_ACTIONS_ERROR,
                                           TURNOUT_CONTACT_ACTIONS_ERROR_NO_CHANNEL,
                                           _("Choose text messages, email or both to suppress")),
                      callback, user_data);
      return;
    }
  data = g_new0 (ActionData, 1);
  data->op = OP_SUPPRESS;
  data->channels = channels;
  run_action (store, selection, data, turnout_contact_actions_suppress_async, cancellable,
              callback, user_data);
}

/**
 * turnout_contact_actions_suppress_finish:
 *
 * Returns: how many addresses were added to the suppression list, or -1
 *   with @error set
 */
gint64
turnout_contact_actions_suppress_finish (TurnoutStore  *store,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return finish_action (store, result, turnout_contact_actions_suppress_async, error);
}

/**
 * turnout_contact_actions_delete_async:
 *
 * Deletes the selected contacts with their tags, registrations and consent
 * history; the send log keeps its rows without them.
 */
void
turnout_contact_actions_delete_async (TurnoutStore            *store,
                                      TurnoutContactSelection *selection,
                                      GCancellable            *cancellable,
                                      GAsyncReadyCallback      callback,
                                      gpointer                 user_data)
{
  ActionData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (selection != NULL);

  data = g_new0 (ActionData, 1);
  data->op = OP_DELETE;
  run_action (store, selection, data, turnout_contact_actions_delete_async, cancellable,
              callback, user_data);
}

/**
 * turnout_contact_actions_delete_finish:
 *
 * Returns: how many contacts were deleted, or -1 with @error set
 */
gint64
turnout_contact_actions_delete_finish (TurnoutStore  *store,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return finish_action (store, result, turnout_contact_actions_delete_async, error);
}

/**
 * turnout_contact_actions_export_async:
 * @file: where to write the CSV; replaced only once it is complete
 *
 * Exports the selected contacts, in the order the list showed them, in
 * Turnout's own CSV columns (see turnout_contacts_export_csv()).
 */
void
turnout_contact_actions_export_async (TurnoutStore            *store,
                                      TurnoutContactSelection *selection,
                                      GFile                   *file,
                                      GCancellable            *cancellable,
                                      GAsyncReadyCallback      callback,
                                      gpointer                 user_data)
{
  ActionData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (selection != NULL);
  g_return_if_fail (G_IS_FILE (file));

  data = g_new0 (ActionData, 1);
  data->op = OP_EXPORT;
  data->file = g_object_ref (file);
  data->store = g_object_ref (store);
  run_action (store, selection, data, turnout_contact_actions_export_async, cancellable,
              callback, user_data);
}

/**
 * turnout_contact_actions_export_finish:
 *
 * Returns: how many contacts were written, or -1 with @error set
 */
gint64
turnout_contact_actions_export_finish (TurnoutStore  *store,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return finish_action (store, result, turnout_contact_actions_export_async, error);
}

static void
list_tags_worker (GTask        *task,
                  sqlite3      *db,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  stmt = turnout_db_prepare (db, "SELECT name FROM tags ORDER BY name COLLATE NOCASE", &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (names, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (&error, db, rc, _("Could not read tags"));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strv_builder_end (names), (GDestroyNotify) g_strfreev);
}

/**
 * turnout_contact_actions_list_tags_async:
 *
 * Reads the names of all tags and genres, for completing a tag name.
 */
void
turnout_contact_actions_list_tags_async (TurnoutStore        *store,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_contact_actions_list_tags_async);
  turnout_store_run_in_thread (store, task, list_tags_worker);
}

/**
 * turnout_contact_actions_list_tags_finish:
 *
 * Returns: (transfer full): the tag names, sorted, or %NULL with @error set
 */
GStrv
turnout_contact_actions_list_tags_finish (TurnoutStore  *store,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_contact_actions_list_tags_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
