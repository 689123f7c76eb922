/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-contact-details"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-contact-details.h"
#include "turnout-clock.h"
#include "turnout-contacts.h"
#include "turnout-phone.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * Everything the contact editor shows and edits about one person, loaded
 * in one read and saved in one transaction. Edits are held as typed; they
 * are checked and normalized (E.164 phone, lower-cased email, a known time
 * zone) only when validated or saved, so the editor can show every problem
 * at once and a save never writes half a contact.
 *
 * Consent is evidence: a save writes a channel's consent columns only when
 * the editor changed them, because the triggers of the schema append a
 * consent_history row for every write that changes the status or the
 * source. A save that leaves consent alone must not touch those columns,
 * or an opt-out that arrived by SMS while the editor was open would be
 * overwritten.
 */

G_DEFINE_QUARK (turnout-contact-details-error-quark, turnout_contact_details_error)

enum {
  CHANNEL_SMS,
  CHANNEL_EMAIL,
  N_CHANNELS
};

static const char * const channel_names[N_CHANNELS] = { "sms", "email" };

typedef struct
{
  char     *status;
  gint64    at;            /* 0 when never */
  char     *source;
  gboolean  changed;       /* set since it was loaded */
  char     *saved_status;  /* as loaded, to go back to */
  gint64    saved_at;
  char     *saved_source;
} Consent;

struct _TurnoutContactDetails
{
  GObject     parent_instance;

  gint64      id;               /* 0 for a contact not yet saved */
  char       *first_name;
  char       *last_name;
  char       *phone;            /* E.164 as loaded, as typed after an edit; NULL for none */
  char       *email;            /* NULL for none */
  char       *city;
  char       *time_zone;        /* NULL: the application's default */
  char       *notes;
  GStrv       tags;
  GHashTable *genres;           /* case-folded names of the tags that are genres */
  Consent     consent[N_CHANNELS];
  GPtrArray  *history;          /* TurnoutContactConsentChange, newest first */
  GPtrArray  *registrations;    /* TurnoutContactRegistration, latest event first */
  guint       events_attended;
  gint64      total_spend;
  gint64      first_event_at;
  gint64      last_event_at;
  gint64      created_at;
  gint64      updated_at;
};

