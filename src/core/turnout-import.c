/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-import"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-contacts.h"
#include "turnout-csv.h"
#include "turnout-import.h"
#include "turnout-phone.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-store-private.h"
#include "turnout-vcard.h"

/*
 * Importing contacts and registrations. Rows are read as a stream and
 * written in one transaction, so a cancelled or failed import leaves the
 * store as it was. A bad value is reported with its row and column and the
 * rest of the row still counts; a row that identifies nobody is skipped.
 *
 * Merging: a row is the same person as a stored contact with the same
 * normalized phone, else the same email. Then empty fields are filled and
 * the row's names, city and time zone (newer than what is stored) replace
 * the old ones; phone and email are only ever filled, never replaced, so one
 * row can't join two people. Consent can be withdrawn by an import but
 * never granted over an opt-out, and suppressions are never touched.
 */

G_DEFINE_QUARK (turnout-import-error-quark, turnout_import_error)

typedef struct
{
  const char *id;
  const char *label;
  gboolean    registrations_only;
  const char *synonyms;  /* normalized header spellings, space-separated */
} FieldInfo;

static const FieldInfo fields[TURNOUT_N_FIELDS] = {
  [TURNOUT_FIELD_IGNORE] = { "ignore", N_("Don’t import"), FALSE, "" },
  [TURNOUT_FIELD_FIRST_NAME] = { "first_name", N_("First name"), FALSE,
    "firstname first givenname forename prenom vorname nombre attendeefirstname" },
  [TURNOUT_FIELD_LAST_NAME] = { "last_name", N_("Last name"), FALSE,
    "lastname last surname familyname nom nachname apellido attendeelastname" },
  [TURNOUT_FIELD_FULL_NAME] = { "full_name", N_("Full name"), FALSE,
    "name fullname attendeename customername contactname buyername displayname" },
  [TURNOUT_FIELD_PHONE] = { "phone", N_("Phone"), FALSE,
    "phone phonenumber mobile mobilephone mobilenumber cellphone cell cellphonenumber tel "
    "telephone whatsapp smsnumber homephone workphone" },
  [TURNOUT_FIELD_EMAIL] = { "email", N_("Email"), FALSE,
    "email emailaddress mail attendeeemail buyeremail" },
  [TURNOUT_FIELD_CITY] = { "city", N_("City"), FALSE,
    "city town homecity billingcity" },
  [TURNOUT_FIELD_TIME_ZONE] = { "time_zone", N_("Time zone"), FALSE,
    "timezone tz" },
  [TURNOUT_FIELD_TAGS] = { "tags", N_("Tags and genres"), FALSE,
    "tags tag genres genre labels groups" },
  [TURNOUT_FIELD_SMS_CONSENT] = { "sms_consent", N_("SMS consent"), FALSE,
    "smsconsent smsoptin textoptin smsmarketing acceptssmsmarketing" },
  [TURNOUT_FIELD_EMAIL_CONSENT] = { "email_consent", N_("Email consent"), FALSE,
    "emailconsent emailoptin newsletter marketingoptin acceptsmarketing emailmarketing "
    "acceptsemailmarketing" },
  [TURNOUT_FIELD_NOTES] = { "notes", N_("Notes"), FALSE,
    "notes note comments comment" },
  [TURNOUT_FIELD_EVENT_NAME] = { "event_name", N_("Event"), TRUE,
    "eventname event eventtitle show" },
  [TURNOUT_FIELD_EVENT_START] = { "event_start", N_("Event start"), TRUE,
    "eventstart eventstartdate eventdate startdate start starts eventstarts" },
  [TURNOUT_FIELD_EVENT_END] = { "event_end", N_("Event end"), TRUE,
    "eventend eventenddate enddate end ends" },
  [TURNOUT_FIELD_VENUE] = { "venue", N_("Venue"), TRUE,
    "venue venuename location" },
  [TURNOUT_FIELD_STATUS] = { "status", N_("Registration status"), TRUE,
    "status attendeestatus registrationstatus ticketstatus" },
  [TURNOUT_FIELD_AMOUNT] = { "amount", N_("Amount paid"), TRUE,
    "amount totalpaid paid total price ticketprice grossamount amountpaid" },
  [TURNOUT_FIELD_TICKET_TYPE] = { "ticket_type", N_("Ticket type"), TRUE,
    "tickettype ticket tickettier" },
  [TURNOUT_FIELD_REGISTERED_AT] = { "registered_at", N_("Registered at"), TRUE,
    "registeredat orderdate purchasedate registrationdate ordered created createdat" },
  [TURNOUT_FIELD_CONFIRMED_AT] = { "confirmed_at", N_("Confirmed at"), TRUE,
    "confirmedat" },
  [TURNOUT_FIELD_CANCELLED_AT] = { "cancelled_at", N_("Cancelled at"), TRUE,
    "cancelledat canceledat" },
};

const char *
turnout_field_get_id (TurnoutField field)
{
  g_return_val_if_fail (field < TURNOUT_N_FIELDS, NULL);

  return fields[field].id;
}

const char *
turnout_field_get_label (TurnoutField field)
{
  g_return_val_if_fail (field < TURNOUT_N_FIELDS, NULL);

  return _(fields[field].label);
}

/**
 * turnout_field_from_id:
 *
 * Returns: the field with id @id, or %TURNOUT_N_FIELDS if there is none.
 */
TurnoutField
turnout_field_from_id (const char *id)
{
  for (guint i = 0; i < TURNOUT_N_FIELDS; i++)
    if (g_strcmp0 (fields[i].id, id) == 0)
      return i;
  return TURNOUT_N_FIELDS;
}

gboolean
turnout_field_is_for (TurnoutField      field,
                      TurnoutImportKind kind)
{
  g_return_val_if_fail (field < TURNOUT_N_FIELDS, FALSE);

  return kind == TURNOUT_IMPORT_REGISTRATIONS || !fields[field].registrations_only;
}

/* "E-mail Address" → "emailaddress" */
static char *
normalize_header (const char *header)
{
  g_autofree char *folded = g_utf8_casefold (header, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/**
 * turnout_field_guess:
 * @header: a column header as the file has it
 *
 * Guesses what a column is from its header: Turnout's own headers, the
 * usual ticketing exports (Eventbrite attendee reports) and generic ones.
 *
 * Returns: the field, or %TURNOUT_FIELD_IGNORE.
 */
TurnoutField
turnout_field_guess (const char *header)
{
  g_autofree char *key = normalize_header (header != NULL ? header : "");

  if (*key == '\0')
    return TURNOUT_FIELD_IGNORE;
  for (guint i = 1; i < TURNOUT_N_FIELDS; i++)
    {
      g_auto(GStrv) synonyms = g_strsplit (fields[i].synonyms, " ", -1);

      if (g_strv_contains ((const char * const *) synonyms, key))
        return i;
    }
  return TURNOUT_FIELD_IGNORE;
}

/**
 * turnout_parse_amount:
 * @text: an amount as written: "25.00", "$25", "1,234.50", "25,50 €"
 *
 * Returns: %TRUE with @minor_units set (cents); empty text is 0.
 */
gboolean
turnout_parse_amount (const char  *text,
                      gint64      *minor_units,
                      GError     **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  const char *last_dot = NULL, *last_comma = NULL, *decimal = NULL;
  int n_dots = 0, n_commas = 0;
  gint64 whole = 0, cents = 0;
  int n_cents = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '-')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” is negative; amounts paid are zero or more"), text);
          return FALSE;
        }
      if (*p == '.')
        last_dot = p, n_dots++;
      else if (*p == ',')
        last_comma = p, n_commas++;
    }

  /* The separator that comes last, once, with one or two digits after it,
   * is the decimal one; the other is for thousands. */
  if (last_dot != NULL && (last_comma == NULL || last_dot > last_comma) && n_dots == 1)
    decimal = last_dot;
  else if (last_comma != NULL && (last_dot == NULL || last_comma > last_dot) && n_commas == 1)
    {
      gsize after = 0;

      for (const char *p = last_comma + 1; g_ascii_isdigit (*p); p++)
        after++;
      if (after == 1 || after == 2)
        decimal = last_comma;
    }

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          if (decimal != NULL && p > decimal)
            {
              if (n_cents < 2)
                cents = cents * 10 + (*p - '0');
              n_cents++;
            }
          else if (whole > G_MAXINT64 / 1000)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("“%s” is too large an amount"), text);
              return FALSE;
            }
          else
            whole = whole * 10 + (*p - '0');
          g_string_append_c (digits, *p);
        }
      else if (*p == '.' || *p == ',' || *p == ' ' || *p == '\'' ||
               g_ascii_isalpha (*p) || (guchar) *p >= 0x80 || *p == '$')
        continue;  /* separators, currency codes and symbols */
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” is not an amount such as 25.00"), text);
          return FALSE;
        }
    }

  if (n_cents > 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” has more than two decimals"), text);
      return FALSE;
    }
  if (digits->len == 0 && *text != '\0' && strspn (text, " ") != strlen (text))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not an amount such as 25.00"), text);
      return FALSE;
    }
  if (n_cents == 1)
    cents *= 10;
  *minor_units = whole * 100 + cents;
  return TRUE;
}

static gboolean
word_in (const char *word,
         const char *list)
{
  g_auto(GStrv) words = g_strsplit (list, " ", -1);

  return g_strv_contains ((const char * const *) words, word);
}

/**
 * turnout_parse_consent:
 * @status: (out): "opted_in", "opted_out" or "unknown" (static strings)
 */
gboolean
turnout_parse_consent (const char  *text,
                       const char **status,
                       GError     **error)
{
  g_autofree char *key = normalize_header (text);

  if (*key == '\0' || word_in (key, "unknown unset na none"))
    *status = "unknown";
  else if (word_in (key, "optedin optin yes y true 1 subscribed granted consented on"))
    *status = "opted_in";
  else if (word_in (key, "optedout optout no n false 0 unsubscribed withdrawn declined off stop"))
    *status = "opted_out";
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not a consent; use opted_in, opted_out or unknown"), text);
      return FALSE;
    }
  return TRUE;
}

/**
 * turnout_parse_status:
 * @status: (out): "draft", "registered", "cancelled" or "attended"
 *
 * Reads Turnout's statuses and the usual ticketing ones (Eventbrite's
 * "Attending", "Checked In", "Not Attending", "Refunded"…). Empty is
 * "registered".
 */
