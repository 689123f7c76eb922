/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void        turnout_test_init        (int        *argc,
                                      char     ***argv);
const char *turnout_test_get_tmpdir  (void);
char       *turnout_test_tmp_path    (const char *name);
GBytes     *turnout_test_read_file   (const char *path);

G_END_DECLS

G_BEGIN_DECLS

const char *turnout_test_bus_start     (void);
void        turnout_test_keyring_start (void);
void        turnout_test_bus_stop      (void);

G_END_DECLS

G_BEGIN_DECLS

void          turnout_test_finalize_object (gpointer       object);
void          turnout_test_result_cb       (GObject       *object,
                                            GAsyncResult  *result,
                                            gpointer       user_data);
GAsyncResult *turnout_test_wait_result     (GAsyncResult **slot);

G_END_DECLS

G_BEGIN_DECLS

/* One run of the built turnout-cli ($TURNOUT_CLI): its exit status and
 * what it printed. */
typedef struct
{
  int    status;
  char  *out;
  char  *err;
} TurnoutTestRun;

void           turnout_test_run_clear (TurnoutTestRun     *run);
TurnoutTestRun turnout_test_cli_v     (const char * const *env,
                                       const char * const *args);
TurnoutTestRun turnout_test_cli       (const char * const *env,
                                       const char         *first,
                                       ...) G_GNUC_NULL_TERMINATED;

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TurnoutTestRun, turnout_test_run_clear)

G_END_DECLS

G_BEGIN_DECLS

/* How long spin_until() waits before it fails the test. */
#define TURNOUT_TEST_TIMEOUT_SECONDS 30

gboolean turnout_test_wake_up_cb (gpointer data);

/* Runs the main loop until @condition holds; fails the test with the
 * condition's text after TURNOUT_TEST_TIMEOUT_SECONDS. A 10 ms timer keeps
 * the loop turning while the condition waits on a worker. */
#define spin_until(condition)                                                           \
  G_STMT_START                                                                          \
  {                                                                                     \
    gint64 deadline_ = g_get_monotonic_time () +                                        \
                       TURNOUT_TEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;                   \
    guint wake_id_ = g_timeout_add (10, turnout_test_wake_up_cb, NULL);                 \
                                                                                        \
    while (!(condition))                                                                \
      {                                                                                 \
        if (g_get_monotonic_time () > deadline_)                                        \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #condition);  \
        g_main_context_iteration (NULL, TRUE);                                          \
      }                                                                                 \
    g_source_remove (wake_id_);                                                         \
  }                                                                                     \
  G_STMT_END

G_END_DECLS
