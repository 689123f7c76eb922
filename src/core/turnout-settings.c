/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-settings"

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-contacts.h"
#include "turnout-delivery.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * Every non-secret setting lives in the store's `settings` table, so one
 * database file carries its whole setup. This file is the registry of the
 * keys (their type, default, limits and checks, which `turnout-cli config`
 * and the Preferences window share) and TurnoutSettings, the cached view of
 * the table that the application reads.
 */

G_DEFINE_QUARK (turnout-settings-error-quark, turnout_settings_error)

static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;

  va_start (args, format);
  if (error != NULL)
    *error = g_error_new_valist (TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE,
                                 format, args);
  va_end (args);
  return FALSE;
}

static gboolean
is_hex_sid (const char *value,
            const char *prefix)
{
  if (!g_str_has_prefix (value, prefix) || strlen (value) != 34)
    return FALSE;
  for (const char *p = value + 2; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
check_account_sid (const char  *value,
                   char       **normalized,
                   GError     **error)
{
  if (*value == '\0' || is_hex_sid (value, "AC"))
    return TRUE;
  return invalid (error, _("an Account SID is “AC” followed by 32 hexadecimal digits, "
                           "as shown on the Twilio Console"));
}

static gboolean
check_api_key_sid (const char  *value,
                   char       **normalized,
                   GError     **error)
{
  if (*value == '\0' || is_hex_sid (value, "SK"))
    return TRUE;
  return invalid (error, _("an API Key SID is “SK” followed by 32 hexadecimal digits"));
}

static gboolean
check_messaging_service_sid (const char  *value,
                             char       **normalized,
                             GError     **error)
{
  if (*value == '\0' || is_hex_sid (value, "MG"))
    return TRUE;
  return invalid (error, _("a Messaging Service SID is “MG” followed by 32 hexadecimal digits"));
}

static gboolean
is_e164 (const char *value)
{
  gsize len = strlen (value);

  if (value[0] != '+' || len < 8 || len > 16 || value[1] == '0')
    return FALSE;
  for (const char *p = value + 1; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* A Twilio sender: a phone number in E.164, or an alphanumeric sender ID
 * (1–11 letters, digits or spaces, at least one letter). */
static gboolean
check_sender (const char  *value,
              char       **normalized,
              GError     **error)
{
  gsize len = strlen (value);
  gboolean has_letter = FALSE;

  if (*value == '\0' || is_e164 (value))
    return TRUE;
  if (value[0] == '+' || g_ascii_isdigit (value[0]))
    return invalid (error, _("a sender number is written in international form, "
                             "such as +15551234567"));
  if (len > 11)
    return invalid (error, _("an alphanumeric sender ID has at most 11 characters"));
  for (const char *p = value; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != ' ')
        return invalid (error, _("an alphanumeric sender ID has only letters, digits and "
                                 "spaces; “%c” at position %d is not allowed"),
                        *p, (int) (p - value) + 1);
      has_letter |= g_ascii_isalpha (*p);
    }
  if (!has_letter)
    return invalid (error, _("an alphanumeric sender ID needs at least one letter"));
  return TRUE;
}

static gboolean
check_host (const char  *value,
            char       **normalized,
            GError     **error)
{
  if (strlen (value) > 253)
    return invalid (error, _("a host name has at most 253 characters"));
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != ':' && *p != '[' && *p != ']')
      return invalid (error, _("a host name has only letters, digits, dots and hyphens; "
                               "“%c” at position %d is not allowed"),
                      *p, (int) (p - value) + 1);
  *normalized = g_ascii_strdown (value, -1);
  return TRUE;
}

/* A SHA-256 fingerprint, written as 64 hexadecimal digits with or without
 * colons or spaces between the pairs; kept as "AB:CD:…", the way
 * certificate viewers show it. */
static gboolean
check_certificate_fingerprint (const char  *value,
                               char       **normalized,
                               GError     **error)
{
  g_autoptr(GString) hex = g_string_new (NULL);

  if (*value == '\0')
    return TRUE;
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p))
        return invalid (error, _("a certificate fingerprint has only hexadecimal digits and "
                                 "colons; “%c” at position %d is not allowed"),
                        *p, (int) (p - value) + 1);
      g_string_append_c (hex, g_ascii_toupper (*p));
    }
  if (hex->len != 64)
    return invalid (error, _("a SHA-256 fingerprint has 64 hexadecimal digits, not %u"),
                    (guint) hex->len);
  *normalized = g_malloc (64 / 2 * 3);
  for (guint i = 0; i < 32; i++)
    {
      (*normalized)[i * 3] = hex->str[i * 2];
      (*normalized)[i * 3 + 1] = hex->str[i * 2 + 1];
      (*normalized)[i * 3 + 2] = i < 31 ? ':' : '\0';
    }
  return TRUE;
}

