/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-test"

#include "config.h"

#include "turnout-test-db.h"

/*
 * What the tests of stored data share: running SQL on a store to set up a
 * case, and reading one value back to check what was written. Each
 * borrows a pooled connection and gives it back.
 */

/**
 * turnout_test_exec_sql:
 *
 * Runs @sql (any number of statements); fails the test on an error.
 */
void
turnout_test_exec_sql (TurnoutStore *store,
                       const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);

  g_assert_no_error (error);
  turnout_db_exec (db, sql, &error);
  g_assert_no_error (error);
  turnout_store_release (store, db);
}

/**
 * turnout_test_query_text:
 *
 * Returns: (transfer full) (nullable): the first column of the first row
 *   of @sql, or %NULL when there is no row or it is NULL.
 */
char *
turnout_test_query_text (TurnoutStore *store,
                         const char   *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = turnout_store_acquire (store, &error);
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  turnout_store_release (store, db);
  return text;
}

/**
 * turnout_test_query_int:
 *
 * Returns: the first column of the first row of @sql as a number, or -1.
 */
gint64
turnout_test_query_int (TurnoutStore *store,
                        const char   *sql)
{
  g_autofree char *text = turnout_test_query_text (store, sql);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : -1;
}
