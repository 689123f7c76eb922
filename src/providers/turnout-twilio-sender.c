/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-twilio-sender"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "turnout-twilio-sender.h"

#include "turnout-credentials.h"
#include "turnout-phone.h"
#include "turnout-settings.h"

/*
 * Twilio's Programmable Messaging API (2010-04-01, shared/twilio/
 * twilio_api_v2010.json; what it does beyond the spec is in
 * shared/notes/twilio.md). One SoupSession carries every request; like any
 * libsoup 3.2 session it belongs to the thread (main context) that created
 * the sender.
 *
 * The one thing this file must get right is when a failed send may still
 * have been accepted. Twilio's Messages API has no idempotency key, so a
 * POST whose answer is lost can't be repeated safely. The rule:
 *
 * - Until the request headers are written, nothing reached Twilio: connect
 *   refused, DNS, TLS handshake and proxy failures are plainly transient.
 *   The SoupMessage "wrote-headers" signal marks that moment. Waiting for
 *   "wrote-body" instead would be one write later; a failure between the
 *   two can't leave a complete request at Twilio either, but headers and a
 *   small form body leave in one burst, and guessing "not sent" wrongly
 *   texts somebody twice while guessing "unknown" wrongly only costs one
 *   list request.
 * - After that, a reset, an early end of the answer or a timeout is
 *   unknown: Twilio may have created the message. So are 502 and 504, which
 *   a gateway sends after passing the request on.
 * - libsoup never repeats a POST by itself (it only restarts idempotent
 *   methods on a dropped keep-alive connection), redirects are refused and
 *   the authentication manager is removed, so one send is one request.
 *
 * POSTs are flagged SOUP_MESSAGE_IDEMPOTENT only to let them reuse idle
 * keep-alive connections (libsoup otherwise opens a new connection, and a
 * new TLS handshake, for every POST); the flag does not make libsoup retry.
 */

/* Twilio's date_created has whole seconds and the two clocks differ: a
 * message is looked for from this long before the claim time. */
#define FIND_SENT_SLACK_SECONDS 300
/* Pages followed at most when listing, so a runaway list can't loop. */
#define MAX_PAGES 200
#define FIND_PAGE_SIZE 100
#define INBOUND_PAGE_SIZE 1000
/* libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

struct _TurnoutTwilioSender
{
  GObject      parent_instance;

  SoupSession *session;
  char        *api_url;               /* without a trailing slash */
  char        *account_sid;
  char        *key_sid;               /* nullable: signing in with the Auth Token */
  char        *authorization;         /* "Basic …": never logged */
  char        *from;                  /* nullable when a Messaging Service sends */
  char        *messaging_service_sid; /* nullable */
  guint        timeout;               /* seconds a request may take; 0: no limit */
  int          validity_period;       /* 0: Twilio's default (10 h) */
  gboolean     shorten_urls;
};

static void turnout_twilio_sender_sender_init (TurnoutSenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TurnoutTwilioSender, turnout_twilio_sender, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TURNOUT_TYPE_SENDER,
                                                      turnout_twilio_sender_sender_init))

G_DEFINE_QUARK (turnout-twilio-error-quark, turnout_twilio_error)

void
turnout_twilio_check_free (TurnoutTwilioCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->friendly_name);
  g_free (check->message);
  g_free (check);
}

void
turnout_delivery_status_free (TurnoutDeliveryStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->sid);
  g_free (status->status);
  g_free (status->error_code);
  g_free (status->message);
  g_free (status);
}

void
turnout_inbound_message_free (TurnoutInboundMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->sid);
  g_free (message->from);
  g_free (message->to);
  g_free (message->body);
  g_free (message);
}

static void
turnout_twilio_sender_dispose (GObject *object)
{
  TurnoutTwilioSender *self = TURNOUT_TWILIO_SENDER (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (turnout_twilio_sender_parent_class)->dispose (object);
}

static void
turnout_twilio_sender_finalize (GObject *object)
{
  TurnoutTwilioSender *self = TURNOUT_TWILIO_SENDER (object);

  g_free (self->api_url);
  g_free (self->account_sid);
  g_free (self->key_sid);
  if (self->authorization != NULL)
    memset (self->authorization, 0, strlen (self->authorization));
  g_free (self->authorization);
  g_free (self->from);
  g_free (self->messaging_service_sid);

  G_OBJECT_CLASS (turnout_twilio_sender_parent_class)->finalize (object);
}

static void
turnout_twilio_sender_class_init (TurnoutTwilioSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_twilio_sender_dispose;
  object_class->finalize = turnout_twilio_sender_finalize;
}

static void
turnout_twilio_sender_init (TurnoutTwilioSender *self)
{
  self->timeout = TURNOUT_TWILIO_DEFAULT_TIMEOUT;
  self->session = soup_session_new_with_options ("timeout", TURNOUT_TWILIO_DEFAULT_TIMEOUT,
                                                 "idle-timeout", 15,
                                                 "max-conns", 64,
                                                 "max-conns-per-host", 32,
                                                 "user-agent", "Turnout/" PACKAGE_VERSION,
                                                 NULL);
  /* We send the Authorization header ourselves; the manager would answer a
   * 401 by asking for credentials and sending the request again. */
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_AUTH_MANAGER);
}

/* ------------------------------------------------------------------------
 * Checking the configuration
 */

static gboolean
set_invalid (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_invalid (GError     **error,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_INVALID_CONFIG, message);
  return FALSE;
}

/* Says what is wrong with @value as a SID starting with @prefix, or NULL
 * when it is one: Twilio SIDs are two letters and 32 hexadecimal digits. */
static char *
describe_sid_problem (const char *value,
                      const char *prefix)
{
  gsize len = strlen (value);

  if (!g_str_has_prefix (value, prefix))
    /* TRANSLATORS: %s is a two-letter prefix such as "AC". */
    return g_strdup_printf (_("it does not start with %s"), prefix);
  if (len != 34)
    /* TRANSLATORS: %u is a number of characters. */
    return g_strdup_printf (ngettext ("it has %u character instead of 34",
                                      "it has %u characters instead of 34", (gulong) len),
                            (guint) len);
  for (gsize i = 2; i < len; i++)
    if (!g_ascii_isxdigit (value[i]))
      /* TRANSLATORS: %c is the character, %u its position (1 is the first). */
      return g_strdup_printf (_("“%c” at position %u is not one of 0–9 and a–f"),
                              value[i], (guint) i + 1);
  return NULL;
}

static gboolean
check_account_sid (const char  *sid,
                   GError     **error)
{
  g_autofree char *problem = NULL;

  if (sid == NULL || *sid == '\0')
    return set_invalid (error, _("Enter your Twilio Account SID in Preferences: it starts with AC "
                                 "and is shown on the Twilio Console’s home page."));
  if (g_str_has_prefix (sid, "SK"))
    return set_invalid (error, _("“%s” is an API Key SID, not the Account SID: the Account SID "
                                 "starts with AC and is shown on the Twilio Console’s home page."),
                        sid);
  if ((problem = describe_sid_problem (sid, "AC")) != NULL)
    /* TRANSLATORS: the second %s says what is wrong, such as "it has 33 characters instead of 34". */
    return set_invalid (error, _("The Account SID “%s” is not valid: %s. It is AC followed by "
                                 "32 digits and letters a–f; copy it from the Twilio Console."),
                        sid, problem);
  return TRUE;
}

static gboolean
check_key_sid (const char  *sid,
               GError     **error)
{
  g_autofree char *problem = NULL;

  if (g_str_has_prefix (sid, "AC"))
    return set_invalid (error, _("“%s” is an Account SID; an API Key SID starts with SK. Leave "
                                 "the API key empty to sign in with the Auth Token."), sid);
  if ((problem = describe_sid_problem (sid, "SK")) != NULL)
    return set_invalid (error, _("The API Key SID “%s” is not valid: %s. It is SK followed by "
                                 "32 digits and letters a–f; copy it from the Twilio Console "
                                 "(Account › API keys)."), sid, problem);
  return TRUE;
}

static gboolean
check_messaging_service_sid (const char  *sid,
                             GError     **error)
{
  g_autofree char *problem = NULL;

  if ((problem = describe_sid_problem (sid, "MG")) != NULL)
    return set_invalid (error, _("The Messaging Service SID “%s” is not valid: %s. It is MG "
                                 "followed by 32 digits and letters a–f; copy it from the "
                                 "Twilio Console (Messaging › Services)."), sid, problem);
  return TRUE;
}

static gboolean
is_e164 (const char *value)
{
  gsize len = strlen (value);

  if (len < 3 || len > 16 || value[0] != '+' || value[1] < '1' || value[1] > '9')
    return FALSE;
  for (gsize i = 2; i < len; i++)
    if (!g_ascii_isdigit (value[i]))
      return FALSE;
  return TRUE;
}

/* A phone number in E.164, or an alphanumeric sender ID: 1–11 letters,
 * digits and spaces with at least one letter (the rules of twilio.from). */
static gboolean
check_from (const char  *from,
            GError     **error)
{
  gboolean has_letter = FALSE;

  if (is_e164 (from))
    return TRUE;
  if (from[0] == '+' || g_ascii_isdigit (from[0]))
    return set_invalid (error, _("The sender number “%s” is not in international form: write it "
                                 "with + and the country code, such as +15551234567."), from);
  if (strlen (from) > 11)
    return set_invalid (error, _("The sender ID “%s” is too long: an alphanumeric sender ID has "
                                 "at most 11 characters."), from);
  for (const char *p = from; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != ' ')
        return set_invalid (error, _("The sender ID “%s” can’t be used: “%c” at position %d is "
                                     "not a letter, digit or space."),
                            from, *p, (int) (p - from) + 1);
      has_letter |= g_ascii_isalpha (*p);
    }
  if (!has_letter)
    return set_invalid (error, _("The sender ID “%s” needs at least one letter."), from);
  return TRUE;
}

