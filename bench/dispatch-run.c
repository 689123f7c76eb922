/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-bench-dispatch"

#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "turnout-campaigns.h"
#include "turnout-dispatcher.h"
#include "turnout-settings.h"
#include "turnout-smtp-sender.h"
#include "turnout-store.h"
#include "turnout-twilio-sender.h"

/*
 * turnout-bench-dispatch: sends one campaign through Turnout's real path —
 * turnout_campaigns_launch(), then a TurnoutDispatcher over a
 * TurnoutTwilioSender — with limits given on the command line, so that
 * bench/dispatch.py can ask for "no rate limit", which the sms.rate
 * setting (0.1 to 1000 a second) can't express. Everything else comes from
 * the database's settings, as for `turnout-cli campaign send`: the sender
 * number, retries, quiet hours, the frequency cap
 * (turnout_dispatcher_apply_settings()). The credentials and the
 * API address come from the environment (TWILIO_ACCOUNT_SID,
 * TWILIO_AUTH_TOKEN, TURNOUT_TWILIO_API_URL), which the benchmark points
 * at a fake Twilio on 127.0.0.1.
 *
 * With --email the campaign is an email one and goes through a
 * TurnoutSmtpSender made from the database's settings (smtp.host, port,
 * security, connections…), exactly as `turnout-cli campaign send` makes
 * it; the limits are the settings' too (no pace, one message a
 * connection at a time), so --in-flight and --rate are refused:
 * bench/smtp.py runs it against postfix's smtp-sink.
 *
 * Usage:
 *   turnout-bench-dispatch --db FILE --campaign ID [--in-flight N] [--rate R]
 *   turnout-bench-dispatch --db FILE --campaign ID --email
 *   turnout-bench-dispatch --db FILE --idle [--email]
 *   turnout-bench-dispatch --bare FORMS [--in-flight N]
 *
 * It prints "key value" lines: launched, launch_seconds, send_seconds,
 * sent, total, then vm_hwm_kib (the peak resident memory, VmHWM) and
 * vm_rss_kib. With --idle it only opens the store and makes the sender,
 * the reference the memory of a campaign is measured against. With
 * --bare it posts the forms of FORMS (one encoded form a line) to the
 * Messages endpoint with libsoup alone — one session set up as
 * TurnoutTwilioSender's, no store, no dispatcher, no reading of the
 * answers — and prints send_seconds: the floor any libsoup client has,
 * to tell what libsoup costs from what Turnout adds. Exits 1 when
 * anything fails or when a message did not end "sent" (with --bare: was
 * not answered 201).
 */

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

static void
wait_for (Wait *wait)
{
  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
}

/* The kernel's count of this process's memory: "VmHWM" is the most that
 * was ever resident, "VmRSS" what is now. In KiB, or -1. */
static gint64
read_status_kib (const char *field)
{
  g_autofree char *status = NULL;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  if ((line = strstr (status, key)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (key), NULL, 10);
}

static int
fail (const char *what,
      GError     *error)
{
  g_printerr ("turnout-bench-dispatch: %s: %s\n", what, error->message);
  return EXIT_FAILURE;
}

typedef struct
{
  SoupSession  *session;
  char         *url;
  char         *authorization;
  char        **forms;
  guint         n_forms;
  guint         next;
  guint         in_flight;
  guint         in_flight_max;
  guint         answered;
  GError       *error;
} Bare;

static void post_next (Bare *bare);

static void
on_bare_answer_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Bare *bare = user_data;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;

  message = g_object_ref (soup_session_get_async_result_message (bare->session, result));
  body = soup_session_send_and_read_finish (bare->session, result, &error);
  bare->in_flight--;
  bare->answered++;
  if (body == NULL && bare->error == NULL)
    bare->error = error;
  else if (body == NULL)
    g_error_free (error);
  else if (soup_message_get_status (message) != SOUP_STATUS_CREATED && bare->error == NULL)
    bare->error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "the fake answered %u",
                               soup_message_get_status (message));
  post_next (bare);
}

