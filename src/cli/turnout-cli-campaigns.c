/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-campaigns.h"
#include "turnout-segments.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-cli-private.h"

/*
 * turnout-cli campaign create | status | pause | resume | cancel.
 */

/* A saved segment's name, else a ready-made one's id. */
static TurnoutSegment *
find_segment (TurnoutStore  *store,
              const char    *name,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  TurnoutSegment *segment = turnout_segments_get (store, name, &local_error);

  if (segment != NULL)
    return segment;
  if (!g_error_matches (local_error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND)
      || !g_strv_contains (turnout_segment_list_presets (), name))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return turnout_segment_new_preset (name, -1, error);
}

static int
create_campaign (CliOptions   *options,
                 TurnoutStore *store,
                 const char   *name,
                 const char   *channel,
                 const char   *segment_name,
                 const char   *template_name,
                 const char   *at,
                 gint64        event_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSegment) segment = NULL;
  g_autoptr(TurnoutTemplate) template = NULL;
  gint64 scheduled_at = 0;
  gint64 id;

  if (at != NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (at, NULL);

      if (when == NULL)
        return turnout_cli_usage_error (options, _("--at: “%s” is not an ISO 8601 time with a "
                                                   "time zone, such as 2026-12-31T21:00:00+01:00"),
                                        at);
      scheduled_at = g_date_time_to_unix (when);
    }
  if ((segment = find_segment (store, segment_name, &error)) == NULL
      || (template = turnout_templates_get (store, template_name, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  id = turnout_campaigns_create (store, name, channel, segment_name, segment,
                                 turnout_template_get_id (template), event_id, scheduled_at,
                                 &error);
  if (id == 0)
    return turnout_cli_fail (options, error, g_error_matches (error, TURNOUT_CAMPAIGN_ERROR,
                                                              TURNOUT_CAMPAIGN_ERROR_INVALID)
                                             ? EXIT_USAGE : EXIT_FAILED);
  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, id);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else
    g_print ("%" G_GINT64_FORMAT "\n", id);
  return EXIT_OK;
}

static int
print_status (CliOptions   *options,
              TurnoutStore *store,
              gint64        id)
{
  static const char * const states[] = { TURNOUT_MESSAGE_STATES, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutCampaignStatus) status = turnout_campaigns_get_status (store, id, &error);

  if (status == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (options->json)
    {
      g_autofree char *json = turnout_campaign_status_to_json (status);

      g_print ("%s\n", json);
      return EXIT_OK;
    }
  g_print (_("Campaign: %s\n"), status->name);
  g_print (_("State: %s\n"), status->state);
  if (status->state_reason != NULL)
    g_print (_("Why: %s\n"), status->state_reason);
  g_print (_("Messages: %" G_GINT64_FORMAT "\n"), status->total);
  for (guint i = 0; states[i] != NULL; i++)
    if (status->counts[i] > 0)
      g_print ("  %s\t%" G_GINT64_FORMAT "\n", states[i], status->counts[i]);
  return EXIT_OK;
}

int
turnout_cli_campaign_command (CliOptions  *options,
                              int          argc,
                              char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("create | status ID | pause ID | resume ID | cancel ID"));
  g_autoptr(TurnoutStore) store = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  g_autofree char *name = NULL;
  g_autofree char *channel = NULL;
  g_autofree char *segment = NULL;
  g_autofree char *template_name = NULL;
  g_autofree char *at = NULL;
  gint64 event_id = 0;
  gint64 id = 0;
  const char *verb;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_FILENAME, &name, N_("The campaign’s name"), N_("NAME") },
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("sms or email"), N_("CHANNEL") },
    { "segment", 0, 0, G_OPTION_ARG_FILENAME, &segment,
      N_("A saved segment, or a ready-made one: recent, upcoming, first-time, repeat, lapsed, "
         "cancelled, all"), N_("NAME") },
    { "template", 0, 0, G_OPTION_ARG_FILENAME, &template_name, N_("A template’s name"),
      N_("NAME") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("When to send, ISO 8601 with a time zone"),
      N_("TIME") },
    { "event", 0, 0, G_OPTION_ARG_INT64, &event_id,
      N_("The event of the messages (default: each contact’s next event)"), N_("ID") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse_strv (context, &args, &error))
    return turnout_cli_fail (options, error, EXIT_USAGE);
  {
    const char *texts[] = { name, segment, template_name };

    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      if (texts[i] != NULL && !g_utf8_validate (texts[i], -1, NULL))
        return turnout_cli_usage_error (options, _("“%s” is not UTF-8 text"), texts[i]);
  }
  verb = g_strv_length (args) >= 2 ? args[1] : "";

  if (g_str_equal (verb, "create"))
    {
      if (g_strv_length (args) != 2 || name == NULL || channel == NULL || segment == NULL
          || template_name == NULL || event_id < 0)
        return turnout_cli_usage_error (options, _("usage: turnout-cli campaign create --name NAME "
                                                   "--channel sms|email --segment NAME --template "
                                                   "NAME [--at ISO8601] [--event ID]"));
      if ((store = turnout_cli_open_store (options, &error)) == NULL)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      return create_campaign (options, store, name, channel, segment, template_name, at,
                              event_id);
    }

  if (!g_strv_contains ((const char * const[]) { "status", "pause", "resume", "cancel", NULL },
                        verb)
      || g_strv_length (args) != 3 || !turnout_cli_parse_id (args[2], &id))
    return turnout_cli_usage_error (options, _("usage: turnout-cli campaign create [OPTION…] | "
                                               "status ID | pause ID | resume ID | cancel ID"));
  if ((store = turnout_cli_open_store (options, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (g_str_equal (verb, "pause") && !turnout_campaigns_pause (store, id, &error))
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (g_str_equal (verb, "resume") && !turnout_campaigns_resume (store, id, &error))
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (g_str_equal (verb, "cancel") && !turnout_campaigns_cancel (store, id, &error))
    return turnout_cli_fail (options, error, EXIT_FAILED);
  return print_status (options, store, id);
}