static gboolean
check_email (const char  *value,
             char       **normalized,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (*value == '\0')
    return TRUE;
  if ((*normalized = turnout_email_normalize (value, &local_error)) == NULL)
    return invalid (error, "%s", local_error->message);
  return TRUE;
}

static gboolean
check_https_url (const char  *value,
                 char       **normalized,
                 GError     **error)
{
  g_autoptr(GUri) uri = NULL;

  if (*value == '\0')
    return TRUE;
  uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return invalid (error, _("this is not a web address"));
  if (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
    return invalid (error, _("the address must start with https://"));
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return invalid (error, _("the address has no host name"));
  return TRUE;
}

static gboolean
parse_clock_time (const char *text,
                  int        *minutes)
{
  int h, m;
  char tail;

  if (strlen (text) != 5 || sscanf (text, "%2d:%2d%c", &h, &m, &tail) != 2)
    return FALSE;
  if (!g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[3]) || h > 23 || m > 59 || h < 0 ||
      m < 0)
    return FALSE;
  *minutes = h * 60 + m;
  return TRUE;
}

/* "21:00-08:00": no SMS is sent from 21:00 to 08:00 in the recipient's time
 * zone. Empty means no quiet hours. */
static gboolean
check_quiet_hours (const char  *value,
                   char       **normalized,
                   GError     **error)
{
  g_auto(GStrv) parts = NULL;
  int from, to;

  if (*value == '\0' || g_ascii_strcasecmp (value, "off") == 0)
    {
      *normalized = g_strdup ("off");
      return TRUE;
    }
  parts = g_strsplit (value, "-", -1);
  if (g_strv_length (parts) != 2)
    return invalid (error, _("quiet hours are written as two times, such as 21:00-08:00, or "
                             "as off"));
  g_strstrip (parts[0]);
  g_strstrip (parts[1]);
  if (!parse_clock_time (parts[0], &from))
    return invalid (error, _("“%s” is not a time of day; write it as HH:MM, such as 21:00"),
                    parts[0]);
  if (!parse_clock_time (parts[1], &to))
    return invalid (error, _("“%s” is not a time of day; write it as HH:MM, such as 08:00"),
                    parts[1]);
  if (from == to)
    return invalid (error, _("quiet hours must start and end at different times"));
  *normalized = g_strdup_printf ("%s-%s", parts[0], parts[1]);
  return TRUE;
}

static gboolean
check_region (const char  *value,
              char       **normalized,
              GError     **error)
{
  if (strlen (value) != 2 || !g_ascii_isalpha (value[0]) || !g_ascii_isalpha (value[1]))
    return invalid (error, _("a region is a two-letter country code, such as US, GB or DE"));
  *normalized = g_ascii_strup (value, -1);
  return TRUE;
}

static gboolean
check_currency (const char  *value,
                char       **normalized,
                GError     **error)
{
  if (strlen (value) != 3 || !g_ascii_isalpha (value[0]) || !g_ascii_isalpha (value[1]) ||
      !g_ascii_isalpha (value[2]))
    return invalid (error, _("a currency is a three-letter code, such as USD, EUR or GBP"));
  *normalized = g_ascii_strup (value, -1);
  return TRUE;
}

