/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-campaign"

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n.h>

#include "turnout-campaign.h"

/*
 * A campaign as the Campaigns pane lists it: what turnout_campaigns_get_status()
 * reports, kept in an object so that list rows bind to it and follow it as
 * the pane polls the store. Updates notify only what changed, so a row's
 * progress bar moves without the row being rebuilt.
 */

/* The indexes of TURNOUT_MESSAGE_STATES in TurnoutCampaignStatus.counts. */
enum {
  QUEUED,
  SENDING,
  SENT,
  DELIVERED,
  UNDELIVERED,
  FAILED,
  SUPPRESSED,
  SKIPPED,
  UNKNOWN,
  N_STATES
};

static const char * const message_states[] = { TURNOUT_MESSAGE_STATES, NULL };

G_STATIC_ASSERT (G_N_ELEMENTS (message_states) == N_STATES + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (((TurnoutCampaignStatus *) NULL)->counts) == N_STATES);

struct _TurnoutCampaign
{
  GObject  parent_instance;

  gint64   id;
  char    *name;
  char    *channel;
  char    *state;
  char    *state_reason;
  char    *segment_name;
  char    *template_name;
  gint64   scheduled_at;
  gint64   total;
  gint64   counts[N_STATES];
  char    *summary;
};

G_DEFINE_FINAL_TYPE (TurnoutCampaign, turnout_campaign, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_CHANNEL,
  PROP_STATE,
  PROP_STATE_LABEL,
  PROP_STATE_REASON,
  PROP_SEGMENT_NAME,
  PROP_TEMPLATE_NAME,
  PROP_ICON_NAME,
  PROP_SCHEDULED_AT,
  PROP_TOTAL,
  /* One a message state, in the order of TURNOUT_MESSAGE_STATES. */
  PROP_QUEUED,
  PROP_SENDING,
  PROP_SENT,
  PROP_DELIVERED,
  PROP_UNDELIVERED,
  PROP_FAILED,
  PROP_SUPPRESSED,
  PROP_SKIPPED,
  PROP_UNKNOWN,
  PROP_SENT_TOTAL,
  PROP_DONE,
  PROP_WAITING,
  PROP_PROGRESS,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
turnout_campaign_finalize (GObject *object)
{
  TurnoutCampaign *self = TURNOUT_CAMPAIGN (object);

  g_free (self->name);
  g_free (self->channel);
  g_free (self->state);
  g_free (self->state_reason);
  g_free (self->segment_name);
  g_free (self->template_name);
  g_free (self->summary);

  G_OBJECT_CLASS (turnout_campaign_parent_class)->finalize (object);
}

static void
turnout_campaign_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TurnoutCampaign *self = TURNOUT_CAMPAIGN (object);

  if (prop_id >= PROP_QUEUED && prop_id <= PROP_UNKNOWN)
    {
      g_value_set_int64 (value, self->counts[prop_id - PROP_QUEUED]);
      return;
    }
  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CHANNEL:
      g_value_set_string (value, self->channel);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_STATE_LABEL:
      g_value_set_string (value, turnout_campaign_get_state_label (self));
      break;
    case PROP_STATE_REASON:
      g_value_set_string (value, self->state_reason);
      break;
    case PROP_SEGMENT_NAME:
      g_value_set_string (value, self->segment_name);
      break;
    case PROP_TEMPLATE_NAME:
      g_value_set_string (value, self->template_name);
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, turnout_campaign_get_icon_name (self));
      break;
    case PROP_SCHEDULED_AT:
      g_value_set_int64 (value, self->scheduled_at);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    case PROP_SENT_TOTAL:
      g_value_set_int64 (value, turnout_campaign_get_sent_total (self));
      break;
    case PROP_DONE:
      g_value_set_int64 (value, turnout_campaign_get_done (self));
      break;
    case PROP_WAITING:
      g_value_set_int64 (value, turnout_campaign_get_waiting (self));
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, turnout_campaign_get_progress (self));
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
int64_property (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
turnout_campaign_class_init (TurnoutCampaignClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = turnout_campaign_finalize;
  object_class->get_property = turnout_campaign_get_property;

  properties[PROP_ID] = int64_property ("id");
  properties[PROP_NAME] = string_property ("name");
  properties[PROP_CHANNEL] = string_property ("channel");
  properties[PROP_STATE] = string_property ("state");
  properties[PROP_STATE_LABEL] = string_property ("state-label");
  properties[PROP_STATE_REASON] = string_property ("state-reason");
  properties[PROP_SEGMENT_NAME] = string_property ("segment-name");
  properties[PROP_TEMPLATE_NAME] = string_property ("template-name");
  properties[PROP_ICON_NAME] = string_property ("icon-name");
  properties[PROP_SCHEDULED_AT] = int64_property ("scheduled-at");
  properties[PROP_TOTAL] = int64_property ("total");
  for (guint i = 0; i < N_STATES; i++)
    properties[PROP_QUEUED + i] = int64_property (message_states[i]);
  properties[PROP_SENT_TOTAL] = int64_property ("sent-total");
  properties[PROP_DONE] = int64_property ("done");
  properties[PROP_WAITING] = int64_property ("waiting");
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] = string_property ("summary");
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
turnout_campaign_init (TurnoutCampaign *self)
{
  self->state = g_strdup ("draft");
  self->channel = g_strdup ("sms");
  self->name = g_strdup ("");
}

static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%'" PRId64, n);
}