static char *
dup_api_url (GError **error)
{
  const char *env = g_getenv ("TURNOUT_TWILIO_API_URL");
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  char *url;

  if (env == NULL || *env == '\0')
    return g_strdup (TURNOUT_TWILIO_DEFAULT_API_URL);
  uri = g_uri_parse (env, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_query (uri) != NULL)
    {
      set_invalid (error, _("TURNOUT_TWILIO_API_URL is “%s”, which is not an http:// or https:// "
                            "address such as https://api.twilio.com."), env);
      return NULL;
    }
  url = g_strdup (env);
  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  return url;
}

static char *
dup_authorization (const char *user,
                   const char *secret)
{
  g_autofree char *pair = g_strconcat (user, ":", secret, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  char *header = g_strconcat ("Basic ", encoded, NULL);

  memset (pair, 0, strlen (pair));
  return header;
}

/**
 * turnout_twilio_sender_new:
 * @account_sid: the Account SID (AC…), also used in every request path
 * @key_sid: (nullable): an API Key SID (SK…) to sign in with instead of the
 *   Auth Token
 * @secret: the Auth Token, or the API key's secret when @key_sid is set
 * @from: (nullable): the sender number or alphanumeric ID
 * @messaging_service_sid: (nullable): a Messaging Service (MG…); when set,
 *   texts go through it instead of @from
 *
 * Checks the configuration and makes a sender. `TURNOUT_TWILIO_API_URL`,
 * when set, replaces https://api.twilio.com (tests point it at a fake).
 *
 * Returns: (transfer full) (nullable): the sender, or %NULL with @error
 *   saying what is wrong in words for the user
 */
TurnoutTwilioSender *
turnout_twilio_sender_new (const char  *account_sid,
                           const char  *key_sid,
                           const char  *secret,
                           const char  *from,
                           const char  *messaging_service_sid,
                           GError     **error)
{
  g_autoptr(TurnoutTwilioSender) self = NULL;
  g_autofree char *api_url = NULL;
  g_autofree char *clean_secret = NULL;

  if (key_sid != NULL && *key_sid == '\0')
    key_sid = NULL;
  if (from != NULL && *from == '\0')
    from = NULL;
  if (messaging_service_sid != NULL && *messaging_service_sid == '\0')
    messaging_service_sid = NULL;

  if (!check_account_sid (account_sid, error))
    return NULL;
  if (key_sid != NULL && !check_key_sid (key_sid, error))
    return NULL;
  if (messaging_service_sid != NULL && !check_messaging_service_sid (messaging_service_sid, error))
    return NULL;
  if (from == NULL && messaging_service_sid == NULL)
    {
      set_invalid (error, _("Enter a sender number (such as +15551234567) or a Messaging Service "
                            "SID (MG…) in Preferences: Twilio needs to know who the texts come "
                            "from."));
      return NULL;
    }
  if (from != NULL && !check_from (from, error))
    return NULL;

  /* Stray spaces from copying are a known cause of error 20003. */
  clean_secret = g_strstrip (g_strdup (secret != NULL ? secret : ""));
  if (*clean_secret == '\0')
    {
      g_set_error_literal (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_NO_SECRET,
                           key_sid != NULL ? _("The API Key secret is empty: enter it in "
                                               "Preferences.")
                                           : _("The Auth Token is empty: enter it in "
                                               "Preferences."));
      return NULL;
    }
  for (const char *p = clean_secret; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || !g_ascii_isgraph (*p))
      {
        memset (clean_secret, 0, strlen (clean_secret));
        set_invalid (error, key_sid != NULL ? _("The API Key secret contains a space or an "
                                                "unusual character: copy it again.")
                                            : _("The Auth Token contains a space or an unusual "
                                                "character: copy it again from the Twilio "
                                                "Console."));
        return NULL;
      }
  if ((api_url = dup_api_url (error)) == NULL)
    {
      memset (clean_secret, 0, strlen (clean_secret));
      return NULL;
    }

  self = g_object_new (TURNOUT_TYPE_TWILIO_SENDER, NULL);
  self->api_url = g_steal_pointer (&api_url);
  self->account_sid = g_strdup (account_sid);
  self->key_sid = g_strdup (key_sid);
  self->authorization = dup_authorization (key_sid != NULL ? key_sid : account_sid, clean_secret);
  memset (clean_secret, 0, strlen (clean_secret));
  self->from = g_strdup (from);
  self->messaging_service_sid = g_strdup (messaging_service_sid);
  return g_steal_pointer (&self);
}

typedef struct
{
  char *account_sid;
  char *key_sid;
  char *from;
  char *messaging_service_sid;
} SettingsData;

static void
settings_data_free (SettingsData *data)
{
  g_free (data->account_sid);
  g_free (data->key_sid);
  g_free (data->from);
  g_free (data->messaging_service_sid);
  g_free (data);
}

static char *
dup_env (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

static void
on_secret_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SettingsData *data = g_task_get_task_data (task);
  GError *error = NULL;
  char *secret = turnout_credentials_lookup_finish (result, &error);
  TurnoutTwilioSender *sender;

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (secret == NULL)
    {
      if (data->key_sid != NULL)
        g_task_return_new_error (task, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_NO_SECRET,
                                 _("No secret is stored for the API key %s: enter it in "
                                   "Preferences, or set TWILIO_API_SECRET."), data->key_sid);
      else
        g_task_return_new_error (task, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_NO_SECRET,
                                 _("No Auth Token is stored for the account %s: enter it in "
                                   "Preferences, or set TWILIO_AUTH_TOKEN."), data->account_sid);
      return;
    }
  sender = turnout_twilio_sender_new (data->account_sid, data->key_sid, secret, data->from,
                                      data->messaging_service_sid, &error);
  memset (secret, 0, strlen (secret));
  g_free (secret);
  if (sender == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sender, g_object_unref);
}

/**
 * turnout_twilio_sender_new_from_settings_async:
 *
 * Makes a sender from the settings twilio.account_sid, twilio.api_key_sid,
 * twilio.from and twilio.messaging_service_sid, with the Auth Token (or the
 * API key's secret) from the keyring. For headless use the environment
 * overrides them: `TWILIO_ACCOUNT_SID`, `TWILIO_API_KEY` with
 * `TWILIO_API_SECRET`, or `TWILIO_AUTH_TOKEN` (which then wins over an API
 * key in the settings).
 */
void
turnout_twilio_sender_new_from_settings_async (TurnoutSettings     *settings,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SettingsData *data;
  GError *error = NULL;
  char *env_key;

  g_return_if_fail (TURNOUT_IS_SETTINGS (settings));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_twilio_sender_new_from_settings_async);
  data = g_new0 (SettingsData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) settings_data_free);

  data->account_sid = dup_env ("TWILIO_ACCOUNT_SID");
  if (data->account_sid == NULL)
    data->account_sid = turnout_settings_dup_string (settings, "twilio.account_sid");
  if ((env_key = dup_env ("TWILIO_API_KEY")) != NULL)
    data->key_sid = env_key;
  else if (g_getenv ("TWILIO_AUTH_TOKEN") == NULL || *g_getenv ("TWILIO_AUTH_TOKEN") == '\0')
    data->key_sid = turnout_settings_dup_string (settings, "twilio.api_key_sid");
  if (data->key_sid != NULL && *data->key_sid == '\0')
    g_clear_pointer (&data->key_sid, g_free);
  data->from = turnout_settings_dup_string (settings, "twilio.from");
  data->messaging_service_sid = turnout_settings_dup_string (settings,
                                                             "twilio.messaging_service_sid");

  /* Say what is wrong with the settings before asking the keyring. */
  if (!check_account_sid (data->account_sid, &error) ||
      (data->key_sid != NULL && !check_key_sid (data->key_sid, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->key_sid != NULL)
    turnout_credentials_lookup_async (TURNOUT_SECRET_TWILIO_API_SECRET, data->key_sid,
                                      cancellable, on_secret_ready_cb, g_steal_pointer (&task));
  else
    turnout_credentials_lookup_async (TURNOUT_SECRET_TWILIO_AUTH_TOKEN, data->account_sid,
                                      cancellable, on_secret_ready_cb, g_steal_pointer (&task));
}

/**
 * turnout_twilio_sender_new_from_settings_finish:
 *
 * Returns: (transfer full): the sender, or %NULL with @error saying what
 *   to fix (%TURNOUT_TWILIO_ERROR_INVALID_CONFIG,
 *   %TURNOUT_TWILIO_ERROR_NO_SECRET, or a keyring error)
 */
TurnoutTwilioSender *
turnout_twilio_sender_new_from_settings_finish (GAsyncResult  *result,
                                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_twilio_sender_new_from_settings_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
turnout_twilio_sender_get_account_sid (TurnoutTwilioSender *self)
{
  g_return_val_if_fail (TURNOUT_IS_TWILIO_SENDER (self), NULL);

  return self->account_sid;
}

/**
 * turnout_twilio_sender_set_api_url:
 * @url: an http:// or https:// address to send requests to instead
 *
 * For a process that talks to a fake Twilio of its own (tests, benchmarks)
 * and so can't name it in `TURNOUT_TWILIO_API_URL` before it starts.
 */
void
turnout_twilio_sender_set_api_url (TurnoutTwilioSender *self,
                                   const char          *url)
{
  g_return_if_fail (TURNOUT_IS_TWILIO_SENDER (self));
  g_return_if_fail (g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://"));

  g_free (self->api_url);
  self->api_url = g_strdup (url);
  while (g_str_has_suffix (self->api_url, "/"))
    self->api_url[strlen (self->api_url) - 1] = '\0';
}

/**
 * turnout_twilio_sender_get_api_url:
 *
 * Returns: the address requests go to: https://api.twilio.com, or
 *   `TURNOUT_TWILIO_API_URL`
 */
const char *
turnout_twilio_sender_get_api_url (TurnoutTwilioSender *self)
{
  g_return_val_if_fail (TURNOUT_IS_TWILIO_SENDER (self), NULL);

  return self->api_url;
}

/**
 * turnout_twilio_sender_set_timeout:
 * @seconds: how long one request may take, from connecting to the last
 *   byte of the answer (default 30); 0 waits forever
 *
 * A timeout after a message was sent makes its outcome unknown, so keep
 * this well above Twilio's usual answer time. Requests already under way
 * keep the limit they started with.
 */
void
turnout_twilio_sender_set_timeout (TurnoutTwilioSender *self,
                                   guint                seconds)
{
  g_return_if_fail (TURNOUT_IS_TWILIO_SENDER (self));

  self->timeout = seconds;
  /* libsoup's own limit is per read or write, and only reaches new
   * connections: the limit on the whole request is ours (request_async). */
  g_object_set (self->session, "timeout", seconds, NULL);
}

guint
turnout_twilio_sender_get_timeout (TurnoutTwilioSender *self)
{
  g_return_val_if_fail (TURNOUT_IS_TWILIO_SENDER (self), 0);

  return self->timeout;
}

/**
 * turnout_twilio_sender_set_validity_period:
 * @seconds: 1–36000, or 0 for Twilio's default (36000 s, 10 hours)
 *
 * How long a message may wait in Twilio's queue before it fails (30036).
 */
void
turnout_twilio_sender_set_validity_period (TurnoutTwilioSender *self,
                                           int                  seconds)
{
  g_return_if_fail (TURNOUT_IS_TWILIO_SENDER (self));
  g_return_if_fail (seconds >= 0 && seconds <= 36000);

  self->validity_period = seconds;
}

/**
 * turnout_twilio_sender_set_shorten_urls:
 *
 * Asks Twilio to shorten links. It only works through a Messaging Service
 * with a link-shortening domain, so without one it is not sent.
 */
void
turnout_twilio_sender_set_shorten_urls (TurnoutTwilioSender *self,
                                        gboolean             shorten)
{
  g_return_if_fail (TURNOUT_IS_TWILIO_SENDER (self));

  self->shorten_urls = !!shorten;
}

/* ------------------------------------------------------------------------
 * One request and its answer
 */

typedef struct
{
  SoupMessage  *message;
  gulong        wrote_headers_id;
  gboolean      request_left;  /* the headers were written */
  GCancellable *cancellable;   /* ours: cancelled by the caller's or the time limit */
  GCancellable *outer;         /* the caller's */
  gulong        outer_id;
  GSource      *timeout_source;
  guint         timeout;
  gboolean      timed_out;
  guint         status;        /* 0 when no answer came */
  GError       *error;         /* why no answer came */
  GBytes       *body;
  JsonNode     *root;          /* the answer's JSON, when it had any */
} Reply;

/* Stops watching the clock and the caller's cancellable. */
static void
reply_disarm (Reply *reply)
{
  if (reply->timeout_source != NULL)
    {
      g_source_destroy (reply->timeout_source);
      g_clear_pointer (&reply->timeout_source, g_source_unref);
    }
  if (reply->outer != NULL)
    {
      g_cancellable_disconnect (reply->outer, reply->outer_id);
      reply->outer_id = 0;
      g_clear_object (&reply->outer);
    }
}

static void
reply_free (Reply *reply)
{
  reply_disarm (reply);
  g_clear_object (&reply->cancellable);
  if (reply->message != NULL)
    g_clear_signal_handler (&reply->wrote_headers_id, reply->message);
  g_clear_object (&reply->message);
  g_clear_error (&reply->error);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->root, json_node_unref);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static void
on_wrote_headers_cb (SoupMessage *message,
                     gpointer     user_data)
{
  Reply *reply = user_data;

  reply->request_left = TRUE;
}

static void
on_request_ready_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Reply *reply = g_task_get_task_data (task);
  GError *error = NULL;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_clear_signal_handler (&reply->wrote_headers_id, reply->message);
  reply_disarm (reply);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && reply->timed_out)
    {
      g_clear_error (&error);
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           ngettext ("no answer within %u second", "no answer within %u seconds",
                                     reply->timeout), reply->timeout);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      reply_free (reply);
      g_task_return_error (task, error);
      return;
    }
  reply->status = soup_message_get_status (reply->message);
  reply->error = error;
  if (reply->body != NULL && g_bytes_get_size (reply->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      gsize size;
      const char *data = g_bytes_get_data (reply->body, &size);

      if (json_parser_load_from_data (parser, data, (gssize) size, NULL))
        reply->root = json_node_ref (json_parser_get_root (parser));
    }
  g_task_return_pointer (task, reply, (GDestroyNotify) reply_free);
}

static void
on_outer_cancelled_cb (GCancellable *outer,
                       gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static gboolean
on_request_timeout_cb (gpointer user_data)
{
  Reply *reply = user_data;

  reply->timed_out = TRUE;
  g_clear_pointer (&reply->timeout_source, g_source_unref);
  g_cancellable_cancel (reply->cancellable);
  return G_SOURCE_REMOVE;
}

/* Sends @method to @url with @form (x-www-form-urlencoded, taken; or NULL).
 * The answer is a Reply, or an error only when cancelled. */
static void
request_async (TurnoutTwilioSender *self,
               const char          *method,
               const char          *url,
               char                *form,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Reply *reply = g_new0 (Reply, 1);
  SoupMessageHeaders *headers;

  g_task_set_source_tag (task, request_async);
  /* The Reply is the signal handler's data until the answer is in; then
   * it becomes the task's result. */
  g_task_set_task_data (task, reply, NULL);
  if (form != NULL)
    reply->message = soup_message_new_from_encoded_form (method, url, form);
  else
    reply->message = soup_message_new (method, url);
  if (reply->message == NULL)
    {
      reply->error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                  _("“%s” is not a valid address"), url);
      g_task_return_pointer (task, reply, (GDestroyNotify) reply_free);
      return;
    }
  headers = soup_message_get_request_headers (reply->message);
  soup_message_headers_replace (headers, "Authorization", self->authorization);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_add_flags (reply->message, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_IDEMPOTENT);
  reply->wrote_headers_id = g_signal_connect (reply->message, "wrote-headers",
                                              G_CALLBACK (on_wrote_headers_cb), reply);

  reply->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      reply->outer = g_object_ref (cancellable);
      reply->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled_cb),
                                               g_object_ref (reply->cancellable),
                                               g_object_unref);
    }
  if (self->timeout > 0)
    {
      g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

      reply->timeout = self->timeout;
      reply->timeout_source = g_timeout_source_new_seconds (self->timeout);
      g_source_set_callback (reply->timeout_source, on_request_timeout_cb, reply, NULL);
      g_source_attach (reply->timeout_source, context);
    }
  soup_session_send_and_read_async (self->session, reply->message, G_PRIORITY_DEFAULT,
                                    reply->cancellable, on_request_ready_cb,
                                    g_steal_pointer (&task));
}

