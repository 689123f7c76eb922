/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/stat.h>
#include <glib/gstdio.h>

#include "turnout-clock.h"
#include "turnout-store.h"
#include "turnout-store-private.h"
#include "turnout-test-utils.h"

static char *
new_path (const char *name)
{
  g_autofree char *path = turnout_test_tmp_path (name);

  g_unlink (path);
  return g_steal_pointer (&path);
}

/* A raw connection, as another program (or an older Turnout) would use. */
static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  return db;
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gboolean
table_exists (sqlite3    *db,
              const char *name)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'", name);

  return raw_int (db, sql) == 1;
}

static void
test_create_new_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = turnout_test_tmp_path ("nested/deeper");
  TurnoutStore *store;
  GStatBuf st;
  sqlite3 *db;
  const char *tables[] = {
    "contacts", "consent_history", "tags", "contact_tags", "events", "event_tags",
    "registrations", "suppressions", "segments", "templates", "campaigns", "automations",
    "messages", "settings",
  };

  path = g_build_filename (dir, "new.db", NULL);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpstr (turnout_store_get_path (store), ==, path);
  g_assert_cmpint (turnout_store_get_schema_version (store), ==, turnout_store_latest_version ());
  g_assert_cmpint (turnout_store_latest_version (), >=, 1);
  g_assert_null (turnout_store_get_backup_path (store));

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "PRAGMA application_id"), ==, TURNOUT_STORE_APPLICATION_ID);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, turnout_store_latest_version ());
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_assert_true (table_exists (db, tables[i]));
  sqlite3_close (db);

  /* The WAL file, when there is one, is as private as the database. */
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    sqlite3 *conn = turnout_store_acquire (store, &error);

    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_exec (conn, "INSERT INTO tags (name) VALUES ('techno')",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint (g_stat (wal, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    g_assert_cmpint (raw_int (conn, "PRAGMA foreign_keys"), ==, 1);
    turnout_store_release (store, conn);
  }

  turnout_test_finalize_object (store);

  /* Opening again changes nothing and keeps the data. */
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_null (turnout_store_get_backup_path (store));
  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM tags"), ==, 1);
  sqlite3_close (db);
  turnout_test_finalize_object (store);
}

static void
test_journal_mode_is_wal (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("wal.db");
  TurnoutStore *store = turnout_store_open (path, &error);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  db = turnout_store_acquire (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  turnout_store_release (store, db);
  turnout_test_finalize_object (store);
}

static void
assert_refused_unchanged (const char        *path,
                          TurnoutStoreError  expected,
                          const char        *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = turnout_test_read_file (path);
  g_autoptr(GBytes) after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  TurnoutStore *store;

  store = turnout_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, TURNOUT_STORE_ERROR, (int) expected);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, words));

  after = turnout_test_read_file (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

static void
test_refuses_text_file (void)
{
  g_autofree char *path = new_path ("notes.txt");

  g_assert_true (g_file_set_contents (path, "Guest list for Saturday\nAnna\nBen\n", -1, NULL));
  assert_refused_unchanged (path, TURNOUT_STORE_ERROR_NOT_TURNOUT, "not a Turnout database");
}

static void
test_refuses_other_sqlite_database (void)
{
  g_autofree char *path = new_path ("other.sqlite");
  sqlite3 *db = raw_open (path);

  raw_exec (db, "CREATE TABLE bookmarks (url TEXT); INSERT INTO bookmarks VALUES ('https://x');"
                "PRAGMA user_version = 3;");
  sqlite3_close (db);
  assert_refused_unchanged (path, TURNOUT_STORE_ERROR_NOT_TURNOUT, "another program");
}

static void
test_refuses_newer_schema (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("newer.db");
  g_autofree char *expected = NULL;
  TurnoutStore *store = turnout_store_open (path, &error);
  sqlite3 *db;

  g_assert_no_error (error);
  turnout_test_finalize_object (store);

  db = raw_open (path);
  raw_exec (db, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99;");
  sqlite3_close (db);

  expected = g_strdup_printf ("understands up to %d", turnout_store_latest_version ());
  assert_refused_unchanged (path, TURNOUT_STORE_ERROR_TOO_NEW, expected);
}

static void
test_refuses_corrupt_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("corrupt.db");
  TurnoutStore *store = turnout_store_open (path, &error);
  g_autofree char *contents = NULL;
  gsize len;
  sqlite3 *db;

  g_assert_no_error (error);
  turnout_test_finalize_object (store);
  db = raw_open (path);
  raw_exec (db, "PRAGMA journal_mode = DELETE;");
  sqlite3_close (db);

  /* Scribble over the b-tree page header of the schema table (page 1,
   * just after the 100-byte file header). */
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 4096);
  memset (contents + 100, 0xA5, 12);
  g_assert_true (g_file_set_contents (path, contents, len, NULL));

  assert_refused_unchanged (path, TURNOUT_STORE_ERROR_CORRUPT, "damaged");
}

static void
test_refuses_directory (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("a-folder.db");
  TurnoutStore *store;

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  store = turnout_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_NOT_TURNOUT);
}

/* Migration 1 starts from version 0: an empty file, or an empty SQLite
 * database (what `touch` or another tool leaves behind). */