gboolean
turnout_parse_status (const char  *text,
                      const char **status,
                      GError     **error)
{
  g_autofree char *key = normalize_header (text);

  if (*key == '\0' || word_in (key, "registered attending confirmed paid active booked "
                                    "completed complete valid going"))
    *status = "registered";
  else if (word_in (key, "attended checkedin checkin scanned present"))
    *status = "attended";
  else if (word_in (key, "cancelled canceled notattending refunded void voided deleted "
                         "declined notgoing"))
    *status = "cancelled";
  else if (word_in (key, "draft pending reserved unpaid awaitingpayment"))
    *status = "draft";
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not a registration status; use draft, registered, "
                     "cancelled or attended"), text);
      return FALSE;
    }
  return TRUE;
}

/**
 * turnout_parse_time:
 * @text: ISO 8601: "2026-05-01T20:00:00+02:00", "2026-05-01 20:00", "2026-05-01"
 * @zone: the zone of times written without one
 *
 * Returns: %TRUE with @unix_time set.
 */
gboolean
turnout_parse_time (const char  *text,
                    GTimeZone   *zone,
                    gint64      *unix_time,
                    GError     **error)
{
  g_autoptr(GString) fixed = g_string_new (text);
  g_autoptr(GDateTime) parsed = NULL;

  g_strstrip (fixed->str);
  g_string_set_size (fixed, strlen (fixed->str));

  /* GLib wants seconds; people and spreadsheets often leave them out. */
  if (fixed->len == 10)
    g_string_append (fixed, "T00:00:00");
  else if (fixed->len >= 16 && (fixed->str[10] == 'T' || fixed->str[10] == ' ') &&
           fixed->str[13] == ':' && (fixed->len == 16 || fixed->str[16] != ':'))
    g_string_insert (fixed, 16, ":00");

  parsed = g_date_time_new_from_iso8601 (fixed->str, zone);
  if (parsed == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not a date and time such as 2026-05-01T20:00:00+02:00"), text);
      return FALSE;
    }
  *unix_time = g_date_time_to_unix (parsed);
  return TRUE;
}

void
turnout_import_issue_free (TurnoutImportIssue *issue)
{
  if (issue == NULL)
    return;
  g_free (issue->column);
  g_free (issue->reason);
  g_free (issue);
}

void
turnout_import_result_free (TurnoutImportResult *result)
{
  g_clear_pointer (&result->issues, g_ptr_array_unref);
  g_free (result->warning);
  g_free (result);
}

/**
 * turnout_import_result_copy:
 *
 * Returns: (transfer full): a deep copy of @result, issues included.
 */
TurnoutImportResult *
turnout_import_result_copy (const TurnoutImportResult *result)
{
  TurnoutImportResult *copy = g_new0 (TurnoutImportResult, 1);

  *copy = *result;
  copy->warning = g_strdup (result->warning);
  copy->issues = g_ptr_array_new_full (result->issues != NULL ? result->issues->len : 0,
                                       (GDestroyNotify) turnout_import_issue_free);
  for (guint i = 0; result->issues != NULL && i < result->issues->len; i++)
    {
      const TurnoutImportIssue *issue = g_ptr_array_index (result->issues, i);
      TurnoutImportIssue *dup = g_new0 (TurnoutImportIssue, 1);

      dup->row = issue->row;
      dup->column = g_strdup (issue->column);
      dup->reason = g_strdup (issue->reason);
      g_ptr_array_add (copy->issues, dup);
    }
  return copy;
}

/* Boxed so that a signal can carry it (the Import dialog's "imported"). */
G_DEFINE_BOXED_TYPE (TurnoutImportResult, turnout_import_result,
                     turnout_import_result_copy, turnout_import_result_free)

struct _TurnoutImportOptions
{
  TurnoutImportKind      kind;
  char                  *region;
  char                  *time_zone;
  char                  *source;
  GHashTable            *mapping;   /* header → TurnoutField */
  TurnoutImportProgress  progress;
  gpointer               progress_data;
};

TurnoutImportOptions *
turnout_import_options_new (TurnoutImportKind kind)
{
  TurnoutImportOptions *options = g_new0 (TurnoutImportOptions, 1);

  options->kind = kind;
  options->source = g_strdup ("import");
  options->mapping = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return options;
}

/**
 * turnout_import_options_copy:
 *
 * Returns: (transfer full): a copy of @options, mapping and progress
 *   callback included, for a worker to use while the caller changes or
 *   frees the original.
 */
TurnoutImportOptions *
turnout_import_options_copy (TurnoutImportOptions *options)
{
  TurnoutImportOptions *copy = turnout_import_options_new (options->kind);
  GHashTableIter iter;
  gpointer header, field;

  turnout_import_options_set_region (copy, options->region);
  turnout_import_options_set_time_zone (copy, options->time_zone);
  turnout_import_options_set_source (copy, options->source);
  g_hash_table_iter_init (&iter, options->mapping);
  while (g_hash_table_iter_next (&iter, &header, &field))
    g_hash_table_insert (copy->mapping, g_strdup (header), field);
  copy->progress = options->progress;
  copy->progress_data = options->progress_data;
  return copy;
}

void
turnout_import_options_free (TurnoutImportOptions *options)
{
  g_free (options->region);
  g_free (options->time_zone);
  g_free (options->source);
  g_hash_table_unref (options->mapping);
  g_free (options);
}

/**
 * turnout_import_options_set_region:
 * @region: (nullable): the country of phone numbers without a country code;
 *   %NULL for the `contacts.default_region` setting
 */
void
turnout_import_options_set_region (TurnoutImportOptions *options,
                                   const char           *region)
{
  g_free (options->region);
  options->region = g_strdup (region);
}

/**
 * turnout_import_options_set_time_zone:
 * @zone: (nullable): the zone of times written without one; %NULL for the
 *   `contacts.default_time_zone` setting (or this computer's)
 */
void
turnout_import_options_set_time_zone (TurnoutImportOptions *options,
                                      const char           *zone)
{
  g_free (options->time_zone);
  options->time_zone = g_strdup (zone);
}

/**
 * turnout_import_options_set_source:
 * @source: what consent changes and registrations record as their source
 */
void
turnout_import_options_set_source (TurnoutImportOptions *options,
                                   const char           *source)
{
  g_free (options->source);
  options->source = g_strdup (source);
}

/**
 * turnout_import_options_map:
 * @header: a column header of the file
 * @field_id: a field id ("phone", "first_name", "ignore"…)
 *
 * Overrides the guessed meaning of a column.
 */
gboolean
turnout_import_options_map (TurnoutImportOptions  *options,
                            const char            *header,
                            const char            *field_id,
                            GError               **error)
{
  TurnoutField field = turnout_field_from_id (field_id);

  if (field == TURNOUT_N_FIELDS || !turnout_field_is_for (field, options->kind))
    {
      g_autoptr(GString) known = g_string_new (NULL);

      for (guint i = 0; i < TURNOUT_N_FIELDS; i++)
        if (turnout_field_is_for (i, options->kind))
          g_string_append_printf (known, "%s%s", known->len > 0 ? ", " : "", fields[i].id);
      g_set_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_BAD_MAPPING,
                   _("“%s” is not a field to import into; use one of: %s"), field_id, known->str);
      return FALSE;
    }
  g_hash_table_insert (options->mapping, g_strdup (header), GUINT_TO_POINTER (field));
  return TRUE;
}

/**
 * turnout_import_options_get_progress:
 * @progress: (out) (optional): the callback, or %NULL
 * @user_data: (out) (optional): its data
 */
void
turnout_import_options_get_progress (TurnoutImportOptions   *options,
                                     TurnoutImportProgress  *progress,
                                     gpointer               *user_data)
{
  if (progress != NULL)
    *progress = options->progress;
  if (user_data != NULL)
    *user_data = options->progress_data;
}

void
turnout_import_options_set_progress (TurnoutImportOptions  *options,
                                     TurnoutImportProgress  progress,
                                     gpointer               user_data)
{
  options->progress = progress;
  options->progress_data = user_data;
}

/* One person as a row describes them, normalized. */
typedef struct
{
  char       *first_name;
  char       *last_name;
  char       *phone;       /* E.164 */
  char       *email;       /* lower-cased */
  char       *city;
  char       *time_zone;
  char       *notes;
  const char *sms_consent;   /* NULL: the row says nothing */
  const char *email_consent;
  GPtrArray  *tags;
} Person;

static void
person_clear (Person *person)
{
  g_free (person->first_name);
  g_free (person->last_name);
  g_free (person->phone);
  g_free (person->email);
  g_free (person->city);
  g_free (person->time_zone);
  g_free (person->notes);
  g_clear_pointer (&person->tags, g_ptr_array_unref);
  memset (person, 0, sizeof *person);
}

typedef struct
{
  char       *event_name;
  gboolean    has_start;
  gint64      starts_at;
  gboolean    has_end;
  gint64      ends_at;
  char       *venue;
  char       *city;
  const char *status;
  gint64      amount;
  char       *ticket_type;
  gint64      registered_at;   /* 0: not given */
  gint64      confirmed_at;
  gint64      cancelled_at;
} Booking;

static void
booking_clear (Booking *booking)
{
  g_free (booking->event_name);
  g_free (booking->venue);
  g_free (booking->city);
  g_free (booking->ticket_type);
  memset (booking, 0, sizeof *booking);
}

/* Everything one import run holds: statements prepared once, caches. */
typedef struct
{
  TurnoutImportOptions *options;
  TurnoutImportResult  *result;
  sqlite3              *db;
  gint64                now;
  GTimeZone            *zone;
  char                 *region;
  GHashTable           *tag_ids;    /* lower-cased name → id */
  GHashTable           *event_ids;  /* "name\x1fstart" → id */
  GHashTable           *zones;      /* time zone names known to be valid */

  /* On the reader thread of an import, the row's issues go here (created
   * on the first one) instead of into the result, which the writer owns. */
  GPtrArray           **issue_sink;

  /* Only while previewing, else NULL: for the row being read, each
   * field's problem and its value as written, and the problems of the
   * whole row. */
  char                **cell_problems;  /* TURNOUT_N_FIELDS entries */
  char                **cell_written;   /* TURNOUT_N_FIELDS entries */
  GString              *row_problems;

  sqlite3_stmt         *find_phone;
  sqlite3_stmt         *find_email;
  sqlite3_stmt         *insert_contact;
  sqlite3_stmt         *update_contact;
  sqlite3_stmt         *find_tag;
  sqlite3_stmt         *insert_tag;
  sqlite3_stmt         *tag_contact;
  sqlite3_stmt         *find_event;
  sqlite3_stmt         *find_event_by_name;
  sqlite3_stmt         *insert_event;
  sqlite3_stmt         *find_registration;
  sqlite3_stmt         *insert_registration;
  sqlite3_stmt         *update_registration;
} Run;

