/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-event"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-event.h"

/*
 * An event as the store keeps it: name, start and end (Unix seconds, UTC),
 * the IANA time zone of the venue, venue, city and genres, with counts of
 * its registrations by status and the revenue of those not cancelled. The
 * labels write times in the event's own time zone — a show in Berlin starts
 * at 22:00 in Berlin wherever the promoter's laptop is — and name the zone
 * so that is never a guess.
 */

G_DEFINE_QUARK (turnout-event-error-quark, turnout_event_error)

struct _TurnoutEvent
{
  GObject  parent_instance;

  gint64   id;             /* 0 until stored */
  char    *name;
  gint64   starts_at;      /* 0 = not set */
  gint64   ends_at;        /* 0 = none */
  char    *time_zone;
  char    *venue;
  char    *city;
  GStrv    genres;         /* never NULL */
  guint    draft_count;
  guint    registered_count;
  guint    cancelled_count;
  guint    attended_count;
  gint64   revenue;        /* minor units */
};

G_DEFINE_FINAL_TYPE (TurnoutEvent, turnout_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_STARTS_AT,
  PROP_ENDS_AT,
  PROP_TIME_ZONE,
  PROP_VENUE,
  PROP_CITY,
  PROP_GENRES,
  PROP_DRAFT_COUNT,
  PROP_REGISTERED_COUNT,
  PROP_CANCELLED_COUNT,
  PROP_ATTENDED_COUNT,
  PROP_REVENUE,
  PROP_WHEN_LABEL,
  PROP_DATE_LABEL,
  PROP_PLACE_LABEL,
  PROP_COUNTS_LABEL,
  PROP_GENRES_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

/**
 * turnout_time_zone_is_valid:
 * @zone: (nullable): an IANA time zone name such as "Europe/Berlin"
 *
 * Returns: whether GLib knows @zone.
 */
gboolean
turnout_time_zone_is_valid (const char *zone)
{
  g_autoptr(GTimeZone) tz = NULL;

  if (zone == NULL || *zone == '\0')
    return FALSE;
  /* A path would make GLib read whatever file it names. */
  if (zone[0] == '/' || strstr (zone, "..") != NULL)
    return FALSE;
  tz = g_time_zone_new_identifier (zone);
  return tz != NULL;
}

/**
 * turnout_time_zone_new:
 * @zone: (nullable): an IANA time zone name
 *
 * Returns: (transfer full): the zone, or UTC when @zone is unknown.
 */
GTimeZone *
turnout_time_zone_new (const char *zone)
{
  GTimeZone *tz = NULL;

  if (turnout_time_zone_is_valid (zone))
    tz = g_time_zone_new_identifier (zone);
  return tz != NULL ? tz : g_time_zone_new_utc ();
}

static char *
format_date (GDateTime *dt)
{
  /* TRANSLATORS: the date of an event, as in "Sat 2 May 2026"; see strftime(3). */
  return g_date_time_format (dt, C_("event date", "%a %-d %b %Y"));
}

static char *
format_clock (GDateTime *dt)
{
  /* TRANSLATORS: a time of day, as in "22:00"; see strftime(3). */
  return g_date_time_format (dt, C_("time of day", "%H:%M"));
}

static char *
format_date_and_clock (GDateTime *dt)
{
  g_autofree char *date = format_date (dt);
  g_autofree char *clock = format_clock (dt);

  /* TRANSLATORS: a date and a time of day, as in "Sat 2 May 2026, 22:00". */
  return g_strdup_printf (C_("date and time", "%s, %s"), date, clock);
}

/**
 * turnout_format_date_time:
 * @time: Unix seconds
 * @zone: (nullable): the IANA zone to write it in; %NULL or unknown: UTC
 *
 * Returns: (transfer full): @time as "Sat 2 May 2026, 22:00".
 */
char *
turnout_format_date_time (gint64      time,
                          const char *zone)
{
  g_autoptr(GTimeZone) tz = turnout_time_zone_new (zone);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time);
  g_autoptr(GDateTime) dt = NULL;

  if (utc == NULL)
    return g_strdup ("");
  dt = g_date_time_to_timezone (utc, tz);
  return format_date_and_clock (dt);
}

