/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-registration"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-event.h"
#include "turnout-registration.h"

/*
 * One registration of a contact for an event, as the store read it, with
 * the contact's name and addresses so a list of them needs no second query.
 * The labels are what a list shows; times are shown in the event's time
 * zone, which the store copies onto each registration it loads. An event
 * can have ten thousand of these, so they stay small: plain fields, labels
 * made only when asked for.
 */

G_DEFINE_ENUM_TYPE (TurnoutRegistrationStatus, turnout_registration_status,
                    G_DEFINE_ENUM_VALUE (TURNOUT_REGISTRATION_DRAFT, "draft"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_REGISTRATION_REGISTERED, "registered"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_REGISTRATION_CANCELLED, "cancelled"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_REGISTRATION_ATTENDED, "attended"))

struct _TurnoutRegistration
{
  GObject                    parent_instance;

  gint64                     id;            /* 0 until stored */
  gint64                     event_id;
  gint64                     contact_id;
  char                      *contact_name;
  char                      *phone;         /* E.164, or NULL */
  char                      *email;         /* or NULL */
  TurnoutRegistrationStatus  status;
  gint64                     amount;        /* minor units */
  char                      *ticket_type;
  gint64                     created_at;    /* Unix seconds; 0 = none */
  gint64                     confirmed_at;
  gint64                     cancelled_at;
  char                      *time_zone;     /* the event's; NULL = UTC */
};

G_DEFINE_FINAL_TYPE (TurnoutRegistration, turnout_registration, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_EVENT_ID,
  PROP_CONTACT_ID,
  PROP_CONTACT_NAME,
  PROP_PHONE,
  PROP_EMAIL,
  PROP_CONTACT_DETAIL,
  PROP_STATUS,
  PROP_STATUS_LABEL,
  PROP_AMOUNT,
  PROP_AMOUNT_LABEL,
  PROP_TICKET_TYPE,
  PROP_CREATED_AT,
  PROP_CREATED_LABEL,
  PROP_CONFIRMED_AT,
  PROP_CONFIRMED_LABEL,
  PROP_CANCELLED_AT,
  PROP_CANCELLED_LABEL,
  PROP_TIME_ZONE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
turnout_registration_status_to_string (TurnoutRegistrationStatus status)
{
  switch (status)
    {
    case TURNOUT_REGISTRATION_DRAFT:
      return "draft";
    case TURNOUT_REGISTRATION_REGISTERED:
      return "registered";
    case TURNOUT_REGISTRATION_CANCELLED:
      return "cancelled";
    case TURNOUT_REGISTRATION_ATTENDED:
      return "attended";
    default:
      g_return_val_if_reached ("draft");
    }
}

/**
 * turnout_registration_status_from_string:
 * @text: a value of `registrations.status`
 *
 * Returns: %TRUE with @status set when @text is one of the four.
 */
gboolean
turnout_registration_status_from_string (const char                *text,
                                         TurnoutRegistrationStatus *status)
{
  static const TurnoutRegistrationStatus all[] = {
    TURNOUT_REGISTRATION_DRAFT, TURNOUT_REGISTRATION_REGISTERED,
    TURNOUT_REGISTRATION_CANCELLED, TURNOUT_REGISTRATION_ATTENDED,
  };

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (all); i++)
    if (g_str_equal (text, turnout_registration_status_to_string (all[i])))
      {
        *status = all[i];
        return TRUE;
      }
  return FALSE;
}

/**
 * turnout_registration_status_get_label:
 *
 * Returns: the status as a user reads it, translated.
 */