static void
run_clear (Run *run)
{
  sqlite3_stmt **stmts[] = {
    &run->find_phone, &run->find_email, &run->insert_contact, &run->update_contact,
    &run->find_tag, &run->insert_tag, &run->tag_contact, &run->find_event,
    &run->find_event_by_name, &run->insert_event, &run->find_registration,
    &run->insert_registration, &run->update_registration,
  };

  for (guint i = 0; i < G_N_ELEMENTS (stmts); i++)
    g_clear_pointer (stmts[i], sqlite3_finalize);
  g_clear_pointer (&run->zone, g_time_zone_unref);
  g_clear_pointer (&run->region, g_free);
  g_clear_pointer (&run->tag_ids, g_hash_table_unref);
  g_clear_pointer (&run->event_ids, g_hash_table_unref);
  g_clear_pointer (&run->zones, g_hash_table_unref);
}

static gboolean
prepare_run (Run     *run,
             GError **error)
{
  const struct { sqlite3_stmt **stmt; const char *sql; } all[] = {
    { &run->find_phone,
      "SELECT id, first_name, last_name, phone, email, city, time_zone, notes,"
      " sms_consent, email_consent, sms_consent_at, sms_consent_source,"
      " email_consent_at, email_consent_source FROM contacts WHERE phone = ?1 LIMIT 1" },
    { &run->find_email,
      "SELECT id, first_name, last_name, phone, email, city, time_zone, notes,"
      " sms_consent, email_consent, sms_consent_at, sms_consent_source,"
      " email_consent_at, email_consent_source FROM contacts WHERE email = ?1 LIMIT 1" },
    { &run->insert_contact,
      "INSERT INTO contacts (first_name, last_name, phone, email, city, time_zone, notes,"
      " sms_consent, sms_consent_at, sms_consent_source,"
      " email_consent, email_consent_at, email_consent_source, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)" },
    { &run->update_contact,
      "UPDATE contacts SET first_name = ?1, last_name = ?2, phone = ?3, email = ?4, city = ?5,"
      " time_zone = ?6, notes = ?7,"
      " sms_consent = ?8, sms_consent_at = ?9, sms_consent_source = ?10,"
      " email_consent = ?11, email_consent_at = ?12, email_consent_source = ?13,"
      " updated_at = ?14 WHERE id = ?15" },
    { &run->find_tag, "SELECT id FROM tags WHERE name = ?1" },
    { &run->insert_tag, "INSERT INTO tags (name) VALUES (?1)" },
    { &run->tag_contact, "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)" },
    { &run->find_event, "SELECT id FROM events WHERE name = ?1 AND starts_at = ?2" },
    { &run->find_event_by_name,
      "SELECT id FROM events WHERE name = ?1 ORDER BY starts_at DESC LIMIT 1" },
    { &run->insert_event,
      "INSERT INTO events (name, starts_at, ends_at, time_zone, venue, city, created_at,"
      " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)" },
    { &run->find_registration,
      "SELECT id, status FROM registrations WHERE contact_id = ?1 AND event_id = ?2 LIMIT 1" },
    { &run->insert_registration,
      "INSERT INTO registrations (contact_id, event_id, status, amount, ticket_type, source,"
      " created_at, confirmed_at, cancelled_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)" },
    { &run->update_registration,
      "UPDATE registrations SET status = ?2, amount = ?3,"
      " ticket_type = CASE WHEN ?4 = '' THEN ticket_type ELSE ?4 END,"
      " confirmed_at = coalesce (?5, confirmed_at), cancelled_at = coalesce (?6, cancelled_at),"
      " updated_at = ?7 WHERE id = ?1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if ((*all[i].stmt = turnout_db_prepare (run->db, all[i].sql, error)) == NULL)
      return FALSE;
  return TRUE;
}

static void
add_issue (Run        *run,
           guint       row,
           const char *column,
           const char *reason)
{
  TurnoutImportIssue *issue;

  if (run->issue_sink == NULL)
    {
      run->result->n_issues++;
      if (run->result->issues->len >= TURNOUT_IMPORT_MAX_ISSUES)
        return;
    }
  issue = g_new0 (TurnoutImportIssue, 1);
  issue->row = row;
  issue->column = g_strdup (column);
  issue->reason = g_strdup (reason);
  if (run->issue_sink != NULL)
    {
      if (*run->issue_sink == NULL)
        *run->issue_sink =
          g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_import_issue_free);
      g_ptr_array_add (*run->issue_sink, issue);
    }
  else
    g_ptr_array_add (run->result->issues, issue);
}

/* Moves issues found on the reader thread into the result, in row order;
 * the ones taken leave NULL behind in @issues. */
static void
take_issues (Run       *run,
             GPtrArray *issues)
{
  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      run->result->n_issues++;
      if (run->result->issues->len < TURNOUT_IMPORT_MAX_ISSUES)
        g_ptr_array_add (run->result->issues, g_steal_pointer (&issues->pdata[i]));
    }
}

static gboolean
step_done (Run          *run,
           sqlite3_stmt *stmt,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, run->db, rc, _("Could not save an imported row"));
  return TRUE;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_time_or_null (sqlite3_stmt *stmt,
                   int           index,
                   gint64        time)
{
  if (time != 0)
    sqlite3_bind_int64 (stmt, index, time);
  else
    sqlite3_bind_null (stmt, index);
}

static gint64
tag_id (Run         *run,
        const char  *name,
        GError     **error)
{
  g_autofree char *key = g_utf8_casefold (name, -1);
  gpointer cached;
  gint64 id = 0;
  int rc;

  if (g_hash_table_lookup_extended (run->tag_ids, key, NULL, &cached))
    return GPOINTER_TO_SIZE (cached);

  sqlite3_bind_text (run->find_tag, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (run->find_tag);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (run->find_tag, 0);
  sqlite3_reset (run->find_tag);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, run->db, rc, _("Could not read tags"));
      return -1;
    }
  if (id == 0)
    {
      sqlite3_bind_text (run->insert_tag, 1, name, -1, SQLITE_STATIC);
      if (!step_done (run, run->insert_tag, error))
        return -1;
      id = sqlite3_last_insert_rowid (run->db);
    }
  g_hash_table_insert (run->tag_ids, g_steal_pointer (&key), GSIZE_TO_POINTER ((gsize) id));
  return id;
}

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
is_empty (const char *text)
{
  return text == NULL || *text == '\0';
}

/* Finds the person or creates them; returns the contact id, or -1 with
 * @error set when the database failed. */
static gint64
save_person (Run       *run,
             Person    *person,
             GError   **error)
{
  const char *source = run->options->source;
  sqlite3_stmt *found = NULL;
  gint64 id = 0;
  int rc = SQLITE_DONE;

  if (person->phone != NULL)
    {
      sqlite3_bind_text (run->find_phone, 1, person->phone, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (run->find_phone)) == SQLITE_ROW)
        found = run->find_phone;
    }
  if (found == NULL && rc == SQLITE_DONE && person->email != NULL)
    {
      sqlite3_bind_text (run->find_email, 1, person->email, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (run->find_email)) == SQLITE_ROW)
        found = run->find_email;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, run->db, rc, _("Could not look up contacts"));
      sqlite3_reset (run->find_phone);
      sqlite3_reset (run->find_email);
      return -1;
    }

  if (found == NULL)
    {
      sqlite3_stmt *insert = run->insert_contact;
      const char *sms = person->sms_consent != NULL ? person->sms_consent : "unknown";
      const char *email = person->email_consent != NULL ? person->email_consent : "unknown";

      sqlite3_reset (run->find_phone);
      sqlite3_reset (run->find_email);

      sqlite3_bind_text (insert, 1, person->first_name ? person->first_name : "", -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 2, person->last_name ? person->last_name : "", -1, SQLITE_STATIC);
      bind_text_or_null (insert, 3, person->phone);
      bind_text_or_null (insert, 4, person->email);
      sqlite3_bind_text (insert, 5, person->city ? person->city : "", -1, SQLITE_STATIC);
      bind_text_or_null (insert, 6, person->time_zone);
      sqlite3_bind_text (insert, 7, person->notes ? person->notes : "", -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 8, sms, -1, SQLITE_STATIC);
      bind_time_or_null (insert, 9, g_str_equal (sms, "unknown") ? 0 : run->now);
      bind_text_or_null (insert, 10, g_str_equal (sms, "unknown") ? NULL : source);
      sqlite3_bind_text (insert, 11, email, -1, SQLITE_STATIC);
      bind_time_or_null (insert, 12, g_str_equal (email, "unknown") ? 0 : run->now);
      bind_text_or_null (insert, 13, g_str_equal (email, "unknown") ? NULL : source);
      sqlite3_bind_int64 (insert, 14, run->now);
      if (!step_done (run, insert, error))
        return -1;
      id = sqlite3_last_insert_rowid (run->db);
      run->result->created++;
    }
  else
    {
      sqlite3_stmt *update = run->update_contact;
      g_autofree char *first = dup_column_text (found, 1);
      g_autofree char *last = dup_column_text (found, 2);
      g_autofree char *phone = dup_column_text (found, 3);
      g_autofree char *email = dup_column_text (found, 4);
      g_autofree char *city = dup_column_text (found, 5);
      g_autofree char *zone = dup_column_text (found, 6);
      g_autofree char *notes = dup_column_text (found, 7);
      const char *sms = g_intern_string ((const char *) sqlite3_column_text (found, 8));
      const char *mail = g_intern_string ((const char *) sqlite3_column_text (found, 9));
      gboolean sms_changed = FALSE, mail_changed = FALSE;
      g_autofree char *merged_notes = NULL;

      id = sqlite3_column_int64 (found, 0);

      /* Withdrawing consent always counts; granting it only where nothing
       * was known. An opt-out is never undone by an import. */
      if (person->sms_consent != NULL && person->sms_consent != sms &&
          (g_str_equal (person->sms_consent, "opted_out") || g_str_equal (sms, "unknown")))
        sms = person->sms_consent, sms_changed = TRUE;
      if (person->email_consent != NULL && person->email_consent != mail &&
          (g_str_equal (person->email_consent, "opted_out") || g_str_equal (mail, "unknown")))
        mail = person->email_consent, mail_changed = TRUE;

      if (!is_empty (person->notes) && (notes == NULL || strstr (notes, person->notes) == NULL))
        merged_notes = is_empty (notes) ? g_strdup (person->notes)
                                        : g_strconcat (notes, "\n", person->notes, NULL);

      sqlite3_bind_text (update, 1, !is_empty (person->first_name) ? person->first_name : first,
                         -1, SQLITE_STATIC);
      sqlite3_bind_text (update, 2, !is_empty (person->last_name) ? person->last_name : last,
                         -1, SQLITE_STATIC);
      bind_text_or_null (update, 3, phone != NULL ? phone : person->phone);
      bind_text_or_null (update, 4, email != NULL ? email : person->email);
      sqlite3_bind_text (update, 5, !is_empty (person->city) ? person->city : city,
                         -1, SQLITE_STATIC);
      bind_text_or_null (update, 6, person->time_zone != NULL ? person->time_zone : zone);
      sqlite3_bind_text (update, 7, merged_notes != NULL ? merged_notes : notes, -1, SQLITE_STATIC);
      sqlite3_bind_text (update, 8, sms, -1, SQLITE_STATIC);
      /* The time and source of consent we did not change stay as stored. */
      if (sms_changed)
        {
          sqlite3_bind_int64 (update, 9, run->now);
          sqlite3_bind_text (update, 10, source, -1, SQLITE_STATIC);
        }
      else
        {
          sqlite3_bind_value (update, 9, sqlite3_column_value (found, 10));
          sqlite3_bind_value (update, 10, sqlite3_column_value (found, 11));
        }
      sqlite3_bind_text (update, 11, mail, -1, SQLITE_STATIC);
      if (mail_changed)
        {
          sqlite3_bind_int64 (update, 12, run->now);
          sqlite3_bind_text (update, 13, source, -1, SQLITE_STATIC);
        }
      else
        {
          sqlite3_bind_value (update, 12, sqlite3_column_value (found, 12));
          sqlite3_bind_value (update, 13, sqlite3_column_value (found, 13));
        }
      sqlite3_bind_int64 (update, 14, run->now);
      sqlite3_bind_int64 (update, 15, id);
      sqlite3_reset (run->find_phone);
      sqlite3_reset (run->find_email);
      if (!step_done (run, update, error))
        return -1;
      run->result->merged++;
    }

  for (guint i = 0; person->tags != NULL && i < person->tags->len; i++)
    {
      gint64 tag = tag_id (run, g_ptr_array_index (person->tags, i), error);

      if (tag < 0)
        return -1;
      sqlite3_bind_int64 (run->tag_contact, 1, id);
      sqlite3_bind_int64 (run->tag_contact, 2, tag);
      if (!step_done (run, run->tag_contact, error))
        return -1;
    }
  return id;
}

