/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/socket.h>

#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "turnout-credentials.h"
#include "turnout-fake-twilio.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-test-utils.h"
#include "turnout-twilio-sender.h"

/* The Twilio client against the fake Twilio on 127.0.0.1: every outcome
 * class of a send and the sentence that comes with it, both kinds of
 * credentials, repeated MediaUrl, the line between "never left"
 * (transient) and "may have been accepted" (unknown), Retry-After, paging
 * in reconciliation and in the list of replies, delivery status, "Test
 * connection", the checks of the configuration, TURNOUT_TWILIO_API_URL and
 * the settings with the keyring. The last tests check the fake itself
 * against the spec, since other tests trust it. */

#define TO "+15551230001"

typedef struct
{
  TurnoutFakeTwilio   *fake;
  TurnoutTwilioSender *sender;
} Fixture;

static TurnoutTwilioSender *
new_sender (const char *key_sid,
            const char *secret,
            const char *from,
            const char *service)
{
  g_autoptr(GError) error = NULL;
  TurnoutTwilioSender *sender = turnout_twilio_sender_new (TURNOUT_FAKE_TWILIO_ACCOUNT_SID,
                                                           key_sid, secret, from, service,
                                                           &error);

  g_assert_no_error (error);
  g_assert_nonnull (sender);
  return sender;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->fake = turnout_fake_twilio_new ();
  g_setenv ("TURNOUT_TWILIO_API_URL", turnout_fake_twilio_get_url (fixture->fake), TRUE);
  fixture->sender = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TURNOUT_FAKE_TWILIO_FROM,
                                NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  turnout_test_finalize_object (g_steal_pointer (&fixture->sender));
  turnout_test_finalize_object (g_steal_pointer (&fixture->fake));
  g_unsetenv ("TURNOUT_TWILIO_API_URL");
}

static TurnoutSendResult *
send_full (TurnoutTwilioSender *sender,
           const char          *to,
           const char          *text,
           const char * const  *media)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutOutgoing outgoing = { .to = to, .text = text, .media_urls = media };
  TurnoutSendResult *sent;

  turnout_sender_send_async (TURNOUT_SENDER (sender), &outgoing, NULL, turnout_test_result_cb,
                             &result);
  sent = turnout_sender_send_finish (TURNOUT_SENDER (sender), turnout_test_wait_result (&result),
                                     &error);
  g_assert_no_error (error);
  g_assert_nonnull (sent);
  /* Every outcome but OK says in words what happened. */
  if (sent->outcome == TURNOUT_SEND_OK)
    g_assert_nonnull (sent->provider_id);
  else
    {
      g_assert_null (sent->provider_id);
      g_assert_nonnull (sent->message);
      g_assert_cmpstr (sent->message, !=, "");
    }
  return sent;
}

static TurnoutSendResult *
send_text (TurnoutTwilioSender *sender,
      const char          *to,
      const char          *text)
{
  return send_full (sender, to, text, NULL);
}

static char *
find_sent (TurnoutTwilioSender  *sender,
           const char           *to,
           gint64                since,
           const char           *text,
           GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_sender_find_sent_async (TURNOUT_SENDER (sender), to, since, text, NULL,
                                  turnout_test_result_cb, &result);
  return turnout_sender_find_sent_finish (TURNOUT_SENDER (sender),
                                          turnout_test_wait_result (&result), error);
}

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text, part);
}

static gboolean
is_sid_with_prefix (const char *sid,
                    const char *prefix)
{
  g_autoptr(GRegex) regex = g_regex_new ("^[A-Z]{2}[0-9a-f]{32}$", 0, 0, NULL);

  return g_str_has_prefix (sid, prefix) && g_regex_match (regex, sid, 0, NULL);
}

/* ------------------------------------------------------------------------ */

static void
test_send_ok (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(TurnoutSendResult) result = send_text (fixture->sender, TO, "Doors at 9 – see you!");
  g_autoptr(TurnoutFakeMessage) stored = NULL;

  g_assert_cmpstr (turnout_sender_get_channel (TURNOUT_SENDER (fixture->sender)), ==, "sms");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_OK);
  g_assert_true (is_sid_with_prefix (result->provider_id, "SM"));
  g_assert_null (result->message);
  g_assert_cmpint (result->retry_after, ==, -1);

  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 1);
  stored = turnout_fake_twilio_dup_accepted (fixture->fake, 0);
  g_assert_cmpstr (stored->sid, ==, result->provider_id);
  g_assert_cmpstr (stored->to, ==, TO);
  g_assert_cmpstr (stored->from, ==, TURNOUT_FAKE_TWILIO_FROM);
  g_assert_null (stored->messaging_service_sid);
  g_assert_cmpstr (stored->body, ==, "Doors at 9 – see you!");
  g_assert_cmpuint (g_strv_length (stored->media_urls), ==, 0);
  g_assert_cmpstr (stored->auth_user, ==, TURNOUT_FAKE_TWILIO_ACCOUNT_SID);
  g_assert_cmpint (stored->validity_period, ==, 0);
  g_assert_false (stored->shorten_urls);
}

static void
test_media_and_service (Fixture       *fixture,
                        gconstpointer  data)
{
  const char * const media[] = {
    "https://cdn.example.com/poster.jpg",
    "https://cdn.example.com/map.png?size=large&v=2",
    "https://cdn.example.com/lineup.gif",
    NULL
  };
  g_autoptr(TurnoutSendResult) result = send_full (fixture->sender, TO, "Tonight", media);
  g_autoptr(TurnoutSendResult) only_media = NULL;
  g_autoptr(TurnoutSendResult) via_service = NULL;
  g_autoptr(TurnoutSendResult) empty = NULL;
  g_autoptr(TurnoutFakeMessage) stored = NULL;
  g_autoptr(TurnoutFakeMessage) stored_service = NULL;
  g_autoptr(TurnoutTwilioSender) service = NULL;

  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_OK);
  /* Twilio's MMS SIDs start with MM. */
  g_assert_true (is_sid_with_prefix (result->provider_id, "MM"));
  stored = turnout_fake_twilio_dup_accepted (fixture->fake, 0);
  g_assert_cmpuint (g_strv_length (stored->media_urls), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (stored->media_urls[i], ==, media[i]);

  /* Media without text is an MMS too. */
  only_media = send_full (fixture->sender, TO, "", media);
  g_assert_cmpint (only_media->outcome, ==, TURNOUT_SEND_OK);

  /* Nothing to send: refused here, without a request. */
  empty = send_text (fixture->sender, TO, "");
  g_assert_cmpint (empty->outcome, ==, TURNOUT_SEND_PERMANENT);
  assert_contains (empty->message, "empty");
  g_assert_cmpuint (turnout_fake_twilio_get_n_requests (fixture->fake, TURNOUT_FAKE_ON_CREATE), ==,
                    2);

  /* Through a Messaging Service: no From, and the options reach Twilio. */
  service = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TURNOUT_FAKE_TWILIO_FROM,
                        TURNOUT_FAKE_TWILIO_SERVICE_SID);
  turnout_twilio_sender_set_validity_period (service, 600);
  turnout_twilio_sender_set_shorten_urls (service, TRUE);
  via_service = send_text (service, TO, "Tickets: https://example.com/t");
  g_assert_cmpint (via_service->outcome, ==, TURNOUT_SEND_OK);
  stored_service = turnout_fake_twilio_dup_accepted (fixture->fake, 2);
  g_assert_null (stored_service->from);
  g_assert_cmpstr (stored_service->messaging_service_sid, ==, TURNOUT_FAKE_TWILIO_SERVICE_SID);
  g_assert_cmpint (stored_service->validity_period, ==, 600);
  g_assert_true (stored_service->shorten_urls);
  turnout_test_finalize_object (g_steal_pointer (&service));
}