static gboolean
check_time_zone (const char  *value,
                 char       **normalized,
                 GError     **error)
{
  g_autoptr(GTimeZone) tz = NULL;

  if (*value == '\0')
    return TRUE;
  tz = g_time_zone_new_identifier (value);
  if (tz == NULL)
    return invalid (error, _("“%s” is not a known time zone; use a name such as "
                             "America/New_York or Europe/Berlin"), value);
  return TRUE;
}

/* "N/D": at most N messages to one contact in any D days; empty: no cap. */
static gboolean
check_frequency_cap (const char  *value,
                     char       **normalized,
                     GError     **error)
{
  guint64 messages, days;
  g_auto(GStrv) parts = NULL;

  if (*value == '\0')
    return TRUE;
  parts = g_strsplit (value, "/", -1);
  if (g_strv_length (parts) != 2
      || !g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 1, 1000, &messages, NULL)
      || !g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 1, 365, &days, NULL))
    return invalid (error, _("the cap is written as messages/days, such as 3/7 for at most 3 "
                             "messages in 7 days"));
  *normalized = g_strdup_printf ("%" PRIu64 "/%" PRIu64, messages, days);
  return TRUE;
}

/* "+15551234567, +447700900123": the user's own numbers for test sends,
 * each with its country code (the check can't know the default region). */
static gboolean
check_test_numbers (const char  *value,
                    char       **normalized,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) numbers = turnout_phone_list_normalize (value, NULL, &local_error);

  if (numbers == NULL)
    return invalid (error, "%s", local_error->message);
  *normalized = g_strjoinv (", ", numbers);
  return TRUE;
}

/* "me@example.com, team@example.com": the user's own addresses for test
 * sends, checked one by one so the error names the bad one and where it
 * is. */
static gboolean
check_test_addresses (const char  *value,
                      char       **normalized,
                      GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  guint position = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      const char *part = g_strstrip (parts[i]);
      char *address;

      /* "a, b," is forgiven: an empty place is no address. */
      if (*part == '\0')
        continue;
      position++;
      if ((address = turnout_email_normalize (part, &local_error)) == NULL)
        /* TRANSLATORS: "address 2 of the list: “bob@” is not an email address…" */
        return invalid (error, _("address %u of the list: %s"), position, local_error->message);
      if (g_ptr_array_find_with_equal_func (addresses, address, g_str_equal, NULL))
        g_free (address);
      else
        g_ptr_array_add (addresses, address);
    }
  g_ptr_array_add (addresses, NULL);
  *normalized = g_strjoinv (", ", (char **) addresses->pdata);
  return TRUE;
}

static const char * const security_choices[] = { "starttls", "tls", "none", NULL };
static const char * const security_labels[] = {
  N_("STARTTLS (port 587)"),
  N_("TLS (port 465)"),
  N_("None — local relay only"),
  NULL
};

