/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsecret/secret.h>

#include "turnout-credentials.h"
#include "turnout-test-utils.h"

static char *
lookup (TurnoutSecretKind  kind,
        const char        *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char *secret;

  turnout_credentials_lookup_async (kind, account, NULL, turnout_test_result_cb, &result);
  secret = turnout_credentials_lookup_finish (turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_object_unref (result);
  return secret;
}

static void
store (TurnoutSecretKind  kind,
       const char        *account,
       const char        *secret)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  turnout_credentials_store_async (kind, account, secret, NULL, turnout_test_result_cb, &result);
  g_assert_true (turnout_credentials_store_finish (turnout_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static void
clear (TurnoutSecretKind  kind,
       const char        *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  turnout_credentials_clear_async (kind, account, NULL, turnout_test_result_cb, &result);
  g_assert_true (turnout_credentials_clear_finish (turnout_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

#define SID_A "AC00000000000000000000000000000001"
#define SID_B "AC00000000000000000000000000000002"

static void
test_store_lookup_replace_clear (void)
{
  g_autofree char *missing = lookup (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_A);
  g_autofree char *first = NULL;
  g_autofree char *other = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *smtp = NULL;
  g_autofree char *sync = NULL;
  g_autofree char *gone = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (missing);

  store (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_A, "token-a-1");
  store (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_B, "token-b");
  store (TURNOUT_SECRET_SMTP_PASSWORD, "box@mail.example.com", "pässword");

  first = lookup (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_A);
  g_assert_cmpstr (first, ==, "token-a-1");
  other = lookup (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_B);
  g_assert_cmpstr (other, ==, "token-b");
  /* Kinds don't mix: the SMTP password is not a Twilio secret. */
  g_assert_null (lookup (TURNOUT_SECRET_TWILIO_API_SECRET, "box@mail.example.com"));
  smtp = lookup (TURNOUT_SECRET_SMTP_PASSWORD, "box@mail.example.com");
  g_assert_cmpstr (smtp, ==, "pässword");

  /* Storing again replaces, it doesn't add a second item. */
  store (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_A, "token-a-2");
  replaced = lookup (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_A);
  g_assert_cmpstr (replaced, ==, "token-a-2");
  {
    g_autoptr(GHashTable) attributes = secret_attributes_build (
      &(SecretSchema) { BASE_APPLICATION_ID ".Secret", SECRET_SCHEMA_NONE,
                        { { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
                          { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
                          { NULL, 0 } } },
      "kind", "twilio-auth-token", "account", SID_A, NULL);
    GList *items = secret_service_search_sync (NULL, NULL, attributes, SECRET_SEARCH_ALL,
                                               NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_length (items), ==, 1);
    g_assert_true (g_str_has_prefix (secret_item_get_label (items->data),
                                     "Turnout: Twilio Auth Token for " SID_A));
    g_list_free_full (items, g_object_unref);
  }

  sync = turnout_credentials_lookup_sync (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_B, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sync, ==, "token-b");

  clear (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_A);
  gone = lookup (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_A);
  g_assert_null (gone);
  /* Clearing what isn't there is fine. */
  clear (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, SID_A);
}

static void
test_environment_overrides_keyring (void)
{
  g_autofree char *from_env = NULL;
  g_autofree char *sync = NULL;
  g_autofree char *after = NULL;

  store (TURNOUT_SECRET_SMTP_PASSWORD, "env@mail.example.com", "from-keyring");
  g_assert_cmpstr (turnout_secret_kind_get_env_var (TURNOUT_SECRET_SMTP_PASSWORD), ==,
                   "TURNOUT_SMTP_PASSWORD");
  g_assert_cmpstr (turnout_secret_kind_get_env_var (TURNOUT_SECRET_TWILIO_AUTH_TOKEN), ==,
                   "TWILIO_AUTH_TOKEN");
  g_assert_cmpstr (turnout_secret_kind_get_env_var (TURNOUT_SECRET_TWILIO_API_SECRET), ==,
                   "TWILIO_API_SECRET");

  g_setenv ("TURNOUT_SMTP_PASSWORD", "from-env", TRUE);
  from_env = lookup (TURNOUT_SECRET_SMTP_PASSWORD, "env@mail.example.com");
  g_assert_cmpstr (from_env, ==, "from-env");
  sync = turnout_credentials_lookup_sync (TURNOUT_SECRET_SMTP_PASSWORD, "anyone", NULL, NULL);
  g_assert_cmpstr (sync, ==, "from-env");

  /* An empty variable does not count as a password. */
  g_setenv ("TURNOUT_SMTP_PASSWORD", "", TRUE);
  after = lookup (TURNOUT_SECRET_SMTP_PASSWORD, "env@mail.example.com");
  g_assert_cmpstr (after, ==, "from-keyring");
  g_unsetenv ("TURNOUT_SMTP_PASSWORD");
}

int
main (int    argc,
      char **argv)
{
  int status;

  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  turnout_test_keyring_start ();

  g_test_add_func ("/credentials/store-lookup-clear", test_store_lookup_replace_clear);
  g_test_add_func ("/credentials/environment", test_environment_overrides_keyring);

  status = g_test_run ();

  secret_service_disconnect ();
  turnout_test_bus_stop ();
  return status;
}