/**
 * turnout_split_genres:
 * @text: (nullable): genres separated by commas, as "Techno, house"
 *
 * Returns: (transfer full): the genres, trimmed, without empty ones or
 *   repeats (which ignore case; the first spelling is kept).
 */
char **
turnout_split_genres (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *genre = g_strstrip (parts[i]);
      char *folded;

      if (*genre == '\0')
        continue;
      folded = g_utf8_casefold (genre, -1);
      if (g_hash_table_add (seen, folded))
        g_strv_builder_add (builder, genre);
    }
  return g_strv_builder_end (builder);
}

static void
turnout_event_finalize (GObject *object)
{
  TurnoutEvent *self = TURNOUT_EVENT (object);

  g_free (self->name);
  g_free (self->time_zone);
  g_free (self->venue);
  g_free (self->city);
  g_strfreev (self->genres);

  G_OBJECT_CLASS (turnout_event_parent_class)->finalize (object);
}

static void
turnout_event_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TurnoutEvent *self = TURNOUT_EVENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STARTS_AT:
      g_value_set_int64 (value, self->starts_at);
      break;
    case PROP_ENDS_AT:
      g_value_set_int64 (value, self->ends_at);
      break;
    case PROP_TIME_ZONE:
      g_value_set_string (value, self->time_zone);
      break;
    case PROP_VENUE:
      g_value_set_string (value, self->venue);
      break;
    case PROP_CITY:
      g_value_set_string (value, self->city);
      break;
    case PROP_GENRES:
      g_value_set_boxed (value, self->genres);
      break;
    case PROP_DRAFT_COUNT:
      g_value_set_uint (value, self->draft_count);
      break;
    case PROP_REGISTERED_COUNT:
      g_value_set_uint (value, self->registered_count);
      break;
    case PROP_CANCELLED_COUNT:
      g_value_set_uint (value, self->cancelled_count);
      break;
    case PROP_ATTENDED_COUNT:
      g_value_set_uint (value, self->attended_count);
      break;
    case PROP_REVENUE:
      g_value_set_int64 (value, self->revenue);
      break;
    case PROP_WHEN_LABEL:
      g_value_take_string (value, turnout_event_dup_when_label (self));
      break;
    case PROP_DATE_LABEL:
      g_value_take_string (value, turnout_event_dup_date_label (self));
      break;
    case PROP_PLACE_LABEL:
      g_value_take_string (value, turnout_event_dup_place_label (self));
      break;
    case PROP_COUNTS_LABEL:
      g_value_take_string (value, turnout_event_dup_counts_label (self));
      break;
    case PROP_GENRES_LABEL:
      g_value_take_string (value, turnout_event_dup_genres_text (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_event_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TurnoutEvent *self = TURNOUT_EVENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      turnout_event_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_NAME:
      turnout_event_set_name (self, g_value_get_string (value));
      break;
    case PROP_STARTS_AT:
      turnout_event_set_starts_at (self, g_value_get_int64 (value));
      break;
    case PROP_ENDS_AT:
      turnout_event_set_ends_at (self, g_value_get_int64 (value));
      break;
    case PROP_TIME_ZONE:
      turnout_event_set_time_zone (self, g_value_get_string (value));
      break;
    case PROP_VENUE:
      turnout_event_set_venue (self, g_value_get_string (value));
      break;
    case PROP_CITY:
      turnout_event_set_city (self, g_value_get_string (value));
      break;
    case PROP_GENRES:
      turnout_event_set_genres (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)
#define RO (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
turnout_event_class_init (TurnoutEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = turnout_event_finalize;
  object_class->get_property = turnout_event_get_property;
  object_class->set_property = turnout_event_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, "", RW);
  /**
   * TurnoutEvent:starts-at:
   *
   * Unix seconds; 0 while not set.
   */
  properties[PROP_STARTS_AT] =
    g_param_spec_int64 ("starts-at", NULL, NULL, 0, G_MAXINT64, 0, RW);
  /**
   * TurnoutEvent:ends-at:
   *
   * Unix seconds; 0 when the event has no end time.
   */
  properties[PROP_ENDS_AT] = g_param_spec_int64 ("ends-at", NULL, NULL, 0, G_MAXINT64, 0, RW);
  /**
   * TurnoutEvent:time-zone:
   *
   * The IANA name of the venue's time zone, such as "Europe/Berlin".
   */
  properties[PROP_TIME_ZONE] = g_param_spec_string ("time-zone", NULL, NULL, "UTC", RW);
  properties[PROP_VENUE] = g_param_spec_string ("venue", NULL, NULL, "", RW);
  properties[PROP_CITY] = g_param_spec_string ("city", NULL, NULL, "", RW);
  properties[PROP_GENRES] = g_param_spec_boxed ("genres", NULL, NULL, G_TYPE_STRV, RW);
  properties[PROP_DRAFT_COUNT] =
    g_param_spec_uint ("draft-count", NULL, NULL, 0, G_MAXUINT, 0, RO);
  properties[PROP_REGISTERED_COUNT] =
    g_param_spec_uint ("registered-count", NULL, NULL, 0, G_MAXUINT, 0, RO);
  properties[PROP_CANCELLED_COUNT] =
    g_param_spec_uint ("cancelled-count", NULL, NULL, 0, G_MAXUINT, 0, RO);
  properties[PROP_ATTENDED_COUNT] =
    g_param_spec_uint ("attended-count", NULL, NULL, 0, G_MAXUINT, 0, RO);
  /**
   * TurnoutEvent:revenue:
   *
   * The amounts of the registrations not cancelled, in minor units.
   */
  properties[PROP_REVENUE] = g_param_spec_int64 ("revenue", NULL, NULL, 0, G_MAXINT64, 0, RO);
  properties[PROP_WHEN_LABEL] = g_param_spec_string ("when-label", NULL, NULL, "", RO);
  properties[PROP_DATE_LABEL] = g_param_spec_string ("date-label", NULL, NULL, "", RO);
  properties[PROP_PLACE_LABEL] = g_param_spec_string ("place-label", NULL, NULL, "", RO);
  properties[PROP_COUNTS_LABEL] = g_param_spec_string ("counts-label", NULL, NULL, "", RO);
  properties[PROP_GENRES_LABEL] = g_param_spec_string ("genres-label", NULL, NULL, "", RO);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

#undef RW
#undef RO

static void
turnout_event_init (TurnoutEvent *self)
{
  self->name = g_strdup ("");
  self->time_zone = g_strdup ("UTC");
  self->venue = g_strdup ("");
  self->city = g_strdup ("");
  self->genres = g_new0 (char *, 1);
}

/**
 * turnout_event_new:
 *
 * Returns: (transfer full): an event not yet stored, in UTC, with no start.
 */
TurnoutEvent *
turnout_event_new (void)
{
  return g_object_new (TURNOUT_TYPE_EVENT, NULL);
}

/**
 * turnout_event_copy:
 *
 * Returns: (transfer full): a new event with the same values, for an
 *   editor to change without touching the one a list shows.
 */
TurnoutEvent *
turnout_event_copy (TurnoutEvent *self)
{
  TurnoutEvent *copy;

  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);

  copy = turnout_event_new ();
  turnout_event_update_from (copy, self);
  return copy;
}

/**
 * turnout_event_update_from:
 * @other: the event as read again from the store
 *
 * Takes every value of @other, notifying the properties that change, so
 * rows bound to @self follow.
 */
void
turnout_event_update_from (TurnoutEvent *self,
                           TurnoutEvent *other)
{
  g_return_if_fail (TURNOUT_IS_EVENT (self));
  g_return_if_fail (TURNOUT_IS_EVENT (other));

  g_object_freeze_notify (G_OBJECT (self));
  turnout_event_set_id (self, other->id);
  turnout_event_set_name (self, other->name);
  turnout_event_set_starts_at (self, other->starts_at);
  turnout_event_set_ends_at (self, other->ends_at);
  turnout_event_set_time_zone (self, other->time_zone);
  turnout_event_set_venue (self, other->venue);
  turnout_event_set_city (self, other->city);
  turnout_event_set_genres (self, (const char * const *) other->genres);
  turnout_event_set_counts (self, other->draft_count, other->registered_count,
                            other->cancelled_count, other->attended_count, other->revenue);
  g_object_thaw_notify (G_OBJECT (self));
}

gint64
turnout_event_get_id (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), 0);
  return self->id;
}