static const TurnoutSettingSpec specs[] = {
  { "general.sender_name", TURNOUT_SETTING_STRING, "",
    N_("Sender name"),
    N_("Your name or your promotion’s, for the {sender_name} merge field"),
    .check = NULL },
  { "general.currency", TURNOUT_SETTING_STRING, "USD",
    N_("Currency"),
    N_("The currency of ticket amounts and cost estimates, as a three-letter code"),
    .check = check_currency },
  { "contacts.default_region", TURNOUT_SETTING_STRING, "US",
    N_("Default phone region"),
    N_("The country assumed for phone numbers written without a country code"),
    .check = check_region },
  { "contacts.default_time_zone", TURNOUT_SETTING_STRING, "",
    N_("Default time zone"),
    N_("The time zone of contacts who have none; empty means this computer’s"),
    .check = check_time_zone },
  { "twilio.account_sid", TURNOUT_SETTING_STRING, "",
    N_("Account SID"),
    N_("Your Twilio Account SID, starting with AC"),
    .check = check_account_sid },
  { "twilio.api_key_sid", TURNOUT_SETTING_STRING, "",
    N_("API Key SID"),
    N_("Optional: an API Key SID (SK…) to use instead of the Auth Token"),
    .check = check_api_key_sid },
  { "twilio.from", TURNOUT_SETTING_STRING, "",
    N_("Sender number"),
    N_("The Twilio number texts come from, such as +15551234567, or an alphanumeric sender ID"),
    .check = check_sender },
  { "twilio.messaging_service_sid", TURNOUT_SETTING_STRING, "",
    N_("Messaging Service SID"),
    N_("Optional: send through a Messaging Service (MG…) instead of one number"),
    .check = check_messaging_service_sid },
  { "sms.rate", TURNOUT_SETTING_DOUBLE, "1",
    N_("Messages per second"),
    N_("How fast texts are handed to Twilio; 1 is the rate of a US long code"),
    0.1, 1000 },
  { "sms.concurrency", TURNOUT_SETTING_INT, "4",
    N_("Requests at once"),
    N_("How many requests to Twilio may be in flight together"),
    1, 32 },
  { "sms.quiet_hours", TURNOUT_SETTING_STRING, "21:00-08:00",
    N_("Quiet hours"),
    N_("No texts are sent between these times in the recipient’s time zone, such as "
       "21:00-08:00; empty sends at any hour"),
    .check = check_quiet_hours },
  { "sms.test_numbers", TURNOUT_SETTING_STRING, "",
    N_("Your numbers for tests"),
    N_("Where “Send a Test” sends a campaign’s message first: your own numbers with their "
       "country code, separated by commas, such as +15551234567"),
    .check = check_test_numbers },
  { "sms.price_per_segment", TURNOUT_SETTING_DOUBLE, "0.0083",
    N_("Price per SMS segment"),
    N_("What one SMS segment costs you, for cost estimates before sending"),
    0, 100 },
  { "mms.price_per_message", TURNOUT_SETTING_DOUBLE, "0.022",
    N_("Price per MMS"),
    N_("What one MMS message costs you, for cost estimates before sending"),
    0, 100 },
  { "delivery.retry_after", TURNOUT_SETTING_INT, "30",
    N_("First retry after (seconds)"),
    N_("When a provider fails for now, the message is tried again after this long, then "
       "twice as long each time"),
    1, 86400 },
  { "delivery.retry_limit", TURNOUT_SETTING_INT, "3600",
    N_("Longest wait between retries (seconds)"),
    N_("The doubling waits stop growing here"),
    1, 604800 },
  { "delivery.attempts", TURNOUT_SETTING_INT, "6",
    N_("Attempts"),
    N_("How many times a message is tried before it is marked failed"),
    1, 20 },
  { "delivery.grace_period", TURNOUT_SETTING_INT, "6",
    N_("Late start allowed (hours)"),
    N_("A scheduled campaign whose time passed while Turnout wasn't running starts when it "
       "runs again, unless it is later than this; then it waits for you"),
    0, 168 },
  { "delivery.frequency_cap", TURNOUT_SETTING_STRING, "",
    N_("Frequency cap"),
    N_("At most this many messages to one person in so many days, across campaigns and "
       "automations, such as 3/7; empty means no cap"),
    .check = check_frequency_cap },
  { "smtp.host", TURNOUT_SETTING_STRING, "",
    N_("Server"),
    N_("The host name of your outgoing mail server, such as smtp.example.com"),
    .check = check_host },
  { "smtp.port", TURNOUT_SETTING_INT, "587",
    N_("Port"),
    N_("Usually 587 for STARTTLS or 465 for TLS"),
    1, 65535 },
  { "smtp.security", TURNOUT_SETTING_CHOICE, "starttls",
    N_("Security"),
    N_("How the connection is encrypted; credentials are never sent unencrypted"),
    .choices = security_choices, .choice_labels = security_labels },
  { "smtp.username", TURNOUT_SETTING_STRING, "",
    N_("User name"),
    N_("The user name for your mail server, often your email address") },
  { "smtp.from_name", TURNOUT_SETTING_STRING, "",
    N_("From name"),
    N_("The name recipients see, such as your promotion’s") },
  { "smtp.from_address", TURNOUT_SETTING_STRING, "",
    N_("From address"),
    N_("The email address campaigns are sent from"),
    .check = check_email },
  { "smtp.connections", TURNOUT_SETTING_INT, "2",
    N_("Connections"),
    N_("How many connections to the mail server are used at once"),
    1, 16 },
  { "smtp.accepted_certificate", TURNOUT_SETTING_STRING, "",
    N_("Accepted certificate"),
    N_("The SHA-256 fingerprint of a mail server certificate you chose to trust although it "
       "failed the checks; only exactly that certificate is accepted"),
    .check = check_certificate_fingerprint },
  { "email.postal_address", TURNOUT_SETTING_STRING, "",
    N_("Postal address"),
    N_("Your postal address, shown in the footer of every email as the law requires"),
    .multiline = TRUE },
  { "email.unsubscribe_mailto", TURNOUT_SETTING_STRING, "",
    N_("Unsubscribe address"),
    N_("An address that receives unsubscribe requests, for the List-Unsubscribe header"),
    .check = check_email },
  { "email.unsubscribe_url", TURNOUT_SETTING_STRING, "",
    N_("Unsubscribe web address"),
    N_("Optional: an https page for one-click unsubscribe"),
    .check = check_https_url },
  { "email.test_addresses", TURNOUT_SETTING_STRING, "",
    N_("Your addresses for tests"),
    N_("Where “Send a Test” sends an email campaign’s message first: your own addresses, "
       "separated by commas"),
    .check = check_test_addresses },
  { "background.enabled", TURNOUT_SETTING_BOOLEAN, "true",
    N_("Run in background"),
    N_("Keep sending and running automations after the window is closed") },
  { "background.autostart", TURNOUT_SETTING_BOOLEAN, "false",
    N_("Start at login"),
    N_("Start Turnout in the background when you log in, so automations run on time") },
};