static void
test_credentials (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TurnoutTwilioSender) key = new_sender (TURNOUT_FAKE_TWILIO_KEY_SID,
                                                   TURNOUT_FAKE_TWILIO_KEY_SECRET,
                                                   TURNOUT_FAKE_TWILIO_FROM, NULL);
  g_autoptr(TurnoutTwilioSender) wrong_token = new_sender (NULL, "0123456789abcdef0123456789abcdeX",
                                                           TURNOUT_FAKE_TWILIO_FROM, NULL);
  g_autoptr(TurnoutTwilioSender) wrong_secret = new_sender (TURNOUT_FAKE_TWILIO_KEY_SID,
                                                            "not-the-secret",
                                                            TURNOUT_FAKE_TWILIO_FROM, NULL);
  g_autoptr(TurnoutSendResult) by_key = send_text (key, TO, "Signed with a key");
  g_autoptr(TurnoutSendResult) refused = send_text (wrong_token, TO, "Nope");
  g_autoptr(TurnoutSendResult) refused_key = send_text (wrong_secret, TO, "Nope");
  g_autoptr(TurnoutFakeMessage) stored = NULL;

  g_assert_cmpint (by_key->outcome, ==, TURNOUT_SEND_OK);
  stored = turnout_fake_twilio_dup_accepted (fixture->fake, 0);
  /* The key signs; the path still names the account. */
  g_assert_cmpstr (stored->auth_user, ==, TURNOUT_FAKE_TWILIO_KEY_SID);

  g_assert_cmpint (refused->outcome, ==, TURNOUT_SEND_FATAL);
  g_assert_cmpstr (refused->error_code, ==, "20003");
  assert_contains (refused->message, "check the Account SID and the Auth Token or API key");
  g_assert_cmpint (refused_key->outcome, ==, TURNOUT_SEND_FATAL);
  g_assert_cmpstr (refused_key->error_code, ==, "20003");
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 1);

  turnout_test_finalize_object (g_steal_pointer (&key));
  turnout_test_finalize_object (g_steal_pointer (&wrong_token));
  turnout_test_finalize_object (g_steal_pointer (&wrong_secret));
}

typedef struct
{
  const char         *to;
  int                 code;
  TurnoutSendOutcome  outcome;
  const char         *sentence;
} Refusal;

static void
test_recipient_refusals (Fixture       *fixture,
                         gconstpointer  data)
{
  const Refusal refusals[] = {
    { "+15551230010", 21610, TURNOUT_SEND_SUPPRESS,
      "+15551230010 replied STOP to your number: Twilio won’t send to them until they reply "
      "START (error 21610)" },
    { "+15551230011", 21211, TURNOUT_SEND_PERMANENT,
      "+15551230011 is not a valid phone number (Twilio error 21211): correct it in the contact." },
    { "+15551230012", 21214, TURNOUT_SEND_PERMANENT, "can’t be reached as a mobile phone" },
    { "+15551230013", 21217, TURNOUT_SEND_PERMANENT, "does not look like a real phone number" },
    { "+15551230014", 21612, TURNOUT_SEND_PERMANENT, "can’t carry texts from your sender" },
    { "+15551230015", 21614, TURNOUT_SEND_PERMANENT, "is not a mobile number" },
    { "+15551230016", 21635, TURNOUT_SEND_PERMANENT, "is a landline" },
    /* A code this client does not know: per recipient, with Twilio's words. */
    { "+15551230017", 21421, TURNOUT_SEND_PERMANENT,
      "Twilio refused the message to +15551230017 (error 21421): Twilio error 21421" },
    /* Twilio's magic test numbers, which the fake honours. */
    { "+15005550004", 21610, TURNOUT_SEND_SUPPRESS, "replied STOP" },
    { "+15005550009", 21614, TURNOUT_SEND_PERMANENT, "landline" },
  };
  g_autoptr(TurnoutSendResult) malformed = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autoptr(TurnoutSendResult) result = NULL;
      g_autofree char *code = g_strdup_printf ("%d", refusals[i].code);

      if (!g_str_has_prefix (refusals[i].to, "+1500555"))
        turnout_fake_twilio_set_number_error (fixture->fake, refusals[i].to, refusals[i].code);
      result = send_text (fixture->sender, refusals[i].to, "Hi");
      g_assert_cmpint (result->outcome, ==, refusals[i].outcome);
      g_assert_cmpstr (result->error_code, ==, code);
      assert_contains (result->message, refusals[i].sentence);
      g_assert_cmpint (result->retry_after, ==, -1);
    }
  /* Not E.164 at all: the fake's own check, Twilio's answer. */
  malformed = send_text (fixture->sender, "555-0100", "Hi");
  g_assert_cmpint (malformed->outcome, ==, TURNOUT_SEND_PERMANENT);
  g_assert_cmpstr (malformed->error_code, ==, "21211");
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 0);
}

static void
test_stop_country (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TurnoutSendResult) uk = NULL;
  g_autoptr(TurnoutSendResult) us = NULL;
  g_autoptr(TurnoutSendResult) de = NULL;

  turnout_fake_twilio_set_prefix_error (fixture->fake, "+44", 21408);
  uk = send_text (fixture->sender, "+447700900123", "Hi");
  g_assert_cmpint (uk->outcome, ==, TURNOUT_SEND_STOP_COUNTRY);
  g_assert_cmpstr (uk->country, ==, "GB");
  g_assert_cmpstr (uk->error_code, ==, "21408");
  assert_contains (uk->message, "numbers in GB (+44)");
  assert_contains (uk->message, "Geo permissions");

  /* The magic number of Twilio's test credentials: +1 reads as the US. */
  us = send_text (fixture->sender, "+15005550003", "Hi");
  g_assert_cmpint (us->outcome, ==, TURNOUT_SEND_STOP_COUNTRY);
  g_assert_cmpstr (us->country, ==, "US");

  de = send_text (fixture->sender, "+4915112345678", "Hallo");
  g_assert_cmpint (de->outcome, ==, TURNOUT_SEND_OK);
}

