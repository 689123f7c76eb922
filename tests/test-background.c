/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "turnout-background.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-test-utils.h"

#define TEST_APP_ID "io.github.turnoutapp.Turnout.Test"

static void
set (TurnoutSettings *settings,
     const char      *key,
     const char      *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (turnout_settings_set (settings, key, value, &error));
  g_assert_no_error (error);
}

/* The entry is written asynchronously: wait until it is there, whole
 * (its last key is written last), or gone. */
static gboolean
entry_complete (const char *path)
{
  g_autoptr(GKeyFile) entry = g_key_file_new ();

  return g_key_file_load_from_file (entry, path, G_KEY_FILE_NONE, NULL) &&
         g_key_file_has_key (entry, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", NULL);
}

static void
wait_until_exists (const char *path,
                   gboolean    exists)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while ((exists ? entry_complete (path) : g_file_test (path, G_FILE_TEST_EXISTS)) != exists)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_hold_and_autostart (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = turnout_store_open (NULL, &error);
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(GApplication) app = g_application_new (TEST_APP_ID, G_APPLICATION_NON_UNIQUE);
  g_autofree char *path = turnout_background_dup_autostart_path (TEST_APP_ID);
  g_autoptr(GKeyFile) entry = g_key_file_new ();
  g_autofree char *exec = NULL;
  TurnoutBackground *background;

  g_assert_no_error (error);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_true (g_str_has_suffix (path, "/autostart/" TEST_APP_ID ".desktop"));

  /* Defaults: keep running in the background, don't start at login. */
  background = turnout_background_new (app, settings);
  g_assert_true (turnout_background_get_holding (background));
  g_assert_false (turnout_background_get_autostart (background));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  set (settings, "background.enabled", "false");
  g_assert_false (turnout_background_get_holding (background));
  set (settings, "background.enabled", "true");
  g_assert_true (turnout_background_get_holding (background));

  set (settings, "background.autostart", "true");
  g_assert_true (turnout_background_get_autostart (background));
  wait_until_exists (path, TRUE);

  g_assert_true (g_key_file_load_from_file (entry, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  exec = g_key_file_get_string (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, NULL);
  g_assert_cmpstr (exec, ==, "turnout --gapplication-service");
  g_assert_true (g_key_file_get_boolean (entry, G_KEY_FILE_DESKTOP_GROUP,
                                         G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, NULL));

  set (settings, "background.autostart", "false");
  wait_until_exists (path, FALSE);

  turnout_test_finalize_object (background);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/background/hold-and-autostart", test_hold_and_autostart);

  return g_test_run ();
}