void
turnout_event_set_id (TurnoutEvent *self,
                      gint64        id)
{
  g_return_if_fail (TURNOUT_IS_EVENT (self));

  if (self->id == id)
    return;
  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

const char *
turnout_event_get_name (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);
  return self->name;
}

void
turnout_event_set_name (TurnoutEvent *self,
                        const char   *name)
{
  g_return_if_fail (TURNOUT_IS_EVENT (self));

  if (replace_str (&self->name, name != NULL ? name : ""))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

static void
notify_time_labels (TurnoutEvent *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WHEN_LABEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE_LABEL]);
}

gint64
turnout_event_get_starts_at (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), 0);
  return self->starts_at;
}

void
turnout_event_set_starts_at (TurnoutEvent *self,
                             gint64        starts_at)
{
  g_return_if_fail (TURNOUT_IS_EVENT (self));

  if (self->starts_at == starts_at)
    return;
  self->starts_at = starts_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTS_AT]);
  notify_time_labels (self);
}

gint64
turnout_event_get_ends_at (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), 0);
  return self->ends_at;
}

void
turnout_event_set_ends_at (TurnoutEvent *self,
                           gint64        ends_at)
{
  g_return_if_fail (TURNOUT_IS_EVENT (self));

  if (self->ends_at == ends_at)
    return;
  self->ends_at = ends_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDS_AT]);
  notify_time_labels (self);
}

