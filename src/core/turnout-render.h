/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "turnout-merge.h"
#include "turnout-template.h"
#include "turnout-types.h"

G_BEGIN_DECLS

/**
 * TurnoutExclusion:
 * @TURNOUT_EXCLUSION_NONE: the message goes out
 * @TURNOUT_EXCLUSION_NO_ADDRESS: no phone number (SMS) or email address
 * @TURNOUT_EXCLUSION_OPTED_OUT: the contact opted out of the channel
 * @TURNOUT_EXCLUSION_NO_CONSENT: the contact never opted in to the channel
 * @TURNOUT_EXCLUSION_SUPPRESSED: the address is on the suppression list
 *
 * Why a contact gets no message on a channel. Marketing messages go only to
 * contacts who opted in: SMS law (the TCPA in the US, PECR in the UK) asks
 * for consent, and an opt-out is final until the contact opts in again.
 */
typedef enum
{
  TURNOUT_EXCLUSION_NONE,
  TURNOUT_EXCLUSION_NO_ADDRESS,
  TURNOUT_EXCLUSION_OPTED_OUT,
  TURNOUT_EXCLUSION_NO_CONSENT,
  TURNOUT_EXCLUSION_SUPPRESSED,
} TurnoutExclusion;

const char *turnout_exclusion_describe (TurnoutExclusion exclusion);

/**
 * TurnoutRecipient:
 *
 * A contact as a template sees it, with the event the message is about.
 */
typedef struct
{
  gint64  contact_id;
  char   *first_name;
  char   *last_name;
  char   *phone;
  char   *email;
  char   *city;
  char   *time_zone;         /* the contact's own, NULL when not known */
  char   *sms_consent;
  char   *email_consent;
  gboolean sms_suppressed;
  gboolean email_suppressed;
  gint64  event_id;          /* 0: none */
  char   *event_name;
  gint64  event_starts_at;
  char   *event_time_zone;
  char   *event_venue;
} TurnoutRecipient;

void              turnout_recipient_free        (TurnoutRecipient   *recipient);
char             *turnout_recipient_dup_name    (TurnoutRecipient   *recipient);
TurnoutExclusion  turnout_recipient_exclusion   (TurnoutRecipient   *recipient,
                                                 const char         *channel);
void              turnout_recipient_get_values  (TurnoutRecipient   *recipient,
                                                 TurnoutMergeValues *values);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutRecipient, turnout_recipient_free)

void              turnout_recipient_load_async  (TurnoutStore        *store,
                                                 gint64               contact_id,
                                                 gint64               event_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
TurnoutRecipient *turnout_recipient_load_finish (TurnoutStore        *store,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Reads recipients one after the other with the same prepared statements:
 * for a preflight over a whole segment. */
typedef struct _TurnoutRecipientReader TurnoutRecipientReader;

TurnoutRecipientReader *turnout_recipient_reader_new  (sqlite3                 *db,
                                                       gint64                   event_id,
                                                       gint64                   now,
                                                       GError                 **error);
TurnoutRecipient       *turnout_recipient_reader_read (TurnoutRecipientReader  *reader,
                                                       gint64                   contact_id,
                                                       GError                 **error);
void                    turnout_recipient_reader_free (TurnoutRecipientReader  *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutRecipientReader, turnout_recipient_reader_free)

/**
 * TurnoutRendered:
 * @subject: email: the subject; SMS: ""
 * @preheader: email: the preheader; SMS: ""
 * @text: SMS: the message; email: the plain-text part
 * @html: email: the HTML part; SMS: ""
 * @blank_fields: canonical names of the fields that came out blank with no
 *   fallback, once each
 */
typedef struct
{
  char      *subject;
  char      *preheader;
  char      *text;
  char      *html;
  GPtrArray *blank_fields;
} TurnoutRendered;

void turnout_rendered_free (TurnoutRendered *rendered);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutRendered, turnout_rendered_free)

/* A template parsed once, rendered for many recipients. */
typedef struct _TurnoutTemplateRenderer TurnoutTemplateRenderer;

TurnoutTemplateRenderer *turnout_template_renderer_new    (TurnoutTemplate           *template,
                                                           GError                   **error);
TurnoutRendered         *turnout_template_renderer_render (TurnoutTemplateRenderer   *renderer,
                                                           const TurnoutMergeValues  *values);
void                     turnout_template_renderer_free   (TurnoutTemplateRenderer   *renderer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutTemplateRenderer, turnout_template_renderer_free)

char *turnout_sms_unsubscribe_text   (void);
char *turnout_email_unsubscribe_text (const char *url,
                                      const char *mailto);

G_END_DECLS
