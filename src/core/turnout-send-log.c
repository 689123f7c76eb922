/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-send-log"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "turnout-send-log.h"

/*
 * The log is a text file: a first line saying what it is, then the id of
 * each message that started to leave, one a line, each written whole by a
 * single write(2) before the message's data goes out. A write that
 * returned is in the kernel's hands, so it outlives the process however it
 * ends; a line cut short was never finished, and its message never left.
 *
 * A log without its first line was not kept by a run that noted every
 * message (it is new, or an older Turnout's lock file): it can't tell
 * anything, and every row left "sending" stays "unknown", as before.
 */

#define HEADER "Turnout send log 1\n"

struct _TurnoutSendLog
{
  char     *path;
  int       fd;       /* O_APPEND: lines from several threads never mix */
  gboolean  started;  /* the first line is there: the log can be trusted */
};

struct _TurnoutSendMark
{
  TurnoutSendLog *log;
  gint64          message_id;
  int             left;      /* atomic */
};

/**
 * turnout_send_log_open:
 * @path: the log's file, created (0600) when missing
 *
 * Returns: (transfer full): the log, or %NULL with @error set.
 */
TurnoutSendLog *
turnout_send_log_open (const char  *path,
                       GError     **error)
{
  TurnoutSendLog *log;
  int fd = g_open (path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  log = g_atomic_rc_box_new0 (TurnoutSendLog);
  log->path = g_strdup (path);
  log->fd = fd;
  return log;
}

TurnoutSendLog *
turnout_send_log_ref (TurnoutSendLog *log)
{
  return g_atomic_rc_box_acquire (log);
}

static void
send_log_clear (gpointer data)
{
  TurnoutSendLog *log = data;

  close (log->fd);
  g_free (log->path);
}

void
turnout_send_log_unref (TurnoutSendLog *log)
{
  if (log != NULL)
    g_atomic_rc_box_release_full (log, send_log_clear);
}

static gboolean
set_io_error (GError         **error,
              TurnoutSendLog  *log,
              int              saved)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               _("Could not use the send log “%s”: %s"), log->path, g_strerror (saved));
  return FALSE;
}

/**
 * turnout_send_log_read:
 * @left: (out) (transfer full) (nullable): the ids the log names (a set of
 *   gint64), or %NULL when the log can't be trusted (it has no first line)
 *
 * Reads what an earlier run noted. Blocks: for a worker thread.
 *
 * Returns: %FALSE with @error set when the file can't be read.
 */
gboolean
turnout_send_log_read (TurnoutSendLog  *log,
                       GHashTable     **left,
                       GError         **error)
{
  g_autoptr(GHashTable) ids = NULL;
  g_autofree char *data = NULL;
  struct stat st;
  gsize length = 0;
  const char *p, *end;

  *left = NULL;
  if (fstat (log->fd, &st) != 0)
    return set_io_error (error, log, errno);
  data = g_malloc ((gsize) st.st_size + 1);
  while (length < (gsize) st.st_size)
    {
      gssize n = pread (log->fd, data + length, (gsize) st.st_size - length, (off_t) length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_io_error (error, log, errno);
      if (n == 0)
        break;
      length += (gsize) n;
    }
  data[length] = '\0';
  if (length < strlen (HEADER) || memcmp (data, HEADER, strlen (HEADER)) != 0)
    return TRUE;

  ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  end = data + length;
  for (p = data + strlen (HEADER); p < end; )
    {
      const char *eol = memchr (p, '\n', (gsize) (end - p));
      char *parsed_end = NULL;
      gint64 id;

      /* A line without its end was cut short: that message never left. */
      if (eol == NULL)
        break;
      id = g_ascii_strtoll (p, &parsed_end, 10);
      if (parsed_end == eol && id > 0)
        g_hash_table_add (ids, g_memdup2 (&id, sizeof id));
      p = eol + 1;
    }
  log->started = TRUE;
  *left = g_steal_pointer (&ids);
  return TRUE;
}

/**
 * turnout_send_log_restart:
 *
 * Empties the log and writes its first line: from now on every message
 * that leaves is noted. Only when no row is "sending" for it any more.
 */
gboolean
turnout_send_log_restart (TurnoutSendLog  *log,
                          GError         **error)
{
  gsize length = strlen (HEADER);
  gssize n;

  log->started = FALSE;
  if (ftruncate (log->fd, 0) != 0)
    return set_io_error (error, log, errno);
  do
    n = write (log->fd, HEADER, length);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return set_io_error (error, log, errno);
  if ((gsize) n != length)
    return set_io_error (error, log, ENOSPC);
  log->started = TRUE;
  return TRUE;
}

/**
 * turnout_send_log_is_started:
 *
 * Returns: whether the log has its first line, so that what it notes can
 *   be trusted after a crash.
 */
gboolean
turnout_send_log_is_started (TurnoutSendLog *log)
{
  return log->started;
}

/**
 * turnout_send_mark_new:
 *
 * Returns: (transfer full): the mark of one message, noted in @log when
 *   it starts to leave.
 */
TurnoutSendMark *
turnout_send_mark_new (TurnoutSendLog *log,
                       gint64          message_id)
{
  TurnoutSendMark *mark = g_atomic_rc_box_new0 (TurnoutSendMark);

  mark->log = turnout_send_log_ref (log);
  mark->message_id = message_id;
  return mark;
}

TurnoutSendMark *
turnout_send_mark_ref (TurnoutSendMark *mark)
{
  return g_atomic_rc_box_acquire (mark);
}

static void
send_mark_clear (gpointer data)
{
  TurnoutSendMark *mark = data;

  turnout_send_log_unref (mark->log);
}

void
turnout_send_mark_unref (TurnoutSendMark *mark)
{
  if (mark != NULL)
    g_atomic_rc_box_release_full (mark, send_mark_clear);
}

/**
 * turnout_send_mark_leaving:
 *
 * Notes that the message starts to leave. Call it on any thread, just
 * before the step after which the provider may have accepted the message,
 * and don't take that step when it fails.
 *
 * Returns: %FALSE with @error set when the note could not be written.
 */
gboolean
turnout_send_mark_leaving (TurnoutSendMark  *mark,
                           GError          **error)
{
  char line[32];
  int length = g_snprintf (line, sizeof line, "%" PRId64 "\n", mark->message_id);
  gssize n;

  /* Left, as far as this run knows, from the moment it tries: a failed
   * note sends nothing, and the caller hears of it. */
  g_atomic_int_set (&mark->left, 1);
  do
    n = write (mark->log->fd, line, (gsize) length);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return set_io_error (error, mark->log, errno);
  if (n != length)
    return set_io_error (error, mark->log, ENOSPC);
  return TRUE;
}

/**
 * turnout_send_mark_has_left:
 *
 * Returns: whether turnout_send_mark_leaving() was called: %FALSE means
 *   the message certainly did not leave.
 */
gboolean
turnout_send_mark_has_left (TurnoutSendMark *mark)
{
  return g_atomic_int_get (&mark->left) != 0;
}