static char *
make_summary (TurnoutCampaign *self)
{
  g_autofree char *sent = NULL;
  g_autofree char *total = NULL;
  g_autofree char *line = NULL;
  gint64 failed = self->counts[FAILED] + self->counts[UNDELIVERED];

  if (g_str_equal (self->state, "draft"))
    return g_strdup (_("Not sent yet"));
  if (g_str_equal (self->state, "scheduled"))
    {
      g_autoptr(GDateTime) at = NULL;
      g_autofree char *when = NULL;

      if (self->scheduled_at <= 0
          || (at = g_date_time_new_from_unix_local (self->scheduled_at)) == NULL)
        return g_strdup (_("Scheduled"));
      /* TRANSLATORS: a date and time in g_date_time_format() notation,
       * such as "Fri 15 May, 20:00". */
      when = g_date_time_format (at, _("%a %-d %b, %H:%M"));
      /* TRANSLATORS: %s is a date and time, such as "Fri 15 May, 20:00". */
      return g_strdup_printf (_("Starts %s"), when);
    }
  if (self->total == 0)
    return g_strdup (_("No recipients"));
  sent = format_count (turnout_campaign_get_sent_total (self));
  total = format_count (self->total);
  /* TRANSLATORS: "Sent 1,204 of 3,000". */
  line = g_strdup_printf (_("Sent %s of %s"), sent, total);
  if (failed > 0)
    {
      g_autofree char *n = format_count (failed);

      /* TRANSLATORS: after "Sent 1,204 of 3,000": how many failed. */
      return g_strdup_printf (_("%s · %s failed"), line, n);
    }
  return g_steal_pointer (&line);
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/**
 * turnout_campaign_new:
 * @id: the campaign's row id
 *
 * Returns: (transfer full): a campaign with nothing known yet but its id;
 *   fill it with turnout_campaign_update_from_status().
 */
TurnoutCampaign *
turnout_campaign_new (gint64 id)
{
  TurnoutCampaign *self = g_object_new (TURNOUT_TYPE_CAMPAIGN, NULL);

  self->id = id;
  self->summary = make_summary (self);
  return self;
}

/**
 * turnout_campaign_new_from_status:
 *
 * Returns: (transfer full): the campaign @status describes.
 */
TurnoutCampaign *
turnout_campaign_new_from_status (const TurnoutCampaignStatus *status)
{
  TurnoutCampaign *self;

  g_return_val_if_fail (status != NULL, NULL);

  self = turnout_campaign_new (status->id);
  turnout_campaign_update_from_status (self, status);
  return self;
}

/**
 * turnout_campaign_update_from_status:
 * @status: what the store says now; its id must be the campaign's
 *
 * Takes every field of @status, notifying the properties that changed
 * (and the ones worked out from them: progress, summary, …).
 */
void
turnout_campaign_update_from_status (TurnoutCampaign             *self,
                                     const TurnoutCampaignStatus *status)
{
  g_autofree char *summary = NULL;
  gboolean counts_changed = FALSE;
  gboolean state_changed;
  GObject *object = G_OBJECT (self);

  g_return_if_fail (TURNOUT_IS_CAMPAIGN (self));
  g_return_if_fail (status != NULL);
  g_return_if_fail (status->id == self->id);

  g_object_freeze_notify (object);
  if (set_string (&self->name, status->name != NULL ? status->name : ""))
    g_object_notify_by_pspec (object, properties[PROP_NAME]);
  if (status->channel != NULL && set_string (&self->channel, status->channel))
    {
      g_object_notify_by_pspec (object, properties[PROP_CHANNEL]);
      g_object_notify_by_pspec (object, properties[PROP_ICON_NAME]);
    }
  state_changed = status->state != NULL && set_string (&self->state, status->state);
  if (state_changed)
    {
      g_object_notify_by_pspec (object, properties[PROP_STATE]);
      g_object_notify_by_pspec (object, properties[PROP_STATE_LABEL]);
    }
  if (set_string (&self->state_reason, status->state_reason))
    g_object_notify_by_pspec (object, properties[PROP_STATE_REASON]);
  if (set_string (&self->segment_name, status->segment_name))
    g_object_notify_by_pspec (object, properties[PROP_SEGMENT_NAME]);
  if (set_string (&self->template_name, status->template_name))
    g_object_notify_by_pspec (object, properties[PROP_TEMPLATE_NAME]);
  if (self->scheduled_at != status->scheduled_at)
    {
      self->scheduled_at = status->scheduled_at;
      g_object_notify_by_pspec (object, properties[PROP_SCHEDULED_AT]);
    }
  if (self->total != status->total)
    {
      self->total = status->total;
      counts_changed = TRUE;
      g_object_notify_by_pspec (object, properties[PROP_TOTAL]);
    }
  for (guint i = 0; i < N_STATES; i++)
    if (self->counts[i] != status->counts[i])
      {
        self->counts[i] = status->counts[i];
        counts_changed = TRUE;
        g_object_notify_by_pspec (object, properties[PROP_QUEUED + i]);
      }
  if (counts_changed)
    {
      g_object_notify_by_pspec (object, properties[PROP_SENT_TOTAL]);
      g_object_notify_by_pspec (object, properties[PROP_DONE]);
      g_object_notify_by_pspec (object, properties[PROP_WAITING]);
      g_object_notify_by_pspec (object, properties[PROP_PROGRESS]);
    }
  summary = make_summary (self);
  if (set_string (&self->summary, summary))
    g_object_notify_by_pspec (object, properties[PROP_SUMMARY]);
  g_object_thaw_notify (object);
}

/**
 * turnout_campaign_dup_status:
 *
 * Returns: (transfer full): the campaign's fields as a status, to hand to
 *   turnout_campaign_update_from_status() of another object.
 */
TurnoutCampaignStatus *
turnout_campaign_dup_status (TurnoutCampaign *self)
{
  TurnoutCampaignStatus *status;

  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  status = g_new0 (TurnoutCampaignStatus, 1);
  status->id = self->id;
  status->name = g_strdup (self->name);
  status->channel = g_strdup (self->channel);
  status->state = g_strdup (self->state);
  status->state_reason = g_strdup (self->state_reason);
  status->segment_name = g_strdup (self->segment_name);
  status->template_name = g_strdup (self->template_name);
  status->scheduled_at = self->scheduled_at;
  status->total = self->total;
  memcpy (status->counts, self->counts, sizeof self->counts);
  return status;
}

gint64
turnout_campaign_get_id (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), 0);

  return self->id;
}

