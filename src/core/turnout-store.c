/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "turnout-clock.h"
#include "turnout-store.h"
#include "turnout-store-private.h"

/*
 * TurnoutStore owns the SQLite file. Opening checks that the file is a
 * Turnout database the binary understands before anything is written to it,
 * then applies the pending migrations. Work runs on worker threads, each
 * borrowing a connection from a small pool for the length of one task, so a
 * connection is only ever used by one thread at a time (WAL mode lets
 * readers go on while one writer writes).
 */
struct _TurnoutStore
{
  GObject  parent_instance;

  char    *path;
  char    *backup_path;    /* the copy made before the last upgrade, or NULL */
  int      schema_version;

  GMutex   pool_lock;
  GQueue   idle;           /* sqlite3 *, owned */
};

G_DEFINE_FINAL_TYPE (TurnoutStore, turnout_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (turnout-store-error-quark, turnout_store_error)

#define BUSY_TIMEOUT_MS 10000

/* Statements kept prepared, a table a connection --------------------------
 *
 * Preparing a statement costs more than running it on a few rows, and the
 * send path runs the same few statements for every message. A connection
 * is only ever used by one thread at a time, so its own table needs no
 * lock; the map from connections to tables does. */

typedef struct
{
  sqlite3_stmt *stmt;
  gboolean      in_use;
} CachedStmt;

static GMutex      stmt_caches_lock;
static GHashTable *stmt_caches;  /* sqlite3 * → GHashTable (SQL → CachedStmt) */

static void
cached_stmt_free (gpointer data)
{
  CachedStmt *cached = data;

  sqlite3_finalize (cached->stmt);
  g_free (cached);
}

static GHashTable *
lookup_stmt_cache (sqlite3  *db,
                   gboolean  create)
{
  GHashTable *cache;

  g_mutex_lock (&stmt_caches_lock);
  if (stmt_caches == NULL)
    stmt_caches = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) g_hash_table_unref);
  cache = g_hash_table_lookup (stmt_caches, db);
  if (cache == NULL && create)
    {
      cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_stmt_free);
      g_hash_table_insert (stmt_caches, db, cache);
    }
  g_mutex_unlock (&stmt_caches_lock);
  return cache;
}

/* Closes @db, with the statements kept for it. */
static void
close_connection (sqlite3 *db)
{
  g_mutex_lock (&stmt_caches_lock);
  if (stmt_caches != NULL)
    g_hash_table_remove (stmt_caches, db);
  g_mutex_unlock (&stmt_caches_lock);
  sqlite3_close_v2 (db);
}

static void
turnout_store_finalize (GObject *object)
{
  TurnoutStore *self = TURNOUT_STORE (object);
  sqlite3 *db;

  while ((db = g_queue_pop_head (&self->idle)) != NULL)
    close_connection (db);
  g_mutex_clear (&self->pool_lock);
  g_free (self->path);
  g_free (self->backup_path);

  G_OBJECT_CLASS (turnout_store_parent_class)->finalize (object);
}

static void
turnout_store_class_init (TurnoutStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = turnout_store_finalize;
}

static void
turnout_store_init (TurnoutStore *self)
{
  g_mutex_init (&self->pool_lock);
  g_queue_init (&self->idle);
}

int
turnout_store_latest_version (void)
{
  guint n;
  const TurnoutMigration *all = turnout_store_migrations (&n);

  return all[n - 1].version;
}

/**
 * turnout_store_dup_default_path:
 *
 * Returns: (transfer full): `$TURNOUT_DB` when set, else turnout.db in the
 *   user data folder.
 */
char *
turnout_store_dup_default_path (void)
{
  const char *env = g_getenv ("TURNOUT_DB");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "turnout", "turnout.db", NULL);
}

gboolean
turnout_db_set_error (GError     **error,
                      sqlite3     *db,
                      int          rc,
                      const char  *what)
{
  int code;
  int primary = rc & 0xff;
  const char *message = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (primary)
    {
    case SQLITE_CONSTRAINT:
      code = TURNOUT_STORE_ERROR_CONSTRAINT;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = TURNOUT_STORE_ERROR_BUSY;
      message = _("another program kept the database busy; try again");
      break;
    case SQLITE_CORRUPT:
      code = TURNOUT_STORE_ERROR_CORRUPT;
      break;
    case SQLITE_NOTADB:
      code = TURNOUT_STORE_ERROR_NOT_TURNOUT;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = TURNOUT_STORE_ERROR_IO;
      break;
    case SQLITE_INTERRUPT:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return FALSE;
    default:
      code = TURNOUT_STORE_ERROR_SQL;
      break;
    }

  /* TRANSLATORS: the first %s says what was being done, the second why it failed. */
  g_set_error (error, TURNOUT_STORE_ERROR, code, _("%s: %s"), what, message);
  return FALSE;
}