static void
test_fatal_sender (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TurnoutTwilioSender) stranger = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN,
                                                        "+15550009999", NULL);
  g_autoptr(TurnoutTwilioSender) no_service = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN,
                                                          NULL,
                                                          "MG00000000000000000000000000000000");
  g_autoptr(TurnoutTwilioSender) empty_service = NULL;
  g_autoptr(TurnoutSendResult) result = NULL;

  result = send_text (stranger, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_FATAL);
  g_assert_cmpstr (result->error_code, ==, "21606");
  assert_contains (result->message, "Twilio won’t send from +15550009999 (error 21606)");
  g_clear_pointer (&result, turnout_send_result_free);

  result = send_text (no_service, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_FATAL);
  g_assert_cmpstr (result->error_code, ==, "21701");
  assert_contains (result->message, "MG00000000000000000000000000000000 does not exist");
  g_clear_pointer (&result, turnout_send_result_free);

  turnout_fake_twilio_add_messaging_service (fixture->fake, "MG11111111111111111111111111111111",
                                             FALSE);
  empty_service = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN, NULL,
                              "MG11111111111111111111111111111111");
  result = send_text (empty_service, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_FATAL);
  g_assert_cmpstr (result->error_code, ==, "21704");
  assert_contains (result->message, "contains no phone numbers");
  g_clear_pointer (&result, turnout_send_result_free);

  turnout_fake_twilio_set_account (fixture->fake, "Suspended Promotions", "suspended");
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_FATAL);
  g_assert_cmpstr (result->error_code, ==, "20003");

  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 0);
  turnout_test_finalize_object (g_steal_pointer (&stranger));
  turnout_test_finalize_object (g_steal_pointer (&no_service));
  turnout_test_finalize_object (g_steal_pointer (&empty_service));
}

static void
test_rate_limited (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDateTime) later = g_date_time_new_from_unix_utc (now () + 120);
  g_autofree char *http_date = soup_date_time_to_string (later, SOUP_DATE_HTTP);
  TurnoutSendResult *result;

  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE, TURNOUT_FAKE_FAULT_429, 1);
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_RATE_LIMITED);
  g_assert_cmpint (result->retry_after, ==, -1);
  g_assert_cmpstr (result->error_code, ==, "HTTP 429");
  assert_contains (result->message, "slow down");
  turnout_send_result_free (result);

  turnout_fake_twilio_set_retry_after (fixture->fake, "7");
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE,
                                 TURNOUT_FAKE_FAULT_429_RETRY_AFTER, 1);
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_RATE_LIMITED);
  g_assert_cmpint (result->retry_after, ==, 7);
  turnout_send_result_free (result);

  /* Retry-After may also be a date. */
  turnout_fake_twilio_set_retry_after (fixture->fake, http_date);
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE,
                                 TURNOUT_FAKE_FAULT_429_RETRY_AFTER, 1);
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_RATE_LIMITED);
  g_assert_cmpint (result->retry_after, >=, 115);
  g_assert_cmpint (result->retry_after, <=, 120);
  turnout_send_result_free (result);

  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE, TURNOUT_FAKE_FAULT_20429,
                                 1);
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_RATE_LIMITED);
  g_assert_cmpint (result->retry_after, ==, -1);
  g_assert_cmpstr (result->error_code, ==, "20429");
  turnout_send_result_free (result);

  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE, TURNOUT_FAKE_FAULT_21611,
                                 1);
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_RATE_LIMITED);
  g_assert_cmpstr (result->error_code, ==, "21611");
  assert_contains (result->message, "The queue of the sender +15005550006 is full");
  turnout_send_result_free (result);

  /* None of them was kept; the next one goes through. */
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 0);
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_OK);
  turnout_send_result_free (result);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 1);
}

/* A port nothing listens on: bound, then closed. */
static guint
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static gboolean
on_incoming_reset_cb (GSocketService    *service,
                      GSocketConnection *connection,
                      GObject           *source,
                      gpointer           user_data)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  struct linger linger = { 1, 0 };

  setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  (*(guint *) user_data)++;
  return TRUE;
}

static void
test_transient (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *refused_url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autoptr(GSocketService) resetter = g_socket_service_new ();
  g_autoptr(GError) error = NULL;
  guint n_reset = 0;
  guint reset_port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (resetter), NULL,
                                                          &error);
  g_autofree char *tls_url = g_strdup_printf ("https://127.0.0.1:%u", reset_port);
  g_autoptr(TurnoutTwilioSender) refused = NULL;
  g_autoptr(TurnoutTwilioSender) tls = NULL;
  TurnoutSendResult *result;

  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE, TURNOUT_FAKE_FAULT_500, 1);
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE, TURNOUT_FAKE_FAULT_503, 1);
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_TRANSIENT);
  assert_contains (result->message, "Twilio had a problem (HTTP 500)");
  turnout_send_result_free (result);
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_TRANSIENT);
  assert_contains (result->message, "HTTP 503");
  turnout_send_result_free (result);

  /* Connection refused: the request never left. */
  g_setenv ("TURNOUT_TWILIO_API_URL", refused_url, TRUE);
  refused = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TURNOUT_FAKE_TWILIO_FROM, NULL);
  result = send_text (refused, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_TRANSIENT);
  g_assert_null (result->error_code);
  assert_contains (result->message, "Twilio could not be reached");
  assert_contains (result->message, "the message was not sent");
  turnout_send_result_free (result);

  /* The connection is reset during the TLS handshake: the request had not
   * left yet. */
  g_assert_no_error (error);
  g_signal_connect (resetter, "incoming", G_CALLBACK (on_incoming_reset_cb), &n_reset);
  g_socket_service_start (resetter);
  g_setenv ("TURNOUT_TWILIO_API_URL", tls_url, TRUE);
  tls = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TURNOUT_FAKE_TWILIO_FROM, NULL);
  result = send_text (tls, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_TRANSIENT);
  assert_contains (result->message, "Twilio could not be reached");
  turnout_send_result_free (result);
  g_assert_cmpuint (n_reset, ==, 1);
  g_socket_service_stop (resetter);
  g_socket_listener_close (G_SOCKET_LISTENER (resetter));

  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 0);
  turnout_test_finalize_object (g_steal_pointer (&refused));
  turnout_test_finalize_object (g_steal_pointer (&tls));
}

static void
test_unknown (Fixture       *fixture,
              gconstpointer  data)
{
  gint64 since = now ();
  g_autoptr(GError) error = NULL;
  g_autofree char *found_after = NULL;
  g_autofree char *found_before = NULL;
  g_autofree char *found_slow = NULL;
  g_autoptr(TurnoutFakeMessage) stored = NULL;
  TurnoutSendResult *result;

  /* Accepted, then the connection reset: the message exists. */
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE,
                                 TURNOUT_FAKE_FAULT_RESET_AFTER, 1);
  result = send_text (fixture->sender, "+15551230020", "Lost answer");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_UNKNOWN);
  assert_contains (result->message, "broke after the message was sent");
  assert_contains (result->message, "ask Twilio whether it arrived");
  turnout_send_result_free (result);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 1);
  stored = turnout_fake_twilio_dup_accepted (fixture->fake, 0);
  found_after = find_sent (fixture->sender, "+15551230020", since, "Lost answer", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found_after, ==, stored->sid);

  /* Reset without processing: from here it looks the same (the request
   * had left), and reconciliation finds nothing. */
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE,
                                 TURNOUT_FAKE_FAULT_RESET_BEFORE, 1);
  result = send_text (fixture->sender, "+15551230021", "Never arrived");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_UNKNOWN);
  turnout_send_result_free (result);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 1);
  found_before = find_sent (fixture->sender, "+15551230021", since, "Never arrived", &error);
  g_assert_no_error (error);
  g_assert_null (found_before);

  /* A gateway's 502 comes after the request was passed on. */
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE, TURNOUT_FAKE_FAULT_502, 1);
  result = send_text (fixture->sender, TO, "Hi");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_UNKNOWN);
  g_assert_cmpstr (result->error_code, ==, "HTTP 502");
  turnout_send_result_free (result);

  /* Stored, but the answer comes after the timeout. */
  turnout_twilio_sender_set_timeout (fixture->sender, 1);
  g_assert_cmpuint (turnout_twilio_sender_get_timeout (fixture->sender), ==, 1);
  turnout_fake_twilio_set_delay (fixture->fake, 2500, FALSE);
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_CREATE, TURNOUT_FAKE_FAULT_SLOW, 1);
  result = send_text (fixture->sender, "+15551230022", "Slow answer");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_UNKNOWN);
  g_assert_null (result->error_code);
  assert_contains (result->message, "did not answer within 1 second after the message was sent");
  turnout_send_result_free (result);
  turnout_twilio_sender_set_timeout (fixture->sender, TURNOUT_TWILIO_DEFAULT_TIMEOUT);
  found_slow = find_sent (fixture->sender, "+15551230022", since, "Slow answer", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found_slow);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 2);
}

