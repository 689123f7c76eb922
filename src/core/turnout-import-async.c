/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-import"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-csv.h"
#include "turnout-import.h"
#include "turnout-store.h"

/*
 * The import for the window: the preview and the import itself on worker
 * threads, with progress handed to the main context, and the problems of
 * an import written as CSV. turnout-import.c does the work; this file only
 * moves it off the caller's thread.
 */

typedef struct
{
  GFile                *file;
  TurnoutImportOptions *options;
  guint                 max_rows;
} PreviewData;

static void
preview_data_free (PreviewData *data)
{
  g_object_unref (data->file);
  turnout_import_options_free (data->options);
  g_free (data);
}

static void
preview_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PreviewData *data = task_data;
  GError *error = NULL;
  TurnoutImportPreview *preview;

  preview = turnout_import_preview (data->file, data->options, data->max_rows, cancellable,
                                    &error);
  if (preview == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, preview, (GDestroyNotify) turnout_import_preview_free);
}

/**
 * turnout_import_preview_async:
 * @options: copied, so the caller may change or free it at once
 *
 * Runs turnout_import_preview() on a worker.
 */
void
turnout_import_preview_async (GFile                *file,
                              TurnoutImportOptions *options,
                              guint                 max_rows,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  PreviewData *data;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (options != NULL);

  data = g_new0 (PreviewData, 1);
  data->file = g_object_ref (file);
  data->options = turnout_import_options_copy (options);
  data->max_rows = max_rows;
  /* A preview reports no progress. */
  turnout_import_options_set_progress (data->options, NULL, NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_import_preview_async);
  g_task_set_task_data (task, data, (GDestroyNotify) preview_data_free);
  g_task_run_in_thread (task, preview_worker);
}

/**
 * turnout_import_preview_finish:
 *
 * Returns: (transfer full): the preview, or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED when it was cancelled).
 */
TurnoutImportPreview *
turnout_import_preview_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_import_preview_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Importing on a worker ------------------------------------------------- */

/* Carries the progress of an import on a worker to the caller's main
 * context: at most ten times a second, with never more than one report
 * queued, and none after the import has ended (a report queued just before
 * the end would otherwise arrive after the completion callback, when the
 * caller may have let go of its user data). */
typedef struct
{
  gatomicrefcount        ref;
  GMainContext          *context;
  TurnoutImportProgress  callback;
  gpointer               user_data;
  GMutex                 mutex;
  guint64                bytes_done;   /* under the mutex */
  guint64                bytes_total;  /* under the mutex */
  guint                  rows;         /* under the mutex */
  gint64                 last_sent;    /* worker only */
  int                    queued;       /* atomic */
  int                    finished;     /* atomic */
} ProgressRelay;

#define PROGRESS_INTERVAL (G_USEC_PER_SEC / 10)

static ProgressRelay *
progress_relay_ref (ProgressRelay *relay)
{
  g_atomic_ref_count_inc (&relay->ref);
  return relay;
}

static void
progress_relay_unref (ProgressRelay *relay)
{
  if (!g_atomic_ref_count_dec (&relay->ref))
    return;
  g_main_context_unref (relay->context);
  g_mutex_clear (&relay->mutex);
  g_free (relay);
}

static gboolean
deliver_progress (gpointer user_data)
{
  ProgressRelay *relay = user_data;
  guint64 done, total;
  guint rows;

  g_atomic_int_set (&relay->queued, 0);
  g_mutex_lock (&relay->mutex);
  done = relay->bytes_done;
  total = relay->bytes_total;
  rows = relay->rows;
  g_mutex_unlock (&relay->mutex);
  if (!g_atomic_int_get (&relay->finished))
    relay->callback (done, total, rows, relay->user_data);
  return G_SOURCE_REMOVE;
}

static void
relay_progress (guint64  bytes_done,
                guint64  bytes_total,
                guint    rows,
                gpointer user_data)
{
  ProgressRelay *relay = user_data;
  gint64 now = g_get_monotonic_time ();

  if (relay->last_sent != 0 && now - relay->last_sent < PROGRESS_INTERVAL)
    return;
  relay->last_sent = now;

  g_mutex_lock (&relay->mutex);
  relay->bytes_done = bytes_done;
  relay->bytes_total = bytes_total;
  relay->rows = rows;
  g_mutex_unlock (&relay->mutex);
  /* An idle source, not g_main_context_invoke(): that would run the
   * callback right here whenever the caller's context is the global
   * default one and nobody iterates it at this moment. */
  if (g_atomic_int_compare_and_exchange (&relay->queued, 0, 1))
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, deliver_progress, progress_relay_ref (relay),
                             (GDestroyNotify) progress_relay_unref);
      g_source_set_static_name (source, "[turnout] import progress");
      g_source_attach (source, relay->context);
    }
}

typedef struct
{
  TurnoutStore         *store;
  GFile                *file;
  TurnoutImportOptions *options;
  ProgressRelay        *relay;   /* NULL without a progress callback */
} RunData;

static void
run_data_free (RunData *data)
{
  g_object_unref (data->store);
  g_object_unref (data->file);
  turnout_import_options_free (data->options);
  g_clear_pointer (&data->relay, progress_relay_unref);
  g_free (data);
}

