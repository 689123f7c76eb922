/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-fake-twilio"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "turnout-fake-twilio.h"

#include "turnout-sms.h"

/*
 * A fake of Twilio's Messages API (2010-04-01) on 127.0.0.1, for tests and
 * benchmarks. It follows shared/twilio/twilio_api_v2010.json and the
 * behaviour in shared/notes/twilio.md:
 *
 * - HTTP Basic with the Account SID and Auth Token, or an API Key SID and
 *   secret; the path carries the Account SID either way. Anything else is
 *   401 with error 20003. A key can't read the account resource, as a
 *   standard Twilio key can't.
 * - Create Message takes only application/x-www-form-urlencoded (415
 *   otherwise) and checks what Twilio checks: To (21604 missing, 21211 not
 *   E.164), From or MessagingServiceSid (21603; 21212 a malformed From,
 *   21606 a number not on the account or not SMS-capable, 21701 an unknown
 *   service, 21704 one without numbers), Body or MediaUrl or ContentSid
 *   (21619), a body of at most 1,600 characters (21617), at most 10
 *   MediaUrl (21623), each https (21620), ValidityPeriod 1–36000 (21624).
 *   ShortenUrls must be true/false and needs a service (20001: the fake's
 *   choice, Twilio's code for this is not documented in our sources).
 *   Twilio's magic test numbers answer as with test credentials (notes §9).
 * - An accepted message answers 201 with the Message resource: sid SM…/MM…,
 *   status "queued" ("accepted" through a service), num_segments and
 *   num_media as strings, RFC 2822 dates, date_sent null until sent.
 * - List Messages filters on To, From and DateSent (=, >, < with a day or a
 *   time; a message without date_sent never matches a date filter, as with
 *   Twilio), newest first, PageSize (default 50, at most 1000, 20007
 *   above), and pages through next_page_uri with an opaque PageToken.
 * - Fetch Message, Fetch Account and IncomingPhoneNumbers (PhoneNumber
 *   filter).
 *
 * The server runs on a thread of its own with its own main context, so a
 * test can block (or run its own loop) while the fake answers; every
 * function here may be called from any thread.
 *
 * Faults: the next N requests of a kind (turnout_fake_twilio_fail_next), or
 * each create request with a probability (add_random_fault, seeded), or by
 * recipient (set_number_error, set_prefix_error). A reset is made by
 * stealing the connection from the server and closing its socket with
 * SO_LINGER 0, so the client sees ECONNRESET.
 *
 * Control endpoints (no authentication), for fake-twilio-main's clients:
 *   GET  /_fake/messages   every accepted message, as JSON
 *   GET  /_fake/stats      counts and the most accepted in any 1 s window
 *   POST /_fake/inbound    From, To, Body[, DateSent (Unix s)]: a reply
 *   POST /_fake/fault      Fault (a name below), Count, [Scope create|list|fetch|any]
 *   POST /_fake/status     Sid, Status[, ErrorCode]
 *   POST /_fake/deliver    every queued message becomes delivered (or
 *                          undelivered with the error set for its number)
 */

static const char * const fault_names[] = {
  "none", "500", "502", "503", "429", "429-retry-after", "20429", "21611", "reset-before",
  "reset-after", "slow", NULL
};

typedef struct
{
  TurnoutFakeScope scope;
  TurnoutFakeFault fault;
  guint            count;
} PendingFault;

typedef struct
{
  TurnoutFakeFault fault;
  double           probability;
} RandomFault;

typedef struct
{
  char *number;
  int   code;
} NumberRule;

struct _TurnoutFakeTwilio
{
  GObject       parent_instance;

  GMutex        lock;
  GCond         cond;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;       /* owned by the thread */
  GHashTable   *held_sources; /* the thread's: answers waiting (slow, reset) */
  guint         wanted_port;
  guint         port;
  char         *url;
  GError       *start_error;
  gboolean      started;

  /* Everything below is under the lock. */
  char         *account_sid;
  char         *auth_token;
  GHashTable   *api_keys;     /* key SID → secret */
  char         *friendly_name;
  char         *account_status;
  GHashTable   *numbers;      /* number → GINT_TO_POINTER (sms capable + 1) */
  GHashTable   *services;     /* MG… → GINT_TO_POINTER (has numbers + 1) */
  gint64        clock_offset;

  GHashTable   *number_errors;   /* To → code */
  GArray       *prefix_errors;   /* NumberRule */
  GHashTable   *delivery_errors; /* To → code */
  GQueue        pending_faults;  /* PendingFault */
  GArray       *random_faults;   /* RandomFault */
  GRand        *rand;
  char         *retry_after;
  guint         delay_ms;
  gboolean      delay_every_answer;

  guint64       serial;
  GPtrArray    *messages;     /* TurnoutFakeMessage, all, in order of arrival */
  GPtrArray    *accepted;     /* borrowed from messages: outbound ones, in order */
  GHashTable   *by_sid;       /* sid → message (borrowed) */
  GHashTable   *by_to;        /* to → GPtrArray of messages (borrowed) */
  GArray       *request_times;  /* monotonic µs of create requests */
  GArray       *accepted_times; /* monotonic µs of accepted messages */
  guint         n_requests[3];  /* create, list, fetch */
};

G_DEFINE_FINAL_TYPE (TurnoutFakeTwilio, turnout_fake_twilio, G_TYPE_OBJECT)

void
turnout_fake_message_free (TurnoutFakeMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->sid);
  g_free (message->to);
  g_free (message->from);
  g_free (message->messaging_service_sid);
  g_free (message->body);
  g_strfreev (message->media_urls);
  g_free (message->status);
  g_free (message->auth_user);
  g_free (message);
}

static TurnoutFakeMessage *
message_copy (const TurnoutFakeMessage *message)
{
  TurnoutFakeMessage *copy = g_new0 (TurnoutFakeMessage, 1);

  *copy = *message;
  copy->sid = g_strdup (message->sid);
  copy->to = g_strdup (message->to);
  copy->from = g_strdup (message->from);
  copy->messaging_service_sid = g_strdup (message->messaging_service_sid);
  copy->body = g_strdup (message->body);
  copy->media_urls = g_strdupv (message->media_urls);
  copy->status = g_strdup (message->status);
  copy->auth_user = g_strdup (message->auth_user);
  return copy;
}

/**
 * turnout_fake_fault_from_string:
 *
 * Returns: the fault named @name ("500", "429-retry-after", "reset-after"…),
 *   or %TURNOUT_FAKE_FAULT_NONE
 */
TurnoutFakeFault
turnout_fake_fault_from_string (const char *name)
{
  for (guint i = 0; name != NULL && fault_names[i] != NULL; i++)
    if (g_str_equal (name, fault_names[i]))
      return (TurnoutFakeFault) i;
  return TURNOUT_FAKE_FAULT_NONE;
}

const char *
turnout_fake_fault_to_string (TurnoutFakeFault fault)
{
  g_return_val_if_fail (fault <= TURNOUT_FAKE_FAULT_SLOW, "none");

  return fault_names[fault];
}

/* ------------------------------------------------------------------------
 * Small helpers
 */

static gint64
now_unix (TurnoutFakeTwilio *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

/* Twilio's dates: "Thu, 24 Aug 2023 05:01:45 +0000", in English whatever
 * the locale. */
static char *
format_rfc2822 (gint64 unix_time)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (unix_time);

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d +0000",
                          days[g_date_time_get_day_of_week (date) - 1],
                          g_date_time_get_day_of_month (date),
                          months[g_date_time_get_month (date) - 1], g_date_time_get_year (date),
                          g_date_time_get_hour (date), g_date_time_get_minute (date),
                          g_date_time_get_second (date));
}