const char *
turnout_registration_status_get_label (TurnoutRegistrationStatus status)
{
  switch (status)
    {
    case TURNOUT_REGISTRATION_DRAFT:
      return C_("registration status", "Draft");
    case TURNOUT_REGISTRATION_REGISTERED:
      return C_("registration status", "Registered");
    case TURNOUT_REGISTRATION_CANCELLED:
      return C_("registration status", "Cancelled");
    case TURNOUT_REGISTRATION_ATTENDED:
      return C_("registration status", "Attended");
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * turnout_format_amount:
 * @minor_units: an amount in cents
 *
 * Returns: (transfer full): the amount with two decimals and the digit
 *   grouping of the locale, such as "1,234.50".
 */
char *
turnout_format_amount (gint64 minor_units)
{
  /* Doubles hold every amount up to 2^53 cents exactly, far beyond any
   * ticket; printf brings the locale's separators. */
  return g_strdup_printf ("%'.2f", (double) minor_units / 100.0);
}

static char *
format_time (TurnoutRegistration *self,
             gint64               time)
{
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (time == 0 || (utc = g_date_time_new_from_unix_utc (time)) == NULL)
    return g_strdup ("");
  zone = turnout_time_zone_new (self->time_zone);
  local = g_date_time_to_timezone (utc, zone);
  /* TRANSLATORS: when a registration was made, confirmed or cancelled, as
   * in "1 May 2026, 14:00": shorter than an event's date, for a column of
   * them; see strftime(3). */
  return g_date_time_format (local, C_("registration time", "%-d %b %Y, %H:%M"));
}

static void
turnout_registration_finalize (GObject *object)
{
  TurnoutRegistration *self = TURNOUT_REGISTRATION (object);

  g_free (self->contact_name);
  g_free (self->phone);
  g_free (self->email);
  g_free (self->ticket_type);
  g_free (self->time_zone);

  G_OBJECT_CLASS (turnout_registration_parent_class)->finalize (object);
}

static void
turnout_registration_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TurnoutRegistration *self = TURNOUT_REGISTRATION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_EVENT_ID:
      g_value_set_int64 (value, self->event_id);
      break;
    case PROP_CONTACT_ID:
      g_value_set_int64 (value, self->contact_id);
      break;
    case PROP_CONTACT_NAME:
      g_value_set_string (value, self->contact_name);
      break;
    case PROP_PHONE:
      g_value_set_string (value, self->phone);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_CONTACT_DETAIL:
      g_value_set_string (value, turnout_registration_get_contact_detail (self));
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_STATUS_LABEL:
      g_value_set_string (value, turnout_registration_status_get_label (self->status));
      break;
    case PROP_AMOUNT:
      g_value_set_int64 (value, self->amount);
      break;
    case PROP_AMOUNT_LABEL:
      g_value_take_string (value, turnout_format_amount (self->amount));
      break;
    case PROP_TICKET_TYPE:
      g_value_set_string (value, self->ticket_type);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_CREATED_LABEL:
      g_value_take_string (value, format_time (self, self->created_at));
      break;
    case PROP_CONFIRMED_AT:
      g_value_set_int64 (value, self->confirmed_at);
      break;
    case PROP_CONFIRMED_LABEL:
      g_value_take_string (value, format_time (self, self->confirmed_at));
      break;
    case PROP_CANCELLED_AT:
      g_value_set_int64 (value, self->cancelled_at);
      break;
    case PROP_CANCELLED_LABEL:
      g_value_take_string (value, format_time (self, self->cancelled_at));
      break;
    case PROP_TIME_ZONE:
      g_value_set_string (value, self->time_zone);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_registration_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TurnoutRegistration *self = TURNOUT_REGISTRATION (object);

  switch (prop_id)
    {
    case PROP_ID:
      turnout_registration_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_EVENT_ID:
      turnout_registration_set_event_id (self, g_value_get_int64 (value));
      break;
    case PROP_CONTACT_ID:
      turnout_registration_set_contact_id (self, g_value_get_int64 (value));
      break;
    case PROP_CONTACT_NAME:
      turnout_registration_set_contact_name (self, g_value_get_string (value));
      break;
    case PROP_PHONE:
      turnout_registration_set_phone (self, g_value_get_string (value));
      break;
    case PROP_EMAIL:
      turnout_registration_set_email (self, g_value_get_string (value));
      break;
    case PROP_STATUS:
      turnout_registration_set_status (self, g_value_get_enum (value));
      break;
    case PROP_AMOUNT:
      turnout_registration_set_amount (self, g_value_get_int64 (value));
      break;
    case PROP_TICKET_TYPE:
      turnout_registration_set_ticket_type (self, g_value_get_string (value));
      break;
    case PROP_CREATED_AT:
      turnout_registration_set_created_at (self, g_value_get_int64 (value));
      break;
    case PROP_CONFIRMED_AT:
      turnout_registration_set_confirmed_at (self, g_value_get_int64 (value));
      break;
    case PROP_CANCELLED_AT:
      turnout_registration_set_cancelled_at (self, g_value_get_int64 (value));
      break;
    case PROP_TIME_ZONE:
      turnout_registration_set_time_zone (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)
#define RO (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)

static void
turnout_registration_class_init (TurnoutRegistrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = turnout_registration_finalize;
  object_class->get_property = turnout_registration_get_property;
  object_class->set_property = turnout_registration_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_EVENT_ID] = g_param_spec_int64 ("event-id", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_CONTACT_ID] =
    g_param_spec_int64 ("contact-id", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_CONTACT_NAME] = g_param_spec_string ("contact-name", NULL, NULL, "", RW);
  properties[PROP_PHONE] = g_param_spec_string ("phone", NULL, NULL, NULL, RW);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, RW);
  /**
   * TurnoutRegistration:contact-detail:
   *
   * The email address, or the phone number when there is none: what tells
   * two people of the same name apart.
   */
  properties[PROP_CONTACT_DETAIL] = g_param_spec_string ("contact-detail", NULL, NULL, "", RO);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, TURNOUT_TYPE_REGISTRATION_STATUS,
                       TURNOUT_REGISTRATION_REGISTERED, RW);
  properties[PROP_STATUS_LABEL] = g_param_spec_string ("status-label", NULL, NULL, "", RO);
  properties[PROP_AMOUNT] = g_param_spec_int64 ("amount", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_AMOUNT_LABEL] = g_param_spec_string ("amount-label", NULL, NULL, "", RO);
  properties[PROP_TICKET_TYPE] = g_param_spec_string ("ticket-type", NULL, NULL, "", RW);
  properties[PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_CREATED_LABEL] = g_param_spec_string ("created-label", NULL, NULL, "", RO);
  properties[PROP_CONFIRMED_AT] =
    g_param_spec_int64 ("confirmed-at", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_CONFIRMED_LABEL] =
    g_param_spec_string ("confirmed-label", NULL, NULL, "", RO);
  properties[PROP_CANCELLED_AT] =
    g_param_spec_int64 ("cancelled-at", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_CANCELLED_LABEL] =
    g_param_spec_string ("cancelled-label", NULL, NULL, "", RO);
  /**
   * TurnoutRegistration:time-zone:
   *
   * The IANA name of the event's time zone, in which the time labels are
   * written; %NULL for UTC.
   */
  properties[PROP_TIME_ZONE] = g_param_spec_string ("time-zone", NULL, NULL, NULL, RW);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

#undef RW
#undef RO

static void
turnout_registration_init (TurnoutRegistration *self)
{
  self->status = TURNOUT_REGISTRATION_REGISTERED;
  self->contact_name = g_strdup ("");
  self->ticket_type = g_strdup ("");
}

/**
 * turnout_registration_new:
 *
 * Returns: (transfer full): a registration not yet stored: status
 *   registered, amount 0, no contact.
 */
TurnoutRegistration *
turnout_registration_new (void)
{
  return g_object_new (TURNOUT_TYPE_REGISTRATION, NULL);
}

/**
 * turnout_registration_update_from:
 * @other: the same registration as read again from the store
 *
 * Takes every value of @other, notifying what changes, so rows bound to
 * @self follow.
 */
void
turnout_registration_update_from (TurnoutRegistration *self,
                                  TurnoutRegistration *other)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  g_return_if_fail (TURNOUT_IS_REGISTRATION (other));

  g_object_freeze_notify (G_OBJECT (self));
  turnout_registration_set_id (self, other->id);
  turnout_registration_set_event_id (self, other->event_id);
  turnout_registration_set_contact_id (self, other->contact_id);
  turnout_registration_set_contact_name (self, other->contact_name);
  turnout_registration_set_phone (self, other->phone);
  turnout_registration_set_email (self, other->email);
  turnout_registration_set_status (self, other->status);
  turnout_registration_set_amount (self, other->amount);
  turnout_registration_set_ticket_type (self, other->ticket_type);
  turnout_registration_set_created_at (self, other->created_at);
  turnout_registration_set_confirmed_at (self, other->confirmed_at);
  turnout_registration_set_cancelled_at (self, other->cancelled_at);
  turnout_registration_set_time_zone (self, other->time_zone);
  g_object_thaw_notify (G_OBJECT (self));
}

