/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "turnout-delivery.h"
#include "turnout-settings.h"
#include "turnout-test-utils.h"

/* The per-recipient rules the dispatcher and the preflight share: quiet
 * hours in the recipient's time zone (across midnight, a zone of their
 * own or the default one), the frequency cap's setting, and the list of
 * the user's own numbers for test sends, refused with the bad number and
 * its place. */

/* 2026-05-01T12:00:00Z */
#define NOW 1777636800
#define HOUR 3600

static void
test_quiet_hours (void)
{
  g_autoptr(GTimeZone) tokyo = turnout_recipient_time_zone ("Asia/Tokyo", "Europe/Berlin");
  g_autoptr(GTimeZone) berlin = turnout_recipient_time_zone (NULL, "Europe/Berlin");
  g_autoptr(GTimeZone) fallback = turnout_recipient_time_zone ("Mars/Olympus", "Europe/Berlin");
  g_autoptr(GError) error = NULL;
  int start, end;

  g_assert_true (turnout_quiet_hours_parse ("21:00-08:00", &start, &end, &error));
  g_assert_no_error (error);
  g_assert_cmpint (start, ==, 21 * 60);
  g_assert_cmpint (end, ==, 8 * 60);

  /* 12:00 UTC is 21:00 in Tokyo: quiet until 08:00 there, 23:00 UTC. */
  g_assert_cmpint (turnout_quiet_hours_end (start, end, tokyo, NOW), ==, NOW + 11 * HOUR);
  /* 14:00 in Berlin (summer time): not quiet. A contact without a zone,
   * or with one nobody knows, takes the default. */
  g_assert_cmpint (turnout_quiet_hours_end (start, end, berlin, NOW), ==, 0);
  g_assert_cmpint (turnout_quiet_hours_end (start, end, fallback, NOW), ==, 0);
  /* 01:00 in Berlin, after midnight: quiet until 08:00 the same day. */
  g_assert_cmpint (turnout_quiet_hours_end (start, end, berlin, NOW + 11 * HOUR), ==,
                   NOW + 18 * HOUR);
  /* 08:00 sharp is the end: not quiet any more. */
  g_assert_cmpint (turnout_quiet_hours_end (start, end, berlin, NOW + 18 * HOUR), ==, 0);

  /* Quiet hours within a day. */
  g_assert_true (turnout_quiet_hours_parse ("13:00 - 15:30", &start, &end, NULL));
  g_assert_cmpint (turnout_quiet_hours_end (start, end, berlin, NOW), ==,
                   NOW + 90 * 60);

  g_assert_true (turnout_quiet_hours_parse ("off", &start, &end, NULL));
  g_assert_cmpint (start, ==, -1);
  g_assert_cmpint (turnout_quiet_hours_end (start, end, tokyo, NOW), ==, 0);
  g_assert_true (turnout_quiet_hours_parse ("", &start, &end, NULL));
  g_assert_cmpint (start, ==, -1);
  g_assert_false (turnout_quiet_hours_parse ("9pm-8am", &start, &end, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“9pm-8am”"));
}

static void
test_frequency_cap (void)
{
  guint messages, days;

  g_assert_true (turnout_frequency_cap_parse ("3/7", &messages, &days));
  g_assert_cmpuint (messages, ==, 3);
  g_assert_cmpuint (days, ==, 7);
  g_assert_false (turnout_frequency_cap_parse ("", &messages, &days));
  g_assert_cmpuint (messages, ==, 0);
  g_assert_false (turnout_frequency_cap_parse (NULL, &messages, &days));
  g_assert_cmpuint (messages, ==, 0);
}

static void
test_numbers (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) numbers = NULL;
  g_autofree char *normalized = NULL;

  numbers = turnout_phone_list_normalize (" +1 650-555-0199, (650) 555-0198 ,, +16505550199",
                                          "US", &error);
  g_assert_no_error (error);
  /* Each once, in the order given. */
  g_assert_cmpuint (g_strv_length (numbers), ==, 2);
  g_assert_cmpstr (numbers[0], ==, "+16505550199");
  g_assert_cmpstr (numbers[1], ==, "+16505550198");
  g_clear_pointer (&numbers, g_strfreev);

  numbers = turnout_phone_list_normalize ("", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (numbers), ==, 0);
  g_clear_pointer (&numbers, g_strfreev);

  /* The bad one is named, with its place in the list. */
  numbers = turnout_phone_list_normalize ("+16505550199, +1 650 555, +16505550198", NULL, &error);
  g_assert_null (numbers);
  g_assert_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "number 2 of the list"));
  g_assert_nonnull (strstr (error->message, "“+1 650 555”"));
  g_clear_error (&error);

  /* The setting keeps E.164; without a country code a number is refused,
   * saying so. */
  normalized = turnout_setting_normalize ("sms.test_numbers", "+1 (650) 555-0199,+44 20 7946 0958",
                                          &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, "+16505550199, +442079460958");
  g_clear_pointer (&normalized, g_free);
  normalized = turnout_setting_normalize ("sms.test_numbers", "+16505550199, 650 555 0198",
                                          &error);
  g_assert_null (normalized);
  g_assert_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "sms.test_numbers: number 2 of the list: "));
  g_assert_nonnull (strstr (error->message, "“650 555 0198” has no country code"));
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/delivery/quiet-hours", test_quiet_hours);
  g_test_add_func ("/delivery/frequency-cap", test_frequency_cap);
  g_test_add_func ("/delivery/numbers", test_numbers);

  return g_test_run ();
}