gboolean
turnout_db_exec (sqlite3     *db,
                 const char  *sql,
                 GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return turnout_db_set_error (error, db, rc, _("Database statement failed"));
  return TRUE;
}

/**
 * turnout_db_prepare:
 *
 * Returns: (transfer full) (nullable): the statement, or %NULL with @error set.
 */
sqlite3_stmt *
turnout_db_prepare (sqlite3     *db,
                    const char  *sql,
                    GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      turnout_db_set_error (error, db, rc, _("Could not prepare a database statement"));
      return NULL;
    }
  return stmt;
}

/**
 * turnout_db_prepare_cached:
 *
 * Like turnout_db_prepare(), for a statement the connection runs often: it
 * is prepared once and kept with @db. Give it back with
 * turnout_db_cached_release() (g_autoptr(TurnoutDbCached) does) from the
 * thread that uses @db, and never finalize it. The same SQL asked for
 * again while its statement is out gets a statement of its own, finalized
 * on release.
 *
 * Returns: (transfer none) (nullable): the statement, reset and without
 *   bindings, or %NULL with @error set.
 */
sqlite3_stmt *
turnout_db_prepare_cached (sqlite3     *db,
                           const char  *sql,
                           GError     **error)
{
  GHashTable *cache = lookup_stmt_cache (db, TRUE);
  CachedStmt *cached = g_hash_table_lookup (cache, sql);
  sqlite3_stmt *stmt;

  if (cached != NULL && !cached->in_use)
    {
      cached->in_use = TRUE;
      return cached->stmt;
    }
  stmt = turnout_db_prepare (db, sql, error);
  if (stmt != NULL && cached == NULL)
    {
      cached = g_new0 (CachedStmt, 1);
      cached->stmt = stmt;
      cached->in_use = TRUE;
      g_hash_table_insert (cache, g_strdup (sql), cached);
    }
  return stmt;
}

/**
 * turnout_db_cached_release:
 *
 * Gives back a statement from turnout_db_prepare_cached(): reset, its
 * bindings cleared (so no read stays open and no text is kept).
 */
