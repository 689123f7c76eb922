/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "turnout-store.h"
#include "turnout-test-db.h"
#include "turnout-test-utils.h"

/* Runs the built turnout-cli as a user would, and checks what it prints and
 * its exit status. */

typedef TurnoutTestRun Run;

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, turnout_test_run_clear)

#define cli(...) turnout_test_cli (NULL, __VA_ARGS__)

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
new_path (const char *name)
{
  g_autofree char *path = turnout_test_tmp_path (name);

  g_unlink (path);
  return g_steal_pointer (&path);
}

static void
test_version_and_help (void)
{
  g_auto(Run) version = cli ("--version", NULL);
  g_auto(Run) help = cli ("--help", NULL);
  g_auto(Run) nothing = cli (NULL, NULL);
  g_auto(Run) unknown = cli ("frobnicate", NULL);

  g_assert_cmpint (version.status, ==, 0);
  g_assert_true (g_str_has_prefix (version.out, "turnout-cli "));
  g_assert_nonnull (strstr (version.out, PACKAGE_VERSION));

  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "--db"));
  g_assert_nonnull (strstr (help.out, "--json"));
  g_assert_nonnull (strstr (help.out, "--now"));
  g_assert_nonnull (strstr (help.out, "doctor"));
  g_assert_nonnull (strstr (help.out, "config list"));

  g_assert_cmpint (nothing.status, ==, 2);
  g_assert_nonnull (strstr (nothing.err, "Usage"));

  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "unknown command “frobnicate”"));
}

static void
test_doctor_new_file (void)
{
  g_autofree char *path = new_path ("doctor.db");
  g_auto(Run) json = cli ("--db", path, "--json", "doctor", NULL);
  g_auto(Run) text = cli ("--db", path, "doctor", NULL);
  g_autoptr(JsonObject) root = NULL;
  JsonObject *tables;

  g_assert_cmpint (json.status, ==, 0);
  root = parse_object (json.out);
  g_assert_true (json_object_get_boolean_member (root, "ok"));
  g_assert_cmpstr (json_object_get_string_member (root, "path"), ==, path);
  g_assert_cmpint (json_object_get_int_member (root, "schema_version"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (root, "schema_version"), ==,
                   json_object_get_int_member (root, "latest_schema_version"));
  g_assert_cmpstr (json_object_get_string_member (root, "integrity"), ==, "ok");
  g_assert_cmpint (json_object_get_int_member (root, "size_bytes"), >, 0);
  tables = json_object_get_object_member (root, "tables");
  g_assert_cmpint (json_object_get_size (tables), ==, 15);
  g_assert_cmpint (json_object_get_int_member (tables, "contacts"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (tables, "messages"), ==, 0);

  g_assert_cmpint (text.status, ==, 0);
  {
    g_autofree char *expected = g_strdup_printf ("Schema version: %d (this Turnout: %d)",
                                                 turnout_store_latest_version (),
                                                 turnout_store_latest_version ());
    g_assert_nonnull (strstr (text.out, expected));
  }
  g_assert_nonnull (strstr (text.out, "Integrity: ok"));
  g_assert_nonnull (strstr (text.out, "contacts"));
}

static void
test_doctor_counts_rows (void)
{
  g_autofree char *path = new_path ("counted.db");
  g_auto(Run) create = cli ("--db", path, "doctor", NULL);
  g_auto(Run) again = { 0 };
  g_autoptr(JsonObject) root = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (create.status, ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO contacts (first_name, created_at, updated_at)"
                                 " VALUES ('Ana', 0, 0), ('Ben', 0, 0), ('Cy', 0, 0);"
                                 "INSERT INTO tags (name) VALUES ('house');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  again = cli ("--json", "--db", path, "doctor", NULL);
  g_assert_cmpint (again.status, ==, 0);
  root = parse_object (again.out);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "tables"),
                                               "contacts"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "tables"),
                                               "tags"), ==, 1);
}