const char *
turnout_event_get_time_zone (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);
  return self->time_zone;
}

/**
 * turnout_event_set_time_zone:
 * @zone: (nullable): an IANA name; %NULL means UTC
 *
 * Stores the name as given; turnout_event_validate() says whether it is
 * known.
 */
void
turnout_event_set_time_zone (TurnoutEvent *self,
                             const char   *zone)
{
  g_return_if_fail (TURNOUT_IS_EVENT (self));

  if (!replace_str (&self->time_zone, zone != NULL ? zone : "UTC"))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_ZONE]);
  notify_time_labels (self);
}

const char *
turnout_event_get_venue (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);
  return self->venue;
}

void
turnout_event_set_venue (TurnoutEvent *self,
                         const char   *venue)
{
  g_return_if_fail (TURNOUT_IS_EVENT (self));

  if (!replace_str (&self->venue, venue != NULL ? venue : ""))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VENUE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACE_LABEL]);
}

const char *
turnout_event_get_city (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);
  return self->city;
}

void
turnout_event_set_city (TurnoutEvent *self,
                        const char   *city)
{
  g_return_if_fail (TURNOUT_IS_EVENT (self));

  if (!replace_str (&self->city, city != NULL ? city : ""))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CITY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACE_LABEL]);
}

/**
 * turnout_event_get_genres:
 *
 * Returns: (transfer none): the genres, possibly none; never %NULL.
 */
const char * const *
turnout_event_get_genres (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);
  return (const char * const *) self->genres;
}

/**
 * turnout_event_set_genres:
 * @genres: (nullable): the genres; they are trimmed, and empty ones and
 *   repeats dropped
 */
void
turnout_event_set_genres (TurnoutEvent       *self,
                          const char * const *genres)
{
  g_autofree char *joined = NULL;
  g_auto(GStrv) clean = NULL;

  g_return_if_fail (TURNOUT_IS_EVENT (self));

  joined = genres != NULL ? g_strjoinv (",", (char **) genres) : NULL;
  clean = turnout_split_genres (joined);
  if (g_strv_equal ((const char * const *) clean, (const char * const *) self->genres))
    return;
  g_strfreev (self->genres);
  self->genres = g_steal_pointer (&clean);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENRES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENRES_LABEL]);
}

/**
 * turnout_event_set_genres_text:
 * @text: (nullable): genres separated by commas
 */
void
turnout_event_set_genres_text (TurnoutEvent *self,
                               const char   *text)
{
  g_auto(GStrv) genres = turnout_split_genres (text);

  g_return_if_fail (TURNOUT_IS_EVENT (self));
  turnout_event_set_genres (self, (const char * const *) genres);
}

/**
 * turnout_event_dup_genres_text:
 *
 * Returns: (transfer full): the genres as "Techno, House".
 */
char *
turnout_event_dup_genres_text (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);
  return g_strjoinv (", ", self->genres);
}