void
turnout_db_cached_release (sqlite3_stmt *stmt)
{
  GHashTable *cache;
  CachedStmt *cached;

  if (stmt == NULL)
    return;
  cache = lookup_stmt_cache (sqlite3_db_handle (stmt), FALSE);
  cached = cache != NULL ? g_hash_table_lookup (cache, sqlite3_sql (stmt)) : NULL;
  /* SQLite may keep less text than was given (what follows a first
   * statement): then the kept statement is found by itself. */
  if (cache != NULL && (cached == NULL || cached->stmt != stmt))
    {
      GHashTableIter iter;
      gpointer value;

      cached = NULL;
      g_hash_table_iter_init (&iter, cache);
      while (cached == NULL && g_hash_table_iter_next (&iter, NULL, &value))
        if (((CachedStmt *) value)->stmt == stmt)
          cached = value;
    }
  if (cached == NULL)
    {
      sqlite3_finalize (stmt);
      return;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  cached->in_use = FALSE;
}

/* One statement without results, kept prepared. */
static gboolean
exec_cached (sqlite3     *db,
             const char  *sql,
             GError     **error)
{
  g_autoptr(TurnoutDbCached) stmt = turnout_db_prepare_cached (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE && rc != SQLITE_ROW)
    return turnout_db_set_error (error, db, rc, _("Database statement failed"));
  return TRUE;
}

gboolean
turnout_db_begin (sqlite3  *db,
                  GError  **error)
{
  /* IMMEDIATE takes the write lock now, so a transaction never fails half
   * way because another connection started writing first. */
  return exec_cached (db, "BEGIN IMMEDIATE", error);
}

gboolean
turnout_db_commit (sqlite3  *db,
                   GError  **error)
{
  if (!exec_cached (db, "COMMIT", error))
    {
      turnout_db_rollback (db);
      return FALSE;
    }
  return TRUE;
}

void
turnout_db_rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static gint64
query_int (sqlite3     *db,
           const char  *sql,
           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      turnout_db_set_error (error, db, rc, _("Could not read the database"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

static gboolean
configure_connection (sqlite3  *db,
                      GError  **error)
{
  sqlite3_extended_result_codes (db, TRUE);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  return turnout_db_exec (db,
                          "PRAGMA foreign_keys = ON;"
                          "PRAGMA synchronous = NORMAL;"
                          "PRAGMA temp_store = MEMORY;",
                          error);
}

static sqlite3 *
open_connection (const char  *path,
                 int          flags,
                 GError     **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_IO,
                   _("Could not open “%s”: %s"), path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close_v2 (db);
      return NULL;
    }
  return db;
}

typedef struct
{
  gint64 application_id;
  gint64 user_version;
  gint64 n_objects;
} FileFacts;

/* Reads what decides whether we may open the file, through a read-only
 * connection so that nothing is written to a file that is not ours. */
static gboolean
inspect_file (const char  *path,
              FileFacts   *facts,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3 *db;
  gboolean ok = FALSE;

  db = open_connection (path, SQLITE_OPEN_READONLY, error);
  if (db == NULL)
    return FALSE;
  sqlite3_extended_result_codes (db, TRUE);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  if ((facts->n_objects = query_int (db, "SELECT count(*) FROM sqlite_schema", &local_error)) < 0 ||
      (facts->application_id = query_int (db, "PRAGMA application_id", &local_error)) < 0 ||
      (facts->user_version = query_int (db, "PRAGMA user_version", &local_error)) < 0)
    {
      if (g_error_matches (local_error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_NOT_TURNOUT))
        g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_NOT_TURNOUT,
                     _("“%s” is not a Turnout database (it is not an SQLite file at all). "
                       "It was left unchanged."), path);
      else if (g_error_matches (local_error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_CORRUPT))
        g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_CORRUPT,
                     _("“%s” is damaged and cannot be read (%s). It was left unchanged; "
                       "restore it from a backup."), path, local_error->message);
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                    _("Could not read “%s”: "), path);
      goto out;
    }

  ok = TRUE;

out:
  sqlite3_close_v2 (db);
  return ok;
}

/* Creates the file with mode 0600 before SQLite sees it: SQLite would use
 * the umask, and contacts are personal data. The -wal and -shm files take
 * the main file's mode. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_IO,
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    {
      int saved = errno;
      g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_IO,
                   _("Could not create “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (fd >= 0)
    close (fd);
  return TRUE;
}

static gboolean
make_private (const char  *path,
              GError     **error)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0 && (st.st_mode & 0077) != 0 && g_chmod (path, 0600) != 0)
    {
      int saved = errno;
      g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_IO,
                   _("Could not make “%s” private to you: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Before upgrading a file that already holds data, keep a copy of it as it
 * was: a migration is tested, but a promoter's list is their business. */
static char *
backup_before_upgrade (sqlite3     *db,
                       const char  *path,
                       int          from_version,
                       GError     **error)
{
  g_autofree char *backup = g_strdup_printf ("%s.schema-%d.bak", path, from_version);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_unlink (backup);
  stmt = turnout_db_prepare (db, "VACUUM INTO ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, backup, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not back up the database before upgrading it"));
      return NULL;
    }
  g_chmod (backup, 0600);
  return g_steal_pointer (&backup);
}

static gboolean
migrate (TurnoutStore  *self,
         sqlite3       *db,
         int            from_version,
         GError       **error)
{
  guint n;
  const TurnoutMigration *all = turnout_store_migrations (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *stamp = NULL;

      if (all[i].version <= from_version)
        continue;

      stamp = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d;",
                               TURNOUT_STORE_APPLICATION_ID, all[i].version);
      if (!turnout_db_begin (db, &local_error) ||
          !turnout_db_exec (db, all[i].sql, &local_error) ||
          !turnout_db_exec (db, stamp, &local_error) ||
          !turnout_db_commit (db, &local_error))
        {
          turnout_db_rollback (db);
          g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_MIGRATION,
                       _("Could not upgrade “%s” to schema version %d (%s). "
                         "The file was left at version %d."),
                       self->path, all[i].version, local_error->message,
                       i == 0 ? from_version : all[i - 1].version);
          return FALSE;
        }
      g_debug ("Upgraded %s to schema %d: %s", self->path, all[i].version, all[i].summary);
      self->schema_version = all[i].version;
    }

  return TRUE;
}

