/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "turnout-campaign-dialog.h"
#include "turnout-credentials.h"
#include "turnout-preferences-window.h"
#include "turnout-settings.h"
#include "turnout-smtp-sender.h"
#include "turnout-smtp-setup.h"
#include "turnout-store.h"
#include "turnout-template.h"
#include "turnout-templates.h"
#include "turnout-test-db.h"
#include "turnout-test-smtp.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/* Preferences ▸ Email: the password goes to a private gnome-keyring
 * (never the database) under user@host, and Test Connection signs in to a
 * real SMTP server (aiosmtpd) and says which step failed or what the
 * server offers; a self-signed certificate is shown with its problems and
 * accepted only through the confirmation naming its fingerprint. And the
 * New Campaign dialog's "Send a Test" for an email campaign, which reaches
 * the server with the subject merged for the example recipient. */

#define FROM "promoter@example.test"

/* Finding what the user sees ------------------------------------------------ */

static gboolean
has_title (GtkWidget     *widget,
           gconstpointer  data)
{
  return ADW_IS_PREFERENCES_ROW (widget)
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  GtkWidget *row = find_widget (root, has_title, title);

  g_assert_nonnull (row);
  return row;
}

static const char *
subtitle (GtkWidget  *root,
          const char *title)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (find_row (root, title)));
}

static gboolean
row_says (GtkWidget  *root,
          const char *title,
          const char *subtitle_start)
{
  GtkWidget *row = find_widget (root, has_title, title);

  return row != NULL && ADW_IS_ACTION_ROW (row)
         && g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), subtitle_start);
}

static gboolean
checked (GtkWidget  *setup,
         const char *css_class)
{
  return gtk_widget_has_css_class (find_row (setup, "Connection"), css_class);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack, needle);
}

static void
enter_password (GtkWidget  *setup,
                const char *password)
{
  GtkWidget *row = find_type (setup, ADW_TYPE_PASSWORD_ENTRY_ROW);

  gtk_editable_set_text (GTK_EDITABLE (row), password);
  g_signal_emit_by_name (row, "apply");
  /* Not kept in the widget once on its way. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  /* Said at once, so waiting for "Stored" waits for this password. */
  g_assert_cmpstr (subtitle (setup, "Keyring"), ==, "Saving in your keyring…");
}

static void
set (TurnoutSettings *settings,
     const char      *key,
     const char      *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (turnout_settings_set (settings, key, value, &error));
  g_assert_no_error (error);
}

static void
point_at (TurnoutSettings *settings,
          guint            port)
{
  g_autofree char *text = g_strdup_printf ("%u", port);

  set (settings, "smtp.host", "127.0.0.1");
  set (settings, "smtp.port", text);
  set (settings, "smtp.security", "starttls");
  set (settings, "smtp.username", TURNOUT_TEST_SMTP_USER);
  set (settings, "smtp.from_address", FROM);
}

static TurnoutStore *
open_store (const char       *name,
            TurnoutSettings **settings)
{
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autoptr(GError) error = NULL;
  TurnoutStore *store;

  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  *settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);
  return store;
}

static GtkWidget *
open_preferences (TurnoutSettings           *settings,
                  TurnoutPreferencesWindow **preferences)
{
  GtkWidget *setup;

  *preferences = turnout_preferences_window_new (settings);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (*preferences), "email");
  gtk_window_present (GTK_WINDOW (*preferences));
  setup = find_type (GTK_WIDGET (*preferences), TURNOUT_TYPE_SMTP_SETUP);
  g_assert_nonnull (setup);
  spin_until (gtk_widget_get_mapped (setup));
  return setup;
}

static void
close_preferences (TurnoutPreferencesWindow *preferences,
                   TurnoutSettings          *settings,
                   TurnoutStore             *store)
{
  /* Closing lets go of the settings (libadwaita 1.2 keeps its groups a
   * while longer, ours as much as the generated ones). */
  gtk_window_destroy (GTK_WINDOW (preferences));
  turnout_test_finalize_object (settings);
  turnout_test_finalize_object (store);
}

/* The password and the verdicts ---------------------------------------------- */