static void
test_migrates_from_version_0 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = new_path ("empty.db");
  g_autofree char *blank = new_path ("blank.db");
  TurnoutStore *store;
  sqlite3 *db;

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_chmod (empty, 0644);
  store = turnout_store_open (empty, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_store_get_schema_version (store), ==, turnout_store_latest_version ());
  turnout_test_finalize_object (store);
  {
    GStatBuf st;
    g_assert_cmpint (g_stat (empty, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }

  db = raw_open (blank);
  raw_exec (db, "PRAGMA user_version = 0; VACUUM;");
  sqlite3_close (db);
  store = turnout_store_open (blank, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_store_get_schema_version (store), ==, turnout_store_latest_version ());
  turnout_test_finalize_object (store);

  db = raw_open (blank);
  g_assert_true (table_exists (db, "messages"));
  sqlite3_close (db);
}

/* A migration that fails leaves the file at the version it had. */
static void
test_failed_migration_changes_nothing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("half.db");
  g_autofree char *version_0 = g_strdup_printf ("left at version 0");
  TurnoutStore *store;
  sqlite3 *db = raw_open (path);

  /* Ours by its application id, at version 0, but holding a table the
   * first migration wants to create. */
  raw_exec (db, "PRAGMA application_id = 1414680148; CREATE TABLE contacts (x);");
  sqlite3_close (db);

  store = turnout_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_MIGRATION);
  g_assert_nonnull (strstr (error->message, version_0));

  db = raw_open (path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 0);
  g_assert_false (table_exists (db, "messages"));
  g_assert_false (table_exists (db, "settings"));
  sqlite3_close (db);
}


/* Makes a file exactly as a Turnout of schema @version left it, by running
 * the shipped migrations up to it on a plain connection. */
static sqlite3 *
make_file_at_version (const char *path,
                      int         version)
{
  guint n;
  const TurnoutMigration *all = turnout_store_migrations (&n);
  sqlite3 *db = raw_open (path);

  raw_exec (db, "PRAGMA journal_mode = WAL");
  for (guint i = 0; i < n && all[i].version <= version; i++)
    {
      g_autofree char *stamp = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d",
                                                TURNOUT_STORE_APPLICATION_ID, all[i].version);
      raw_exec (db, "BEGIN");
      raw_exec (db, all[i].sql);
      raw_exec (db, stamp);
      raw_exec (db, "COMMIT");
    }
  return db;
}

static gint64
contact_int (sqlite3    *db,
             int         id,
             const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (%s, -1) FROM contacts WHERE id = %d",
                                          column, id);
  return raw_int (db, sql);
}

static gint64
search_count (sqlite3    *db,
              const char *query)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM contacts_fts WHERE contacts_fts"
                                          " MATCH '%s'", query);
  return raw_int (db, sql);
}

/* 2026-05-01T00:00:00Z and days around it. */
#define T0 1777593600
#define DAY 86400

static void
use_frozen_clock (gint64 unix_time)
{
  g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (at);

  turnout_clock_set_default (clock);
}

static void
test_migrates_1_to_2_with_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("v1.db");
  g_autofree char *backup = NULL;
  TurnoutStore *store;
  sqlite3 *db = make_file_at_version (path, 1);

  raw_exec (db,
            "INSERT INTO contacts (id, first_name, last_name, phone, email, created_at, updated_at)"
            "  VALUES (1, 'Zoë', 'Quint', '+16502530000', 'zoe@example.com', 0, 0),"
            "         (2, 'Ben', 'Ortiz', NULL, NULL, 0, 0);"
            "INSERT INTO events (id, name, starts_at, created_at, updated_at)"
            "  VALUES (1, 'Past', " G_STRINGIFY (T0) " - 10 * 86400, 0, 0),"
            "         (2, 'Earlier', " G_STRINGIFY (T0) " - 40 * 86400, 0, 0),"
            "         (3, 'Future', " G_STRINGIFY (T0) " + 10 * 86400, 0, 0);"
            "INSERT INTO registrations (contact_id, event_id, status, amount, created_at, updated_at)"
            "  VALUES (1, 1, 'attended', 2500, 0, 0), (1, 2, 'registered', 1500, 0, 0),"
            "         (1, 3, 'registered', 3000, 0, 0), (2, 1, 'cancelled', 900, 0, 0);");
  sqlite3_close (db);

  use_frozen_clock (T0);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_store_get_schema_version (store), ==, turnout_store_latest_version ());
  backup = g_strconcat (path, ".schema-1.bak", NULL);
  g_assert_cmpstr (turnout_store_get_backup_path (store), ==, backup);
  g_assert_true (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
  turnout_test_finalize_object (store);

  db = raw_open (path);
  /* Two events have started; the future one counts for spend only. */
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 2);
  g_assert_cmpint (contact_int (db, 1, "total_spend"), ==, 7000);
  g_assert_cmpint (contact_int (db, 1, "first_event_at"), ==, T0 - 40 * DAY);
  g_assert_cmpint (contact_int (db, 1, "last_event_at"), ==, T0 - 10 * DAY);
  /* A cancelled registration is neither attended nor spent. */
  g_assert_cmpint (contact_int (db, 2, "events_attended"), ==, 0);
  g_assert_cmpint (contact_int (db, 2, "total_spend"), ==, 0);
  g_assert_cmpint (contact_int (db, 2, "last_event_at"), ==, -1);
  /* Contacts already in the file are searchable. */
  g_assert_cmpint (search_count (db, "zoe"), ==, 1);
  g_assert_cmpint (search_count (db, "\"zoe@example.com\""), ==, 1);
  g_assert_cmpint (search_count (db, "ortiz"), ==, 1);
  sqlite3_close (db);

  /* The backup is the file as it was: still at version 1. */
  db = raw_open (backup);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 1);
  sqlite3_close (db);

  turnout_clock_set_default (NULL);
}

/* How SQLite would run @sql: the details of its EXPLAIN QUERY PLAN, a
 * line each. */
static char *
raw_plan (sqlite3    *db,
          const char *sql)
{
  g_autoptr(GString) plan = g_string_new (NULL);
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&plan), FALSE);
}

static gint64
index_count (sqlite3    *db,
             const char *name)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_schema"
                                          " WHERE type = 'index' AND name = '%s'"
                                          " AND tbl_name = 'registrations'", name);
  return raw_int (db, sql);
}

