/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-import"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-contacts.h"
#include "turnout-csv.h"
#include "turnout-import.h"
#include "turnout-phone.h"
#include "turnout-settings.h"
#include "turnout-store.h"
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

  run->result->n_issues++;
  if (run->result->issues->len >= TURNOUT_IMPORT_MAX_ISSUES)
    return;
  issue = g_new0 (TurnoutImportIssue, 1);
  issue->row = row;
  issue->column = g_strdup (column);
  issue->reason = g_strdup (reason);
  g_ptr_array_add (run->result->issues, issue);
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
  key = g_strdup_printf ("%s\x1f%" G_GINT64_FORMAT, booking->event_name,
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
        add_issue (run, row, headers[i], error->message);
    }

  if (full_name != NULL)
    split_full_name (person, full_name);
  /* In a registrations file the city is the venue's as well. */
  if (booking->city == NULL && person->city != NULL)
    booking->city = g_strdup (person->city);

  if (person->phone == NULL && person->email == NULL)
    {
      if (!bad_identifier)
        add_issue (run, row, NULL, _("the row has neither a phone number nor an email address"));
      return FALSE;
    }
  if (run->options->kind == TURNOUT_IMPORT_REGISTRATIONS && booking->event_name == NULL)
    {
      add_issue (run, row, turnout_field_get_id (TURNOUT_FIELD_EVENT_NAME),
                 _("the row names no event"));
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
  if (zone == NULL)
    {
      setting = turnout_settings_dup_string (settings, "contacts.default_time_zone");
      if (*setting != '\0')
        zone = g_time_zone_new_identifier (setting);
    }
  return zone != NULL ? zone : g_time_zone_new_local ();
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
  run->options = options;
  run->result = g_new0 (TurnoutImportResult, 1);
  run->result->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_import_issue_free);
  run->now = turnout_clock_get_unix (turnout_clock_get_default ());
  run->zone = dup_zone (options, settings);
  run->region = options->region != NULL ? g_strdup (options->region)
                                        : turnout_settings_dup_string (settings,
                                                                       "contacts.default_region");
  run->tag_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->event_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
  Run run = { 0 };
  guint n_columns;
  guint64 total = 0;
  guint rows = 0;
  gboolean has_identifier = FALSE, has_event = FALSE;
  gboolean ok = FALSE;

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
  columns = g_new0 (TurnoutField, n_columns);
  for (guint i = 0; i < n_columns; i++)
    {
      gpointer mapped;
      g_autofree char *header = dup_trimmed (headers[i]);

      if (g_hash_table_lookup_extended (options->mapping, header, NULL, &mapped))
        columns[i] = GPOINTER_TO_UINT (mapped);
      else
        {
          columns[i] = turnout_field_guess (header);
          if (!turnout_field_is_for (columns[i], options->kind))
            columns[i] = TURNOUT_FIELD_IGNORE;
        }
      has_identifier |= columns[i] == TURNOUT_FIELD_PHONE || columns[i] == TURNOUT_FIELD_EMAIL;
      has_event |= columns[i] == TURNOUT_FIELD_EVENT_NAME;
    }

  {
    GHashTableIter iter;
    gpointer header;

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
  }

  if (!has_identifier)
    {
      g_set_error_literal (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NO_IDENTIFIER,
                           _("No column holds phone numbers or email addresses, so no contact "
                             "can be recognised; map a column to phone or email"));
      return NULL;
    }
  if (options->kind == TURNOUT_IMPORT_REGISTRATIONS && !has_event)
    {
      g_set_error_literal (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NO_EVENT,
                           _("No column names the event; map a column to event_name"));
      return NULL;
    }

  if (!start_run (&run, store, options, error))
    return finish_run (&run, store, FALSE, error);

  switch (turnout_csv_reader_get_encoding (reader))
    {
    case TURNOUT_CSV_ENCODING_WINDOWS_1252:
      run.result->warning = g_strdup (_("The file is not UTF-8 text; it was read as "
                                        "Windows-1252 (Western European). Check a few names "
                                        "with accents."));
      break;
    case TURNOUT_CSV_ENCODING_UTF8:
    case TURNOUT_CSV_ENCODING_UTF8_BOM:
    case TURNOUT_CSV_ENCODING_UTF16:
    default:
      break;
    }

  for (;;)
    {
      g_autoptr(GError) row_error = NULL;
      const char * const *values = NULL;
      guint n_values = 0;
      Person person = { 0 };
      Booking booking = { 0 };
      guint row;
      gint64 contact_id;

      if (!turnout_csv_reader_next_borrowed (reader, &values, &n_values, cancellable, &row_error))
        {
          if (row_error == NULL)
            break;
          if (g_error_matches (row_error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_ENCODING))
            {
              add_issue (&run, turnout_csv_reader_get_row (reader), NULL, row_error->message);
              run.result->skipped++;
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&row_error));
          return finish_run (&run, store, FALSE, error);
        }

      row = turnout_csv_reader_get_row (reader);
      rows++;
      if (rows % 1024 == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return finish_run (&run, store, FALSE, error);
          report_progress (&run, turnout_csv_reader_get_bytes_read (reader), total, rows);
        }

      if (!read_row (&run, values, n_values, columns, headers, n_columns, row, &person, &booking))
        {
          run.result->skipped++;
          person_clear (&person);
          booking_clear (&booking);
          continue;
        }

      contact_id = save_person (&run, &person, error);
      if (contact_id >= 0 && options->kind == TURNOUT_IMPORT_REGISTRATIONS)
        contact_id = save_booking (&run, contact_id, &booking, row, error) < 0 ? -1 : contact_id;
      person_clear (&person);
      booking_clear (&booking);
      if (contact_id < 0)
        return finish_run (&run, store, FALSE, error);
    }

  report_progress (&run, total, total, rows);
  ok = TRUE;
  return finish_run (&run, store, ok, error);
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
      g_autofree char *phone_error = NULL;
      Person person = { 0 };
      gint64 id;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return finish_run (&run, store, FALSE, error);

      person.first_name = g_strdup (card->first_name);
      person.last_name = g_strdup (card->last_name);
      if (is_empty (card->first_name) && is_empty (card->last_name) && card->full_name != NULL)
        split_full_name (&person, card->full_name);
      person.city = g_strdup (card->city);
      person.notes = g_strdup (card->notes);
      for (guint j = 0; card->phones != NULL && card->phones[j] != NULL && !person.phone; j++)
        {
          g_autoptr(GError) local = NULL;

          person.phone = turnout_phone_normalize (card->phones[j], run.region, &local);
          if (person.phone == NULL && phone_error == NULL)
            phone_error = g_strdup (local->message);
        }
      if (phone_error != NULL && person.phone == NULL)
        add_issue (&run, card->line, "TEL", phone_error);
      for (guint j = 0; card->emails != NULL && card->emails[j] != NULL && !person.email; j++)
        {
          g_autoptr(GError) local = NULL;

          if ((person.email = turnout_email_normalize (card->emails[j], &local)) == NULL)
            add_issue (&run, card->line, "EMAIL", local->message);
        }
      for (guint j = 0; card->tags != NULL && card->tags[j] != NULL; j++)
        add_tags (&person, card->tags[j], ",;");

      if (person.phone == NULL && person.email == NULL)
        {
          add_issue (&run, card->line, NULL,
                     _("the card has neither a usable phone number nor an email address"));
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
