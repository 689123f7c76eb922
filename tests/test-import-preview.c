/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import-preview"

#include "config.h"

#include <glib/gstdio.h>

#include "turnout-csv.h"
#include "turnout-import.h"
#include "turnout-store.h"
#include "turnout-test-utils.h"

/*
 * What the Import dialog builds on: the preview of a file as it will be
 * stored, imports on a worker with their progress on the main thread, and
 * the problems written as CSV.
 */

static GThread *main_thread;

static TurnoutStore *
fresh_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = turnout_test_tmp_path (name);
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  return store;
}

static GFile *
write_file (const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = turnout_test_tmp_path (name);

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  return g_file_new_for_path (path);
}

static gint64
count_contacts (TurnoutStore *store)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM contacts", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  turnout_store_release (store, db);
  return n;
}

static TurnoutImportOptions *
new_options (TurnoutImportKind kind)
{
  TurnoutImportOptions *options = turnout_import_options_new (kind);

  turnout_import_options_set_region (options, "US");
  turnout_import_options_set_time_zone (options, "America/New_York");
  return options;
}

static TurnoutImportPreview *
preview_file (GFile                *file,
              TurnoutImportOptions *options,
              guint                 max_rows)
{
  g_autoptr(GError) error = NULL;
  TurnoutImportPreview *preview = turnout_import_preview (file, options, max_rows, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (preview);
  return preview;
}

static int
field_index (TurnoutImportPreview *preview,
             TurnoutField          field)
{
  for (guint i = 0; i < preview->n_fields; i++)
    if (preview->fields[i] == field)
      return i;
  return -1;
}

static TurnoutImportPreviewCell *
cell (TurnoutImportPreview *preview,
      guint                 row_index,
      TurnoutField          field)
{
  TurnoutImportPreviewRow *row;
  int i = field_index (preview, field);

  if (i < 0)
    g_error ("the preview has no column for %s", turnout_field_get_id (field));
  g_assert_cmpuint (row_index, <, preview->rows->len);
  row = g_ptr_array_index (preview->rows, row_index);
  return &row->cells[i];
}

static TurnoutImportPreviewRow *
row_at (TurnoutImportPreview *preview,
        guint                 row_index)
{
  g_assert_cmpuint (row_index, <, preview->rows->len);
  return g_ptr_array_index (preview->rows, row_index);
}

static void
assert_cell (TurnoutImportPreview *preview,
             guint                 row_index,
             TurnoutField          field,
             const char           *value,
             const char           *problem_words)
{
  TurnoutImportPreviewCell *c = cell (preview, row_index, field);

  g_assert_cmpstr (c->value, ==, value);
  if (problem_words == NULL)
    g_assert_null (c->problem);
  else if (c->problem == NULL || strstr (c->problem, problem_words) == NULL)
    g_error ("row %u, %s: expected a problem with “%s”, got “%s”", row_index,
             turnout_field_get_id (field), problem_words, c->problem);
}

static const char eventbrite_csv[] =
  "Order #,Order Date,First Name,Last Name,Email,Cell Phone,Event Name,Event Date,"
  "Ticket Type,Total Paid,Attendee Status\n"
  "1001,2026-04-03 09:15:00-04:00,Cy,Vale,CY@Example.com,(650) 253-0002,Warehouse,"
  "2026-04-20 22:00,General Admission,30.00,Checked In\n"
  "1002,2026-04-03 09:20:00-04:00,Ana,Ruiz,ana@example.com,555,Warehouse,"
  "2026-04-20 22:00,VIP,\"$1,045.50\",Attending\n"
  "1003,2026-04-04 11:00:00-04:00,Dee,Lux,,,Warehouse,2026-04-20 22:00,"
  "General Admission,free,Attending\n"
  "1004,2026-04-05,Eve,Moss,eve@example.com,,,,General Admission,30.00,Refunded\n"
  "1005,2026-04-06,Fay,Orr,fay@example.com,,Warehouse,2026-04-20 22:00,VIP,45,maybe\n"
  "1006,2026-04-06,Gus,Park,gus@example.com,,Warehouse,2026-04-20 22:00,VIP,45,Attending\n";

static void
test_eventbrite_preview (void)
{
  g_autoptr(TurnoutImportOptions) options = new_options (TURNOUT_IMPORT_REGISTRATIONS);
  g_autoptr(GFile) file = write_file ("eventbrite.csv", eventbrite_csv, -1);
  g_autoptr(TurnoutImportPreview) preview = preview_file (file, options, 5);
  static const TurnoutField expected_columns[] = {
    TURNOUT_FIELD_IGNORE, TURNOUT_FIELD_REGISTERED_AT, TURNOUT_FIELD_FIRST_NAME,
    TURNOUT_FIELD_LAST_NAME, TURNOUT_FIELD_EMAIL, TURNOUT_FIELD_PHONE, TURNOUT_FIELD_EVENT_NAME,
    TURNOUT_FIELD_EVENT_START, TURNOUT_FIELD_TICKET_TYPE, TURNOUT_FIELD_AMOUNT,
    TURNOUT_FIELD_STATUS,
  };

  /* The columns, as guessed from Eventbrite's headers. */
  g_assert_false (preview->is_vcard);
  g_assert_cmpuint (preview->n_columns, ==, G_N_ELEMENTS (expected_columns));
  g_assert_cmpstr (preview->headers[5], ==, "Cell Phone");
  for (guint i = 0; i < preview->n_columns; i++)
    if (preview->columns[i] != expected_columns[i])
      g_error ("“%s” read as %s, expected %s", preview->headers[i],
               turnout_field_get_id (preview->columns[i]),
               turnout_field_get_id (expected_columns[i]));
  g_assert_cmpint (preview->delimiter, ==, ',');
  g_assert_cmpint (preview->encoding, ==, TURNOUT_CSV_ENCODING_UTF8);
  g_assert_null (preview->warning);
  g_assert_null (preview->cannot_import);
  /* The order number is not imported, so it has no stored column. */
  g_assert_cmpuint (preview->n_fields, ==, 10);
  g_assert_cmpint (field_index (preview, TURNOUT_FIELD_IGNORE), ==, -1);

  g_assert_cmpuint (preview->rows->len, ==, 5);
  g_assert_true (preview->more_rows);

  /* Values as they will be stored. */
  g_assert_cmpuint (row_at (preview, 0)->row, ==, 2);
  g_assert_cmpstr (row_at (preview, 0)->written[5], ==, "(650) 253-0002");
  assert_cell (preview, 0, TURNOUT_FIELD_PHONE, "+16502530002", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_EMAIL, "cy@example.com", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_STATUS, "attended", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_AMOUNT, "30.00", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_REGISTERED_AT, "2026-04-03 09:15 -04:00", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_EVENT_START, "2026-04-20 22:00 -04:00", NULL);
  g_assert_false (row_at (preview, 0)->skipped);
  g_assert_null (row_at (preview, 0)->row_problem);

  /* A bad phone: shown as written with the import's reason; the email
   * still identifies Ana, so her row is kept. */
  assert_cell (preview, 1, TURNOUT_FIELD_PHONE, "555", "too short");
  assert_cell (preview, 1, TURNOUT_FIELD_AMOUNT, "1045.50", NULL);
  assert_cell (preview, 1, TURNOUT_FIELD_STATUS, "registered", NULL);
  g_assert_false (row_at (preview, 1)->skipped);

  /* Nobody to import, and an amount that isn't one. */
  assert_cell (preview, 2, TURNOUT_FIELD_AMOUNT, "free", "not an amount");
  g_assert_true (row_at (preview, 2)->skipped);
  g_assert_nonnull (strstr (row_at (preview, 2)->row_problem, "neither a phone number"));

  /* No event named. */
  assert_cell (preview, 3, TURNOUT_FIELD_EVENT_NAME, "", "names no event");
  assert_cell (preview, 3, TURNOUT_FIELD_REGISTERED_AT, "2026-04-05 00:00 -04:00", NULL);
  g_assert_true (row_at (preview, 3)->skipped);
  g_assert_nonnull (strstr (row_at (preview, 3)->row_problem, "names no event"));

  assert_cell (preview, 4, TURNOUT_FIELD_STATUS, "maybe", "not a registration status");
  g_assert_false (row_at (preview, 4)->skipped);
}

/* Every problem the import reports for the previewed rows is in the
 * preview, in the same words, on the cell of its column or on its row. */
static void
test_preview_agrees_with_import (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutImportOptions) options = new_options (TURNOUT_IMPORT_REGISTRATIONS);
  g_autoptr(GFile) file = write_file ("eventbrite.csv", eventbrite_csv, -1);
  g_autoptr(TurnoutImportPreview) preview = preview_file (file, options, 100);
  g_autoptr(TurnoutImportResult) result = NULL;
  TurnoutStore *store = fresh_store ("agree.db");

  g_assert_false (preview->more_rows);
  result = turnout_import_csv (store, file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->skipped, ==, 2);

  /* And each problem of a cell is one the import reports for its row. */
  for (guint i = 0; i < preview->rows->len; i++)
    {
      TurnoutImportPreviewRow *row = row_at (preview, i);

      for (guint j = 0; j < preview->n_fields; j++)
        {
          gboolean found = row->cells[j].problem == NULL;

          for (guint k = 0; k < result->issues->len && !found; k++)
            {
              TurnoutImportIssue *issue = g_ptr_array_index (result->issues, k);

              found = issue->row == row->row && g_str_equal (issue->reason, row->cells[j].problem);
            }
          if (!found)
            g_error ("row %u: “%s” is a problem only in the preview", row->row,
                     row->cells[j].problem);
        }
    }

  for (guint i = 0; i < result->issues->len; i++)
    {
      TurnoutImportIssue *issue = g_ptr_array_index (result->issues, i);
      TurnoutImportPreviewRow *row = row_at (preview, issue->row - 2);
      gboolean found = FALSE;

      g_assert_cmpuint (row->row, ==, issue->row);
      if (row->row_problem != NULL && strstr (row->row_problem, issue->reason) != NULL)
        found = TRUE;
      for (guint j = 0; j < preview->n_fields && !found; j++)
        found = g_strcmp0 (row->cells[j].problem, issue->reason) == 0;
      if (!found)
        g_error ("row %u, %s: “%s” is not in the preview", issue->row, issue->column,
                 issue->reason);
    }
  turnout_test_finalize_object (store);
}