/* Reads the instant the figures are correct as of, and whether an event
 * started between it and @now (either way): only then do the figures as
 * of @now differ. One statement, so one snapshot, and no lock taken;
 * events_starts answers it. */
static gboolean
read_figures_clock (sqlite3   *db,
                    gint64     now,
                    gint64    *as_of,
                    gboolean  *stale,
                    GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db,
                             "SELECT as_of, EXISTS (SELECT 1 FROM events"
                             "                       WHERE starts_at > min (as_of, ?1)"
                             "                         AND starts_at <= max (as_of, ?1))"
                             "  FROM figures_clock",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    return turnout_db_set_error (error, db, rc, _("Could not read the contacts’ figures"));
  *as_of = sqlite3_column_int64 (stmt, 0);
  *stale = sqlite3_column_int (stmt, 1) != 0;
  return TRUE;
}

/* Moves as_of to @now and recomputes the contacts of the events that
 * started in between, in one write transaction. */
static gboolean
advance_figures (sqlite3  *db,
                 gint64    now,
                 GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 as_of;
  gboolean stale;
  int rc;

  if (!turnout_db_begin (db, error))
    return FALSE;
  /* Read again: another connection may have moved it since. */
  if (!read_figures_clock (db, now, &as_of, &stale, error))
    goto fail;
  if (as_of == now)
    return turnout_db_commit (db, error);

  stmt = turnout_db_prepare (db, "UPDATE figures_clock SET as_of = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not update the contacts’ figures"));
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* Every figure of a contact changes only through their registrations'
   * events: those that start in between are all there is to recompute,
   * whatever the registrations' status (events attended, first, last and
   * next event alike). */
  if (stale)
    {
      stmt = turnout_db_prepare (db, TURNOUT_RECOMPUTE_FIGURES_SQL (
                                   "id IN (SELECT r.contact_id FROM registrations r"
                                   "       JOIN events e ON e.id = r.event_id"
                                   "       WHERE e.starts_at > min (?1, ?2)"
                                   "         AND e.starts_at <= max (?1, ?2))"),
                                 error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, as_of);
      sqlite3_bind_int64 (stmt, 2, now);
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        {
          turnout_db_set_error (error, db, rc, _("Could not update the contacts’ figures"));
          goto fail;
        }
    }
  return turnout_db_commit (db, error);

fail:
  turnout_db_rollback (db);
  return FALSE;
}

/**
 * turnout_db_refresh_figures:
 * @db: a connection, not in a transaction
 * @now: the time, in Unix seconds, from TurnoutClock
 *
 * Brings the per-contact figures (events attended, first, last and next
 * event) to @now: recomputes only the contacts of events that started
 * between the instant they were correct as of and @now (either way, so a
 * clock set back in a test works too).
 *
 * When no event started in between, the figures are already those of
 * @now, and nothing has to be written: then the write lock is only tried,
 * never waited for, so that counting a segment never waits for an import.
 * Moving as_of forward anyway, when the lock is free, keeps the triggers
 * of writes that follow (an event entered after it started) counting as
 * of now.
 */
