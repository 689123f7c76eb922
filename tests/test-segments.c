/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "turnout-contact.h"
#include "turnout-segments.h"
#include "turnout-store.h"
#include "turnout-test-db.h"
#include "turnout-test-utils.h"

/* Saved segments as the Segments pane uses them: listing, saving a new one
 * (never over another), renaming (and the rules that name it), what uses
 * one, deleting (refused while other segments are built on it), and the
 * sample of contacts by name. Every write that fails leaves the table as
 * it was. */

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

static char *
dump_segments (TurnoutStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GString *dump = g_string_new (NULL);
  sqlite3 *db = turnout_store_acquire (store, &error);

  g_assert_no_error (error);
  stmt = turnout_db_prepare (db, "SELECT name, rules FROM segments ORDER BY name", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (dump, "%s=%s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1));
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (store, db);
  return g_string_free (dump, FALSE);
}

static TurnoutSegment *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  TurnoutSegment *segment = turnout_segment_new_from_json (json, &error);

  g_assert_no_error (error);
  return segment;
}

static TurnoutSavedSegment *
save (TurnoutStore    *store,
      const char      *old_name,
      const char      *name,
      TurnoutSegment  *segment,
      GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_segments_save_async (store, old_name, name, segment, NULL, turnout_test_result_cb,
                               &result);
  return turnout_segments_save_finish (store, turnout_test_wait_result (&result), error);
}

static char **
users (TurnoutStore *store,
       const char   *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char **list;

  turnout_segments_dup_users_async (store, name, NULL, turnout_test_result_cb, &result);
  list = turnout_segments_dup_users_finish (store, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return list;
}

static gboolean
delete (TurnoutStore  *store,
        const char    *name,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_segments_delete_async (store, name, NULL, turnout_test_result_cb, &result);
  return turnout_segments_delete_finish (store, turnout_test_wait_result (&result), error);
}

#define LOCALS "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"city\",\"op\":\"is\"," \
               "\"value\":\"Leeds\"}]}"
#define IN(name) "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"in_segment\"," \
                 "\"op\":\"is\",\"value\":\"" name "\"},{\"match\":\"any\",\"rules\":[" \
                 "{\"field\":\"in_segment\",\"op\":\"is\",\"value\":\"" name "\"}]}]}"

static void
test_save_and_list (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("save.db");
  g_autoptr(TurnoutSegment) locals = parse (LOCALS);
  g_autoptr(TurnoutSegment) everyone = parse ("{\"version\":1,\"match\":\"all\",\"rules\":[]}");
  g_autoptr(TurnoutSavedSegment) saved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  TurnoutSavedSegment *item;

  saved = save (store, NULL, "  Locals ", locals, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (turnout_saved_segment_get_name (saved), ==, "Locals");
  g_assert_cmpint (turnout_saved_segment_get_id (saved), >, 0);
  g_assert_cmpint (turnout_saved_segment_get_count (saved), ==, -1);
  g_clear_object (&saved);
  saved = save (store, NULL, "everyone", everyone, &error);
  g_assert_no_error (error);
  g_clear_object (&saved);

  /* A new segment never replaces another of the same name. */
  before = dump_segments (store);
  g_assert_null (save (store, NULL, "Locals", everyone, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "“Locals” already exists"));
  g_clear_error (&error);
  g_assert_null (save (store, NULL, "   ", everyone, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID);
  g_clear_error (&error);
  after = dump_segments (store);
  g_assert_cmpstr (before, ==, after);

  /* Listed in name order ignoring case, each with its rules. */
  turnout_segments_list_async (store, NULL, turnout_test_result_cb, &result);
  list = turnout_segments_list_finish (store, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  item = g_list_model_get_item (list, 0);
  g_assert_cmpstr (turnout_saved_segment_get_name (item), ==, "everyone");
  g_object_unref (item);
  item = g_list_model_get_item (list, 1);
  g_assert_cmpstr (turnout_saved_segment_get_name (item), ==, "Locals");
  {
    g_autofree char *json = turnout_segment_to_json (turnout_saved_segment_get_segment (item));
    g_assert_nonnull (strstr (json, "Leeds"));
  }
  g_assert_cmpstr (turnout_saved_segment_get_count_label (item), ==, "Counting…");
  turnout_saved_segment_set_count (item, 1204);
  {
    /* Grouped as the locale groups thousands ("1,204" in English). */
    g_autofree char *expected = g_strdup_printf ("%'d contacts", 1204);
    g_assert_cmpstr (turnout_saved_segment_get_count_label (item), ==, expected);
  }
  turnout_saved_segment_set_count (item, 1);
  g_assert_cmpstr (turnout_saved_segment_get_count_label (item), ==, "1 contact");
  turnout_saved_segment_set_count_error (item, "interrupted");
  g_assert_cmpstr (turnout_saved_segment_get_count_label (item), ==, "Could not count");
  g_object_unref (item);
}

static void
test_rename (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("rename.db");
  g_autoptr(TurnoutSegment) locals = parse (LOCALS);
  g_autoptr(TurnoutSegment) in_locals = parse (IN ("Locals"));
  g_autoptr(TurnoutSegment) circle = parse (IN ("Locals fans"));
  g_autoptr(TurnoutSavedSegment) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *dump = NULL;

  g_clear_object (&saved);
  saved = save (store, NULL, "Locals", locals, &error);
  g_assert_no_error (error);
  g_clear_object (&saved);
  saved = save (store, NULL, "Locals fans", in_locals, &error);
  g_assert_no_error (error);
  g_clear_object (&saved);

  /* Renaming "Locals" renames it in the rules built on it, both places. */
  saved = save (store, "Locals", "Leeds crowd", locals, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (turnout_saved_segment_get_name (saved), ==, "Leeds crowd");
  g_clear_object (&saved);
  dump = dump_segments (store);
  g_assert_null (strstr (dump, "\"Locals\""));
  g_assert_nonnull (strstr (dump, "Locals fans={\"version\":1,\"match\":\"all\",\"rules\":"
                                  "[{\"field\":\"in_segment\",\"op\":\"is\",\"value\":\"Leeds crowd\"},"
                                  "{\"match\":\"any\",\"rules\":[{\"field\":\"in_segment\","
                                  "\"op\":\"is\",\"value\":\"Leeds crowd\"}]}]}"));

  /* Refused, with nothing written: renaming onto another's name, a rule
   * going round in a circle, a segment that is gone. */
  before = dump_segments (store);
  g_assert_null (save (store, "Leeds crowd", "Locals fans", locals, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (save (store, "Leeds crowd", "Leeds", circle, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_CYCLE);
  g_clear_error (&error);
  g_assert_null (save (store, "Gone", "Back", locals, &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  after = dump_segments (store);
  g_assert_cmpstr (before, ==, after);

  /* Saving under its own name keeps its id and takes the new rules. */
  saved = save (store, "Leeds crowd", "Leeds crowd", locals, &error);
  g_assert_cmpstr (turnout_saved_segment_get_name (saved), ==, "Leeds crowd");
  g_assert_no_error (error);
}

static void
test_users_and_delete (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("delete.db");
  g_autoptr(TurnoutSegment) locals = parse (LOCALS);
  g_autoptr(TurnoutSegment) in_locals = parse (IN ("Locals"));
  g_autoptr(TurnoutSavedSegment) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) list = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  saved = save (store, NULL, "Locals", locals, &error);
  g_assert_no_error (error);
  g_clear_object (&saved);
  saved = save (store, NULL, "Locals fans", in_locals, &error);
  g_assert_no_error (error);
  g_clear_object (&saved);
  turnout_test_exec_sql (store, "INSERT INTO campaigns (name, channel, segment_id, created_at, updated_at)"
               " SELECT 'Summer Opening', 'sms', id, 0, 0 FROM segments WHERE name = 'Locals';"
               "INSERT INTO automations (name, trigger, segment_id, created_at, updated_at)"
               " SELECT 'Reminder', 'before_event', id, 0, 0 FROM segments WHERE name = 'Locals';");

  list = users (store, "Locals");
  g_assert_cmpuint (g_strv_length (list), ==, 3);
  g_assert_cmpstr (list[0], ==, "the campaign “Summer Opening”");
  g_assert_cmpstr (list[1], ==, "the automation “Reminder”");
  g_assert_cmpstr (list[2], ==, "the segment “Locals fans”");
  g_clear_pointer (&list, g_strfreev);
  list = users (store, "Locals fans");
  g_assert_cmpuint (g_strv_length (list), ==, 0);

  /* Refused while another segment is built on it, naming that one. */
  before = dump_segments (store);
  g_assert_false (delete (store, "Locals", &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, "“Locals fans”"));
  g_clear_error (&error);
  g_assert_false (delete (store, "Nobody", &error));
  g_assert_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  after = dump_segments (store);
  g_assert_cmpstr (before, ==, after);

  /* Deleted from the top down; the campaign is left without an audience. */
  g_assert_true (delete (store, "Locals fans", &error));
  g_assert_no_error (error);
  g_assert_true (delete (store, "Locals", &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = dump_segments (store);
  g_assert_cmpstr (after, ==, "");
}

static void
test_sample_contacts (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("sample.db");
  g_autoptr(TurnoutSegment) locals = parse (LOCALS);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) contacts = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = { "Ada Byron", "ben Corr", "Cy Corr" };

  turnout_test_exec_sql (store, "INSERT INTO contacts (first_name, last_name, city, total_spend, created_at,"
               " updated_at) VALUES"
               " ('Cy', 'Corr', 'Leeds', 0, 0, 0), ('Zed', 'Adams', 'York', 0, 0, 0),"
               " ('ben', 'Corr', 'leeds', 0, 0, 0), ('Ada', 'Byron', 'Leeds', 0, 0, 0),"
               " ('Dee', 'Zane', 'Leeds', 0, 0, 0)");
  turnout_segments_sample_contacts_async (store, locals, 3, "EUR", NULL, turnout_test_result_cb,
                                          &result);
  contacts = turnout_segments_sample_contacts_finish (store, turnout_test_wait_result (&result),
                                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (contacts), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(TurnoutContact) contact = g_list_model_get_item (contacts, i);

      g_assert_cmpstr (turnout_contact_get_display_name (contact), ==, expected[i]);
    }
}

static void
test_list_tags (void)
{
  g_autoptr(TurnoutStore) store = open_fresh_store ("tags.db");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;
  g_autofree char *joined = NULL;

  /* Tags and genres together, for the tags rule's completion, by name. */
  turnout_test_exec_sql (store, "INSERT INTO tags (name, kind) VALUES ('techno', 'genre'),"
                                " ('VIP', 'tag'), ('ambient', 'genre'), ('door list', 'tag')");
  turnout_segments_list_tags_async (store, NULL, turnout_test_result_cb, &result);
  tags = turnout_segments_list_tags_finish (store, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  joined = g_strjoinv ("|", tags);
  g_assert_cmpstr (joined, ==, "ambient|door list|techno|VIP");
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/segments/save-and-list", test_save_and_list);
  g_test_add_func ("/segments/rename", test_rename);
  g_test_add_func ("/segments/users-and-delete", test_users_and_delete);
  g_test_add_func ("/segments/sample-contacts", test_sample_contacts);
  g_test_add_func ("/segments/list-tags", test_list_tags);

  return g_test_run ();
}