static gboolean
is_e164 (const char *value)
{
  gsize len;

  if (value == NULL)
    return FALSE;
  if (g_str_has_prefix (value, "whatsapp:"))
    value += strlen ("whatsapp:");
  len = strlen (value);
  if (len < 3 || len > 16 || value[0] != '+' || value[1] < '1' || value[1] > '9')
    return FALSE;
  for (gsize i = 2; i < len; i++)
    if (!g_ascii_isdigit (value[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_alphanumeric_sender (const char *value)
{
  gboolean letter = FALSE;

  if (*value == '\0' || strlen (value) > 11)
    return FALSE;
  for (const char *p = value; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != ' ')
        return FALSE;
      letter |= g_ascii_isalpha (*p);
    }
  return letter;
}

static char *
new_sid (TurnoutFakeTwilio *self,
         const char        *prefix)
{
  /* A serial keeps SIDs unique; the random part makes them look like
   * Twilio's, which are not ordered. */
  self->serial++;
  return g_strdup_printf ("%s%08" G_GINT64_MODIFIER "x%08x%08x%08x", prefix,
                          (gint64) (self->serial & 0xffffffff), g_rand_int (self->rand),
                          g_rand_int (self->rand), g_rand_int (self->rand));
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

/* Twilio's error body: {code, message, more_info, status}; @code 0 leaves
 * out the code and more_info, as some non-400 answers do. */
static void
respond_error (SoupServerMessage *msg,
               guint              status,
               int                code,
               const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (code != 0)
    {
      g_autofree char *more_info = g_strdup_printf ("https://www.twilio.com/docs/errors/%d",
                                                    code);

      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, code);
      json_builder_set_member_name (builder, "more_info");
      json_builder_add_string_value (builder, more_info);
    }
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, status);
  json_builder_end_object (builder);
  respond_json (msg, status, builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_date (JsonBuilder *builder,
          const char  *name,
          gint64       unix_time)
{
  g_autofree char *text = unix_time != 0 ? format_rfc2822 (unix_time) : NULL;

  add_string (builder, name, text);
}

/* The Message resource (schema api.v2010.account.message). */
static void
add_message (TurnoutFakeTwilio        *self,
             JsonBuilder              *builder,
             const TurnoutFakeMessage *message)
{
  g_autoptr(TurnoutSmsInfo) info = turnout_sms_info_new (message->body);
  guint n_media = message->media_urls != NULL ? g_strv_length (message->media_urls) : 0;
  g_autofree char *segments = g_strdup_printf ("%u", MAX (info->segments, n_media > 0 ? 1 : 0));
  g_autofree char *media = g_strdup_printf ("%u", n_media);
  g_autofree char *uri = g_strdup_printf ("/2010-04-01/Accounts/%s/Messages/%s.json",
                                          self->account_sid, message->sid);
  g_autofree char *media_uri = g_strdup_printf ("/2010-04-01/Accounts/%s/Messages/%s/Media.json",
                                                self->account_sid, message->sid);

  json_builder_begin_object (builder);
  add_string (builder, "account_sid", self->account_sid);
  add_string (builder, "api_version", "2010-04-01");
  add_string (builder, "body", message->body);
  add_date (builder, "date_created", message->date_created);
  add_date (builder, "date_sent", message->date_sent);
  add_date (builder, "date_updated", MAX (message->date_created, message->date_sent));
  add_string (builder, "direction", message->inbound ? "inbound" : "outbound-api");
  json_builder_set_member_name (builder, "error_code");
  if (message->error_code != 0)
    json_builder_add_int_value (builder, message->error_code);
  else
    json_builder_add_null_value (builder);
  add_string (builder, "error_message", message->error_code != 0 ? "Delivery failed" : NULL);
  add_string (builder, "from", message->from);
  add_string (builder, "messaging_service_sid", message->messaging_service_sid);
  add_string (builder, "num_media", media);
  add_string (builder, "num_segments", segments);
  add_string (builder, "price", message->date_sent != 0 && !message->inbound ? "-0.00790" : NULL);
  add_string (builder, "price_unit", "USD");
  add_string (builder, "sid", message->sid);
  add_string (builder, "status", message->status);
  json_builder_set_member_name (builder, "subresource_uris");
  json_builder_begin_object (builder);
  add_string (builder, "media", media_uri);
  json_builder_end_object (builder);
  add_string (builder, "to", message->to);
  add_string (builder, "uri", uri);
  json_builder_end_object (builder);
}

/* ------------------------------------------------------------------------
 * Faults in the server thread
 */

typedef struct
{
  SoupServerMessage *msg;
  gboolean           finished;
  gulong             finished_id;
} Held;

static void
on_held_finished_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  Held *held = user_data;

  held->finished = TRUE;
}

static Held *
hold (SoupServerMessage *msg)
{
  Held *held = g_new0 (Held, 1);

  held->msg = g_object_ref (msg);
  held->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_held_finished_cb), held);
  soup_server_message_pause (msg);
  return held;
}

static void
held_free (Held *held)
{
  g_clear_signal_handler (&held->finished_id, held->msg);
  g_object_unref (held->msg);
  g_free (held);
}

typedef struct
{
  TurnoutFakeTwilio *self;
  Held              *held;
  GSourceFunc        func;
} HeldCall;

static void
held_call_free (HeldCall *call)
{
  held_free (call->held);
  g_free (call);
}

static gboolean
held_call_cb (gpointer data)
{
  HeldCall *call = data;

  g_hash_table_remove (call->self->held_sources, g_main_current_source ());
  return call->func (call->held);
}

/* Runs @func on the held message from the server thread, from @source;
 * sources still waiting when the fake stops are destroyed with it. */
static void
attach_held (TurnoutFakeTwilio *self,
             GSource           *source,
             SoupServerMessage *msg,
             GSourceFunc        func)
{
  HeldCall *call = g_new0 (HeldCall, 1);

  call->self = self;
  call->held = hold (msg);
  call->func = func;
  g_source_set_callback (source, held_call_cb, call, (GDestroyNotify) held_call_free);
  g_hash_table_add (self->held_sources, g_source_ref (source));
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static gboolean
release_cb (gpointer data)
{
  Held *held = data;

  if (!held->finished)
    soup_server_message_unpause (held->msg);
  return G_SOURCE_REMOVE;
}

static gboolean
reset_cb (gpointer data)
{
  Held *held = data;
  GSocket *socket;
  GIOStream *stream;

  if (held->finished)
    return G_SOURCE_REMOVE;
  socket = soup_server_message_get_socket (held->msg);
  if (socket != NULL)
    {
      /* Closing with a zero linger time sends RST instead of FIN. */
      struct linger linger = { 1, 0 };

      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
    }
  g_clear_signal_handler (&held->finished_id, held->msg);
  held->finished = TRUE;
  stream = soup_server_message_steal_connection (held->msg);
  if (stream != NULL)
    {
      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
    }
  return G_SOURCE_REMOVE;
}

/* Both run after the handler returned: libsoup must not be in the middle
 * of reading the request when the connection goes. */
static void
reset_later (TurnoutFakeTwilio *self,
             SoupServerMessage *msg)
{
  attach_held (self, g_idle_source_new (), msg, reset_cb);
}

static void
answer_later (TurnoutFakeTwilio *self,
              SoupServerMessage *msg,
              guint              delay_ms)
{
  attach_held (self, g_timeout_source_new (delay_ms), msg, release_cb);
}

/* Under the lock: the fault for this request, if any. */
static TurnoutFakeFault
take_fault (TurnoutFakeTwilio *self,
            TurnoutFakeScope   scope)
{
  for (GList *l = self->pending_faults.head; l != NULL; l = l->next)
    {
      PendingFault *pending = l->data;
      TurnoutFakeFault fault = pending->fault;

      if ((pending->scope & scope) == 0)
        continue;
      if (--pending->count == 0)
        {
          g_queue_delete_link (&self->pending_faults, l);
          g_free (pending);
        }
      return fault;
    }
  if (scope == TURNOUT_FAKE_ON_CREATE)
    for (guint i = 0; i < self->random_faults->len; i++)
      {
        RandomFault *random = &g_array_index (self->random_faults, RandomFault, i);

        if (g_rand_double (self->rand) < random->probability)
          return random->fault;
      }
  return TURNOUT_FAKE_FAULT_NONE;
}

/* Answers a fault that stops the request before it is processed; FALSE
 * for the ones that let it through (reset-after, slow). */
static gboolean
answer_fault (TurnoutFakeTwilio *self,
              SoupServerMessage *msg,
              TurnoutFakeFault   fault,
              const char        *retry_after)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  switch (fault)
    {
    case TURNOUT_FAKE_FAULT_500:
      respond_error (msg, 500, 20500, "Internal Server Error");
      return TRUE;
    case TURNOUT_FAKE_FAULT_502:
      soup_server_message_set_status (msg, 502, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC,
                                        "<html>Bad Gateway</html>", 24);
      return TRUE;
    case TURNOUT_FAKE_FAULT_503:
      respond_error (msg, 503, 20503, "Service Unavailable");
      return TRUE;
    case TURNOUT_FAKE_FAULT_429:
      soup_server_message_set_status (msg, 429, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "Too Many Requests",
                                        17);
      return TRUE;
    case TURNOUT_FAKE_FAULT_429_RETRY_AFTER:
      soup_message_headers_replace (headers, "Retry-After", retry_after);
      soup_server_message_set_status (msg, 429, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "Too Many Requests",
                                        17);
      return TRUE;
    case TURNOUT_FAKE_FAULT_20429:
      respond_error (msg, 429, 20429, "Too Many Requests");
      return TRUE;
    case TURNOUT_FAKE_FAULT_21611:
      respond_error (msg, 400, 21611, "This 'From' number has exceeded the maximum number of "
                                      "queued messages");
      return TRUE;
    case TURNOUT_FAKE_FAULT_RESET_BEFORE:
      reset_later (self, msg);
      return TRUE;
    case TURNOUT_FAKE_FAULT_NONE:
    case TURNOUT_FAKE_FAULT_RESET_AFTER:
    case TURNOUT_FAKE_FAULT_SLOW:
    default:
      return FALSE;
    }
}

/* After a successful answer was set: delays it or resets instead. */
static void
finish_answer (TurnoutFakeTwilio *self,
               SoupServerMessage *msg,
               TurnoutFakeFault   fault,
               guint              delay_ms)
{
  if (fault == TURNOUT_FAKE_FAULT_RESET_AFTER)
    reset_later (self, msg);
  else if (delay_ms > 0)
    answer_later (self, msg, delay_ms);
}

/* ------------------------------------------------------------------------
 * Requests
 */

/* Every key=value of a form, in order, so repeated keys (MediaUrl) stay. */
static GPtrArray *
parse_form (const char *data,
            gsize       length)
{
  g_autofree char *text = g_strndup (data, length);
  g_auto(GStrv) pairs = g_strsplit (text, "&", -1);
  g_autoptr(GPtrArray) form = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');
      char *key;
      char *value;

      if (*pairs[i] == '\0')
        continue;
      if (eq != NULL)
        *eq = '\0';
      g_strdelimit (pairs[i], "+", ' ');
      if (eq != NULL)
        g_strdelimit (eq + 1, "+", ' ');
      key = g_uri_unescape_string (pairs[i], NULL);
      value = g_uri_unescape_string (eq != NULL ? eq + 1 : "", NULL);
      if (key == NULL || value == NULL || !g_utf8_validate (value, -1, NULL))
        {
          g_free (key);
          g_free (value);
          return NULL;
        }
      g_ptr_array_add (form, key);
      g_ptr_array_add (form, value);
    }
  return g_steal_pointer (&form);
}