static void
assert_doctor_refuses (const char *path,
                       const char *code,
                       const char *words)
{
  g_autoptr(GBytes) before = turnout_test_read_file (path);
  g_autoptr(GBytes) after = NULL;
  g_auto(Run) json = cli ("--db", path, "--json", "doctor", NULL);
  g_auto(Run) text = cli ("--db", path, "doctor", NULL);
  g_autoptr(JsonObject) root = NULL;
  JsonObject *error;

  g_assert_cmpint (json.status, ==, 1);
  root = parse_object (json.out);
  g_assert_false (json_object_get_boolean_member (root, "ok"));
  error = json_object_get_object_member (root, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), words));

  g_assert_cmpint (text.status, ==, 1);
  g_assert_cmpstr (text.out, ==, "");
  g_assert_true (g_str_has_prefix (text.err, "turnout-cli: "));
  g_assert_nonnull (strstr (text.err, path));
  g_assert_nonnull (strstr (text.err, words));

  after = turnout_test_read_file (path);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_doctor_foreign_file (void)
{
  g_autofree char *path = new_path ("contacts.csv");

  g_assert_true (g_file_set_contents (path, "name,phone\nAna,+15551230001\n", -1, NULL));
  assert_doctor_refuses (path, "not-turnout", "not a Turnout database");
}

static void
test_doctor_newer_file (void)
{
  g_autofree char *path = new_path ("future.db");
  g_auto(Run) create = cli ("--db", path, "doctor", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (create.status, ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 42;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  assert_doctor_refuses (path, "too-new", "newer Turnout");
}

static void
test_config (void)
{
  g_autofree char *path = new_path ("config.db");
  g_auto(Run) set = cli ("--db", path, "config", "set", "twilio.from", "+15551234567", NULL);
  g_auto(Run) get = cli ("--db", path, "config", "get", "twilio.from", NULL);
  g_auto(Run) get_default = cli ("--db", path, "--json", "config", "get", "sms.rate", NULL);
  g_auto(Run) bad = cli ("--db", path, "config", "set", "sms.rate", "fast", NULL);
  g_auto(Run) bad_json = cli ("--db", path, "--json", "config", "set", "smtp.port", "0", NULL);
  g_auto(Run) unknown = cli ("--db", path, "config", "get", "sms.speed", NULL);
  g_auto(Run) missing = cli ("--db", path, "config", "set", "sms.rate", NULL);
  g_auto(Run) list = cli ("--db", path, "config", "list", NULL);
  g_auto(Run) list_json = cli ("--db", path, "--json", "config", "list", NULL);
  g_auto(Run) unset = { 0 };
  g_auto(Run) after_unset = { 0 };
  g_autoptr(JsonObject) value = NULL;
  g_autoptr(JsonObject) error_root = NULL;
  g_autoptr(JsonObject) listed = NULL;
  JsonArray *settings;
  gboolean found = FALSE;

  g_assert_cmpint (set.status, ==, 0);
  g_assert_cmpstr (set.out, ==, "+15551234567\n");
  g_assert_cmpint (get.status, ==, 0);
  g_assert_cmpstr (get.out, ==, "+15551234567\n");

  g_assert_cmpint (get_default.status, ==, 0);
  value = parse_object (get_default.out);
  g_assert_cmpstr (json_object_get_string_member (value, "key"), ==, "sms.rate");
  g_assert_cmpstr (json_object_get_string_member (value, "value"), ==, "1");
  g_assert_true (json_object_get_boolean_member (value, "is_default"));

  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "sms.rate: “fast” is not a number"));
  g_assert_cmpint (bad_json.status, ==, 2);
  error_root = parse_object (bad_json.out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error_root,
                                                                                 "error"),
                                                  "code"), ==, "invalid-value");
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "no setting “sms.speed”"));
  g_assert_cmpint (missing.status, ==, 2);
  g_assert_nonnull (strstr (missing.err, "config set KEY VALUE"));

  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "twilio.from"));
  g_assert_nonnull (strstr (list.out, "+15551234567"));
  g_assert_nonnull (strstr (list.out, "(default)"));

  listed = parse_object (list_json.out);
  settings = json_object_get_array_member (listed, "settings");
  g_assert_cmpuint (json_array_get_length (settings), >=, 20);
  for (guint i = 0; i < json_array_get_length (settings); i++)
    {
      JsonObject *setting = json_array_get_object_element (settings, i);

      g_assert_true (json_object_has_member (setting, "title"));
      g_assert_true (json_object_has_member (setting, "description"));
      if (g_strcmp0 (json_object_get_string_member (setting, "key"), "twilio.from") == 0)
        {
          found = TRUE;
          g_assert_false (json_object_get_boolean_member (setting, "is_default"));
        }
    }
  g_assert_true (found);

  unset = cli ("--db", path, "config", "unset", "twilio.from", NULL);
  g_assert_cmpint (unset.status, ==, 0);
  after_unset = cli ("--db", path, "config", "get", "twilio.from", NULL);
  g_assert_cmpstr (after_unset.out, ==, "\n");
}