static void
test_password_and_check (void)
{
  g_autoptr(TurnoutTestSmtp) server = turnout_test_smtp_start ("starttls", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *in_file = NULL;
  TurnoutPreferencesWindow *preferences;
  TurnoutSettings *settings;
  TurnoutStore *store = open_store ("smtp-setup.db", &settings);
  GtkWidget *setup = open_preferences (settings, &preferences);
  const char *verdict;

  /* Nothing to store the password for yet. */
  spin_until (g_strcmp0 (subtitle (setup, "Keyring"),
                         "Enter the server and the user name above first") == 0);
  point_at (settings, server->port);
  spin_until (g_str_has_prefix (subtitle (setup, "Keyring"), "Nothing stored yet"));
  g_assert_false (gtk_widget_get_visible (find_row (setup, "Certificate")));

  /* A wrong password: stored, and the server says no at the sign-in. */
  enter_password (setup, "wrong");
  spin_until (g_strcmp0 (subtitle (setup, "Keyring"), "Stored in your keyring") == 0);
  g_assert_true (gtk_widget_activate_action (setup, "smtp.test", NULL));
  g_assert_cmpstr (subtitle (setup, "Connection"), ==, "Asking the mail server…");
  spin_until (checked (setup, "error"));
  verdict = subtitle (setup, "Connection");
  g_assert_true (g_str_has_prefix (verdict, "Signing in failed: "));
  assert_contains (verdict, "check your credentials");
  g_assert_false (gtk_widget_get_visible (find_row (setup, "Certificate")));
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 0);

  /* The right one: in the keyring under user@host, not in the file. */
  enter_password (setup, TURNOUT_TEST_SMTP_PASSWORD);
  spin_until (g_strcmp0 (subtitle (setup, "Keyring"), "Stored in your keyring") == 0);
  account = turnout_smtp_dup_password_account (TURNOUT_TEST_SMTP_USER, "127.0.0.1");
  stored = turnout_credentials_lookup_sync (TURNOUT_SECRET_SMTP_PASSWORD, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, TURNOUT_TEST_SMTP_PASSWORD);
  in_file = turnout_test_query_text (store, "SELECT count (*) FROM settings WHERE value LIKE"
                                            " '%" TURNOUT_TEST_SMTP_PASSWORD "%'");
  g_assert_cmpstr (in_file, ==, "0");

  /* It works, and says what the server offers. */
  g_assert_true (gtk_widget_activate_action (setup, "smtp.test", NULL));
  spin_until (checked (setup, "success"));
  verdict = subtitle (setup, "Connection");
  assert_contains (verdict, "Connected to 127.0.0.1, encrypted, and signed in as alice.");
  assert_contains (verdict, "The server offers ");
  assert_contains (verdict, "AUTH LOGIN PLAIN");
  /* g_format_size () keeps the number and the unit together. */
  assert_contains (verdict, "SIZE up to 33.6\u00a0MB");
  g_assert_false (checked (setup, "error"));
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 0);

  /* A change of server makes the verdict stale: the test can run again. */
  set (settings, "smtp.port", "1");
  g_assert_true (gtk_widget_activate_action (setup, "smtp.test", NULL));
  spin_until (checked (setup, "error"));
  g_assert_true (g_str_has_prefix (subtitle (setup, "Connection"), "Connecting failed: "));

  /* Forgotten: gone from the keyring. */
  g_assert_true (gtk_widget_activate_action (setup, "smtp.forget", NULL));
  spin_until (g_str_has_prefix (subtitle (setup, "Keyring"), "Nothing stored yet"));
  g_clear_pointer (&stored, g_free);
  stored = turnout_credentials_lookup_sync (TURNOUT_SECRET_SMTP_PASSWORD, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (stored);
  /* Without one, the test says so before connecting. */
  g_assert_true (gtk_widget_activate_action (setup, "smtp.test", NULL));
  spin_until (checked (setup, "error"));
  assert_contains (subtitle (setup, "Connection"), "No password is stored for alice on 127.0.0.1");

  close_preferences (preferences, settings, store);
}

