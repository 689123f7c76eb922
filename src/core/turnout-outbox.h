/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-sender.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_OUTBOX_ERROR (turnout_outbox_error_quark ())

/**
 * TurnoutOutboxError:
 * @TURNOUT_OUTBOX_ERROR_INVALID: the number, the text or the media can't
 *   be sent as given
 * @TURNOUT_OUTBOX_ERROR_NOT_FOUND: there is no such contact
 * @TURNOUT_OUTBOX_ERROR_SUPPRESSED: the number is on the suppression list
 * @TURNOUT_OUTBOX_ERROR_NO_CONSENT: the contact (or a contact with the
 *   number) opted out of texts, or never opted in
 *
 * Why a one-off send was refused before anything was written or sent.
 */
typedef enum
{
  TURNOUT_OUTBOX_ERROR_INVALID,
  TURNOUT_OUTBOX_ERROR_NOT_FOUND,
  TURNOUT_OUTBOX_ERROR_SUPPRESSED,
  TURNOUT_OUTBOX_ERROR_NO_CONSENT,
} TurnoutOutboxError;

/**
 * TurnoutOutboxResult:
 * @message_id: the row in messages
 * @state: where the message ended: "sent", "failed", "suppressed" (the
 *   provider says the person opted out; the number is now suppressed) or
 *   "unknown" (the request left, the answer was lost and the provider
 *   could not be asked yet; turnout_outbox_reconcile_async() asks later)
 * @provider_id: (nullable): the provider's id, when sent
 * @error_code: (nullable): the provider's error code
 * @message: (nullable): for every state but "sent", a sentence saying what
 *   happened and what to do
 */
typedef struct
{
  gint64  message_id;
  char   *state;
  char   *provider_id;
  char   *error_code;
  char   *message;
} TurnoutOutboxResult;

void turnout_outbox_result_free (TurnoutOutboxResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutOutboxResult, turnout_outbox_result_free)

GQuark               turnout_outbox_error_quark      (void);
void                 turnout_outbox_send_async       (TurnoutStore         *store,
                                                      TurnoutSender        *sender,
                                                      gint64                contact_id,
                                                      const char           *address,
                                                      const char           *text,
                                                      const char * const   *media_urls,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
void                 turnout_outbox_send_email_async (TurnoutStore          *store,
                                                      TurnoutSender         *sender,
                                                      gint64                 contact_id,
                                                      const char            *address,
                                                      const TurnoutOutgoing *email,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
TurnoutOutboxResult *turnout_outbox_send_finish      (TurnoutStore         *store,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void                 turnout_outbox_reconcile_async  (TurnoutStore         *store,
                                                      TurnoutSender        *sender,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
guint                turnout_outbox_reconcile_finish (TurnoutStore         *store,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