static void
test_find_sent (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeMessage) first = NULL;
  char *found;
  guint lists;
  gint64 since = now ();

  /* 230 messages to one number: the earliest is on the third page of 100. */
  for (guint i = 0; i < 230; i++)
    {
      g_autofree char *text = g_strdup_printf ("Reminder %u", i);
      g_autoptr(TurnoutSendResult) result = send_text (fixture->sender, TO, text);

      g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_OK);
    }
  /* Same text to someone else: not a match for TO. */
  g_clear_pointer (&first, turnout_fake_message_free);
  {
    g_autoptr(TurnoutSendResult) other = send_text (fixture->sender, "+15551230099", "Elsewhere");

    g_assert_cmpint (other->outcome, ==, TURNOUT_SEND_OK);
  }
  first = turnout_fake_twilio_dup_accepted (fixture->fake, 0);

  lists = turnout_fake_twilio_get_n_requests (fixture->fake, TURNOUT_FAKE_ON_LIST);
  found = find_sent (fixture->sender, TO, since, "Reminder 0", &error);
  g_assert_no_error (error);
  /* Still queued (no date_sent), and found all the same. */
  g_assert_cmpstr (first->status, ==, "queued");
  g_assert_cmpint (first->date_sent, ==, 0);
  g_assert_cmpstr (found, ==, first->sid);
  g_free (found);
  g_assert_cmpuint (turnout_fake_twilio_get_n_requests (fixture->fake, TURNOUT_FAKE_ON_LIST) - lists,
                    ==, 3);

  /* Trailing blanks don't matter; other texts, other people and later
   * claims don't match. */
  found = find_sent (fixture->sender, TO, since, "Reminder 17\n", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_free (found);
  found = find_sent (fixture->sender, TO, since, "Reminder 230", &error);
  g_assert_no_error (error);
  g_assert_null (found);
  found = find_sent (fixture->sender, "+15551230099", since, "Reminder 1", &error);
  g_assert_no_error (error);
  g_assert_null (found);
  found = find_sent (fixture->sender, TO, since + 3600, "Reminder 1", &error);
  g_assert_no_error (error);
  g_assert_null (found);

  /* When Twilio can't be asked, that is an error, never "not sent". */
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_LIST, TURNOUT_FAKE_FAULT_500, 1);
  found = find_sent (fixture->sender, TO, since, "Reminder 0", &error);
  g_assert_null (found);
  g_assert_error (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_SERVER);
  g_clear_error (&error);
  /* libsoup repeats a GET once when a reused keep-alive connection turns
   * out dead, so it takes two resets to fail the list. */
  turnout_fake_twilio_fail_next (fixture->fake, TURNOUT_FAKE_ON_LIST,
                                 TURNOUT_FAKE_FAULT_RESET_BEFORE, 2);
  found = find_sent (fixture->sender, TO, since, "Reminder 0", &error);
  g_assert_null (found);
  g_assert_nonnull (error);
  assert_contains (error->message, "Twilio could not be reached");
}

static void
test_list_inbound (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSendResult) sent = send_text (fixture->sender, TO, "Outbound, not a reply");
  gint64 since = now () - 3600;
  gint64 last = 0;
  g_autofree char *stop_sid = NULL;

  /* Before the window, on an earlier day and earlier today. */
  g_free (turnout_fake_twilio_add_inbound (fixture->fake, TO, TURNOUT_FAKE_TWILIO_FROM, "old",
                                           since - 3 * 24 * 3600));
  g_free (turnout_fake_twilio_add_inbound (fixture->fake, TO, TURNOUT_FAKE_TWILIO_FROM, "older",
                                           since - 60));
  /* To another number of the account: not ours. */
  g_free (turnout_fake_twilio_add_inbound (fixture->fake, TO, "+15005550099", "STOP", since + 5));
  /* 1,100 replies in the window: two pages of 1,000. */
  for (guint i = 0; i < 1100; i++)
    {
      g_autofree char *from = g_strdup_printf ("+1555999%04u", i);

      g_free (turnout_fake_twilio_add_inbound (fixture->fake, from, TURNOUT_FAKE_TWILIO_FROM,
                                               i == 7 ? "stop" : "Yes!", since + 10 + i));
    }
  stop_sid = turnout_fake_twilio_add_inbound (fixture->fake, TO, TURNOUT_FAKE_TWILIO_FROM, "STOP",
                                              since + 2000);

  turnout_twilio_sender_list_inbound_async (fixture->sender, since, NULL, turnout_test_result_cb,
                                            &result);
  replies = turnout_twilio_sender_list_inbound_finish (fixture->sender,
                                                       turnout_test_wait_result (&result),
                                                       &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1101);
  for (guint i = 0; i < replies->len; i++)
    {
      TurnoutInboundMessage *reply = g_ptr_array_index (replies, i);

      g_assert_cmpstr (reply->to, ==, TURNOUT_FAKE_TWILIO_FROM);
      g_assert_cmpint (reply->date_sent, >=, since);
      g_assert_cmpint (reply->date_sent, >=, last);
      last = reply->date_sent;
    }
  {
    TurnoutInboundMessage *eighth = g_ptr_array_index (replies, 7);
    TurnoutInboundMessage *latest = g_ptr_array_index (replies, 1100);

    g_assert_cmpstr (eighth->from, ==, "+15559990007");
    g_assert_cmpstr (eighth->body, ==, "stop");
    g_assert_cmpint (eighth->date_sent, ==, since + 17);
    g_assert_cmpstr (latest->sid, ==, stop_sid);
    g_assert_cmpstr (latest->from, ==, TO);
    g_assert_cmpstr (latest->body, ==, "STOP");
  }
}

static TurnoutDeliveryStatus *
fetch_status (TurnoutTwilioSender  *sender,
              const char           *sid,
              GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_twilio_sender_fetch_status_async (sender, sid, NULL, turnout_test_result_cb, &result);
  return turnout_twilio_sender_fetch_status_finish (sender, turnout_test_wait_result (&result),
                                                    error);
}

