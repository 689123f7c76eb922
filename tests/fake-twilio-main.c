/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fake-twilio"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>

#include "turnout-fake-twilio.h"

/*
 * fake-twilio: the fake Twilio of tests/turnout-fake-twilio.c as a process
 * of its own, for benchmarks (bench/dispatch) and crash tests that kill
 * turnout-cli and start it again while the fake keeps what it accepted.
 *
 * It listens on 127.0.0.1, prints its port and a newline on stdout as soon
 * as it is ready, and runs until SIGTERM or SIGINT. Point Turnout at it
 * with TURNOUT_TWILIO_API_URL=http://127.0.0.1:PORT and the credentials
 * below (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN; sender +15005550006).
 *
 * What it accepted can be read while it runs (GET /_fake/messages, GET
 * /_fake/stats) and is written to --store FILE when it is stopped, as
 * {"accepted": N, "messages": [{sid, to, from, body, media_urls, status,
 * error_code, date_created, date_sent, auth_user}, …]}, written whole
 * (a temporary file renamed) so a reader never sees half of it. Faults can
 * be asked for on the command line or while it runs (POST /_fake/fault
 * Fault=NAME&Count=N[&Scope=create|list|fetch|any]); the other control
 * endpoints are listed in turnout-fake-twilio.c.
 *
 * Options:
 *   --port N                 listen on N (default: a free port)
 *   --account-sid AC…        default AC0123456789abcdef0123456789abcdef
 *   --auth-token TOKEN       default 0123456789abcdef0123456789abcdef
 *   --api-key SK…:SECRET     another API key (one is built in, see the header)
 *   --number +1…             another SMS-capable number of the account
 *   --messaging-service MG…  another Messaging Service
 *   --fail-next NAME=N       the next N create requests get fault NAME
 *   --fault-rate NAME=P      each create request gets NAME with probability P
 *   --seed N                 seed of the random faults and SIDs
 *   --retry-after VALUE      the Retry-After of 429-retry-after (default 2)
 *   --delay MS               answer every request MS milliseconds late
 *   --opted-out NUMBER       sends to NUMBER get 21610 (replied STOP)
 *   --invalid NUMBER         sends to NUMBER get 21211
 *   --block-prefix PREFIX    sends to numbers starting with PREFIX get 21408
 *   --clock-offset SECONDS   shift the fake's dates (for a frozen --now)
 *   --store FILE             write the accepted messages to FILE on exit
 * Fault names: 500 502 503 429 429-retry-after 20429 21611 reset-before
 * reset-after slow.
 */

static gboolean
on_signal_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
split_pair (const char  *option,
            const char  *text,
            char       **name,
            char       **value,
            GError     **error)
{
  const char *eq = strchr (text, '=');

  if (eq == NULL || eq == text || eq[1] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s takes NAME=VALUE, not “%s”", option, text);
      return FALSE;
    }
  *name = g_strndup (text, eq - text);
  *value = g_strdup (eq + 1);
  return TRUE;
}

static TurnoutFakeFault
parse_fault (const char  *name,
             GError     **error)
{
  TurnoutFakeFault fault = turnout_fake_fault_from_string (name);

  if (fault == TURNOUT_FAKE_FAULT_NONE)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "“%s” is not a fault; use 500, 502, 503, 429, 429-retry-after, 20429, 21611, "
                 "reset-before, reset-after or slow", name);
  return fault;
}

static gboolean
write_store (TurnoutFakeTwilio  *fake,
             const char         *path,
             GError            **error)
{
  g_autofree char *json = turnout_fake_twilio_dup_messages_json (fake);

  return g_file_set_contents (path, json, -1, error);
}

