/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-templates"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "turnout-clock.h"
#include "turnout-starter-templates.h"
#include "turnout-store.h"
#include "turnout-templates.h"

/*
 * The templates table: listing, saving (a name is never taken twice),
 * deleting only what nothing uses. A template is used by automations (all
 * of them: they send it every hour) and by campaigns that have not been
 * launched or are still sending; a finished campaign keeps its own frozen
 * copy and lets go of the template.
 */

G_DEFINE_QUARK (turnout-template-error-quark, turnout_template_error)

#define TEMPLATE_COLUMNS "id, name, channel, subject, preheader, body_text, body_html, " \
                         "media_urls, updated_at"

static TurnoutTemplate *
template_from_row (sqlite3_stmt *stmt)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonParser) parser = NULL;
  TurnoutTemplate *template;
  const char *media = (const char *) sqlite3_column_text (stmt, 7);

  template = turnout_template_new (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2),
                                              "email") == 0 ? "email" : "sms");
  turnout_template_set_id (template, sqlite3_column_int64 (stmt, 0));
  turnout_template_set_name (template, (const char *) sqlite3_column_text (stmt, 1));
  turnout_template_set_subject (template, (const char *) sqlite3_column_text (stmt, 3));
  turnout_template_set_preheader (template, (const char *) sqlite3_column_text (stmt, 4));
  turnout_template_set_body_text (template, (const char *) sqlite3_column_text (stmt, 5));
  turnout_template_set_body_html (template, (const char *) sqlite3_column_text (stmt, 6));
  turnout_template_set_updated_at (template, sqlite3_column_int64 (stmt, 8));

  /* media_urls is a JSON array of strings (the schema checks it is JSON). */
  parser = json_parser_new ();
  if (media != NULL && json_parser_load_from_data (parser, media, -1, NULL)
      && JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      JsonArray *array = json_node_get_array (json_parser_get_root (parser));

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_ptr_array_add (urls, g_strdup (json_node_get_string (node)));
        }
    }
  g_ptr_array_add (urls, NULL);
  turnout_template_set_media_urls (template, (const char * const *) urls->pdata);
  return template;
}

/**
 * turnout_db_template_get:
 * @template_id: its id, or 0 to find it by @name
 *
 * Returns: (transfer full): the stored template, or %NULL with @error set
 *   (%TURNOUT_TEMPLATE_ERROR_NOT_FOUND when there is none).
 */
TurnoutTemplate *
turnout_db_template_get (sqlite3     *db,
                         gint64       template_id,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db, template_id > 0
                             ? "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE id = ?1"
                             : "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE name = ?2",
                             error);
  if (stmt == NULL)
    return NULL;
  if (template_id > 0)
    sqlite3_bind_int64 (stmt, 1, template_id);
  else
    sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    return template_from_row (stmt);
  if (rc != SQLITE_DONE)
    turnout_db_set_error (error, db, rc, _("Could not read the template"));
  else if (template_id > 0)
    g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_NOT_FOUND,
                 _("The template was deleted"));
  else
    g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_NOT_FOUND,
                 _("No template is called “%s”"), name);
  return NULL;
}

/* The first time templates are listed, the starting templates are added,
 * in the user's language; a row in settings remembers it, so templates the
 * user deleted never come back. A name the user already took is skipped. */