static void
test_fetch_status (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TurnoutSendResult) ok = send_text (fixture->sender, "+15551230030", "Fine");
  g_autoptr(TurnoutSendResult) off = send_text (fixture->sender, "+15551230031", "Phone off");
  g_autoptr(TurnoutSendResult) unregistered = send_text (fixture->sender, "+15551230032", "10DLC");
  g_autoptr(GError) error = NULL;
  TurnoutDeliveryStatus *status;

  status = fetch_status (fixture->sender, ok->provider_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, TURNOUT_DELIVERY_PENDING);
  g_assert_cmpstr (status->status, ==, "queued");
  g_assert_null (status->error_code);
  g_assert_null (status->message);
  g_assert_cmpint (status->date_sent, ==, 0);
  turnout_delivery_status_free (status);

  turnout_fake_twilio_set_delivery_error (fixture->fake, "+15551230031", 30003);
  turnout_fake_twilio_set_delivery_error (fixture->fake, "+15551230032", 30034);
  g_assert_cmpuint (turnout_fake_twilio_deliver_all (fixture->fake), ==, 3);

  status = fetch_status (fixture->sender, ok->provider_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, TURNOUT_DELIVERY_DELIVERED);
  g_assert_null (status->message);
  g_assert_cmpint (status->date_sent, >, 0);
  turnout_delivery_status_free (status);

  status = fetch_status (fixture->sender, off->provider_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, TURNOUT_DELIVERY_UNDELIVERED);
  g_assert_cmpstr (status->error_code, ==, "30003");
  assert_contains (status->message, "switched off or out of coverage (error 30003)");
  turnout_delivery_status_free (status);

  status = fetch_status (fixture->sender, unregistered->provider_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, TURNOUT_DELIVERY_FAILED);
  g_assert_cmpstr (status->error_code, ==, "30034");
  assert_contains (status->message, "not registered for US A2P 10DLC (error 30034)");
  assert_contains (status->message, "Register a brand and a campaign");
  turnout_delivery_status_free (status);

  turnout_fake_twilio_set_status (fixture->fake, ok->provider_id, "sent", 0);
  status = fetch_status (fixture->sender, ok->provider_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status->state, ==, TURNOUT_DELIVERY_SENT);
  turnout_delivery_status_free (status);

  status = fetch_status (fixture->sender, "SM00000000000000000000000000000000", &error);
  g_assert_null (status);
  g_assert_error (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  status = fetch_status (fixture->sender, "../Accounts", &error);
  g_assert_null (status);
  g_assert_error (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED);

  /* The sentences of the other delivery errors. */
  for (int code = 30003; code <= 30008; code++)
    {
      g_autofree char *sentence = turnout_twilio_dup_delivery_sentence (code, NULL);
      g_autofree char *number = g_strdup_printf ("(error %d)", code);

      assert_contains (sentence, number);
    }
  {
    g_autofree char *unknown = turnout_twilio_dup_delivery_sentence (30999, "Something new");

    g_assert_cmpstr (unknown, ==, "Twilio reports error 30999: Something new");
  }
}

static TurnoutTwilioCheck *
check (TurnoutTwilioSender  *sender,
       GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_twilio_sender_test_connection_async (sender, NULL, turnout_test_result_cb, &result);
  return turnout_twilio_sender_test_connection_finish (sender, turnout_test_wait_result (&result),
                                                       error);
}

static void
assert_check (TurnoutTwilioSender       *sender,
              TurnoutTwilioCheckOutcome  outcome,
              const char                *sentence)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTwilioCheck) verdict = check (sender, &error);

  g_assert_no_error (error);
  g_assert_nonnull (verdict);
  if (verdict->outcome != outcome || strstr (verdict->message, sentence) == NULL)
    g_error ("expected outcome %d with “%s”, got %d: %s", outcome, sentence, verdict->outcome,
             verdict->message);
}

static void
test_connection (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TurnoutTwilioSender) key = new_sender (TURNOUT_FAKE_TWILIO_KEY_SID,
                                                   TURNOUT_FAKE_TWILIO_KEY_SECRET,
                                                   TURNOUT_FAKE_TWILIO_FROM, NULL);
  g_autoptr(TurnoutTwilioSender) wrong_token = new_sender (NULL, "wrong-token",
                                                           TURNOUT_FAKE_TWILIO_FROM, NULL);
  g_autoptr(TurnoutTwilioSender) wrong_secret = new_sender (TURNOUT_FAKE_TWILIO_KEY_SID,
                                                            "wrong-secret",
                                                            TURNOUT_FAKE_TWILIO_FROM, NULL);
  g_autoptr(TurnoutTwilioSender) stranger = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN,
                                                        "+15550009999", NULL);
  g_autoptr(TurnoutTwilioSender) voice_only = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN,
                                                          "+15550008888", NULL);
  g_autoptr(TurnoutTwilioSender) service = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN, NULL,
                                                       TURNOUT_FAKE_TWILIO_SERVICE_SID);
  g_autoptr(TurnoutTwilioSender) alpha = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN,
                                                     "Turnout", NULL);
  g_autofree char *refused_url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autoptr(TurnoutTwilioSender) unreachable = NULL;
  g_autoptr(TurnoutTwilioCheck) none = NULL;
  g_autoptr(GError) error = NULL;

  assert_check (fixture->sender, TURNOUT_TWILIO_CHECK_OK,
                "Connected to the Twilio account “Turnout Test Promotions”; texts will come "
                "from +15005550006.");
  /* A standard key can't read the account: the key is checked another way. */
  assert_check (key, TURNOUT_TWILIO_CHECK_OK,
                "Connected to the Twilio account " TURNOUT_FAKE_TWILIO_ACCOUNT_SID "; texts "
                "will come from +15005550006.");
  assert_check (wrong_token, TURNOUT_TWILIO_CHECK_BAD_CREDENTIALS,
                "Twilio refused the Account SID " TURNOUT_FAKE_TWILIO_ACCOUNT_SID " and the "
                "Auth Token (error 20003)");
  assert_check (wrong_secret, TURNOUT_TWILIO_CHECK_BAD_CREDENTIALS,
                "Twilio refused the API key " TURNOUT_FAKE_TWILIO_KEY_SID " and its secret");
  assert_check (stranger, TURNOUT_TWILIO_CHECK_SENDER_NOT_ON_ACCOUNT,
                "+15550009999 is not a number of the Twilio account “Turnout Test Promotions”");
  turnout_fake_twilio_add_number (fixture->fake, "+15550008888", FALSE);
  assert_check (voice_only, TURNOUT_TWILIO_CHECK_SENDER_NOT_ON_ACCOUNT, "can’t send SMS");
  assert_check (service, TURNOUT_TWILIO_CHECK_OK, "through the Messaging Service "
                TURNOUT_FAKE_TWILIO_SERVICE_SID);
  assert_check (alpha, TURNOUT_TWILIO_CHECK_OK, "The sender ID “Turnout” can’t be checked");

  turnout_fake_twilio_set_account (fixture->fake, "Gone Quiet", "suspended");
  assert_check (fixture->sender, TURNOUT_TWILIO_CHECK_ACCOUNT_INACTIVE,
                "The Twilio account “Gone Quiet” is suspended");
  turnout_fake_twilio_set_account (fixture->fake, "Gone Quiet", "closed");
  assert_check (fixture->sender, TURNOUT_TWILIO_CHECK_ACCOUNT_INACTIVE, "is closed");

  g_setenv ("TURNOUT_TWILIO_API_URL", refused_url, TRUE);
  unreachable = new_sender (NULL, TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TURNOUT_FAKE_TWILIO_FROM, NULL);
  none = check (unreachable, &error);
  g_assert_null (none);
  g_assert_nonnull (error);
  assert_contains (error->message, "Twilio could not be reached");

  turnout_test_finalize_object (g_steal_pointer (&key));
  turnout_test_finalize_object (g_steal_pointer (&wrong_token));
  turnout_test_finalize_object (g_steal_pointer (&wrong_secret));
  turnout_test_finalize_object (g_steal_pointer (&stranger));
  turnout_test_finalize_object (g_steal_pointer (&voice_only));
  turnout_test_finalize_object (g_steal_pointer (&service));
  turnout_test_finalize_object (g_steal_pointer (&alpha));
  turnout_test_finalize_object (g_steal_pointer (&unreachable));
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutOutgoing outgoing = { .to = TO, .text = "Never mind" };
  TurnoutSendResult *sent;

  g_cancellable_cancel (cancellable);
  turnout_sender_send_async (TURNOUT_SENDER (fixture->sender), &outgoing, cancellable,
                             turnout_test_result_cb, &result);
  sent = turnout_sender_send_finish (TURNOUT_SENDER (fixture->sender),
                                     turnout_test_wait_result (&result), &error);
  g_assert_null (sent);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 0);
}

