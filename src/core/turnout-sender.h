/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * TurnoutSendOutcome:
 * @TURNOUT_SEND_OK: accepted by the provider; @provider_id is set
 * @TURNOUT_SEND_TRANSIENT: the request never reached the provider, or the
 *   provider said it failed without keeping it (connection refused, DNS, TLS
 *   handshake, HTTP 500/503): retry later. @retry_after is set when the
 *   provider asked for a delay.
 * @TURNOUT_SEND_RATE_LIMITED: the provider refused for now because of
 *   volume (Twilio 429/20429, 21611): slow the whole channel and retry after
 *   @retry_after seconds, or back off when it is -1
 * @TURNOUT_SEND_PERMANENT: this recipient or this message can't be sent
 *   (Twilio 21211, 21214, 21217, 21612, 21614, 21635, an empty or too long
 *   body, other per-recipient 4xx): mark it failed, don't retry
 * @TURNOUT_SEND_SUPPRESS: the recipient opted out (Twilio 21610): add the
 *   address to the suppression list
 * @TURNOUT_SEND_FATAL: the credentials, the account or the sender are wrong
 *   (Twilio 20003/401, 21606, 21603/21604, 21701–21705): stop the channel and
 *   show @message to the user
 * @TURNOUT_SEND_STOP_COUNTRY: the account may not send to the recipient's
 *   country (Twilio 21408): stop sending to @country and tell the user
 * @TURNOUT_SEND_UNKNOWN: the request left and no answer came back (a reset
 *   or a timeout after it was sent, a 502/504 from a gateway): the provider
 *   may have accepted it. Reconcile with turnout_sender_find_sent_async()
 *   before any retry; never resend blindly.
 *
 * What became of one send.
 */
typedef enum
{
  TURNOUT_SEND_OK,
  TURNOUT_SEND_TRANSIENT,
  TURNOUT_SEND_RATE_LIMITED,
  TURNOUT_SEND_PERMANENT,
  TURNOUT_SEND_SUPPRESS,
  TURNOUT_SEND_FATAL,
  TURNOUT_SEND_STOP_COUNTRY,
  TURNOUT_SEND_UNKNOWN,
} TurnoutSendOutcome;

/**
 * TurnoutSendMark:
 *
 * Comes with a message whose leaving must be noted: the sender calls
 * turnout_send_mark_leaving() just before the step after which the
 * provider may have accepted the message (for SMTP, before its data), and
 * sends nothing when that fails. Senders that can be asked afterwards what
 * they accepted (Twilio) get none. Thread-safe.
 */
typedef struct _TurnoutSendMark TurnoutSendMark;

TurnoutSendMark *turnout_send_mark_ref      (TurnoutSendMark  *mark);
void             turnout_send_mark_unref    (TurnoutSendMark  *mark);
gboolean         turnout_send_mark_leaving  (TurnoutSendMark  *mark,
                                             GError          **error);
gboolean         turnout_send_mark_has_left (TurnoutSendMark  *mark);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutSendMark, turnout_send_mark_unref)

/**
 * TurnoutOutgoing:
 * @to: the address: a phone number in E.164 for SMS, an e-mail address
 * @text: the rendered text (may be empty for an MMS with media)
 * @media_urls: (nullable) (array zero-terminated=1): public https addresses
 *   of MMS media
 * @subject: (nullable): e-mail only
 * @html: (nullable): e-mail only
 * @to_name: (nullable): e-mail only: the recipient's display name
 * @preheader: (nullable): e-mail only: the line inboxes show after the
 *   subject
 * @mark: (nullable): when set, the sender takes a reference and calls
 *   turnout_send_mark_leaving() before the message can be accepted
 *
 * One rendered message. Every field is borrowed: senders copy what they
 * need before turnout_sender_send_async() returns.
 */