static const char *
form_get (GPtrArray  *form,
          const char *key)
{
  const char *found = NULL;

  for (guint i = 0; i + 1 < form->len; i += 2)
    if (g_str_equal (g_ptr_array_index (form, i), key))
      found = g_ptr_array_index (form, i + 1);
  return found;
}

/* Under the lock: the user that signed the request, or NULL when the
 * credentials are wrong. */
static char *
dup_authenticated_user (TurnoutFakeTwilio *self,
                        SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autofree guchar *decoded = NULL;
  g_autofree char *pair = NULL;
  const char *secret;
  char *colon;
  gsize length;

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Basic ", 6) != 0)
    return NULL;
  decoded = g_base64_decode (authorization + 6, &length);
  pair = g_strndup ((const char *) decoded, length);
  if ((colon = strchr (pair, ':')) == NULL)
    return NULL;
  *colon = '\0';
  if (g_str_equal (pair, self->account_sid))
    secret = self->auth_token;
  else
    secret = g_hash_table_lookup (self->api_keys, pair);
  if (secret == NULL || !g_str_equal (secret, colon + 1))
    return NULL;
  return g_strdup (pair);
}

static void
respond_unauthorized (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Basic realm=\"Twilio API\"");
  respond_error (msg, 401, 20003, "Authenticate");
}

/* Under the lock: how Twilio would refuse this create request, or 0. */
static int
check_create (TurnoutFakeTwilio  *self,
              GPtrArray          *form,
              char              **text)
{
  const char *to = form_get (form, "To");
  const char *from = form_get (form, "From");
  const char *service = form_get (form, "MessagingServiceSid");
  const char *body = form_get (form, "Body");
  const char *validity = form_get (form, "ValidityPeriod");
  const char *shorten = form_get (form, "ShortenUrls");
  guint n_media = 0;
  gpointer value;

  for (guint i = 0; i + 1 < form->len; i += 2)
    if (g_str_equal (g_ptr_array_index (form, i), "MediaUrl"))
      {
        const char *url = g_ptr_array_index (form, i + 1);
        g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

        n_media++;
        if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
            g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
          return (*text = g_strdup_printf ("The media URL %s is invalid", url), 21620);
      }

  if (to == NULL || *to == '\0')
    return (*text = g_strdup ("A 'To' phone number is required."), 21604);
  if ((from == NULL || *from == '\0') && (service == NULL || *service == '\0'))
    return (*text = g_strdup ("A 'From' phone number is required."), 21603);
  if ((body == NULL || *body == '\0') && n_media == 0 && form_get (form, "ContentSid") == NULL)
    return (*text = g_strdup ("Message body is required."), 21619);
  if (!is_e164 (to))
    return (*text = g_strdup_printf ("The 'To' number %s is not a valid phone number.", to), 21211);
  if (service != NULL && *service != '\0')
    {
      if (!g_hash_table_lookup_extended (self->services, service, NULL, &value))
        return (*text = g_strdup_printf ("The Messaging Service Sid %s is invalid.", service),
                21701);
      if (GPOINTER_TO_INT (value) - 1 == FALSE)
        return (*text = g_strdup ("The Messaging Service contains no phone numbers."), 21704);
    }
  else if (!is_e164 (from) && !is_alphanumeric_sender (from))
    return (*text = g_strdup_printf ("The 'From' number %s is not a valid phone number, "
                                     "shortcode, or alphanumeric sender ID.", from), 21212);
  else if (is_e164 (from))
    {
      if (g_str_equal (from, "+15005550001"))
        return (*text = g_strdup ("Invalid From number"), 21212);
      if (g_str_equal (from, "+15005550008"))
        return (*text = g_strdup ("This 'From' number has exceeded the maximum number of "
                                  "queued messages"), 21611);
      if (!g_hash_table_lookup_extended (self->numbers, from, NULL, &value) ||
          GPOINTER_TO_INT (value) - 1 == FALSE)
        return (*text = g_strdup_printf ("The From phone number %s is not a valid, SMS-capable "
                                         "inbound phone number or short code for your account.",
                                         from), 21606);
    }
  if (body != NULL && g_utf8_strlen (body, -1) > 1600)
    return (*text = g_strdup ("The concatenated message body exceeds the 1600 character limit."),
            21617);
  if (n_media > 10)
    return (*text = g_strdup ("Too many media URLs: at most 10"), 21623);
  if (validity != NULL)
    {
      char *end = NULL;
      gint64 seconds = g_ascii_strtoll (validity, &end, 10);

      if (end == validity || *end != '\0' || seconds < 1 || seconds > 36000)
        return (*text = g_strdup ("ValidityPeriod must be between 1 and 36000"), 21624);
    }
  if (shorten != NULL)
    {
      if (!g_str_equal (shorten, "true") && !g_str_equal (shorten, "false"))
        return (*text = g_strdup ("ShortenUrls must be true or false"), 20001);
      if (g_str_equal (shorten, "true") && (service == NULL || *service == '\0'))
        return (*text = g_strdup ("ShortenUrls needs a MessagingServiceSid"), 20001);
    }
  return 0;
}

/* Under the lock: a refusal scripted for this recipient, or 0. */
static int
check_recipient (TurnoutFakeTwilio  *self,
                 const char         *to,
                 char              **text)
{
  static const struct
  {
    const char *number;
    int         code;
  } magic[] = {
    { "+15005550001", 21211 }, { "+15005550002", 21612 }, { "+15005550003", 21408 },
    { "+15005550004", 21610 }, { "+15005550009", 21614 },
  };
  int code = GPOINTER_TO_INT (g_hash_table_lookup (self->number_errors, to));

  for (guint i = 0; code == 0 && i < G_N_ELEMENTS (magic); i++)
    if (g_str_equal (to, magic[i].number))
      code = magic[i].code;
  for (guint i = 0; code == 0 && i < self->prefix_errors->len; i++)
    {
      NumberRule *rule = &g_array_index (self->prefix_errors, NumberRule, i);

      if (g_str_has_prefix (to, rule->number))
        code = rule->code;
    }
  switch (code)
    {
    case 0:
      break;
    case 21610:
      *text = g_strdup ("Attempt to send to unsubscribed recipient");
      break;
    case 21211:
      *text = g_strdup_printf ("The 'To' number %s is not a valid phone number.", to);
      break;
    case 21408:
      *text = g_strdup_printf ("Permission to send an SMS has not been enabled for the region "
                               "indicated by the 'To' number: %s.", to);
      break;
    default:
      *text = g_strdup_printf ("Twilio error %d for %s", code, to);
      break;
    }
  return code;
}