/* ------------------------------------------------------------------------ */

static void
assert_invalid (const char *account_sid,
                const char *key_sid,
                const char *secret,
                const char *from,
                const char *service,
                int         code,
                const char *sentence)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTwilioSender) sender = turnout_twilio_sender_new (account_sid, key_sid, secret,
                                                                     from, service, &error);

  g_assert_null (sender);
  g_assert_error (error, TURNOUT_TWILIO_ERROR, code);
  if (strstr (error->message, sentence) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, sentence);
}

static void
test_validation (void)
{
  const char *ac = TURNOUT_FAKE_TWILIO_ACCOUNT_SID;
  const int invalid = TURNOUT_TWILIO_ERROR_INVALID_CONFIG;
  g_autoptr(TurnoutTwilioSender) sender = NULL;
  g_autoptr(GError) error = NULL;

  g_unsetenv ("TURNOUT_TWILIO_API_URL");
  assert_invalid ("", NULL, "t", "+15005550006", NULL, invalid,
                  "Enter your Twilio Account SID in Preferences");
  assert_invalid (TURNOUT_FAKE_TWILIO_KEY_SID, NULL, "t", "+15005550006", NULL, invalid,
                  "is an API Key SID, not the Account SID");
  assert_invalid ("AC0123456789abcdef0123456789abcde", NULL, "t", "+15005550006", NULL, invalid,
                  "The Account SID “AC0123456789abcdef0123456789abcde” is not valid: it has 33 "
                  "characters instead of 34.");
  assert_invalid ("AC0123456789abcdeg0123456789abcdef", NULL, "t", "+15005550006", NULL, invalid,
                  "“g” at position 18 is not one of 0–9 and a–f");
  assert_invalid ("ac0123456789abcdef0123456789abcdef", NULL, "t", "+15005550006", NULL, invalid,
                  "it does not start with AC");
  assert_invalid (ac, ac, "t", "+15005550006", NULL, invalid,
                  "is an Account SID; an API Key SID starts with SK");
  assert_invalid (ac, "SK123", "t", "+15005550006", NULL, invalid,
                  "The API Key SID “SK123” is not valid: it has 5 characters instead of 34");
  assert_invalid (ac, NULL, "t", NULL, "MG123", invalid,
                  "The Messaging Service SID “MG123” is not valid");
  assert_invalid (ac, NULL, "t", NULL, NULL, invalid,
                  "Enter a sender number (such as +15551234567) or a Messaging Service SID");
  assert_invalid (ac, NULL, "t", "5551234567", NULL, invalid,
                  "The sender number “5551234567” is not in international form");
  assert_invalid (ac, NULL, "t", "TurnoutPromotions", NULL, invalid,
                  "has at most 11 characters");
  assert_invalid (ac, NULL, "t", "Turn-out", NULL, invalid,
                  "“-” at position 5 is not a letter, digit or space");
  assert_invalid (ac, NULL, "", "+15005550006", NULL, TURNOUT_TWILIO_ERROR_NO_SECRET,
                  "The Auth Token is empty");
  assert_invalid (ac, TURNOUT_FAKE_TWILIO_KEY_SID, "  ", "+15005550006", NULL,
                  TURNOUT_TWILIO_ERROR_NO_SECRET, "The API Key secret is empty");
  assert_invalid (ac, NULL, "0123 4567", "+15005550006", NULL, invalid,
                  "The Auth Token contains a space");

  g_setenv ("TURNOUT_TWILIO_API_URL", "ftp://127.0.0.1/", TRUE);
  assert_invalid (ac, NULL, "t", "+15005550006", NULL, invalid,
                  "TURNOUT_TWILIO_API_URL is “ftp://127.0.0.1/”, which is not an http:// or "
                  "https:// address");

  /* The default address, and the override without its trailing slash. */
  g_unsetenv ("TURNOUT_TWILIO_API_URL");
  sender = turnout_twilio_sender_new (ac, NULL, "token", "+15005550006", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (turnout_twilio_sender_get_api_url (sender), ==, "https://api.twilio.com");
  g_assert_cmpstr (turnout_twilio_sender_get_account_sid (sender), ==, ac);
  g_assert_cmpuint (turnout_twilio_sender_get_timeout (sender), ==, 30);
  turnout_test_finalize_object (g_steal_pointer (&sender));
  g_setenv ("TURNOUT_TWILIO_API_URL", "http://127.0.0.1:9/twilio/", TRUE);
  sender = turnout_twilio_sender_new (ac, NULL, "token", "+15005550006", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (turnout_twilio_sender_get_api_url (sender), ==, "http://127.0.0.1:9/twilio");
  turnout_test_finalize_object (g_steal_pointer (&sender));
  g_unsetenv ("TURNOUT_TWILIO_API_URL");
}

static void
test_api_url_and_spaces (Fixture       *fixture,
                         gconstpointer  data)
{
  /* Spaces copied around a token are dropped; the fake gets every request. */
  g_autoptr(TurnoutTwilioSender) padded = new_sender (NULL, " " TURNOUT_FAKE_TWILIO_AUTH_TOKEN "\n",
                                                      TURNOUT_FAKE_TWILIO_FROM, NULL);
  g_autoptr(TurnoutSendResult) result = send_text (padded, TO, "Hi");

  g_assert_cmpstr (turnout_twilio_sender_get_api_url (padded), ==,
                   turnout_fake_twilio_get_url (fixture->fake));
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_OK);
  g_assert_cmpuint (turnout_fake_twilio_get_n_requests (fixture->fake, TURNOUT_FAKE_ON_CREATE), ==,
                    1);
  turnout_test_finalize_object (g_steal_pointer (&padded));
}

/* ------------------------------------------------------------------------ */

static TurnoutTwilioSender *
sender_from_settings (TurnoutSettings  *settings,
                      GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_twilio_sender_new_from_settings_async (settings, NULL, turnout_test_result_cb, &result);
  return turnout_twilio_sender_new_from_settings_finish (turnout_test_wait_result (&result),
                                                         error);
}

static void
store_secret (TurnoutSecretKind  kind,
              const char        *account,
              const char        *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  turnout_credentials_store_async (kind, account, secret, NULL, turnout_test_result_cb, &result);
  g_assert_true (turnout_credentials_store_finish (turnout_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
set_setting (TurnoutSettings *settings,
             const char      *key,
             const char      *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (turnout_settings_set (settings, key, value, &error));
  g_assert_no_error (error);
}

static void
test_from_settings (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = turnout_store_open (NULL, &error);
  g_autoptr(TurnoutSettings) settings = NULL;
  TurnoutTwilioSender *sender;
  TurnoutSendResult *result;
  g_autoptr(TurnoutFakeMessage) stored = NULL;

  g_assert_no_error (error);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);

  /* Nothing set up: the settings are wrong before the keyring is asked. */
  sender = sender_from_settings (settings, &error);
  g_assert_null (sender);
  g_assert_error (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_INVALID_CONFIG);
  g_clear_error (&error);

  set_setting (settings, "twilio.account_sid", TURNOUT_FAKE_TWILIO_ACCOUNT_SID);
  set_setting (settings, "twilio.from", TURNOUT_FAKE_TWILIO_FROM);
  sender = sender_from_settings (settings, &error);
  g_assert_null (sender);
  g_assert_error (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_NO_SECRET);
  assert_contains (error->message, "No Auth Token is stored for the account "
                   TURNOUT_FAKE_TWILIO_ACCOUNT_SID);
  g_clear_error (&error);

  /* The token from the keyring. */
  store_secret (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, TURNOUT_FAKE_TWILIO_ACCOUNT_SID,
                TURNOUT_FAKE_TWILIO_AUTH_TOKEN);
  sender = sender_from_settings (settings, &error);
  g_assert_no_error (error);
  result = send_text (sender, TO, "From the keyring");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_OK);
  turnout_send_result_free (result);
  turnout_test_finalize_object (sender);

  /* An API key in the settings, its secret in the keyring. */
  set_setting (settings, "twilio.api_key_sid", TURNOUT_FAKE_TWILIO_KEY_SID);
  store_secret (TURNOUT_SECRET_TWILIO_API_SECRET, TURNOUT_FAKE_TWILIO_KEY_SID,
                TURNOUT_FAKE_TWILIO_KEY_SECRET);
  sender = sender_from_settings (settings, &error);
  g_assert_no_error (error);
  result = send_text (sender, TO, "With the key");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_OK);
  turnout_send_result_free (result);
  turnout_test_finalize_object (sender);
  stored = turnout_fake_twilio_dup_accepted (fixture->fake, 1);
  g_assert_cmpstr (stored->auth_user, ==, TURNOUT_FAKE_TWILIO_KEY_SID);
  g_clear_pointer (&stored, turnout_fake_message_free);

  /* Headless: the environment wins over settings and keyring. A token in
   * the environment also wins over the key in the settings. */
  set_setting (settings, "twilio.account_sid", "AC99999999999999999999999999999999");
  g_setenv ("TWILIO_ACCOUNT_SID", TURNOUT_FAKE_TWILIO_ACCOUNT_SID, TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TRUE);
  sender = sender_from_settings (settings, &error);
  g_assert_no_error (error);
  result = send_text (sender, TO, "From the environment");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_OK);
  turnout_send_result_free (result);
  turnout_test_finalize_object (sender);
  stored = turnout_fake_twilio_dup_accepted (fixture->fake, 2);
  g_assert_cmpstr (stored->auth_user, ==, TURNOUT_FAKE_TWILIO_ACCOUNT_SID);
  g_clear_pointer (&stored, turnout_fake_message_free);

  g_setenv ("TWILIO_API_KEY", "SK00000000000000000000000000000001", TRUE);
  g_setenv ("TWILIO_API_SECRET", "environment-secret", TRUE);
  turnout_fake_twilio_add_api_key (fixture->fake, "SK00000000000000000000000000000001",
                                   "environment-secret");
  sender = sender_from_settings (settings, &error);
  g_assert_no_error (error);
  result = send_text (sender, TO, "Key from the environment");
  g_assert_cmpint (result->outcome, ==, TURNOUT_SEND_OK);
  turnout_send_result_free (result);
  turnout_test_finalize_object (sender);
  stored = turnout_fake_twilio_dup_accepted (fixture->fake, 3);
  g_assert_cmpstr (stored->auth_user, ==, "SK00000000000000000000000000000001");

  g_unsetenv ("TWILIO_ACCOUNT_SID");
  g_unsetenv ("TWILIO_AUTH_TOKEN");
  g_unsetenv ("TWILIO_API_KEY");
  g_unsetenv ("TWILIO_API_SECRET");
}