static gint64
save_booking (Run      *run,
              gint64    contact_id,
              Booking  *booking,
              guint     row,
              GError  **error)
{
  g_autofree char *key = NULL;
  gpointer cached;
  gint64 event_id = 0;
  gint64 registration_id = 0;
  int rc;

  /* The event: by name and start; by name alone when the file has no
   * start (an Eventbrite attendee report of one event). */
  key = g_strdup_printf ("%s\x1f%" PRId64, booking->event_name,
                         booking->has_start ? booking->starts_at : G_MININT64);
  if (g_hash_table_lookup_extended (run->event_ids, key, NULL, &cached))
    event_id = GPOINTER_TO_SIZE (cached);
  else
    {
      sqlite3_stmt *find = booking->has_start ? run->find_event : run->find_event_by_name;

      sqlite3_bind_text (find, 1, booking->event_name, -1, SQLITE_STATIC);
      if (booking->has_start)
        sqlite3_bind_int64 (find, 2, booking->starts_at);
      rc = sqlite3_step (find);
      if (rc == SQLITE_ROW)
        event_id = sqlite3_column_int64 (find, 0);
      sqlite3_reset (find);
      sqlite3_clear_bindings (find);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          turnout_db_set_error (error, run->db, rc, _("Could not look up events"));
          return -1;
        }

      if (event_id == 0 && !booking->has_start)
        {
          add_issue (run, row, turnout_field_get_id (TURNOUT_FIELD_EVENT_NAME),
                     _("there is no event of this name yet, and the file gives no start "
                       "date to create it with; add an event_start column or create the "
                       "event first"));
          return 0;
        }
      if (event_id == 0)
        {
          sqlite3_stmt *insert = run->insert_event;
          g_autofree char *zone_id = g_strdup (g_time_zone_get_identifier (run->zone));

          sqlite3_bind_text (insert, 1, booking->event_name, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (insert, 2, booking->starts_at);
          if (booking->has_end && booking->ends_at >= booking->starts_at)
            sqlite3_bind_int64 (insert, 3, booking->ends_at);
          else
            sqlite3_bind_null (insert, 3);
          sqlite3_bind_text (insert, 4, zone_id, -1, SQLITE_STATIC);
          sqlite3_bind_text (insert, 5, booking->venue ? booking->venue : "", -1, SQLITE_STATIC);
          sqlite3_bind_text (insert, 6, booking->city ? booking->city : "", -1, SQLITE_STATIC);
          sqlite3_bind_int64 (insert, 7, run->now);
          if (!step_done (run, insert, error))
            return -1;
          event_id = sqlite3_last_insert_rowid (run->db);
          run->result->events_created++;
        }
      g_hash_table_insert (run->event_ids, g_steal_pointer (&key),
                           GSIZE_TO_POINTER ((gsize) event_id));
    }

  sqlite3_bind_int64 (run->find_registration, 1, contact_id);
  sqlite3_bind_int64 (run->find_registration, 2, event_id);
  rc = sqlite3_step (run->find_registration);
  if (rc == SQLITE_ROW)
    registration_id = sqlite3_column_int64 (run->find_registration, 0);
  sqlite3_reset (run->find_registration);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, run->db, rc, _("Could not look up registrations"));
      return -1;
    }

  if (registration_id == 0)
    {
      sqlite3_stmt *insert = run->insert_registration;
      gint64 created = booking->registered_at != 0 ? booking->registered_at : run->now;
      gint64 confirmed = booking->confirmed_at;
      gint64 cancelled = booking->cancelled_at;

      /* A registration that is registered was confirmed at some point:
       * when the file says, else when it was made. */
      if (confirmed == 0 && !g_str_equal (booking->status, "draft"))
        confirmed = created;
      if (cancelled == 0 && g_str_equal (booking->status, "cancelled"))
        cancelled = run->now;

      sqlite3_bind_int64 (insert, 1, contact_id);
      sqlite3_bind_int64 (insert, 2, event_id);
      sqlite3_bind_text (insert, 3, booking->status, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 4, booking->amount);
      sqlite3_bind_text (insert, 5, booking->ticket_type ? booking->ticket_type : "", -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (insert, 6, run->options->source, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 7, created);
      bind_time_or_null (insert, 8, confirmed);
      bind_time_or_null (insert, 9, cancelled);
      sqlite3_bind_int64 (insert, 10, run->now);
      if (!step_done (run, insert, error))
        return -1;
    }
  else
    {
      sqlite3_stmt *update = run->update_registration;

      sqlite3_bind_int64 (update, 1, registration_id);
      sqlite3_bind_text (update, 2, booking->status, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (update, 3, booking->amount);
      sqlite3_bind_text (update, 4, booking->ticket_type ? booking->ticket_type : "", -1,
                         SQLITE_STATIC);
      bind_time_or_null (update, 5, booking->confirmed_at);
      bind_time_or_null (update, 6, booking->cancelled_at);
      sqlite3_bind_int64 (update, 7, run->now);
      if (!step_done (run, update, error))
        return -1;
    }
  run->result->registrations++;
  return event_id;
}

static char *
dup_trimmed (const char *text)
{
  g_autofree char *unneutralized = turnout_csv_unneutralize_cell (text);

  return g_strstrip (g_steal_pointer (&unneutralized));
}

static void
add_tags (Person     *person,
          const char *text,
          const char *separators)
{
  g_auto(GStrv) parts = g_strsplit_set (text, separators, -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *tag = g_strstrip (parts[i]);

      if (*tag == '\0')
        continue;
      if (person->tags == NULL)
        person->tags = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (person->tags, g_strdup (tag));
    }
}

/* Splits "Ana María López" into first name and last name: the last word is
 * the family name, as most exports that have only a name write it. */
static void
split_full_name (Person     *person,
                 const char *full)
{
  const char *space = strrchr (full, ' ');

  if (is_empty (person->first_name) && is_empty (person->last_name))
    {
      g_free (person->first_name);
      g_free (person->last_name);
      if (space == NULL)
        {
          person->first_name = g_strdup (full);
          person->last_name = g_strdup ("");
        }
      else
        {
          person->first_name = g_strstrip (g_strndup (full, space - full));
          person->last_name = g_strdup (space + 1);
        }
    }
}

/* Reports a problem as add_issue() does; while previewing, also keeps it
 * for the cell of @field (the first problem of a field wins, as the import
 * lists them in column order) or, for TURNOUT_FIELD_IGNORE, for the row. */
static void
note_issue (Run          *run,
            guint         row,
            const char   *column,
            TurnoutField  field,
            const char   *written,
            const char   *reason)
{
  add_issue (run, row, column, reason);
  if (run->cell_problems == NULL)
    return;

  if (field == TURNOUT_FIELD_IGNORE)
    {
      if (run->row_problems->len > 0)
        g_string_append (run->row_problems, "; ");
      g_string_append (run->row_problems, reason);
    }
  else if (run->cell_problems[field] == NULL)
    {
      run->cell_problems[field] = g_strdup (reason);
      run->cell_written[field] = dup_trimmed (written != NULL ? written : "");
    }
}

/* Reads the values of one CSV row into a person and, for registrations, a
 * booking. Bad values become issues; returns FALSE when the row can't be
 * imported at all. */
static gboolean
read_row (Run                *run,
          const char * const *values,
          guint               n_values,
          TurnoutField       *columns,
          GStrv               headers,
          guint               n_columns,
          guint               row,
          Person             *person,
          Booking            *booking)
{
  g_autofree char *full_name = NULL;
  gboolean bad_identifier = FALSE;

  for (guint i = 0; i < n_columns && i < n_values; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *value = NULL;
      TurnoutField field = columns[i];

      if (field == TURNOUT_FIELD_IGNORE)
        continue;
      value = dup_trimmed (values[i]);
      if (*value == '\0')
        continue;

      switch (field)
        {
        case TURNOUT_FIELD_FIRST_NAME:
          g_free (person->first_name);
          person->first_name = g_steal_pointer (&value);
          break;
        case TURNOUT_FIELD_LAST_NAME:
          g_free (person->last_name);
          person->last_name = g_steal_pointer (&value);
          break;
        case TURNOUT_FIELD_FULL_NAME:
          g_free (full_name);
          full_name = g_steal_pointer (&value);
          break;
        case TURNOUT_FIELD_PHONE:
          if (person->phone == NULL &&
              (person->phone = turnout_phone_normalize (value, run->region, &error)) == NULL)
            bad_identifier = TRUE;
          break;
        case TURNOUT_FIELD_EMAIL:
          if (person->email == NULL &&
              (person->email = turnout_email_normalize (value, &error)) == NULL)
            bad_identifier = TRUE;
          break;
        case TURNOUT_FIELD_CITY:
          g_free (person->city);
          person->city = g_steal_pointer (&value);
          break;
        case TURNOUT_FIELD_TIME_ZONE:
          {
            /* Loading a zone reads and expands its tzfile: check each name once. */
            gboolean known = g_hash_table_contains (run->zones, value);
            g_autoptr(GTimeZone) zone = known ? NULL : g_time_zone_new_identifier (value);

            if (zone != NULL)
              g_hash_table_add (run->zones, g_strdup (value));
            if (!known && zone == NULL)
              g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("“%s” is not a time zone such as Europe/Berlin"), value);
            else
              {
                g_free (person->time_zone);
                person->time_zone = g_steal_pointer (&value);
              }
          }
          break;
        case TURNOUT_FIELD_TAGS:
          add_tags (person, value, ";");
          break;
        case TURNOUT_FIELD_SMS_CONSENT:
          if (turnout_parse_consent (value, &person->sms_consent, &error) &&
              g_str_equal (person->sms_consent, "unknown"))
            person->sms_consent = NULL;
          break;
        case TURNOUT_FIELD_EMAIL_CONSENT:
          if (turnout_parse_consent (value, &person->email_consent, &error) &&
              g_str_equal (person->email_consent, "unknown"))
            person->email_consent = NULL;
          break;
        case TURNOUT_FIELD_NOTES:
          g_free (person->notes);
          person->notes = g_steal_pointer (&value);
          break;
        case TURNOUT_FIELD_EVENT_NAME:
          g_free (booking->event_name);
          booking->event_name = g_steal_pointer (&value);
          break;
        case TURNOUT_FIELD_EVENT_START:
          booking->has_start = turnout_parse_time (value, run->zone, &booking->starts_at, &error);
          break;
        case TURNOUT_FIELD_EVENT_END:
          booking->has_end = turnout_parse_time (value, run->zone, &booking->ends_at, &error);
          break;
        case TURNOUT_FIELD_VENUE:
          g_free (booking->venue);
          booking->venue = g_steal_pointer (&value);
          break;
        case TURNOUT_FIELD_STATUS:
          turnout_parse_status (value, &booking->status, &error);
          break;
        case TURNOUT_FIELD_AMOUNT:
          turnout_parse_amount (value, &booking->amount, &error);
          break;
        case TURNOUT_FIELD_TICKET_TYPE:
          g_free (booking->ticket_type);
          booking->ticket_type = g_steal_pointer (&value);
          break;
        case TURNOUT_FIELD_REGISTERED_AT:
          turnout_parse_time (value, run->zone, &booking->registered_at, &error);
          break;
        case TURNOUT_FIELD_CONFIRMED_AT:
          turnout_parse_time (value, run->zone, &booking->confirmed_at, &error);
          break;
        case TURNOUT_FIELD_CANCELLED_AT:
          turnout_parse_time (value, run->zone, &booking->cancelled_at, &error);
          break;
        case TURNOUT_FIELD_IGNORE:
        case TURNOUT_N_FIELDS:
        default:
          break;
        }

      if (error != NULL)
        note_issue (run, row, headers[i], field, values[i], error->message);
    }

  if (full_name != NULL)
    split_full_name (person, full_name);
  /* In a registrations file the city is the venue's as well. */
  if (booking->city == NULL && person->city != NULL)
    booking->city = g_strdup (person->city);

  if (person->phone == NULL && person->email == NULL)
    {
      if (!bad_identifier)
        note_issue (run, row, NULL, TURNOUT_FIELD_IGNORE, NULL,
                    _("the row has neither a phone number nor an email address"));
      return FALSE;
    }
  if (run->options->kind == TURNOUT_IMPORT_REGISTRATIONS && booking->event_name == NULL)
    {
      note_issue (run, row, turnout_field_get_id (TURNOUT_FIELD_EVENT_NAME),
                  TURNOUT_FIELD_EVENT_NAME, NULL, _("the row names no event"));
      return FALSE;
    }
  if (booking->status == NULL)
    booking->status = "registered";
  return TRUE;
}