/* Returns: (transfer full): the Reply, or NULL when cancelled. */
static Reply *
request_finish (GAsyncResult  *result,
                GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == request_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static JsonObject *
reply_get_object (Reply *reply)
{
  return reply->root != NULL && JSON_NODE_HOLDS_OBJECT (reply->root)
           ? json_node_get_object (reply->root) : NULL;
}

/* Twilio marks almost every field nullable: these read a member that may
 * be missing, null or of another type. */
static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
get_int (JsonObject *object,
         const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  const char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING &&
      (text = json_node_get_string (node)) != NULL && g_ascii_isdigit (*text))
    return g_ascii_strtoll (text, NULL, 10);
  return 0;
}

/* "Thu, 24 Aug 2023 05:01:45 +0000" → Unix seconds; 0 for null. */
static gint64
get_date (JsonObject *object,
          const char *member)
{
  const char *text = get_string (object, member);
  g_autoptr(GDateTime) date = text != NULL ? soup_date_time_new_from_http_string (text) : NULL;

  return date != NULL ? g_date_time_to_unix (date) : 0;
}

/* The error code of an error answer ({code, message, more_info, status}),
 * or 0 when it has none. */
static int
reply_get_code (Reply *reply)
{
  return (int) get_int (reply_get_object (reply), "code");
}

static const char *
reply_get_message (Reply *reply)
{
  return get_string (reply_get_object (reply), "message");
}

/* Seconds from a Retry-After header: a number, or an HTTP date. */
static int
reply_get_retry_after (Reply *reply)
{
  SoupMessageHeaders *headers;
  const char *value;
  g_autoptr(GDateTime) date = NULL;
  gint64 seconds;

  if (reply->message == NULL)
    return -1;
  headers = soup_message_get_response_headers (reply->message);
  value = soup_message_headers_get_one (headers, "Retry-After");
  if (value == NULL)
    return -1;
  while (g_ascii_isspace (*value))
    value++;
  if (g_ascii_isdigit (*value))
    seconds = g_ascii_strtoll (value, NULL, 10);
  else if ((date = soup_date_time_new_from_http_string (value)) != NULL)
    seconds = g_date_time_to_unix (date) - g_get_real_time () / G_USEC_PER_SEC;
  else
    return -1;
  return (int) CLAMP (seconds, 0, 24 * 60 * 60);
}