G_DEFINE_FINAL_TYPE (TurnoutContactDetails, turnout_contact_details, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_FIRST_NAME,
  PROP_LAST_NAME,
  PROP_PHONE,
  PROP_EMAIL,
  PROP_CITY,
  PROP_TIME_ZONE,
  PROP_NOTES,
  PROP_TAGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Boxed records ----------------------------------------------------------- */

TurnoutContactConsentChange *
turnout_contact_consent_change_copy (const TurnoutContactConsentChange *change)
{
  TurnoutContactConsentChange *copy = g_new0 (TurnoutContactConsentChange, 1);

  copy->channel = g_strdup (change->channel);
  copy->status = g_strdup (change->status);
  copy->source = g_strdup (change->source);
  copy->changed_at = change->changed_at;
  return copy;
}

void
turnout_contact_consent_change_free (TurnoutContactConsentChange *change)
{
  if (change == NULL)
    return;
  g_free (change->channel);
  g_free (change->status);
  g_free (change->source);
  g_free (change);
}

G_DEFINE_BOXED_TYPE (TurnoutContactConsentChange, turnout_contact_consent_change,
                     turnout_contact_consent_change_copy, turnout_contact_consent_change_free)

TurnoutContactRegistration *
turnout_contact_registration_copy (const TurnoutContactRegistration *registration)
{
  TurnoutContactRegistration *copy = g_new0 (TurnoutContactRegistration, 1);

  copy->event_id = registration->event_id;
  copy->event_name = g_strdup (registration->event_name);
  copy->event_starts_at = registration->event_starts_at;
  copy->event_time_zone = g_strdup (registration->event_time_zone);
  copy->status = g_strdup (registration->status);
  copy->amount = registration->amount;
  copy->ticket_type = g_strdup (registration->ticket_type);
  return copy;
}

void
turnout_contact_registration_free (TurnoutContactRegistration *registration)
{
  if (registration == NULL)
    return;
  g_free (registration->event_name);
  g_free (registration->event_time_zone);
  g_free (registration->status);
  g_free (registration->ticket_type);
  g_free (registration);
}

G_DEFINE_BOXED_TYPE (TurnoutContactRegistration, turnout_contact_registration,
                     turnout_contact_registration_copy, turnout_contact_registration_free)

/* The object --------------------------------------------------------------- */

/* g_set_str() is GLib 2.76, past the floor. */
static gboolean
replace_str (char       **field,
             const char  *value)
{
  char *copy;

  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  copy = g_strdup (value);
  g_free (*field);
  *field = copy;
  return TRUE;
}

static void
consent_clear (Consent *consent)
{
  g_clear_pointer (&consent->status, g_free);
  g_clear_pointer (&consent->source, g_free);
  g_clear_pointer (&consent->saved_status, g_free);
  g_clear_pointer (&consent->saved_source, g_free);
}

static void
consent_load (Consent    *consent,
              const char *status,
              gint64      at,
              const char *source)
{
  consent_clear (consent);
  consent->status = g_strdup (status);
  consent->at = at;
  consent->source = g_strdup (source);
  consent->saved_status = g_strdup (status);
  consent->saved_at = at;
  consent->saved_source = g_strdup (source);
  consent->changed = FALSE;
}

static void
turnout_contact_details_finalize (GObject *object)
{
  TurnoutContactDetails *self = TURNOUT_CONTACT_DETAILS (object);

  g_free (self->first_name);
  g_free (self->last_name);
  g_free (self->phone);
  g_free (self->email);
  g_free (self->city);
  g_free (self->time_zone);
  g_free (self->notes);
  g_strfreev (self->tags);
  g_hash_table_unref (self->genres);
  for (guint i = 0; i < N_CHANNELS; i++)
    consent_clear (&self->consent[i]);
  g_ptr_array_unref (self->history);
  g_ptr_array_unref (self->registrations);

  G_OBJECT_CLASS (turnout_contact_details_parent_class)->finalize (object);
}

static void
turnout_contact_details_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TurnoutContactDetails *self = TURNOUT_CONTACT_DETAILS (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_FIRST_NAME:
      g_value_set_string (value, self->first_name);
      break;
    case PROP_LAST_NAME:
      g_value_set_string (value, self->last_name);
      break;
    case PROP_PHONE:
      g_value_set_string (value, self->phone);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_CITY:
      g_value_set_string (value, self->city);
      break;
    case PROP_TIME_ZONE:
      g_value_set_string (value, self->time_zone);
      break;
    case PROP_NOTES:
      g_value_set_string (value, self->notes);
      break;
    case PROP_TAGS:
      g_value_set_boxed (value, self->tags);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_contact_details_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TurnoutContactDetails *self = TURNOUT_CONTACT_DETAILS (object);

  switch (prop_id)
    {
    case PROP_FIRST_NAME:
      turnout_contact_details_set_first_name (self, g_value_get_string (value));
      break;
    case PROP_LAST_NAME:
      turnout_contact_details_set_last_name (self, g_value_get_string (value));
      break;
    case PROP_PHONE:
      turnout_contact_details_set_phone (self, g_value_get_string (value));
      break;
    case PROP_EMAIL:
      turnout_contact_details_set_email (self, g_value_get_string (value));
      break;
    case PROP_CITY:
      turnout_contact_details_set_city (self, g_value_get_string (value));
      break;
    case PROP_TIME_ZONE:
      turnout_contact_details_set_time_zone (self, g_value_get_string (value));
      break;
    case PROP_NOTES:
      turnout_contact_details_set_notes (self, g_value_get_string (value));
      break;
    case PROP_TAGS:
      turnout_contact_details_set_tags (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
turnout_contact_details_class_init (TurnoutContactDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = turnout_contact_details_finalize;
  object_class->get_property = turnout_contact_details_get_property;
  object_class->set_property = turnout_contact_details_set_property;

  /**
   * TurnoutContactDetails:id:
   *
   * The contact's id; 0 for a contact not saved yet.
   */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIRST_NAME] = string_property ("first-name");
  properties[PROP_LAST_NAME] = string_property ("last-name");
  /**
   * TurnoutContactDetails:phone:
   *
   * The phone number: E.164 as loaded or saved, as typed after an edit;
   * %NULL for none.
   */
  properties[PROP_PHONE] = string_property ("phone");
  properties[PROP_EMAIL] = string_property ("email");
  properties[PROP_CITY] = string_property ("city");
  /**
   * TurnoutContactDetails:time-zone:
   *
   * An IANA time zone such as "Europe/Berlin"; %NULL means the
   * application's default.
   */
  properties[PROP_TIME_ZONE] = string_property ("time-zone");
  properties[PROP_NOTES] = string_property ("notes");
  properties[PROP_TAGS] =
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
turnout_contact_details_init (TurnoutContactDetails *self)
{
  self->first_name = g_strdup ("");
  self->last_name = g_strdup ("");
  self->city = g_strdup ("");
  self->notes = g_strdup ("");
  self->tags = g_new0 (char *, 1);
  self->genres = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < N_CHANNELS; i++)
    consent_load (&self->consent[i], "unknown", 0, NULL);
  self->history =
    g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_contact_consent_change_free);
  self->registrations =
    g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_contact_registration_free);
}

/**
 * turnout_contact_details_new:
 *
 * Returns: (transfer full): the details of a new contact, not saved yet:
 *   no fields, consent unknown.
 */
TurnoutContactDetails *
turnout_contact_details_new (void)
{
  return g_object_new (TURNOUT_TYPE_CONTACT_DETAILS, NULL);
}

static void
consent_copy (Consent       *to,
              const Consent *from)
{
  consent_clear (to);
  to->status = g_strdup (from->status);
  to->at = from->at;
  to->source = g_strdup (from->source);
  to->changed = from->changed;
  to->saved_status = g_strdup (from->saved_status);
  to->saved_at = from->saved_at;
  to->saved_source = g_strdup (from->saved_source);
}

/**
 * turnout_contact_details_copy:
 *
 * A deep copy, edits included; what a save hands to its worker so the
 * editor may go on changing the original.
 *
 * Returns: (transfer full): the copy
 */
TurnoutContactDetails *
turnout_contact_details_copy (TurnoutContactDetails *self)
{
  TurnoutContactDetails *copy;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  copy = turnout_contact_details_new ();
  copy->id = self->id;
  replace_str (&copy->first_name, self->first_name);
  replace_str (&copy->last_name, self->last_name);
  replace_str (&copy->phone, self->phone);
  replace_str (&copy->email, self->email);
  replace_str (&copy->city, self->city);
  replace_str (&copy->time_zone, self->time_zone);
  replace_str (&copy->notes, self->notes);
  g_strfreev (copy->tags);
  copy->tags = g_strdupv (self->tags);
  g_hash_table_iter_init (&iter, self->genres);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (copy->genres, g_strdup (key));
  for (guint i = 0; i < N_CHANNELS; i++)
    consent_copy (&copy->consent[i], &self->consent[i]);
  for (guint i = 0; i < self->history->len; i++)
    g_ptr_array_add (copy->history,
                     turnout_contact_consent_change_copy (g_ptr_array_index (self->history, i)));
  for (guint i = 0; i < self->registrations->len; i++)
    {
      TurnoutContactRegistration *registration = g_ptr_array_index (self->registrations, i);

      g_ptr_array_add (copy->registrations, turnout_contact_registration_copy (registration));
    }
  copy->events_attended = self->events_attended;
  copy->total_spend = self->total_spend;
  copy->first_event_at = self->first_event_at;
  copy->last_event_at = self->last_event_at;
  copy->created_at = self->created_at;
  copy->updated_at = self->updated_at;
  return copy;
}

gint64
turnout_contact_details_get_id (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), 0);

  return self->id;
}

/* Sets a text field that is never NULL ("" for none). */
static void
set_text (TurnoutContactDetails  *self,
          char                  **field,
          const char             *value,
          int                     prop_id)
{
  if (replace_str (field, value != NULL ? value : ""))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* Sets a field where nothing but blanks means none (NULL). */
static void
set_optional (TurnoutContactDetails  *self,
              char                  **field,
              const char             *value,
              int                     prop_id)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (value != NULL ? value : ""));

  if (replace_str (field, *trimmed != '\0' ? value : NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

const char *
turnout_contact_details_get_first_name (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return self->first_name;
}

void
turnout_contact_details_set_first_name (TurnoutContactDetails *self,
                                        const char            *first_name)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (self));

  set_text (self, &self->first_name, first_name, PROP_FIRST_NAME);
}