static void
test_mapping_changes_preview (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutImportOptions) options = new_options (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(GFile) file = write_file ("who.csv",
                                      "Who,Digits,Mail\n"
                                      "Ana María López,(650) 253-0000,ANA@Example.com\n", -1);
  g_autoptr(TurnoutImportPreview) guessed = preview_file (file, options, 20);
  g_autoptr(TurnoutImportPreview) mapped = NULL;
  g_autoptr(TurnoutImportPreview) unusable = NULL;
  g_autoptr(TurnoutImportPreview) refused = NULL;
  TurnoutField columns[] = { TURNOUT_FIELD_FULL_NAME, TURNOUT_FIELD_IGNORE,
                             TURNOUT_FIELD_IGNORE };

  /* Only “Mail” is recognised. */
  g_assert_cmpint (guessed->columns[0], ==, TURNOUT_FIELD_IGNORE);
  g_assert_cmpint (guessed->columns[1], ==, TURNOUT_FIELD_IGNORE);
  g_assert_cmpint (guessed->columns[2], ==, TURNOUT_FIELD_EMAIL);
  g_assert_cmpuint (guessed->n_fields, ==, 1);
  assert_cell (guessed, 0, TURNOUT_FIELD_EMAIL, "ana@example.com", NULL);

  /* Mapped by hand: the full name is split, the phone normalized. */
  g_assert_true (turnout_import_options_map (options, "Who", "full_name", &error));
  g_assert_true (turnout_import_options_map (options, "Digits", "phone", &error));
  g_assert_true (turnout_import_options_map (options, "Mail", "ignore", &error));
  mapped = preview_file (file, options, 20);
  g_assert_cmpint (mapped->columns[0], ==, TURNOUT_FIELD_FULL_NAME);
  g_assert_cmpint (mapped->columns[2], ==, TURNOUT_FIELD_IGNORE);
  g_assert_cmpuint (mapped->n_fields, ==, 3);
  g_assert_cmpint (field_index (mapped, TURNOUT_FIELD_EMAIL), ==, -1);
  assert_cell (mapped, 0, TURNOUT_FIELD_FIRST_NAME, "Ana María", NULL);
  assert_cell (mapped, 0, TURNOUT_FIELD_LAST_NAME, "López", NULL);
  assert_cell (mapped, 0, TURNOUT_FIELD_PHONE, "+16502530000", NULL);
  g_assert_null (mapped->cannot_import);

  /* Nothing identifies anyone: still a preview, with the import's reason. */
  g_assert_true (turnout_import_options_map (options, "Digits", "notes", &error));
  unusable = preview_file (file, options, 20);
  g_assert_false (turnout_import_check_columns (TURNOUT_IMPORT_CONTACTS, columns,
                                                G_N_ELEMENTS (columns), &error));
  g_assert_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NO_IDENTIFIER);
  g_assert_cmpstr (unusable->cannot_import, ==, error->message);
  g_clear_error (&error);
  assert_cell (unusable, 0, TURNOUT_FIELD_NOTES, "(650) 253-0000", NULL);
  g_assert_true (row_at (unusable, 0)->skipped);

  /* A mapping for a header the file lacks fails as the import does. */
  g_assert_true (turnout_import_options_map (options, "Cell", "phone", &error));
  refused = turnout_import_preview (file, options, 20, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_BAD_MAPPING);
}

