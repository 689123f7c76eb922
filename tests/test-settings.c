/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-test-utils.h"

static TurnoutStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  TurnoutStore *store = turnout_store_open (NULL, &error);

  g_assert_no_error (error);
  return store;
}

static void
assert_normalizes (const char *key,
                   const char *value,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = turnout_setting_normalize (key, value, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, expected);
}

static void
assert_refused (const char *key,
                const char *value,
                const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = turnout_setting_normalize (key, value, &error);

  g_assert_null (normalized);
  g_assert_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE);
  /* The message says which setting, and what was wrong. */
  g_assert_true (g_str_has_prefix (error->message, key));
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” for %s: expected “%s” in “%s”", value, key, words, error->message);
}

static void
test_registry (void)
{
  guint n;
  const TurnoutSettingSpec *specs = turnout_setting_specs (&n);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (n, >=, 20);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *area = turnout_setting_spec_dup_area (&specs[i]);
      g_autofree char *normalized = NULL;

      g_assert_true (g_hash_table_add (seen, (gpointer) specs[i].key));
      g_assert_cmpuint (strlen (area), >, 0);
      g_assert_nonnull (strchr (specs[i].key, '.'));
      g_assert_nonnull (specs[i].title);
      g_assert_nonnull (specs[i].description);
      g_assert_true (turnout_setting_spec_lookup (specs[i].key) == &specs[i]);
      /* Every default is a valid value of its own setting. */
      normalized = turnout_setting_normalize (specs[i].key, specs[i].default_value, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, specs[i].default_value);
    }

  /* The keys other parts of Turnout rely on. */
  g_assert_nonnull (turnout_setting_spec_lookup ("twilio.account_sid"));
  g_assert_nonnull (turnout_setting_spec_lookup ("twilio.from"));
  g_assert_nonnull (turnout_setting_spec_lookup ("twilio.messaging_service_sid"));
  g_assert_nonnull (turnout_setting_spec_lookup ("sms.quiet_hours"));
  g_assert_nonnull (turnout_setting_spec_lookup ("smtp.security"));
  g_assert_nonnull (turnout_setting_spec_lookup ("email.postal_address"));
  g_assert_null (turnout_setting_spec_lookup ("twilio.auth_token"));
  g_assert_null (turnout_setting_spec_lookup ("nonsense"));
}

static void
test_validation (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *none = NULL;

  assert_normalizes ("twilio.account_sid", "AC0123456789abcdef0123456789ABCDEF",
                     "AC0123456789abcdef0123456789ABCDEF");
  assert_normalizes ("twilio.account_sid", "  ", "");
  assert_refused ("twilio.account_sid", "AC123", "32 hexadecimal digits");
  assert_refused ("twilio.messaging_service_sid", "AC0123456789abcdef0123456789abcdef", "MG");

  assert_normalizes ("twilio.from", "+15551234567", "+15551234567");
  assert_normalizes ("twilio.from", "Warehouse", "Warehouse");
  assert_refused ("twilio.from", "5551234567", "international form");
  assert_refused ("twilio.from", "Warehouse Night Club", "11 characters");
  assert_refused ("twilio.from", "Club!", "position 5");

  assert_normalizes ("sms.rate", " 2.50 ", "2.5");
  assert_refused ("sms.rate", "fast", "not a number");
  assert_refused ("sms.rate", "0", "between");
  assert_refused ("sms.rate", "1,5", "dot for decimals");
  assert_normalizes ("sms.concurrency", "8", "8");
  assert_refused ("sms.concurrency", "2.5", "whole number");
  assert_refused ("sms.concurrency", "64", "between 1 and 32");
  assert_refused ("smtp.port", "70000", "between 1 and 65535");

  assert_normalizes ("sms.quiet_hours", "22:00 - 07:30", "22:00-07:30");
  assert_normalizes ("sms.quiet_hours", "", "off");
  assert_normalizes ("sms.quiet_hours", "OFF", "off");
  assert_refused ("sms.quiet_hours", "10pm-8am", "HH:MM");
  assert_refused ("sms.quiet_hours", "25:00-08:00", "“25:00”");
  assert_refused ("delivery.frequency_cap", "3 a week", "messages/days");
  assert_refused ("delivery.frequency_cap", "0/7", "messages/days");
  assert_refused ("sms.quiet_hours", "08:00-08:00", "different times");

  assert_normalizes ("smtp.security", "tls", "tls");
  assert_refused ("smtp.security", "ssl", "starttls, tls, none");
  assert_normalizes ("smtp.host", "SMTP.Example.com", "smtp.example.com");
  assert_refused ("smtp.host", "smtp example.com", "position 5");
  assert_normalizes ("smtp.from_address", "Tickets@Example.COM", "tickets@example.com");
  assert_refused ("smtp.from_address", "tickets.example.com", "“@”");
  assert_refused ("smtp.from_address", "a@b", "domain");
  assert_normalizes ("email.unsubscribe_url", "https://example.com/u", "https://example.com/u");
  assert_refused ("email.unsubscribe_url", "http://example.com/u", "https://");
  assert_normalizes ("email.postal_address", "1 Main St\nSpringfield", "1 Main St\nSpringfield");
  assert_refused ("smtp.from_name", "Two\nlines", "one line");

  assert_normalizes ("background.enabled", "Yes", "true");
  assert_normalizes ("background.enabled", "off", "false");
  assert_refused ("background.enabled", "maybe", "neither true nor false");

  assert_normalizes ("contacts.default_region", "de", "DE");
  assert_refused ("contacts.default_region", "Germany", "two-letter");
  assert_normalizes ("general.currency", "eur", "EUR");
  assert_normalizes ("contacts.default_time_zone", "Europe/Berlin", "Europe/Berlin");
  assert_refused ("contacts.default_time_zone", "Mars/Olympus", "time zone");

  none = turnout_setting_normalize ("sms.speed", "2", &error);
  g_assert_null (none);
  g_assert_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_UNKNOWN_KEY);
  g_assert_nonnull (strstr (error->message, "sms.speed"));
}