static GTimeZone *
dup_zone (TurnoutImportOptions *options,
          TurnoutSettings      *settings)
{
  g_autofree char *setting = NULL;
  GTimeZone *zone = NULL;

  if (options->time_zone != NULL)
    zone = g_time_zone_new_identifier (options->time_zone);
  if (zone == NULL && settings != NULL)
    {
      setting = turnout_settings_dup_string (settings, "contacts.default_time_zone");
      if (*setting != '\0')
        zone = g_time_zone_new_identifier (setting);
    }
  return zone != NULL ? zone : g_time_zone_new_local ();
}

/* Everything of a run but the database. @settings is %NULL for a
 * preview, which has no store: then only the options count. */
static void
init_run (Run                  *run,
          TurnoutImportOptions *options,
          TurnoutSettings      *settings)
{
  run->options = options;
  run->result = g_new0 (TurnoutImportResult, 1);
  run->result->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_import_issue_free);
  run->now = turnout_clock_get_unix (turnout_clock_get_default ());
  run->zone = dup_zone (options, settings);
  if (options->region != NULL || settings == NULL)
    run->region = g_strdup (options->region);
  else
    run->region = turnout_settings_dup_string (settings, "contacts.default_region");
  run->tag_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->event_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static gboolean
start_run (Run                   *run,
           TurnoutStore          *store,
           TurnoutImportOptions  *options,
           GError               **error)
{
  g_autoptr(TurnoutSettings) settings = turnout_settings_new (store, error);

  if (settings == NULL)
    return FALSE;
  init_run (run, options, settings);
  if ((run->db = turnout_store_acquire (store, error)) == NULL)
    return FALSE;
  return prepare_run (run, error) && turnout_db_begin (run->db, error);
}

static TurnoutImportResult *
finish_run (Run           *run,
            TurnoutStore  *store,
            gboolean       ok,
            GError       **error)
{
  TurnoutImportResult *result = NULL;

  if (ok && run->db != NULL)
    ok = turnout_db_commit (run->db, error);
  run_clear (run);
  if (run->db != NULL)
    turnout_store_release (store, run->db);  /* rolls back what was not committed */
  if (ok)
    result = g_steal_pointer (&run->result);
  g_clear_pointer (&run->result, turnout_import_result_free);
  return result;
}

static void
report_progress (Run     *run,
                 guint64  done,
                 guint64  total,
                 guint    rows)
{
  if (run->options->progress != NULL)
    run->options->progress (done, total, rows, run->options->progress_data);
}

/* What each column is read as: the options' mapping, else the guess from
 * the header. Fails when the mapping names a header the file lacks. */
static TurnoutField *
map_columns (TurnoutImportOptions  *options,
             GStrv                  headers,
             guint                  n_columns,
             GError               **error)
{
  g_autofree TurnoutField *columns = g_new0 (TurnoutField, MAX (n_columns, 1));
  GHashTableIter iter;
  gpointer header;

  for (guint i = 0; i < n_columns; i++)
    {
      gpointer mapped;
      g_autofree char *trimmed = dup_trimmed (headers[i]);

      if (g_hash_table_lookup_extended (options->mapping, trimmed, NULL, &mapped))
        columns[i] = GPOINTER_TO_UINT (mapped);
      else
        {
          columns[i] = turnout_field_guess (trimmed);
          if (!turnout_field_is_for (columns[i], options->kind))
            columns[i] = TURNOUT_FIELD_IGNORE;
        }
    }

  g_hash_table_iter_init (&iter, options->mapping);
  while (g_hash_table_iter_next (&iter, &header, NULL))
    {
      gboolean found = FALSE;

      for (guint i = 0; i < n_columns && !found; i++)
        {
          g_autofree char *trimmed = dup_trimmed (headers[i]);
          found = g_str_equal (trimmed, header);
        }
      if (!found)
        {
          g_set_error (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_BAD_MAPPING,
                       _("The file has no column “%s” to map"), (const char *) header);
          return NULL;
        }
    }
  return g_steal_pointer (&columns);
}

/**
 * turnout_import_check_columns:
 * @columns: (array length=n_columns): what each column of a file is read as
 *
 * Checks that an import with these columns can recognise anyone: a column
 * must hold phones or emails, and for registrations one must name the
 * event. turnout_import_csv() refuses a file with the same errors.
 *
 * Returns: %TRUE when the columns can be imported, else %FALSE with @error
 *   saying what is missing (%TURNOUT_IMPORT_ERROR_NO_IDENTIFIER or
 *   %TURNOUT_IMPORT_ERROR_NO_EVENT).
 */
gboolean
turnout_import_check_columns (TurnoutImportKind    kind,
                              const TurnoutField  *columns,
                              guint                n_columns,
                              GError             **error)
{
  gboolean has_identifier = FALSE, has_event = FALSE;

  for (guint i = 0; i < n_columns; i++)
    {
      has_identifier |= columns[i] == TURNOUT_FIELD_PHONE || columns[i] == TURNOUT_FIELD_EMAIL;
      has_event |= columns[i] == TURNOUT_FIELD_EVENT_NAME;
    }

  if (!has_identifier)
    {
      g_set_error_literal (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NO_IDENTIFIER,
                           _("No column holds phone numbers or email addresses, so no contact "
                             "can be recognised; map a column to phone or email"));
      return FALSE;
    }
  if (kind == TURNOUT_IMPORT_REGISTRATIONS && !has_event)
    {
      g_set_error_literal (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NO_EVENT,
                           _("No column names the event; map a column to event_name"));
      return FALSE;
    }
  return TRUE;
}

/* The result's warning for a file in @encoding, or NULL. */
static const char *
encoding_warning (TurnoutCsvEncoding encoding)
{
  switch (encoding)
    {
    case TURNOUT_CSV_ENCODING_WINDOWS_1252:
      return _("The file is not UTF-8 text; it was read as Windows-1252 (Western European). "
               "Check a few names with accents.");
    case TURNOUT_CSV_ENCODING_UTF8:
    case TURNOUT_CSV_ENCODING_UTF8_BOM:
    case TURNOUT_CSV_ENCODING_UTF16:
    default:
      return NULL;
    }
}