guint
turnout_event_get_draft_count (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), 0);
  return self->draft_count;
}

guint
turnout_event_get_registered_count (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), 0);
  return self->registered_count;
}

guint
turnout_event_get_cancelled_count (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), 0);
  return self->cancelled_count;
}

guint
turnout_event_get_attended_count (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), 0);
  return self->attended_count;
}

/**
 * turnout_event_get_n_registrations:
 *
 * Returns: the registrations of every status, as last read from the store.
 */
guint
turnout_event_get_n_registrations (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), 0);
  return self->draft_count + self->registered_count + self->cancelled_count +
         self->attended_count;
}

gint64
turnout_event_get_revenue (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), 0);
  return self->revenue;
}

/**
 * turnout_event_set_counts:
 *
 * Sets the figures the store counted; for the store and tests.
 */
void
turnout_event_set_counts (TurnoutEvent *self,
                          guint         draft,
                          guint         registered,
                          guint         cancelled,
                          guint         attended,
                          gint64        revenue)
{
  gboolean changed = FALSE;

  g_return_if_fail (TURNOUT_IS_EVENT (self));

  struct { guint *field; guint value; int prop; } counts[] = {
    { &self->draft_count, draft, PROP_DRAFT_COUNT },
    { &self->registered_count, registered, PROP_REGISTERED_COUNT },
    { &self->cancelled_count, cancelled, PROP_CANCELLED_COUNT },
    { &self->attended_count, attended, PROP_ATTENDED_COUNT },
  };

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    if (*counts[i].field != counts[i].value)
      {
        *counts[i].field = counts[i].value;
        g_object_notify_by_pspec (G_OBJECT (self), properties[counts[i].prop]);
        changed = TRUE;
      }
  if (self->revenue != revenue)
    {
      self->revenue = revenue;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVENUE]);
    }
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTS_LABEL]);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * turnout_event_validate:
 *
 * Checks what the store requires of an event, with a message that says
 * what is wrong: a name, a start, an end (when set) after the start, and a
 * time zone GLib knows.
 *
 * Returns: %TRUE when the event may be saved; else %FALSE with @error set
 *   in %TURNOUT_EVENT_ERROR.
 */
gboolean
turnout_event_validate (TurnoutEvent  *self,
                        GError       **error)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (TURNOUT_IS_EVENT (self), FALSE);

  name = g_strstrip (g_strdup (self->name));
  if (*name == '\0')
    {
      g_set_error_literal (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NO_NAME,
                           _("The event needs a name."));
      return FALSE;
    }
  if (self->starts_at == 0)
    {
      g_set_error_literal (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NO_START,
                           _("The event needs a start date and time."));
      return FALSE;
    }
  if (!turnout_time_zone_is_valid (self->time_zone))
    {
      if (self->time_zone == NULL || *self->time_zone == '\0')
        g_set_error_literal (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_BAD_TIME_ZONE,
                             _("The event needs a time zone, such as Europe/Berlin."));
      else
        g_set_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_BAD_TIME_ZONE,
                     _("“%s” is not a time zone. Use a name such as Europe/Berlin or "
                       "America/New_York."), self->time_zone);
      return FALSE;
    }
  if (self->ends_at != 0 && self->ends_at <= self->starts_at)
    {
      g_autofree char *starts = turnout_format_date_time (self->starts_at, self->time_zone);
      g_autofree char *ends = turnout_format_date_time (self->ends_at, self->time_zone);

      g_set_error (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_END_BEFORE_START,
                   _("The event must end after it starts: it starts %s and ends %s."),
                   starts, ends);
      return FALSE;
    }
  return TRUE;
}

/**
 * turnout_event_has_started:
 * @now: Unix seconds, from TurnoutClock
 */
gboolean
turnout_event_has_started (TurnoutEvent *self,
                           gint64        now)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), FALSE);
  return self->starts_at != 0 && self->starts_at <= now;
}

/**
 * turnout_event_matches:
 * @query: (nullable): what the user typed
 *
 * Whether every word of @query starts a word of the name, the venue, the
 * city or a genre, ignoring case and accents. An empty query matches.
 */
