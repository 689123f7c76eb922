/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-sender.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TWILIO_DEFAULT_API_URL "https://api.twilio.com"
#define TURNOUT_TWILIO_DEFAULT_TIMEOUT 30

#define TURNOUT_TWILIO_ERROR (turnout_twilio_error_quark ())

/**
 * TurnoutTwilioError:
 * @TURNOUT_TWILIO_ERROR_INVALID_CONFIG: a SID, the sender or the API
 *   address is malformed or missing
 * @TURNOUT_TWILIO_ERROR_NO_SECRET: no Auth Token or API Key secret is stored
 * @TURNOUT_TWILIO_ERROR_AUTH: Twilio refused the credentials (401, 20003)
 * @TURNOUT_TWILIO_ERROR_NOT_FOUND: the resource does not exist (404)
 * @TURNOUT_TWILIO_ERROR_RATE_LIMITED: too many requests (429); try later
 * @TURNOUT_TWILIO_ERROR_SERVER: Twilio failed (5xx); try later
 * @TURNOUT_TWILIO_ERROR_UNEXPECTED: any other answer, or one Turnout could
 *   not read
 *
 * Errors of the calls other than sending (which reports a
 * #TurnoutSendResult instead). Network failures keep their #GIOError or
 * #GTlsError, with a sentence in front.
 */
typedef enum
{
  TURNOUT_TWILIO_ERROR_INVALID_CONFIG,
  TURNOUT_TWILIO_ERROR_NO_SECRET,
  TURNOUT_TWILIO_ERROR_AUTH,
  TURNOUT_TWILIO_ERROR_NOT_FOUND,
  TURNOUT_TWILIO_ERROR_RATE_LIMITED,
  TURNOUT_TWILIO_ERROR_SERVER,
  TURNOUT_TWILIO_ERROR_UNEXPECTED,
} TurnoutTwilioError;

/**
 * TurnoutTwilioCheckOutcome:
 * @TURNOUT_TWILIO_CHECK_OK: the credentials work and the sender belongs to
 *   the account (as far as it can be checked)
 * @TURNOUT_TWILIO_CHECK_BAD_CREDENTIALS: Twilio refused the Account SID and
 *   token, or the API key and secret
 * @TURNOUT_TWILIO_CHECK_ACCOUNT_INACTIVE: the account is suspended or closed
 * @TURNOUT_TWILIO_CHECK_SENDER_NOT_ON_ACCOUNT: the sender number is not one
 *   of the account's numbers, or it can't send SMS
 */
typedef enum
{
  TURNOUT_TWILIO_CHECK_OK,
  TURNOUT_TWILIO_CHECK_BAD_CREDENTIALS,
  TURNOUT_TWILIO_CHECK_ACCOUNT_INACTIVE,
  TURNOUT_TWILIO_CHECK_SENDER_NOT_ON_ACCOUNT,
} TurnoutTwilioCheckOutcome;

/**
 * TurnoutTwilioCheck:
 * @outcome: the verdict
 * @friendly_name: (nullable): the account's name, when Twilio gave it (a
 *   standard API key may not read the account)
 * @message: a sentence for Preferences saying what was found and what to do
 */
typedef struct
{
  TurnoutTwilioCheckOutcome  outcome;
  char                      *friendly_name;
  char                      *message;
} TurnoutTwilioCheck;

void turnout_twilio_check_free (TurnoutTwilioCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutTwilioCheck, turnout_twilio_check_free)

/**
 * TurnoutDeliveryState:
 * @TURNOUT_DELIVERY_PENDING: still with Twilio (accepted, scheduled,
 *   queued, sending): ask again later
 * @TURNOUT_DELIVERY_SENT: handed to the carrier, no receipt yet; some
 *   carriers never send one, so this can be final
 * @TURNOUT_DELIVERY_DELIVERED: the carrier confirmed delivery (or it was read)
 * @TURNOUT_DELIVERY_UNDELIVERED: the carrier could not deliver it
 * @TURNOUT_DELIVERY_FAILED: Twilio never handed it to a carrier
 * @TURNOUT_DELIVERY_CANCELED: a scheduled message was cancelled
 */
typedef enum
{
  TURNOUT_DELIVERY_PENDING,
  TURNOUT_DELIVERY_SENT,
  TURNOUT_DELIVERY_DELIVERED,
  TURNOUT_DELIVERY_UNDELIVERED,
  TURNOUT_DELIVERY_FAILED,
  TURNOUT_DELIVERY_CANCELED,
} TurnoutDeliveryState;