const char *
turnout_contact_details_get_last_name (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return self->last_name;
}

void
turnout_contact_details_set_last_name (TurnoutContactDetails *self,
                                       const char            *last_name)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (self));

  set_text (self, &self->last_name, last_name, PROP_LAST_NAME);
}

/**
 * turnout_contact_details_get_phone:
 *
 * Returns: (nullable): the number in E.164 as loaded or saved, or as typed
 *   after turnout_contact_details_set_phone(); %NULL for none.
 */
const char *
turnout_contact_details_get_phone (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return self->phone;
}

/**
 * turnout_contact_details_set_phone:
 * @phone: (nullable): the number in any form a person writes it; empty
 *   or %NULL for none
 *
 * The number is checked and turned into E.164 when validated and saved.
 */
void
turnout_contact_details_set_phone (TurnoutContactDetails *self,
                                   const char            *phone)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (self));

  set_optional (self, &self->phone, phone, PROP_PHONE);
}

const char *
turnout_contact_details_get_email (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return self->email;
}

/**
 * turnout_contact_details_set_email:
 * @email: (nullable): the address as typed; empty or %NULL for none
 *
 * The address is checked and lower-cased when validated and saved.
 */
void
turnout_contact_details_set_email (TurnoutContactDetails *self,
                                   const char            *email)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (self));

  set_optional (self, &self->email, email, PROP_EMAIL);
}

const char *
turnout_contact_details_get_city (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return self->city;
}

void
turnout_contact_details_set_city (TurnoutContactDetails *self,
                                  const char            *city)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (self));

  set_text (self, &self->city, city, PROP_CITY);
}

/**
 * turnout_contact_details_get_time_zone:
 *
 * Returns: (nullable): the contact's time zone, or %NULL when the
 *   application's default applies.
 */
const char *
turnout_contact_details_get_time_zone (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return self->time_zone;
}

void
turnout_contact_details_set_time_zone (TurnoutContactDetails *self,
                                       const char            *time_zone)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (self));

  set_optional (self, &self->time_zone, time_zone, PROP_TIME_ZONE);
}

const char *
turnout_contact_details_get_notes (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return self->notes;
}

void
turnout_contact_details_set_notes (TurnoutContactDetails *self,
                                   const char            *notes)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (self));

  set_text (self, &self->notes, notes, PROP_NOTES);
}

/**
 * turnout_contact_details_get_tags:
 *
 * Returns: (transfer none) (array zero-terminated=1): the contact's tags
 *   and genres, sorted by name as loaded.
 */
const char * const *
turnout_contact_details_get_tags (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return (const char * const *) self->tags;
}

/**
 * turnout_contact_details_set_tags:
 * @tags: (nullable) (array zero-terminated=1): the whole new set; a save
 *   replaces the contact's tags with it and creates the tags that do not
 *   exist yet
 */
void
turnout_contact_details_set_tags (TurnoutContactDetails *self,
                                  const char * const    *tags)
{
  static const char * const none[] = { NULL };

  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (self));

  if (tags == NULL)
    tags = none;
  if (g_strv_equal ((const char * const *) self->tags, tags))
    return;
  g_strfreev (self->tags);
  self->tags = g_strdupv ((char **) tags);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
}

/**
 * turnout_contact_details_is_genre:
 *
 * Returns: whether @tag is one of the contact's tags stored as a genre
 *   (rather than a free tag).
 */
gboolean
turnout_contact_details_is_genre (TurnoutContactDetails *self,
                                  const char            *tag)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), FALSE);
  g_return_val_if_fail (tag != NULL, FALSE);

  key = g_utf8_casefold (tag, -1);
  return g_hash_table_contains (self->genres, key);
}

static int
channel_index (const char *channel)
{
  for (int i = 0; i < N_CHANNELS; i++)
    if (g_strcmp0 (channel, channel_names[i]) == 0)
      return i;
  return -1;
}

/**
 * turnout_contact_details_get_consent:
 * @channel: "sms" or "email"
 * @changed_at: (out) (optional): when it was given or withdrawn, in Unix
 *   seconds; 0 when never
 * @source: (out) (optional) (transfer none) (nullable): where it came from
 *
 * Returns: the consent on @channel: "unknown", "opted_in" or "opted_out".
 */
const char *
turnout_contact_details_get_consent (TurnoutContactDetails  *self,
                                     const char             *channel,
                                     gint64                 *changed_at,
                                     const char            **source)
{
  int i = channel_index (channel);

  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);
  g_return_val_if_fail (i >= 0, NULL);

  if (changed_at != NULL)
    *changed_at = self->consent[i].at;
  if (source != NULL)
    *source = self->consent[i].source;
  return self->consent[i].status;
}

/**
 * turnout_contact_details_set_consent:
 * @channel: "sms" or "email"
 * @status: "unknown", "opted_in" or "opted_out"
 * @source: (nullable): where the change comes from; %NULL for "manual"
 *
 * Records a change of consent, stamped with the time of TurnoutClock; a
 * save stores it and appends it to the consent history. Setting back the
 * status and source that were loaded undoes the change.
 */
void
turnout_contact_details_set_consent (TurnoutContactDetails *self,
                                     const char            *channel,
                                     const char            *status,
                                     const char            *source)
{
  int i = channel_index (channel);
  Consent *consent;

  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (self));
  g_return_if_fail (i >= 0);
  g_return_if_fail (status != NULL);

  consent = &self->consent[i];
  if (source == NULL)
    source = "manual";

  if (g_str_equal (status, consent->saved_status) &&
      (g_strcmp0 (source, consent->saved_source) == 0 || g_str_equal (source, "manual")))
    {
      /* Back to what is stored: nothing to record. */
      replace_str (&consent->status, consent->saved_status);
      replace_str (&consent->source, consent->saved_source);
      consent->at = consent->saved_at;
      consent->changed = FALSE;
      return;
    }
  if (consent->changed && g_str_equal (status, consent->status) &&
      g_strcmp0 (source, consent->source) == 0)
    return;

  replace_str (&consent->status, status);
  replace_str (&consent->source, source);
  consent->at = turnout_clock_get_unix (turnout_clock_get_default ());
  consent->changed = TRUE;
}

/**
 * turnout_contact_details_get_consent_changed:
 * @channel: "sms" or "email"
 *
 * Returns: whether the consent on @channel was changed since it was loaded.
 */