static gboolean
seed_starters (sqlite3  *db,
               gint64    now,
               GError  **error)
{
  g_autoptr(sqlite3_stmt) marker = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(GPtrArray) starters = NULL;
  int rc;

  marker = turnout_db_prepare (db, "SELECT 1 FROM settings WHERE key = 'templates.starters_seeded'",
                               error);
  if (marker == NULL)
    return FALSE;
  if ((rc = sqlite3_step (marker)) == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not read the templates"));
  g_clear_pointer (&marker, sqlite3_finalize);

  if (!turnout_db_begin (db, error))
    return FALSE;
  insert = turnout_db_prepare (db, "INSERT INTO templates (name, channel, subject, preheader,"
                                   " body_text, body_html, created_at, updated_at)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
                                   " ON CONFLICT (name) DO NOTHING", error);
  if (insert == NULL)
    goto fail;
  starters = turnout_starter_templates_new ();
  for (guint i = 0; i < starters->len; i++)
    {
      TurnoutStarterTemplate *starter = g_ptr_array_index (starters, i);

      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, starter->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 2, starter->channel, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, starter->subject, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 4, starter->preheader, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 5, starter->body_text, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 6, starter->body_html, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 7, now);
      if ((rc = sqlite3_step (insert)) != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not add the starting templates"));
          goto fail;
        }
    }
  g_clear_pointer (&insert, sqlite3_finalize);
  marker = turnout_db_prepare (db, "INSERT INTO settings (key, value, updated_at)"
                                   " VALUES ('templates.starters_seeded', '1', ?1)", error);
  if (marker == NULL)
    goto fail;
  sqlite3_bind_int64 (marker, 1, now);
  if ((rc = sqlite3_step (marker)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not add the starting templates"));
      goto fail;
    }
  g_clear_pointer (&marker, sqlite3_finalize);
  if (turnout_db_commit (db, error))
    return TRUE;

fail:
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&marker, sqlite3_finalize);
  turnout_db_rollback (db);
  return FALSE;
}

static GListModel *
list_on_db (sqlite3  *db,
            GError  **error)
{
  g_autoptr(GListStore) templates = g_list_store_new (TURNOUT_TYPE_TEMPLATE);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!seed_starters (db, turnout_clock_get_unix (turnout_clock_get_default ()), error))
    return NULL;
  stmt = turnout_db_prepare (db, "SELECT " TEMPLATE_COLUMNS " FROM templates"
                                 " ORDER BY name COLLATE NOCASE, name", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(TurnoutTemplate) template = template_from_row (stmt);

      g_list_store_append (templates, template);
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not list the templates"));
      return NULL;
    }
  return G_LIST_MODEL (g_steal_pointer (&templates));
}

static gboolean
check_template (TurnoutTemplate  *template,
                const char       *name,
                GError          **error)
{
  const char * const *urls = turnout_template_get_media_urls (template);

  if (*name == '\0')
    {
      g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_INVALID,
                   _("A template needs a name"));
      return FALSE;
    }
  if (g_strv_length ((char **) urls) > TURNOUT_TEMPLATE_MAX_MEDIA)
    {
      g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_INVALID,
                   _("An MMS can carry at most %d media files"), TURNOUT_TEMPLATE_MAX_MEDIA);
      return FALSE;
    }
  if (turnout_template_is_email (template) && urls[0] != NULL)
    {
      g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_INVALID,
                   _("Email templates carry no MMS media"));
      return FALSE;
    }
  for (guint i = 0; urls[i] != NULL; i++)
    if (!turnout_template_check_media_url (urls[i], error))
      return FALSE;
  return TRUE;
}

