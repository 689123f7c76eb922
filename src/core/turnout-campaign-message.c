/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-campaign-message"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-campaign-message.h"

/*
 * One recipient of a campaign as its recipient list shows it: who, at
 * which address, what became of their message and why, and the provider's
 * id to look it up there. A snapshot: the list reads pages again to
 * follow changes.
 */

struct _TurnoutCampaignMessage
{
  GObject  parent_instance;

  gint64   id;
  gint64   contact_id;
  char    *contact_name;
  char    *address;
  char    *state;
  char    *error_text;
  char    *provider_id;
};

G_DEFINE_FINAL_TYPE (TurnoutCampaignMessage, turnout_campaign_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CONTACT_ID,
  PROP_CONTACT_NAME,
  PROP_ADDRESS,
  PROP_STATE,
  PROP_STATE_LABEL,
  PROP_ERROR_TEXT,
  PROP_PROVIDER_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
turnout_campaign_message_finalize (GObject *object)
{
  TurnoutCampaignMessage *self = TURNOUT_CAMPAIGN_MESSAGE (object);

  g_free (self->contact_name);
  g_free (self->address);
  g_free (self->state);
  g_free (self->error_text);
  g_free (self->provider_id);

  G_OBJECT_CLASS (turnout_campaign_message_parent_class)->finalize (object);
}

static void
turnout_campaign_message_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  TurnoutCampaignMessage *self = TURNOUT_CAMPAIGN_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_CONTACT_ID:
      g_value_set_int64 (value, self->contact_id);
      break;
    case PROP_CONTACT_NAME:
      g_value_set_string (value, self->contact_name);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_STATE_LABEL:
      g_value_set_string (value, turnout_message_state_to_label (self->state));
      break;
    case PROP_ERROR_TEXT:
      g_value_set_string (value, self->error_text);
      break;
    case PROP_PROVIDER_ID:
      g_value_set_string (value, self->provider_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_campaign_message_class_init (TurnoutCampaignMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = turnout_campaign_message_finalize;
  object_class->get_property = turnout_campaign_message_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CONTACT_ID] = g_param_spec_int64 ("contact-id", NULL, NULL, 0, G_MAXINT64, 0,
                                                    flags);
  properties[PROP_CONTACT_NAME] = g_param_spec_string ("contact-name", NULL, NULL, NULL, flags);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL, flags);
  properties[PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, flags);
  properties[PROP_ERROR_TEXT] = g_param_spec_string ("error-text", NULL, NULL, NULL, flags);
  properties[PROP_PROVIDER_ID] = g_param_spec_string ("provider-id", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
turnout_campaign_message_init (TurnoutCampaignMessage *self)
{
}

/**
 * turnout_campaign_message_new:
 * @contact_id: the contact, or 0 when they were erased since
 * @contact_name: (nullable): their name; an empty one is said in words
 * @state: one of TURNOUT_MESSAGE_STATES
 * @error_text: (nullable): why it failed or was left out, as a sentence
 * @provider_id: (nullable): the provider's id of the message
 */
TurnoutCampaignMessage *
turnout_campaign_message_new (gint64      id,
                              gint64      contact_id,
                              const char *contact_name,
                              const char *address,
                              const char *state,
                              const char *error_text,
                              const char *provider_id)
{
  TurnoutCampaignMessage *self = g_object_new (TURNOUT_TYPE_CAMPAIGN_MESSAGE, NULL);

  self->id = id;
  self->contact_id = contact_id;
  if (contact_name != NULL && *contact_name != '\0')
    self->contact_name = g_strdup (contact_name);
  else
    self->contact_name = g_strdup (contact_id > 0 ? _("No name") : _("Erased contact"));
  self->address = g_strdup (address != NULL ? address : "");
  self->state = g_strdup (state != NULL ? state : "queued");
  self->error_text = g_strdup (error_text != NULL ? error_text : "");
  self->provider_id = g_strdup (provider_id != NULL ? provider_id : "");
  return self;
}

gint64
turnout_campaign_message_get_id (TurnoutCampaignMessage *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN_MESSAGE (self), 0);

  return self->id;
}

gint64
turnout_campaign_message_get_contact_id (TurnoutCampaignMessage *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN_MESSAGE (self), 0);

  return self->contact_id;
}

const char *
turnout_campaign_message_get_contact_name (TurnoutCampaignMessage *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN_MESSAGE (self), NULL);

  return self->contact_name;
}

const char *
turnout_campaign_message_get_address (TurnoutCampaignMessage *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN_MESSAGE (self), NULL);

  return self->address;
}

const char *
turnout_campaign_message_get_state (TurnoutCampaignMessage *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN_MESSAGE (self), NULL);

  return self->state;
}

const char *
turnout_campaign_message_get_state_label (TurnoutCampaignMessage *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN_MESSAGE (self), NULL);

  return turnout_message_state_to_label (self->state);
}

/**
 * turnout_campaign_message_get_error_text:
 *
 * Returns: why it failed or was left out, or "".
 */
const char *
turnout_campaign_message_get_error_text (TurnoutCampaignMessage *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN_MESSAGE (self), NULL);

  return self->error_text;
}

/**
 * turnout_campaign_message_get_provider_id:
 *
 * Returns: the provider's id (a Twilio Message SID), or "".
 */
const char *
turnout_campaign_message_get_provider_id (TurnoutCampaignMessage *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGN_MESSAGE (self), NULL);

  return self->provider_id;
}

/**
 * turnout_message_state_to_label:
 * @state: a message state as stored (TURNOUT_MESSAGE_STATES)
 *
 * Returns: the state in words, for the user.
 */
const char *
turnout_message_state_to_label (const char *state)
{
  static const struct
  {
    const char *state;
    const char *label;
  } labels[] = {
    { "queued", NC_("message state", "Waiting") },
    { "sending", NC_("message state", "Sending") },
    { "sent", NC_("message state", "Sent") },
    { "delivered", NC_("message state", "Delivered") },
    { "undelivered", NC_("message state", "Not delivered") },
    { "failed", NC_("message state", "Failed") },
    { "suppressed", NC_("message state", "Suppressed") },
    { "skipped", NC_("message state", "Skipped") },
    /* The request left and no answer came: a text is checked with Twilio
     * before anything is sent again; an email waits for the user. */
    { "unknown", NC_("message state", "In doubt") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].state, state) == 0)
      return g_dpgettext2 (NULL, "message state", labels[i].label);
  return state != NULL ? state : "";
}