/* ------------------------------------------------------------------------
 * The fake itself
 */

static guint
raw_request (SoupSession  *session,
             const char   *method,
             const char   *url,
             const char   *content_type,
             const char   *body,
             gboolean      authenticate,
             int          *code)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (authenticate)
    {
      g_autofree char *pair = g_base64_encode ((const guchar *) TURNOUT_FAKE_TWILIO_ACCOUNT_SID ":"
                                               TURNOUT_FAKE_TWILIO_AUTH_TOKEN,
                                               strlen (TURNOUT_FAKE_TWILIO_ACCOUNT_SID ":"
                                                       TURNOUT_FAKE_TWILIO_AUTH_TOKEN));
      g_autofree char *header = g_strconcat ("Basic ", pair, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                    header);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, content_type, bytes);
    }
  answer = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  *code = 0;
  if (json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                  (gssize) g_bytes_get_size (answer), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    *code = (int) json_object_get_int_member_with_default (json_node_get_object (
                                                             json_parser_get_root (parser)),
                                                           "code", 0);
  return soup_message_get_status (message);
}

static void
test_fake_follows_spec (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *messages = g_strdup_printf ("%s/2010-04-01/Accounts/%s/Messages.json",
                                               turnout_fake_twilio_get_url (fixture->fake),
                                               TURNOUT_FAKE_TWILIO_ACCOUNT_SID);
  g_autofree char *other_account = g_strdup_printf ("%s/2010-04-01/Accounts/"
                                                    "AC99999999999999999999999999999999/"
                                                    "Messages.json",
                                                    turnout_fake_twilio_get_url (fixture->fake));
  g_autofree char *big_page = g_strconcat (messages, "?PageSize=1001", NULL);
  g_autofree char *bad_date = g_strconcat (messages, "?DateSent%3E=yesterday", NULL);
  g_autoptr(GString) eleven = g_string_new ("To=%2B15551230001&From=%2B15005550006");
  g_autoptr(GString) long_body = g_string_new ("To=%2B15551230001&From=%2B15005550006&Body=");
  const char *form = "application/x-www-form-urlencoded";
  int code;

  for (guint i = 0; i < 11; i++)
    g_string_append_printf (eleven, "&MediaUrl=https%%3A%%2F%%2Fexample.com%%2F%u.jpg", i);
  for (guint i = 0; i < 1601; i++)
    g_string_append_c (long_body, 'x');

  g_assert_cmpuint (raw_request (session, "POST", messages, form, "To=%2B15551230001&Body=Hi",
                                 FALSE, &code), ==, 401);
  g_assert_cmpint (code, ==, 20003);
  g_assert_cmpuint (raw_request (session, "POST", other_account, form,
                                 "To=%2B15551230001&From=%2B15005550006&Body=Hi", TRUE, &code),
                    ==, 401);
  g_assert_cmpuint (raw_request (session, "POST", messages, "application/json",
                                 "{\"To\":\"+15551230001\"}", TRUE, &code), ==, 415);
  g_assert_cmpuint (raw_request (session, "POST", messages, form, "From=%2B15005550006&Body=Hi",
                                 TRUE, &code), ==, 400);
  g_assert_cmpint (code, ==, 21604);
  g_assert_cmpuint (raw_request (session, "POST", messages, form, "To=%2B15551230001&Body=Hi",
                                 TRUE, &code), ==, 400);
  g_assert_cmpint (code, ==, 21603);
  g_assert_cmpuint (raw_request (session, "POST", messages, form,
                                 "To=%2B15551230001&From=%2B15005550006", TRUE, &code), ==, 400);
  g_assert_cmpint (code, ==, 21619);
  g_assert_cmpuint (raw_request (session, "POST", messages, form, eleven->str, TRUE, &code), ==,
                    400);
  g_assert_cmpint (code, ==, 21623);
  g_assert_cmpuint (raw_request (session, "POST", messages, form,
                                 "To=%2B15551230001&From=%2B15005550006&MediaUrl=http%3A%2F%2F"
                                 "example.com%2Fa.jpg", TRUE, &code), ==, 400);
  g_assert_cmpint (code, ==, 21620);
  g_assert_cmpuint (raw_request (session, "POST", messages, form, long_body->str, TRUE, &code),
                    ==, 400);
  g_assert_cmpint (code, ==, 21617);
  g_assert_cmpuint (raw_request (session, "POST", messages, form,
                                 "To=%2B15551230001&From=%2B15005550006&Body=Hi&ValidityPeriod=0",
                                 TRUE, &code), ==, 400);
  g_assert_cmpint (code, ==, 21624);
  g_assert_cmpuint (raw_request (session, "GET", big_page, NULL, NULL, TRUE, &code), ==, 400);
  g_assert_cmpint (code, ==, 20007);
  g_assert_cmpuint (raw_request (session, "GET", bad_date, NULL, NULL, TRUE, &code), ==, 400);
  /* '+' in a form is a space; %2B is the plus of E.164. */
  g_assert_cmpuint (raw_request (session, "POST", messages, form,
                                 "To=%2B15551230001&From=%2B15005550006&Body=Two+words", TRUE,
                                 &code), ==, 201);
  {
    g_autoptr(TurnoutFakeMessage) stored = turnout_fake_twilio_dup_accepted (fixture->fake, 0);

    g_assert_cmpstr (stored->body, ==, "Two words");
  }
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fixture->fake), ==, 1);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fixture->fake, "+15551230001"), ==, 1);
}