/**
 * turnout_setting_specs:
 *
 * Returns: (array length=n_specs): every setting, in display order.
 */
const TurnoutSettingSpec *
turnout_setting_specs (guint *n_specs)
{
  *n_specs = G_N_ELEMENTS (specs);
  return specs;
}

/**
 * turnout_db_dup_setting:
 * @key: a setting of the registry
 *
 * For workers, which have a connection and no #TurnoutSettings.
 *
 * Returns: (transfer full): the value stored for @key, else its default.
 */
char *
turnout_db_dup_setting (sqlite3    *db,
                        const char *key)
{
  g_autoptr(TurnoutDbCached) stmt = turnout_db_prepare_cached (db,
                                                               "SELECT value FROM settings"
                                                               " WHERE key = ?1", NULL);
  const TurnoutSettingSpec *spec = turnout_setting_spec_lookup (key);

  g_return_val_if_fail (spec != NULL, NULL);

  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  return g_strdup (spec->default_value);
}

/**
 * turnout_setting_spec_lookup:
 *
 * Returns: (nullable): the setting named @key, or %NULL if there is none.
 */
const TurnoutSettingSpec *
turnout_setting_spec_lookup (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    if (g_strcmp0 (specs[i].key, key) == 0)
      return &specs[i];
  return NULL;
}

char *
turnout_setting_spec_dup_area (const TurnoutSettingSpec *spec)
{
  const char *dot = strchr (spec->key, '.');

  return g_strndup (spec->key, dot - spec->key);
}