gboolean
turnout_contact_details_get_consent_changed (TurnoutContactDetails *self,
                                             const char            *channel)
{
  int i = channel_index (channel);

  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), FALSE);
  g_return_val_if_fail (i >= 0, FALSE);

  return self->consent[i].changed;
}

/**
 * turnout_contact_details_get_consent_history:
 *
 * Returns: (transfer none) (element-type TurnoutContactConsentChange): every
 *   change of consent stored, on both channels, the most recent first.
 */
GPtrArray *
turnout_contact_details_get_consent_history (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return self->history;
}

/**
 * turnout_contact_details_get_registrations:
 *
 * Returns: (transfer none) (element-type TurnoutContactRegistration): the
 *   contact's registrations, the latest event first.
 */
GPtrArray *
turnout_contact_details_get_registrations (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  return self->registrations;
}

guint
turnout_contact_details_get_events_attended (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), 0);

  return self->events_attended;
}

/**
 * turnout_contact_details_get_total_spend:
 *
 * Returns: what the contact paid for registrations not cancelled, in the
 *   currency's minor units (cents).
 */
gint64
turnout_contact_details_get_total_spend (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), 0);

  return self->total_spend;
}

/**
 * turnout_contact_details_get_first_event_at:
 *
 * Returns: when the first event the contact attended started, in Unix
 *   seconds; 0 when none.
 */
gint64
turnout_contact_details_get_first_event_at (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), 0);

  return self->first_event_at;
}

/**
 * turnout_contact_details_get_last_event_at:
 *
 * Returns: when the last event the contact attended started, in Unix
 *   seconds; 0 when none.
 */
gint64
turnout_contact_details_get_last_event_at (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), 0);

  return self->last_event_at;
}

gint64
turnout_contact_details_get_created_at (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), 0);

  return self->created_at;
}

gint64
turnout_contact_details_get_updated_at (TurnoutContactDetails *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), 0);

  return self->updated_at;
}

/**
 * turnout_contact_details_dup_display_name:
 *
 * Returns: (transfer full): the name, else the email address, else the
 *   phone number, else "Unnamed contact".
 */
char *
turnout_contact_details_dup_display_name (TurnoutContactDetails *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  name = g_strstrip (g_strdup_printf ("%s %s", self->first_name, self->last_name));
  if (*name != '\0')
    return g_steal_pointer (&name);
  if (self->email != NULL)
    return g_strdup (self->email);
  if (self->phone != NULL)
    return g_str_has_prefix (self->phone, "+") ? turnout_phone_format_display (self->phone)
                                                 : g_strdup (self->phone);
  return g_strdup (_("Unnamed contact"));
}

/* Validation ------------------------------------------------------------- */

typedef struct
{
  const char *field;
  const char *label;
} FieldInfo;

/* In the order the editor shows them, which is the order errors are listed. */
static const FieldInfo fields[] = {
  { "first_name", N_("First name") },
  { "last_name", N_("Last name") },
  { "phone", N_("Phone") },
  { "email", N_("Email") },
  { "city", N_("City") },
  { "time_zone", N_("Time zone") },
  { "notes", N_("Notes") },
  { "tags", N_("Tags") },
  { "sms_consent", N_("SMS consent") },
  { "email_consent", N_("Email consent") },
};

/**
 * turnout_contact_details_field_get_label:
 * @field: a key of a field error table, such as "phone"
 *
 * Returns: the field's translated name, such as "Phone"; @field itself
 *   when it is not a field.
 */
const char *
turnout_contact_details_field_get_label (const char *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_strcmp0 (fields[i].field, field) == 0)
      return _(fields[i].label);
  return field;
}

/* The fields as they are stored, once every one is valid. */
typedef struct
{
  char  *first_name;
  char  *last_name;
  char  *phone;       /* E.164 or NULL */
  char  *email;       /* lower-cased or NULL */
  char  *city;
  char  *time_zone;   /* a known zone or NULL */
  char  *notes;
  GStrv  tags;        /* trimmed, without duplicates */
} Normalized;

static void
normalized_clear (Normalized *norm)
{
  g_free (norm->first_name);
  g_free (norm->last_name);
  g_free (norm->phone);
  g_free (norm->email);
  g_free (norm->city);
  g_free (norm->time_zone);
  g_free (norm->notes);
  g_strfreev (norm->tags);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Normalized, normalized_clear)

static gboolean
is_one_line (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      return FALSE;
  return TRUE;
}

static char *
check_line (GHashTable *errors,
            const char *field,
            const char *value)
{
  if (!g_utf8_validate (value, -1, NULL))
    g_hash_table_insert (errors, g_strdup (field), g_strdup (_("this is not valid text")));
  else if (!is_one_line (value))
    g_hash_table_insert (errors, g_strdup (field), g_strdup (_("this must fit on one line")));
  else
    return g_strstrip (g_strdup (value));
  return NULL;
}

static void
check_consent (GHashTable    *errors,
               const char    *field,
               const Consent *consent)
{
  static const char * const statuses[] = { "unknown", "opted_in", "opted_out", NULL };

  if (!g_strv_contains (statuses, consent->status))
    g_hash_table_insert (errors, g_strdup (field),
                         g_strdup_printf (_("“%s” is not a consent; use opted_in, opted_out "
                                            "or unknown"), consent->status));
}

/* Checks every field; fills @norm with the values to store and returns the
 * field errors (empty when there are none). */