/**
 * TurnoutDeliveryStatus:
 * @sid: the Message SID
 * @state: where the message is
 * @status: Twilio's own word ("undelivered")
 * @error_code: (nullable): the carrier or Twilio error code ("30003")
 * @message: (nullable): for undelivered and failed messages, a sentence
 *   saying why and what to do
 * @date_sent: Unix seconds, or 0 while not sent
 */
typedef struct
{
  char                 *sid;
  TurnoutDeliveryState  state;
  char                 *status;
  char                 *error_code;
  char                 *message;
  gint64                date_sent;
} TurnoutDeliveryStatus;

void turnout_delivery_status_free (TurnoutDeliveryStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutDeliveryStatus, turnout_delivery_status_free)

/**
 * TurnoutInboundMessage:
 * @sid: the Message SID
 * @from: who wrote
 * @to: the Twilio number they wrote to
 * @body: what they wrote
 * @date_sent: when Twilio received it, Unix seconds
 */
typedef struct
{
  char   *sid;
  char   *from;
  char   *to;
  char   *body;
  gint64  date_sent;
} TurnoutInboundMessage;

void turnout_inbound_message_free (TurnoutInboundMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutInboundMessage, turnout_inbound_message_free)

#define TURNOUT_TYPE_TWILIO_SENDER (turnout_twilio_sender_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutTwilioSender, turnout_twilio_sender, TURNOUT, TWILIO_SENDER, GObject)

GQuark               turnout_twilio_error_quark                   (void);
char                *turnout_twilio_dup_delivery_sentence         (int                    code,
                                                                   const char            *twilio_message);

TurnoutTwilioSender *turnout_twilio_sender_new                    (const char            *account_sid,
                                                                   const char            *key_sid,
                                                                   const char            *secret,
                                                                   const char            *from,
                                                                   const char            *messaging_service_sid,
                                                                   GError               **error);
void                 turnout_twilio_sender_new_from_settings_async (TurnoutSettings      *settings,
                                                                   GCancellable         *cancellable,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
TurnoutTwilioSender *turnout_twilio_sender_new_from_settings_finish (GAsyncResult        *result,
                                                                    GError             **error);

const char          *turnout_twilio_sender_get_account_sid        (TurnoutTwilioSender   *self);
void                 turnout_twilio_sender_set_api_url            (TurnoutTwilioSender   *self,
                                                                   const char            *url);
const char          *turnout_twilio_sender_get_api_url            (TurnoutTwilioSender   *self);
void                 turnout_twilio_sender_set_timeout            (TurnoutTwilioSender   *self,
                                                                   guint                  seconds);
guint                turnout_twilio_sender_get_timeout            (TurnoutTwilioSender   *self);
void                 turnout_twilio_sender_set_validity_period    (TurnoutTwilioSender   *self,
                                                                   int                    seconds);
void                 turnout_twilio_sender_set_shorten_urls       (TurnoutTwilioSender   *self,
                                                                   gboolean               shorten);

void                 turnout_twilio_sender_test_connection_async  (TurnoutTwilioSender   *self,
                                                                   GCancellable          *cancellable,
                                                                   GAsyncReadyCallback    callback,
                                                                   gpointer               user_data);
TurnoutTwilioCheck  *turnout_twilio_sender_test_connection_finish (TurnoutTwilioSender   *self,
                                                                   GAsyncResult          *result,
                                                                   GError               **error);
void                 turnout_twilio_sender_fetch_status_async     (TurnoutTwilioSender   *self,
                                                                   const char            *sid,
                                                                   GCancellable          *cancellable,
                                                                   GAsyncReadyCallback    callback,
                                                                   gpointer               user_data);
TurnoutDeliveryStatus *turnout_twilio_sender_fetch_status_finish  (TurnoutTwilioSender   *self,
                                                                   GAsyncResult          *result,
                                                                   GError               **error);
void                 turnout_twilio_sender_list_inbound_async     (TurnoutTwilioSender   *self,
                                                                   gint64                 since,
                                                                   GCancellable          *cancellable,
                                                                   GAsyncReadyCallback    callback,
                                                                   gpointer               user_data);
GPtrArray           *turnout_twilio_sender_list_inbound_finish    (TurnoutTwilioSender   *self,
                                                                   GAsyncResult          *result,
                                                                   GError               **error);

G_END_DECLS