/* A certificate nobody vouches for ------------------------------------------- */

static char *rogue_pem;
static char *rogue_key;

static void
make_rogue_certificate (void)
{
  g_autofree char *dir = turnout_test_tmp_path ("rogue");
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_mkdir_with_parents (dir, 0700);
  rogue_pem = g_build_filename (dir, "rogue.pem", NULL);
  rogue_key = g_build_filename (dir, "rogue.key", NULL);
  {
    const char *argv[] = {
      "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-keyout", rogue_key, "-out", rogue_pem, "-days", "2", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1", NULL
    };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                  NULL, NULL, NULL, &err, &status, &error);
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl failed: %s", err);
}

static AdwMessageDialog *
wait_for_question (void)
{
  AdwMessageDialog *dialog;

  spin_until ((dialog = (AdwMessageDialog *) turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG))
              != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  return dialog;
}

static void
answer (AdwMessageDialog *dialog,
        const char       *response)
{
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_until (dialog == NULL);
}

static void
test_certificate (void)
{
  g_autoptr(TurnoutTestSmtp) server = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *accepted = NULL;
  TurnoutPreferencesWindow *preferences;
  TurnoutSettings *settings;
  TurnoutStore *store = open_store ("smtp-setup-certificate.db", &settings);
  GtkWidget *setup;
  GtkWidget *certificate_row;
  AdwMessageDialog *question;

  make_rogue_certificate ();
  /* The later --cert wins over the trusted one the helper passes. */
  server = turnout_test_smtp_start ("starttls", "--cert", rogue_pem, "--key", rogue_key, NULL);
  certificate = g_tls_certificate_new_from_file (rogue_pem, &error);
  g_assert_no_error (error);
  fingerprint = turnout_smtp_dup_certificate_fingerprint (certificate);

  setup = open_preferences (settings, &preferences);
  point_at (settings, server->port);
  spin_until (g_str_has_prefix (subtitle (setup, "Keyring"), "Nothing stored yet"));
  enter_password (setup, TURNOUT_TEST_SMTP_PASSWORD);
  spin_until (g_strcmp0 (subtitle (setup, "Keyring"), "Stored in your keyring") == 0);

  /* Refused, with what is wrong and the fingerprint, and a way out. */
  g_assert_true (gtk_widget_activate_action (setup, "smtp.test", NULL));
  spin_until (checked (setup, "error"));
  g_assert_cmpstr (subtitle (setup, "Connection"), ==, "Encryption failed: the mail server’s "
                   "certificate was refused, so nothing was sent. See below what is wrong with "
                   "it.");
  certificate_row = find_row (setup, "Certificate");
  g_assert_true (gtk_widget_get_visible (certificate_row));
  assert_contains (subtitle (setup, "Certificate"), "not signed by an authority this computer "
                                                    "trusts");
  assert_contains (subtitle (setup, "Certificate"), fingerprint);

  /* Cancelled: nothing trusted. */
  g_assert_true (gtk_widget_activate_action (setup, "smtp.accept-certificate", NULL));
  question = wait_for_question ();
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Accept This Certificate?");
  assert_contains (adw_message_dialog_get_body (question), fingerprint);
  g_assert_cmpstr (adw_message_dialog_get_default_response (question), ==, "cancel");
  answer (question, "cancel");
  turnout_test_spin_for (100);
  g_assert_false (turnout_settings_is_set (settings, "smtp.accepted_certificate"));
  g_assert_true (gtk_widget_get_visible (certificate_row));

  /* Accepted: stored, tested again, and it goes through now. */
  g_assert_true (gtk_widget_activate_action (setup, "smtp.accept-certificate", NULL));
  answer (wait_for_question (), "accept");
  spin_until (checked (setup, "success"));
  accepted = turnout_settings_dup_string (settings, "smtp.accepted_certificate");
  g_assert_cmpstr (accepted, ==, fingerprint);
  assert_contains (subtitle (setup, "Connection"), "signed in as alice");
  g_assert_false (gtk_widget_get_visible (certificate_row));
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 0);

  close_preferences (preferences, settings, store);
  g_clear_pointer (&rogue_pem, g_free);
  g_clear_pointer (&rogue_key, g_free);
}

