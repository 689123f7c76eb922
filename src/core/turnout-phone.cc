/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-phone"

#include "config.h"

#include <string>
#include <glib/gi18n.h>
#include <phonenumbers/phonenumberutil.h>

#include "turnout-phone.h"

/*
 * The one C++ file: phone numbers through libphonenumber, behind a C
 * interface (as evolution-data-server does). Numbers are stored in E.164,
 * the form Twilio takes.
 */

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

G_DEFINE_QUARK (turnout-phone-error-quark, turnout_phone_error)

/**
 * turnout_phone_normalize:
 * @text: a phone number as a person wrote it: "(415) 555-0100",
 *   "+44 20 7946 0958", "0044 20 7946 0958", "06 12 34 56 78"…
 * @default_region: (nullable): the two-letter country assumed when @text
 *   has no country code, such as "US"
 *
 * Returns: (transfer full) (nullable): the number in E.164 ("+14155550100"),
 *   or %NULL with @error saying why it is not a phone number.
 */
char *
turnout_phone_normalize (const char  *text,
                         const char  *default_region,
                         GError     **error)
{
  const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance ();
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autofree char *upper = g_ascii_strup (default_region != NULL ? default_region : "", -1);
  std::string region = *upper != '\0' ? upper : "ZZ";
  PhoneNumber number;
  std::string e164;
  gboolean has_digit = FALSE;

  if (*trimmed == '\0')
    {
      g_set_error_literal (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_EMPTY,
                           _("the phone number is empty"));
      return NULL;
    }
  for (const char *p = trimmed; *p != '\0'; p++)
    has_digit |= g_ascii_isdigit (*p);
  if (!has_digit)
    {
      g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_NOT_A_NUMBER,
                   _("“%s” has no digits, so it is not a phone number"), trimmed);
      return NULL;
    }

  switch (util->Parse (trimmed, region, &number))
    {
    case PhoneNumberUtil::NO_PARSING_ERROR:
      break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      if (region == "ZZ")
        g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_NO_COUNTRY,
                     _("“%s” has no country code; write it as +CC… or set a default region"),
                     trimmed);
      else
        g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_NO_COUNTRY,
                     _("“%s” starts with a country code that does not exist"), trimmed);
      return NULL;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_TOO_SHORT,
                   _("“%s” is too short to be a phone number"), trimmed);
      return NULL;
    case PhoneNumberUtil::TOO_LONG_NSN:
      g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_TOO_LONG,
                   _("“%s” is too long to be a phone number"), trimmed);
      return NULL;
    case PhoneNumberUtil::NOT_A_NUMBER:
    default:
      g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_NOT_A_NUMBER,
                   _("“%s” is not a phone number"), trimmed);
      return NULL;
    }

  if (!util->IsValidNumber (number))
    {
      std::string number_region;

      util->GetRegionCodeForNumber (number, &number_region);
      if (number_region.empty () || number_region == "ZZ")
        number_region = util->GetCountryCodeForRegion (region) == number.country_code ()
                          ? region : "+" + std::to_string (number.country_code ());
      switch (util->IsPossibleNumberWithReason (number))
        {
        case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
          g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_TOO_SHORT,
                       _("“%s” is too short: it is missing its area code"), trimmed);
          break;
        case PhoneNumberUtil::TOO_SHORT:
          g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_TOO_SHORT,
                       _("“%s” is too short for a phone number in %s"), trimmed,
                       number_region.c_str ());
          break;
        case PhoneNumberUtil::TOO_LONG:
          g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_TOO_LONG,
                       _("“%s” is too long for a phone number in %s"), trimmed,
                       number_region.c_str ());
          break;
        default:
          g_set_error (error, TURNOUT_PHONE_ERROR, TURNOUT_PHONE_ERROR_INVALID,
                       _("“%s” is not a valid phone number in %s"), trimmed,
                       number_region.c_str ());
          break;
        }
      return NULL;
    }

  util->Format (number, PhoneNumberUtil::E164, &e164);
  return g_strdup (e164.c_str ());
}

/**
 * turnout_phone_format_display:
 * @e164: a number in E.164
 *
 * Returns: (transfer full): the number as people of its country write it
 *   with its country code, such as "+1 415-555-0100", or a copy of @e164.
 */
char *
turnout_phone_format_display (const char *e164)
{
  const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance ();
  PhoneNumber number;
  std::string formatted;

  g_return_val_if_fail (e164 != NULL, NULL);

  if (util->Parse (e164, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
    return g_strdup (e164);
  util->Format (number, PhoneNumberUtil::INTERNATIONAL, &formatted);
  return g_strdup (formatted.c_str ());
}

/**
 * turnout_phone_country_code_for_region:
 * @region: (nullable): a two-letter country, such as "US" or "gb"
 *
 * Returns: the calling code of @region (1 for "US", 44 for "GB"), or 0
 *   when @region is not a country libphonenumber knows.
 */
int
turnout_phone_country_code_for_region (const char *region)
{
  const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance ();
  g_autofree char *upper = NULL;

  if (region == NULL || *region == '\0')
    return 0;
  upper = g_ascii_strup (region, -1);
  return util->GetCountryCodeForRegion (upper);
}