static void
index_message (TurnoutFakeTwilio  *self,
               TurnoutFakeMessage *message)
{
  GPtrArray *to_list = g_hash_table_lookup (self->by_to, message->to);

  if (to_list == NULL)
    {
      to_list = g_ptr_array_new ();
      g_hash_table_insert (self->by_to, g_strdup (message->to), to_list);
    }
  g_ptr_array_add (to_list, message);
  g_ptr_array_add (self->messages, message);
  g_hash_table_insert (self->by_sid, message->sid, message);
}

static void
handle_create (TurnoutFakeTwilio *self,
               SoupServerMessage *msg,
               const char        *user)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(GPtrArray) form = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *refusal = NULL;
  g_autoptr(GPtrArray) media = NULL;
  TurnoutFakeMessage *message;
  TurnoutFakeFault fault;
  const char *type = soup_message_headers_get_content_type (request, NULL);
  const char *service;
  gint64 now = g_get_monotonic_time ();
  gboolean active;
  guint delay_ms;
  int code;

  g_mutex_lock (&self->lock);
  g_array_append_val (self->request_times, now);
  active = g_strcmp0 (self->account_status, "active") == 0;
  fault = active ? take_fault (self, TURNOUT_FAKE_ON_CREATE) : TURNOUT_FAKE_FAULT_NONE;
  retry_after = g_strdup (self->retry_after);
  delay_ms = fault == TURNOUT_FAKE_FAULT_SLOW ? (self->delay_ms > 0 ? self->delay_ms : 1000)
             : self->delay_every_answer ? self->delay_ms : 0;
  g_mutex_unlock (&self->lock);

  /* A suspended or closed account can't authenticate to send (notes §2). */
  if (!active)
    {
      respond_unauthorized (msg);
      return;
    }
  if (g_strcmp0 (type, "application/x-www-form-urlencoded") != 0)
    {
      respond_error (msg, 415, 0, "Unsupported Media Type");
      return;
    }
  if (answer_fault (self, msg, fault, retry_after))
    return;
  form = parse_form (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (form == NULL)
    {
      respond_error (msg, 400, 20001, "The request body is not valid form data");
      return;
    }

  g_mutex_lock (&self->lock);
  code = check_create (self, form, &refusal);
  if (code == 0)
    code = check_recipient (self, form_get (form, "To"), &refusal);
  if (code != 0)
    {
      g_mutex_unlock (&self->lock);
      respond_error (msg, 400, code, refusal);
      return;
    }

  media = g_ptr_array_new ();
  for (guint i = 0; i + 1 < form->len; i += 2)
    if (g_str_equal (g_ptr_array_index (form, i), "MediaUrl"))
      g_ptr_array_add (media, g_strdup (g_ptr_array_index (form, i + 1)));
  g_ptr_array_add (media, NULL);
  service = form_get (form, "MessagingServiceSid");
  if (service != NULL && *service == '\0')
    service = NULL;

  message = g_new0 (TurnoutFakeMessage, 1);
  message->sid = new_sid (self, media->len > 1 ? "MM" : "SM");
  message->to = g_strdup (form_get (form, "To"));
  message->from = service == NULL ? g_strdup (form_get (form, "From")) : NULL;
  message->messaging_service_sid = g_strdup (service);
  message->body = g_strdup (form_get (form, "Body") != NULL ? form_get (form, "Body") : "");
  message->media_urls = (GStrv) g_ptr_array_free (g_steal_pointer (&media), FALSE);
  message->status = g_strdup (service != NULL ? "accepted" : "queued");
  message->date_created = now_unix (self);
  message->shorten_urls = g_strcmp0 (form_get (form, "ShortenUrls"), "true") == 0;
  message->validity_period = form_get (form, "ValidityPeriod") != NULL
                               ? atoi (form_get (form, "ValidityPeriod")) : 0;
  message->auth_user = g_strdup (user);
  index_message (self, message);
  g_ptr_array_add (self->accepted, message);
  now = g_get_monotonic_time ();
  g_array_append_val (self->accepted_times, now);

  builder = json_builder_new ();
  add_message (self, builder, message);
  g_mutex_unlock (&self->lock);

  respond_json (msg, 201, builder);
  finish_answer (self, msg, fault, delay_ms);
}

/* "2024-05-01" or an ISO 8601 time; @day_end moves a bare day to its last
 * second, for "on or before". */
static gboolean
parse_date_filter (const char *value,
                   gboolean    day_end,
                   gint64     *unix_time,
                   gboolean   *is_day)
{
  int year, month, day;
  char tail;

  if (sscanf (value, "%4d-%2d-%2d%c", &year, &month, &day, &tail) == 3)
    {
      g_autoptr(GDateTime) date = g_date_time_new_utc (year, month, day, 0, 0, 0);

      if (date == NULL)
        return FALSE;
      *unix_time = g_date_time_to_unix (date) + (day_end ? 24 * 60 * 60 - 1 : 0);
      *is_day = TRUE;
      return TRUE;
    }
  else
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) date = g_date_time_new_from_iso8601 (value, utc);

      if (date == NULL)
        return FALSE;
      *unix_time = g_date_time_to_unix (date);
      *is_day = FALSE;
      return TRUE;
    }
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const TurnoutFakeMessage *x = *(TurnoutFakeMessage * const *) a;
  const TurnoutFakeMessage *y = *(TurnoutFakeMessage * const *) b;
  gint64 x_date = x->date_sent != 0 ? x->date_sent : x->date_created;
  gint64 y_date = y->date_sent != 0 ? y->date_sent : y->date_created;

  if (x_date != y_date)
    return x_date > y_date ? -1 : 1;
  /* Arrival order, newest first: the serial is in the SID after the prefix. */
  return -g_strcmp0 (x->sid + 2, y->sid + 2);
}

static void
append_query (GString    *query,
              const char *key,
              const char *value)
{
  g_autofree char *escaped_key = NULL;
  g_autofree char *escaped_value = NULL;

  if (value == NULL)
    return;
  escaped_key = g_uri_escape_string (key, NULL, FALSE);
  escaped_value = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (query, "%s%s=%s", query->len > 0 ? "&" : "", escaped_key,
                          escaped_value);
}

static char *
dup_list_uri (TurnoutFakeTwilio *self,
              GHashTable        *query,
              guint              page_size,
              guint              page,
              const char        *token)
{
  static const char * const filters[] = { "To", "From", "DateSent", "DateSent>", "DateSent<",
                                          NULL };
  g_autoptr(GString) text = g_string_new (NULL);
  char number[16];

  for (guint i = 0; filters[i] != NULL; i++)
    append_query (text, filters[i], query != NULL ? g_hash_table_lookup (query, filters[i])
                                                  : NULL);
  g_snprintf (number, sizeof number, "%u", page_size);
  append_query (text, "PageSize", number);
  g_snprintf (number, sizeof number, "%u", page);
  append_query (text, "Page", number);
  append_query (text, "PageToken", token);
  return g_strdup_printf ("/2010-04-01/Accounts/%s/Messages.json?%s", self->account_sid,
                          text->str);
}

