/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-test"

#include "config.h"

#include <stdlib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "turnout-test-utils.h"

/*
 * Every test program starts from a private temporary folder: the database
 * ($TURNOUT_DB), the XDG data, config, cache and runtime folders all point
 * into it, so a test never reads or writes the user's files, and the folder
 * is removed when the program exits.
 */

static char *tmpdir;

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);

  if (children != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info != NULL)
        remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

static void
cleanup_tmpdir (void)
{
  g_autoptr(GFile) dir = NULL;

  if (tmpdir == NULL || g_getenv ("TURNOUT_TEST_KEEP") != NULL)
    return;
  dir = g_file_new_for_path (tmpdir);
  remove_tree (dir);
  g_clear_pointer (&tmpdir, g_free);
}

static void
set_private_dir (const char *variable,
                 const char *name)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);

  g_mkdir_with_parents (path, 0700);
  g_setenv (variable, path, TRUE);
}

/**
 * turnout_test_init:
 *
 * Call first in main(), before g_test_init() or gtk_test_init().
 */
void
turnout_test_init (int    *argc,
                   char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  tmpdir = g_dir_make_tmp ("turnout-test-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (cleanup_tmpdir);

  set_private_dir ("XDG_DATA_HOME", "data");
  set_private_dir ("XDG_CONFIG_HOME", "config");
  set_private_dir ("XDG_CACHE_HOME", "cache");
  set_private_dir ("XDG_STATE_HOME", "state");
  db = g_build_filename (tmpdir, "data", "turnout", "turnout.db", NULL);
  g_setenv ("TURNOUT_DB", db, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  /* Secrets come from the keyring in these tests, never from the caller. */
  g_unsetenv ("TWILIO_ACCOUNT_SID");
  g_unsetenv ("TWILIO_AUTH_TOKEN");
  g_unsetenv ("TWILIO_API_KEY");
  g_unsetenv ("TWILIO_API_SECRET");
  g_unsetenv ("TURNOUT_SMTP_PASSWORD");
}

const char *
turnout_test_get_tmpdir (void)
{
  return tmpdir;
}

char *
turnout_test_tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

GBytes *
turnout_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/*
 * A private session bus with its own unlocked GNOME Keyring, for tests of
 * what Turnout keeps in the keyring. Nothing reaches the user's keyring.
 */
static GSubprocess *private_bus;
static GSubprocess *keyring_daemon;

static gboolean
secrets_name_has_owner (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply =
    g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                 "org.freedesktop.DBus", "NameHasOwner",
                                 g_variant_new ("(s)", "org.freedesktop.secrets"),
                                 G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/**
 * turnout_test_bus_start:
 *
 * Starts a private session bus (dbus-daemon) and points this process at
 * it, so nothing a test does reaches the desktop's bus. Call before
 * anything connects to the session bus.
 *
 * Returns: the bus address.
 */
const char *
turnout_test_bus_start (void)
{
  g_autoptr(GDataInputStream) address_stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  g_assert_null (private_bus);
  set_private_dir ("XDG_RUNTIME_DIR", "runtime");

  private_bus = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                  &error, "dbus-daemon", "--session", "--nofork",
                                  "--nopidfile", "--print-address=1", NULL);
  g_assert_no_error (error);
  address_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (private_bus));
  address = g_data_input_stream_read_line_utf8 (address_stream, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  return g_getenv ("DBUS_SESSION_BUS_ADDRESS");
}

/**
 * turnout_test_keyring_start:
 *
 * Starts a private session bus and an unlocked gnome-keyring-daemon on it.
 * Call before anything connects to the session bus.
 */
void
turnout_test_keyring_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  const char *address = turnout_test_bus_start ();
  GOutputStream *input;
  gint64 deadline;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* The daemon is not under test: our fatal-warnings must not kill it. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  keyring_daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon",
                                                "--foreground", "--unlock",
                                                "--components=secrets", NULL);
  g_assert_no_error (error);
  input = g_subprocess_get_stdin_pipe (keyring_daemon);
  g_output_stream_write_all (input, "turnout-test", 12, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, &error);
  g_assert_no_error (error);

  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!secrets_name_has_owner (bus))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("gnome-keyring-daemon did not appear on the test bus within 15 s");
      g_usleep (20 * 1000);
    }
  g_dbus_connection_close_sync (bus, NULL, NULL);
}

/**
 * turnout_test_bus_stop:
 *
 * Stops the private bus (and the keyring on it). Call last: the process's
 * session bus connection dies with the bus.
 */
void
turnout_test_bus_stop (void)
{
  g_assert_nonnull (private_bus);

  if (keyring_daemon != NULL)
    {
      g_subprocess_force_exit (keyring_daemon);
      g_subprocess_wait (keyring_daemon, NULL, NULL);
      g_clear_object (&keyring_daemon);
    }
  g_subprocess_force_exit (private_bus);
  g_subprocess_wait (private_bus, NULL, NULL);
  g_clear_object (&private_bus);
}

/**
 * turnout_test_finalize_object:
 * @object: (transfer full): an object the test holds the last reference to
 *
 * Drops the reference and asserts that @object is finalized. Async work
 * that just finished may still hold it for a moment (a worker thread lets
 * go of its task after the main loop ran the callback), so this waits up to
 * ten seconds for that, running the main context.
 */
void
turnout_test_finalize_object (gpointer object)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_true (G_IS_OBJECT (object));
  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  while (weak != NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s %p was not finalized: something still holds a reference",
                 G_OBJECT_TYPE_NAME (weak), weak);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/**
 * turnout_test_result_cb:
 * @user_data: a `GAsyncResult **` that receives a reference to the result
 *
 * A #GAsyncReadyCallback for tests; pair it with turnout_test_wait_result().
 */
void
turnout_test_result_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/**
 * turnout_test_wait_result:
 * @slot: where turnout_test_result_cb() puts the result
 *
 * Runs the main context until the result arrives, failing after a minute.
 *
 * Returns: (transfer none): the result; the caller owns the reference in @slot.
 */
GAsyncResult *
turnout_test_wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("an asynchronous call did not finish within a minute");
      g_main_context_iteration (NULL, FALSE);
      if (*slot == NULL)
        g_usleep (500);
    }
  return *slot;
}

/* Keeps the main loop turning while spin_until() waits on a worker. */
gboolean
turnout_test_wake_up_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
turnout_test_run_clear (TurnoutTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/**
 * turnout_test_cli_v:
 * @env: (nullable): NAME=VALUE pairs set in the child only (this process
 *   may have threads, where setenv() is unsafe)
 * @args: the arguments after the program
 *
 * Runs turnout-cli to its end, as a user would.
 */
TurnoutTestRun
turnout_test_cli_v (const char * const *env,
                    const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutTestRun run = { 0 };

  g_assert_nonnull (g_getenv ("TURNOUT_CLI"));
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      g_assert_nonnull (pair[1]);
      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  g_ptr_array_add (argv, (gpointer) g_getenv ("TURNOUT_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run.out, &run.err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run.status = g_subprocess_get_exit_status (process);
  if (run.status != 0)
    g_test_message ("turnout-cli %s: exit %d: %s", args[0] != NULL ? args[0] : "", run.status,
                    run.err);
  return run;
}

TurnoutTestRun
turnout_test_cli (const char * const *env,
                  const char         *first,
                  ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return turnout_test_cli_v (env, (const char * const *) args->pdata);
}