static void
form_add (GString    *form,
          const char *key,
          const char *value)
{
  g_autofree char *escaped_key = g_uri_escape_string (key, NULL, FALSE);
  g_autofree char *escaped_value = g_uri_escape_string (value, NULL, FALSE);

  if (form->len > 0)
    g_string_append_c (form, '&');
  g_string_append (form, escaped_key);
  g_string_append_c (form, '=');
  g_string_append (form, escaped_value);
}

static char *
dup_account_url (TurnoutTwilioSender *self,
                 const char          *tail)
{
  return g_strconcat (self->api_url, "/2010-04-01/Accounts/", self->account_sid, tail, NULL);
}

/* Twilio's paging addresses are relative to https://api.twilio.com. */
static char *
dup_page_url (TurnoutTwilioSender *self,
              const char          *next_page_uri)
{
  if (next_page_uri == NULL || next_page_uri[0] != '/')
    return NULL;
  return g_strconcat (self->api_url, next_page_uri, NULL);
}

/* The answer as an error of TURNOUT_TWILIO_ERROR, for the calls that don't
 * send; NULL for a success. */
static GError *
reply_to_error (Reply *reply)
{
  int code = reply_get_code (reply);
  const char *twilio_message = reply_get_message (reply);

  if (reply->status == 0)
    {
      const char *why = reply->error != NULL ? reply->error->message : _("no answer");

      if (reply->error != NULL && reply->error->domain != SOUP_SESSION_ERROR)
        return g_error_new (reply->error->domain, reply->error->code,
                            _("Twilio could not be reached: %s"), why);
      return g_error_new (TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED,
                          _("Twilio could not be reached: %s"), why);
    }
  if (SOUP_STATUS_IS_SUCCESSFUL (reply->status))
    {
      if (reply->error != NULL)
        return g_error_new (TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED,
                            _("Twilio’s answer was cut off: %s"), reply->error->message);
      if (reply_get_object (reply) == NULL)
        return g_error_new_literal (TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED,
                                    _("Twilio’s answer could not be read."));
      return NULL;
    }
  if (reply->status == SOUP_STATUS_UNAUTHORIZED || code == 20003)
    return g_error_new_literal (TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_AUTH,
                                _("Twilio refused the credentials (error 20003): check the "
                                  "Account SID and the Auth Token or API key in Preferences."));
  if (reply->status == SOUP_STATUS_NOT_FOUND)
    return g_error_new (TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_NOT_FOUND,
                        _("Twilio has no such resource (HTTP 404): %s"),
                        twilio_message != NULL ? twilio_message : _("not found"));
  if (reply->status == STATUS_TOO_MANY_REQUESTS || code == 20429)
    return g_error_new_literal (TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_RATE_LIMITED,
                                _("Twilio is receiving too many requests from this account "
                                  "(error 20429); Turnout will ask again later."));
  if (reply->status >= 500)
    return g_error_new (TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_SERVER,
                        _("Twilio had a problem (HTTP %u); Turnout will ask again later."),
                        reply->status);
  if (code != 0)
    return g_error_new (TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED,
                        _("Twilio answered with error %d: %s"), code,
                        twilio_message != NULL ? twilio_message : _("no details"));
  return g_error_new (TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED,
                      _("Twilio answered HTTP %u %s."), reply->status,
                      soup_status_get_phrase (reply->status));
}

/* ------------------------------------------------------------------------
 * What a refused send means
 */

/* The main region of each calling code that several regions share, so
 * that +1 reads US and +44 GB. */
static const struct
{
  int         calling_code;
  const char *region;
} main_regions[] = {
  { 1, "US" }, { 7, "RU" }, { 39, "IT" }, { 44, "GB" }, { 47, "NO" }, { 61, "AU" },
  { 212, "MA" }, { 262, "RE" }, { 290, "SH" }, { 358, "FI" }, { 590, "GP" }, { 599, "CW" },
};

/* Every ISO 3166-1 alpha-2 code. */
static const char all_regions[] =
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR "
  "BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ "
  "EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW "
  "GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY "
  "KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV "
  "MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
  "QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG "
  "TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM "
  "ZW";

/* The country of an E.164 number by its calling code, or NULL. Numbers
 * sharing a calling code (the +1 countries) get its main country: telling
 * Canada from the US needs the area code, which libphonenumber knows but
 * core does not expose yet. */
static char *
dup_region_for_number (const char *e164,
                       int        *calling_code)
{
  *calling_code = 0;
  if (e164 == NULL || e164[0] != '+')
    return NULL;
  /* Calling codes are prefix-free and one to three digits long. */
  for (int digits = 1; digits <= 3; digits++)
    {
      char prefix[4] = { 0 };
      int code;
      const char *found = NULL;

      if ((int) strlen (e164 + 1) < digits)
        break;
      memcpy (prefix, e164 + 1, digits);
      code = atoi (prefix);
      for (guint i = 0; i < G_N_ELEMENTS (main_regions); i++)
        if (main_regions[i].calling_code == code)
          found = main_regions[i].region;
      /* Two letters each, a space between (none after the last). */
      for (const char *p = all_regions; found == NULL && p[0] != '\0' && p[1] != '\0';
           p += p[2] == ' ' ? 3 : 2)
        {
          char region[3] = { p[0], p[1], '\0' };

          if (turnout_phone_country_code_for_region (region) == code)
            return (*calling_code = code, g_strdup (region));
        }
      if (found != NULL)
        return (*calling_code = code, g_strdup (found));
    }
  return NULL;
}

static TurnoutSendResult *
result_new (TurnoutSendOutcome  outcome,
            Reply              *reply,
            char               *message)
{
  TurnoutSendResult *result = turnout_send_result_new (outcome);
  int code = reply != NULL ? reply_get_code (reply) : 0;

  if (code != 0)
    result->error_code = g_strdup_printf ("%d", code);
  else if (reply != NULL && reply->status != 0)
    result->error_code = g_strdup_printf ("HTTP %u", reply->status);
  result->message = message;
  return result;
}