int
main (int   argc,
      char *argv[])
{
  int port = 0, delay = 0;
  gint64 seed = 20100401, clock_offset = 0;
  g_autofree char *account_sid = NULL;
  g_autofree char *auth_token = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *store = NULL;
  g_auto(GStrv) api_keys = NULL;
  g_auto(GStrv) numbers = NULL;
  g_auto(GStrv) services = NULL;
  g_auto(GStrv) fail_next = NULL;
  g_auto(GStrv) fault_rates = NULL;
  g_auto(GStrv) opted_out = NULL;
  g_auto(GStrv) invalid = NULL;
  g_auto(GStrv) blocked = NULL;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Listen on this port", "N" },
    { "account-sid", 0, 0, G_OPTION_ARG_STRING, &account_sid, "The Account SID", "AC…" },
    { "auth-token", 0, 0, G_OPTION_ARG_STRING, &auth_token, "The Auth Token", "TOKEN" },
    { "api-key", 0, 0, G_OPTION_ARG_STRING_ARRAY, &api_keys, "Another API key", "SK…:SECRET" },
    { "number", 0, 0, G_OPTION_ARG_STRING_ARRAY, &numbers, "Another number", "+1…" },
    { "messaging-service", 0, 0, G_OPTION_ARG_STRING_ARRAY, &services, "Another service",
      "MG…" },
    { "fail-next", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fail_next, "Fail the next N sends",
      "NAME=N" },
    { "fault-rate", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fault_rates, "Fail sends at random",
      "NAME=P" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the random faults", "N" },
    { "retry-after", 0, 0, G_OPTION_ARG_STRING, &retry_after, "Retry-After of 429s", "VALUE" },
    { "delay", 0, 0, G_OPTION_ARG_INT, &delay, "Answer late", "MS" },
    { "opted-out", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opted_out, "Answer 21610", "NUMBER" },
    { "invalid", 0, 0, G_OPTION_ARG_STRING_ARRAY, &invalid, "Answer 21211", "NUMBER" },
    { "block-prefix", 0, 0, G_OPTION_ARG_STRING_ARRAY, &blocked, "Answer 21408", "PREFIX" },
    { "clock-offset", 0, 0, G_OPTION_ARG_INT64, &clock_offset, "Shift the dates", "SECONDS" },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "Write what was accepted here", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— a fake Twilio on 127.0.0.1");
  g_autoptr(TurnoutFakeTwilio) fake = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  guint term_id, int_id;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fake-twilio: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("fake-twilio: --port %d is not a port\n", port);
      return EXIT_FAILURE;
    }

  fake = turnout_fake_twilio_new_on_port ((guint) port, &error);
  if (fake == NULL)
    {
      g_printerr ("fake-twilio: %s\n", error->message);
      return EXIT_FAILURE;
    }
  turnout_fake_twilio_set_seed (fake, (guint32) seed);
  if (account_sid != NULL || auth_token != NULL)
    turnout_fake_twilio_set_credentials (fake,
                                         account_sid != NULL ? account_sid
                                                             : TURNOUT_FAKE_TWILIO_ACCOUNT_SID,
                                         auth_token != NULL ? auth_token
                                                            : TURNOUT_FAKE_TWILIO_AUTH_TOKEN);
  for (guint i = 0; api_keys != NULL && api_keys[i] != NULL; i++)
    {
      const char *colon = strchr (api_keys[i], ':');
      g_autofree char *sid = NULL;

      if (colon == NULL)
        {
          g_printerr ("fake-twilio: --api-key takes SK…:SECRET\n");
          return EXIT_FAILURE;
        }
      sid = g_strndup (api_keys[i], colon - api_keys[i]);
      turnout_fake_twilio_add_api_key (fake, sid, colon + 1);
    }
  for (guint i = 0; numbers != NULL && numbers[i] != NULL; i++)
    turnout_fake_twilio_add_number (fake, numbers[i], TRUE);
  for (guint i = 0; services != NULL && services[i] != NULL; i++)
    turnout_fake_twilio_add_messaging_service (fake, services[i], TRUE);
  for (guint i = 0; fail_next != NULL && fail_next[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *count = NULL;
      TurnoutFakeFault fault;

      if (!split_pair ("--fail-next", fail_next[i], &name, &count, &error) ||
          (fault = parse_fault (name, &error)) == TURNOUT_FAKE_FAULT_NONE)
        {
          g_printerr ("fake-twilio: %s\n", error->message);
          return EXIT_FAILURE;
        }
      turnout_fake_twilio_fail_next (fake, TURNOUT_FAKE_ON_CREATE, fault, (guint) atoi (count));
    }
  for (guint i = 0; fault_rates != NULL && fault_rates[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *rate = NULL;
      TurnoutFakeFault fault;
      double probability;

      if (!split_pair ("--fault-rate", fault_rates[i], &name, &rate, &error) ||
          (fault = parse_fault (name, &error)) == TURNOUT_FAKE_FAULT_NONE)
        {
          g_printerr ("fake-twilio: %s\n", error->message);
          return EXIT_FAILURE;
        }
      probability = g_ascii_strtod (rate, NULL);
      if (probability < 0 || probability > 1)
        {
          g_printerr ("fake-twilio: --fault-rate %s: the rate is between 0 and 1\n", rate);
          return EXIT_FAILURE;
        }
      turnout_fake_twilio_add_random_fault (fake, fault, probability);
    }
  if (retry_after != NULL)
    turnout_fake_twilio_set_retry_after (fake, retry_after);
  if (delay > 0)
    turnout_fake_twilio_set_delay (fake, (guint) delay, TRUE);
  for (guint i = 0; opted_out != NULL && opted_out[i] != NULL; i++)
    turnout_fake_twilio_set_number_error (fake, opted_out[i], 21610);
  for (guint i = 0; invalid != NULL && invalid[i] != NULL; i++)
    turnout_fake_twilio_set_number_error (fake, invalid[i], 21211);
  for (guint i = 0; blocked != NULL && blocked[i] != NULL; i++)
    turnout_fake_twilio_set_prefix_error (fake, blocked[i], 21408);
  turnout_fake_twilio_set_clock_offset (fake, clock_offset);

  loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, on_signal_cb, loop);
  int_id = g_unix_signal_add (SIGINT, on_signal_cb, loop);

  g_print ("%u\n", turnout_fake_twilio_get_port (fake));
  fflush (stdout);

  g_main_loop_run (loop);
  g_source_remove (term_id);
  g_source_remove (int_id);

  if (store != NULL && !write_store (fake, store, &error))
    {
      g_printerr ("fake-twilio: %s\n", error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}