static GHashTable *
check_fields (TurnoutContactDetails *self,
              const char            *default_region,
              Normalized            *norm)
{
  GHashTable *errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  norm->first_name = check_line (errors, "first_name", self->first_name);
  norm->last_name = check_line (errors, "last_name", self->last_name);
  norm->city = check_line (errors, "city", self->city);

  if (!g_utf8_validate (self->notes, -1, NULL))
    g_hash_table_insert (errors, g_strdup ("notes"), g_strdup (_("this is not valid text")));
  else
    norm->notes = g_strdup (self->notes);

  if (self->phone != NULL)
    {
      g_autoptr(GError) error = NULL;

      norm->phone = turnout_phone_normalize (self->phone, default_region, &error);
      if (norm->phone == NULL)
        g_hash_table_insert (errors, g_strdup ("phone"), g_strdup (error->message));
    }
  if (self->email != NULL)
    {
      g_autoptr(GError) error = NULL;

      norm->email = turnout_email_normalize (self->email, &error);
      if (norm->email == NULL)
        g_hash_table_insert (errors, g_strdup ("email"), g_strdup (error->message));
    }
  /* Either alone is enough: a contact is reached by text or by email. A
   * number that is wrong already says what to fix. */
  if (self->phone == NULL && self->email == NULL)
    {
      const char *message = _("a contact needs a phone number or an email address");

      g_hash_table_insert (errors, g_strdup ("phone"), g_strdup (message));
      g_hash_table_insert (errors, g_strdup ("email"), g_strdup (message));
    }

  if (self->time_zone != NULL)
    {
      g_autofree char *zone = g_strstrip (g_strdup (self->time_zone));
      g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);

      if (tz == NULL)
        g_hash_table_insert (errors, g_strdup ("time_zone"),
                             g_strdup_printf (_("“%s” is not a known time zone; use a name such "
                                                "as America/New_York or Europe/Berlin"), zone));
      else
        norm->time_zone = g_steal_pointer (&zone);
    }

  {
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; self->tags[i] != NULL; i++)
      {
        g_autofree char *tag = g_strstrip (g_strdup (self->tags[i]));
        char *key;

        if (*tag == '\0')
          continue;
        if (!g_utf8_validate (tag, -1, NULL) || !is_one_line (tag))
          {
            g_hash_table_insert (errors, g_strdup ("tags"),
                                 g_strdup (_("a tag must be one line of text")));
            continue;
          }
        /* Export joins a contact's tags with ";" and vCard import splits
         * them at "," too: either would split the tag in two. */
        if (strpbrk (tag, ";,") != NULL)
          {
            g_hash_table_insert (errors, g_strdup ("tags"),
                                 g_strdup_printf (_("“%s” cannot be a tag: it contains “%c”"),
                                                  tag, *strpbrk (tag, ";,")));
            continue;
          }
        key = g_utf8_casefold (tag, -1);
        if (!g_hash_table_add (seen, key))
          continue;
        g_strv_builder_add (builder, tag);
      }
    norm->tags = g_strv_builder_end (builder);
  }

  for (guint i = 0; i < N_CHANNELS; i++)
    {
      g_autofree char *field = g_strconcat (channel_names[i], "_consent", NULL);

      check_consent (errors, field, &self->consent[i]);
    }

  return errors;
}

/**
 * turnout_contact_details_validate:
 * @default_region: (nullable): the two-letter country assumed for phone
 *   numbers written without a country code (the `contacts.default_region`
 *   setting)
 *
 * Checks every field as a save would, except what needs the database
 * (whether the number or the address belongs to another contact). Does
 * not block.
 *
 * Returns: (transfer full) (nullable) (element-type utf8 utf8): %NULL when
 *   every field is valid; else a table of field ("first_name", "last_name",
 *   "phone", "email", "city", "time_zone", "notes", "tags", "sms_consent",
 *   "email_consent") → what is wrong with it.
 */
GHashTable *
turnout_contact_details_validate (TurnoutContactDetails *self,
                                  const char            *default_region)
{
  g_auto(Normalized) norm = { 0 };
  g_autoptr(GHashTable) errors = NULL;

  g_return_val_if_fail (TURNOUT_IS_CONTACT_DETAILS (self), NULL);

  errors = check_fields (self, default_region, &norm);
  if (g_hash_table_size (errors) == 0)
    return NULL;
  return g_steal_pointer (&errors);
}

/* One GError for all the field errors, listed in the order of the form. */
static void
set_fields_error (GError     **error,
                  int          code,
                  GHashTable  *errors)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *message = g_hash_table_lookup (errors, fields[i].field);

      if (message == NULL)
        continue;
      if (list->len > 0)
        g_string_append (list, "; ");
      /* TRANSLATORS: a field and what is wrong with it, such as
       * "Phone: “555” is too short to be a phone number" */
      g_string_append_printf (list, _("%s: %s"), _(fields[i].label), message);
    }
  g_set_error (error, TURNOUT_CONTACT_DETAILS_ERROR, code,
               _("The contact was not saved. %s"), list->str);
}

/* Loading ------------------------------------------------------------------ */

static char *
dup_text (sqlite3_stmt *stmt,
          int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
step_rows (sqlite3       *db,
           sqlite3_stmt  *stmt,
           int            rc,
           GError       **error)
{
  if (rc == SQLITE_DONE)
    return TRUE;
  return turnout_db_set_error (error, db, rc, _("Could not read the contact"));
}

#define CONTACT_COLUMNS \
  "id, first_name, last_name, phone, email, city, time_zone, notes," \
  " sms_consent, sms_consent_at, sms_consent_source," \
  " email_consent, email_consent_at, email_consent_source," \
  " events_attended, total_spend, first_event_at, last_event_at, created_at, updated_at"

static gboolean
read_contact (TurnoutContactDetails  *self,
              sqlite3                *db,
              gint64                  id,
              GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db, "SELECT " CONTACT_COLUMNS " FROM contacts WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TURNOUT_CONTACT_DETAILS_ERROR, TURNOUT_CONTACT_DETAILS_ERROR_NOT_FOUND,
                   _("There is no contact %" PRId64 "; it may have been erased"), id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return turnout_db_set_error (error, db, rc, _("Could not read the contact"));

  self->id = sqlite3_column_int64 (stmt, 0);
  replace_str (&self->first_name, (const char *) sqlite3_column_text (stmt, 1));
  replace_str (&self->last_name, (const char *) sqlite3_column_text (stmt, 2));
  replace_str (&self->phone, (const char *) sqlite3_column_text (stmt, 3));
  replace_str (&self->email, (const char *) sqlite3_column_text (stmt, 4));
  replace_str (&self->city, (const char *) sqlite3_column_text (stmt, 5));
  replace_str (&self->time_zone, (const char *) sqlite3_column_text (stmt, 6));
  replace_str (&self->notes, (const char *) sqlite3_column_text (stmt, 7));
  for (guint i = 0; i < N_CHANNELS; i++)
    consent_load (&self->consent[i],
                  (const char *) sqlite3_column_text (stmt, 8 + 3 * i),
                  sqlite3_column_int64 (stmt, 9 + 3 * i),
                  (const char *) sqlite3_column_text (stmt, 10 + 3 * i));
  self->events_attended = (guint) sqlite3_column_int64 (stmt, 14);
  self->total_spend = sqlite3_column_int64 (stmt, 15);
  self->first_event_at = sqlite3_column_int64 (stmt, 16);
  self->last_event_at = sqlite3_column_int64 (stmt, 17);
  self->created_at = sqlite3_column_int64 (stmt, 18);
  self->updated_at = sqlite3_column_int64 (stmt, 19);
  return TRUE;
}

static gboolean
read_tags (TurnoutContactDetails  *self,
           sqlite3                *db,
           GError                **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db,
                             "SELECT t.name, t.kind FROM contact_tags ct"
                             " JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = ?1"
                             " ORDER BY t.name COLLATE NOCASE",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->id);
  g_hash_table_remove_all (self->genres);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);

      g_strv_builder_add (builder, name);
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "genre") == 0)
        g_hash_table_add (self->genres, g_utf8_casefold (name, -1));
    }
  if (!step_rows (db, stmt, rc, error))
    return FALSE;
  g_strfreev (self->tags);
  self->tags = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