/* A refused send: @reply has a status that is not a success. */
static TurnoutSendResult *
classify_refusal (TurnoutTwilioSender *self,
                  const char          *to,
                  Reply               *reply)
{
  int code = reply_get_code (reply);
  const char *twilio_message = reply_get_message (reply);
  const char *sender = self->messaging_service_sid != NULL ? self->messaging_service_sid
                                                           : self->from;
  guint status = reply->status;
  TurnoutSendResult *result;

  if (twilio_message == NULL)
    twilio_message = soup_status_get_phrase (status);

  switch (code)
    {
    case 20003:
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup (_("Twilio refused the credentials (error 20003): check the "
                                     "Account SID and the Auth Token or API key in Preferences. "
                                     "A token changed in the Twilio Console, a deleted API key or "
                                     "a suspended account all cause this.")));
    case 10001:
    case 30002:
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("The Twilio account is not active (error %d): no "
                                            "texts go out until it is reactivated in the Twilio "
                                            "Console."), code));
    case 20429:
      result = result_new (TURNOUT_SEND_RATE_LIMITED, reply,
                           g_strdup (_("Twilio is receiving too many requests from this "
                                       "account (error 20429); sending slows down and goes on "
                                       "by itself.")));
      result->retry_after = reply_get_retry_after (reply);
      return result;
    case 21611:
      result = result_new (TURNOUT_SEND_RATE_LIMITED, reply,
                           g_strdup_printf (_("The queue of the sender %s is full (Twilio error "
                                              "21611): Twilio holds at most 10 hours of texts "
                                              "per sender. Sending slows down and goes on by "
                                              "itself."), sender));
      result->retry_after = reply_get_retry_after (reply);
      return result;
    case 21610:
      return result_new (TURNOUT_SEND_SUPPRESS, reply,
                         g_strdup_printf (_("%s replied STOP to your number: Twilio won’t send "
                                            "to them until they reply START (error 21610), so "
                                            "Turnout won’t text them either."), to));
    case 21408:
      {
        int calling_code;
        g_autofree char *region = dup_region_for_number (to, &calling_code);

        if (region != NULL)
          /* TRANSLATORS: %s is a country code such as "GB", %d its calling code (44). */
          result = result_new (TURNOUT_SEND_STOP_COUNTRY, reply,
                               g_strdup_printf (_("Your Twilio account may not send texts to "
                                                  "numbers in %s (+%d) (error 21408): turn that "
                                                  "country on in the Twilio Console under "
                                                  "Messaging › Settings › Geo permissions. "
                                                  "Sending there has stopped."),
                                                region, calling_code));
        else
          result = result_new (TURNOUT_SEND_STOP_COUNTRY, reply,
                               g_strdup_printf (_("Your Twilio account may not send texts to "
                                                  "the country of %s (error 21408): turn it on "
                                                  "in the Twilio Console under Messaging › "
                                                  "Settings › Geo permissions."), to));
        result->country = g_steal_pointer (&region);
        return result;
      }
    case 21211:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("%s is not a valid phone number (Twilio error "
                                            "21211): correct it in the contact."), to));
    case 21214:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("%s can’t be reached as a mobile phone (Twilio "
                                            "error 21214): check the number in the contact."),
                                          to));
    case 21217:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("%s does not look like a real phone number (Twilio "
                                            "error 21217): check it in the contact."), to));
    case 21612:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("Twilio can’t carry texts from your sender to %s "
                                            "(error 21612): that destination or its carrier "
                                            "does not take messages from this kind of "
                                            "sender."), to));
    case 21614:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("%s is not a mobile number (Twilio error 21614): "
                                            "it may be a landline, which can’t receive "
                                            "texts."), to));
    case 21635:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("%s is a landline (Twilio error 21635), which "
                                            "can’t receive texts."), to));
    case 21602:
    case 21619:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("The message is empty (Twilio error %d): it has "
                                            "neither text nor media."), code));
    case 21617:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup (_("The message is longer than 1,600 characters (Twilio "
                                     "error 21617): shorten the template.")));
    case 21620:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup (_("Twilio refused a media address (error 21620): media "
                                     "must be at public https:// addresses.")));
    case 21623:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup (_("The message has more than 10 media files (Twilio error "
                                     "21623).")));
    case 21606:
      if (self->messaging_service_sid != NULL)
        return result_new (TURNOUT_SEND_FATAL, reply,
                           g_strdup_printf (_("Twilio won’t send through the Messaging Service "
                                              "%s (error 21606): none of its numbers can send "
                                              "SMS for this account. Check the service’s "
                                              "sender pool in the Twilio Console."), sender));
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("Twilio won’t send from %s (error 21606): it is not "
                                            "an SMS-capable number of this account. Enter one "
                                            "of the account’s numbers as the sender in "
                                            "Preferences."), sender));
    case 21212:
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("Twilio says the sender %s is not a valid From "
                                            "number (error 21212): check it in Preferences."),
                                          sender));
    case 21603:
    case 21604:
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("Twilio says the request lacked a %s (error %d): "
                                            "check the sender in Preferences; if it is set, "
                                            "this is a bug in Turnout."),
                                          code == 21603 ? _("sender") : _("recipient"), code));
    case 21701:
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("The Messaging Service %s does not exist on this "
                                            "account (Twilio error 21701): check its SID in "
                                            "Preferences."), sender));
    case 21702:
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("The Messaging Service %s can’t send new messages "
                                            "(Twilio error 21702): check it in the Twilio "
                                            "Console."), sender));
    case 21703:
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("The Messaging Service %s has no number available "
                                            "to send this message (Twilio error 21703): add a "
                                            "number that can reach this destination."), sender));
    case 21704:
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("The Messaging Service %s contains no phone numbers "
                                            "(Twilio error 21704): add one in the Twilio "
                                            "Console."), sender));
    case 21705:
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("The Messaging Service %s is not valid (Twilio "
                                            "error 21705): check its SID in Preferences."),
                                          sender));
    default:
      break;
    }

  if (status == SOUP_STATUS_UNAUTHORIZED)
    return result_new (TURNOUT_SEND_FATAL, reply,
                       g_strdup (_("Twilio refused the credentials (HTTP 401): check the Account "
                                   "SID and the Auth Token or API key in Preferences.")));
  if (status == STATUS_TOO_MANY_REQUESTS)
    {
      result = result_new (TURNOUT_SEND_RATE_LIMITED, reply,
                           g_strdup (_("Twilio asked Turnout to slow down (HTTP 429); sending "
                                       "goes on by itself.")));
      result->retry_after = reply_get_retry_after (reply);
      return result;
    }
  if (status == SOUP_STATUS_BAD_GATEWAY || status == SOUP_STATUS_GATEWAY_TIMEOUT)
    return result_new (TURNOUT_SEND_UNKNOWN, reply,
                       g_strdup_printf (_("A gateway in front of Twilio gave up (HTTP %u) after "
                                          "the message was passed on; Turnout will ask Twilio "
                                          "whether it arrived before trying again."), status));
  if (status >= 500)
    {
      result = result_new (TURNOUT_SEND_TRANSIENT, reply,
                           g_strdup_printf (_("Twilio had a problem (HTTP %u); the message will "
                                              "be tried again later."), status));
      result->retry_after = reply_get_retry_after (reply);
      return result;
    }
  if (status == SOUP_STATUS_NOT_FOUND)
    return result_new (TURNOUT_SEND_FATAL, reply,
                       g_strdup_printf (_("Twilio does not know the account %s (HTTP 404): check "
                                          "the Account SID in Preferences."), self->account_sid));
  if (status == SOUP_STATUS_FORBIDDEN)
    return result_new (TURNOUT_SEND_FATAL, reply,
                       g_strdup_printf (_("Twilio refused the request (HTTP 403: %s): the "
                                          "credentials may not be allowed to send messages."),
                                        twilio_message));
  if (status == SOUP_STATUS_BAD_REQUEST || status == SOUP_STATUS_UNPROCESSABLE_ENTITY)
    {
      if (code != 0)
        return result_new (TURNOUT_SEND_PERMANENT, reply,
                           g_strdup_printf (_("Twilio refused the message to %s (error %d): %s"),
                                            to, code, twilio_message));
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("Twilio refused the message to %s (HTTP %u): %s"),
                                          to, status, twilio_message));
    }
  if (status >= 300 && status < 400)
    return result_new (TURNOUT_SEND_FATAL, reply,
                       g_strdup_printf (_("The Twilio address %s answered with a redirect (HTTP "
                                          "%u): check TURNOUT_TWILIO_API_URL."), self->api_url,
                                        status));
  if (status >= 400)
    return result_new (TURNOUT_SEND_FATAL, reply,
                       g_strdup_printf (_("Twilio did not accept Turnout’s request (HTTP %u: %s). "
                                          "This is a bug in Turnout; please report it."), status,
                                        twilio_message));
  return result_new (TURNOUT_SEND_UNKNOWN, reply,
                     g_strdup_printf (_("Twilio gave an answer Turnout does not understand (HTTP "
                                        "%u) after the message was sent; Turnout will ask Twilio "
                                        "whether it arrived before trying again."), status));
}

static TurnoutSendResult *
classify_reply (TurnoutTwilioSender *self,
                const char          *to,
                Reply               *reply)
{
  const char *sid;

  if (reply->status == 0)
    {
      guint timeout = reply->timeout > 0 ? reply->timeout : self->timeout;
      const char *why = reply->error != NULL ? reply->error->message : _("no answer");
      gboolean timed_out = g_error_matches (reply->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

      if (!reply->request_left)
        return result_new (TURNOUT_SEND_TRANSIENT, reply,
                           g_strdup_printf (_("Twilio could not be reached (%s); the message was "
                                              "not sent and will be tried again."), why));
      if (timed_out)
        return result_new (TURNOUT_SEND_UNKNOWN, reply,
                           g_strdup_printf (ngettext ("Twilio did not answer within %u second "
                                                      "after the message was sent; Turnout will "
                                                      "ask Twilio whether it arrived before "
                                                      "trying again.",
                                                      "Twilio did not answer within %u seconds "
                                                      "after the message was sent; Turnout will "
                                                      "ask Twilio whether it arrived before "
                                                      "trying again.", timeout), timeout));
      return result_new (TURNOUT_SEND_UNKNOWN, reply,
                         g_strdup_printf (_("The connection to Twilio broke after the message was "
                                            "sent (%s); Turnout will ask Twilio whether it arrived "
                                            "before trying again."), why));
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (reply->status))
    return classify_refusal (self, to, reply);

  sid = get_string (reply_get_object (reply), "sid");
  if (reply->error != NULL || sid == NULL)
    return result_new (TURNOUT_SEND_UNKNOWN, reply,
                       g_strdup (_("Twilio accepted the message but its answer was cut off or "
                                   "unreadable; Turnout will ask Twilio for the message before "
                                   "trying again.")));
  {
    TurnoutSendResult *result = turnout_send_result_new (TURNOUT_SEND_OK);

    result->provider_id = g_strdup (sid);
    return result;
  }
}

/* ------------------------------------------------------------------------
 * Sending
 */

static const char *
turnout_twilio_sender_get_channel (TurnoutSender *sender)
{
  return "sms";
}

static void
on_send_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(Reply) reply = NULL;
  GError *error = NULL;

  if ((reply = request_finish (result, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task,
                         classify_reply (g_task_get_source_object (task),
                                         g_task_get_task_data (task), reply),
                         (GDestroyNotify) turnout_send_result_free);
}

static void
turnout_twilio_sender_send_async (TurnoutSender         *sender,
                                  const TurnoutOutgoing *outgoing,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  TurnoutTwilioSender *self = TURNOUT_TWILIO_SENDER (sender);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GString) form = g_string_new (NULL);
  g_autofree char *url = NULL;
  const char *text = outgoing->text != NULL ? outgoing->text : "";
  guint n_media = outgoing->media_urls != NULL ? g_strv_length ((char **) outgoing->media_urls)
                                               : 0;

  g_task_set_source_tag (task, turnout_twilio_sender_send_async);
  g_task_set_task_data (task, g_strdup (outgoing->to), g_free);

  if (outgoing->to == NULL || *outgoing->to == '\0')
    {
      g_task_return_pointer (task, result_new (TURNOUT_SEND_PERMANENT, NULL,
                                               g_strdup (_("The contact has no phone number."))),
                             (GDestroyNotify) turnout_send_result_free);
      return;
    }
  if (*text == '\0' && n_media == 0)
    {
      g_task_return_pointer (task, result_new (TURNOUT_SEND_PERMANENT, NULL,
                                               g_strdup (_("The message is empty: it has neither "
                                                           "text nor media."))),
                             (GDestroyNotify) turnout_send_result_free);
      return;
    }

  form_add (form, "To", outgoing->to);
  if (self->messaging_service_sid != NULL)
    form_add (form, "MessagingServiceSid", self->messaging_service_sid);
  else
    form_add (form, "From", self->from);
  if (*text != '\0')
    form_add (form, "Body", text);
  for (guint i = 0; i < n_media; i++)
    form_add (form, "MediaUrl", outgoing->media_urls[i]);
  if (self->shorten_urls && self->messaging_service_sid != NULL)
    form_add (form, "ShortenUrls", "true");
  if (self->validity_period > 0)
    {
      char seconds[16];

      g_snprintf (seconds, sizeof seconds, "%d", self->validity_period);
      form_add (form, "ValidityPeriod", seconds);
    }

  url = dup_account_url (self, "/Messages.json");
  request_async (self, SOUP_METHOD_POST, url, g_string_free (g_steal_pointer (&form), FALSE),
                 cancellable, on_send_ready_cb, g_steal_pointer (&task));
}

static TurnoutSendResult *
turnout_twilio_sender_send_finish (TurnoutSender  *sender,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, sender), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_twilio_sender_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------
 * Walking a list of messages, page by page
 */

/* Looks at one page of messages; returns TRUE to stop. */
typedef gboolean (*PageFunc) (TurnoutTwilioSender *self,
                              JsonArray           *messages,
                              gpointer             data);

typedef struct
{
  PageFunc func;
  gpointer data;
  guint    pages;
} Walk;

static void on_page_ready_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data);

