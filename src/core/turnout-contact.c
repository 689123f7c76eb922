/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-contact"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-contact.h"
#include "turnout-phone.h"

/*
 * One contact as the contact list shows it: read-only properties, with the
 * text of each column ready to show, formatted when the row is read (on the
 * list's worker thread) rather than each time a row widget binds it.
 *
 * The list hands out placeholders (loaded is FALSE) for rows whose page is
 * still being read, and fills them in place when it arrives, so the row
 * widgets bound to them update without the list changing.
 */

struct _TurnoutContact
{
  GObject   parent_instance;

  gboolean  loaded;
  gint64    id;
  char     *first_name;
  char     *last_name;
  char     *display_name;
  char     *phone;
  char     *phone_display;
  char     *email;
  char     *city;
  char     *tags;
  gint64    events_attended;
  char     *events_attended_display;
  gint64    total_spend;
  char     *total_spend_display;
  gint64    last_event_at;
  char     *last_event_display;
  char     *sms_consent;
  char     *sms_consent_display;
  char     *email_consent;
  char     *email_consent_display;
};

G_DEFINE_FINAL_TYPE (TurnoutContact, turnout_contact, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADED,
  PROP_ID,
  PROP_FIRST_NAME,
  PROP_LAST_NAME,
  PROP_DISPLAY_NAME,
  PROP_PHONE,
  PROP_PHONE_DISPLAY,
  PROP_EMAIL,
  PROP_CITY,
  PROP_TAGS,
  PROP_EVENTS_ATTENDED,
  PROP_EVENTS_ATTENDED_DISPLAY,
  PROP_TOTAL_SPEND,
  PROP_TOTAL_SPEND_DISPLAY,
  PROP_LAST_EVENT_AT,
  PROP_LAST_EVENT_DISPLAY,
  PROP_SMS_CONSENT,
  PROP_SMS_CONSENT_DISPLAY,
  PROP_EMAIL_CONSENT,
  PROP_EMAIL_CONSENT_DISPLAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
turnout_contact_finalize (GObject *object)
{
  TurnoutContact *self = TURNOUT_CONTACT (object);

  g_free (self->first_name);
  g_free (self->last_name);
  g_free (self->display_name);
  g_free (self->phone);
  g_free (self->phone_display);
  g_free (self->email);
  g_free (self->city);
  g_free (self->tags);
  g_free (self->events_attended_display);
  g_free (self->total_spend_display);
  g_free (self->last_event_display);
  g_free (self->sms_consent);
  g_free (self->sms_consent_display);
  g_free (self->email_consent);
  g_free (self->email_consent_display);

  G_OBJECT_CLASS (turnout_contact_parent_class)->finalize (object);
}

static void
turnout_contact_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TurnoutContact *self = TURNOUT_CONTACT (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_FIRST_NAME:
      g_value_set_string (value, self->first_name);
      break;
    case PROP_LAST_NAME:
      g_value_set_string (value, self->last_name);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_PHONE:
      g_value_set_string (value, self->phone);
      break;
    case PROP_PHONE_DISPLAY:
      g_value_set_string (value, self->phone_display);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_CITY:
      g_value_set_string (value, self->city);
      break;
    case PROP_TAGS:
      g_value_set_string (value, self->tags);
      break;
    case PROP_EVENTS_ATTENDED:
      g_value_set_int64 (value, self->events_attended);
      break;
    case PROP_EVENTS_ATTENDED_DISPLAY:
      g_value_set_string (value, self->events_attended_display);
      break;
    case PROP_TOTAL_SPEND:
      g_value_set_int64 (value, self->total_spend);
      break;
    case PROP_TOTAL_SPEND_DISPLAY:
      g_value_set_string (value, self->total_spend_display);
      break;
    case PROP_LAST_EVENT_AT:
      g_value_set_int64 (value, self->last_event_at);
      break;
    case PROP_LAST_EVENT_DISPLAY:
      g_value_set_string (value, self->last_event_display);
      break;
    case PROP_SMS_CONSENT:
      g_value_set_string (value, self->sms_consent);
      break;
    case PROP_SMS_CONSENT_DISPLAY:
      g_value_set_string (value, self->sms_consent_display);
      break;
    case PROP_EMAIL_CONSENT:
      g_value_set_string (value, self->email_consent);
      break;
    case PROP_EMAIL_CONSENT_DISPLAY:
      g_value_set_string (value, self->email_consent_display);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, "",
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
int64_property (const char *name,
                gint64      minimum)
{
  return g_param_spec_int64 (name, NULL, NULL, minimum, G_MAXINT64, 0,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
turnout_contact_class_init (TurnoutContactClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = turnout_contact_finalize;
  object_class->get_property = turnout_contact_get_property;

  /**
   * TurnoutContact:loaded:
   *
   * %FALSE while this is a placeholder for a row whose page is still being
   * read; the other properties are then empty.
   */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] = int64_property ("id", 0);
  properties[PROP_FIRST_NAME] = string_property ("first-name");
  properties[PROP_LAST_NAME] = string_property ("last-name");
  /**
   * TurnoutContact:display-name:
   *
   * The first and last name, a stand-in when the contact has neither, or
   * "…" for a placeholder.
   */
  properties[PROP_DISPLAY_NAME] = string_property ("display-name");
  /**
   * TurnoutContact:phone:
   *
   * The phone number in E.164, or "" when the contact has none.
   */
  properties[PROP_PHONE] = string_property ("phone");
  properties[PROP_PHONE_DISPLAY] = string_property ("phone-display");
  properties[PROP_EMAIL] = string_property ("email");
  properties[PROP_CITY] = string_property ("city");
  /**
   * TurnoutContact:tags:
   *
   * The names of the contact's tags and genres, sorted and joined with ", ".
   */
  properties[PROP_TAGS] = string_property ("tags");
  properties[PROP_EVENTS_ATTENDED] = int64_property ("events-attended", 0);
  properties[PROP_EVENTS_ATTENDED_DISPLAY] = string_property ("events-attended-display");
  /**
   * TurnoutContact:total-spend:
   *
   * What the contact spent on registrations not cancelled, in minor units
   * (cents) of the `general.currency` setting.
   */
  properties[PROP_TOTAL_SPEND] = int64_property ("total-spend", G_MININT64);
  properties[PROP_TOTAL_SPEND_DISPLAY] = string_property ("total-spend-display");
  /**
   * TurnoutContact:last-event-at:
   *
   * When the last event the contact attended started, in Unix seconds, or
   * 0 when they attended none.
   */
  properties[PROP_LAST_EVENT_AT] = int64_property ("last-event-at", G_MININT64);
  properties[PROP_LAST_EVENT_DISPLAY] = string_property ("last-event-display");
  /**
   * TurnoutContact:sms-consent:
   *
   * "opted_in", "opted_out" or "unknown" ("" for a placeholder).
   */
  properties[PROP_SMS_CONSENT] = string_property ("sms-consent");
  properties[PROP_SMS_CONSENT_DISPLAY] = string_property ("sms-consent-display");
  properties[PROP_EMAIL_CONSENT] = string_property ("email-consent");
  properties[PROP_EMAIL_CONSENT_DISPLAY] = string_property ("email-consent-display");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
turnout_contact_init (TurnoutContact *self)
{
  self->first_name = g_strdup ("");
  self->last_name = g_strdup ("");
  /* What the name column shows while the row is being read. */
  self->display_name = g_strdup ("…");
  self->phone = g_strdup ("");
  self->phone_display = g_strdup ("");
  self->email = g_strdup ("");
  self->city = g_strdup ("");
  self->tags = g_strdup ("");
  self->events_attended_display = g_strdup ("");
  self->total_spend_display = g_strdup ("");
  self->last_event_display = g_strdup ("");
  self->sms_consent = g_strdup ("");
  self->sms_consent_display = g_strdup ("");
  self->email_consent = g_strdup ("");
  self->email_consent_display = g_strdup ("");
}

/**
 * turnout_contact_new_placeholder:
 *
 * Returns: (transfer full): a contact that is not loaded, for a row whose
 *   page is still being read
 */
TurnoutContact *
turnout_contact_new_placeholder (void)
{
  return g_object_new (TURNOUT_TYPE_CONTACT, NULL);
}

/* Currencies whose minor unit is the unit itself (ISO 4217 exponent 0). */
static const char * const zero_decimal_currencies[] = {
  "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
  "XAF", "XOF", "XPF", NULL
};

/**
 * turnout_format_money:
 * @minor_units: an amount in the currency's minor units (cents)
 * @currency: (nullable): a three-letter ISO 4217 code; %NULL means USD
 *
 * Formats an amount plainly: "$25.00" for US dollars, "25.00 EUR" or
 * "2500 JPY" for other currencies, whose symbols and their placement vary
 * by country.
 *
 * Returns: (transfer full): the amount as text
 */
char *
turnout_format_money (gint64      minor_units,
                      const char *currency)
{
  const char *sign = minor_units < 0 ? "-" : "";
  guint64 amount = minor_units < 0 ? -(guint64) minor_units : (guint64) minor_units;

  if (currency == NULL || *currency == '\0')
    currency = "USD";

  if (g_strv_contains (zero_decimal_currencies, currency))
    return g_strdup_printf ("%s%" PRIu64 " %s", sign, amount, currency);
  if (g_str_equal (currency, "USD"))
    return g_strdup_printf ("%s$%" PRIu64 ".%02u", sign, amount / 100,
                            (guint) (amount % 100));
  return g_strdup_printf ("%s%" PRIu64 ".%02u %s", sign, amount / 100,
                          (guint) (amount % 100), currency);
}

static const char *
consent_display (const char *consent)
{
  if (g_strcmp0 (consent, "opted_in") == 0)
    return C_("consent", "Opted in");
  if (g_strcmp0 (consent, "opted_out") == 0)
    return C_("consent", "Opted out");
  return C_("consent", "Unknown");
}

static char *
format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_time == 0)
    return g_strdup (C_("last event", "Never"));

  utc = g_date_time_new_from_unix_utc (unix_time);
  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (utc);
  /* TRANSLATORS: the date of a contact's last event, in g_date_time_format() notation;
   * write it as dates are usually written in your language, e.g. "%-d %b %Y". */
  return g_date_time_format (local, C_("last event date", "%b %-d, %Y"));
}

/**
 * turnout_contact_new:
 * @record: the contact's row
 * @currency: (nullable): the currency of the spend, from `general.currency`
 *
 * Makes a loaded contact and formats what the columns show. Safe to call on
 * a worker thread.
 *
 * Returns: (transfer full): the contact
 */
TurnoutContact *
turnout_contact_new (const TurnoutContactRecord *record,
                     const char                 *currency)
{
  TurnoutContact *self;
  g_autofree char *full_name = NULL;

  g_return_val_if_fail (record != NULL, NULL);

  self = g_object_new (TURNOUT_TYPE_CONTACT, NULL);
  self->loaded = TRUE;
  self->id = record->id;

  g_free (self->first_name);
  self->first_name = g_strdup (record->first_name != NULL ? record->first_name : "");
  g_free (self->last_name);
  self->last_name = g_strdup (record->last_name != NULL ? record->last_name : "");
  full_name = g_strstrip (g_strconcat (self->first_name, " ", self->last_name, NULL));
  g_free (self->display_name);
  /* TRANSLATORS: the name column of a contact who has no name, only a number or address */
  self->display_name = *full_name != '\0' ? g_steal_pointer (&full_name) : g_strdup (_("No name"));

  if (record->phone != NULL && *record->phone != '\0')
    {
      g_free (self->phone);
      self->phone = g_strdup (record->phone);
      g_free (self->phone_display);
      self->phone_display = turnout_phone_format_display (record->phone);
    }
  if (record->email != NULL)
    {
      g_free (self->email);
      self->email = g_strdup (record->email);
    }
  if (record->city != NULL)
    {
      g_free (self->city);
      self->city = g_strdup (record->city);
    }
  if (record->tags != NULL)
    {
      g_free (self->tags);
      self->tags = g_strdup (record->tags);
    }

  self->events_attended = record->events_attended;
  g_free (self->events_attended_display);
  self->events_attended_display = g_strdup_printf ("%" PRId64, record->events_attended);
  self->total_spend = record->total_spend;
  g_free (self->total_spend_display);
  self->total_spend_display = turnout_format_money (record->total_spend, currency);
  self->last_event_at = record->last_event_at;
  g_free (self->last_event_display);
  self->last_event_display = format_date (record->last_event_at);

  g_free (self->sms_consent);
  self->sms_consent = g_strdup (record->sms_consent != NULL ? record->sms_consent : "unknown");
  g_free (self->sms_consent_display);
  self->sms_consent_display = g_strdup (consent_display (self->sms_consent));
  g_free (self->email_consent);
  self->email_consent = g_strdup (record->email_consent != NULL ? record->email_consent : "unknown");
  g_free (self->email_consent_display);
  self->email_consent_display = g_strdup (consent_display (self->email_consent));

  return self;
}

static void
take_string (TurnoutContact  *self,
             char           **field,
             const char      *value,
             int              prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
take_int64 (TurnoutContact *self,
            gint64         *field,
            gint64          value,
            int             prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/**
 * turnout_contact_update_from:
 * @source: a loaded contact read more recently
 *
 * Gives @self the values of @source, notifying only the properties that
 * change: fills a placeholder in place, or brings a shown row up to date.
 * Main thread only.
 */
void
turnout_contact_update_from (TurnoutContact *self,
                             TurnoutContact *source)
{
  g_return_if_fail (TURNOUT_IS_CONTACT (self));
  g_return_if_fail (TURNOUT_IS_CONTACT (source));

  g_object_freeze_notify (G_OBJECT (self));
  take_int64 (self, &self->id, source->id, PROP_ID);
  take_string (self, &self->first_name, source->first_name, PROP_FIRST_NAME);
  take_string (self, &self->last_name, source->last_name, PROP_LAST_NAME);
  take_string (self, &self->display_name, source->display_name, PROP_DISPLAY_NAME);
  take_string (self, &self->phone, source->phone, PROP_PHONE);
  take_string (self, &self->phone_display, source->phone_display, PROP_PHONE_DISPLAY);
  take_string (self, &self->email, source->email, PROP_EMAIL);
  take_string (self, &self->city, source->city, PROP_CITY);
  take_string (self, &self->tags, source->tags, PROP_TAGS);
  take_int64 (self, &self->events_attended, source->events_attended, PROP_EVENTS_ATTENDED);
  take_string (self, &self->events_attended_display, source->events_attended_display,
               PROP_EVENTS_ATTENDED_DISPLAY);
  take_int64 (self, &self->total_spend, source->total_spend, PROP_TOTAL_SPEND);
  take_string (self, &self->total_spend_display, source->total_spend_display,
               PROP_TOTAL_SPEND_DISPLAY);
  take_int64 (self, &self->last_event_at, source->last_event_at, PROP_LAST_EVENT_AT);
  take_string (self, &self->last_event_display, source->last_event_display,
               PROP_LAST_EVENT_DISPLAY);
  take_string (self, &self->sms_consent, source->sms_consent, PROP_SMS_CONSENT);
  take_string (self, &self->sms_consent_display, source->sms_consent_display,
               PROP_SMS_CONSENT_DISPLAY);
  take_string (self, &self->email_consent, source->email_consent, PROP_EMAIL_CONSENT);
  take_string (self, &self->email_consent_display, source->email_consent_display,
               PROP_EMAIL_CONSENT_DISPLAY);
  if (self->loaded != source->loaded)
    {
      self->loaded = source->loaded;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
turnout_contact_get_loaded (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), FALSE);
  return self->loaded;
}

/**
 * turnout_contact_get_id:
 *
 * Returns: the contact's row id; 0 for a placeholder
 */
gint64
turnout_contact_get_id (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), 0);
  return self->id;
}

const char *
turnout_contact_get_first_name (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->first_name;
}

const char *
turnout_contact_get_last_name (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->last_name;
}

const char *
turnout_contact_get_display_name (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->display_name;
}

const char *
turnout_contact_get_phone (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->phone;
}

const char *
turnout_contact_get_phone_display (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->phone_display;
}

const char *
turnout_contact_get_email (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->email;
}

const char *
turnout_contact_get_city (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->city;
}

const char *
turnout_contact_get_tags (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->tags;
}

gint64
turnout_contact_get_events_attended (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), 0);
  return self->events_attended;
}

const char *
turnout_contact_get_events_attended_display (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->events_attended_display;
}

gint64
turnout_contact_get_total_spend (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), 0);
  return self->total_spend;
}

const char *
turnout_contact_get_total_spend_display (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->total_spend_display;
}

gint64
turnout_contact_get_last_event_at (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), 0);
  return self->last_event_at;
}

const char *
turnout_contact_get_last_event_display (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->last_event_display;
}

const char *
turnout_contact_get_sms_consent (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->sms_consent;
}

const char *
turnout_contact_get_sms_consent_display (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->sms_consent_display;
}

const char *
turnout_contact_get_email_consent (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->email_consent;
}

const char *
turnout_contact_get_email_consent_display (TurnoutContact *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT (self), NULL);
  return self->email_consent_display;
}