/*
 * Bulk mode, for an import that brings more contacts than the store has
 * (a first import, say): keeping a dozen indexes and the search index up
 * to date row by row costs more than building them once at the end. So the
 * contacts indexes that merging does not look things up in, and the search
 * index's insert trigger, are dropped inside the import's transaction and
 * rebuilt before it commits. A cancelled or failed import rolls all of it
 * back with the rows.
 */
typedef struct
{
  GPtrArray *recreate;      /* SQL to run at the end, in order */
  gint64     max_id_before;
} BulkMode;

static void
bulk_mode_clear (BulkMode *bulk)
{
  g_clear_pointer (&bulk->recreate, g_ptr_array_unref);
}

static gboolean
bulk_mode_begin (Run       *run,
                 BulkMode  *bulk,
                 GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) drops = g_ptr_array_new_with_free_func (g_free);
  int rc;

  bulk->recreate = g_ptr_array_new_with_free_func (g_free);
  stmt = turnout_db_prepare (run->db,
                             "SELECT type, name, sql FROM sqlite_schema"
                             " WHERE tbl_name = 'contacts' AND sql IS NOT NULL AND"
                             " ((type = 'index' AND name NOT IN ('contacts_phone', 'contacts_email'))"
                             "  OR (type = 'trigger' AND name = 'contacts_fts_insert'))",
                             error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *type = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      g_ptr_array_add (drops, g_strdup_printf ("DROP %s \"%s\"",
                                               g_str_equal (type, "index") ? "INDEX" : "TRIGGER",
                                               name));
      g_ptr_array_add (bulk->recreate, g_strdup ((const char *) sqlite3_column_text (stmt, 2)));
    }
  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, run->db, rc, _("Could not prepare the import"));
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = turnout_db_prepare (run->db, "SELECT coalesce (max (id), 0) FROM contacts", error);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return turnout_db_set_error (error, run->db, SQLITE_ERROR, _("Could not prepare the import"));
  bulk->max_id_before = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* The rows already in the store are searchable; new ones get their
   * search entries in one go at the end. */
  g_ptr_array_add (bulk->recreate,
                   g_strdup_printf ("INSERT INTO contacts_fts (rowid, name, email)"
                                    " SELECT " TURNOUT_FTS_ROW ("contacts") " FROM contacts"
                                    " WHERE id > %" PRId64, bulk->max_id_before));

  for (guint i = 0; i < drops->len; i++)
    if (!turnout_db_exec (run->db, g_ptr_array_index (drops, i), error))
      return FALSE;
  return TRUE;
}

static gboolean
bulk_mode_end (Run       *run,
               BulkMode  *bulk,
               GError   **error)
{
  for (guint i = 0; bulk->recreate != NULL && i < bulk->recreate->len; i++)
    if (!turnout_db_exec (run->db, g_ptr_array_index (bulk->recreate, i), error))
      return FALSE;
  return TRUE;
}

/* Worth it when the file likely holds more rows than the store has
 * contacts: guessed from the file's size at 60 bytes a row, a small row. */
static gboolean
should_use_bulk_mode (Run     *run,
                      guint64  file_size)
{
  g_autoptr(sqlite3_stmt) stmt =
    turnout_db_prepare (run->db, "SELECT count(*) FROM contacts", NULL);
  gint64 existing;

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  existing = sqlite3_column_int64 (stmt, 0);
  return file_size / 60 > 10000 && (gint64) (file_size / 60) > existing;
}

/*
 * A CSV import runs on two threads: a reader parses rows and checks their
 * values (phone numbers through libphonenumber cost as much as the
 * database work), while the calling thread writes what it has read. Rows
 * travel in batches through a queue; a second queue of tokens bounds the
 * batches in flight, so memory does not grow with the file.
 */
#define BATCH_ROWS 512
#define BATCHES_IN_FLIGHT 4

typedef struct
{
  guint      row;
  gboolean   usable;   /* FALSE: skipped; its issues say why */
  Person     person;
  Booking    booking;
  GPtrArray *issues;   /* TurnoutImportIssue, or NULL */
} ParsedRow;

static void
parsed_row_free (ParsedRow *parsed)
{
  person_clear (&parsed->person);
  booking_clear (&parsed->booking);
  g_clear_pointer (&parsed->issues, g_ptr_array_unref);
  g_free (parsed);
}

typedef struct
{
  GPtrArray *rows;        /* ParsedRow */
  guint64    bytes_read;
  gboolean   last;        /* nothing follows: the end of the file, or @error */
  GError    *error;
} Batch;

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->rows);
  g_clear_error (&batch->error);
  g_free (batch);
}

typedef struct
{
  Run               parse_run;   /* what read_row() needs; the writer's run is not touched */
  TurnoutCsvReader *reader;
  TurnoutField     *columns;
  GStrv             headers;
  guint             n_columns;
  GCancellable     *cancellable;
  GAsyncQueue      *full;        /* Batch, for the writer */
  GAsyncQueue      *tokens;      /* one per batch that may be in flight */
  int               stop;        /* atomic: the writer gave up */
} RowReader;

static gpointer
read_rows_thread (gpointer data)
{
  RowReader *reader = data;
  gboolean last = FALSE;

  while (!last)
    {
      Batch *batch = g_new0 (Batch, 1);

      batch->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) parsed_row_free);
      g_async_queue_pop (reader->tokens);
      if (g_atomic_int_get (&reader->stop))
        batch->last = TRUE;

      while (!batch->last && batch->rows->len < BATCH_ROWS)
        {
          GError *row_error = NULL;
          const char * const *values = NULL;
          guint n_values = 0;
          ParsedRow *parsed;

          if (!turnout_csv_reader_next_borrowed (reader->reader, &values, &n_values,
                                                 reader->cancellable, &row_error))
            {
              if (g_error_matches (row_error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_ENCODING))
                {
                  parsed = g_new0 (ParsedRow, 1);
                  parsed->row = turnout_csv_reader_get_row (reader->reader);
                  reader->parse_run.issue_sink = &parsed->issues;
                  add_issue (&reader->parse_run, parsed->row, NULL, row_error->message);
                  g_ptr_array_add (batch->rows, parsed);
                  g_clear_error (&row_error);
                  continue;
                }
              batch->error = row_error;
              batch->last = TRUE;
              break;
            }

          parsed = g_new0 (ParsedRow, 1);
          parsed->row = turnout_csv_reader_get_row (reader->reader);
          reader->parse_run.issue_sink = &parsed->issues;
          parsed->usable = read_row (&reader->parse_run, values, n_values, reader->columns,
                                     reader->headers, reader->n_columns, parsed->row,
                                     &parsed->person, &parsed->booking);
          g_ptr_array_add (batch->rows, parsed);
        }

      batch->bytes_read = turnout_csv_reader_get_bytes_read (reader->reader);
      last = batch->last;
      g_async_queue_push (reader->full, batch);
    }
  return NULL;
}

/* Stops the reader thread and waits for it, whatever it was doing. */
static void
stop_row_reader (RowReader *reader,
                 GThread   *thread)
{
  Batch *batch;

  g_atomic_int_set (&reader->stop, TRUE);
  for (guint i = 0; i < BATCHES_IN_FLIGHT + 1; i++)
    g_async_queue_push (reader->tokens, GINT_TO_POINTER (1));
  do
    {
      batch = g_async_queue_pop (reader->full);
      if (batch->last)
        {
          batch_free (batch);
          break;
        }
      batch_free (batch);
    }
  while (TRUE);
  g_thread_join (thread);
}

/**
 * turnout_import_csv:
 * @file: a CSV file
 * @options: what to import and how
 *
 * Imports contacts (or registrations, with their contacts and events) in
 * one transaction. Blocks: run it on a worker. Cancelling rolls back
 * everything. Row problems are in the result's issues; @error is set only
 * when nothing was imported (unreadable file, no usable columns,
 * cancelled, database failure).
 *
 * Returns: (transfer full): what was imported, or %NULL with @error set.
 */
TurnoutImportResult *
turnout_import_csv (TurnoutStore          *store,
                    GFile                 *file,
                    TurnoutImportOptions  *options,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_auto(GStrv) headers = NULL;
  g_autofree TurnoutField *columns = NULL;
  RowReader row_reader = { 0 };
  BulkMode bulk = { 0 };
  GThread *thread;
  Run run = { 0 };
  guint n_columns;
  guint64 total = 0;
  guint rows = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);

  if ((input = g_file_read (file, cancellable, error)) == NULL)
    return NULL;
  info = g_file_input_stream_query_info (input, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  if (info != NULL)
    total = g_file_info_get_size (info);
  if ((reader = turnout_csv_reader_new (G_INPUT_STREAM (input), cancellable, error)) == NULL)
    return NULL;
  if (!turnout_csv_reader_next (reader, &headers, cancellable, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_EMPTY,
                             _("The file has no rows"));
      return NULL;
    }

  n_columns = g_strv_length (headers);
  if ((columns = map_columns (options, headers, n_columns, error)) == NULL)
    return NULL;
  if (!turnout_import_check_columns (options->kind, columns, n_columns, error))
    return NULL;

  if (!start_run (&run, store, options, error))
    return finish_run (&run, store, FALSE, error);

  run.result->warning = g_strdup (encoding_warning (turnout_csv_reader_get_encoding (reader)));

  if (should_use_bulk_mode (&run, total) && !bulk_mode_begin (&run, &bulk, error))
    {
      bulk_mode_clear (&bulk);
      return finish_run (&run, store, FALSE, error);
    }

  row_reader.parse_run.options = options;
  row_reader.parse_run.zone = run.zone;
  row_reader.parse_run.region = run.region;
  row_reader.parse_run.zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  row_reader.reader = reader;
  row_reader.columns = columns;
  row_reader.headers = headers;
  row_reader.n_columns = n_columns;
  row_reader.cancellable = cancellable;
  row_reader.full = g_async_queue_new ();
  row_reader.tokens = g_async_queue_new ();
  for (guint i = 0; i < BATCHES_IN_FLIGHT; i++)
    g_async_queue_push (row_reader.tokens, GINT_TO_POINTER (1));
  thread = g_thread_new ("turnout-import-read", read_rows_thread, &row_reader);

  for (;;)
    {
      Batch *batch = g_async_queue_pop (row_reader.full);
      gboolean last = batch->last;

      for (guint i = 0; ok && i < batch->rows->len; i++)
        {
          ParsedRow *parsed = g_ptr_array_index (batch->rows, i);
          gint64 contact_id;

          take_issues (&run, parsed->issues);
          rows++;
          if (!parsed->usable)
            {
              run.result->skipped++;
              continue;
            }
          contact_id = save_person (&run, &parsed->person, error);
          if (contact_id >= 0 && options->kind == TURNOUT_IMPORT_REGISTRATIONS &&
              save_booking (&run, contact_id, &parsed->booking, parsed->row, error) < 0)
            contact_id = -1;
          ok = contact_id >= 0;
        }

      if (ok && batch->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&batch->error));
          ok = FALSE;
        }
      if (ok && !last && g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      if (ok)
        report_progress (&run, batch->bytes_read, total, rows);
      batch_free (batch);

      if (last)
        {
          g_thread_join (thread);
          break;
        }
      if (!ok)
        {
          stop_row_reader (&row_reader, thread);
          break;
        }
      g_async_queue_push (row_reader.tokens, GINT_TO_POINTER (1));
    }

  g_async_queue_unref (row_reader.full);
  g_async_queue_unref (row_reader.tokens);
  g_hash_table_unref (row_reader.parse_run.zones);
  ok = ok && bulk_mode_end (&run, &bulk, error);
  bulk_mode_clear (&bulk);
  if (!ok)
    return finish_run (&run, store, FALSE, error);

  report_progress (&run, total, total, rows);
  ok = TRUE;
  return finish_run (&run, store, ok, error);
}