const char *
turnout_campaign_get_name (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  return self->name;
}

/**
 * turnout_campaign_get_channel:
 *
 * Returns: "sms" or "email".
 */
const char *
turnout_campaign_get_channel (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  return self->channel;
}

/**
 * turnout_campaign_get_state:
 *
 * Returns: draft, scheduled, running, paused, completed, cancelled or
 *   stopped.
 */
const char *
turnout_campaign_get_state (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  return self->state;
}

/**
 * turnout_campaign_state_to_label:
 * @state: a campaign state as stored
 *
 * Returns: the state in words, for the user.
 */
const char *
turnout_campaign_state_to_label (const char *state)
{
  static const struct
  {
    const char *state;
    const char *label;
  } labels[] = {
    { "draft", NC_("campaign state", "Draft") },
    { "scheduled", NC_("campaign state", "Scheduled") },
    { "running", NC_("campaign state", "Running") },
    { "paused", NC_("campaign state", "Paused") },
    { "completed", NC_("campaign state", "Completed") },
    { "cancelled", NC_("campaign state", "Cancelled") },
    { "stopped", NC_("campaign state", "Stopped") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].state, state) == 0)
      return g_dpgettext2 (NULL, "campaign state", labels[i].label);
  return state != NULL ? state : "";
}

const char *
turnout_campaign_get_state_label (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  return turnout_campaign_state_to_label (self->state);
}