static char *
normalize_number (const TurnoutSettingSpec  *spec,
                  const char                *value,
                  GError                   **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (value));
  char *end = NULL;
  double number;

  if (spec->kind == TURNOUT_SETTING_INT)
    {
      gint64 n;

      if (!g_ascii_string_to_signed (trimmed, 10, G_MININT64, G_MAXINT64, &n, NULL))
        {
          invalid (error, _("“%s” is not a whole number"), value);
          return NULL;
        }
      if (n < spec->min || n > spec->max)
        {
          invalid (error, _("%s must be between %.0f and %.0f"), trimmed, spec->min, spec->max);
          return NULL;
        }
      return g_strdup_printf ("%" PRId64, n);
    }

  number = g_ascii_strtod (trimmed, &end);
  if (*trimmed == '\0' || end == NULL || *end != '\0' || !isfinite (number))
    {
      invalid (error, _("“%s” is not a number; use a dot for decimals, such as 0.5"), value);
      return NULL;
    }
  if (number < spec->min || number > spec->max)
    {
      invalid (error, _("%s must be between %g and %g"), trimmed, spec->min, spec->max);
      return NULL;
    }
  {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.10g", number));
  }
}

static char *
normalize_boolean (const char  *value,
                   GError     **error)
{
  static const char * const yes[] = { "true", "yes", "on", "1", NULL };
  static const char * const no[] = { "false", "no", "off", "0", NULL };
  g_autofree char *lower = g_ascii_strdown (value, -1);

  g_strstrip (lower);
  if (g_strv_contains (yes, lower))
    return g_strdup ("true");
  if (g_strv_contains (no, lower))
    return g_strdup ("false");
  invalid (error, _("“%s” is neither true nor false"), value);
  return NULL;
}

/**
 * turnout_setting_normalize:
 * @key: a setting key
 * @value: the value as the user typed it
 *
 * Validates @value for @key. Errors name the key and say what was wrong.
 *
 * Returns: (transfer full): the value as it is stored, or %NULL with @error set.
 */
char *
turnout_setting_normalize (const char  *key,
                           const char  *value,
                           GError     **error)
{
  const TurnoutSettingSpec *spec = turnout_setting_spec_lookup (key);
  g_autoptr(GError) local_error = NULL;
  char *result = NULL;

  g_return_val_if_fail (value != NULL, NULL);

  if (spec == NULL)
    {
      g_set_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_UNKNOWN_KEY,
                   _("There is no setting “%s”; “turnout-cli config list” shows them all"),
                   key);
      return NULL;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE,
                   _("%s: the value is not valid UTF-8 text"), key);
      return NULL;
    }
  if (!spec->multiline && strpbrk (value, "\r\n") != NULL)
    {
      g_set_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE,
                   _("%s: the value must fit on one line"), key);
      return NULL;
    }

  switch (spec->kind)
    {
    case TURNOUT_SETTING_INT:
    case TURNOUT_SETTING_DOUBLE:
      result = normalize_number (spec, value, &local_error);
      break;

    case TURNOUT_SETTING_BOOLEAN:
      result = normalize_boolean (value, &local_error);
      break;

    case TURNOUT_SETTING_CHOICE:
      if (g_strv_contains (spec->choices, value))
        result = g_strdup (value);
      else
        {
          g_autofree char *allowed = g_strjoinv (", ", (GStrv) spec->choices);
          invalid (&local_error, _("“%s” is not one of: %s"), value, allowed);
        }
      break;

    case TURNOUT_SETTING_STRING:
    default:
      {
        g_autofree char *trimmed = g_strstrip (g_strdup (value));
        char *normalized = NULL;

        if (spec->check == NULL || spec->check (trimmed, &normalized, &local_error))
          result = normalized != NULL ? normalized : g_steal_pointer (&trimmed);
      }
      break;
    }

  if (result == NULL)
    g_set_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE,
                 /* TRANSLATORS: "sms.rate: “x” is not a number" */
                 _("%s: %s"), key, local_error->message);
  return result;
}


struct _TurnoutSettings
{
  GObject       parent_instance;

  TurnoutStore *store;     /* owned */
  GMutex        lock;
  GHashTable   *values;    /* key → stored value, both owned; guarded by lock */
};

