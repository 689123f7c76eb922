/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-saved-segment"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-saved-segment.h"

/*
 * A row of the segments table as the Segments pane lists it: the stored
 * rules, and the count of its contacts once one has been made (counts are
 * made one by one on a worker after the list arrives, so "count" starts at
 * -1, "not counted yet").
 */

struct _TurnoutSavedSegment
{
  GObject          parent_instance;

  gint64           id;
  char            *name;
  TurnoutSegment  *segment;
  gint64           updated_at;
  gint64           count;
  char            *count_label;
  char            *count_error;
};

G_DEFINE_FINAL_TYPE (TurnoutSavedSegment, turnout_saved_segment, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SEGMENT,
  PROP_UPDATED_AT,
  PROP_COUNT,
  PROP_COUNT_LABEL,
  PROP_COUNT_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
turnout_saved_segment_finalize (GObject *object)
{
  TurnoutSavedSegment *self = TURNOUT_SAVED_SEGMENT (object);

  g_free (self->name);
  g_clear_pointer (&self->segment, turnout_segment_unref);
  g_free (self->count_label);
  g_free (self->count_error);

  G_OBJECT_CLASS (turnout_saved_segment_parent_class)->finalize (object);
}

static void
turnout_saved_segment_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TurnoutSavedSegment *self = TURNOUT_SAVED_SEGMENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SEGMENT:
      g_value_set_boxed (value, self->segment);
      break;
    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;
    case PROP_COUNT:
      g_value_set_int64 (value, self->count);
      break;
    case PROP_COUNT_LABEL:
      g_value_set_string (value, turnout_saved_segment_get_count_label (self));
      break;
    case PROP_COUNT_ERROR:
      g_value_set_string (value, self->count_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_saved_segment_class_init (TurnoutSavedSegmentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = turnout_saved_segment_finalize;
  object_class->get_property = turnout_saved_segment_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEGMENT] =
    g_param_spec_boxed ("segment", NULL, NULL, TURNOUT_TYPE_SEGMENT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT] =
    g_param_spec_int64 ("count", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT_LABEL] =
    g_param_spec_string ("count-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT_ERROR] =
    g_param_spec_string ("count-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
turnout_saved_segment_init (TurnoutSavedSegment *self)
{
  self->count = -1;
}

/**
 * turnout_saved_segment_new:
 * @segment: its rules
 * @updated_at: when it was last saved, Unix seconds
 */
TurnoutSavedSegment *
turnout_saved_segment_new (gint64          id,
                           const char     *name,
                           TurnoutSegment *segment,
                           gint64          updated_at)
{
  TurnoutSavedSegment *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (segment != NULL, NULL);

  self = g_object_new (TURNOUT_TYPE_SAVED_SEGMENT, NULL);
  self->id = id;
  self->name = g_strdup (name);
  self->segment = turnout_segment_ref (segment);
  self->updated_at = updated_at;
  return self;
}

gint64
turnout_saved_segment_get_id (TurnoutSavedSegment *self)
{
  g_return_val_if_fail (TURNOUT_IS_SAVED_SEGMENT (self), 0);

  return self->id;
}

const char *
turnout_saved_segment_get_name (TurnoutSavedSegment *self)
{
  g_return_val_if_fail (TURNOUT_IS_SAVED_SEGMENT (self), NULL);

  return self->name;
}

/**
 * turnout_saved_segment_get_segment:
 *
 * Returns: (transfer none): the rules as saved.
 */
TurnoutSegment *
turnout_saved_segment_get_segment (TurnoutSavedSegment *self)
{
  g_return_val_if_fail (TURNOUT_IS_SAVED_SEGMENT (self), NULL);

  return self->segment;
}

gint64
turnout_saved_segment_get_updated_at (TurnoutSavedSegment *self)
{
  g_return_val_if_fail (TURNOUT_IS_SAVED_SEGMENT (self), 0);

  return self->updated_at;
}

/**
 * turnout_saved_segment_get_count:
 *
 * Returns: its contacts when last counted, or -1 before a count.
 */
gint64
turnout_saved_segment_get_count (TurnoutSavedSegment *self)
{
  g_return_val_if_fail (TURNOUT_IS_SAVED_SEGMENT (self), -1);

  return self->count;
}

static void
clear_count_label (TurnoutSavedSegment *self)
{
  g_clear_pointer (&self->count_label, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT_LABEL]);
}

void
turnout_saved_segment_set_count (TurnoutSavedSegment *self,
                                 gint64               count)
{
  g_return_if_fail (TURNOUT_IS_SAVED_SEGMENT (self));
  g_return_if_fail (count >= -1);

  if (count >= 0 && self->count_error != NULL)
    {
      g_clear_pointer (&self->count_error, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT_ERROR]);
    }
  if (self->count == count)
    return;
  self->count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
  clear_count_label (self);
}

/**
 * turnout_saved_segment_get_count_label:
 *
 * Returns: the count in words, such as "1,204 contacts", "Counting…" or
 *   "Could not count".
 */
const char *
turnout_saved_segment_get_count_label (TurnoutSavedSegment *self)
{
  g_return_val_if_fail (TURNOUT_IS_SAVED_SEGMENT (self), NULL);

  if (self->count_label == NULL)
    {
      if (self->count_error != NULL)
        self->count_label = g_strdup (_("Could not count"));
      else if (self->count < 0)
        self->count_label = g_strdup (_("Counting…"));
      else
        {
          g_autofree char *number = g_strdup_printf ("%'" PRId64, self->count);

          /* TRANSLATORS: %s is a number of contacts, such as "1,204". */
          self->count_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact",
                                                            "%s contacts", self->count),
                                               number);
        }
    }
  return self->count_label;
}

/**
 * turnout_saved_segment_get_count_error:
 *
 * Returns: (nullable): why the last count failed, or %NULL.
 */
const char *
turnout_saved_segment_get_count_error (TurnoutSavedSegment *self)
{
  g_return_val_if_fail (TURNOUT_IS_SAVED_SEGMENT (self), NULL);

  return self->count_error;
}

void
turnout_saved_segment_set_count_error (TurnoutSavedSegment *self,
                                       const char          *message)
{
  g_return_if_fail (TURNOUT_IS_SAVED_SEGMENT (self));

  if (g_strcmp0 (self->count_error, message) == 0)
    return;
  g_free (self->count_error);
  self->count_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT_ERROR]);
  clear_count_label (self);
}
