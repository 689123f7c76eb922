/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-cli"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include <stdio.h>
#include <unistd.h>
#include <glib-unix.h>

#include "turnout-campaigns.h"
#include "turnout-campaigns-async.h"
#include "turnout-dispatcher.h"
#include "turnout-segments.h"
#include "turnout-settings.h"
#include "turnout-smtp-sender.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-twilio-sender.h"
#include "turnout-cli-private.h"

/*
 * turnout-cli campaign create | send | status | pause | resume | cancel |
 * settle.
 */

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
  if ((segment = turnout_cli_find_segment (store, segment_name, &error)) == NULL
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
    g_print ("%" PRId64 "\n", id);
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
  g_autoptr(GListModel) unknown = NULL;

  if (status == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  /* The emails that wait for the user to decide, each with its id for
   * "campaign settle --message" (texts are asked about at each run). */
  if (status->counts[8] > 0 && g_strcmp0 (status->channel, "email") == 0
      && (unknown = turnout_campaigns_list_messages (store, id, "unknown", 0,
                                                     TURNOUT_CAMPAIGN_MESSAGES_PAGE,
                                                     &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (options->json)
    {
      g_autofree char *json = turnout_campaign_status_to_json (status);
      g_autoptr(JsonNode) root = json_from_string (json, NULL);
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      JsonArray *array = json_array_new ();

      for (guint i = 0; unknown != NULL && i < g_list_model_get_n_items (unknown); i++)
        {
          g_autoptr(TurnoutCampaignMessage) message = g_list_model_get_item (unknown, i);
          JsonObject *object = json_object_new ();

          json_object_set_int_member (object, "id", turnout_campaign_message_get_id (message));
          json_object_set_int_member (object, "contact_id",
                                      turnout_campaign_message_get_contact_id (message));
          json_object_set_string_member (object, "address",
                                         turnout_campaign_message_get_address (message));
          json_object_set_string_member (object, "why",
                                         turnout_campaign_message_get_error_text (message));
          json_array_add_object_element (array, object);
        }
      json_object_set_array_member (json_node_get_object (root), "unknown_messages", array);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      g_free (json);
      json = json_generator_to_data (generator, NULL);
      g_print ("%s\n", json);
      return EXIT_OK;
    }
  g_print (_("Campaign: %s\n"), status->name);
  g_print (_("State: %s\n"), status->state);
  if (status->state_reason != NULL)
    g_print (_("Why: %s\n"), status->state_reason);
  g_print (_("Messages: %" PRId64 "\n"), status->total);
  for (guint i = 0; states[i] != NULL; i++)
    if (status->counts[i] > 0)
      g_print ("  %s\t%" PRId64 "\n", states[i], status->counts[i]);
  if (unknown != NULL && g_list_model_get_n_items (unknown) > 0)
    {
      g_print (_("May or may not have arrived (decide with “turnout-cli campaign settle %" PRId64
                 " --send-again|--mark-sent [--message ID]”):\n"), id);
      for (guint i = 0; i < g_list_model_get_n_items (unknown); i++)
        {
          g_autoptr(TurnoutCampaignMessage) message = g_list_model_get_item (unknown, i);

          g_print ("  %" PRId64 "\t%s\n", turnout_campaign_message_get_id (message),
                   turnout_campaign_message_get_address (message));
        }
      if (status->counts[8] > g_list_model_get_n_items (unknown))
        g_print (_("  … and %" PRId64 " more\n"),
                 status->counts[8] - (gint64) g_list_model_get_n_items (unknown));
    }
  return EXIT_OK;
}

typedef struct
{
  GAsyncResult *result;
  gboolean      done;
} Wait;

static void
on_done_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

typedef struct
{
  TurnoutStore *store;
  gint64        id;
  gboolean      tty;
} Progress;

/* On a terminal, a line that says how far the campaign is. */
static gboolean
on_progress_cb (gpointer user_data)
{
  Progress *progress = user_data;
  g_autoptr(TurnoutCampaignStatus) status = NULL;

  /* Only for a person watching: a pipe gets the status at the end. */
  if (!progress->tty)
    return G_SOURCE_CONTINUE;
  status = turnout_campaigns_get_status (progress->store, progress->id, NULL);
  if (status != NULL)
    {
      gint64 sent = status->counts[2] + status->counts[3] + status->counts[4];
      gint64 waiting = status->counts[0] + status->counts[1] + status->counts[8];

      /* TRANSLATORS: a progress line: sent, then failed, then waiting. */
      g_printerr (_("\r%" PRId64 " sent, %" PRId64 " failed, %" PRId64 " waiting of %" PRId64
                    "   "),
                  sent, status->counts[5], waiting, status->total);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal_cb (gpointer user_data)
{
  /* Stop taking new messages; those in flight are seen through. */
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* Makes the channel's sender from the settings: Twilio for texts, the
 * mail server for emails. */
static TurnoutSender *
new_sender (TurnoutSettings  *settings,
            const char       *channel,
            GError          **error)
{
  Wait wait = { NULL, FALSE };
  TurnoutSender *sender;

  if (g_str_equal (channel, "email"))
    turnout_smtp_sender_new_from_settings_async (settings, NULL, on_done_cb, &wait);
  else
    turnout_twilio_sender_new_from_settings_async (settings, NULL, on_done_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  if (g_str_equal (channel, "email"))
    sender = (TurnoutSender *) turnout_smtp_sender_new_from_settings_finish (wait.result, error);
  else
    sender = (TurnoutSender *) turnout_twilio_sender_new_from_settings_finish (wait.result, error);
  g_clear_object (&wait.result);
  return sender;
}

/* Launches a draft (or a scheduled campaign, now) and sends its messages
 * through Twilio or the mail server, with the limits in the settings. */
static int
send_campaign (CliOptions   *options,
               TurnoutStore *store,
               gint64        id,
               gboolean      wait_for_retries)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutCampaignStatus) status = turnout_campaigns_get_status (store, id, &error);
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutSender) sender = NULL;
  g_autoptr(TurnoutDispatcher) dispatcher = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Wait wait = { NULL, FALSE };
  Progress progress = { store, id, isatty (STDERR_FILENO) };
  guint sigint, sigterm, tick;
  gboolean ok;

  if (status == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if ((settings = turnout_settings_new (store, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if ((sender = new_sender (settings, status->channel, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  /* A pause is the user's and waits for them; a stop was the channel's
   * (credentials, the sender) and asking to send again is trying again. */
  if (g_str_equal (status->state, "paused") || g_str_equal (status->state, "cancelled"))
    {
      g_set_error (&error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE,
                   g_str_equal (status->state, "paused")
                   ? _("Campaign %" PRId64 " is paused: resume it first "
                       "(turnout-cli campaign resume %" PRId64 ")")
                   : _("Campaign %" PRId64 " was cancelled and can’t be sent"),
                   id, id);
      return turnout_cli_fail (options, error, EXIT_FAILED);
    }
  if ((g_str_equal (status->state, "draft") || g_str_equal (status->state, "scheduled"))
      && turnout_campaigns_launch (store, id, NULL, &error) < 0)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (g_str_equal (status->state, "stopped") && !turnout_campaigns_resume (store, id, &error))
    return turnout_cli_fail (options, error, EXIT_FAILED);

  dispatcher = turnout_dispatcher_new (store, sender);
  if (!turnout_dispatcher_apply_settings (dispatcher, settings, &error))
    return turnout_cli_fail (options, error, EXIT_FAILED);

  sigint = g_unix_signal_add (SIGINT, on_signal_cb, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, on_signal_cb, cancellable);
  tick = g_timeout_add (500, on_progress_cb, &progress);
  wait.done = FALSE;
  turnout_dispatcher_run_async (dispatcher, id, wait_for_retries, cancellable, on_done_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  ok = turnout_dispatcher_run_finish (dispatcher, wait.result, &error);
  g_clear_object (&wait.result);
  g_source_remove (tick);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (progress.tty)
    {
      on_progress_cb (&progress);
      g_printerr ("\n");
    }
  if (!ok)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  {
    g_autoptr(TurnoutCampaignStatus) after = turnout_campaigns_get_status (store, id, NULL);

    /* Not re-sent, and not hidden either: the person decides. */
    if (after != NULL && after->counts[8] > 0 && g_str_equal (status->channel, "email"))
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "turnout-cli: %" PRId64 " email may or may not have arrived: the "
                               "connection was lost before the mail server answered. It is not "
                               "sent again; check with the recipient.\n",
                               "turnout-cli: %" PRId64 " emails may or may not have arrived: the "
                               "connection was lost before the mail server answered. They are not "
                               "sent again; check with the recipients.\n",
                               after->counts[8]),
                  after->counts[8]);
  }
  return EXIT_OK;
}

int
turnout_cli_campaign_command (CliOptions  *options,
                              int          argc,
                              char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("create | send ID | status ID | pause ID | resume ID | cancel ID | "
                            "settle ID"));
  g_autoptr(TurnoutStore) store = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  g_autofree char *name = NULL;
  g_autofree char *channel = NULL;
  g_autofree char *segment = NULL;
  g_autofree char *template_name = NULL;
  g_autofree char *at = NULL;
  gint64 event_id = 0;
  gint64 id = 0;
  gint64 message_id = 0;
  gboolean wait_for_retries = FALSE;
  gboolean send_again = FALSE;
  gboolean mark_sent = FALSE;
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
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait_for_retries,
      N_("send: go on until every message has its outcome, waiting out retries and quiet hours"),
      NULL },
    { "send-again", 0, 0, G_OPTION_ARG_NONE, &send_again,
      N_("settle: send the emails whose fate is unknown again"), NULL },
    { "mark-sent", 0, 0, G_OPTION_ARG_NONE, &mark_sent,
      N_("settle: count the emails whose fate is unknown as sent"), NULL },
    { "message", 0, 0, G_OPTION_ARG_INT64, &message_id,
      N_("settle: only this message (its id in campaign status --json)"), N_("ID") },
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

  if (!g_strv_contains ((const char * const[]) { "send", "status", "pause", "resume", "cancel",
                                                "settle", NULL }, verb)
      || g_strv_length (args) != 3 || !turnout_cli_parse_id (args[2], &id))
    return turnout_cli_usage_error (options, _("usage: turnout-cli campaign create [OPTION…] | "
                                               "send ID [--wait] | status ID | pause ID | "
                                               "resume ID | cancel ID | settle ID "
                                               "--send-again|--mark-sent [--message ID]"));
  if (g_str_equal (verb, "settle") && (send_again == mark_sent || message_id < 0))
    return turnout_cli_usage_error (options, _("usage: turnout-cli campaign settle ID "
                                               "--send-again|--mark-sent [--message ID]: say "
                                               "one of the two"));
  if ((store = turnout_cli_open_store (options, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (g_str_equal (verb, "send"))
    {
      int status = send_campaign (options, store, id, wait_for_retries);

      if (status != EXIT_OK)
        return status;
    }
  if (g_str_equal (verb, "pause") && !turnout_campaigns_pause (store, id, &error))
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (g_str_equal (verb, "resume") && !turnout_campaigns_resume (store, id, &error))
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (g_str_equal (verb, "cancel") && !turnout_campaigns_cancel (store, id, &error))
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (g_str_equal (verb, "settle")
      && turnout_campaigns_settle_unknown (store, id, message_id,
                                           send_again ? TURNOUT_UNKNOWN_SEND_AGAIN
                                                      : TURNOUT_UNKNOWN_MARK_SENT,
                                           &error) < 0)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  return print_status (options, store, id);
}
