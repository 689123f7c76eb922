/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a new fake knows: one account with an Auth Token and an API key, one
 * SMS-capable number (Twilio's "magic" test sender) and one Messaging
 * Service holding it. */
#define TURNOUT_FAKE_TWILIO_ACCOUNT_SID "AC0123456789abcdef0123456789abcdef"
#define TURNOUT_FAKE_TWILIO_AUTH_TOKEN  "0123456789abcdef0123456789abcdef"
#define TURNOUT_FAKE_TWILIO_KEY_SID     "SKfedcba9876543210fedcba9876543210"
#define TURNOUT_FAKE_TWILIO_KEY_SECRET  "KeySecret0123456789abcdefKeySecr"
#define TURNOUT_FAKE_TWILIO_FROM        "+15005550006"
#define TURNOUT_FAKE_TWILIO_SERVICE_SID "MGaaaabbbbccccddddeeeeffff00001111"
#define TURNOUT_FAKE_TWILIO_FRIENDLY_NAME "Turnout Test Promotions"

/**
 * TurnoutFakeFault:
 * @TURNOUT_FAKE_FAULT_NONE: answer normally
 * @TURNOUT_FAKE_FAULT_500: HTTP 500 with an error body; nothing stored
 * @TURNOUT_FAKE_FAULT_502: HTTP 502 from "a gateway"; nothing stored
 * @TURNOUT_FAKE_FAULT_503: HTTP 503; nothing stored
 * @TURNOUT_FAKE_FAULT_429: HTTP 429 with neither an error code nor
 *   Retry-After (an edge rate limiter)
 * @TURNOUT_FAKE_FAULT_429_RETRY_AFTER: HTTP 429 with `Retry-After` (see
 *   turnout_fake_twilio_set_retry_after())
 * @TURNOUT_FAKE_FAULT_20429: HTTP 429 with Twilio error 20429, no Retry-After
 * @TURNOUT_FAKE_FAULT_21611: HTTP 400 with error 21611 (the sender's queue
 *   is full)
 * @TURNOUT_FAKE_FAULT_RESET_BEFORE: the connection is reset without
 *   processing the request: nothing stored
 * @TURNOUT_FAKE_FAULT_RESET_AFTER: the message is accepted and stored, then
 *   the connection is reset instead of answering (the lost-answer case)
 * @TURNOUT_FAKE_FAULT_SLOW: processed, answered after the delay set with
 *   turnout_fake_twilio_set_delay() (1 s when none is set)
 */
typedef enum
{
  TURNOUT_FAKE_FAULT_NONE,
  TURNOUT_FAKE_FAULT_500,
  TURNOUT_FAKE_FAULT_502,
  TURNOUT_FAKE_FAULT_503,
  TURNOUT_FAKE_FAULT_429,
  TURNOUT_FAKE_FAULT_429_RETRY_AFTER,
  TURNOUT_FAKE_FAULT_20429,
  TURNOUT_FAKE_FAULT_21611,
  TURNOUT_FAKE_FAULT_RESET_BEFORE,
  TURNOUT_FAKE_FAULT_RESET_AFTER,
  TURNOUT_FAKE_FAULT_SLOW,
} TurnoutFakeFault;

/**
 * TurnoutFakeScope:
 * @TURNOUT_FAKE_ON_CREATE: POST …/Messages.json
 * @TURNOUT_FAKE_ON_LIST: GET …/Messages.json
 * @TURNOUT_FAKE_ON_FETCH: GET of one message, the account or its numbers
 *
 * Which requests a fault applies to.
 */
typedef enum
{
  TURNOUT_FAKE_ON_CREATE = 1 << 0,
  TURNOUT_FAKE_ON_LIST   = 1 << 1,
  TURNOUT_FAKE_ON_FETCH  = 1 << 2,
  TURNOUT_FAKE_ON_ANY    = 0x7,
} TurnoutFakeScope;

/**
 * TurnoutFakeMessage:
 * @sid: SM… or MM… (with media)
 * @to: the recipient
 * @from: (nullable): the sender, %NULL when sent through a Messaging Service
 * @messaging_service_sid: (nullable): the service it went through
 * @body: the text ("" for media only)
 * @media_urls: every MediaUrl, in order
 * @status: "queued", "accepted" (through a service), "received" (inbound),
 *   or what turnout_fake_twilio_set_status() made it
 * @error_code: 0, or the delivery error
 * @date_created: Unix seconds, on the fake's clock
 * @date_sent: Unix seconds, 0 until sent (Twilio reports null)
 * @inbound: a reply injected with turnout_fake_twilio_add_inbound()
 * @shorten_urls: the request asked for link shortening
 * @validity_period: the request's ValidityPeriod, 0 when none
 * @auth_user: who signed the request: the Account SID or an API Key SID
 */
typedef struct
{
  char     *sid;
  char     *to;
  char     *from;
  char     *messaging_service_sid;
  char     *body;
  GStrv     media_urls;
  char     *status;
  int       error_code;
  gint64    date_created;
  gint64    date_sent;
  gboolean  inbound;
  gboolean  shorten_urls;
  int       validity_period;
  char     *auth_user;
} TurnoutFakeMessage;

void                turnout_fake_message_free (TurnoutFakeMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutFakeMessage, turnout_fake_message_free)

TurnoutFakeFault    turnout_fake_fault_from_string (const char *name);
const char         *turnout_fake_fault_to_string   (TurnoutFakeFault fault);

#define TURNOUT_TYPE_FAKE_TWILIO (turnout_fake_twilio_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutFakeTwilio, turnout_fake_twilio, TURNOUT, FAKE_TWILIO, GObject)

TurnoutFakeTwilio  *turnout_fake_twilio_new                  (void);
guint               turnout_fake_twilio_pick_port            (void);
TurnoutFakeTwilio  *turnout_fake_twilio_new_on_port          (guint               port,
                                                              GError            **error);
const char         *turnout_fake_twilio_get_url              (TurnoutFakeTwilio  *self);
guint               turnout_fake_twilio_get_port             (TurnoutFakeTwilio  *self);

/* The account */
void                turnout_fake_twilio_set_credentials      (TurnoutFakeTwilio  *self,
                                                              const char         *account_sid,
                                                              const char         *auth_token);
void                turnout_fake_twilio_add_api_key          (TurnoutFakeTwilio  *self,
                                                              const char         *key_sid,
                                                              const char         *secret);
void                turnout_fake_twilio_set_account          (TurnoutFakeTwilio  *self,
                                                              const char         *friendly_name,
                                                              const char         *status);
void                turnout_fake_twilio_add_number           (TurnoutFakeTwilio  *self,
                                                              const char         *number,
                                                              gboolean            sms_capable);
void                turnout_fake_twilio_add_messaging_service (TurnoutFakeTwilio *self,
                                                              const char         *sid,
                                                              gboolean            has_numbers);
void                turnout_fake_twilio_set_clock_offset     (TurnoutFakeTwilio  *self,
                                                              gint64              seconds);

/* Refusals and faults */
void                turnout_fake_twilio_set_number_error     (TurnoutFakeTwilio  *self,
                                                              const char         *to,
                                                              int                 code);
void                turnout_fake_twilio_set_prefix_error     (TurnoutFakeTwilio  *self,
                                                              const char         *prefix,
                                                              int                 code);
void                turnout_fake_twilio_fail_next            (TurnoutFakeTwilio  *self,
                                                              TurnoutFakeScope    scope,
                                                              TurnoutFakeFault    fault,
                                                              guint               count);
void                turnout_fake_twilio_add_random_fault     (TurnoutFakeTwilio  *self,
                                                              TurnoutFakeFault    fault,
                                                              double              probability);
void                turnout_fake_twilio_set_seed             (TurnoutFakeTwilio  *self,
                                                              guint32             seed);
void                turnout_fake_twilio_set_retry_after      (TurnoutFakeTwilio  *self,
                                                              const char         *value);
void                turnout_fake_twilio_set_delay            (TurnoutFakeTwilio  *self,
                                                              guint               milliseconds,
                                                              gboolean            every_answer);

/* Messages */
char               *turnout_fake_twilio_add_inbound          (TurnoutFakeTwilio  *self,
                                                              const char         *from,
                                                              const char         *to,
                                                              const char         *body,
                                                              gint64              date_sent);
gboolean            turnout_fake_twilio_set_status           (TurnoutFakeTwilio  *self,
                                                              const char         *sid,
                                                              const char         *status,
                                                              int                 error_code);
void                turnout_fake_twilio_set_delivery_error   (TurnoutFakeTwilio  *self,
                                                              const char         *to,
                                                              int                 code);
guint               turnout_fake_twilio_deliver_all          (TurnoutFakeTwilio  *self);
guint               turnout_fake_twilio_get_n_accepted       (TurnoutFakeTwilio  *self);
guint               turnout_fake_twilio_count_to             (TurnoutFakeTwilio  *self,
                                                              const char         *to);
TurnoutFakeMessage *turnout_fake_twilio_dup_accepted         (TurnoutFakeTwilio  *self,
                                                              guint               index);
GPtrArray          *turnout_fake_twilio_dup_all_accepted     (TurnoutFakeTwilio  *self);
char               *turnout_fake_twilio_dup_messages_json    (TurnoutFakeTwilio  *self);

/* Counters */
guint               turnout_fake_twilio_get_n_requests       (TurnoutFakeTwilio  *self,
                                                              TurnoutFakeScope    scope);
guint               turnout_fake_twilio_get_max_in_window    (TurnoutFakeTwilio  *self,
                                                              gint64              window_usec,
                                                              gboolean            accepted_only);

G_END_DECLS