G_DEFINE_FINAL_TYPE (TurnoutSettings, turnout_settings, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
turnout_settings_finalize (GObject *object)
{
  TurnoutSettings *self = TURNOUT_SETTINGS (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (turnout_settings_parent_class)->finalize (object);
}

static void
turnout_settings_class_init (TurnoutSettingsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = turnout_settings_finalize;

  /**
   * TurnoutSettings::changed:
   * @key: the setting that changed
   *
   * Emitted on the main thread after a new value was stored. Detailed by key.
   */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
turnout_settings_init (TurnoutSettings *self)
{
  g_mutex_init (&self->lock);
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static GHashTable *
load_values (sqlite3  *db,
             GError  **error)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(sqlite3_stmt) stmt = turnout_db_prepare (db, "SELECT key, value FROM settings", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);

      /* Keys of a newer or older Turnout are kept in the file but ignored. */
      if (turnout_setting_spec_lookup (key) != NULL)
        g_hash_table_insert (values, g_strdup (key),
                             g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not read the settings"));
      return NULL;
    }
  return g_steal_pointer (&values);
}

/**
 * turnout_settings_reload:
 *
 * Reads the settings table again (after another process changed it).
 * The table holds a few dozen rows.
 */
gboolean
turnout_settings_reload (TurnoutSettings  *self,
                         GError          **error)
{
  GHashTable *values;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_SETTINGS (self), FALSE);

  db = turnout_store_acquire (self->store, error);
  if (db == NULL)
    return FALSE;
  values = load_values (db, error);
  turnout_store_release (self->store, db);
  if (values == NULL)
    return FALSE;

  g_mutex_lock (&self->lock);
  g_hash_table_unref (self->values);
  self->values = values;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/**
 * turnout_settings_new:
 * @store: the open store
 *
 * Returns: (transfer full): the settings, loaded; %NULL with @error set.
 */
TurnoutSettings *
turnout_settings_new (TurnoutStore  *store,
                      GError       **error)
{
  g_autoptr(TurnoutSettings) self = NULL;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);

  self = g_object_new (TURNOUT_TYPE_SETTINGS, NULL);
  self->store = g_object_ref (store);
  if (!turnout_settings_reload (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * turnout_settings_get_store:
 *
 * Returns: (transfer none): the store the settings live in.
 */
TurnoutStore *
turnout_settings_get_store (TurnoutSettings *self)
{
  g_return_val_if_fail (TURNOUT_IS_SETTINGS (self), NULL);

  return self->store;
}

/**
 * turnout_settings_dup_string:
 *
 * Returns: (transfer full): the value of @key (its default when none is
 *   stored). Thread-safe.
 */
char *
turnout_settings_dup_string (TurnoutSettings *self,
                             const char      *key)
{
  const TurnoutSettingSpec *spec = turnout_setting_spec_lookup (key);
  const char *value;
  char *result;

  g_return_val_if_fail (TURNOUT_IS_SETTINGS (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  g_mutex_lock (&self->lock);
  value = g_hash_table_lookup (self->values, key);
  result = g_strdup (value != NULL ? value : spec->default_value);
  g_mutex_unlock (&self->lock);
  return result;
}

gboolean
turnout_settings_is_set (TurnoutSettings *self,
                         const char      *key)
{
  gboolean set;

  g_return_val_if_fail (TURNOUT_IS_SETTINGS (self), FALSE);

  g_mutex_lock (&self->lock);
  set = g_hash_table_contains (self->values, key);
  g_mutex_unlock (&self->lock);
  return set;
}

gint64
turnout_settings_get_int (TurnoutSettings *self,
                          const char      *key)
{
  g_autofree char *value = turnout_settings_dup_string (self, key);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
}

double
turnout_settings_get_double (TurnoutSettings *self,
                             const char      *key)
{
  g_autofree char *value = turnout_settings_dup_string (self, key);

  return value != NULL ? g_ascii_strtod (value, NULL) : 0;
}

gboolean
turnout_settings_get_boolean (TurnoutSettings *self,
                              const char      *key)
{
  g_autofree char *value = turnout_settings_dup_string (self, key);

  return g_strcmp0 (value, "true") == 0;
}

typedef struct
{
  char *key;
  char *value;  /* normalized; NULL to go back to the default */
} Write;

static void
write_free (Write *write)
{
  g_free (write->key);
  g_free (write->value);
  g_free (write);
}

static gboolean
write_value (sqlite3     *db,
             Write       *write,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (write->value != NULL)
    {
      stmt = turnout_db_prepare (db,
                                 "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)"
                                 " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                                 " updated_at = excluded.updated_at",
                                 error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 2, write->value, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, turnout_clock_get_unix (turnout_clock_get_default ()));
    }
  else
    {
      stmt = turnout_db_prepare (db, "DELETE FROM settings WHERE key = ?1", error);
      if (stmt == NULL)
        return FALSE;
    }
  sqlite3_bind_text (stmt, 1, write->key, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not save the setting"));
  return TRUE;
}

static void
apply_write (TurnoutSettings *self,
             Write           *write)
{
  gboolean changed;

  g_mutex_lock (&self->lock);
  if (write->value != NULL)
    {
      changed = g_strcmp0 (g_hash_table_lookup (self->values, write->key), write->value) != 0;
      g_hash_table_insert (self->values, g_strdup (write->key), g_strdup (write->value));
    }
  else
    changed = g_hash_table_remove (self->values, write->key);
  g_mutex_unlock (&self->lock);

  if (changed)
    g_signal_emit (self, signals[CHANGED], g_quark_from_string (write->key), write->key);
}

static Write *
prepare_write (const char  *key,
               const char  *value,
               GError     **error)
{
  Write *write;
  char *normalized = NULL;

  if (value != NULL && (normalized = turnout_setting_normalize (key, value, error)) == NULL)
    return NULL;
  if (value == NULL && turnout_setting_spec_lookup (key) == NULL)
    {
      g_set_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_UNKNOWN_KEY,
                   _("There is no setting “%s”; “turnout-cli config list” shows them all"),
                   key);
      return NULL;
    }

  write = g_new0 (Write, 1);
  write->key = g_strdup (key);
  write->value = normalized;
  return write;
}

/**
 * turnout_settings_set:
 * @key: a setting key
 * @value: (nullable): the new value, or %NULL to go back to the default
 *
 * Validates and stores @value. Blocks on the database: for the CLI and
 * workers; the UI uses turnout_settings_set_async().
 */
gboolean
turnout_settings_set (TurnoutSettings  *self,
                      const char       *key,
                      const char       *value,
                      GError          **error)
{
  Write *write;
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (TURNOUT_IS_SETTINGS (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if ((write = prepare_write (key, value, error)) == NULL)
    return FALSE;

  db = turnout_store_acquire (self->store, error);
  ok = db != NULL && write_value (db, write, error);
  if (db != NULL)
    turnout_store_release (self->store, db);
  if (ok)
    apply_write (self, write);
  write_free (write);
  return ok;
}

static void
set_worker (GTask        *task,
            sqlite3      *db,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  if (write_value (db, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_set_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TurnoutSettings *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  apply_write (self, g_task_get_task_data (G_TASK (result)));
  g_task_return_boolean (task, TRUE);
}

/**
 * turnout_settings_set_async:
 * @key: a setting key
 * @value: (nullable): the new value, or %NULL to go back to the default
 *
 * Validates @value at once (a bad value fails without touching the
 * database), then stores it on a worker; #TurnoutSettings::changed is
 * emitted once it is stored.
 */
void
turnout_settings_set_async (TurnoutSettings     *self,
                            const char          *key,
                            const char          *value,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) write_task = NULL;
  GError *error = NULL;
  Write *write;

  g_return_if_fail (TURNOUT_IS_SETTINGS (self));
  g_return_if_fail (key != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_settings_set_async);

  if ((write = prepare_write (key, value, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  write_task = g_task_new (self, cancellable, on_set_written_cb, g_steal_pointer (&task));
  g_task_set_task_data (write_task, write, (GDestroyNotify) write_free);
  turnout_store_run_in_thread (self->store, write_task, set_worker);
}

gboolean
turnout_settings_set_finish (TurnoutSettings  *self,
                             GAsyncResult     *result,
                             GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_settings_set_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