static char *
media_json (TurnoutTemplate *template)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char * const *urls = turnout_template_get_media_urls (template);

  json_builder_begin_array (builder);
  for (guint i = 0; urls[i] != NULL; i++)
    json_builder_add_string_value (builder, urls[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Inserts a template without an id, or updates the one with its id; a name
 * another template has is refused, and nothing is written. */
static TurnoutTemplate *
save_on_db (sqlite3          *db,
            TurnoutTemplate  *template,
            gint64            now,
            GError          **error)
{
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *name = g_strstrip (g_strdup (turnout_template_get_name (template)));
  g_autofree char *media = NULL;
  gint64 id = turnout_template_get_id (template);
  int rc;

  if (!check_template (template, name, error))
    return NULL;
  if (!turnout_db_begin (db, error))
    return NULL;
  find = turnout_db_prepare (db, "SELECT id FROM templates WHERE name = ?1", error);
  if (find == NULL)
    goto fail;
  sqlite3_bind_text (find, 1, name, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (find)) == SQLITE_ROW && sqlite3_column_int64 (find, 0) != id)
    {
      g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_EXISTS,
                   _("A template called “%s” already exists; choose another name"), name);
      goto fail;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not save the template"));
      goto fail;
    }

  media = media_json (template);
  if (id > 0)
    stmt = turnout_db_prepare (db, "UPDATE templates SET name = ?1, subject = ?2, preheader = ?3,"
                                   " body_text = ?4, body_html = ?5, media_urls = ?6,"
                                   " updated_at = ?7 WHERE id = ?8 AND channel = ?9", error);
  else
    stmt = turnout_db_prepare (db, "INSERT INTO templates (name, subject, preheader, body_text,"
                                   " body_html, media_urls, created_at, updated_at, channel)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?9)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, turnout_template_get_subject (template), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, turnout_template_get_preheader (template), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, turnout_template_get_body_text (template), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, turnout_template_get_body_html (template), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, media, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, now);
  if (id > 0)
    sqlite3_bind_int64 (stmt, 8, id);
  sqlite3_bind_text (stmt, 9, turnout_template_get_channel (template), -1, SQLITE_STATIC);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not save the template"));
      goto fail;
    }
  if (id > 0 && sqlite3_changes (db) == 0)
    {
      g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_NOT_FOUND,
                   _("The template was deleted; save it as a new one"));
      goto fail;
    }
  if (id == 0)
    id = sqlite3_last_insert_rowid (db);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_pointer (&find, sqlite3_finalize);
  if (!turnout_db_commit (db, error))
    goto fail;
  return turnout_db_template_get (db, id, NULL, error);

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_pointer (&find, sqlite3_finalize);
  turnout_db_rollback (db);
  return NULL;
}

/* What keeps a template from being deleted, as words for the user. */
static gboolean
collect_users (sqlite3     *db,
               gint64       id,
               GPtrArray   *users,
               GError     **error)
{
  static const struct { const char *sql; const char *format; } queries[] = {
    { "SELECT name FROM campaigns WHERE template_id = ?1"
      " AND state IN ('draft', 'scheduled', 'running', 'paused') ORDER BY name COLLATE NOCASE",
      N_("the campaign “%s”") },
    { "SELECT name FROM automations WHERE template_id = ?1 ORDER BY name COLLATE NOCASE",
      N_("the automation “%s”") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, queries[i].sql, error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (users, g_strdup_printf (_(queries[i].format),
                                                 sqlite3_column_text (stmt, 0)));
      if (rc != SQLITE_DONE)
        return turnout_db_set_error (error, db, rc, _("Could not read what uses the template"));
    }
  return TRUE;
}

static gboolean
delete_on_db (sqlite3     *db,
              gint64       id,
              GError     **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(TurnoutTemplate) template = NULL;
  int rc;

  if (!turnout_db_begin (db, error))
    return FALSE;
  if ((template = turnout_db_template_get (db, id, NULL, error)) == NULL
      || !collect_users (db, id, users, error))
    goto fail;
  if (users->len > 0)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < users->len; i++)
        {
          if (i > 0)
            /* TRANSLATORS: between the last two of a list: "A, B and C". */
            g_string_append (list, i == users->len - 1 ? _(" and ") : ", ");
          g_string_append (list, g_ptr_array_index (users, i));
        }
      /* TRANSLATORS: %s is a template's name, then what uses it: "the
       * campaign “Summer Opening” and the automation “Reminder”". */
      g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_IN_USE,
                   _("“%s” can’t be deleted: %s use it. Choose another template there first."),
                   turnout_template_get_name (template), list->str);
      goto fail;
    }
  stmt = turnout_db_prepare (db, "DELETE FROM templates WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not delete the template"));
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

/* Blocking ---------------------------------------------------------------- */

/**
 * turnout_templates_list:
 *
 * Blocks. Returns: (transfer full): a #GListModel of #TurnoutTemplate in
 *   name order, or %NULL with @error set.
 */