static void
walk_request_page (GTask      *task,
                   const char *url)
{
  request_async (g_task_get_source_object (task), SOUP_METHOD_GET, url, NULL,
                 g_task_get_cancellable (task), on_page_ready_cb, task);
}

static void
on_page_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TurnoutTwilioSender *self = TURNOUT_TWILIO_SENDER (object);
  Walk *walk = g_task_get_task_data (task);
  g_autoptr(Reply) reply = NULL;
  g_autofree char *next = NULL;
  GError *error = NULL;
  JsonObject *page;
  JsonNode *messages;

  if ((reply = request_finish (result, &error)) == NULL ||
      (error = reply_to_error (reply)) != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  page = reply_get_object (reply);
  messages = json_object_get_member (page, "messages");
  if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages))
    {
      g_task_return_new_error (task, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED,
                               _("Twilio’s list of messages could not be read."));
      return;
    }
  if (walk->func (self, json_node_get_array (messages), walk->data))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  next = dup_page_url (self, get_string (page, "next_page_uri"));
  if (next == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (++walk->pages >= MAX_PAGES)
    {
      g_task_return_new_error (task, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED,
                               _("Twilio’s list of messages has more than %u pages; Turnout "
                                 "stopped reading it."), MAX_PAGES);
      return;
    }
  walk_request_page (g_steal_pointer (&task), next);
}

/* Calls @func on each page from @url on, following next_page_uri verbatim
 * (Twilio's PageToken is opaque). @data belongs to the caller and must
 * outlive the walk. */
static void
walk_messages_async (TurnoutTwilioSender *self,
                     const char          *url,
                     PageFunc             func,
                     gpointer             data,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Walk *walk = g_new0 (Walk, 1);

  g_task_set_source_tag (task, walk_messages_async);
  walk->func = func;
  walk->data = data;
  g_task_set_task_data (task, walk, g_free);
  walk_request_page (task, url);
}

static gboolean
walk_messages_finish (GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------
 * Reconciliation
 */

typedef struct
{
  char   *to;
  char   *text;
  gint64  since;
  char   *found;
} FindSent;

static void
find_sent_free (FindSent *find)
{
  g_free (find->to);
  g_free (find->text);
  g_free (find->found);
  g_free (find);
}

/* With link shortening Twilio stores the shortened links, so links are
 * compared as "some link". */
static char *
dup_without_links (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0';)
    {
      if (g_str_has_prefix (p, "http://") || g_str_has_prefix (p, "https://"))
        {
          g_string_append (out, "\x01");
          while (*p != '\0' && !g_ascii_isspace (*p))
            p++;
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

static gboolean
bodies_match (TurnoutTwilioSender *self,
              const char          *sent,
              const char          *stored)
{
  g_autofree char *a = g_strchomp (g_strdup (sent));
  g_autofree char *b = g_strchomp (g_strdup (stored != NULL ? stored : ""));

  if (g_str_equal (a, b))
    return TRUE;
  if (self->shorten_urls)
    {
      g_autofree char *a_links = dup_without_links (a);
      g_autofree char *b_links = dup_without_links (b);

      return g_str_equal (a_links, b_links);
    }
  return FALSE;
}

static gboolean
find_sent_page (TurnoutTwilioSender *self,
                JsonArray           *messages,
                gpointer             data)
{
  FindSent *find = data;
  guint n = json_array_get_length (messages);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      const char *direction = get_string (message, "direction");
      const char *sid = get_string (message, "sid");

      if (sid == NULL || direction == NULL || !g_str_has_prefix (direction, "outbound"))
        continue;
      if (get_date (message, "date_created") < find->since - FIND_SENT_SLACK_SECONDS)
        continue;
      if (g_strcmp0 (get_string (message, "to"), find->to) != 0)
        continue;
      if (!bodies_match (self, find->text, get_string (message, "body")))
        continue;
      /* Lists run newest first: keep going so the earliest match wins. */
      g_free (find->found);
      find->found = g_strdup (sid);
    }
  return FALSE;
}

static void
on_find_sent_ready_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FindSent *find = g_task_get_task_data (task);
  GError *error = NULL;

  if (!walk_messages_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&find->found), g_free);
}

static void
turnout_twilio_sender_find_sent_async (TurnoutSender       *sender,
                                       const char          *to,
                                       gint64               since,
                                       const char          *text,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  TurnoutTwilioSender *self = TURNOUT_TWILIO_SENDER (sender);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GString) query = g_string_new (NULL);
  g_autofree char *url = NULL;
  FindSent *find = g_new0 (FindSent, 1);
  char page_size[16];

  g_task_set_source_tag (task, turnout_twilio_sender_find_sent_async);
  find->to = g_strdup (to);
  find->text = g_strdup (text);
  find->since = since;
  g_task_set_task_data (task, find, (GDestroyNotify) find_sent_free);

  /* Filtered by To alone. Not by From: the sender may have changed since
   * the claim. Not by DateSent: a message still queued has no date_sent
   * yet, and Twilio's date filter leaves such messages out, which is just
   * when a missed message would be sent twice. The time is checked here on
   * date_created instead; one recipient's messages are few. */
  form_add (query, "To", to);
  g_snprintf (page_size, sizeof page_size, "%d", FIND_PAGE_SIZE);
  form_add (query, "PageSize", page_size);
  url = dup_account_url (self, "/Messages.json?");
  g_string_prepend (query, url);
  walk_messages_async (self, query->str, find_sent_page, find, cancellable,
                       on_find_sent_ready_cb, g_steal_pointer (&task));
}

static char *
turnout_twilio_sender_find_sent_finish (TurnoutSender  *sender,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, sender), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_twilio_sender_find_sent_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
turnout_twilio_sender_sender_init (TurnoutSenderInterface *iface)
{
  iface->get_channel = turnout_twilio_sender_get_channel;
  iface->send_async = turnout_twilio_sender_send_async;
  iface->send_finish = turnout_twilio_sender_send_finish;
  iface->find_sent_async = turnout_twilio_sender_find_sent_async;
  iface->find_sent_finish = turnout_twilio_sender_find_sent_finish;
}

/* ------------------------------------------------------------------------
 * Delivery status
 */

/**
 * turnout_twilio_dup_delivery_sentence:
 * @code: an error code found on a sent message (30001–30036 and others)
 * @twilio_message: (nullable): Twilio's error_message, used for codes this
 *   function does not know
 *
 * Returns: (transfer full): a sentence for the user saying why the message
 *   did not arrive and what to do
 */