read_history (TurnoutContactDetails  *self,
              sqlite3                *db,
              GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db,
                             "SELECT channel, status, source, changed_at FROM consent_history"
                             " WHERE contact_id = ?1 ORDER BY changed_at DESC, id DESC",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->id);
  g_ptr_array_set_size (self->history, 0);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TurnoutContactConsentChange *change = g_new0 (TurnoutContactConsentChange, 1);

      change->channel = dup_text (stmt, 0);
      change->status = dup_text (stmt, 1);
      change->source = dup_text (stmt, 2);
      change->changed_at = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (self->history, change);
    }
  return step_rows (db, stmt, rc, error);
}

static gboolean
read_registrations (TurnoutContactDetails  *self,
                    sqlite3                *db,
                    GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = turnout_db_prepare (db,
                             "SELECT e.id, e.name, e.starts_at, e.time_zone, r.status, r.amount,"
                             " r.ticket_type"
                             " FROM registrations r JOIN events e ON e.id = r.event_id"
                             " WHERE r.contact_id = ?1 ORDER BY e.starts_at DESC, r.id DESC",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->id);
  g_ptr_array_set_size (self->registrations, 0);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TurnoutContactRegistration *registration = g_new0 (TurnoutContactRegistration, 1);

      registration->event_id = sqlite3_column_int64 (stmt, 0);
      registration->event_name = dup_text (stmt, 1);
      registration->event_starts_at = sqlite3_column_int64 (stmt, 2);
      registration->event_time_zone = dup_text (stmt, 3);
      registration->status = dup_text (stmt, 4);
      registration->amount = sqlite3_column_int64 (stmt, 5);
      registration->ticket_type = dup_text (stmt, 6);
      g_ptr_array_add (self->registrations, registration);
    }
  return step_rows (db, stmt, rc, error);
}

/* Reads one contact and all that comes with it in one read transaction, so
 * the figures match the registrations shown. */
static TurnoutContactDetails *
load_details (sqlite3  *db,
              gint64    id,
              GError  **error)
{
  g_autoptr(TurnoutContactDetails) self = turnout_contact_details_new ();
  gboolean ok;

  if (!turnout_db_exec (db, "BEGIN", error))
    return NULL;
  ok = read_contact (self, db, id, error) &&
       read_tags (self, db, error) &&
       read_history (self, db, error) &&
       read_registrations (self, db, error);
  turnout_db_rollback (db);
  return ok ? g_steal_pointer (&self) : NULL;
}

static void
load_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  gint64 id = *(gint64 *) task_data;
  GError *error = NULL;
  TurnoutContactDetails *details = load_details (db, id, &error);

  if (details == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, details, g_object_unref);
}

/**
 * turnout_contact_details_load_async:
 * @contact_id: the contact
 *
 * Reads the contact, its tags, consent history, registrations and figures
 * on a worker.
 */
void
turnout_contact_details_load_async (TurnoutStore        *store,
                                    gint64               contact_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (contact_id > 0);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_contact_details_load_async);
  g_task_set_task_data (task, g_memdup2 (&contact_id, sizeof contact_id), g_free);
  turnout_store_run_in_thread (store, task, load_worker);
}

/**
 * turnout_contact_details_load_finish:
 *
 * Returns: (transfer full): the details, or %NULL with @error set
 *   (%TURNOUT_CONTACT_DETAILS_ERROR_NOT_FOUND when there is no such contact).
 */
TurnoutContactDetails *
turnout_contact_details_load_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_contact_details_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Saving ------------------------------------------------------------------- */

typedef struct
{
  TurnoutContactDetails *details;       /* a copy, owned by the worker */
  char                  *region;        /* NULL: the setting */
  GHashTable            *field_errors;  /* set by the worker when it refuses */
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->details);
  g_free (data->region);
  g_clear_pointer (&data->field_errors, g_hash_table_unref);
  g_free (data);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
step_done (sqlite3       *db,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not save the contact"));
  return TRUE;
}

/* The default region as stored, read on the worker so the save needs no
 * TurnoutSettings. */
static char *
read_default_region (sqlite3 *db)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = turnout_db_prepare (db, "SELECT value FROM settings WHERE key = 'contacts.default_region'",
                             NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    return dup_text (stmt, 0);
  return g_strdup (turnout_setting_spec_lookup ("contacts.default_region")->default_value);
}

/* Adds to @errors when @address belongs to a contact other than @id. */
static gboolean
check_taken (sqlite3     *db,
             GHashTable  *errors,
             const char  *field,
             const char  *address,
             gint64       id,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  int rc;

  if (address == NULL)
    return TRUE;

  sql = g_strdup_printf ("SELECT trim (first_name || ' ' || last_name) FROM contacts"
                         " WHERE %s = ?1 AND id <> ?2 ORDER BY id LIMIT 1", field);
  stmt = turnout_db_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, address, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      g_autofree char *shown = g_str_equal (field, "phone") ? turnout_phone_format_display (address)
                                                            : g_strdup (address);

      if (name != NULL && *name != '\0')
        /* TRANSLATORS: "+1 650-555-0100 already belongs to Ana Ruiz" */
        g_hash_table_insert (errors, g_strdup (field),
                             g_strdup_printf (_("%s already belongs to %s"), shown, name));
      else
        g_hash_table_insert (errors, g_strdup (field),
                             g_strdup_printf (_("%s already belongs to another contact"), shown));
      return TRUE;
    }
  return step_rows (db, stmt, rc, error);
}