static void
test_windows_1252_warning (void)
{
  g_autoptr(GError) error = NULL;
  /* “José;Müller” in Windows-1252, separated by semicolons as Excel does. */
  static const char bytes[] = "first_name;last_name;phone\r\nJos\xe9;M\xfcller;+16502530000\r\n";
  g_autoptr(GFile) file = write_file ("excel.csv", bytes, sizeof bytes - 1);
  g_autoptr(TurnoutImportOptions) options = new_options (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(TurnoutImportPreview) preview = preview_file (file, options, 20);
  g_autoptr(TurnoutImportResult) result = NULL;
  TurnoutStore *store = fresh_store ("excel.db");

  g_assert_cmpint (preview->encoding, ==, TURNOUT_CSV_ENCODING_WINDOWS_1252);
  g_assert_cmpint (preview->delimiter, ==, ';');
  g_assert_nonnull (preview->warning);
  g_assert_nonnull (strstr (preview->warning, "Windows-1252"));
  assert_cell (preview, 0, TURNOUT_FIELD_FIRST_NAME, "José", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_LAST_NAME, "Müller", NULL);

  /* The import says the same. */
  result = turnout_import_csv (store, file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->warning, ==, preview->warning);
  turnout_test_finalize_object (store);
}

static void
test_vcard_preview (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = write_file ("friends.txt",
                                      "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Ruiz\r\n"
                                      "TEL;TYPE=CELL:(650) 253-0000\r\nEMAIL:Ana@Example.com\r\n"
                                      "CATEGORIES:techno,house\r\nEND:VCARD\r\n"
                                      "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ben Ode\r\n"
                                      "TEL:12\r\nEND:VCARD\r\n"
                                      "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Vale;Cy;;;\r\n"
                                      "EMAIL:cy@example.com\r\nEND:VCARD\r\n", -1);
  g_autoptr(GFile) csv = write_file ("plain.csv", "first_name,phone\nAna,+16502530000\n", -1);
  g_autoptr(GFile) by_name = write_file ("x.vcf", "not even a card", -1);
  g_autoptr(TurnoutImportOptions) options = new_options (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(TurnoutImportOptions) registrations = new_options (TURNOUT_IMPORT_REGISTRATIONS);
  g_autoptr(TurnoutImportPreview) preview = NULL;
  TurnoutImportPreview *refused;

  /* Told apart by their first line, or by name. */
  g_assert_true (turnout_import_file_is_vcard (file, NULL));
  g_assert_true (turnout_import_file_is_vcard (by_name, NULL));
  g_assert_false (turnout_import_file_is_vcard (csv, NULL));

  preview = preview_file (file, options, 2);
  g_assert_true (preview->is_vcard);
  g_assert_cmpuint (preview->n_columns, ==, 0);
  g_assert_cmpuint (preview->rows->len, ==, 2);
  g_assert_true (preview->more_rows);
  g_assert_cmpuint (row_at (preview, 0)->row, ==, 1);
  assert_cell (preview, 0, TURNOUT_FIELD_FIRST_NAME, "Ana", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_LAST_NAME, "Ruiz", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_PHONE, "+16502530000", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_EMAIL, "ana@example.com", NULL);
  assert_cell (preview, 0, TURNOUT_FIELD_TAGS, "techno, house", NULL);
  /* Ben's only number is no number: his card is skipped, saying why. */
  assert_cell (preview, 1, TURNOUT_FIELD_PHONE, "12", "phone number");
  g_assert_true (row_at (preview, 1)->skipped);
  g_assert_nonnull (strstr (row_at (preview, 1)->row_problem, "neither a usable phone"));

  /* vCards hold no registrations. */
  refused = turnout_import_preview (file, registrations, 2, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NOT_REGISTRATIONS);
}

/* Imports on a worker ----------------------------------------------------- */

typedef struct
{
  guint         calls;
  guint         last_rows;
  guint64       last_total;
  GCancellable *cancel_on_first;
} Progress;

static void
on_progress (guint64  done,
             guint64  total,
             guint    rows,
             gpointer user_data)
{
  Progress *progress = user_data;

  /* The whole point: the dialog can touch its widgets here. */
  g_assert_true (g_thread_self () == main_thread);
  g_assert_cmpuint (rows, >=, progress->last_rows);
  g_assert_cmpuint (done, <=, total);
  progress->calls++;
  progress->last_rows = rows;
  progress->last_total = total;
  if (progress->cancel_on_first != NULL)
    g_cancellable_cancel (progress->cancel_on_first);
}

static GFile *
write_many_contacts (const char *name,
                     guint       n)
{
  g_autoptr(GString) csv = g_string_new ("first_name,phone,email\n");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (csv, "Fan %u,+1650%07u,fan%u@example.com\n", i, 2000000 + i, i);
  return write_file (name, csv->str, csv->len);
}

static void
test_async_run_progress_and_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = write_many_contacts ("many.csv", 60000);
  g_autoptr(GFile) more = write_many_contacts ("more.csv", 60000);
  g_autoptr(TurnoutImportOptions) options = new_options (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(GAsyncResult) previewed = NULL;
  g_autoptr(TurnoutImportResult) result = NULL;
  g_autoptr(TurnoutImportResult) none = NULL;
  g_autoptr(TurnoutImportPreview) preview = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Progress progress = { 0 };
  Progress cancelling = { 0 };
  TurnoutStore *store = fresh_store ("async.db");

  turnout_import_options_set_progress (options, on_progress, &progress);
  turnout_import_run_async (store, file, options, NULL, turnout_test_result_cb, &done);
  /* The options were copied: changing them now changes nothing. */
  turnout_import_options_set_region (options, "ZZ");
  result = turnout_import_run_finish (turnout_test_wait_result (&done), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->created, ==, 60000);
  g_assert_cmpuint (result->n_issues, ==, 0);
  g_assert_cmpuint (progress.calls, >=, 1);
  g_assert_cmpuint (progress.last_rows, >, 0);
  g_assert_cmpuint (progress.last_total, >, 0);
  g_assert_cmpint (count_contacts (store), ==, 60000);

  /* Cancelled as soon as it reports progress: nothing of it is stored. */
  cancelling.cancel_on_first = cancellable;
  turnout_import_options_set_region (options, "US");
  turnout_import_options_set_progress (options, on_progress, &cancelling);
  turnout_import_run_async (store, more, options, cancellable, turnout_test_result_cb, &cancelled);
  none = turnout_import_run_finish (turnout_test_wait_result (&cancelled), &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (cancelling.calls, ==, 1);
  g_assert_cmpint (count_contacts (store), ==, 60000);

  /* The preview on a worker. */
  turnout_import_preview_async (more, options, 20, NULL, turnout_test_result_cb, &previewed);
  preview = turnout_import_preview_finish (turnout_test_wait_result (&previewed), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (preview->rows->len, ==, 20);
  g_assert_true (preview->more_rows);
  assert_cell (preview, 0, TURNOUT_FIELD_PHONE, "+16502000000", NULL);

  /* The tasks hold the store in their data. */
  g_clear_object (&done);
  g_clear_object (&cancelled);
  turnout_test_finalize_object (store);
}

static void
test_async_vcard_as_registrations (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = write_file ("one.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\n"
                                                 "TEL:+16502530000\r\nEND:VCARD\r\n", -1);
  g_autoptr(TurnoutImportOptions) contacts = new_options (TURNOUT_IMPORT_CONTACTS);
  g_autoptr(TurnoutImportOptions) registrations = new_options (TURNOUT_IMPORT_REGISTRATIONS);
  g_autoptr(GAsyncResult) refused = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(TurnoutImportResult) none = NULL;
  g_autoptr(TurnoutImportResult) result = NULL;
  TurnoutStore *store = fresh_store ("vcard-async.db");

  turnout_import_run_async (store, file, registrations, NULL, turnout_test_result_cb, &refused);
  none = turnout_import_run_finish (turnout_test_wait_result (&refused), &error);
  g_assert_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NOT_REGISTRATIONS);
  g_assert_cmpint (count_contacts (store), ==, 0);

  turnout_import_run_async (store, file, contacts, NULL, turnout_test_result_cb, &done);
  result = turnout_import_run_finish (turnout_test_wait_result (&done), NULL);
  g_assert_nonnull (result);
  g_assert_cmpuint (result->created, ==, 1);
  g_assert_cmpint (count_contacts (store), ==, 1);
  g_clear_object (&refused);
  g_clear_object (&done);
  turnout_test_finalize_object (store);
}

static void
test_issues_csv (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutImportOptions) options = new_options (TURNOUT_IMPORT_REGISTRATIONS);
  g_autoptr(GFile) file = write_file ("eventbrite.csv", eventbrite_csv, -1);
  g_autoptr(GFile) out = NULL;
  g_autoptr(GFile) out_async = NULL;
  g_autoptr(TurnoutImportResult) result = NULL;
  g_autoptr(TurnoutImportResult) copy = NULL;
  g_autoptr(GAsyncResult) written = NULL;
  g_autofree char *path = turnout_test_tmp_path ("problems.csv");
  g_autofree char *path_async = turnout_test_tmp_path ("problems-async.csv");
  TurnoutStore *store = fresh_store ("issues.db");
  const char *paths[] = { path, path_async };

  result = turnout_import_csv (store, file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->issues->len, >=, 4);
  /* A reason that a spreadsheet would run as a formula. */
  {
    TurnoutImportIssue *issue = g_new0 (TurnoutImportIssue, 1);

    issue->row = 99;
    issue->reason = g_strdup ("=HYPERLINK(\"x\")");
    g_ptr_array_add (result->issues, issue);
  }

  out = g_file_new_for_path (path);
  g_assert_true (turnout_import_result_write_issues_csv (result, out, NULL, &error));
  g_assert_no_error (error);

  /* On a worker, from a copy: the caller may free the result at once. */
  copy = turnout_import_result_copy (result);
  out_async = g_file_new_for_path (path_async);
  turnout_import_result_write_issues_csv_async (copy, out_async, NULL, turnout_test_result_cb,
                                                &written);
  g_clear_pointer (&copy, turnout_import_result_free);
  g_assert_true (turnout_import_result_write_issues_csv_finish (turnout_test_wait_result (&written),
                                                                &error));
  g_assert_no_error (error);

  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    {
      g_autoptr(GFile) csv = g_file_new_for_path (paths[p]);
      g_autoptr(GFileInputStream) input = g_file_read (csv, NULL, &error);
      g_autoptr(TurnoutCsvReader) reader = NULL;
      g_auto(GStrv) header = NULL;
      g_auto(GStrv) past_end = NULL;

      g_assert_no_error (error);
      reader = turnout_csv_reader_new (G_INPUT_STREAM (input), NULL, &error);
      g_assert_no_error (error);
      g_assert_true (turnout_csv_reader_next (reader, &header, NULL, &error));
      g_assert_cmpstrv (header, ((const char * const[]) { "row", "column", "reason", NULL }));
      for (guint i = 0; i < result->issues->len; i++)
        {
          TurnoutImportIssue *issue = g_ptr_array_index (result->issues, i);
          g_auto(GStrv) fields = NULL;
          g_autofree char *row = g_strdup_printf ("%u", issue->row);
          g_autofree char *reason = NULL;

          g_assert_true (turnout_csv_reader_next (reader, &fields, NULL, &error));
          g_assert_cmpuint (g_strv_length (fields), ==, 3);
          g_assert_cmpstr (fields[0], ==, row);
          g_assert_cmpstr (fields[1], ==, issue->column != NULL ? issue->column : "");
          reason = turnout_csv_unneutralize_cell (fields[2]);
          g_assert_cmpstr (reason, ==, issue->reason);
        }
      g_assert_false (turnout_csv_reader_next (reader, &past_end, NULL, &error));
      g_assert_no_error (error);
    }
  {
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_null (strstr (text, "\n99,,=HYPERLINK"));
  }
  turnout_test_finalize_object (store);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/import-preview/eventbrite", test_eventbrite_preview);
  g_test_add_func ("/import-preview/agrees-with-import", test_preview_agrees_with_import);
  g_test_add_func ("/import-preview/mapping", test_mapping_changes_preview);
  g_test_add_func ("/import-preview/windows-1252", test_windows_1252_warning);
  g_test_add_func ("/import-preview/vcard", test_vcard_preview);
  g_test_add_func ("/import-run/progress-and-cancel", test_async_run_progress_and_cancel);
  g_test_add_func ("/import-run/vcard-kind", test_async_vcard_as_registrations);
  g_test_add_func ("/import-run/issues-csv", test_issues_csv);

  return g_test_run ();
}