char *
turnout_twilio_dup_delivery_sentence (int         code,
                                      const char *twilio_message)
{
  switch (code)
    {
    case 30001:
      return g_strdup (_("Twilio’s queue for the sender overflowed and the message was dropped "
                         "(error 30001): send more slowly."));
    case 30002:
      return g_strdup (_("The Twilio account is suspended (error 30002): nothing is delivered "
                         "until it is reactivated."));
    case 30003:
      return g_strdup (_("The phone could not be reached: it was switched off or out of "
                         "coverage (error 30003). A later retry may work."));
    case 30004:
      return g_strdup (_("The message was blocked by the recipient or their carrier, for "
                         "example after an earlier opt-out (error 30004): treat it as an "
                         "opt-out."));
    case 30005:
      return g_strdup (_("The number is unknown to its carrier or no longer in service (error "
                         "30005)."));
    case 30006:
      return g_strdup (_("The number is a landline, or its carrier can’t take texts (error "
                         "30006)."));
    case 30007:
      return g_strdup (_("The carrier filtered the message as spam or against its rules (error "
                         "30007): review the wording and links before sending more."));
    case 30008:
      return g_strdup (_("Delivery failed for a reason the carrier did not give (error 30008). "
                         "One later retry may work."));
    case 30011:
      return g_strdup (_("The recipient’s carrier or country can’t take MMS (error 30011): send "
                         "it as SMS without media."));
    case 30019:
      return g_strdup (_("The media is too large for the recipient’s carrier (error 30019): keep "
                         "MMS media under 5 MB, images preferably much smaller."));
    case 30022:
      return g_strdup (_("The US A2P 10DLC rate limit of the campaign was exceeded (error 30022): "
                         "send more slowly."));
    case 30023:
    case 30027:
      return g_strdup_printf (_("The daily limit for US A2P 10DLC messages was reached (error "
                                "%d): the rest can go out tomorrow."), code);
    case 30032:
      return g_strdup (_("The toll-free sender number is not verified (error 30032): finish its "
                         "verification in the Twilio Console before sending to US and Canadian "
                         "numbers."));
    case 30033:
      return g_strdup (_("The US A2P 10DLC campaign of the sender is suspended (error 30033): see "
                         "Messaging › Regulatory Compliance in the Twilio Console."));
    case 30034:
      return g_strdup (_("The sender number is not registered for US A2P 10DLC (error 30034): "
                         "US carriers block texts from unregistered local numbers. Register a "
                         "brand and a campaign in the Twilio Console (Messaging › Regulatory "
                         "Compliance) and add this number to the campaign; until then no US "
                         "message from it will arrive."));
    case 30035:
      return g_strdup (_("The sender number is still being set up for its US A2P 10DLC "
                         "campaign (error 30035): wait until Twilio shows it as registered."));
    case 30036:
      return g_strdup (_("The message waited in Twilio’s queue longer than its validity period "
                         "and was dropped (error 30036)."));
    default:
      if (twilio_message != NULL && *twilio_message != '\0')
        return g_strdup_printf (_("Twilio reports error %d: %s"), code, twilio_message);
      return g_strdup_printf (_("Twilio reports error %d; see "
                                "https://www.twilio.com/docs/errors/%d"), code, code);
    }
}

static TurnoutDeliveryState
parse_delivery_state (const char *status)
{
  static const struct
  {
    const char           *status;
    TurnoutDeliveryState  state;
  } states[] = {
    { "sent", TURNOUT_DELIVERY_SENT },
    { "delivered", TURNOUT_DELIVERY_DELIVERED },
    { "read", TURNOUT_DELIVERY_DELIVERED },
    { "partially_delivered", TURNOUT_DELIVERY_DELIVERED },
    { "undelivered", TURNOUT_DELIVERY_UNDELIVERED },
    { "failed", TURNOUT_DELIVERY_FAILED },
    { "canceled", TURNOUT_DELIVERY_CANCELED },
  };

  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (states); i++)
    if (g_str_equal (status, states[i].status))
      return states[i].state;
  /* accepted, scheduled, queued, sending, and whatever Twilio adds later. */
  return TURNOUT_DELIVERY_PENDING;
}