static gboolean
write_contact (sqlite3                *db,
               TurnoutContactDetails  *details,
               Normalized             *norm,
               gint64                  now,
               gint64                 *id,
               GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (*id == 0)
    {
      Consent *sms = &details->consent[CHANNEL_SMS];
      Consent *mail = &details->consent[CHANNEL_EMAIL];

      /* A new contact's consent goes in with the row; the insert trigger
       * records in the history what is not "unknown". */
      stmt = turnout_db_prepare (db,
                                 "INSERT INTO contacts (first_name, last_name, phone, email, city,"
                                 " time_zone, notes, sms_consent, sms_consent_at,"
                                 " sms_consent_source, email_consent, email_consent_at,"
                                 " email_consent_source,"
                                 " created_at, updated_at)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                                 " ?14, ?14)",
                                 error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 8, sms->status, -1, SQLITE_STATIC);
      if (!g_str_equal (sms->status, "unknown"))
        {
          sqlite3_bind_int64 (stmt, 9, now);
          bind_text_or_null (stmt, 10, sms->source);
        }
      sqlite3_bind_text (stmt, 11, mail->status, -1, SQLITE_STATIC);
      if (!g_str_equal (mail->status, "unknown"))
        {
          sqlite3_bind_int64 (stmt, 12, now);
          bind_text_or_null (stmt, 13, mail->source);
        }
      sqlite3_bind_int64 (stmt, 14, now);
    }
  else
    {
      stmt = turnout_db_prepare (db,
                                 "UPDATE contacts SET first_name = ?1, last_name = ?2, phone = ?3,"
                                 " email = ?4, city = ?5, time_zone = ?6, notes = ?7,"
                                 " updated_at = ?14 WHERE id = ?15",
                                 error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 14, now);
      sqlite3_bind_int64 (stmt, 15, *id);
    }

  sqlite3_bind_text (stmt, 1, norm->first_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, norm->last_name, -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 3, norm->phone);
  bind_text_or_null (stmt, 4, norm->email);
  sqlite3_bind_text (stmt, 5, norm->city, -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 6, norm->time_zone);
  sqlite3_bind_text (stmt, 7, norm->notes, -1, SQLITE_STATIC);
  if (!step_done (db, stmt, error))
    return FALSE;
  if (*id == 0)
    *id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

/* Writes the consent of a channel the editor changed, unless the stored
 * status and source are already the same (an opt-out by SMS may have
 * arrived meanwhile): the trigger appends to the history on every write
 * that changes them. */
static gboolean
write_consent (sqlite3     *db,
               gint64       id,
               int          channel,
               Consent     *consent,
               gint64       now,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  const char *name = channel_names[channel];

  if (!consent->changed)
    return TRUE;

  sql = g_strdup_printf ("UPDATE contacts SET %s_consent = ?1, %s_consent_at = ?2,"
                         " %s_consent_source = ?3 WHERE id = ?4"
                         " AND (%s_consent IS NOT ?1 OR %s_consent_source IS NOT ?3)",
                         name, name, name, name, name);
  stmt = turnout_db_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, consent->status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now);
  bind_text_or_null (stmt, 3, consent->source);
  sqlite3_bind_int64 (stmt, 4, id);
  return step_done (db, stmt, error);
}

static gboolean
write_tags (sqlite3             *db,
            gint64               id,
            const char * const  *tags,
            GError             **error)
{
  g_autoptr(sqlite3_stmt) clear = NULL;
  g_autoptr(sqlite3_stmt) insert_tag = NULL;
  g_autoptr(sqlite3_stmt) link = NULL;

  clear = turnout_db_prepare (db, "DELETE FROM contact_tags WHERE contact_id = ?1", error);
  if (clear == NULL)
    return FALSE;
  sqlite3_bind_int64 (clear, 1, id);
  if (!step_done (db, clear, error))
    return FALSE;

  /* A tag that exists under another case is the same tag (names are
   * NOCASE); it keeps the spelling it has. */
  insert_tag = turnout_db_prepare (db,
                                   "INSERT INTO tags (name, kind) VALUES (?1, 'tag')"
                                   " ON CONFLICT (name) DO NOTHING",
                                   error);
  link = turnout_db_prepare (db,
                             "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id)"
                             " SELECT ?1, id FROM tags WHERE name = ?2",
                             error);
  if (insert_tag == NULL || link == NULL)
    return FALSE;

  for (guint i = 0; tags[i] != NULL; i++)
    {
      sqlite3_reset (insert_tag);
      sqlite3_bind_text (insert_tag, 1, tags[i], -1, SQLITE_STATIC);
      if (!step_done (db, insert_tag, error))
        return FALSE;
      sqlite3_reset (link);
      sqlite3_bind_int64 (link, 1, id);
      sqlite3_bind_text (link, 2, tags[i], -1, SQLITE_STATIC);
      if (!step_done (db, link, error))
        return FALSE;
    }
  return TRUE;
}

static void
save_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  TurnoutContactDetails *details = data->details;
  g_auto(Normalized) norm = { 0 };
  g_autoptr(GHashTable) errors = NULL;
  g_autofree char *region = NULL;
  GError *error = NULL;
  TurnoutContactDetails *saved;
  gint64 now = turnout_clock_get_unix (turnout_clock_get_default ());
  gint64 id = details->id;

  region = data->region != NULL ? g_strdup (data->region) : read_default_region (db);
  errors = check_fields (details, region, &norm);
  if (g_hash_table_size (errors) > 0)
    {
      set_fields_error (&error, TURNOUT_CONTACT_DETAILS_ERROR_INVALID, errors);
      data->field_errors = g_steal_pointer (&errors);
      g_task_return_error (task, error);
      return;
    }

  if (!turnout_db_begin (db, &error))
    goto fail;

  if (id != 0)
    {
      g_autoptr(sqlite3_stmt) exists = NULL;
      int rc;

      exists = turnout_db_prepare (db, "SELECT 1 FROM contacts WHERE id = ?1", &error);
      if (exists == NULL)
        goto fail;
      sqlite3_bind_int64 (exists, 1, id);
      rc = sqlite3_step (exists);
      if (rc == SQLITE_DONE)
        {
          g_set_error (&error, TURNOUT_CONTACT_DETAILS_ERROR,
                       TURNOUT_CONTACT_DETAILS_ERROR_NOT_FOUND,
                       _("The contact was not saved: it no longer exists (it may have been "
                         "erased)"));
          goto fail;
        }
      if (rc != SQLITE_ROW)
        {
          turnout_db_set_error (&error, db, rc, _("Could not read the contact"));
          goto fail;
        }
    }

  /* One person, one record: a number or an address that is someone
   * else's is refused, not merged into a second contact. */
  if (!check_taken (db, errors, "phone", norm.phone, id, &error) ||
      !check_taken (db, errors, "email", norm.email, id, &error))
    goto fail;
  if (g_hash_table_size (errors) > 0)
    {
      set_fields_error (&error, TURNOUT_CONTACT_DETAILS_ERROR_DUPLICATE, errors);
      data->field_errors = g_steal_pointer (&errors);
      goto fail;
    }

  if (!write_contact (db, details, &norm, now, &id, &error))
    goto fail;
  if (details->id != 0)
    for (int i = 0; i < N_CHANNELS; i++)
      if (!write_consent (db, id, i, &details->consent[i], now, &error))
        goto fail;
  if (!write_tags (db, id, (const char * const *) norm.tags, &error) ||
      !turnout_db_commit (db, &error))
    goto fail;

  saved = load_details (db, id, &error);
  if (saved == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, saved, g_object_unref);
  return;