static void
test_now_option (void)
{
  g_autofree char *path = new_path ("now.db");
  g_auto(Run) set = cli ("--db", path, "--now", "2031-03-04T05:06:07Z",
                         "config", "set", "sms.rate", "2", NULL);
  g_auto(Run) bad = cli ("--db", path, "--now", "soon", "doctor", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (set.status, ==, 0);
  /* The setting's time stamp comes from the clock --now set. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT updated_at FROM settings WHERE key = 'sms.rate'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0) - 1930367167, >=, 0);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0) - 1930367167, <, 60);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "--now: “soon” is not a date and time"));
}


static void
test_import_export_contacts (void)
{
  g_autofree char *path = new_path ("io.db");
  g_autofree char *csv = turnout_test_tmp_path ("fans.csv");
  g_autofree char *out = turnout_test_tmp_path ("out.csv");
  g_autofree char *regs = turnout_test_tmp_path ("regs.csv");
  g_autofree char *problems = turnout_test_tmp_path ("problems.csv");
  g_autofree char *exported = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_auto(Run) imported = { 0 };
  g_auto(Run) count = { 0 };
  g_auto(Run) export = { 0 };
  g_auto(Run) export_regs = { 0 };
  g_auto(Run) bad_map = { 0 };
  JsonArray *errors;
  JsonObject *first_error;

  g_assert_true (g_file_set_contents (csv,
                                      "Full Name,Cell,E-mail\n"
                                      "Ana Ruiz,(650) 253-0000,ana@example.com\n"
                                      "Ben Ode,555-0100,\n"
                                      "Ana R.,650.253.0000,\n", -1, NULL));
  imported = cli ("--db", path, "--json", "import", "contacts", csv, "--region", "US",
                  "--map", "Full Name=full_name", "--map", "Cell=phone",
                  "--errors-csv", problems, NULL);
  g_assert_cmpint (imported.status, ==, 0);
  result = parse_object (imported.out);
  g_assert_cmpint (json_object_get_int_member (result, "created"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (result, "merged"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (result, "skipped"), ==, 1);
  errors = json_object_get_array_member (result, "errors");
  g_assert_cmpuint (json_array_get_length (errors), ==, 1);
  first_error = json_array_get_object_element (errors, 0);
  g_assert_cmpint (json_object_get_int_member (first_error, "row"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (first_error, "column"), ==, "Cell");
  g_assert_nonnull (strstr (json_object_get_string_member (first_error, "reason"), "area code"));
  g_assert_true (g_file_test (problems, G_FILE_TEST_IS_REGULAR));

  count = cli ("--db", path, "contacts", "count", NULL);
  g_assert_cmpstr (count.out, ==, "1\n");

  export = cli ("--db", path, "export", "contacts", out, NULL);
  g_assert_cmpint (export.status, ==, 0);
  g_assert_true (g_file_get_contents (out, &exported, NULL, NULL));
  g_assert_nonnull (strstr (exported, "Ana,R.,'+16502530000,ana@example.com,"));

  export_regs = cli ("--db", path, "export", "registrations", regs, NULL);
  g_assert_cmpint (export_regs.status, ==, 0);
  g_assert_nonnull (strstr (export_regs.out, "0 registrations exported"));

  bad_map = cli ("--db", path, "import", "contacts", csv, "--map", "Cell=shoe_size", NULL);
  g_assert_cmpint (bad_map.status, ==, 2);
  g_assert_nonnull (strstr (bad_map.err, "“shoe_size” is not a field"));
}

static char *
write_rules (const char *name,
             const char *json)
{
  g_autofree char *path = new_path (name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_segment (void)
{
  g_autofree char *path = new_path ("segment.db");
  g_autofree char *berlin = write_rules ("berlin.json",
    "{\"version\":1,\"match\":\"all\",\"rules\":"
    "[{\"field\":\"city\",\"op\":\"is\",\"value\":\"Berlin\"}]}");
  g_autofree char *bad = write_rules ("bad.json",
    "{\"version\":1,\"match\":\"all\",\"rules\":"
    "[{\"field\":\"events_attended\",\"op\":\"≈\",\"value\":2}]}");
  g_autofree char *loop = write_rules ("loop.json",
    "{\"version\":1,\"match\":\"all\",\"rules\":"
    "[{\"field\":\"in_segment\",\"op\":\"is\",\"value\":\"Loop\"}]}");
  const char *now = "2026-06-15T12:00:00Z";
  g_auto(Run) create = cli ("--db", path, "--now", now, "doctor", NULL);
  g_auto(Run) lapsed = { 0 };
  g_auto(Run) upcoming = { 0 };
  g_auto(Run) first_time = { 0 };
  g_auto(Run) save = { 0 };
  g_auto(Run) list = { 0 };
  g_auto(Run) named = { 0 };
  g_auto(Run) sample = { 0 };
  g_auto(Run) refused = { 0 };
  g_auto(Run) cycle = { 0 };
  g_auto(Run) no_source = { 0 };
  g_auto(Run) missing = { 0 };
  g_autoptr(JsonObject) root = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (create.status, ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* Ana went to a show 100 days ago; Ben too, and has a ticket for one in
   * 10 days; Cy never came. */
  g_assert_cmpint (sqlite3_exec (db,
    "INSERT INTO contacts (id, first_name, city, created_at, updated_at)"
    " VALUES (1, 'Ana', 'Berlin', 0, 0), (2, 'Ben', 'berlin', 0, 0), (3, 'Cy', 'Paris', 0, 0);"
    "INSERT INTO events (id, name, starts_at, created_at, updated_at)"
    " VALUES (1, 'Past', 1781524800 - 100 * 86400, 0, 0),"
    "        (2, 'Soon', 1781524800 + 10 * 86400, 0, 0);"
    "INSERT INTO registrations (contact_id, event_id, status, created_at, updated_at)"
    " VALUES (1, 1, 'attended', 0, 0), (2, 1, 'attended', 0, 0), (2, 2, 'registered', 0, 0);",
    NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  lapsed = cli ("--json", "--db", path, "--now", now, "segment", "count", "--preset", "lapsed",
                NULL);
  g_assert_cmpint (lapsed.status, ==, 0);
  root = parse_object (lapsed.out);
  g_assert_cmpint (json_object_get_int_member (root, "count"), ==, 1);
  g_clear_pointer (&root, json_object_unref);

  upcoming = cli ("--db", path, "--now", now, "segment", "count", "--preset", "upcoming",
                  "--days", "9", NULL);
  g_assert_cmpint (upcoming.status, ==, 0);
  g_assert_cmpstr (upcoming.out, ==, "0\n");
  first_time = cli ("--db", path, "--now", now, "segment", "count", "--preset", "first-time",
                    NULL);
  g_assert_cmpstr (first_time.out, ==, "2\n");

  save = cli ("--db", path, "segment", "save", "--name", "Locals", "--rules", berlin, NULL);
  g_assert_cmpint (save.status, ==, 0);
  list = cli ("--json", "--db", path, "segment", "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  root = parse_object (list.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "segments")), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (root, "segments"),
                                                  0), ==, "Locals");
  g_clear_pointer (&root, json_object_unref);
  named = cli ("--db", path, "segment", "count", "--name", "Locals", NULL);
  g_assert_cmpstr (named.out, ==, "2\n");
  sample = cli ("--json", "--db", path, "segment", "sample", "--name", "Locals", "--limit", "1",
                NULL);
  g_assert_cmpint (sample.status, ==, 0);
  root = parse_object (sample.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "contact_ids")),
                    ==, 1);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (root, "contact_ids"),
                                               0), <=, 2);
  g_clear_pointer (&root, json_object_unref);

  refused = cli ("--db", path, "segment", "count", "--rules", bad, NULL);
  g_assert_cmpint (refused.status, ==, 2);
  g_assert_nonnull (strstr (refused.err, "$.rules[0].op: unknown operator \"≈\""));
  cycle = cli ("--json", "--db", path, "segment", "save", "--name", "Loop", "--rules", loop, NULL);
  g_assert_cmpint (cycle.status, ==, 1);
  root = parse_object (cycle.out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "error"),
                                                  "code"), ==, "cycle");
  no_source = cli ("--db", path, "segment", "count", NULL);
  g_assert_cmpint (no_source.status, ==, 2);
  missing = cli ("--db", path, "segment", "count", "--name", "Nobody", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "No segment is called “Nobody”"));
}