/**
 * turnout_campaign_get_state_reason:
 *
 * Returns: (nullable): why it stopped, was paused or waits, in words.
 */
const char *
turnout_campaign_get_state_reason (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  return self->state_reason;
}

/**
 * turnout_campaign_get_segment_name:
 *
 * Returns: (nullable): the saved segment's name or the ready-made one's id.
 */
const char *
turnout_campaign_get_segment_name (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  return self->segment_name;
}

/**
 * turnout_campaign_get_template_name:
 *
 * Returns: (nullable): the template's name as it was launched.
 */
const char *
turnout_campaign_get_template_name (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  return self->template_name;
}

/**
 * turnout_campaign_get_icon_name:
 *
 * Returns: the symbolic icon of its channel, as templates show theirs.
 */
const char *
turnout_campaign_get_icon_name (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  return g_str_equal (self->channel, "email") ? "mail-unread-symbolic" : "phone-symbolic";
}

/**
 * turnout_campaign_get_scheduled_at:
 *
 * Returns: when it is to start, Unix seconds, or 0.
 */
gint64
turnout_campaign_get_scheduled_at (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), 0);

  return self->scheduled_at;
}

/**
 * turnout_campaign_get_total:
 *
 * Returns: its messages: one a contact of the segment at launch, 0 before.
 */
gint64
turnout_campaign_get_total (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), 0);

  return self->total;
}

/**
 * turnout_campaign_get_count:
 * @message_state: one of TURNOUT_MESSAGE_STATES
 *
 * Returns: its messages in @message_state.
 */
gint64
turnout_campaign_get_count (TurnoutCampaign *self,
                            const char      *message_state)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), 0);

  for (guint i = 0; i < N_STATES; i++)
    if (g_strcmp0 (message_states[i], message_state) == 0)
      return self->counts[i];
  g_return_val_if_reached (0);
}

/**
 * turnout_campaign_get_sent_total:
 *
 * Returns: the messages that left: sent, delivered or not delivered.
 */
gint64
turnout_campaign_get_sent_total (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), 0);

  return self->counts[SENT] + self->counts[DELIVERED] + self->counts[UNDELIVERED];
}

/**
 * turnout_campaign_get_waiting:
 *
 * Returns: the messages whose fate is still open: queued, being sent, or
 *   unknown until reconciled.
 */
gint64
turnout_campaign_get_waiting (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), 0);

  return self->counts[QUEUED] + self->counts[SENDING] + self->counts[UNKNOWN];
}

/**
 * turnout_campaign_get_done:
 *
 * Returns: the messages with an outcome: every one not waiting.
 */
gint64
turnout_campaign_get_done (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), 0);

  return MAX (self->total - turnout_campaign_get_waiting (self), 0);
}

/**
 * turnout_campaign_get_progress:
 *
 * Returns: the share of its messages with an outcome, from 0 to 1 (0
 *   while it has none).
 */
double
turnout_campaign_get_progress (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), 0.0);

  if (self->total <= 0)
    return 0.0;
  return CLAMP ((double) turnout_campaign_get_done (self) / (double) self->total, 0.0, 1.0);
}

/**
 * turnout_campaign_get_summary:
 *
 * Returns: one line for lists: "Sent 1,204 of 3,000", "Starts Fri 15 May,
 *   20:00" (in the local time zone), "Not sent yet".
 */
const char *
turnout_campaign_get_summary (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), NULL);

  return self->summary;
}

/**
 * turnout_campaign_is_running:
 *
 * Returns: whether its messages are being sent now.
 */
gboolean
turnout_campaign_is_running (TurnoutCampaign *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN (self), FALSE);

  return g_str_equal (self->state, "running");
}