fail:
  turnout_db_rollback (db);
  g_task_return_error (task, error);
}

/**
 * turnout_contact_details_save_async:
 * @details: the contact with the user's edits; it is copied, so it may be
 *   changed again while the save runs
 * @default_region: (nullable): the country assumed for phone numbers
 *   without a country code; %NULL for the `contacts.default_region` setting
 *
 * Validates every field, then, in one transaction, refuses a phone number
 * or an email address another contact has, and writes the contact, its
 * changed consent (appending to the consent history) and its tags (the
 * set replaces the stored one; missing tags are created). Nothing is
 * written unless all of it is.
 */
void
turnout_contact_details_save_async (TurnoutStore          *store,
                                    TurnoutContactDetails *details,
                                    const char            *default_region,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (TURNOUT_IS_CONTACT_DETAILS (details));

  data = g_new0 (SaveData, 1);
  data->details = turnout_contact_details_copy (details);
  data->region = g_strdup (default_region);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_contact_details_save_async);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  turnout_store_run_in_thread (store, task, save_worker);
}

/**
 * turnout_contact_details_save_finish:
 * @field_errors: (out) (optional) (transfer full) (nullable): when the save
 *   was refused for the fields (%TURNOUT_CONTACT_DETAILS_ERROR_INVALID or
 *   %TURNOUT_CONTACT_DETAILS_ERROR_DUPLICATE), the table of field → what is
 *   wrong, as turnout_contact_details_validate() returns it; else %NULL
 *
 * Returns: (transfer full): the contact as stored now (with its id when it
 *   is new, its new consent history), or %NULL with @error set; @error
 *   then lists every field error in one message.
 */
TurnoutContactDetails *
turnout_contact_details_save_finish (GAsyncResult  *result,
                                     GHashTable   **field_errors,
                                     GError       **error)
{
  SaveData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_contact_details_save_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (field_errors != NULL)
    *field_errors = data->field_errors != NULL ? g_hash_table_ref (data->field_errors) : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Tag names ----------------------------------------------------------------- */

static void
list_tags_worker (GTask        *task,
                  sqlite3      *db,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  stmt = turnout_db_prepare (db, "SELECT name FROM tags ORDER BY name COLLATE NOCASE", &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      turnout_db_set_error (&error, db, rc, _("Could not read the tags"));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strv_builder_end (builder), (GDestroyNotify) g_strfreev);
}

/**
 * turnout_contact_details_list_tags_async:
 *
 * Reads the names of every tag and genre, for completion.
 */
void
turnout_contact_details_list_tags_async (TurnoutStore        *store,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_contact_details_list_tags_async);
  turnout_store_run_in_thread (store, task, list_tags_worker);
}

/**
 * turnout_contact_details_list_tags_finish:
 *
 * Returns: (transfer full): the names, sorted without regard to case; %NULL
 *   with @error set.
 */
GStrv
turnout_contact_details_list_tags_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_contact_details_list_tags_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GDPR ---------------------------------------------------------------------- */

typedef struct
{
  TurnoutStore *store;
  gint64        id;
  GFile        *file;   /* for an export */
} GdprData;

static void
gdpr_data_free (GdprData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->file);
  g_free (data);
}

static GTask *
gdpr_task_new (TurnoutStore        *store,
               gint64               contact_id,
               GFile               *file,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GdprData *data = g_new0 (GdprData, 1);

  data->store = g_object_ref (store);
  data->id = contact_id;
  data->file = file != NULL ? g_object_ref (file) : NULL;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) gdpr_data_free);
  return task;
}

static void
erase_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GdprData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (turnout_contacts_erase (data->store, data->id, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * turnout_contact_details_erase_async:
 * @contact_id: the contact
 *
 * GDPR erasure on a worker: see turnout_contacts_erase(). The phone number
 * and the email address are kept only as suppressions.
 */
void
turnout_contact_details_erase_async (TurnoutStore        *store,
                                     gint64               contact_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (contact_id > 0);

  task = gdpr_task_new (store, contact_id, NULL, cancellable, callback, user_data,
                        turnout_contact_details_erase_async);
  g_task_run_in_thread (task, erase_worker);
}

gboolean
turnout_contact_details_erase_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_contact_details_erase_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GdprData *data = task_data;
  g_autofree char *json = NULL;
  GError *error = NULL;

  json = turnout_contacts_dup_json (data->store, data->id, &error);
  /* The report is personal data: only its owner may read the file. */
  if (json == NULL ||
      !g_file_replace_contents (data->file, json, strlen (json), NULL, FALSE,
                                G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                NULL, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * turnout_contact_details_export_async:
 * @contact_id: the contact
 * @file: where the report goes; it is replaced, readable only by its owner
 *
 * Writes everything stored about the contact as JSON (a GDPR access
 * request, see turnout_contacts_dup_json()) on a worker.
 */
void
turnout_contact_details_export_async (TurnoutStore        *store,
                                      gint64               contact_id,
                                      GFile               *file,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (contact_id > 0);
  g_return_if_fail (G_IS_FILE (file));

  task = gdpr_task_new (store, contact_id, file, cancellable, callback, user_data,
                        turnout_contact_details_export_async);
  g_task_run_in_thread (task, export_worker);
}

gboolean
turnout_contact_details_export_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_contact_details_export_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