/* Version 4 replaces three registrations indexes by ones that hold the
 * contact ids too; a file of version 3 keeps every row through it. */
static void
test_migrates_3_to_4_with_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("v3.db");
  g_autofree char *backup = NULL;
  g_autofree char *plan = NULL;
  TurnoutStore *store;
  sqlite3 *db = make_file_at_version (path, 3);

  g_assert_cmpint (index_count (db, "registrations_event"), ==, 1);
  raw_exec (db,
            "INSERT INTO contacts (id, first_name, created_at, updated_at)"
            "  VALUES (1, 'Ana', 0, 0), (2, 'Ben', 0, 0), (3, 'Kai', 0, 0);"
            "INSERT INTO events (id, name, starts_at, created_at, updated_at)"
            "  VALUES (1, 'Past', " G_STRINGIFY (T0) " - 10 * 86400, 0, 0),"
            "         (2, 'Future', " G_STRINGIFY (T0) " + 10 * 86400, 0, 0);"
            "INSERT INTO registrations (id, contact_id, event_id, status, amount, created_at,"
            "                           confirmed_at, cancelled_at, updated_at)"
            "  VALUES (1, 1, 1, 'attended', 2500, 0, " G_STRINGIFY (T0) " - 20 * 86400, NULL, 0),"
            "         (2, 1, 2, 'registered', 1500, 0, " G_STRINGIFY (T0) " - 2 * 86400, NULL, 0),"
            "         (3, 2, 2, 'cancelled', 900, 0, " G_STRINGIFY (T0) " - 5 * 86400,"
            "          " G_STRINGIFY (T0) " - 86400, 0),"
            "         (4, 3, 2, 'draft', 0, 0, NULL, NULL, 0);");
  sqlite3_close (db);

  use_frozen_clock (T0);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_store_get_schema_version (store), ==, turnout_store_latest_version ());
  g_assert_cmpint (turnout_store_latest_version (), >=, 4);
  backup = g_strconcat (path, ".schema-3.bak", NULL);
  g_assert_cmpstr (turnout_store_get_backup_path (store), ==, backup);
  turnout_test_finalize_object (store);

  db = raw_open (path);
  /* Every row is there, as it was. */
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM contacts"), ==, 3);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM registrations"), ==, 4);
  g_assert_cmpint (raw_int (db, "SELECT sum (amount) FROM registrations"), ==, 4900);
  g_assert_cmpint (raw_int (db, "SELECT cancelled_at FROM registrations WHERE id = 3"),
                   ==, T0 - DAY);
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 1);
  g_assert_cmpint (contact_int (db, 1, "total_spend"), ==, 4000);

  /* The narrow indexes are gone, the covering ones in their place... */
  g_assert_cmpint (index_count (db, "registrations_event"), ==, 0);
  g_assert_cmpint (index_count (db, "registrations_confirmed"), ==, 0);
  g_assert_cmpint (index_count (db, "registrations_cancelled"), ==, 0);
  g_assert_cmpint (index_count (db, "registrations_event_status"), ==, 1);
  g_assert_cmpint (index_count (db, "registrations_confirmed_contact"), ==, 1);
  g_assert_cmpint (index_count (db, "registrations_cancelled_contact"), ==, 1);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
    sqlite3_finalize (stmt);
  }

  /* ...and they hold every row: each answers its question alone, without
   * reading the registrations themselves. */
  plan = raw_plan (db, "SELECT contact_id FROM registrations WHERE confirmed_at >= 0");
  g_assert_nonnull (strstr (plan, "COVERING INDEX registrations_confirmed_contact"));
  g_clear_pointer (&plan, g_free);
  plan = raw_plan (db, "SELECT contact_id FROM registrations WHERE cancelled_at >= 0");
  g_assert_nonnull (strstr (plan, "COVERING INDEX registrations_cancelled_contact"));
  g_clear_pointer (&plan, g_free);
  plan = raw_plan (db, "SELECT contact_id FROM registrations WHERE event_id = 2"
                       " AND status = 'registered'");
  g_assert_nonnull (strstr (plan, "COVERING INDEX registrations_event_status"));
  g_assert_cmpint (raw_int (db, "SELECT contact_id FROM registrations"
                                " INDEXED BY registrations_confirmed_contact"
                                " WHERE confirmed_at >= " G_STRINGIFY (T0) " - 3 * 86400"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM registrations"
                                " INDEXED BY registrations_confirmed_contact"
                                " WHERE confirmed_at IS NOT NULL"), ==, 3);
  g_assert_cmpint (raw_int (db, "SELECT contact_id FROM registrations"
                                " INDEXED BY registrations_cancelled_contact"
                                " WHERE cancelled_at IS NOT NULL"), ==, 2);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM registrations"
                                " INDEXED BY registrations_event_status WHERE event_id = 2"), ==, 3);
  sqlite3_close (db);

  /* The backup is the file as it was: still at version 3, old indexes and all. */
  db = raw_open (backup);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 3);
  g_assert_cmpint (index_count (db, "registrations_event"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM registrations"), ==, 4);
  sqlite3_close (db);

  turnout_clock_set_default (NULL);
}

/* Version 5 adds each contact's next event as a figure; a file of version
 * 4 keeps every row and figure, and gets the new one filled, as of the
 * clock once opened. */
static void
test_migrates_4_to_5_with_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("v4.db");
  g_autofree char *backup = NULL;
  g_autofree char *plan = NULL;
  TurnoutStore *store;
  sqlite3 *db = make_file_at_version (path, 4);

  /* The figures were last brought up to five days ago; one event started
   * since. */
  raw_exec (db,
            "UPDATE figures_clock SET as_of = " G_STRINGIFY (T0) " - 5 * 86400;"
            "INSERT INTO contacts (id, first_name, created_at, updated_at)"
            "  VALUES (1, 'Ana', 0, 0), (2, 'Ben', 0, 0), (3, 'Kai', 0, 0), (4, 'Mo', 0, 0),"
            "         (5, 'Pia', 0, 0);"
            "INSERT INTO events (id, name, starts_at, created_at, updated_at)"
            "  VALUES (1, 'Past', " G_STRINGIFY (T0) " - 10 * 86400, 0, 0),"
            "         (2, 'Since', " G_STRINGIFY (T0) " - 2 * 86400, 0, 0),"
            "         (3, 'Soon', " G_STRINGIFY (T0) " + 3 * 86400, 0, 0),"
            "         (4, 'Later', " G_STRINGIFY (T0) " + 10 * 86400, 0, 0);"
            "INSERT INTO registrations (id, contact_id, event_id, status, amount, created_at,"
            "                           updated_at)"
            "  VALUES (1, 1, 1, 'attended', 1000, 0, 0), (2, 1, 2, 'registered', 2000, 0, 0),"
            "         (3, 1, 4, 'registered', 3000, 0, 0), (4, 1, 3, 'registered', 500, 0, 0),"
            "         (5, 2, 3, 'cancelled', 700, 0, 0), (6, 2, 4, 'registered', 800, 0, 0),"
            "         (7, 3, 1, 'registered', 900, 0, 0), (8, 4, 3, 'draft', 0, 0, 0),"
            "         (9, 4, 4, 'attended', 100, 0, 0);");
  /* As the triggers of version 4 left them, as of five days ago. */
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 1);
  g_assert_cmpint (contact_int (db, 1, "total_spend"), ==, 6500);
  sqlite3_close (db);

  use_frozen_clock (T0);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_store_get_schema_version (store), ==, turnout_store_latest_version ());
  g_assert_cmpint (turnout_store_latest_version (), >=, 5);
  backup = g_strconcat (path, ".schema-4.bak", NULL);
  g_assert_cmpstr (turnout_store_get_backup_path (store), ==, backup);
  turnout_test_finalize_object (store);

  db = raw_open (path);
  /* Every row is there, as it was. */
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM contacts"), ==, 5);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM events"), ==, 4);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM registrations"), ==, 9);
  g_assert_cmpint (raw_int (db, "SELECT sum (amount) FROM registrations"), ==, 9000);
  /* The figures, brought to now: the event of two days ago has started. */
  g_assert_cmpint (raw_int (db, "SELECT as_of FROM figures_clock"), ==, T0);
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 2);
  g_assert_cmpint (contact_int (db, 1, "first_event_at"), ==, T0 - 10 * DAY);
  g_assert_cmpint (contact_int (db, 1, "last_event_at"), ==, T0 - 2 * DAY);
  g_assert_cmpint (contact_int (db, 1, "total_spend"), ==, 6500);
  g_assert_cmpint (contact_int (db, 2, "total_spend"), ==, 800);
  g_assert_cmpint (contact_int (db, 3, "events_attended"), ==, 1);
  /* The next event: the earliest ahead registered for; a cancelled, a
   * draft or an "attended" registration ahead is none. */
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, T0 + 3 * DAY);
  g_assert_cmpint (contact_int (db, 2, "next_event_at"), ==, T0 + 10 * DAY);
  g_assert_cmpint (contact_int (db, 3, "next_event_at"), ==, -1);
  g_assert_cmpint (contact_int (db, 4, "next_event_at"), ==, -1);
  g_assert_cmpint (contact_int (db, 5, "next_event_at"), ==, -1);

  /* The triggers keep it: they were recreated from the new definitions. */
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
                                " AND name IN ('registrations_figures_insert',"
                                "   'registrations_figures_update', 'registrations_figures_delete',"
                                "   'events_figures_update') AND sql LIKE '%next_event_at%'"), ==, 4);
  raw_exec (db, "INSERT INTO registrations (id, contact_id, event_id, status, created_at, updated_at)"
                "  VALUES (10, 5, 4, 'registered', 0, 0)");
  g_assert_cmpint (contact_int (db, 5, "next_event_at"), ==, T0 + 10 * DAY);
  raw_exec (db, "UPDATE registrations SET status = 'cancelled' WHERE id = 4");
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, T0 + 10 * DAY);
  raw_exec (db, "DELETE FROM registrations WHERE id = 6");
  g_assert_cmpint (contact_int (db, 2, "next_event_at"), ==, -1);
  raw_exec (db, "UPDATE events SET starts_at = " G_STRINGIFY (T0) " + 86400 WHERE id = 4");
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, T0 + DAY);
  g_assert_cmpint (contact_int (db, 5, "next_event_at"), ==, T0 + DAY);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
    sqlite3_finalize (stmt);
  }
  /* Its index answers "registered for something in the next days" alone. */
  plan = raw_plan (db, "SELECT count(*) FROM contacts WHERE next_event_at <= 5");
  g_assert_nonnull (strstr (plan, "COVERING INDEX contacts_next_event"));
  sqlite3_close (db);

  /* The backup is the file as it was: still at version 4. */
  db = raw_open (backup);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 4);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM pragma_table_info ('contacts')"
                                " WHERE name = 'next_event_at'"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM registrations"), ==, 9);
  sqlite3_close (db);

  turnout_clock_set_default (NULL);
}