typedef struct
{
  const char         *to;
  const char         *text;
  const char * const *media_urls;
  const char         *subject;
  const char         *html;
  const char         *to_name;
  const char         *preheader;
  TurnoutSendMark    *mark;
} TurnoutOutgoing;

/**
 * TurnoutSendResult:
 * @outcome: what happened
 * @provider_id: (nullable): the provider's id of the accepted message
 *   (a Twilio Message SID); set for %TURNOUT_SEND_OK only
 * @error_code: (nullable): the provider's error code ("21610"), or
 *   "HTTP 503" when the answer carried no code; %NULL when no answer came
 * @message: (nullable): for every outcome but %TURNOUT_SEND_OK, a sentence
 *   for the user saying what happened and what to do
 * @retry_after: seconds the provider asked to wait, or -1
 * @country: (nullable): ISO 3166 alpha-2 code of the country to stop, for
 *   %TURNOUT_SEND_STOP_COUNTRY
 */
typedef struct
{
  TurnoutSendOutcome  outcome;
  char               *provider_id;
  char               *error_code;
  char               *message;
  int                 retry_after;
  char               *country;
} TurnoutSendResult;

TurnoutSendResult *turnout_send_result_new         (TurnoutSendOutcome  outcome);
void               turnout_send_result_free        (TurnoutSendResult  *result);
const char        *turnout_send_outcome_to_string  (TurnoutSendOutcome  outcome);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutSendResult, turnout_send_result_free)

#define TURNOUT_TYPE_SENDER (turnout_sender_get_type ())

G_DECLARE_INTERFACE (TurnoutSender, turnout_sender, TURNOUT, SENDER, GObject)

/**
 * TurnoutSenderInterface:
 * @get_channel: the channel this sender serves: "sms" or "email"
 * @send_async: sends one message
 * @send_finish: returns the #TurnoutSendResult; %NULL only with
 *   %G_IO_ERROR_CANCELLED
 * @find_sent_async: asks the provider whether a message to @to whose text
 *   equals @text was accepted at or after @since
 * @find_sent_finish: returns the provider id, or %NULL (with @error set
 *   when the provider could not be asked)
 *
 * A channel's provider. Implementations live in src/providers; the
 * dispatcher in core only sees this interface.
 */
struct _TurnoutSenderInterface
{
  GTypeInterface parent_iface;

  const char        *(*get_channel)      (TurnoutSender          *self);
  void               (*send_async)       (TurnoutSender          *self,
                                          const TurnoutOutgoing  *outgoing,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback     callback,
                                          gpointer                user_data);
  TurnoutSendResult *(*send_finish)      (TurnoutSender          *self,
                                          GAsyncResult           *result,
                                          GError                **error);
  void               (*find_sent_async)  (TurnoutSender          *self,
                                          const char             *to,
                                          gint64                  since,
                                          const char             *text,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback     callback,
                                          gpointer                user_data);
  char              *(*find_sent_finish) (TurnoutSender          *self,
                                          GAsyncResult           *result,
                                          GError                **error);
};

const char        *turnout_sender_get_channel      (TurnoutSender          *self);
void               turnout_sender_send_async       (TurnoutSender          *self,
                                                    const TurnoutOutgoing  *outgoing,
                                                    GCancellable           *cancellable,
                                                    GAsyncReadyCallback     callback,
                                                    gpointer                user_data);
TurnoutSendResult *turnout_sender_send_finish      (TurnoutSender          *self,
                                                    GAsyncResult           *result,
                                                    GError                **error);
void               turnout_sender_find_sent_async  (TurnoutSender          *self,
                                                    const char             *to,
                                                    gint64                  since,
                                                    const char             *text,
                                                    GCancellable           *cancellable,
                                                    GAsyncReadyCallback     callback,
                                                    gpointer                user_data);
char              *turnout_sender_find_sent_finish (TurnoutSender          *self,
                                                    GAsyncResult           *result,
                                                    GError                **error);

G_END_DECLS