gboolean
turnout_event_matches (TurnoutEvent *self,
                       const char   *query)
{
  g_autofree char *genres = NULL;
  g_autofree char *haystack = NULL;
  g_autofree char *folded = NULL;

  g_return_val_if_fail (TURNOUT_IS_EVENT (self), FALSE);

  if (query == NULL || *query == '\0')
    return TRUE;
  genres = g_strjoinv (" ", self->genres);
  haystack = g_strjoin (" ", self->name, self->venue, self->city, genres, NULL);
  if (g_str_match_string (query, haystack, TRUE))
    return TRUE;
  /* g_str_match_string() folds accents of the text only: "Bérghain" must
   * find Berghain as well as "Berghain" finds Bérghain. */
  folded = g_str_to_ascii (query, NULL);
  return g_str_match_string (folded, haystack, TRUE);
}

static GDateTime *
dup_local_time (TurnoutEvent *self,
                gint64        time)
{
  g_autoptr(GTimeZone) tz = turnout_time_zone_new (self->time_zone);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time);

  return utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;
}

/**
 * turnout_event_dup_date_label:
 *
 * Returns: (transfer full): the day it starts, in its time zone, as
 *   "Sat 2 May 2026"; "" with no start.
 */
char *
turnout_event_dup_date_label (TurnoutEvent *self)
{
  g_autoptr(GDateTime) starts = NULL;

  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);

  if (self->starts_at == 0 || (starts = dup_local_time (self, self->starts_at)) == NULL)
    return g_strdup ("");
  return format_date (starts);
}

/**
 * turnout_event_dup_when_label:
 *
 * Returns: (transfer full): start and end in the event's time zone, named:
 *   "Sat 2 May 2026, 22:00 – 04:00 (Europe/Berlin)". The end shows only its
 *   time when it is less than a day after the start (a night that ends the
 *   next morning), else its date too.
 */
char *
turnout_event_dup_when_label (TurnoutEvent *self)
{
  g_autoptr(GDateTime) starts = NULL;
  g_autoptr(GDateTime) ends = NULL;
  g_autofree char *start_text = NULL;
  g_autofree char *range = NULL;

  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);

  if (self->starts_at == 0 || (starts = dup_local_time (self, self->starts_at)) == NULL)
    return g_strdup ("");
  start_text = format_date_and_clock (starts);

  if (self->ends_at > self->starts_at && (ends = dup_local_time (self, self->ends_at)) != NULL)
    {
      g_autofree char *end_text = NULL;

      if (self->ends_at - self->starts_at < 24 * 60 * 60)
        end_text = format_clock (ends);
      else
        end_text = format_date_and_clock (ends);
      /* TRANSLATORS: a start and an end, as in "Sat 2 May 2026, 22:00 – 04:00". */
      range = g_strdup_printf (C_("time range", "%s – %s"), start_text, end_text);
    }
  else
    range = g_steal_pointer (&start_text);

  /* TRANSLATORS: a time and the time zone it is in, as in
   * "Sat 2 May 2026, 22:00 (Europe/Berlin)". */
  return g_strdup_printf (C_("time in zone", "%s (%s)"), range, self->time_zone);
}

/**
 * turnout_event_dup_place_label:
 *
 * Returns: (transfer full): "Venue · City", or whichever of them is set.
 */
char *
turnout_event_dup_place_label (TurnoutEvent *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);

  if (*self->venue != '\0' && *self->city != '\0')
    /* TRANSLATORS: a venue and its city, as in "Berghain · Berlin". */
    return g_strdup_printf (C_("venue and city", "%s · %s"), self->venue, self->city);
  return g_strdup (*self->venue != '\0' ? self->venue : self->city);
}

/**
 * turnout_event_dup_counts_label:
 *
 * Returns: (transfer full): "120 registered · 80 attended".
 */
char *
turnout_event_dup_counts_label (TurnoutEvent *self)
{
  g_autofree char *registered = NULL;
  g_autofree char *attended = NULL;

  g_return_val_if_fail (TURNOUT_IS_EVENT (self), NULL);

  registered = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u registered", "%u registered",
                                             self->registered_count),
                                self->registered_count);
  attended = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u attended", "%u attended",
                                           self->attended_count),
                              self->attended_count);
  /* TRANSLATORS: two counts, as in "120 registered · 80 attended". */
  return g_strdup_printf (C_("counts", "%s · %s"), registered, attended);
}