static void
test_figures_follow_writes_and_time (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("figures.db");
  TurnoutStore *store;
  sqlite3 *db;

  use_frozen_clock (T0);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  db = turnout_store_acquire (store, &error);
  g_assert_no_error (error);

  raw_exec (db,
            "INSERT INTO contacts (id, first_name, created_at, updated_at) VALUES (1, 'Ana', 0, 0);"
            "INSERT INTO events (id, name, starts_at, created_at, updated_at)"
            "  VALUES (1, 'Last week', " G_STRINGIFY (T0) " - 7 * 86400, 0, 0),"
            "         (2, 'Next week', " G_STRINGIFY (T0) " + 7 * 86400, 0, 0);");
  raw_exec (db, "INSERT INTO registrations (id, contact_id, event_id, status, amount, created_at,"
                " updated_at) VALUES (1, 1, 1, 'registered', 2000, 0, 0)");
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 1);
  g_assert_cmpint (contact_int (db, 1, "total_spend"), ==, 2000);

  raw_exec (db, "INSERT INTO registrations (id, contact_id, event_id, status, amount, created_at,"
                " updated_at) VALUES (2, 1, 2, 'registered', 3500, 0, 0)");
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 1);
  g_assert_cmpint (contact_int (db, 1, "total_spend"), ==, 5500);
  g_assert_cmpint (contact_int (db, 1, "last_event_at"), ==, T0 - 7 * DAY);
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, T0 + 7 * DAY);
  /* Only a registration that is registered makes a next event. */
  raw_exec (db, "UPDATE registrations SET status = 'draft' WHERE id = 2");
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, -1);
  raw_exec (db, "UPDATE registrations SET status = 'registered' WHERE id = 2");
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, T0 + 7 * DAY);

  /* A cancellation stores when it happened and takes the event out. */
  raw_exec (db, "UPDATE registrations SET status = 'cancelled', updated_at = 123 WHERE id = 1");
  g_assert_cmpint (raw_int (db, "SELECT cancelled_at FROM registrations WHERE id = 1"), ==, 123);
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 0);
  g_assert_cmpint (contact_int (db, 1, "total_spend"), ==, 3500);
  g_assert_cmpint (contact_int (db, 1, "last_event_at"), ==, -1);

  /* Re-registering stores when it was confirmed. */
  raw_exec (db, "UPDATE registrations SET status = 'registered', updated_at = 456 WHERE id = 1");
  g_assert_cmpint (raw_int (db, "SELECT confirmed_at FROM registrations WHERE id = 1"), ==, 456);
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 1);

  /* Time passes: next week's event starts and counts. */
  g_assert_true (turnout_db_refresh_figures (db, T0 + 8 * DAY, &error));
  g_assert_no_error (error);
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 2);
  g_assert_cmpint (contact_int (db, 1, "last_event_at"), ==, T0 + 7 * DAY);
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, -1);
  /* And back, for a clock set back in a test. */
  g_assert_true (turnout_db_refresh_figures (db, T0, &error));
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 1);
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, T0 + 7 * DAY);

  /* Moving an event recomputes its registrants. */
  raw_exec (db, "UPDATE events SET starts_at = " G_STRINGIFY (T0) " + 3 * 86400 WHERE id = 2");
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, T0 + 3 * DAY);
  raw_exec (db, "UPDATE events SET starts_at = " G_STRINGIFY (T0) " - 86400 WHERE id = 2");
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 2);
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, -1);
  /* Deleting an event removes its registrations and their figures. */
  raw_exec (db, "DELETE FROM events WHERE id = 2");
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 1);
  g_assert_cmpint (contact_int (db, 1, "total_spend"), ==, 2000);

  /* The search index follows edits and deletes. */
  g_assert_cmpint (search_count (db, "ana"), ==, 1);
  raw_exec (db, "UPDATE contacts SET first_name = 'Anouk', phone = '+442079460958' WHERE id = 1");
  g_assert_cmpint (search_count (db, "ana"), ==, 0);
  g_assert_cmpint (search_count (db, "anou*"), ==, 1);
  raw_exec (db, "DELETE FROM contacts WHERE id = 1");
  g_assert_cmpint (search_count (db, "anou*"), ==, 0);

  turnout_store_release (store, db);
  turnout_test_finalize_object (store);
  turnout_clock_set_default (NULL);
}