static void
handle_list (TurnoutFakeTwilio *self,
             SoupServerMessage *msg,
             GHashTable        *query)
{
  const char *to = query != NULL ? g_hash_table_lookup (query, "To") : NULL;
  const char *from = query != NULL ? g_hash_table_lookup (query, "From") : NULL;
  const char *size_text = query != NULL ? g_hash_table_lookup (query, "PageSize") : NULL;
  const char *page_text = query != NULL ? g_hash_table_lookup (query, "Page") : NULL;
  const char *token = query != NULL ? g_hash_table_lookup (query, "PageToken") : NULL;
  static const char * const date_keys[] = { "DateSent", "DateSent>", "DateSent<" };
  gint64 after = G_MININT64, before = G_MAXINT64;
  gboolean date_filter = FALSE;
  g_autoptr(GPtrArray) selected = g_ptr_array_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *uri = NULL;
  g_autofree char *first_uri = NULL;
  g_autofree char *next_uri = NULL;
  GPtrArray *source;
  guint page_size = 50, page = 0, start = 0, end;

  if (size_text != NULL)
    {
      gint64 size = g_ascii_strtoll (size_text, NULL, 10);

      if (size < 1)
        {
          respond_error (msg, 400, 20001, "Invalid PageSize");
          return;
        }
      if (size > 1000)
        {
          respond_error (msg, 400, 20007, "PageSize is too large: at most 1000");
          return;
        }
      page_size = (guint) size;
    }
  if (page_text != NULL)
    page = (guint) g_ascii_strtoull (page_text, NULL, 10);
  for (guint i = 0; i < G_N_ELEMENTS (date_keys); i++)
    {
      const char *value = query != NULL ? g_hash_table_lookup (query, date_keys[i]) : NULL;
      gint64 from_time, to_time;
      gboolean is_day;

      if (value == NULL)
        continue;
      date_filter = TRUE;
      if (!parse_date_filter (value, FALSE, &from_time, &is_day) ||
          !parse_date_filter (value, TRUE, &to_time, &is_day))
        {
          respond_error (msg, 400, 20001, "Invalid date value");
          return;
        }
      if (i != 2)
        after = MAX (after, from_time);
      if (i != 1)
        before = MIN (before, to_time);
    }

  g_mutex_lock (&self->lock);
  source = to != NULL ? g_hash_table_lookup (self->by_to, to) : self->messages;
  for (guint i = 0; source != NULL && i < source->len; i++)
    {
      TurnoutFakeMessage *message = g_ptr_array_index (source, i);

      if (from != NULL && g_strcmp0 (message->from, from) != 0)
        continue;
      if (date_filter && (message->date_sent == 0 || message->date_sent < after ||
                          message->date_sent > before))
        continue;
      g_ptr_array_add (selected, message);
    }
  g_ptr_array_sort (selected, compare_newest_first);
  if (token != NULL)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < selected->len && !found; i++)
        if (g_str_has_prefix (token, "PA") &&
            g_str_equal (((TurnoutFakeMessage *) g_ptr_array_index (selected, i))->sid, token + 2))
          {
            start = i + 1;
            found = TRUE;
          }
      if (!found)
        {
          g_mutex_unlock (&self->lock);
          respond_error (msg, 400, 20001, "Invalid PageToken");
          return;
        }
    }
  end = MIN (start + page_size, selected->len);

  uri = dup_list_uri (self, query, page_size, page, token);
  first_uri = dup_list_uri (self, query, page_size, 0, NULL);
  if (end < selected->len)
    {
      g_autofree char *next_token = g_strconcat ("PA", ((TurnoutFakeMessage *)
                                                        g_ptr_array_index (selected, end - 1))->sid,
                                                 NULL);

      next_uri = dup_list_uri (self, query, page_size, page + 1, next_token);
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = start; i < end; i++)
    add_message (self, builder, g_ptr_array_index (selected, i));
  json_builder_end_array (builder);
  g_mutex_unlock (&self->lock);
  json_builder_set_member_name (builder, "page");
  json_builder_add_int_value (builder, page);
  json_builder_set_member_name (builder, "page_size");
  json_builder_add_int_value (builder, page_size);
  json_builder_set_member_name (builder, "start");
  json_builder_add_int_value (builder, start);
  json_builder_set_member_name (builder, "end");
  json_builder_add_int_value (builder, end > start ? end - 1 : start);
  add_string (builder, "uri", uri);
  add_string (builder, "first_page_uri", first_uri);
  add_string (builder, "next_page_uri", next_uri);
  add_string (builder, "previous_page_uri", NULL);
  json_builder_end_object (builder);
  respond_json (msg, 200, builder);
}

static void
handle_fetch (TurnoutFakeTwilio *self,
              SoupServerMessage *msg,
              const char        *sid)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  TurnoutFakeMessage *message;

  g_mutex_lock (&self->lock);
  message = g_hash_table_lookup (self->by_sid, sid);
  if (message == NULL)
    {
      g_autofree char *text = g_strdup_printf ("The requested resource /2010-04-01/Accounts/%s/"
                                               "Messages/%s.json was not found",
                                               self->account_sid, sid);

      g_mutex_unlock (&self->lock);
      respond_error (msg, 404, 20404, text);
      return;
    }
  add_message (self, builder, message);
  g_mutex_unlock (&self->lock);
  respond_json (msg, 200, builder);
}

static void
handle_account (TurnoutFakeTwilio *self,
                SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *uri = NULL;

  g_mutex_lock (&self->lock);
  uri = g_strdup_printf ("/2010-04-01/Accounts/%s.json", self->account_sid);
  json_builder_begin_object (builder);
  add_string (builder, "sid", self->account_sid);
  add_string (builder, "owner_account_sid", self->account_sid);
  add_string (builder, "friendly_name", self->friendly_name);
  add_string (builder, "status", self->account_status);
  add_string (builder, "type", "Full");
  add_date (builder, "date_created", 1438286400);
  add_date (builder, "date_updated", 1438286400);
  add_string (builder, "uri", uri);
  json_builder_end_object (builder);
  g_mutex_unlock (&self->lock);
  respond_json (msg, 200, builder);
}

static void
handle_numbers (TurnoutFakeTwilio *self,
                SoupServerMessage *msg,
                GHashTable        *query)
{
  const char *filter = query != NULL ? g_hash_table_lookup (query, "PhoneNumber") : NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GList) numbers = NULL;

  g_mutex_lock (&self->lock);
  numbers = g_list_sort (g_hash_table_get_keys (self->numbers), (GCompareFunc) g_strcmp0);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "incoming_phone_numbers");
  json_builder_begin_array (builder);
  for (GList *l = numbers; l != NULL; l = l->next)
    {
      const char *number = l->data;
      gboolean sms = GPOINTER_TO_INT (g_hash_table_lookup (self->numbers, number)) - 1;
      g_autofree char *sid = NULL;

      if (filter != NULL && strstr (number, filter) == NULL)
        continue;
      sid = g_strdup_printf ("PN%032x", g_str_hash (number));
      json_builder_begin_object (builder);
      add_string (builder, "sid", sid);
      add_string (builder, "account_sid", self->account_sid);
      add_string (builder, "phone_number", number);
      add_string (builder, "friendly_name", number);
      json_builder_set_member_name (builder, "capabilities");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sms");
      json_builder_add_boolean_value (builder, sms);
      json_builder_set_member_name (builder, "mms");
      json_builder_add_boolean_value (builder, sms);
      json_builder_set_member_name (builder, "voice");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  g_mutex_unlock (&self->lock);
  add_string (builder, "next_page_uri", NULL);
  json_builder_set_member_name (builder, "page");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);
  respond_json (msg, 200, builder);
}

/* ------------------------------------------------------------------------
 * Control endpoints
 */

static void add_fake_message (JsonBuilder              *builder,
                              const TurnoutFakeMessage *message);

static void
handle_control (TurnoutFakeTwilio *self,
                SoupServerMessage *msg,
                const char        *path)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(GPtrArray) form = parse_form (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (g_str_equal (path, "/_fake/messages") && g_str_equal (method, "GET"))
    {
      char *json = turnout_fake_twilio_dup_messages_json (self);

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json,
                                        strlen (json));
      return;
    }
  if (g_str_equal (path, "/_fake/stats") && g_str_equal (method, "GET"))
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "accepted");
      json_builder_add_int_value (builder, turnout_fake_twilio_get_n_accepted (self));
      json_builder_set_member_name (builder, "create_requests");
      json_builder_add_int_value (builder, turnout_fake_twilio_get_n_requests (self,
                                                                              TURNOUT_FAKE_ON_CREATE));
      json_builder_set_member_name (builder, "max_accepted_per_second");
      json_builder_add_int_value (builder,
                                  turnout_fake_twilio_get_max_in_window (self, G_USEC_PER_SEC,
                                                                         TRUE));
      json_builder_set_member_name (builder, "max_requests_per_second");
      json_builder_add_int_value (builder,
                                  turnout_fake_twilio_get_max_in_window (self, G_USEC_PER_SEC,
                                                                         FALSE));
      json_builder_end_object (builder);
      respond_json (msg, 200, builder);
      return;
    }
  if (!g_str_equal (method, "POST") || form == NULL)
    {
      respond_error (msg, 404, 20404, "No such control endpoint");
      return;
    }
  if (g_str_equal (path, "/_fake/inbound") && form_get (form, "From") != NULL &&
      form_get (form, "To") != NULL)
    {
      const char *date = form_get (form, "DateSent");
      g_autofree char *sid = turnout_fake_twilio_add_inbound (self, form_get (form, "From"),
                                                             form_get (form, "To"),
                                                             form_get (form, "Body"),
                                                             date != NULL ? g_ascii_strtoll (date,
                                                                                             NULL,
                                                                                             10)
                                                                          : 0);

      json_builder_begin_object (builder);
      add_string (builder, "sid", sid);
      json_builder_end_object (builder);
      respond_json (msg, 201, builder);
      return;
    }
  if (g_str_equal (path, "/_fake/fault") && form_get (form, "Fault") != NULL)
    {
      const char *scope_name = form_get (form, "Scope");
      TurnoutFakeScope scope = TURNOUT_FAKE_ON_CREATE;
      const char *count = form_get (form, "Count");

      if (g_strcmp0 (scope_name, "list") == 0)
        scope = TURNOUT_FAKE_ON_LIST;
      else if (g_strcmp0 (scope_name, "fetch") == 0)
        scope = TURNOUT_FAKE_ON_FETCH;
      else if (g_strcmp0 (scope_name, "any") == 0)
        scope = TURNOUT_FAKE_ON_ANY;
      turnout_fake_twilio_fail_next (self, scope,
                                     turnout_fake_fault_from_string (form_get (form, "Fault")),
                                     count != NULL ? (guint) atoi (count) : 1);
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }
  if (g_str_equal (path, "/_fake/status") && form_get (form, "Sid") != NULL &&
      form_get (form, "Status") != NULL)
    {
      const char *code = form_get (form, "ErrorCode");

      if (turnout_fake_twilio_set_status (self, form_get (form, "Sid"), form_get (form, "Status"),
                                          code != NULL ? atoi (code) : 0))
        soup_server_message_set_status (msg, 204, NULL);
      else
        respond_error (msg, 404, 20404, "No such message");
      return;
    }
  if (g_str_equal (path, "/_fake/deliver"))
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "delivered");
      json_builder_add_int_value (builder, turnout_fake_twilio_deliver_all (self));
      json_builder_end_object (builder);
      respond_json (msg, 200, builder);
      return;
    }
  respond_error (msg, 400, 20001, "Missing parameters for the control endpoint");
}