static void
test_sms_info (void)
{
  const char *example = "Hi there, doors at 10 \u2014 see you!";
  g_autofree char *long_text = g_strnfill (161, 'a');
  g_auto(Run) text = cli ("sms", "info", "--text", example, NULL);
  g_auto(Run) json = cli ("--json", "sms", "info", "--text", example, NULL);
  g_auto(Run) gsm = cli ("--json", "sms", "info", "--text", "Hi there, doors at 10 - see you!",
                         NULL);
  g_auto(Run) two = cli ("sms", "info", "--text", long_text, NULL);
  g_auto(Run) no_text = cli ("sms", "info", NULL);
  g_auto(Run) no_verb = cli ("sms", "--text", "x", NULL);
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *c_out = NULL;
  JsonArray *found;
  JsonObject *dash;
  const char *keys[] = { "\"encoding\"", "\"characters\"", "\"segments\"",
                         "\"ucs2_characters\"" };

  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "Encoding: UCS-2\n"));
  g_assert_nonnull (strstr (text.out, "Characters: 32\n"));
  g_assert_nonnull (strstr (text.out, "Segments: 1\n"));
  g_assert_nonnull (strstr (text.out, "  22  \u2014  U+2014\n"));

  /* Exactly the four members, in this order. */
  g_assert_cmpint (json.status, ==, 0);
  root = parse_object (json.out);
  g_assert_cmpuint (json_object_get_size (root), ==, 4);
  for (guint i = 1; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (strstr (json.out, keys[i - 1]) < strstr (json.out, keys[i]));
  g_assert_cmpstr (json_object_get_string_member (root, "encoding"), ==, "UCS-2");
  g_assert_cmpint (json_object_get_int_member (root, "characters"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (root, "segments"), ==, 1);
  found = json_object_get_array_member (root, "ucs2_characters");
  g_assert_cmpuint (json_array_get_length (found), ==, 1);
  dash = json_array_get_object_element (found, 0);
  g_assert_cmpstr (json_object_get_string_member (dash, "character"), ==, "\u2014");
  g_assert_cmpstr (json_object_get_string_member (dash, "code_point"), ==, "U+2014");
  g_assert_cmpint (json_object_get_int_member (dash, "position"), ==, 22);
  g_clear_pointer (&root, json_object_unref);

  g_assert_cmpint (gsm.status, ==, 0);
  root = parse_object (gsm.out);
  g_assert_cmpstr (json_object_get_string_member (root, "encoding"), ==, "GSM-7");
  g_assert_cmpint (json_object_get_int_member (root, "segments"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "ucs2_characters")),
                    ==, 0);

  g_assert_cmpint (two.status, ==, 0);
  g_assert_nonnull (strstr (two.out, "Encoding: GSM-7\n"));
  g_assert_nonnull (strstr (two.out, "Segments: 2\n"));

  g_assert_cmpint (no_text.status, ==, 2);
  g_assert_nonnull (strstr (no_text.err, "usage: turnout-cli sms info --text TEXT"));
  g_assert_cmpint (no_verb.status, ==, 2);

  /* Under LANG=C the text is still read as UTF-8, not refused. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("TURNOUT_CLI"), "--json",
                                         "sms", "info", "--text", example, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &c_out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (c_out, "\"U+2014\""));
  g_assert_nonnull (strstr (c_out, "\"position\" : 22"));
}

static void
test_template (void)
{
  g_autofree char *path = turnout_test_tmp_path ("templates.db");
  g_autofree char *html_path = turnout_test_tmp_path ("recap.html");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  turnout_test_exec_sql (store,
    "INSERT INTO contacts (id, first_name, last_name, phone, email, sms_consent, email_consent,"
    "                      created_at, updated_at) VALUES"
    " (1, 'Ana', 'Ruiz', '+16505550100', 'ana@example.com', 'opted_in', 'opted_in', 0, 0),"
    " (2, '', 'Ode', '+16505550101', NULL, 'opted_in', 'unknown', 0, 0),"
    " (3, 'Cy', 'Vale', '+16505550102', NULL, 'opted_out', 'unknown', 0, 0);"
    "INSERT INTO events (id, name, starts_at, time_zone, venue, created_at, updated_at)"
    " VALUES (1, 'Warehouse Night', 4102444800, 'UTC', 'The Depot', 0, 0);");
  turnout_test_finalize_object (store);
  g_assert_true (g_file_set_contents (html_path, "<p>Hi {first_name|there}, thanks for coming to "
                                      "{event_name}!</p><p>{unsubscribe}</p>", -1, NULL));

  {
    /* First run: the eight starting templates. */
    g_auto(Run) list = cli ("--json", "--db", path, "template", "list", NULL);

    g_assert_cmpint (list.status, ==, 0);
    root = parse_object (list.out);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "templates")),
                      ==, 8);
    g_clear_pointer (&root, json_object_unref);
  }
  {
    g_auto(Run) created = cli ("--json", "--db", path, "template", "create", "--name", "Doors",
                               "--channel", "sms", "--text",
                               "Hi {first_name|there}, doors at 10 at {event_venue}!", NULL);
    g_auto(Run) again = cli ("--db", path, "template", "create", "--name", "Doors", "--channel",
                             "sms", "--text", "x", NULL);
    g_auto(Run) draft = cli ("--db", path, "template", "create", "--name", "Draft", "--channel",
                             "sms", "--text", "Hi {frist_name}", NULL);
    g_auto(Run) dash = cli ("--db", path, "template", "create", "--name", "Dash \u2014 café",
                            "--channel", "sms", "--text", "Doors at 10 \u2014 see you!", NULL);
    g_auto(Run) http = cli ("--db", path, "template", "create", "--name", "Pic", "--channel", "sms",
                            "--text", "x", "--media", "http://example.com/a.jpg", NULL);
    g_auto(Run) email = cli ("--db", path, "template", "create", "--name", "Recap", "--channel",
                             "email", "--subject", "Thanks, {first_name|friend}", "--html",
                             html_path, NULL);

    g_assert_cmpint (created.status, ==, 0);
    root = parse_object (created.out);
    g_assert_cmpint (json_object_get_int_member (root, "id"), >, 8);
    g_clear_pointer (&root, json_object_unref);
    g_assert_cmpint (again.status, ==, 1);
    g_assert_nonnull (strstr (again.err, "A template called “Doors” already exists"));
    /* A draft with a mistake is kept, and said to be unsendable. */
    g_assert_cmpint (draft.status, ==, 0);
    g_assert_nonnull (strstr (draft.err, "frist_name"));
    g_assert_nonnull (strstr (draft.err, "can’t be sent"));
    /* Non-ASCII text is taken whatever the locale. */
    g_assert_cmpint (dash.status, ==, 0);
    g_assert_cmpint (http.status, ==, 2);
    g_assert_nonnull (strstr (http.err, "not an https address"));
    g_assert_cmpint (email.status, ==, 0);
  }
  {
    g_auto(Run) sms = cli ("--json", "--db", path, "template", "render", "--template", "Doors",
                           "--contact", "2", "--event", "1", NULL);
    g_auto(Run) email = cli ("--db", path, "template", "render", "--template", "Recap",
                             "--contact", "1", "--event", "1", NULL);
    g_auto(Run) broken = cli ("--db", path, "template", "render", "--template", "Draft",
                              "--contact", "1", NULL);

    g_assert_cmpint (sms.status, ==, 0);
    root = parse_object (sms.out);
    g_assert_cmpstr (json_object_get_string_member (root, "text"), ==,
                     "Hi there, doors at 10 at The Depot!");
    g_assert_cmpstr (json_object_get_string_member (root, "encoding"), ==, "GSM-7");
    g_assert_cmpint (json_object_get_int_member (root, "segments"), ==, 1);
    g_clear_pointer (&root, json_object_unref);
    g_assert_cmpint (email.status, ==, 0);
    g_assert_nonnull (strstr (email.out, "Subject: Thanks, Ana\n"));
    g_assert_nonnull (strstr (email.out, "Hi Ana, thanks for coming to Warehouse Night!"));
    g_assert_cmpint (broken.status, ==, 1);
    g_assert_nonnull (strstr (broken.err, "Unknown field “frist_name”"));
  }
  {
    g_auto(Run) check = cli ("--json", "--db", path, "template", "check", "--template", "Doors",
                             "--segment", "all", "--event", "1", NULL);
    g_auto(Run) missing = cli ("--db", path, "template", "check", "--template", "Doors",
                               "--segment", "Nobody", NULL);
    JsonObject *excluded;

    g_assert_cmpint (check.status, ==, 0);
    root = parse_object (check.out);
    g_assert_cmpint (json_object_get_int_member (root, "recipients"), ==, 3);
    g_assert_cmpint (json_object_get_int_member (root, "sendable"), ==, 2);
    excluded = json_object_get_object_member (root, "excluded");
    g_assert_cmpint (json_object_get_int_member (excluded, "opted_out"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (root, "with_blanks"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (root, "total_segments"), ==, 2);
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (root, "estimated_cost"),
                                    2 * 0.0083, 1e-9);
    g_assert_cmpint (missing.status, ==, 1);
    g_assert_nonnull (strstr (missing.err, "No segment is called “Nobody”"));
  }
  {
    /* The frequency cap and the quiet hours, as the send would apply them
     * at --now: Ana had a text yesterday (over a 1-in-7-days cap); Ode's
     * 05:00 in Los Angeles is inside the quiet hours, so theirs waits. */
    g_auto(Run) cap = cli ("--db", path, "config", "set", "delivery.frequency_cap", "1/7", NULL);
    g_auto(Run) zone = cli ("--db", path, "config", "set", "contacts.default_time_zone",
                            "America/Los_Angeles", NULL);
    g_auto(Run) check = { 0 };
    g_auto(Run) text = { 0 };
    JsonObject *excluded;

    store = turnout_store_open (path, &error);
    g_assert_no_error (error);
    turnout_test_exec_sql (store,
      "INSERT INTO messages (contact_id, channel, address, state, attempts, claimed_at, sent_at,"
      "                      created_at, updated_at)"
      " VALUES (1, 'sms', '+16505550100', 'delivered', 1, 1777550400, 1777550400, 1777550400,"
      "         1777550400);");
    turnout_test_finalize_object (store);
    g_assert_cmpint (cap.status, ==, 0);
    g_assert_cmpint (zone.status, ==, 0);
    check = cli ("--json", "--db", path, "--now", "2026-05-01T12:00:00Z", "template", "check",
                 "--template", "Doors", "--segment", "all", NULL);
    text = cli ("--db", path, "--now", "2026-05-01T12:00:00Z", "template", "check",
                "--template", "Doors", "--segment", "all", NULL);
    g_assert_cmpint (check.status, ==, 0);
    root = parse_object (check.out);
    g_assert_cmpint (json_object_get_int_member (root, "recipients"), ==, 3);
    g_assert_cmpint (json_object_get_int_member (root, "sendable"), ==, 1);
    excluded = json_object_get_object_member (root, "excluded");
    g_assert_cmpint (json_object_get_int_member (excluded, "frequency_cap"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (excluded, "opted_out"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (root, "waits_for_quiet_hours"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (root, "frequency_cap_setting"), ==, "1/7");
    g_assert_cmpstr (json_object_get_string_member (root, "quiet_hours_setting"), ==,
                     "21:00-08:00");
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (root, "estimated_cost"),
                                    0.0083, 1e-9);
    g_clear_pointer (&root, json_object_unref);
    g_assert_cmpint (text.status, ==, 0);
    g_assert_nonnull (strstr (text.out, "Would get the message: 1\n"));
    g_assert_nonnull (strstr (text.out, "Left out, over the frequency cap (at most 1 message to "
                                        "one person in 7 days): 1\n"));
    g_assert_nonnull (strstr (text.out, "Waits for quiet hours (21:00–08:00) to end: 1\n"));
  }
}

static void
test_campaign (void)
{
  g_autofree char *path = turnout_test_tmp_path ("campaigns.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  turnout_test_exec_sql (store,
    "INSERT INTO contacts (id, first_name, phone, sms_consent, created_at, updated_at) VALUES"
    " (1, 'Ana', '+16505550100', 'opted_in', 0, 0), (2, 'Cy', '+16505550102', 'opted_out', 0, 0);"
    "INSERT INTO templates (id, name, channel, body_text, created_at, updated_at)"
    " VALUES (1, 'Doors', 'sms', 'Doors at 10!', 0, 0);");
  turnout_test_finalize_object (store);
  {
    g_auto(Run) created = cli ("--json", "--db", path, "campaign", "create", "--name", "Tonight",
                               "--channel", "sms", "--segment", "all", "--template", "Doors",
                               "--at", "2030-01-01T20:00:00+01:00", NULL);
    g_auto(Run) bad_time = cli ("--db", path, "campaign", "create", "--name", "x", "--channel",
                                "sms", "--segment", "all", "--template", "Doors", "--at",
                                "tomorrow", NULL);
    g_auto(Run) no_segment = cli ("--db", path, "campaign", "create", "--name", "x", "--channel",
                                  "sms", "--segment", "Nobody", "--template", "Doors", NULL);

    g_assert_cmpint (created.status, ==, 0);
    root = parse_object (created.out);
    g_assert_cmpint (json_object_get_int_member (root, "id"), ==, 1);
    g_clear_pointer (&root, json_object_unref);
    g_assert_cmpint (bad_time.status, ==, 2);
    g_assert_nonnull (strstr (bad_time.err, "not an ISO 8601 time"));
    g_assert_cmpint (no_segment.status, ==, 1);
    g_assert_nonnull (strstr (no_segment.err, "No segment is called “Nobody”"));
  }
  {
    g_auto(Run) status = cli ("--json", "--db", path, "campaign", "status", "1", NULL);
    g_auto(Run) paused = cli ("--db", path, "campaign", "pause", "1", NULL);
    g_auto(Run) again = cli ("--db", path, "campaign", "pause", "1", NULL);
    g_auto(Run) cancelled = cli ("--json", "--db", path, "campaign", "cancel", "1", NULL);
    g_auto(Run) missing = cli ("--db", path, "campaign", "status", "7", NULL);
    const char *keys[] = { "state", "total", "queued", "sending", "sent", "delivered",
                           "undelivered", "failed", "suppressed", "skipped", "unknown",
                           "unknown_messages" };

    g_assert_cmpint (status.status, ==, 0);
    root = parse_object (status.out);
    g_assert_cmpuint (json_object_get_size (root), ==, G_N_ELEMENTS (keys));
    for (guint i = 1; i < G_N_ELEMENTS (keys); i++)
      g_assert_true (json_object_has_member (root, keys[i]));
    g_assert_cmpstr (json_object_get_string_member (root, "state"), ==, "scheduled");
    g_clear_pointer (&root, json_object_unref);
    g_assert_cmpint (paused.status, ==, 0);
    g_assert_nonnull (strstr (paused.out, "State: paused"));
    g_assert_cmpint (again.status, ==, 1);
    g_assert_nonnull (strstr (again.err, "A campaign that is paused can’t be paused"));
    g_assert_cmpint (cancelled.status, ==, 0);
    root = parse_object (cancelled.out);
    g_assert_cmpstr (json_object_get_string_member (root, "state"), ==, "cancelled");
    g_assert_cmpint (missing.status, ==, 1);
    g_assert_nonnull (strstr (missing.err, "There is no campaign 7"));
  }
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_assert_nonnull (g_getenv ("TURNOUT_CLI"));

  g_test_add_func ("/cli/version-help", test_version_and_help);
  g_test_add_func ("/cli/doctor/new", test_doctor_new_file);
  g_test_add_func ("/cli/doctor/counts", test_doctor_counts_rows);
  g_test_add_func ("/cli/doctor/foreign", test_doctor_foreign_file);
  g_test_add_func ("/cli/doctor/newer", test_doctor_newer_file);
  g_test_add_func ("/cli/config", test_config);
  g_test_add_func ("/cli/now", test_now_option);
  g_test_add_func ("/cli/import-export", test_import_export_contacts);
  g_test_add_func ("/cli/segment", test_segment);
  g_test_add_func ("/cli/sms-info", test_sms_info);
  g_test_add_func ("/cli/template", test_template);
  g_test_add_func ("/cli/campaign", test_campaign);

  return g_test_run ();
}