/* Bringing the figures to now writes only when an event started since
 * they were last brought up: otherwise they are already right, and a
 * segment count must not wait for another connection's write (an import)
 * to end. */
static void
test_refresh_waits_only_when_needed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("refresh.db");
  TurnoutStore *store;
  sqlite3 *db, *other;
  gint64 start;

  use_frozen_clock (T0);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  db = turnout_store_acquire (store, &error);
  g_assert_no_error (error);
  raw_exec (db,
            "INSERT INTO contacts (id, first_name, created_at, updated_at) VALUES (1, 'Ana', 0, 0);"
            "INSERT INTO events (id, name, starts_at, created_at, updated_at)"
            "  VALUES (1, 'Tonight', " G_STRINGIFY (T0) " + 3600, 0, 0);"
            "INSERT INTO registrations (contact_id, event_id, status, created_at, updated_at)"
            "  VALUES (1, 1, 'registered', 0, 0);");
  g_assert_cmpint (raw_int (db, "SELECT as_of FROM figures_clock"), ==, T0);

  other = raw_open (path);
  raw_exec (other, "BEGIN IMMEDIATE");

  /* A minute on, nothing started: done at once, as_of left where it is. */
  start = g_get_monotonic_time ();
  g_assert_true (turnout_db_refresh_figures (db, T0 + 60, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_cmpint (raw_int (db, "SELECT as_of FROM figures_clock"), ==, T0);
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, T0 + 3600);

  /* Two hours on, tonight's event has started: the figures must be
   * written, so it waits for the lock, and says so when it stays taken
   * (a short wait here; the store's is ten seconds). */
  sqlite3_busy_timeout (db, 200);
  g_assert_false (turnout_db_refresh_figures (db, T0 + 7200, &error));
  g_assert_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_BUSY);
  g_clear_error (&error);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 0);

  raw_exec (other, "ROLLBACK");
  sqlite3_close (other);

  /* With the lock free, as_of moves on even when nothing started, so the
   * triggers of writes that follow count from now. */
  g_assert_true (turnout_db_refresh_figures (db, T0 + 60, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (db, "SELECT as_of FROM figures_clock"), ==, T0 + 60);
  g_assert_true (turnout_db_refresh_figures (db, T0 + 7200, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (db, "SELECT as_of FROM figures_clock"), ==, T0 + 7200);
  g_assert_cmpint (contact_int (db, 1, "events_attended"), ==, 1);
  g_assert_cmpint (contact_int (db, 1, "next_event_at"), ==, -1);

  turnout_store_release (store, db);
  turnout_test_finalize_object (store);
  turnout_clock_set_default (NULL);
}

static TurnoutStore *
open_fresh (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path (name);
  TurnoutStore *store = turnout_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static int
exec_rc (sqlite3    *db,
         const char *sql)
{
  return sqlite3_exec (db, sql, NULL, NULL, NULL) & 0xff;
}

static void
test_unique_keys_prevent_duplicate_sends (void)
{
  g_autoptr(GError) error = NULL;
  TurnoutStore *store = open_fresh ("unique.db");
  sqlite3 *db = turnout_store_acquire (store, &error);

  g_assert_no_error (error);
  raw_exec (db,
            "INSERT INTO contacts (id, first_name, phone, created_at, updated_at)"
            "  VALUES (1, 'Ana', '+15551230001', 0, 0);"
            "INSERT INTO events (id, name, starts_at, created_at, updated_at)"
            "  VALUES (7, 'Warehouse Night', 1000, 0, 0);"
            "INSERT INTO templates (id, name, channel, body_text, created_at, updated_at)"
            "  VALUES (1, 'Hi', 'sms', 'Hi {first_name}', 0, 0);"
            "INSERT INTO campaigns (id, name, channel, created_at, updated_at)"
            "  VALUES (1, 'Launch', 'sms', 0, 0);"
            "INSERT INTO automations (id, name, trigger, template_id, created_at, updated_at)"
            "  VALUES (1, 'Reminder', 'before_event', 1, 0, 0);"
            "INSERT INTO messages (campaign_id, contact_id, channel, address, created_at, updated_at)"
            "  VALUES (1, 1, 'sms', '+15551230001', 0, 0);"
            "INSERT INTO messages (automation_id, contact_id, event_id, channel, address,"
            "                      created_at, updated_at)"
            "  VALUES (1, 1, 7, 'sms', '+15551230001', 0, 0);"
            "INSERT INTO messages (automation_id, contact_id, channel, address,"
            "                      created_at, updated_at)"
            "  VALUES (1, 1, 'sms', '+15551230001', 0, 0);");

  /* The same campaign to the same contact: refused. */
  g_assert_cmpint (exec_rc (db, "INSERT INTO messages (campaign_id, contact_id, channel, address,"
                                " created_at, updated_at) VALUES (1, 1, 'sms', '+1555', 0, 0)"),
                   ==, SQLITE_CONSTRAINT);
  /* The same automation, contact and event: refused. */
  g_assert_cmpint (exec_rc (db, "INSERT INTO messages (automation_id, contact_id, event_id, channel,"
                                " address, created_at, updated_at)"
                                " VALUES (1, 1, 7, 'sms', '+1555', 0, 0)"),
                   ==, SQLITE_CONSTRAINT);
  /* An automation without an event reaches a contact once, too. */
  g_assert_cmpint (exec_rc (db, "INSERT INTO messages (automation_id, contact_id, channel,"
                                " address, created_at, updated_at)"
                                " VALUES (1, 1, 'sms', '+1555', 0, 0)"),
                   ==, SQLITE_CONSTRAINT);
  /* A row can't belong to a campaign and an automation at once. */
  g_assert_cmpint (exec_rc (db, "INSERT INTO messages (campaign_id, automation_id, contact_id,"
                                " channel, address, created_at, updated_at)"
                                " VALUES (1, 1, 1, 'email', 'a@b.c', 0, 0)"),
                   ==, SQLITE_CONSTRAINT);
  /* States are the ones of the send path only. */
  g_assert_cmpint (exec_rc (db, "UPDATE messages SET state = 'done'"), ==, SQLITE_CONSTRAINT);
  /* One suppression per channel and address. */
  raw_exec (db, "INSERT INTO suppressions (channel, address, created_at)"
                " VALUES ('sms', '+15551230001', 0)");
  g_assert_cmpint (exec_rc (db, "INSERT INTO suppressions (channel, address, created_at)"
                                " VALUES ('sms', '+15551230001', 5)"),
                   ==, SQLITE_CONSTRAINT);
  /* Foreign keys are enforced. */
  g_assert_cmpint (exec_rc (db, "INSERT INTO registrations (contact_id, event_id, created_at,"
                                " updated_at) VALUES (99, 7, 0, 0)"),
                   ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM messages"), ==, 3);

  turnout_store_release (store, db);
  turnout_test_finalize_object (store);
}

static void
test_consent_history_is_appended (void)
{
  g_autoptr(GError) error = NULL;
  TurnoutStore *store = open_fresh ("consent.db");
  sqlite3 *db = turnout_store_acquire (store, &error);

  g_assert_no_error (error);
  raw_exec (db, "INSERT INTO contacts (id, email, email_consent, email_consent_source,"
                " email_consent_at, created_at, updated_at)"
                " VALUES (1, 'ana@example.com', 'opted_in', 'form', 100, 100, 100)");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM consent_history"), ==, 1);

  raw_exec (db, "UPDATE contacts SET email_consent = 'opted_out', email_consent_source = 'manual',"
                " email_consent_at = 200, updated_at = 200 WHERE id = 1");
  raw_exec (db, "UPDATE contacts SET sms_consent = 'opted_in', sms_consent_source = 'keyword',"
                " updated_at = 300 WHERE id = 1");
  /* Touching other fields does not add history. */
  raw_exec (db, "UPDATE contacts SET city = 'Berlin', updated_at = 400 WHERE id = 1");

  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM consent_history"), ==, 3);
  g_assert_cmpint (raw_int (db, "SELECT changed_at FROM consent_history"
                                " WHERE channel = 'email' AND status = 'opted_out'"), ==, 200);
  g_assert_cmpint (raw_int (db, "SELECT changed_at FROM consent_history WHERE channel = 'sms'"),
                   ==, 300);

  /* History is never rewritten. */
  g_assert_cmpint (exec_rc (db, "UPDATE consent_history SET status = 'opted_in'"),
                   ==, SQLITE_CONSTRAINT);
  /* Addresses are stored normalized. */
  g_assert_cmpint (exec_rc (db, "UPDATE contacts SET email = 'Ana@Example.com' WHERE id = 1"),
                   ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (exec_rc (db, "UPDATE contacts SET phone = '555-1234' WHERE id = 1"),
                   ==, SQLITE_CONSTRAINT);

  turnout_store_release (store, db);
  turnout_test_finalize_object (store);
}

static void
test_open_and_count_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("async.db");
  GAsyncResult *result = NULL;
  TurnoutStore *store;
  GArray *counts;

  turnout_store_open_async (path, NULL, turnout_test_result_cb, &result);
  store = turnout_store_open_finish (turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  turnout_store_count_rows_async (store, NULL, turnout_test_result_cb, &result);
  counts = turnout_store_count_rows_finish (store, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (counts->len, ==, 15);
  for (guint i = 0; i < counts->len; i++)
    g_assert_cmpint (g_array_index (counts, TurnoutTableCount, i).rows, ==, 0);
  g_array_unref (counts);

  /* Opening a foreign file fails the same way asynchronously. */
  {
    g_autofree char *foreign = new_path ("foreign-async.db");
    TurnoutStore *none;

    g_assert_true (g_file_set_contents (foreign, "PK\003\004 not a database", -1, NULL));
    turnout_store_open_async (foreign, NULL, turnout_test_result_cb, &result);
    none = turnout_store_open_finish (turnout_test_wait_result (&result), &error);
    g_assert_null (none);
    g_assert_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_NOT_TURNOUT);
    g_clear_error (&error);
    g_clear_object (&result);
  }

  turnout_test_finalize_object (store);
}

typedef struct
{
  GThread *thread;
  sqlite3 *db;
} WorkerSeen;

static void
long_query_worker (GTask        *task,
                   sqlite3      *db,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  WorkerSeen *seen = task_data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  seen->thread = g_thread_self ();
  seen->db = db;

  /* A query that would run for a long time unless interrupted. */
  g_cancellable_cancel (cancellable);
  sqlite3_prepare_v2 (db,
                      "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)"
                      " SELECT count(*) FROM n", -1, &stmt, NULL);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc == SQLITE_INTERRUPT)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "interrupted");
  else
    g_task_return_boolean (task, TRUE);
}

static void
test_work_runs_off_main_thread_and_cancels (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TurnoutStore *store = open_fresh ("worker.db");
  GAsyncResult *result = NULL;
  WorkerSeen seen = { 0 };
  GTask *task;

  task = g_task_new (store, cancellable, turnout_test_result_cb, &result);
  /* The work returns its own error, so don't let GTask short-cut it. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, &seen, NULL);
  turnout_store_run_in_thread (store, task, long_query_worker);
  g_object_unref (task);

  g_assert_false (g_task_propagate_boolean (G_TASK (turnout_test_wait_result (&result)), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (seen.thread != g_thread_self ());
  g_assert_nonnull (seen.db);
  g_clear_object (&result);

  turnout_test_finalize_object (store);
}

static void
test_default_path (void)
{
  g_autofree char *path = NULL;

  g_setenv ("TURNOUT_DB", "/tmp/elsewhere.db", TRUE);
  path = turnout_store_dup_default_path ();
  g_assert_cmpstr (path, ==, "/tmp/elsewhere.db");
  g_free (path);

  g_unsetenv ("TURNOUT_DB");
  path = turnout_store_dup_default_path ();
  g_assert_true (g_str_has_prefix (path, g_get_user_data_dir ()));
  g_assert_true (g_str_has_suffix (path, "/turnout/turnout.db"));
}

static void
test_migrates_5_to_6_with_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("v5.db");
  TurnoutStore *store;
  sqlite3 *db = make_file_at_version (path, 5);

  raw_exec (db, "INSERT INTO templates (id, name, channel, subject, body_text, body_html,"
                "                       media_urls, created_at, updated_at)"
                "  VALUES (1, 'Doors', 'sms', '', 'Doors at 10, {first_name|there}!', '',"
                "          '[\"https://example.com/p.jpg\"]', 5, 6),"
                "         (2, 'Recap', 'email', 'Thanks', '', '<p>Hi</p>', '[]', 7, 8);");
  sqlite3_close (db);

  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_store_get_schema_version (store), ==, turnout_store_latest_version ());
  turnout_test_finalize_object (store);

  db = raw_open (path);
  /* The templates are kept as they were, each with an empty preheader. */
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM templates"), ==, 2);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM templates WHERE preheader = ''"), ==, 2);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM templates WHERE id = 1 AND name = 'Doors'"
                                " AND body_text = 'Doors at 10, {first_name|there}!'"
                                " AND media_urls = '[\"https://example.com/p.jpg\"]'"
                                " AND created_at = 5 AND updated_at = 6"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM templates WHERE id = 2"
                                " AND body_html = '<p>Hi</p>' AND subject = 'Thanks'"), ==, 1);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, turnout_store_latest_version ());
  sqlite3_close (db);
}