/* GLib 2.74 has no g_set_str(). */
static gboolean
replace_str (char       **field,
             const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* Sets *field, notifying @prop (and @label, a property derived from it)
 * only when the value changes. */
static void
set_int64 (TurnoutRegistration *self,
           gint64              *field,
           gint64               value,
           int                  prop,
           int                  label)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  if (label != PROP_0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[label]);
}

static void
set_string (TurnoutRegistration  *self,
            char                **field,
            const char           *value,
            int                   prop,
            gboolean              detail)
{
  if (!replace_str (field, value))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  if (detail)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTACT_DETAIL]);
}

gint64
turnout_registration_get_id (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), 0);
  return self->id;
}

void
turnout_registration_set_id (TurnoutRegistration *self,
                             gint64               id)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_int64 (self, &self->id, id, PROP_ID, PROP_0);
}

gint64
turnout_registration_get_event_id (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), 0);
  return self->event_id;
}

void
turnout_registration_set_event_id (TurnoutRegistration *self,
                                   gint64               event_id)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_int64 (self, &self->event_id, event_id, PROP_EVENT_ID, PROP_0);
}

gint64
turnout_registration_get_contact_id (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), 0);
  return self->contact_id;
}

void
turnout_registration_set_contact_id (TurnoutRegistration *self,
                                     gint64               contact_id)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_int64 (self, &self->contact_id, contact_id, PROP_CONTACT_ID, PROP_0);
}

const char *
turnout_registration_get_contact_name (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), NULL);
  return self->contact_name;
}