/* ------------------------------------------------------------------------
 * Routing
 */

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  TurnoutFakeTwilio *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) parts = NULL;
  g_autofree char *user = NULL;
  g_autofree char *account_sid = NULL;
  TurnoutFakeScope scope;
  TurnoutFakeFault fault = TURNOUT_FAKE_FAULT_NONE;
  g_autofree char *retry_after = NULL;
  guint delay_ms;
  guint n;

  if (g_str_has_prefix (path, "/_fake/"))
    {
      handle_control (self, msg, path);
      return;
    }

  /* "", "2010-04-01", "Accounts", AC…[.json], … */
  parts = g_strsplit (path, "/", -1);
  n = g_strv_length (parts);
  if (n < 4 || !g_str_equal (parts[1], "2010-04-01") || !g_str_equal (parts[2], "Accounts"))
    {
      respond_error (msg, 404, 20404, "The requested resource was not found");
      return;
    }

  if (n == 4 && g_str_has_suffix (parts[3], ".json"))
    scope = TURNOUT_FAKE_ON_FETCH;
  else if (n == 5 && g_str_equal (parts[4], "Messages.json"))
    scope = g_str_equal (method, "POST") ? TURNOUT_FAKE_ON_CREATE : TURNOUT_FAKE_ON_LIST;
  else
    scope = TURNOUT_FAKE_ON_FETCH;

  g_mutex_lock (&self->lock);
  self->n_requests[scope == TURNOUT_FAKE_ON_CREATE ? 0 : scope == TURNOUT_FAKE_ON_LIST ? 1 : 2]++;
  user = dup_authenticated_user (self, msg);
  account_sid = g_strdup (self->account_sid);
  if (scope != TURNOUT_FAKE_ON_CREATE)
    fault = take_fault (self, scope);
  retry_after = g_strdup (self->retry_after);
  delay_ms = fault == TURNOUT_FAKE_FAULT_SLOW ? (self->delay_ms > 0 ? self->delay_ms : 1000)
             : self->delay_every_answer ? self->delay_ms : 0;
  g_mutex_unlock (&self->lock);

  if (user == NULL)
    {
      respond_unauthorized (msg);
      return;
    }
  if (n == 4)
    {
      g_autofree char *expected = g_strconcat (account_sid, ".json", NULL);

      /* A standard API key may not read the account (Twilio answers 20003). */
      if (!g_str_equal (parts[3], expected) || !g_str_equal (user, account_sid))
        {
          respond_unauthorized (msg);
          return;
        }
    }
  else if (!g_str_equal (parts[3], account_sid))
    {
      respond_unauthorized (msg);
      return;
    }

  if (scope == TURNOUT_FAKE_ON_CREATE)
    {
      handle_create (self, msg, user);
      return;
    }
  if (answer_fault (self, msg, fault, retry_after))
    return;
  if (!g_str_equal (method, "GET"))
    respond_error (msg, 405, 20004, "Method not allowed");
  else if (n == 4)
    handle_account (self, msg);
  else if (n == 5 && g_str_equal (parts[4], "Messages.json"))
    handle_list (self, msg, query);
  else if (n == 5 && g_str_equal (parts[4], "IncomingPhoneNumbers.json"))
    handle_numbers (self, msg, query);
  else if (n == 6 && g_str_equal (parts[4], "Messages") && g_str_has_suffix (parts[5], ".json"))
    {
      g_autofree char *sid = g_strndup (parts[5], strlen (parts[5]) - strlen (".json"));

      handle_fetch (self, msg, sid);
    }
  else
    respond_error (msg, 404, 20404, "The requested resource was not found");
  finish_answer (self, msg, fault, delay_ms);
}

/* ------------------------------------------------------------------------
 * The server thread
 */