GListModel *
turnout_templates_list (TurnoutStore  *store,
                        GError       **error)
{
  GListModel *list;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return NULL;
  list = list_on_db (db, error);
  turnout_store_release (store, db);
  return list;
}

/**
 * turnout_templates_get:
 *
 * Blocks. Returns: (transfer full): the template called @name, or %NULL.
 */
TurnoutTemplate *
turnout_templates_get (TurnoutStore  *store,
                       const char    *name,
                       GError       **error)
{
  TurnoutTemplate *template;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return NULL;
  /* A starter asked for by name (turnout-cli campaign create --template
   * "Ticket Confirmation (SMS)") exists before anything listed them. */
  if (seed_starters (db, turnout_clock_get_unix (turnout_clock_get_default ()), error))
    template = turnout_db_template_get (db, 0, name, error);
  else
    template = NULL;
  turnout_store_release (store, db);
  return template;
}

/**
 * turnout_templates_save:
 * @template: a template; with id 0 it is added, else the stored one with
 *   its id is replaced
 *
 * Blocks. Returns: (transfer full): the template as stored, or %NULL with
 *   @error set (%TURNOUT_TEMPLATE_ERROR_EXISTS for a name taken).
 */
TurnoutTemplate *
turnout_templates_save (TurnoutStore     *store,
                        TurnoutTemplate  *template,
                        GError          **error)
{
  TurnoutTemplate *saved;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (template), NULL);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return NULL;
  saved = save_on_db (db, template, turnout_clock_get_unix (turnout_clock_get_default ()), error);
  turnout_store_release (store, db);
  return saved;
}

/* Async ------------------------------------------------------------------- */

static void
list_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *list = list_on_db (db, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, g_object_unref);
}

void
turnout_templates_list_async (TurnoutStore        *store,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_templates_list_async);
  turnout_store_run_in_thread (store, task, list_worker);
}

/**
 * turnout_templates_list_finish:
 *
 * Returns: (transfer full): a #GListModel of #TurnoutTemplate, or %NULL.
 */
GListModel *
turnout_templates_list_finish (TurnoutStore  *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_templates_list_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  TurnoutTemplate *template;
  gint64           now;
} SaveData;

static void
save_data_free (gpointer data)
{
  SaveData *save = data;

  g_object_unref (save->template);
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
  TurnoutTemplate *saved = save_on_db (db, save->template, save->now, &error);

  if (saved == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, saved, g_object_unref);
}

/**
 * turnout_templates_save_async:
 *
 * Saves a copy of @template as it is now on a worker; see
 * turnout_templates_save().
 */
void
turnout_templates_save_async (TurnoutStore        *store,
                              TurnoutTemplate     *template,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *save;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (TURNOUT_IS_TEMPLATE (template));

  save = g_new0 (SaveData, 1);
  /* A copy: the editor may go on changing its template meanwhile. */
  save->template = turnout_template_copy (template);
  save->now = turnout_clock_get_unix (turnout_clock_get_default ());
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_templates_save_async);
  g_task_set_task_data (task, save, save_data_free);
  turnout_store_run_in_thread (store, task, save_worker);
}

/**
 * turnout_templates_save_finish:
 *
 * Returns: (transfer full): the template as stored, or %NULL.
 */
TurnoutTemplate *
turnout_templates_save_finish (TurnoutStore  *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_templates_save_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
delete_worker (GTask        *task,
               sqlite3      *db,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (delete_on_db (db, *(gint64 *) task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * turnout_templates_delete_async:
 *
 * Deletes the template on a worker, unless an automation or a campaign
 * not finished uses it (%TURNOUT_TEMPLATE_ERROR_IN_USE, naming them).
 */
void
turnout_templates_delete_async (TurnoutStore        *store,
                                gint64               template_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_templates_delete_async);
  g_task_set_task_data (task, g_memdup2 (&template_id, sizeof template_id), g_free);
  turnout_store_run_in_thread (store, task, delete_worker);
}

gboolean
turnout_templates_delete_finish (TurnoutStore  *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_templates_delete_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