gboolean
turnout_db_refresh_figures (sqlite3  *db,
                            gint64    now,
                            GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 as_of;
  gboolean stale, ok;

  if (!read_figures_clock (db, now, &as_of, &stale, error))
    return FALSE;
  if (as_of == now)
    return TRUE;
  if (stale)
    return advance_figures (db, now, error);

  sqlite3_busy_timeout (db, 0);
  ok = advance_figures (db, now, &local_error);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  if (!ok && !g_error_matches (local_error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_BUSY))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/**
 * turnout_store_open:
 * @path: (nullable): the database file; %NULL for turnout_store_dup_default_path()
 *
 * Opens the database, creating it (mode 0600) if it does not exist, and
 * upgrades it to the schema of this binary. A file that is not a Turnout
 * database, is damaged, or was written by a newer Turnout is refused and
 * left byte for byte as it was. Blocks: call it from a worker or the CLI,
 * or use turnout_store_open_async().
 *
 * Returns: (transfer full): the store, or %NULL with @error set.
 */
TurnoutStore *
turnout_store_open (const char  *path,
                    GError     **error)
{
  g_autoptr(TurnoutStore) self = g_object_new (TURNOUT_TYPE_STORE, NULL);
  FileFacts facts = { 0 };
  GStatBuf st;
  sqlite3 *db;
  gboolean ok;
  int latest = turnout_store_latest_version ();

  self->path = path != NULL ? g_strdup (path) : turnout_store_dup_default_path ();

  if (g_stat (self->path, &st) == 0)
    {
      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_NOT_TURNOUT,
                       _("“%s” is not a file, so it cannot be a Turnout database."), self->path);
          return NULL;
        }
      if (!inspect_file (self->path, &facts, error))
        return NULL;
    }
  else if (!create_private_file (self->path, error))
    return NULL;

  if (facts.application_id != TURNOUT_STORE_APPLICATION_ID &&
      !(facts.application_id == 0 && facts.user_version == 0 && facts.n_objects == 0))
    {
      g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_NOT_TURNOUT,
                   _("“%s” is an SQLite database of another program, not a Turnout database. "
                     "It was left unchanged."), self->path);
      return NULL;
    }
  if (facts.user_version > latest)
    {
      g_set_error (error, TURNOUT_STORE_ERROR, TURNOUT_STORE_ERROR_TOO_NEW,
                   _("“%s” was written by a newer Turnout (schema version %d; this version "
                     "understands up to %d). Update Turnout to open it. The file was left "
                     "unchanged."),
                   self->path, (int) facts.user_version, latest);
      return NULL;
    }

  if (!make_private (self->path, error))
    return NULL;

  db = open_connection (self->path, SQLITE_OPEN_READWRITE, error);
  if (db == NULL)
    return NULL;

  self->schema_version = (int) facts.user_version;
  ok = configure_connection (db, error);
  if (ok && self->schema_version < latest)
    {
      ok = turnout_db_exec (db, "PRAGMA journal_mode = WAL", error);
      if (ok && self->schema_version > 0)
        {
          self->backup_path = backup_before_upgrade (db, self->path, self->schema_version, error);
          ok = self->backup_path != NULL;
        }
      ok = ok && migrate (self, db, self->schema_version, error);
    }

  ok = ok && turnout_db_refresh_figures (db, turnout_clock_get_unix (turnout_clock_get_default ()),
                                         error);
  if (!ok)
    {
      close_connection (db);
      return NULL;
    }

  g_queue_push_head (&self->idle, db);
  return g_steal_pointer (&self);
}

static void
open_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  TurnoutStore *store = turnout_store_open (task_data, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

/**
 * turnout_store_open_async:
 * @path: (nullable): as for turnout_store_open()
 *
 * Opens (and if needed creates and upgrades) the database on a worker thread.
 */
void
turnout_store_open_async (const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, turnout_store_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_worker);
}

/**
 * turnout_store_open_finish:
 *
 * Returns: (transfer full): the store, or %NULL with @error set.
 */
TurnoutStore *
turnout_store_open_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_store_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
turnout_store_get_path (TurnoutStore *self)
{
  g_return_val_if_fail (TURNOUT_IS_STORE (self), NULL);

  return self->path;
}

int
turnout_store_get_schema_version (TurnoutStore *self)
{
  g_return_val_if_fail (TURNOUT_IS_STORE (self), 0);

  return self->schema_version;
}

/**
 * turnout_store_get_backup_path:
 *
 * Returns: (nullable): the copy of the file made before this open upgraded
 *   it, or %NULL when no upgrade of existing data happened.
 */
const char *
turnout_store_get_backup_path (TurnoutStore *self)
{
  g_return_val_if_fail (TURNOUT_IS_STORE (self), NULL);

  return self->backup_path;
}

/**
 * turnout_store_acquire:
 *
 * Borrows a connection for the calling thread. Give it back with
 * turnout_store_release() from the same thread. Thread-safe.
 *
 * Returns: (transfer none): the connection, or %NULL with @error set.
 */
sqlite3 *
turnout_store_acquire (TurnoutStore  *self,
                       GError       **error)
{
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (self), NULL);

  g_mutex_lock (&self->pool_lock);
  db = g_queue_pop_head (&self->idle);
  g_mutex_unlock (&self->pool_lock);

  if (db != NULL)
    return db;

  db = open_connection (self->path, SQLITE_OPEN_READWRITE, error);
  if (db != NULL && !configure_connection (db, error))
    g_clear_pointer (&db, close_connection);
  return db;
}

