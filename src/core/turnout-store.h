/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_STORE_ERROR (turnout_store_error_quark ())

/**
 * TurnoutStoreError:
 * @TURNOUT_STORE_ERROR_NOT_TURNOUT: the file is not a Turnout database
 * @TURNOUT_STORE_ERROR_CORRUPT: the file is damaged
 * @TURNOUT_STORE_ERROR_TOO_NEW: a newer Turnout wrote the file
 * @TURNOUT_STORE_ERROR_IO: the file or its folder could not be created or opened
 * @TURNOUT_STORE_ERROR_SQL: a statement failed
 * @TURNOUT_STORE_ERROR_CONSTRAINT: a write broke a rule of the schema
 * @TURNOUT_STORE_ERROR_BUSY: another program held the database for too long
 * @TURNOUT_STORE_ERROR_MIGRATION: upgrading the schema failed; nothing was changed
 */
typedef enum
{
  TURNOUT_STORE_ERROR_NOT_TURNOUT,
  TURNOUT_STORE_ERROR_CORRUPT,
  TURNOUT_STORE_ERROR_TOO_NEW,
  TURNOUT_STORE_ERROR_IO,
  TURNOUT_STORE_ERROR_SQL,
  TURNOUT_STORE_ERROR_CONSTRAINT,
  TURNOUT_STORE_ERROR_BUSY,
  TURNOUT_STORE_ERROR_MIGRATION,
} TurnoutStoreError;

/* "TRNT": PRAGMA application_id of every Turnout database. */
#define TURNOUT_STORE_APPLICATION_ID 0x54524E54

typedef struct
{
  const char *table;
  gint64      rows;
} TurnoutTableCount;

/**
 * TurnoutStoreWorkFunc:
 * @task: the task to return a result on
 * @db: a connection owned by this thread until the function returns
 * @task_data: the task's data
 * @cancellable: (nullable): cancels the work; long statements are interrupted
 *
 * Runs on a worker thread. It must call one of the g_task_return_*()
 * functions, and must not touch GTK or anything of the main thread.
 */
typedef void (*TurnoutStoreWorkFunc) (GTask        *task,
                                      sqlite3      *db,
                                      gpointer      task_data,
                                      GCancellable *cancellable);

#define TURNOUT_TYPE_STORE (turnout_store_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutStore, turnout_store, TURNOUT, STORE, GObject)

GQuark        turnout_store_error_quark          (void);
int           turnout_store_latest_version       (void);
char         *turnout_store_dup_default_path     (void);
TurnoutStore *turnout_store_open                 (const char           *path,
                                                  GError              **error);
void          turnout_store_open_async           (const char           *path,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
TurnoutStore *turnout_store_open_finish          (GAsyncResult         *result,
                                                  GError              **error);
const char   *turnout_store_get_path             (TurnoutStore         *self);
int           turnout_store_get_schema_version   (TurnoutStore         *self);
const char   *turnout_store_get_backup_path      (TurnoutStore         *self);
sqlite3      *turnout_store_acquire              (TurnoutStore         *self,
                                                  GError              **error);
void          turnout_store_release              (TurnoutStore         *self,
                                                  sqlite3              *db);
void          turnout_store_run_in_thread        (TurnoutStore         *self,
                                                  GTask                *task,
                                                  TurnoutStoreWorkFunc  func);
GArray       *turnout_store_count_rows           (TurnoutStore         *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
void          turnout_store_count_rows_async     (TurnoutStore         *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GArray       *turnout_store_count_rows_finish    (TurnoutStore         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
char         *turnout_store_check_integrity      (TurnoutStore         *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);

/* Helpers for core modules that run SQL on a connection from the store. */
gboolean      turnout_db_exec                    (sqlite3              *db,
                                                  const char           *sql,
                                                  GError              **error);
gboolean      turnout_db_set_error               (GError              **error,
                                                  sqlite3              *db,
                                                  int                   rc,
                                                  const char           *what);
sqlite3_stmt *turnout_db_prepare                 (sqlite3              *db,
                                                  const char           *sql,
                                                  GError              **error);
sqlite3_stmt *turnout_db_prepare_cached          (sqlite3              *db,
                                                  const char           *sql,
                                                  GError              **error);
void          turnout_db_cached_release          (sqlite3_stmt         *stmt);
gboolean      turnout_db_begin                   (sqlite3              *db,
                                                  GError              **error);
gboolean      turnout_db_commit                  (sqlite3              *db,
                                                  GError              **error);
void          turnout_db_rollback                (sqlite3              *db);
gboolean      turnout_db_refresh_figures         (sqlite3              *db,
                                                  gint64                now,
                                                  GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* A statement from turnout_db_prepare_cached(): g_autoptr() gives it back. */
typedef sqlite3_stmt TurnoutDbCached;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutDbCached, turnout_db_cached_release)

G_END_DECLS