static gpointer
server_thread (gpointer data)
{
  TurnoutFakeTwilio *self = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("server-header", "fake-twilio", NULL);
  soup_server_add_handler (self->server, NULL, handle, self, NULL);
  if (soup_server_listen_local (self->server, self->wanted_port, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                &error))
    {
      uris = soup_server_get_uris (self->server);
      self->port = g_uri_get_port (uris->data);
      self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&self->lock);
  self->start_error = g_steal_pointer (&error);
  self->started = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (self->start_error == NULL)
    g_main_loop_run (self->loop);

  {
    GHashTableIter iter;
    GSource *source;

    g_hash_table_iter_init (&iter, self->held_sources);
    while (g_hash_table_iter_next (&iter, (gpointer *) &source, NULL))
      {
        g_hash_table_iter_steal (&iter);
        g_source_destroy (source);
        g_source_unref (source);
      }
  }
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  /* What the server left queued runs down here. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
turnout_fake_twilio_dispose (GObject *object)
{
  TurnoutFakeTwilio *self = TURNOUT_FAKE_TWILIO (object);

  if (self->thread != NULL)
    {
      g_main_loop_quit (self->loop);
      g_thread_join (g_steal_pointer (&self->thread));
    }

  G_OBJECT_CLASS (turnout_fake_twilio_parent_class)->dispose (object);
}

static void
turnout_fake_twilio_finalize (GObject *object)
{
  TurnoutFakeTwilio *self = TURNOUT_FAKE_TWILIO (object);

  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_hash_table_unref (self->held_sources);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->url);
  g_clear_error (&self->start_error);
  g_free (self->account_sid);
  g_free (self->auth_token);
  g_hash_table_unref (self->api_keys);
  g_free (self->friendly_name);
  g_free (self->account_status);
  g_hash_table_unref (self->numbers);
  g_hash_table_unref (self->services);
  g_hash_table_unref (self->number_errors);
  for (guint i = 0; i < self->prefix_errors->len; i++)
    g_free (g_array_index (self->prefix_errors, NumberRule, i).number);
  g_array_unref (self->prefix_errors);
  g_hash_table_unref (self->delivery_errors);
  g_queue_clear_full (&self->pending_faults, g_free);
  g_array_unref (self->random_faults);
  g_rand_free (self->rand);
  g_free (self->retry_after);
  g_hash_table_unref (self->by_to);
  g_hash_table_unref (self->by_sid);
  g_ptr_array_unref (self->accepted);
  g_ptr_array_unref (self->messages);
  g_array_unref (self->request_times);
  g_array_unref (self->accepted_times);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (turnout_fake_twilio_parent_class)->finalize (object);
}

static void
turnout_fake_twilio_class_init (TurnoutFakeTwilioClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_fake_twilio_dispose;
  object_class->finalize = turnout_fake_twilio_finalize;
}

static void
turnout_fake_twilio_init (TurnoutFakeTwilio *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->held_sources = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) g_source_unref, NULL);
  self->account_sid = g_strdup (TURNOUT_FAKE_TWILIO_ACCOUNT_SID);
  self->auth_token = g_strdup (TURNOUT_FAKE_TWILIO_AUTH_TOKEN);
  self->api_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (self->api_keys, g_strdup (TURNOUT_FAKE_TWILIO_KEY_SID),
                       g_strdup (TURNOUT_FAKE_TWILIO_KEY_SECRET));
  self->friendly_name = g_strdup (TURNOUT_FAKE_TWILIO_FRIENDLY_NAME);
  self->account_status = g_strdup ("active");
  self->numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (self->numbers, g_strdup (TURNOUT_FAKE_TWILIO_FROM), GINT_TO_POINTER (2));
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (self->services, g_strdup (TURNOUT_FAKE_TWILIO_SERVICE_SID),
                       GINT_TO_POINTER (2));
  self->number_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->prefix_errors = g_array_new (FALSE, FALSE, sizeof (NumberRule));
  self->delivery_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->pending_faults);
  self->random_faults = g_array_new (FALSE, FALSE, sizeof (RandomFault));
  self->rand = g_rand_new_with_seed (20100401);
  self->retry_after = g_strdup ("2");
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_fake_message_free);
  self->accepted = g_ptr_array_new ();
  self->by_sid = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_to = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  self->request_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->accepted_times = g_array_new (FALSE, FALSE, sizeof (gint64));
}

/**
 * turnout_fake_twilio_new_on_port:
 * @port: a port on 127.0.0.1, or 0 for a free one
 *
 * Starts the fake on its own thread.
 *
 * Returns: (transfer full) (nullable): the running fake, or %NULL when the
 *   port could not be bound
 */
TurnoutFakeTwilio *
turnout_fake_twilio_new_on_port (guint    port,
                                 GError **error)
{
  g_autoptr(TurnoutFakeTwilio) self = g_object_new (TURNOUT_TYPE_FAKE_TWILIO, NULL);

  self->wanted_port = port;
  self->thread = g_thread_new ("fake-twilio", server_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  if (self->start_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * turnout_fake_twilio_new:
 *
 * Starts the fake on a free port; fails the test when it can't.
 */
TurnoutFakeTwilio *
turnout_fake_twilio_new (void)
{
  g_autoptr(GError) error = NULL;
  TurnoutFakeTwilio *self = turnout_fake_twilio_new_on_port (0, &error);

  g_assert_no_error (error);
  return self;
}

/**
 * turnout_fake_twilio_get_url:
 *
 * Returns: "http://127.0.0.1:PORT", for `TURNOUT_TWILIO_API_URL`
 */
const char *
turnout_fake_twilio_get_url (TurnoutFakeTwilio *self)
{
  return self->url;
}

guint
turnout_fake_twilio_get_port (TurnoutFakeTwilio *self)
{
  return self->port;
}

/* ------------------------------------------------------------------------
 * Setting it up
 */

void
turnout_fake_twilio_set_credentials (TurnoutFakeTwilio *self,
                                     const char        *account_sid,
                                     const char        *auth_token)
{
  g_mutex_lock (&self->lock);
  g_free (self->account_sid);
  self->account_sid = g_strdup (account_sid);
  g_free (self->auth_token);
  self->auth_token = g_strdup (auth_token);
  g_mutex_unlock (&self->lock);
}

void
turnout_fake_twilio_add_api_key (TurnoutFakeTwilio *self,
                                 const char        *key_sid,
                                 const char        *secret)
{
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->api_keys, g_strdup (key_sid), g_strdup (secret));
  g_mutex_unlock (&self->lock);
}

/**
 * turnout_fake_twilio_set_account:
 * @status: "active", "suspended" or "closed"; a suspended or closed
 *   account reads fine but every send gets 401/20003
 */
void
turnout_fake_twilio_set_account (TurnoutFakeTwilio *self,
                                 const char        *friendly_name,
                                 const char        *status)
{
  g_mutex_lock (&self->lock);
  g_free (self->friendly_name);
  self->friendly_name = g_strdup (friendly_name);
  g_free (self->account_status);
  self->account_status = g_strdup (status);
  g_mutex_unlock (&self->lock);
}

void
turnout_fake_twilio_add_number (TurnoutFakeTwilio *self,
                                const char        *number,
                                gboolean           sms_capable)
{
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->numbers, g_strdup (number), GINT_TO_POINTER (!!sms_capable + 1));
  g_mutex_unlock (&self->lock);
}

void
turnout_fake_twilio_add_messaging_service (TurnoutFakeTwilio *self,
                                           const char        *sid,
                                           gboolean           has_numbers)
{
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->services, g_strdup (sid), GINT_TO_POINTER (!!has_numbers + 1));
  g_mutex_unlock (&self->lock);
}

/**
 * turnout_fake_twilio_set_clock_offset:
 * @seconds: added to the real time for every date the fake writes, so its
 *   dates follow a test's frozen TurnoutClock
 */
void
turnout_fake_twilio_set_clock_offset (TurnoutFakeTwilio *self,
                                      gint64             seconds)
{
  g_mutex_lock (&self->lock);
  self->clock_offset = seconds;
  g_mutex_unlock (&self->lock);
}

/**
 * turnout_fake_twilio_set_number_error:
 * @code: the error every create request to @to gets (21610, 21211, 21614…);
 *   0 removes the rule
 */
void
turnout_fake_twilio_set_number_error (TurnoutFakeTwilio *self,
                                      const char        *to,
                                      int                code)
{
  g_mutex_lock (&self->lock);
  if (code == 0)
    g_hash_table_remove (self->number_errors, to);
  else
    g_hash_table_insert (self->number_errors, g_strdup (to), GINT_TO_POINTER (code));
  g_mutex_unlock (&self->lock);
}

/**
 * turnout_fake_twilio_set_prefix_error:
 * @prefix: the start of the numbers, such as "+44"
 * @code: the error they get, such as 21408 (geo permission off)
 */
void
turnout_fake_twilio_set_prefix_error (TurnoutFakeTwilio *self,
                                      const char        *prefix,
                                      int                code)
{
  NumberRule rule = { g_strdup (prefix), code };

  g_mutex_lock (&self->lock);
  g_array_append_val (self->prefix_errors, rule);
  g_mutex_unlock (&self->lock);
}

/**
 * turnout_fake_twilio_fail_next:
 * @scope: which requests
 * @count: how many of them
 *
 * The next @count requests of @scope get @fault. Faults queue up in the
 * order they were asked for.
 */
void
turnout_fake_twilio_fail_next (TurnoutFakeTwilio *self,
                               TurnoutFakeScope   scope,
                               TurnoutFakeFault   fault,
                               guint              count)
{
  PendingFault *pending;

  if (count == 0 || fault == TURNOUT_FAKE_FAULT_NONE)
    return;
  pending = g_new0 (PendingFault, 1);
  pending->scope = scope;
  pending->fault = fault;
  pending->count = count;
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->pending_faults, pending);
  g_mutex_unlock (&self->lock);
}

/**
 * turnout_fake_twilio_add_random_fault:
 * @probability: 0–1, for each create request
 *
 * Mixed faults for long runs; the sequence follows turnout_fake_twilio_set_seed().
 */
void
turnout_fake_twilio_add_random_fault (TurnoutFakeTwilio *self,
                                      TurnoutFakeFault   fault,
                                      double             probability)
{
  RandomFault random = { fault, probability };

  g_mutex_lock (&self->lock);
  g_array_append_val (self->random_faults, random);
  g_mutex_unlock (&self->lock);
}

void
turnout_fake_twilio_set_seed (TurnoutFakeTwilio *self,
                              guint32            seed)
{
  g_mutex_lock (&self->lock);
  g_rand_set_seed (self->rand, seed);
  g_mutex_unlock (&self->lock);
}

/**
 * turnout_fake_twilio_set_retry_after:
 * @value: the Retry-After header of %TURNOUT_FAKE_FAULT_429_RETRY_AFTER:
 *   seconds ("2", the default) or an HTTP date
 */
void
turnout_fake_twilio_set_retry_after (TurnoutFakeTwilio *self,
                                     const char        *value)
{
  g_mutex_lock (&self->lock);
  g_free (self->retry_after);
  self->retry_after = g_strdup (value);
  g_mutex_unlock (&self->lock);
}

/**
 * turnout_fake_twilio_set_delay:
 * @milliseconds: how long answers wait
 * @every_answer: delay every API answer, or only %TURNOUT_FAKE_FAULT_SLOW ones
 *
 * A delayed create is stored first and answered late, like a slow Twilio.
 */