/* Reads one vCard into a person, as read_row() does a CSV row; returns
 * FALSE when the card identifies nobody. */
static gboolean
read_card (Run                 *run,
           TurnoutVcardContact *card,
           Person              *person)
{
  g_autofree char *phone_error = NULL;

  person->first_name = g_strdup (card->first_name);
  person->last_name = g_strdup (card->last_name);
  if (is_empty (card->first_name) && is_empty (card->last_name) && card->full_name != NULL)
    split_full_name (person, card->full_name);
  person->city = g_strdup (card->city);
  person->notes = g_strdup (card->notes);
  for (guint j = 0; card->phones != NULL && card->phones[j] != NULL && !person->phone; j++)
    {
      g_autoptr(GError) local = NULL;

      person->phone = turnout_phone_normalize (card->phones[j], run->region, &local);
      if (person->phone == NULL && phone_error == NULL)
        phone_error = g_strdup (local->message);
    }
  if (phone_error != NULL && person->phone == NULL)
    note_issue (run, card->line, "TEL", TURNOUT_FIELD_PHONE, card->phones[0], phone_error);
  for (guint j = 0; card->emails != NULL && card->emails[j] != NULL && !person->email; j++)
    {
      g_autoptr(GError) local = NULL;

      if ((person->email = turnout_email_normalize (card->emails[j], &local)) == NULL)
        note_issue (run, card->line, "EMAIL", TURNOUT_FIELD_EMAIL, card->emails[j],
                    local->message);
    }
  for (guint j = 0; card->tags != NULL && card->tags[j] != NULL; j++)
    add_tags (person, card->tags[j], ",;");

  if (person->phone == NULL && person->email == NULL)
    {
      note_issue (run, card->line, NULL, TURNOUT_FIELD_IGNORE, NULL,
                  _("the card has neither a usable phone number nor an email address"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
refuse_vcard_registrations (TurnoutImportOptions  *options,
                            GError               **error)
{
  if (options->kind == TURNOUT_IMPORT_CONTACTS)
    return FALSE;
  g_set_error_literal (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NOT_REGISTRATIONS,
                       _("A vCard file holds contacts, not registrations; import it as "
                         "contacts"));
  return TRUE;
}

/**
 * turnout_import_vcard:
 * @file: a .vcf file of one or more cards (GNOME Contacts, a phone)
 *
 * Imports the contacts of a vCard file, merging as turnout_import_csv()
 * does. Problems with single cards are in the result's issues, with the
 * line of the card as the row.
 *
 * Returns: (transfer full): what was imported, or %NULL with @error set.
 */
TurnoutImportResult *
turnout_import_vcard (TurnoutStore          *store,
                      GFile                 *file,
                      TurnoutImportOptions  *options,
                      GCancellable          *cancellable,
                      GError               **error)
{
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  Run run = { 0 };

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);

  if (refuse_vcard_registrations (options, error))
    return NULL;
  if ((input = g_file_read (file, cancellable, error)) == NULL)
    return NULL;
  cards = turnout_vcard_parse (G_INPUT_STREAM (input), &problems, cancellable, error);
  if (cards == NULL)
    return NULL;
  if (!start_run (&run, store, options, error))
    return finish_run (&run, store, FALSE, error);

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const GError *problem = g_ptr_array_index (problems, i);

      add_issue (&run, 0, NULL, problem->message);
      run.result->skipped++;
    }

  for (guint i = 0; i < cards->len; i++)
    {
      TurnoutVcardContact *card = g_ptr_array_index (cards, i);
      Person person = { 0 };
      gint64 id;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return finish_run (&run, store, FALSE, error);

      if (!read_card (&run, card, &person))
        {
          run.result->skipped++;
          person_clear (&person);
          continue;
        }
      id = save_person (&run, &person, error);
      person_clear (&person);
      if (id < 0)
        return finish_run (&run, store, FALSE, error);
    }

  return finish_run (&run, store, TRUE, error);
}

/**
 * turnout_import_file_is_vcard:
 * @file: a file to import
 *
 * Tells a vCard file from a CSV one: by its extension, else by its first
 * line. Blocks (it may read the start of the file): call it on a worker.
 *
 * Returns: %TRUE when @file looks like vCards.
 */
gboolean
turnout_import_file_is_vcard (GFile        *file,
                              GCancellable *cancellable)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GFileInputStream) input = NULL;
  char start[64] = { 0 };
  gsize n = 0;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (g_str_has_suffix (name, ".vcf") || g_str_has_suffix (name, ".VCF") ||
      g_str_has_suffix (name, ".vcard"))
    return TRUE;
  if ((input = g_file_read (file, cancellable, NULL)) == NULL)
    return FALSE;
  g_input_stream_read_all (G_INPUT_STREAM (input), start, sizeof start - 1, &n, cancellable, NULL);
  return g_ascii_strncasecmp (start + (g_str_has_prefix (start, "\xEF\xBB\xBF") ? 3 : 0),
                              "BEGIN:VCARD", 11) == 0;
}

/* Previews ---------------------------------------------------------------- */

/* The fields a vCard fills, in the order of the preview. */
static const TurnoutField vcard_fields[] = {
  TURNOUT_FIELD_FIRST_NAME, TURNOUT_FIELD_LAST_NAME, TURNOUT_FIELD_PHONE, TURNOUT_FIELD_EMAIL,
  TURNOUT_FIELD_CITY, TURNOUT_FIELD_TAGS, TURNOUT_FIELD_NOTES,
};

void
turnout_import_preview_free (TurnoutImportPreview *preview)
{
  for (guint i = 0; preview->rows != NULL && i < preview->rows->len; i++)
    {
      TurnoutImportPreviewRow *row = g_ptr_array_index (preview->rows, i);

      for (guint j = 0; j < preview->n_fields; j++)
        {
          g_free (row->cells[j].value);
          g_free (row->cells[j].problem);
        }
      g_free (row->cells);
      g_strfreev (row->written);
      g_free (row->row_problem);
      g_free (row);
    }
  g_clear_pointer (&preview->rows, g_ptr_array_unref);
  g_strfreev (preview->headers);
  g_free (preview->columns);
  g_free (preview->fields);
  g_free (preview->warning);
  g_free (preview->cannot_import);
  g_strfreev (preview->file_problems);
  g_free (preview);
}

static void
start_preview_run (Run                  *run,
                   TurnoutImportOptions *options)
{
  init_run (run, options, NULL);
  run->cell_problems = g_new0 (char *, TURNOUT_N_FIELDS);
  run->cell_written = g_new0 (char *, TURNOUT_N_FIELDS);
  run->row_problems = g_string_new (NULL);
}

static void
forget_row_problems (Run *run)
{
  for (guint i = 0; i < TURNOUT_N_FIELDS; i++)
    {
      g_clear_pointer (&run->cell_problems[i], g_free);
      g_clear_pointer (&run->cell_written[i], g_free);
    }
  g_string_truncate (run->row_problems, 0);
}

static void
finish_preview_run (Run *run)
{
  forget_row_problems (run);
  g_clear_pointer (&run->cell_problems, g_free);
  g_clear_pointer (&run->cell_written, g_free);
  g_string_free (g_steal_pointer (&run->row_problems), TRUE);
  g_clear_pointer (&run->result, turnout_import_result_free);
  run_clear (run);
}

static char *
format_time (Run      *run,
             gboolean  given,
             gint64    unix_time)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (!given)
    return g_strdup ("");
  utc = g_date_time_new_from_unix_utc (unix_time);
  local = g_date_time_to_timezone (utc, run->zone);
  return g_date_time_format (local, "%Y-%m-%d %H:%M %:z");
}

/* A field of a row as the import will store it. */
static char *
dup_stored_value (Run          *run,
                  TurnoutField  field,
                  Person       *person,
                  Booking      *booking)
{
  const char *text = NULL;

  switch (field)
    {
    case TURNOUT_FIELD_FIRST_NAME: text = person->first_name; break;
    case TURNOUT_FIELD_LAST_NAME: text = person->last_name; break;
    case TURNOUT_FIELD_PHONE: text = person->phone; break;
    case TURNOUT_FIELD_EMAIL: text = person->email; break;
    case TURNOUT_FIELD_CITY: text = person->city; break;
    case TURNOUT_FIELD_TIME_ZONE: text = person->time_zone; break;
    case TURNOUT_FIELD_NOTES: text = person->notes; break;
    case TURNOUT_FIELD_SMS_CONSENT: text = person->sms_consent; break;
    case TURNOUT_FIELD_EMAIL_CONSENT: text = person->email_consent; break;
    case TURNOUT_FIELD_EVENT_NAME: text = booking->event_name; break;
    case TURNOUT_FIELD_VENUE: text = booking->venue; break;
    case TURNOUT_FIELD_STATUS: text = booking->status; break;
    case TURNOUT_FIELD_TICKET_TYPE: text = booking->ticket_type; break;

    case TURNOUT_FIELD_TAGS:
      {
        GString *tags = g_string_new (NULL);

        for (guint i = 0; person->tags != NULL && i < person->tags->len; i++)
          g_string_append_printf (tags, "%s%s", i > 0 ? ", " : "",
                                  (const char *) g_ptr_array_index (person->tags, i));
        return g_string_free (tags, FALSE);
      }

    case TURNOUT_FIELD_EVENT_START:
      return format_time (run, booking->has_start, booking->starts_at);
    case TURNOUT_FIELD_EVENT_END:
      return format_time (run, booking->has_end, booking->ends_at);
    case TURNOUT_FIELD_REGISTERED_AT:
      return format_time (run, booking->registered_at != 0, booking->registered_at);
    case TURNOUT_FIELD_CONFIRMED_AT:
      return format_time (run, booking->confirmed_at != 0, booking->confirmed_at);
    case TURNOUT_FIELD_CANCELLED_AT:
      return format_time (run, booking->cancelled_at != 0, booking->cancelled_at);
    case TURNOUT_FIELD_AMOUNT:
      return g_strdup_printf ("%" PRId64 ".%02d", booking->amount / 100,
                              (int) (booking->amount % 100));

    case TURNOUT_FIELD_FULL_NAME:
    case TURNOUT_FIELD_IGNORE:
    case TURNOUT_N_FIELDS:
    default:
      break;
    }
  return g_strdup (text != NULL ? text : "");
}