static void
test_migrates_6_to_7_with_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ("v6.db");
  TurnoutStore *store;
  sqlite3 *db = make_file_at_version (path, 6);

  raw_exec (db, "INSERT INTO templates (id, name, channel, body_text, created_at, updated_at)"
                "  VALUES (1, 'Doors', 'sms', 'Hi', 0, 0);"
                "INSERT INTO campaigns (id, name, channel, template_id, state, created_at,"
                "                       updated_at)"
                "  VALUES (1, 'Old', 'sms', 1, 'completed', 3, 4);");
  sqlite3_close (db);

  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_store_get_schema_version (store), ==, turnout_store_latest_version ());
  turnout_test_finalize_object (store);

  db = raw_open (path);
  /* The campaign is kept; it has no segment rules, which is allowed. */
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM campaigns WHERE id = 1 AND name = 'Old'"
                                " AND state = 'completed' AND segment_rules IS NULL"
                                " AND segment_name IS NULL AND created_at = 3"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_master"
                                " WHERE name = 'messages_campaign_state'"), ==, 1);
  sqlite3_close (db);
}

/* Statements kept prepared: the same one each time it is given back, a
 * separate one (finalized on release) while the first is out, nothing left
 * open by a statement given back half read, and none kept once the
 * connection closes. */
static void
test_statement_cache (void)
{
  g_autofree char *path = turnout_test_tmp_path ("cache.db");
  g_autoptr(GError) error = NULL;
  TurnoutStore *store;
  sqlite3_stmt *first, *again, *inner;
  sqlite3 *db;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  db = turnout_store_acquire (store, &error);
  g_assert_no_error (error);

  first = turnout_db_prepare_cached (db, "SELECT value FROM (SELECT 1 AS value UNION ALL"
                                         " SELECT 2) WHERE value >= ?1", &error);
  g_assert_no_error (error);
  sqlite3_bind_int (first, 1, 1);
  g_assert_cmpint (sqlite3_step (first), ==, SQLITE_ROW);

  /* Asked for again while out: another statement. */
  inner = turnout_db_prepare_cached (db, sqlite3_sql (first), &error);
  g_assert_no_error (error);
  g_assert_true (inner != first);
  g_assert_cmpint (sqlite3_step (inner), ==, SQLITE_DONE); /* ?1 unbound: NULL */
  turnout_db_cached_release (inner);

  /* Given back half read: reset and bindings cleared, so no read stays
   * open on the connection. */
  turnout_db_cached_release (first);
  g_assert_false (sqlite3_stmt_busy (first));
  again = turnout_db_prepare_cached (db, sqlite3_sql (first), &error);
  g_assert_no_error (error);
  g_assert_true (again == first);
  g_assert_cmpint (sqlite3_step (again), ==, SQLITE_DONE);
  turnout_db_cached_release (again);
  g_assert_true (turnout_db_begin (db, &error));
  g_assert_true (turnout_db_exec (db, "INSERT INTO settings (key, value, updated_at)"
                                      " VALUES ('general.sender_name', 'Cached', 0)", &error));
  g_assert_true (turnout_db_commit (db, &error));
  g_assert_no_error (error);

  /* Text after the statement (SQLite keeps only the statement's): kept
   * and given back all the same. */
  first = turnout_db_prepare_cached (db, "SELECT 7; ", &error);
  g_assert_no_error (error);
  turnout_db_cached_release (first);
  again = turnout_db_prepare_cached (db, "SELECT 7; ", &error);
  g_assert_true (again == first);
  g_assert_cmpint (sqlite3_step (again), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (again, 0), ==, 7);
  turnout_db_cached_release (again);

  /* A bad statement is an error, and is not kept. */
  g_assert_null (turnout_db_prepare_cached (db, "SELEKT 1", &error));
  g_assert_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_SQL);
  g_clear_error (&error);

  turnout_store_release (store, db);
  /* Closing the connections finalizes what they kept (SQLite would keep a
   * connection with statements open as a zombie). */
  g_object_unref (store);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/create", test_create_new_file);
  g_test_add_func ("/store/wal", test_journal_mode_is_wal);
  g_test_add_func ("/store/refuse/text-file", test_refuses_text_file);
  g_test_add_func ("/store/refuse/other-sqlite", test_refuses_other_sqlite_database);
  g_test_add_func ("/store/refuse/newer", test_refuses_newer_schema);
  g_test_add_func ("/store/refuse/corrupt", test_refuses_corrupt_file);
  g_test_add_func ("/store/refuse/directory", test_refuses_directory);
  g_test_add_func ("/store/migrate/from-0", test_migrates_from_version_0);
  g_test_add_func ("/store/migrate/failure-changes-nothing", test_failed_migration_changes_nothing);
  g_test_add_func ("/store/migrate/1-to-2", test_migrates_1_to_2_with_data);
  g_test_add_func ("/store/migrate/3-to-4", test_migrates_3_to_4_with_data);
  g_test_add_func ("/store/migrate/4-to-5", test_migrates_4_to_5_with_data);
  g_test_add_func ("/store/migrate/5-to-6", test_migrates_5_to_6_with_data);
  g_test_add_func ("/store/migrate/6-to-7", test_migrates_6_to_7_with_data);
  g_test_add_func ("/store/figures", test_figures_follow_writes_and_time);
  g_test_add_func ("/store/figures/refresh-lock", test_refresh_waits_only_when_needed);
  g_test_add_func ("/store/schema/unique-sends", test_unique_keys_prevent_duplicate_sends);
  g_test_add_func ("/store/schema/consent-history", test_consent_history_is_appended);
  g_test_add_func ("/store/async/open-count", test_open_and_count_async);
  g_test_add_func ("/store/async/worker-cancel", test_work_runs_off_main_thread_and_cancels);
  g_test_add_func ("/store/default-path", test_default_path);
  g_test_add_func ("/store/statement-cache", test_statement_cache);

  return g_test_run ();
}