void
turnout_fake_twilio_set_delay (TurnoutFakeTwilio *self,
                               guint              milliseconds,
                               gboolean           every_answer)
{
  g_mutex_lock (&self->lock);
  self->delay_ms = milliseconds;
  self->delay_every_answer = every_answer;
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------------
 * Messages
 */

/**
 * turnout_fake_twilio_add_inbound:
 * @date_sent: when it arrived, Unix seconds; 0 for now on the fake's clock
 *
 * A text someone sent to one of the account's numbers.
 *
 * Returns: (transfer full): its SID
 */
char *
turnout_fake_twilio_add_inbound (TurnoutFakeTwilio *self,
                                 const char        *from,
                                 const char        *to,
                                 const char        *body,
                                 gint64             date_sent)
{
  TurnoutFakeMessage *message = g_new0 (TurnoutFakeMessage, 1);
  char *sid;

  g_mutex_lock (&self->lock);
  message->sid = new_sid (self, "SM");
  message->to = g_strdup (to);
  message->from = g_strdup (from);
  message->body = g_strdup (body != NULL ? body : "");
  message->media_urls = g_new0 (char *, 1);
  message->status = g_strdup ("received");
  message->date_created = date_sent != 0 ? date_sent : now_unix (self);
  message->date_sent = message->date_created;
  message->inbound = TRUE;
  index_message (self, message);
  sid = g_strdup (message->sid);
  g_mutex_unlock (&self->lock);
  return sid;
}

/**
 * turnout_fake_twilio_set_status:
 *
 * Moves a message on ("sent", "delivered", "undelivered" with @error_code…);
 * it gets its date_sent now when it had none.
 *
 * Returns: whether the message exists
 */
gboolean
turnout_fake_twilio_set_status (TurnoutFakeTwilio *self,
                                const char        *sid,
                                const char        *status,
                                int                error_code)
{
  TurnoutFakeMessage *message;

  g_mutex_lock (&self->lock);
  message = g_hash_table_lookup (self->by_sid, sid);
  if (message != NULL)
    {
      g_free (message->status);
      message->status = g_strdup (status);
      message->error_code = error_code;
      if (message->date_sent == 0 && !g_str_equal (status, "queued") &&
          !g_str_equal (status, "accepted") && !g_str_equal (status, "scheduled"))
        message->date_sent = now_unix (self);
    }
  g_mutex_unlock (&self->lock);
  return message != NULL;
}

/**
 * turnout_fake_twilio_set_delivery_error:
 * @code: the error turnout_fake_twilio_deliver_all() gives messages to @to
 *   (30003…30008, 30034); they end undelivered (failed for 30034)
 */
void
turnout_fake_twilio_set_delivery_error (TurnoutFakeTwilio *self,
                                        const char        *to,
                                        int                code)
{
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->delivery_errors, g_strdup (to), GINT_TO_POINTER (code));
  g_mutex_unlock (&self->lock);
}

/**
 * turnout_fake_twilio_deliver_all:
 *
 * Every accepted message still queued becomes delivered, or undelivered
 * (failed for 30034) with the error set for its recipient.
 *
 * Returns: how many messages moved
 */
guint
turnout_fake_twilio_deliver_all (TurnoutFakeTwilio *self)
{
  guint moved = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->accepted->len; i++)
    {
      TurnoutFakeMessage *message = g_ptr_array_index (self->accepted, i);
      int code;

      if (!g_str_equal (message->status, "queued") && !g_str_equal (message->status, "accepted"))
        continue;
      code = GPOINTER_TO_INT (g_hash_table_lookup (self->delivery_errors, message->to));
      g_free (message->status);
      message->status = g_strdup (code == 0 ? "delivered" : code == 30034 ? "failed"
                                                                          : "undelivered");
      message->error_code = code;
      message->date_sent = now_unix (self);
      if (message->from == NULL)
        message->from = g_strdup (TURNOUT_FAKE_TWILIO_FROM);
      moved++;
    }
  g_mutex_unlock (&self->lock);
  return moved;
}

guint
turnout_fake_twilio_get_n_accepted (TurnoutFakeTwilio *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->accepted->len;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * turnout_fake_twilio_count_to:
 *
 * Returns: how many messages were accepted for @to
 */
guint
turnout_fake_twilio_count_to (TurnoutFakeTwilio *self,
                              const char        *to)
{
  GPtrArray *list;
  guint n = 0;

  g_mutex_lock (&self->lock);
  list = g_hash_table_lookup (self->by_to, to);
  for (guint i = 0; list != NULL && i < list->len; i++)
    n += !((TurnoutFakeMessage *) g_ptr_array_index (list, i))->inbound;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * turnout_fake_twilio_dup_accepted:
 * @index: from 0, in the order the fake accepted them
 *
 * Returns: (transfer full): a copy of the message
 */
TurnoutFakeMessage *
turnout_fake_twilio_dup_accepted (TurnoutFakeTwilio *self,
                                  guint              index)
{
  TurnoutFakeMessage *copy;

  g_mutex_lock (&self->lock);
  g_assert_cmpuint (index, <, self->accepted->len);
  copy = message_copy (g_ptr_array_index (self->accepted, index));
  g_mutex_unlock (&self->lock);
  return copy;
}

/**
 * turnout_fake_twilio_dup_all_accepted:
 *
 * Returns: (transfer full) (element-type TurnoutFakeMessage): copies of
 *   every accepted message, in order
 */
GPtrArray *
turnout_fake_twilio_dup_all_accepted (TurnoutFakeTwilio *self)
{
  GPtrArray *copies;

  g_mutex_lock (&self->lock);
  copies = g_ptr_array_new_full (self->accepted->len,
                                 (GDestroyNotify) turnout_fake_message_free);
  for (guint i = 0; i < self->accepted->len; i++)
    g_ptr_array_add (copies, message_copy (g_ptr_array_index (self->accepted, i)));
  g_mutex_unlock (&self->lock);
  return copies;
}

static void
add_fake_message (JsonBuilder              *builder,
                  const TurnoutFakeMessage *message)
{
  json_builder_begin_object (builder);
  add_string (builder, "sid", message->sid);
  add_string (builder, "to", message->to);
  add_string (builder, "from", message->from);
  add_string (builder, "messaging_service_sid", message->messaging_service_sid);
  add_string (builder, "body", message->body);
  json_builder_set_member_name (builder, "media_urls");
  json_builder_begin_array (builder);
  for (guint i = 0; message->media_urls != NULL && message->media_urls[i] != NULL; i++)
    json_builder_add_string_value (builder, message->media_urls[i]);
  json_builder_end_array (builder);
  add_string (builder, "status", message->status);
  json_builder_set_member_name (builder, "error_code");
  json_builder_add_int_value (builder, message->error_code);
  json_builder_set_member_name (builder, "date_created");
  json_builder_add_int_value (builder, message->date_created);
  json_builder_set_member_name (builder, "date_sent");
  json_builder_add_int_value (builder, message->date_sent);
  add_string (builder, "auth_user", message->auth_user);
  json_builder_end_object (builder);
}

/**
 * turnout_fake_twilio_dup_messages_json:
 *
 * Returns: (transfer full): {"accepted": N, "messages": […]} with every
 *   accepted message in order (dates in Unix seconds), for files and the
 *   /_fake/messages endpoint
 */
char *
turnout_fake_twilio_dup_messages_json (TurnoutFakeTwilio *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_mutex_lock (&self->lock);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "accepted");
  json_builder_add_int_value (builder, self->accepted->len);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->accepted->len; i++)
    add_fake_message (builder, g_ptr_array_index (self->accepted, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  g_mutex_unlock (&self->lock);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/**
 * turnout_fake_twilio_get_n_requests:
 *
 * Returns: how many requests of @scope arrived (whatever their answer)
 */
guint
turnout_fake_twilio_get_n_requests (TurnoutFakeTwilio *self,
                                    TurnoutFakeScope   scope)
{
  guint n = 0;

  g_mutex_lock (&self->lock);
  if (scope & TURNOUT_FAKE_ON_CREATE)
    n += self->n_requests[0];
  if (scope & TURNOUT_FAKE_ON_LIST)
    n += self->n_requests[1];
  if (scope & TURNOUT_FAKE_ON_FETCH)
    n += self->n_requests[2];
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * turnout_fake_twilio_get_max_in_window:
 * @window_usec: the window, such as %G_USEC_PER_SEC
 * @accepted_only: count accepted messages, or every create request
 *
 * Returns: the most create requests (or accepted messages) that fell in any
 *   window of this length, sliding over every arrival: "never more than R
 *   in any second" holds when this is at most R for one second
 */
guint
turnout_fake_twilio_get_max_in_window (TurnoutFakeTwilio *self,
                                       gint64             window_usec,
                                       gboolean           accepted_only)
{
  GArray *times;
  guint best = 0, first = 0;

  g_mutex_lock (&self->lock);
  times = accepted_only ? self->accepted_times : self->request_times;
  for (guint last = 0; last < times->len; last++)
    {
      gint64 at = g_array_index (times, gint64, last);

      while (at - g_array_index (times, gint64, first) >= window_usec)
        first++;
      best = MAX (best, last - first + 1);
    }
  g_mutex_unlock (&self->lock);
  return best;
}

/**
 * turnout_fake_twilio_pick_port:
 *
 * A port free on 127.0.0.1 now, for a test that must name the fake in its
 * environment (TURNOUT_TWILIO_API_URL) before any thread starts, and so
 * before the fake: start it later with turnout_fake_twilio_new_on_port().
 */
guint
turnout_fake_twilio_pick_port (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  g_socket_close (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}
