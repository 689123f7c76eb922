/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "turnout-credentials.h"
#include "turnout-preferences-window.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-twilio-setup.h"
#include "turnout-fake-twilio.h"
#include "turnout-test-db.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/* Preferences ▸ Twilio: the token goes to a private gnome-keyring (never
 * the database), and Test Connection asks the fake Twilio and says what
 * it found. */

static guint fake_port;

static gboolean
has_title (GtkWidget     *widget,
           gconstpointer  data)
{
  return ADW_IS_PREFERENCES_ROW (widget)
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static const char *
subtitle (GtkWidget  *root,
          const char *title)
{
  GtkWidget *row = find_widget (root, has_title, title);

  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

static void
enter_secret (GtkWidget  *setup,
              const char *secret)
{
  GtkWidget *row = find_type (setup, ADW_TYPE_PASSWORD_ENTRY_ROW);

  gtk_editable_set_text (GTK_EDITABLE (row), secret);
  g_signal_emit_by_name (row, "apply");
  /* Not kept in the widget once on its way. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
}

static gboolean
checked (GtkWidget  *setup,
         const char *css_class)
{
  GtkWidget *row = find_widget (setup, has_title, "Connection");

  return gtk_widget_has_css_class (row, css_class);
}

static void
test_token_and_check (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeTwilio) fake = turnout_fake_twilio_new_on_port (fake_port, &error);
  g_autofree char *path = turnout_test_tmp_path ("twilio-setup.db");
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *in_file = NULL;
  TurnoutPreferencesWindow *preferences;
  GtkWidget *setup;

  g_assert_no_error (error);
  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);

  preferences = turnout_preferences_window_new (settings);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "twilio");
  gtk_window_present (GTK_WINDOW (preferences));
  setup = find_type (GTK_WIDGET (preferences), TURNOUT_TYPE_TWILIO_SETUP);
  g_assert_nonnull (setup);
  spin_until (g_strcmp0 (subtitle (setup, "Keyring"), "Enter the Account SID above first") == 0);

  g_assert_true (turnout_settings_set (settings, "twilio.account_sid",
                                       TURNOUT_FAKE_TWILIO_ACCOUNT_SID, &error));
  g_assert_true (turnout_settings_set (settings, "twilio.from", TURNOUT_FAKE_TWILIO_FROM, &error));
  g_assert_no_error (error);
  spin_until (g_str_has_prefix (subtitle (setup, "Keyring"), "Nothing stored yet"));

  /* A wrong token: stored, and Twilio says no, in words. */
  enter_secret (setup, "ffffffffffffffffffffffffffffffff");
  spin_until (g_strcmp0 (subtitle (setup, "Keyring"), "Stored in your keyring") == 0);
  g_assert_true (gtk_widget_activate_action (setup, "twilio.test", NULL));
  spin_until (checked (setup, "error"));
  g_assert_nonnull (strstr (subtitle (setup, "Connection"), "refused the Account SID"));

  /* The right one: in the keyring, not in the file, and it works. */
  enter_secret (setup, TURNOUT_FAKE_TWILIO_AUTH_TOKEN);
  spin_until (turnout_fake_twilio_get_n_requests (fake, TURNOUT_FAKE_ON_ANY) > 0
              && g_strcmp0 (subtitle (setup, "Keyring"), "Stored in your keyring") == 0);
  stored = turnout_credentials_lookup_sync (TURNOUT_SECRET_TWILIO_AUTH_TOKEN,
                                            TURNOUT_FAKE_TWILIO_ACCOUNT_SID, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, TURNOUT_FAKE_TWILIO_AUTH_TOKEN);
  in_file = turnout_test_query_text (store, "SELECT count (*) FROM settings WHERE value ="
                                            " '" TURNOUT_FAKE_TWILIO_AUTH_TOKEN "'");
  g_assert_cmpstr (in_file, ==, "0");
  g_assert_true (gtk_widget_activate_action (setup, "twilio.test", NULL));
  spin_until (checked (setup, "success"));
  g_assert_nonnull (strstr (subtitle (setup, "Connection"), TURNOUT_FAKE_TWILIO_FRIENDLY_NAME));

  /* Forgotten: gone from the keyring. */
  g_assert_true (gtk_widget_activate_action (setup, "twilio.forget", NULL));
  spin_until (g_str_has_prefix (subtitle (setup, "Keyring"), "Nothing stored yet"));
  g_clear_pointer (&stored, g_free);
  stored = turnout_credentials_lookup_sync (TURNOUT_SECRET_TWILIO_AUTH_TOKEN,
                                            TURNOUT_FAKE_TWILIO_ACCOUNT_SID, NULL, &error);
  g_assert_null (stored);

  /* Closing lets go of the settings (libadwaita 1.2 keeps its groups a
   * while longer, ours as much as the generated ones). */
  gtk_window_destroy (GTK_WINDOW (preferences));
  turnout_test_finalize_object (g_steal_pointer (&settings));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *url = NULL;

  turnout_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  /* The secret must come from the keyring here, not the environment. */
  g_unsetenv ("TWILIO_AUTH_TOKEN");
  g_unsetenv ("TWILIO_ACCOUNT_SID");
  g_unsetenv ("TWILIO_API_KEY");
  g_unsetenv ("TWILIO_API_SECRET");
  fake_port = turnout_fake_twilio_pick_port ();
  url = g_strdup_printf ("http://127.0.0.1:%u", fake_port);
  g_setenv ("TURNOUT_TWILIO_API_URL", url, TRUE);
  turnout_test_keyring_start ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/twilio-setup/token-and-check", test_token_and_check);

  return g_test_run ();
}
