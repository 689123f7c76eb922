/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "turnout-clock.h"
#include "turnout-test-utils.h"

static GDateTime *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  GDateTime *dt = turnout_parse_instant (text, &error);

  g_assert_no_error (error);
  return dt;
}

static void
test_frozen_clock_stands_still_until_advanced (void)
{
  g_autoptr(GDateTime) start = parse ("2026-05-01T18:00:00Z");
  TurnoutClock *clock = turnout_clock_new_frozen (start);
  g_autoptr(GDateTime) now = NULL;

  g_assert_true (turnout_clock_is_frozen (clock));
  g_assert_cmpint (turnout_clock_get_unix (clock), ==, g_date_time_to_unix (start));
  g_usleep (2000);
  g_assert_cmpint (turnout_clock_get_micros (clock), ==, g_date_time_to_unix (start) * G_USEC_PER_SEC);

  turnout_clock_advance (clock, 90 * G_TIME_SPAN_MINUTE);
  now = turnout_clock_dup_now (clock);
  g_assert_cmpint (g_date_time_get_hour (now), ==, 19);
  g_assert_cmpint (g_date_time_get_minute (now), ==, 30);
  g_assert_cmpint (g_date_time_get_utc_offset (now), ==, 0);

  turnout_clock_advance (clock, -2 * G_TIME_SPAN_DAY);
  g_assert_cmpint (turnout_clock_get_unix (clock), ==, g_date_time_to_unix (start) + 5400 - 172800);

  g_assert_finalize_object (clock);
}

static void
test_starting_clock_runs_on (void)
{
  g_autoptr(GDateTime) start = parse ("2030-01-01T00:00:00Z");
  TurnoutClock *clock = turnout_clock_new_starting (start);
  gint64 first = turnout_clock_get_micros (clock);
  gint64 second;

  g_assert_false (turnout_clock_is_frozen (clock));
  /* Within a minute of the chosen start, far from today's date. */
  g_assert_cmpint (first - g_date_time_to_unix (start) * G_USEC_PER_SEC, <, 60 * G_USEC_PER_SEC);
  g_assert_cmpint (first, >=, g_date_time_to_unix (start) * G_USEC_PER_SEC);
  g_usleep (5000);
  second = turnout_clock_get_micros (clock);
  g_assert_cmpint (second, >, first);

  g_assert_finalize_object (clock);
}

static void
test_default_clock_is_replaceable (void)
{
  g_autoptr(GDateTime) start = parse ("2001-02-03T04:05:06Z");
  TurnoutClock *frozen = turnout_clock_new_frozen (start);
  gint64 wall = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpint (ABS (turnout_clock_get_unix (turnout_clock_get_default ()) - wall), <=, 2);

  turnout_clock_set_default (frozen);
  g_assert_true (turnout_clock_get_default () == frozen);
  g_assert_cmpint (turnout_clock_get_unix (turnout_clock_get_default ()), ==, 981173106);

  turnout_clock_set_default (NULL);
  g_assert_false (turnout_clock_get_default () == frozen);
  g_assert_finalize_object (frozen);
}

static void
test_parse_instant (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) offset = parse ("2026-05-01T20:00:00+02:00");
  g_autoptr(GDateTime) bad = NULL;

  g_assert_cmpint (g_date_time_to_unix (offset), ==, 1777658400);

  bad = turnout_parse_instant ("next tuesday", &error);
  g_assert_null (bad);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "next tuesday"));
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clock/frozen", test_frozen_clock_stands_still_until_advanced);
  g_test_add_func ("/clock/starting", test_starting_clock_runs_on);
  g_test_add_func ("/clock/default", test_default_clock_is_replaceable);
  g_test_add_func ("/clock/parse", test_parse_instant);

  return g_test_run ();
}