/* Adds what read_row() or read_card() made of a row to @preview, with the
 * problems they noted, and forgets those for the next row. */
static void
add_preview_row (TurnoutImportPreview *preview,
                 Run                  *run,
                 guint                 number,
                 const char * const   *values,
                 guint                 n_values,
                 gboolean              imported,
                 Person               *person,
                 Booking              *booking)
{
  TurnoutImportPreviewRow *row = g_new0 (TurnoutImportPreviewRow, 1);

  row->row = number;
  row->written = g_new0 (char *, preview->n_columns + 1);
  for (guint i = 0; i < preview->n_columns; i++)
    row->written[i] = g_strdup (i < n_values && values[i] != NULL ? values[i] : "");
  row->cells = g_new0 (TurnoutImportPreviewCell, preview->n_fields);
  for (guint i = 0; i < preview->n_fields; i++)
    {
      TurnoutField field = preview->fields[i];
      TurnoutImportPreviewCell *cell = &row->cells[i];

      cell->value = dup_stored_value (run, field, person, booking);
      cell->problem = g_strdup (run->cell_problems[field]);
      /* The reason speaks of the value as written; what gets stored
       * instead is a default (no amount, "registered") or nothing. */
      if (cell->problem != NULL)
        {
          g_free (cell->value);
          cell->value = g_strdup (run->cell_written[field]);
        }
    }

  row->skipped = !imported;
  if (run->row_problems->len > 0)
    row->row_problem = g_strdup (run->row_problems->str);
  else if (row->skipped)
    {
      /* A bad phone with no email: the cell's problem is the row's. */
      g_autoptr(GString) why = g_string_new (NULL);

      for (guint i = 0; i < TURNOUT_N_FIELDS; i++)
        if (run->cell_problems[i] != NULL)
          g_string_append_printf (why, "%s%s", why->len > 0 ? "; " : "", run->cell_problems[i]);
      row->row_problem = g_string_free (g_steal_pointer (&why), why->len == 0);
    }
  g_ptr_array_add (preview->rows, row);
  forget_row_problems (run);
}

static void
set_preview_fields (TurnoutImportPreview *preview,
                    const TurnoutField   *columns,
                    guint                 n_columns)
{
  gboolean shown[TURNOUT_N_FIELDS] = { FALSE };

  for (guint i = 0; i < n_columns; i++)
    {
      if (columns[i] == TURNOUT_FIELD_FULL_NAME)
        shown[TURNOUT_FIELD_FIRST_NAME] = shown[TURNOUT_FIELD_LAST_NAME] = TRUE;
      else if (columns[i] != TURNOUT_FIELD_IGNORE && columns[i] < TURNOUT_N_FIELDS)
        shown[columns[i]] = TRUE;
    }
  preview->fields = g_new0 (TurnoutField, TURNOUT_N_FIELDS);
  for (guint i = 0; i < TURNOUT_N_FIELDS; i++)
    if (shown[i])
      preview->fields[preview->n_fields++] = i;
}

static TurnoutImportPreview *
preview_csv (GFile                 *file,
             TurnoutImportOptions  *options,
             guint                  max_rows,
             GCancellable          *cancellable,
             GError               **error)
{
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_autoptr(TurnoutImportPreview) preview = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) headers = NULL;
  Run run = { 0 };
  guint n_columns;

  if ((input = g_file_read (file, cancellable, error)) == NULL)
    return NULL;
  if ((reader = turnout_csv_reader_new (G_INPUT_STREAM (input), cancellable, error)) == NULL)
    return NULL;
  if (!turnout_csv_reader_next (reader, &headers, cancellable, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_EMPTY,
                             _("The file has no rows"));
      return NULL;
    }

  n_columns = g_strv_length (headers);
  preview = g_new0 (TurnoutImportPreview, 1);
  preview->kind = options->kind;
  preview->rows = g_ptr_array_new ();
  if ((preview->columns = map_columns (options, headers, n_columns, error)) == NULL)
    return NULL;
  preview->n_columns = n_columns;
  preview->headers = g_new0 (char *, n_columns + 1);
  for (guint i = 0; i < n_columns; i++)
    preview->headers[i] = dup_trimmed (headers[i]);
  if (!turnout_import_check_columns (options->kind, preview->columns, n_columns, &local))
    preview->cannot_import = g_strdup (local->message);
  g_clear_error (&local);
  set_preview_fields (preview, preview->columns, n_columns);
  preview->delimiter = turnout_csv_reader_get_delimiter (reader);
  preview->encoding = turnout_csv_reader_get_encoding (reader);
  preview->warning = g_strdup (encoding_warning (preview->encoding));
  preview->file_problems = g_new0 (char *, 1);

  start_preview_run (&run, options);
  for (;;)
    {
      const char * const *values = NULL;
      guint n_values = 0;
      Person person = { 0 };
      Booking booking = { 0 };
      gboolean imported;
      gboolean more;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          finish_preview_run (&run);
          return NULL;
        }
      more = turnout_csv_reader_next_borrowed (reader, &values, &n_values, cancellable, &local);
      if (!more && local == NULL)
        break;
      if (preview->rows->len == max_rows)
        {
          preview->more_rows = TRUE;
          break;
        }
      if (!more && g_error_matches (local, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_ENCODING))
        {
          /* The import skips the row with this reason; so does the preview. */
          note_issue (&run, turnout_csv_reader_get_row (reader), NULL, TURNOUT_FIELD_IGNORE,
                      NULL, local->message);
          add_preview_row (preview, &run, turnout_csv_reader_get_row (reader), NULL, 0, FALSE,
                           &person, &booking);
          g_clear_error (&local);
          continue;
        }
      if (!more)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          finish_preview_run (&run);
          return NULL;
        }

      imported = read_row (&run, values, n_values, preview->columns, headers, n_columns,
                           turnout_csv_reader_get_row (reader), &person, &booking);
      add_preview_row (preview, &run, turnout_csv_reader_get_row (reader), values, n_values,
                       imported, &person, &booking);
      person_clear (&person);
      booking_clear (&booking);
    }
  finish_preview_run (&run);
  return g_steal_pointer (&preview);
}

static TurnoutImportPreview *
preview_vcard (GFile                 *file,
               TurnoutImportOptions  *options,
               guint                  max_rows,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(TurnoutImportPreview) preview = NULL;
  Run run = { 0 };

  if (refuse_vcard_registrations (options, error))
    return NULL;
  if ((input = g_file_read (file, cancellable, error)) == NULL)
    return NULL;
  cards = turnout_vcard_parse (G_INPUT_STREAM (input), &problems, cancellable, error);
  if (cards == NULL)
    return NULL;

  preview = g_new0 (TurnoutImportPreview, 1);
  preview->kind = options->kind;
  preview->is_vcard = TRUE;
  preview->rows = g_ptr_array_new ();
  preview->headers = g_new0 (char *, 1);
  preview->n_fields = G_N_ELEMENTS (vcard_fields);
  preview->fields = g_memdup2 (vcard_fields, sizeof vcard_fields);
  preview->encoding = TURNOUT_CSV_ENCODING_UTF8;
  preview->file_problems = g_new0 (char *, (problems != NULL ? problems->len : 0) + 1);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    preview->file_problems[i] = g_strdup (((GError *) g_ptr_array_index (problems, i))->message);

  start_preview_run (&run, options);
  for (guint i = 0; i < cards->len && i < max_rows; i++)
    {
      TurnoutVcardContact *card = g_ptr_array_index (cards, i);
      Person person = { 0 };
      Booking booking = { 0 };
      gboolean imported = read_card (&run, card, &person);

      add_preview_row (preview, &run, card->line, NULL, 0, imported, &person, &booking);
      person_clear (&person);
    }
  preview->more_rows = cards->len > max_rows;
  finish_preview_run (&run);
  return g_steal_pointer (&preview);
}

/**
 * turnout_import_preview:
 * @file: a CSV or vCard file
 * @options: how it would be imported: kind, region, time zone and mapping
 * @max_rows: how many rows (or cards) to read
 * @cancellable: (nullable): stops the reading
 *
 * Reads the header and the first @max_rows rows of @file and shows what
 * an import with @options would make of them: what each column is read as
 * (the options' mapping, else the guess), and each row as it would be
 * stored (phones in E.164, emails lower-cased, a full name split, consent,
 * status, amounts and times parsed), with the problems the import would
 * report for each value. It uses the same code as the import, without a
 * store: problems that need the database (an event that does not exist
 * yet) are not found, and the region and time zone come from @options
 * alone (a %NULL region means numbers need a country code), so set them
 * from the settings first. Blocks: call it on a worker, or use
 * turnout_import_preview_async().
 *
 * Returns: (transfer full): the preview, or %NULL with @error set when the
 *   file can't be read at all (as the import would fail) or the mapping
 *   names a header the file lacks. A file whose mapping has no phone or
 *   email column still has a preview, with `cannot_import` set.
 */
TurnoutImportPreview *
turnout_import_preview (GFile                 *file,
                        TurnoutImportOptions  *options,
                        guint                  max_rows,
                        GCancellable          *cancellable,
                        GError               **error)
{
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (turnout_import_file_is_vcard (file, cancellable))
    return preview_vcard (file, options, max_rows, cancellable, error);
  return preview_csv (file, options, max_rows, cancellable, error);
}