void
turnout_store_release (TurnoutStore *self,
                       sqlite3      *db)
{
  g_return_if_fail (TURNOUT_IS_STORE (self));
  g_return_if_fail (db != NULL);

  /* A task that failed half way must not hand an open transaction on. */
  turnout_db_rollback (db);
  sqlite3_progress_handler (db, 0, NULL, NULL);

  g_mutex_lock (&self->pool_lock);
  g_queue_push_head (&self->idle, db);
  g_mutex_unlock (&self->pool_lock);
}

static int
on_progress_check_cancelled (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

static void
run_in_thread_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  TurnoutStore *self = g_object_get_data (G_OBJECT (task), "turnout-store");
  TurnoutStoreWorkFunc func = g_object_get_data (G_OBJECT (task), "turnout-store-func");
  GError *error = NULL;
  sqlite3 *db;

  if (g_task_return_error_if_cancelled (task))
    return;

  db = turnout_store_acquire (self, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (cancellable != NULL)
    sqlite3_progress_handler (db, 1000, on_progress_check_cancelled, cancellable);
  func (task, db, task_data, cancellable);
  turnout_store_release (self, db);
}

/**
 * turnout_store_run_in_thread:
 * @task: a task whose data @func reads
 * @func: the work; it gets a connection of its own
 *
 * Runs @func on a worker thread with a pooled connection. When @task has a
 * cancellable, cancelling it interrupts the running statement, which then
 * fails with %G_IO_ERROR_CANCELLED.
 */
void
turnout_store_run_in_thread (TurnoutStore         *self,
                             GTask                *task,
                             TurnoutStoreWorkFunc  func)
{
  g_return_if_fail (TURNOUT_IS_STORE (self));
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  g_object_set_data_full (G_OBJECT (task), "turnout-store", g_object_ref (self), g_object_unref);
  g_object_set_data (G_OBJECT (task), "turnout-store-func", func);
  g_task_run_in_thread (task, run_in_thread_worker);
}

static GArray *
count_rows (sqlite3       *db,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (TurnoutTableCount));
  const char * const *tables = turnout_store_tables ();

  for (guint i = 0; tables[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", tables[i]);
      TurnoutTableCount count = { tables[i], query_int (db, sql, error) };

      if (count.rows < 0)
        return NULL;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_array_append_val (counts, count);
    }
  return g_steal_pointer (&counts);
}

/**
 * turnout_store_count_rows:
 *
 * Counts the rows of every table. Blocks; see turnout_store_count_rows_async().
 *
 * Returns: (transfer full) (element-type TurnoutTableCount): one entry a table.
 */
GArray *
turnout_store_count_rows (TurnoutStore  *self,
                          GCancellable  *cancellable,
                          GError       **error)
{
  sqlite3 *db = turnout_store_acquire (self, error);
  GArray *counts;

  if (db == NULL)
    return NULL;
  counts = count_rows (db, cancellable, error);
  turnout_store_release (self, db);
  return counts;
}

static void
count_rows_worker (GTask        *task,
                   sqlite3      *db,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  GArray *counts = count_rows (db, cancellable, &error);

  if (counts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, counts, (GDestroyNotify) g_array_unref);
}

void
turnout_store_count_rows_async (TurnoutStore        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, turnout_store_count_rows_async);
  turnout_store_run_in_thread (self, task, count_rows_worker);
}

/**
 * turnout_store_count_rows_finish:
 *
 * Returns: (transfer full) (element-type TurnoutTableCount): one entry a table.
 */
GArray *
turnout_store_count_rows_finish (TurnoutStore  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * turnout_store_check_integrity:
 *
 * Runs SQLite's quick check over the whole file. Blocks, and reads every
 * page: for `turnout-cli doctor`, not for every start.
 *
 * Returns: (transfer full): "ok", or SQLite's description of the damage;
 *   %NULL with @error set when the check could not run.
 */
char *
turnout_store_check_integrity (TurnoutStore  *self,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GString) report = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db = turnout_store_acquire (self, error);
  int rc;

  if (db == NULL)
    return NULL;
  if (cancellable != NULL)
    sqlite3_progress_handler (db, 1000, on_progress_check_cancelled, cancellable);

  stmt = turnout_db_prepare (db, "PRAGMA quick_check", error);
  while (stmt != NULL && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (report->len > 0)
        g_string_append_c (report, '\n');
      g_string_append (report, (const char *) sqlite3_column_text (stmt, 0));
    }
  if (stmt != NULL && rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not check the database"));
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  if (stmt == NULL)
    {
      turnout_store_release (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  turnout_store_release (self, db);
  return g_string_free (g_steal_pointer (&report), FALSE);
}