/* The campaign dialog's email test ------------------------------------------ */

static guint
find_choice (AdwComboRow *row,
             const char  *text)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      const char *name = GTK_IS_STRING_OBJECT (item)
                         ? gtk_string_object_get_string (GTK_STRING_OBJECT (item))
                         : turnout_template_get_name (TURNOUT_TEMPLATE (item));

      if (g_strcmp0 (name, text) == 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
choose (GtkWidget  *row,
        const char *text)
{
  spin_until (find_choice (ADW_COMBO_ROW (row), text) != GTK_INVALID_LIST_POSITION);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), find_choice (ADW_COMBO_ROW (row), text));
}

static gboolean
is_action_button (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

static const char *
message_string (JsonObject *message,
                const char *member,
                const char *name)
{
  return json_object_get_string_member (json_object_get_object_member (message, member), name);
}

static void
test_campaign_test_send (void)
{
  g_autoptr(TurnoutTestSmtp) server = turnout_test_smtp_start ("starttls", NULL);
  g_autoptr(TurnoutTemplate) template = turnout_template_new ("email");
  g_autoptr(TurnoutTemplate) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  TurnoutSettings *settings;
  TurnoutStore *store = open_store ("smtp-setup-campaign.db", &settings);
  TurnoutCampaignDialog *dialog;
  GtkWidget *addresses;
  GtkWidget *button;

  turnout_test_exec_sql (store,
                         "INSERT INTO contacts (id, first_name, last_name, email, city,"
                         "                      email_consent, created_at, updated_at)"
                         " VALUES (1, 'Ana', 'Abbott', 'ana@example.test', 'Leeds', 'opted_in',"
                         "         1, 1),"
                         "        (2, 'Ben', 'Brook', 'ben@example.test', 'Leeds', 'opted_in',"
                         "         1, 1);");
  turnout_template_set_name (template, "Doors");
  turnout_template_set_subject (template, "Doors at 10, {first_name|friend}!");
  turnout_template_set_body_html (template, "<p>See you there, {first_name}.</p><p>{unsubscribe}</p>");
  turnout_template_set_body_text (template, "See you there, {first_name}.\n\n{unsubscribe}");
  saved = turnout_templates_save (store, template, &error);
  g_assert_no_error (error);
  point_at (settings, server->port);
  set (settings, "general.sender_name", "Night Owl Promotions");
  set (settings, "email.postal_address", "1 High Street, Leeds");
  set (settings, "email.unsubscribe_mailto", "unsubscribe@example.test");
  set (settings, "email.test_addresses", "Me@Example.test, team@example.test");
  account = turnout_smtp_dup_password_account (TURNOUT_TEST_SMTP_USER, "127.0.0.1");
  {
    g_autoptr(GAsyncResult) result = NULL;

    turnout_credentials_store_async (TURNOUT_SECRET_SMTP_PASSWORD, account,
                                     TURNOUT_TEST_SMTP_PASSWORD, NULL, turnout_test_result_cb,
                                     &result);
    g_assert_true (turnout_credentials_store_finish (turnout_test_wait_result (&result), &error));
    g_assert_no_error (error);
  }

  dialog = turnout_campaign_dialog_new (NULL, store, settings);
  gtk_window_present (GTK_WINDOW (dialog));
  choose (find_row (GTK_WIDGET (dialog), "C_hannel"), "Email");
  choose (find_row (GTK_WIDGET (dialog), "_Template"), "Doors");

  /* The addresses of the setting, for email; the numbers row is gone. */
  addresses = find_row (GTK_WIDGET (dialog), "Your add_resses, separated by commas");
  spin_until (gtk_widget_get_mapped (addresses));
  g_assert_false (gtk_widget_get_mapped (find_row (GTK_WIDGET (dialog),
                                                   "Your num_bers, separated by commas")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (addresses)), ==,
                   "me@example.test, team@example.test");
  spin_until ((button = find_widget (GTK_WIDGET (dialog), is_action_button, "campaign.send-test"))
              != NULL && gtk_widget_is_sensitive (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Send _a Test");

  /* A bad address is named with its place, and stops the test. */
  gtk_editable_set_text (GTK_EDITABLE (addresses), "me@example.test, bob@");
  g_assert_true (turnout_test_shows_part (GTK_WIDGET (dialog),
                                          "Your addresses: address 2 of the list: “bob@”"));
  g_assert_false (gtk_widget_is_sensitive (button));

  gtk_editable_set_text (GTK_EDITABLE (addresses), "me@example.test, team@example.test");
  g_assert_false (turnout_test_shows_part (GTK_WIDGET (dialog), "Your addresses:"));
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_widget_activate (button);
  spin_until (row_says (GTK_WIDGET (dialog), "me@example.test", "Sent (")
              && row_says (GTK_WIDGET (dialog), "team@example.test", "Sent (")
              && gtk_widget_is_sensitive (button));

  /* One each, rendered for Ana, the first in the segment. */
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 2);
  for (guint i = 1; i <= 2; i++)
    {
      g_autoptr(JsonObject) message = turnout_test_smtp_dup_message (server, i);
      JsonArray *to = json_object_get_array_member (message, "rcpt_tos");

      g_assert_cmpuint (json_array_get_length (to), ==, 1);
      g_assert_cmpstr (json_array_get_string_element (to, 0), ==,
                       i == 1 ? "me@example.test" : "team@example.test");
      g_assert_cmpstr (message_string (message, "headers", "Subject"), ==, "Doors at 10, Ana!");
      assert_contains (message_string (message, "parts", "text/plain"), "See you there, Ana.");
      assert_contains (message_string (message, "parts", "text/html"), "See you there, Ana.");
    }
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM campaigns"), ==, 0);
  /* Logged like any one-off email: sent, with its Message-ID. */
  g_assert_cmpint (turnout_test_query_int (store, "SELECT count (*) FROM messages"
                                                  " WHERE channel = 'email' AND state = 'sent'"
                                                  " AND campaign_id IS NULL"
                                                  " AND address IN ('me@example.test',"
                                                  "                 'team@example.test')"
                                                  " AND provider_id LIKE '%@%'"), ==, 2);

  /* A suppressed address is refused, saying why, and gets nothing. */
  turnout_test_exec_sql (store, "INSERT INTO suppressions (channel, address, reason, created_at)"
                                " VALUES ('email', 'team@example.test', 'manual', 0);");
  gtk_widget_activate (button);
  spin_until (row_says (GTK_WIDGET (dialog), "me@example.test", "Sent (")
              && row_says (GTK_WIDGET (dialog), "team@example.test",
                           "team@example.test is on the suppression list")
              && gtk_widget_is_sensitive (button));
  g_assert_cmpuint (turnout_test_smtp_count_messages (server), ==, 3);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_until (dialog == NULL);
  turnout_test_finalize_object (settings);
  turnout_test_finalize_object (store);
}

/* The setting's own check ----------------------------------------------------- */

static void
test_setting (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  normalized = turnout_setting_normalize ("email.test_addresses",
                                          " Me@Example.test,team@example.test, me@example.test,",
                                          &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, "me@example.test, team@example.test");
  g_clear_pointer (&normalized, g_free);

  normalized = turnout_setting_normalize ("email.test_addresses", "me@example.test, bob@", &error);
  g_assert_null (normalized);
  g_assert_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message,
                                   "email.test_addresses: address 2 of the list: “bob@”"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  turnout_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  /* The password must come from the keyring here, not the environment. */
  g_unsetenv ("TURNOUT_SMTP_PASSWORD");
  turnout_test_keyring_start ();
  g_setenv ("TURNOUT_TLS_CA_FILE", turnout_test_smtp_get_ca_file (), TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/smtp-setup/setting", test_setting);
  g_test_add_func ("/smtp-setup/password-and-check", test_password_and_check);
  g_test_add_func ("/smtp-setup/certificate", test_certificate);
  g_test_add_func ("/smtp-setup/campaign-test-send", test_campaign_test_send);

  status = g_test_run ();

  return status;
}