static void
on_fetch_status_ready_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(Reply) reply = NULL;
  TurnoutDeliveryStatus *status;
  JsonObject *message;
  GError *error = NULL;
  int code;

  if ((reply = request_finish (result, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->status == SOUP_STATUS_NOT_FOUND)
    {
      g_task_return_new_error (task, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_NOT_FOUND,
                               _("Twilio has no message %s; it may have been deleted."),
                               (char *) g_task_get_task_data (task));
      return;
    }
  if ((error = reply_to_error (reply)) != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  message = reply_get_object (reply);
  status = g_new0 (TurnoutDeliveryStatus, 1);
  status->sid = g_strdup (g_task_get_task_data (task));
  status->status = g_strdup (get_string (message, "status"));
  status->state = parse_delivery_state (status->status);
  status->date_sent = get_date (message, "date_sent");
  code = (int) get_int (message, "error_code");
  if (code != 0)
    status->error_code = g_strdup_printf ("%d", code);
  if (status->state == TURNOUT_DELIVERY_UNDELIVERED || status->state == TURNOUT_DELIVERY_FAILED)
    {
      if (code != 0)
        status->message = turnout_twilio_dup_delivery_sentence (code,
                                                                get_string (message,
                                                                            "error_message"));
      else if (status->state == TURNOUT_DELIVERY_UNDELIVERED)
        status->message = g_strdup (_("The carrier could not deliver the message and gave no "
                                      "reason."));
      else
        status->message = g_strdup (_("Twilio could not send the message and gave no reason."));
    }
  g_task_return_pointer (task, status, (GDestroyNotify) turnout_delivery_status_free);
}

static gboolean
is_sid (const char *value,
        const char *prefix)
{
  if (value == NULL || !g_str_has_prefix (value, prefix) || strlen (value) != 34)
    return FALSE;
  for (const char *p = value + 2; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_message_sid (const char *sid)
{
  return is_sid (sid, "SM") || is_sid (sid, "MM");
}

/**
 * turnout_twilio_sender_fetch_status_async:
 * @sid: a Message SID (SM… or MM…)
 *
 * Asks Twilio where a sent message is, for delivery polling.
 */
void
turnout_twilio_sender_fetch_status_async (TurnoutTwilioSender *self,
                                          const char          *sid,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *tail = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (TURNOUT_IS_TWILIO_SENDER (self));
  g_return_if_fail (sid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_twilio_sender_fetch_status_async);
  g_task_set_task_data (task, g_strdup (sid), g_free);
  /* The SID goes into the path: only a well-formed one. */
  if (!is_message_sid (sid))
    {
      g_task_return_new_error (task, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_UNEXPECTED,
                               _("“%s” is not a Twilio Message SID."), sid);
      return;
    }
  tail = g_strconcat ("/Messages/", sid, ".json", NULL);
  url = dup_account_url (self, tail);
  request_async (self, SOUP_METHOD_GET, url, NULL, cancellable, on_fetch_status_ready_cb,
                 g_steal_pointer (&task));
}

/**
 * turnout_twilio_sender_fetch_status_finish:
 *
 * Returns: (transfer full): the status, or %NULL with @error set
 *   (%TURNOUT_TWILIO_ERROR_NOT_FOUND when Twilio has no such message)
 */
TurnoutDeliveryStatus *
turnout_twilio_sender_fetch_status_finish (TurnoutTwilioSender  *self,
                                           GAsyncResult         *result,
                                           GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_twilio_sender_fetch_status_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------
 * Replies
 */

typedef struct
{
  gint64     since;
  GPtrArray *messages;
} ListInbound;

static void
list_inbound_free (ListInbound *list)
{
  g_clear_pointer (&list->messages, g_ptr_array_unref);
  g_free (list);
}

static gboolean
list_inbound_page (TurnoutTwilioSender *self,
                   JsonArray           *messages,
                   gpointer             data)
{
  ListInbound *list = data;
  guint n = json_array_get_length (messages);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      TurnoutInboundMessage *inbound;
      gint64 date_sent;

      if (g_strcmp0 (get_string (message, "direction"), "inbound") != 0 ||
          get_string (message, "sid") == NULL)
        continue;
      date_sent = get_date (message, "date_sent");
      if (date_sent == 0)
        date_sent = get_date (message, "date_created");
      if (date_sent < list->since)
        continue;
      inbound = g_new0 (TurnoutInboundMessage, 1);
      inbound->sid = g_strdup (get_string (message, "sid"));
      inbound->from = g_strdup (get_string (message, "from"));
      inbound->to = g_strdup (get_string (message, "to"));
      inbound->body = g_strdup (get_string (message, "body"));
      inbound->date_sent = date_sent;
      g_ptr_array_add (list->messages, inbound);
    }
  return FALSE;
}

static int
compare_inbound (gconstpointer a,
                 gconstpointer b)
{
  const TurnoutInboundMessage *x = *(TurnoutInboundMessage * const *) a;
  const TurnoutInboundMessage *y = *(TurnoutInboundMessage * const *) b;

  if (x->date_sent != y->date_sent)
    return x->date_sent < y->date_sent ? -1 : 1;
  return g_strcmp0 (x->sid, y->sid);
}

static void
on_list_inbound_ready_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListInbound *list = g_task_get_task_data (task);
  GError *error = NULL;

  if (!walk_messages_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_sort (list->messages, compare_inbound);
  g_task_return_pointer (task, g_steal_pointer (&list->messages),
                         (GDestroyNotify) g_ptr_array_unref);
}

/**
 * turnout_twilio_sender_list_inbound_async:
 * @since: Unix seconds; replies received before are left out
 *
 * Lists the texts people sent to the sender number since @since, for
 * opt-out handling. With a Messaging Service every number of the account is
 * listed, as its pool is not known here.
 */
void
turnout_twilio_sender_list_inbound_async (TurnoutTwilioSender *self,
                                          gint64               since,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GDateTime) day = NULL;
  g_autofree char *date = NULL;
  g_autofree char *url = NULL;
  ListInbound *list;
  char page_size[16];

  g_return_if_fail (TURNOUT_IS_TWILIO_SENDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_twilio_sender_list_inbound_async);
  list = g_new0 (ListInbound, 1);
  list->since = since;
  list->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_inbound_message_free);
  g_task_set_task_data (task, list, (GDestroyNotify) list_inbound_free);

  if (self->messaging_service_sid == NULL && is_e164 (self->from))
    form_add (query, "To", self->from);
  /* "DateSent>=2024-05-01" on the wire is the key "DateSent>" with a
   * day in GMT; the exact time is checked on each message. Received
   * messages always have their date_sent. */
  day = g_date_time_new_from_unix_utc (MAX (since, 0));
  date = g_date_time_format (day, "%Y-%m-%d");
  form_add (query, "DateSent>", date);
  g_snprintf (page_size, sizeof page_size, "%d", INBOUND_PAGE_SIZE);
  form_add (query, "PageSize", page_size);
  url = dup_account_url (self, "/Messages.json?");
  g_string_prepend (query, url);
  walk_messages_async (self, query->str, list_inbound_page, list, cancellable,
                       on_list_inbound_ready_cb, g_steal_pointer (&task));
}

/**
 * turnout_twilio_sender_list_inbound_finish:
 *
 * Returns: (transfer full) (element-type TurnoutInboundMessage): the
 *   replies, oldest first, or %NULL with @error set
 */
GPtrArray *
turnout_twilio_sender_list_inbound_finish (TurnoutTwilioSender  *self,
                                           GAsyncResult         *result,
                                           GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_twilio_sender_list_inbound_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------
 * Test connection
 */

typedef struct
{
  char *friendly_name;
} Check;

static void
check_data_free (Check *check)
{
  g_free (check->friendly_name);
  g_free (check);
}

static void
return_check (GTask                     *task,
              TurnoutTwilioCheckOutcome  outcome,
              char                      *message)
{
  Check *data = g_task_get_task_data (task);
  TurnoutTwilioCheck *check = g_new0 (TurnoutTwilioCheck, 1);

  check->outcome = outcome;
  check->friendly_name = g_strdup (data->friendly_name);
  check->message = message;
  g_task_return_pointer (task, check, (GDestroyNotify) turnout_twilio_check_free);
}

static char *
dup_account_name (TurnoutTwilioSender *self,
                  Check               *data)
{
  if (data->friendly_name != NULL && *data->friendly_name != '\0')
    return g_strdup_printf ("“%s”", data->friendly_name);
  return g_strdup (self->account_sid);
}

static void
return_bad_credentials (GTask *task)
{
  TurnoutTwilioSender *self = g_task_get_source_object (task);

  if (self->key_sid != NULL)
    return_check (task, TURNOUT_TWILIO_CHECK_BAD_CREDENTIALS,
                  g_strdup_printf (_("Twilio refused the API key %s and its secret (error 20003): "
                                     "check that the key belongs to the account %s and that the "
                                     "secret was copied whole. A deleted key no longer works."),
                                   self->key_sid, self->account_sid));
  else
    return_check (task, TURNOUT_TWILIO_CHECK_BAD_CREDENTIALS,
                  g_strdup_printf (_("Twilio refused the Account SID %s and the Auth Token "
                                     "(error 20003): copy both again from the Twilio Console. A "
                                     "token that was changed there no longer works."),
                                   self->account_sid));
}

static void
on_numbers_ready_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TurnoutTwilioSender *self = TURNOUT_TWILIO_SENDER (object);
  g_autoptr(Reply) reply = NULL;
  g_autofree char *name = dup_account_name (self, g_task_get_task_data (task));
  GError *error = NULL;
  JsonNode *numbers;
  JsonArray *array;

  if ((reply = request_finish (result, &error)) == NULL ||
      (error = reply_to_error (reply)) != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  numbers = json_object_get_member (reply_get_object (reply), "incoming_phone_numbers");
  array = numbers != NULL && JSON_NODE_HOLDS_ARRAY (numbers) ? json_node_get_array (numbers)
                                                              : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *number = json_array_get_object_element (array, i);
      JsonObject *capabilities;
      JsonNode *sms;

      if (g_strcmp0 (get_string (number, "phone_number"), self->from) != 0)
        continue;
      capabilities = json_object_get_object_member (number, "capabilities");
      sms = capabilities != NULL ? json_object_get_member (capabilities, "sms") : NULL;
      if (sms != NULL && JSON_NODE_HOLDS_VALUE (sms) &&
          json_node_get_value_type (sms) == G_TYPE_BOOLEAN && !json_node_get_boolean (sms))
        {
          return_check (task, TURNOUT_TWILIO_CHECK_SENDER_NOT_ON_ACCOUNT,
                        g_strdup_printf (_("%s belongs to the account %s but can’t send SMS: "
                                           "choose an SMS-capable number as the sender."),
                                         self->from, name));
          return;
        }
      return_check (task, TURNOUT_TWILIO_CHECK_OK,
                    g_strdup_printf (_("Connected to the Twilio account %s; texts will come "
                                       "from %s."), name, self->from));
      return;
    }
  return_check (task, TURNOUT_TWILIO_CHECK_SENDER_NOT_ON_ACCOUNT,
                g_strdup_printf (_("%s is not a number of the Twilio account %s: enter one of "
                                   "the account’s numbers as the sender, or buy one in the "
                                   "Twilio Console."), self->from, name));
}

/* The credentials work: now the sender. */
static void
check_sender (GTask *task)
{
  TurnoutTwilioSender *self = g_task_get_source_object (task);
  g_autofree char *name = dup_account_name (self, g_task_get_task_data (task));
  g_autoptr(GString) url = NULL;

  if (self->messaging_service_sid != NULL)
    {
      return_check (task, TURNOUT_TWILIO_CHECK_OK,
                    g_strdup_printf (_("Connected to the Twilio account %s. Texts go through "
                                       "the Messaging Service %s, which is checked when the "
                                       "first one is sent."), name,
                                     self->messaging_service_sid));
      return;
    }
  if (!is_e164 (self->from))
    {
      return_check (task, TURNOUT_TWILIO_CHECK_OK,
                    g_strdup_printf (_("Connected to the Twilio account %s. The sender ID "
                                       "“%s” can’t be checked in advance; Twilio accepts "
                                       "alphanumeric sender IDs only in some countries."),
                                     name, self->from));
      return;
    }
  url = g_string_new (NULL);
  form_add (url, "PhoneNumber", self->from);
  g_string_prepend (url, "/IncomingPhoneNumbers.json?");
  g_string_prepend (url, self->account_sid);
  g_string_prepend (url, "/2010-04-01/Accounts/");
  g_string_prepend (url, self->api_url);
  request_async (self, SOUP_METHOD_GET, url->str, NULL, g_task_get_cancellable (task),
                 on_numbers_ready_cb, g_object_ref (task));
}

static void
on_key_probe_ready_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(Reply) reply = NULL;
  GError *error = NULL;

  if ((reply = request_finish (result, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->status == SOUP_STATUS_UNAUTHORIZED || reply->status == SOUP_STATUS_FORBIDDEN ||
      reply->status == SOUP_STATUS_NOT_FOUND)
    {
      return_bad_credentials (task);
      return;
    }
  if ((error = reply_to_error (reply)) != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  check_sender (task);
}

static void
on_account_ready_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TurnoutTwilioSender *self = TURNOUT_TWILIO_SENDER (object);
  Check *data = g_task_get_task_data (task);
  g_autoptr(Reply) reply = NULL;
  g_autofree char *name = NULL;
  GError *error = NULL;
  const char *status;

  if ((reply = request_finish (result, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->status == SOUP_STATUS_UNAUTHORIZED || reply->status == SOUP_STATUS_FORBIDDEN ||
      reply->status == SOUP_STATUS_NOT_FOUND)
    {
      /* A standard API key may not read the account resource at all
       * (Twilio answers 20003 as for a wrong secret): whether the key
       * works is seen on the list of messages instead. */
      if (self->key_sid != NULL)
        {
          g_autofree char *url = dup_account_url (self, "/Messages.json?PageSize=1");
          GCancellable *cancellable = g_task_get_cancellable (task);

          request_async (self, SOUP_METHOD_GET, url, NULL, cancellable, on_key_probe_ready_cb,
                         g_steal_pointer (&task));
        }
      else
        return_bad_credentials (task);
      return;
    }
  if ((error = reply_to_error (reply)) != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->friendly_name = g_strdup (get_string (reply_get_object (reply), "friendly_name"));
  status = get_string (reply_get_object (reply), "status");
  name = dup_account_name (self, data);
  if (g_strcmp0 (status, "suspended") == 0)
    return_check (task, TURNOUT_TWILIO_CHECK_ACCOUNT_INACTIVE,
                  g_strdup_printf (_("The Twilio account %s is suspended: Twilio sends nothing "
                                     "until it is reactivated. See the Twilio Console or ask "
                                     "Twilio support."), name));
  else if (g_strcmp0 (status, "closed") == 0)
    return_check (task, TURNOUT_TWILIO_CHECK_ACCOUNT_INACTIVE,
                  g_strdup_printf (_("The Twilio account %s is closed: use the SID of an open "
                                     "account."), name));
  else
    check_sender (task);
}

/**
 * turnout_twilio_sender_test_connection_async:
 *
 * "Test connection" in Preferences: fetches the account (its name and
 * whether it is active) and, for a sender number, whether the account owns
 * it and it can send SMS. Sends nothing.
 */
void
turnout_twilio_sender_test_connection_async (TurnoutTwilioSender *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (TURNOUT_IS_TWILIO_SENDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_twilio_sender_test_connection_async);
  g_task_set_task_data (task, g_new0 (Check, 1), (GDestroyNotify) check_data_free);
  url = g_strconcat (self->api_url, "/2010-04-01/Accounts/", self->account_sid, ".json", NULL);
  request_async (self, SOUP_METHOD_GET, url, NULL, cancellable, on_account_ready_cb,
                 g_steal_pointer (&task));
}

/**
 * turnout_twilio_sender_test_connection_finish:
 *
 * Returns: (transfer full): the verdict with a sentence for the user, or
 *   %NULL with @error set when Twilio could not be asked (network, 5xx)
 */
TurnoutTwilioCheck *
turnout_twilio_sender_test_connection_finish (TurnoutTwilioSender  *self,
                                              GAsyncResult         *result,
                                              GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_twilio_sender_test_connection_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