static void
run_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *data = task_data;
  TurnoutImportResult *result = NULL;
  GError *error = NULL;

  if (!turnout_import_file_is_vcard (data->file, cancellable))
    result = turnout_import_csv (data->store, data->file, data->options, cancellable, &error);
  else
    result = turnout_import_vcard (data->store, data->file, data->options, cancellable, &error);

  if (data->relay != NULL)
    g_atomic_int_set (&data->relay->finished, 1);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) turnout_import_result_free);
}

/**
 * turnout_import_run_async:
 * @store: where to import
 * @file: a CSV or vCard file (told apart with turnout_import_file_is_vcard())
 * @options: copied, so the caller may change or free it at once
 * @cancellable: (nullable): cancels the import, which then rolls back
 *
 * Runs turnout_import_csv() or turnout_import_vcard() on a worker. The
 * options' progress callback, if any, is called on the thread-default main
 * context of the caller, not on the worker: at most ten times a second,
 * and never after @callback has been called, so its user data need only
 * live as long as the call.
 *
 * Cancelling while the import is being committed cannot undo it: the
 * result says what really happened, so turnout_import_run_finish() gives
 * the result, not %G_IO_ERROR_CANCELLED, for an import that got stored.
 */
void
turnout_import_run_async (TurnoutStore         *store,
                          GFile                *file,
                          TurnoutImportOptions *options,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  TurnoutImportProgress progress;
  gpointer progress_data;
  RunData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (options != NULL);

  data = g_new0 (RunData, 1);
  data->store = g_object_ref (store);
  data->file = g_object_ref (file);
  data->options = turnout_import_options_copy (options);
  turnout_import_options_get_progress (options, &progress, &progress_data);
  if (progress != NULL)
    {
      data->relay = g_new0 (ProgressRelay, 1);
      g_atomic_ref_count_init (&data->relay->ref);
      g_mutex_init (&data->relay->mutex);
      data->relay->context = g_main_context_ref_thread_default ();
      data->relay->callback = progress;
      data->relay->user_data = progress_data;
      turnout_import_options_set_progress (data->options, relay_progress, data->relay);
    }

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_import_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  /* What the worker returns is the truth: a late cancel doesn't undo a commit. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, run_worker);
}

/**
 * turnout_import_run_finish:
 *
 * Returns: (transfer full): what was imported, or %NULL with @error set;
 *   %G_IO_ERROR_CANCELLED means nothing was imported.
 */
TurnoutImportResult *
turnout_import_run_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_import_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The problems as a file ------------------------------------------------- */

/**
 * turnout_import_result_write_issues_csv:
 * @file: where to write; replaced if it exists
 *
 * Writes the problems of an import as CSV with the columns row, column and
 * reason, cells neutralized against spreadsheet formulas. Blocks.
 *
 * Returns: %TRUE when written, else %FALSE with @error set.
 */
gboolean
turnout_import_result_write_issues_csv (TurnoutImportResult  *result,
                                        GFile                *file,
                                        GCancellable         *cancellable,
                                        GError              **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char * const header[] = { "row", "column", "reason", NULL };

  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  turnout_csv_append_row (out, header, -1);
  for (guint i = 0; result->issues != NULL && i < result->issues->len; i++)
    {
      TurnoutImportIssue *issue = g_ptr_array_index (result->issues, i);
      g_autofree char *row = g_strdup_printf ("%u", issue->row);
      const char *cells[] = { row, issue->column ? issue->column : "", issue->reason, NULL };

      turnout_csv_append_row (out, cells, -1);
    }
  return g_file_replace_contents (file, out->str, out->len, NULL, FALSE, G_FILE_CREATE_NONE,
                                  NULL, cancellable, error);
}

typedef struct
{
  TurnoutImportResult *result;
  GFile               *file;
} WriteIssuesData;

static void
write_issues_data_free (WriteIssuesData *data)
{
  turnout_import_result_free (data->result);
  g_object_unref (data->file);
  g_free (data);
}

static void
write_issues_worker (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  WriteIssuesData *data = task_data;
  GError *error = NULL;

  if (turnout_import_result_write_issues_csv (data->result, data->file, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * turnout_import_result_write_issues_csv_async:
 * @result: copied, so the caller may free it at once
 *
 * Runs turnout_import_result_write_issues_csv() on a worker.
 */
void
turnout_import_result_write_issues_csv_async (TurnoutImportResult *result,
                                              GFile               *file,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteIssuesData *data;

  g_return_if_fail (result != NULL);
  g_return_if_fail (G_IS_FILE (file));

  data = g_new0 (WriteIssuesData, 1);
  data->result = turnout_import_result_copy (result);
  data->file = g_object_ref (file);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_import_result_write_issues_csv_async);
  g_task_set_task_data (task, data, (GDestroyNotify) write_issues_data_free);
  g_task_run_in_thread (task, write_issues_worker);
}

gboolean
turnout_import_result_write_issues_csv_finish (GAsyncResult  *result,
                                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_import_result_write_issues_csv_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