static void
test_store_and_defaults (void)
{
  g_autoptr(GError) error = NULL;
  TurnoutStore *store = open_store ();
  TurnoutSettings *settings = turnout_settings_new (store, &error);
  TurnoutSettings *again;
  g_autofree char *value = NULL;

  g_assert_no_error (error);
  g_assert_true (turnout_settings_get_store (settings) == store);
  g_assert_cmpfloat (turnout_settings_get_double (settings, "sms.rate"), ==, 1.0);
  g_assert_cmpint (turnout_settings_get_int (settings, "sms.concurrency"), ==, 4);
  g_assert_true (turnout_settings_get_boolean (settings, "background.enabled"));
  g_assert_false (turnout_settings_is_set (settings, "sms.rate"));

  g_assert_true (turnout_settings_set (settings, "sms.rate", "2.5", &error));
  g_assert_no_error (error);
  g_assert_true (turnout_settings_set (settings, "background.enabled", "no", &error));
  g_assert_true (turnout_settings_set (settings, "smtp.from_address", "Box@Example.org", &error));

  /* A bad value is refused and the stored one is kept. */
  g_assert_false (turnout_settings_set (settings, "sms.rate", "lots", &error));
  g_assert_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* Another reader of the same file sees the stored values. */
  again = turnout_settings_new (store, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (turnout_settings_get_double (again, "sms.rate"), ==, 2.5);
  g_assert_false (turnout_settings_get_boolean (again, "background.enabled"));
  value = turnout_settings_dup_string (again, "smtp.from_address");
  g_assert_cmpstr (value, ==, "box@example.org");
  g_assert_true (turnout_settings_is_set (again, "sms.rate"));

  /* Unset goes back to the default. */
  g_assert_true (turnout_settings_set (settings, "sms.rate", NULL, &error));
  g_assert_true (turnout_settings_reload (again, &error));
  g_assert_no_error (error);
  g_assert_false (turnout_settings_is_set (again, "sms.rate"));
  g_assert_cmpfloat (turnout_settings_get_double (again, "sms.rate"), ==, 1.0);

  g_assert_finalize_object (again);
  turnout_test_finalize_object (settings);
  turnout_test_finalize_object (store);
}

static void
on_changed_cb (TurnoutSettings *settings,
               const char      *key,
               GPtrArray       *seen)
{
  g_ptr_array_add (seen, g_strdup (key));
}

static void
test_set_async_and_changed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) rate_only = g_ptr_array_new_with_free_func (g_free);
  TurnoutStore *store = open_store ();
  TurnoutSettings *settings = turnout_settings_new (store, &error);
  GAsyncResult *result = NULL;

  g_assert_no_error (error);
  g_signal_connect (settings, "changed", G_CALLBACK (on_changed_cb), all);
  g_signal_connect (settings, "changed::sms.rate", G_CALLBACK (on_changed_cb), rate_only);

  turnout_settings_set_async (settings, "smtp.port", "465", NULL, turnout_test_result_cb, &result);
  g_assert_true (turnout_settings_set_finish (settings, turnout_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (turnout_settings_get_int (settings, "smtp.port"), ==, 465);

  turnout_settings_set_async (settings, "sms.rate", "3", NULL, turnout_test_result_cb, &result);
  g_assert_true (turnout_settings_set_finish (settings, turnout_test_wait_result (&result), &error));
  g_clear_object (&result);

  /* Setting the same value again is not a change. */
  turnout_settings_set_async (settings, "sms.rate", "3.0", NULL, turnout_test_result_cb, &result);
  g_assert_true (turnout_settings_set_finish (settings, turnout_test_wait_result (&result), &error));
  g_clear_object (&result);

  turnout_settings_set_async (settings, "smtp.security", "plaintext", NULL, turnout_test_result_cb, &result);
  g_assert_false (turnout_settings_set_finish (settings, turnout_test_wait_result (&result), &error));
  g_assert_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_clear_object (&result);

  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (all, 0), ==, "smtp.port");
  g_assert_cmpstr (g_ptr_array_index (all, 1), ==, "sms.rate");
  g_assert_cmpuint (rate_only->len, ==, 1);
  g_assert_false (turnout_settings_is_set (settings, "smtp.security"));

  turnout_test_finalize_object (settings);
  turnout_test_finalize_object (store);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/settings/registry", test_registry);
  g_test_add_func ("/settings/validation", test_validation);
  g_test_add_func ("/settings/store", test_store_and_defaults);
  g_test_add_func ("/settings/async", test_set_async_and_changed);

  return g_test_run ();
}