void
turnout_registration_set_contact_name (TurnoutRegistration *self,
                                       const char          *name)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_string (self, &self->contact_name, name != NULL ? name : "", PROP_CONTACT_NAME, FALSE);
}

const char *
turnout_registration_get_phone (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), NULL);
  return self->phone;
}

void
turnout_registration_set_phone (TurnoutRegistration *self,
                                const char          *phone)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_string (self, &self->phone, phone, PROP_PHONE, TRUE);
}

const char *
turnout_registration_get_email (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), NULL);
  return self->email;
}

void
turnout_registration_set_email (TurnoutRegistration *self,
                                const char          *email)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_string (self, &self->email, email, PROP_EMAIL, TRUE);
}

/**
 * turnout_registration_get_contact_detail:
 *
 * Returns: (transfer none): the email address, else the phone number, else "".
 */
const char *
turnout_registration_get_contact_detail (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), NULL);

  if (self->email != NULL)
    return self->email;
  return self->phone != NULL ? self->phone : "";
}

TurnoutRegistrationStatus
turnout_registration_get_status (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), TURNOUT_REGISTRATION_DRAFT);
  return self->status;
}

void
turnout_registration_set_status (TurnoutRegistration       *self,
                                 TurnoutRegistrationStatus  status)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  g_return_if_fail (status <= TURNOUT_REGISTRATION_ATTENDED);

  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_LABEL]);
}

gint64
turnout_registration_get_amount (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), 0);
  return self->amount;
}

void
turnout_registration_set_amount (TurnoutRegistration *self,
                                 gint64               amount)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  g_return_if_fail (amount >= 0);
  set_int64 (self, &self->amount, amount, PROP_AMOUNT, PROP_AMOUNT_LABEL);
}

const char *
turnout_registration_get_ticket_type (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), NULL);
  return self->ticket_type;
}

void
turnout_registration_set_ticket_type (TurnoutRegistration *self,
                                      const char          *ticket_type)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_string (self, &self->ticket_type, ticket_type != NULL ? ticket_type : "",
              PROP_TICKET_TYPE, FALSE);
}

gint64
turnout_registration_get_created_at (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), 0);
  return self->created_at;
}

void
turnout_registration_set_created_at (TurnoutRegistration *self,
                                     gint64               time)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_int64 (self, &self->created_at, time, PROP_CREATED_AT, PROP_CREATED_LABEL);
}

gint64
turnout_registration_get_confirmed_at (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), 0);
  return self->confirmed_at;
}

void
turnout_registration_set_confirmed_at (TurnoutRegistration *self,
                                       gint64               time)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_int64 (self, &self->confirmed_at, time, PROP_CONFIRMED_AT, PROP_CONFIRMED_LABEL);
}

gint64
turnout_registration_get_cancelled_at (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), 0);
  return self->cancelled_at;
}

void
turnout_registration_set_cancelled_at (TurnoutRegistration *self,
                                       gint64               time)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));
  set_int64 (self, &self->cancelled_at, time, PROP_CANCELLED_AT, PROP_CANCELLED_LABEL);
}

const char *
turnout_registration_get_time_zone (TurnoutRegistration *self)
{
  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), NULL);
  return self->time_zone;
}

void
turnout_registration_set_time_zone (TurnoutRegistration *self,
                                    const char          *zone)
{
  g_return_if_fail (TURNOUT_IS_REGISTRATION (self));

  if (!replace_str (&self->time_zone, zone))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_ZONE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED_LABEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIRMED_LABEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CANCELLED_LABEL]);
}

/**
 * turnout_registration_matches:
 * @query: (nullable): what the user typed
 *
 * Whether every word of @query starts a word of the contact's name or
 * email (ignoring case and accents), or @query's digits occur in the phone
 * number. An empty query matches everything.
 */
gboolean
turnout_registration_matches (TurnoutRegistration *self,
                              const char          *query)
{
  g_autoptr(GString) digits = NULL;
  g_autofree char *folded = NULL;

  g_return_val_if_fail (TURNOUT_IS_REGISTRATION (self), FALSE);

  if (query == NULL || *query == '\0')
    return TRUE;
  /* g_str_match_string() folds accents of the text only; the query's are
   * folded here, so "Zoë" and "zoe" find each other both ways. */
  folded = g_str_to_ascii (query, NULL);
  if (g_str_match_string (query, self->contact_name, TRUE) ||
      g_str_match_string (folded, self->contact_name, TRUE))
    return TRUE;
  if (self->email != NULL && g_str_match_string (query, self->email, TRUE))
    return TRUE;

  digits = g_string_new (NULL);
  for (const char *p = query; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (!g_ascii_isspace (*p) && *p != '+' && *p != '-' && *p != '(' && *p != ')')
        return FALSE;
    }
  return digits->len >= 3 && self->phone != NULL && strstr (self->phone, digits->str) != NULL;
}
