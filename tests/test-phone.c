/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "turnout-phone.h"
#include "turnout-test-utils.h"

static const struct {
  const char *region;
  const char *written;
  const char *e164;
} good[] = {
  /* United States: local and international forms. */
  { "US", "(650) 253-0000", "+16502530000" },
  { "US", "650.253.0000", "+16502530000" },
  { "US", "1 650 253 0000", "+16502530000" },
  { "GB", "+1 650-253-0000", "+16502530000" },
  /* United Kingdom: the trunk 0 goes, 00 is the international prefix. */
  { "GB", "020 7946 0958", "+442079460958" },
  { "GB", "07911 123456", "+447911123456" },
  { "US", "+44 20 7946 0958", "+442079460958" },
  { "DE", "0044 20 7946 0958", "+442079460958" },
  /* Germany. */
  { "DE", "030 1234567", "+49301234567" },
  { "DE", "0151 23456789", "+4915123456789" },
  { "FR", "+49 151 23456789", "+4915123456789" },
  /* France. */
  { "FR", "06 12 34 56 78", "+33612345678" },
  { "FR", "01.23.45.67.89", "+33123456789" },
  { "US", "+33 6 12 34 56 78", "+33612345678" },
  /* Australia. */
  { "AU", "0412 345 678", "+61412345678" },
  { "AU", "(02) 9876 5432", "+61298765432" },
  { "GB", "+61 412 345 678", "+61412345678" },
  /* Brazil: mobile numbers have nine digits after the area code. */
  { "BR", "(11) 91234-5678", "+5511912345678" },
  { "BR", "11 3456-7890", "+551134567890" },
  { "US", "+55 11 91234-5678", "+5511912345678" },
  /* No default region: only international forms work. */
  { NULL, "+16502530000", "+16502530000" },
  { "", "+44 20 7946 0958", "+442079460958" },
};

static void
test_normalizes_to_e164 (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *e164 = turnout_phone_normalize (good[i].written, good[i].region, &error);

      if (error != NULL)
        g_error ("%s in %s: %s", good[i].written, good[i].region, error->message);
      g_assert_cmpstr (e164, ==, good[i].e164);
    }
}

static const struct {
  const char        *region;
  const char        *written;
  TurnoutPhoneError  code;
  const char        *words;
} bad[] = {
  { "US", "", TURNOUT_PHONE_ERROR_EMPTY, "empty" },
  { "US", "   ", TURNOUT_PHONE_ERROR_EMPTY, "empty" },
  { "US", "call me", TURNOUT_PHONE_ERROR_NOT_A_NUMBER, "no digits" },
  { "US", "12", TURNOUT_PHONE_ERROR_TOO_SHORT, "too short" },
  { "US", "555-0100", TURNOUT_PHONE_ERROR_TOO_SHORT, "too short" },
  { "DE", "+49 30 1234567890123456", TURNOUT_PHONE_ERROR_TOO_LONG, "too long" },
  { NULL, "650 253 0000", TURNOUT_PHONE_ERROR_NO_COUNTRY, "no country code" },
  { "US", "+999 123 456 789", TURNOUT_PHONE_ERROR_NO_COUNTRY, "does not exist" },
  { "US", "(123) 456-7890", TURNOUT_PHONE_ERROR_INVALID, "not a valid phone number in US" },
};

static void
test_refuses_with_reason (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *e164 = turnout_phone_normalize (bad[i].written, bad[i].region, &error);

      if (e164 != NULL)
        g_error ("“%s” in %s was accepted as %s", bad[i].written, bad[i].region, e164);
      g_assert_nonnull (error);
      if (!g_error_matches (error, TURNOUT_PHONE_ERROR, (int) bad[i].code) ||
          strstr (error->message, bad[i].words) == NULL)
        g_error ("“%s” in %s: got “%s” (%d), expected code %d with “%s”", bad[i].written,
                 bad[i].region, error->message, error->code, bad[i].code, bad[i].words);
    }
}

static void
test_display (void)
{
  g_autofree char *us = turnout_phone_format_display ("+16502530000");
  g_autofree char *gb = turnout_phone_format_display ("+442079460958");
  g_autofree char *junk = turnout_phone_format_display ("junk");

  g_assert_cmpstr (us, ==, "+1 650-253-0000");
  g_assert_cmpstr (gb, ==, "+44 20 7946 0958");
  g_assert_cmpstr (junk, ==, "junk");
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/phone/e164", test_normalizes_to_e164);
  g_test_add_func ("/phone/refused", test_refuses_with_reason);
  g_test_add_func ("/phone/display", test_display);

  return g_test_run ();
}