static void
test_fake_answers (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *control = g_strconcat (turnout_fake_twilio_get_url (fixture->fake),
                                          "/_fake/messages", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", control);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSendResult) result = send_text (fixture->sender, TO, "Counted");
  JsonObject *root;
  JsonObject *first;

  /* The Message resource as the spec describes it. */
  {
    g_autofree char *url = g_strdup_printf ("%s/2010-04-01/Accounts/%s/Messages/%s.json",
                                            turnout_fake_twilio_get_url (fixture->fake),
                                            TURNOUT_FAKE_TWILIO_ACCOUNT_SID, result->provider_id);
    g_autofree char *pair = g_base64_encode ((const guchar *) TURNOUT_FAKE_TWILIO_ACCOUNT_SID ":"
                                             TURNOUT_FAKE_TWILIO_AUTH_TOKEN,
                                             strlen (TURNOUT_FAKE_TWILIO_ACCOUNT_SID ":"
                                                     TURNOUT_FAKE_TWILIO_AUTH_TOKEN));
    g_autofree char *header = g_strconcat ("Basic ", pair, NULL);
    g_autoptr(SoupMessage) fetch = soup_message_new ("GET", url);
    g_autoptr(GBytes) body = NULL;
    g_autoptr(JsonParser) resource = json_parser_new ();
    g_autoptr(GRegex) rfc2822 = g_regex_new ("^[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} "
                                             "\\d{2}:\\d{2}:\\d{2} \\+0000$", 0, 0, NULL);
    JsonObject *object;

    soup_message_headers_replace (soup_message_get_request_headers (fetch), "Authorization",
                                  header);
    body = soup_session_send_and_read (session, fetch, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (fetch), ==, 200);
    g_assert_true (json_parser_load_from_data (resource, g_bytes_get_data (body, NULL),
                                               (gssize) g_bytes_get_size (body), &error));
    object = json_node_get_object (json_parser_get_root (resource));
    g_assert_cmpstr (json_object_get_string_member (object, "num_segments"), ==, "1");
    g_assert_cmpstr (json_object_get_string_member (object, "num_media"), ==, "0");
    g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "queued");
    g_assert_cmpstr (json_object_get_string_member (object, "direction"), ==, "outbound-api");
    g_assert_true (json_object_get_null_member (object, "date_sent"));
    g_assert_true (json_object_get_null_member (object, "error_code"));
    g_assert_true (g_regex_match (rfc2822, json_object_get_string_member (object,
                                                                          "date_created"), 0,
                                  NULL));
  }

  answer = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                             (gssize) g_bytes_get_size (answer), &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "accepted"), ==, 1);
  first = json_array_get_object_element (json_object_get_array_member (root, "messages"), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "sid"), ==, result->provider_id);
  g_assert_cmpstr (json_object_get_string_member (first, "body"), ==, "Counted");

  /* The sliding window sees bursts: 5 sends at once are 5 in one second. */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(TurnoutSendResult) more = send_text (fixture->sender, TO, "Burst");

      g_assert_cmpint (more->outcome, ==, TURNOUT_SEND_OK);
    }
  g_assert_cmpuint (turnout_fake_twilio_get_max_in_window (fixture->fake, 10 * G_USEC_PER_SEC,
                                                           TRUE), ==, 5);
  g_assert_cmpuint (turnout_fake_twilio_get_max_in_window (fixture->fake, 1, TRUE), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  int status;

  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  turnout_test_keyring_start ();

  g_test_add_func ("/twilio-sender/validation", test_validation);
#define ADD(path, func) \
  g_test_add ("/twilio-sender/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("api-url", test_api_url_and_spaces);
  ADD ("send-ok", test_send_ok);
  ADD ("media-and-service", test_media_and_service);
  ADD ("credentials", test_credentials);
  ADD ("recipient-refusals", test_recipient_refusals);
  ADD ("stop-country", test_stop_country);
  ADD ("fatal-sender", test_fatal_sender);
  ADD ("rate-limited", test_rate_limited);
  ADD ("transient", test_transient);
  ADD ("unknown", test_unknown);
  ADD ("find-sent", test_find_sent);
  ADD ("list-inbound", test_list_inbound);
  ADD ("fetch-status", test_fetch_status);
  ADD ("test-connection", test_connection);
  ADD ("cancel", test_cancel);
  ADD ("from-settings", test_from_settings);
  ADD ("fake-follows-spec", test_fake_follows_spec);
  ADD ("fake-answers", test_fake_answers);
#undef ADD

  status = g_test_run ();

  secret_service_disconnect ();
  turnout_test_bus_stop ();
  return status;
}