static void
post_next (Bare *bare)
{
  while (bare->error == NULL && bare->in_flight < bare->in_flight_max
         && bare->next < bare->n_forms)
    {
      char *form = g_strdup (bare->forms[bare->next++]);
      SoupMessage *message = soup_message_new_from_encoded_form (SOUP_METHOD_POST, bare->url,
                                                                 form);
      SoupMessageHeaders *headers = soup_message_get_request_headers (message);

      soup_message_headers_replace (headers, "Authorization", bare->authorization);
      soup_message_headers_replace (headers, "Accept", "application/json");
      /* As the sender does: without it libsoup opens a connection per POST. */
      soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_IDEMPOTENT);
      bare->in_flight++;
      soup_session_send_and_read_async (bare->session, message, G_PRIORITY_DEFAULT, NULL,
                                        on_bare_answer_cb, bare);
      g_object_unref (message);
    }
}

/* The libsoup floor: see the comment at the top. */
static int
post_bare (const char *forms_path,
           guint       in_flight_max)
{
  const char *api_url = g_getenv ("TURNOUT_TWILIO_API_URL");
  const char *sid = g_getenv ("TWILIO_ACCOUNT_SID");
  const char *token = g_getenv ("TWILIO_AUTH_TOKEN");
  g_autofree char *text = NULL;
  g_autofree char *pair = NULL;
  g_autofree char *encoded = NULL;
  g_autoptr(GError) error = NULL;
  Bare bare = { 0 };
  gint64 start;

  if (api_url == NULL || sid == NULL || token == NULL)
    {
      g_printerr ("turnout-bench-dispatch: --bare needs TURNOUT_TWILIO_API_URL, "
                  "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN\n");
      return 2;
    }
  if (!g_file_get_contents (forms_path, &text, NULL, &error))
    return fail (forms_path, error);
  g_strchomp (text);
  bare.forms = g_strsplit (text, "\n", -1);
  bare.n_forms = g_strv_length (bare.forms);
  bare.in_flight_max = in_flight_max;
  bare.url = g_strconcat (api_url, "/2010-04-01/Accounts/", sid, "/Messages.json", NULL);
  pair = g_strconcat (sid, ":", token, NULL);
  encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  bare.authorization = g_strconcat ("Basic ", encoded, NULL);
  bare.session = soup_session_new_with_options ("timeout", 30, "idle-timeout", 15,
                                                "max-conns", 64, "max-conns-per-host", 32,
                                                "user-agent", "Turnout/" PACKAGE_VERSION, NULL);
  soup_session_remove_feature_by_type (bare.session, SOUP_TYPE_AUTH_MANAGER);

  start = g_get_monotonic_time ();
  post_next (&bare);
  while (bare.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  g_print ("send_seconds %.6f\n", (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_print ("sent %u\n", bare.answered);

  g_object_unref (bare.session);
  g_strfreev (bare.forms);
  g_free (bare.url);
  g_free (bare.authorization);
  if (bare.error != NULL)
    {
      int status = fail ("bare", bare.error);

      g_error_free (bare.error);
      return status;
    }
  return EXIT_SUCCESS;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_path = NULL;
  g_autofree char *bare_forms = NULL;
  gint64 campaign_id = 0;
  int in_flight = 0;
  double rate = -1;
  gboolean idle = FALSE;
  gboolean email = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The database file", "FILE" },
    { "campaign", 0, 0, G_OPTION_ARG_INT64, &campaign_id, "The campaign to launch and send",
      "ID" },
    { "in-flight", 0, 0, G_OPTION_ARG_INT, &in_flight, "Requests out at once (default 8)", "N" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate,
      "Messages a second, 0 for no limit (default 0)", "R" },
    { "email", 0, 0, G_OPTION_ARG_NONE, &email,
      "An email campaign, through the mail server and limits of the settings", NULL },
    { "idle", 0, 0, G_OPTION_ARG_NONE, &idle,
      "Only open the store and make the sender, then report the memory", NULL },
    { "bare", 0, 0, G_OPTION_ARG_FILENAME, &bare_forms,
      "Post these forms with libsoup alone (one a line), for reference", "FORMS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— send a campaign, timed");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutSender) sender = NULL;
  g_autoptr(TurnoutDispatcher) dispatcher = NULL;
  g_autoptr(TurnoutCampaignStatus) status = NULL;
  Wait wait = { NULL, FALSE };
  gint64 launched, start, launch_end, send_end;
  gboolean ok;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("options", error);
  /* The SMS defaults: 8 in flight, no pace. */
  if (!email && in_flight == 0)
    in_flight = 8;
  if (!email && rate < 0)
    rate = 0;
  if (bare_forms != NULL && in_flight >= 1)
    return post_bare (bare_forms, (guint) in_flight);
  if (db_path == NULL || (!idle && campaign_id <= 0) || (!email && (in_flight < 1 || rate < 0))
      || (email && (in_flight != 0 || rate >= 0)))
    {
      g_printerr ("turnout-bench-dispatch: usage: --db FILE (--campaign ID [--in-flight N] "
                  "[--rate R] | --campaign ID --email | --idle [--email]), "
                  "or --bare FORMS [--in-flight N]\n");
      return 2;
    }

  if ((store = turnout_store_open (db_path, &error)) == NULL)
    return fail (db_path, error);
  if ((settings = turnout_settings_new (store, &error)) == NULL)
    return fail ("settings", error);
  if (email)
    turnout_smtp_sender_new_from_settings_async (settings, NULL, on_done_cb, &wait);
  else
    turnout_twilio_sender_new_from_settings_async (settings, NULL, on_done_cb, &wait);
  wait_for (&wait);
  if (email)
    sender = TURNOUT_SENDER (turnout_smtp_sender_new_from_settings_finish (wait.result, &error));
  else
    sender = TURNOUT_SENDER (turnout_twilio_sender_new_from_settings_finish (wait.result, &error));
  g_clear_object (&wait.result);
  if (sender == NULL)
    return fail (email ? "mail server" : "Twilio", error);

  if (idle)
    {
      g_print ("vm_hwm_kib %" G_GINT64_FORMAT "\n", read_status_kib ("VmHWM"));
      g_print ("vm_rss_kib %" G_GINT64_FORMAT "\n", read_status_kib ("VmRSS"));
      return EXIT_SUCCESS;
    }

  /* The same setup as `turnout-cli campaign send`, but the limits of a
   * text campaign. */
  dispatcher = turnout_dispatcher_new (store, sender);
  if (!turnout_dispatcher_apply_settings (dispatcher, settings, &error))
    return fail ("settings", error);
  if (!email)
    turnout_dispatcher_set_limits (dispatcher, rate, (guint) in_flight);

  start = g_get_monotonic_time ();
  if ((launched = turnout_campaigns_launch (store, campaign_id, NULL, &error)) < 0)
    return fail ("launch", error);
  launch_end = g_get_monotonic_time ();

  wait.done = FALSE;
  turnout_dispatcher_run_async (dispatcher, campaign_id, FALSE, NULL, on_done_cb, &wait);
  wait_for (&wait);
  ok = turnout_dispatcher_run_finish (dispatcher, wait.result, &error);
  g_clear_object (&wait.result);
  send_end = g_get_monotonic_time ();
  if (!ok)
    return fail ("send", error);

  if ((status = turnout_campaigns_get_status (store, campaign_id, &error)) == NULL)
    return fail ("status", error);
  g_print ("launched %" G_GINT64_FORMAT "\n", launched);
  g_print ("launch_seconds %.6f\n", (launch_end - start) / (double) G_USEC_PER_SEC);
  g_print ("send_seconds %.6f\n", (send_end - launch_end) / (double) G_USEC_PER_SEC);
  g_print ("sent %" G_GINT64_FORMAT "\n", status->counts[2]);
  g_print ("total %" G_GINT64_FORMAT "\n", status->total);
  g_print ("state %s\n", status->state);
  g_print ("vm_hwm_kib %" G_GINT64_FORMAT "\n", read_status_kib ("VmHWM"));
  g_print ("vm_rss_kib %" G_GINT64_FORMAT "\n", read_status_kib ("VmRSS"));
  if (status->counts[2] != status->total || status->total != launched)
    {
      g_printerr ("turnout-bench-dispatch: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                  " messages were sent\n", status->counts[2], status->total);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}
