/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * One campaign email as it goes over SMTP, composed with GMime 3:
 *
 *  - From (with its display name), To, Subject, Date, Message-ID (random,
 *    in the From address's domain) and MIME-Version; names and the subject
 *    are encoded per RFC 2047 when they are not plain ASCII, international
 *    domains are written in their ASCII (xn--) form;
 *  - a multipart/alternative body with the text/plain part first and the
 *    text/html part second, both UTF-8, each in 7bit, quoted-printable or
 *    base64 as GMime finds best, so no line is longer than 998 octets and
 *    encoded lines are at most 78; with no HTML, one text/plain part;
 *  - the preheader as hidden text at the top of the HTML (unless the HTML
 *    already has an element of class "preheader", as starter templates do);
 *  - the sender's postal address as a footer of both parts, which CAN-SPAM
 *    asks every marketing email to show: in HTML at the
 *    TURNOUT_STARTER_POSTAL_ADDRESS_MARK comment when there is one, else at
 *    the end of the body;
 *  - List-Unsubscribe (RFC 2369) with a mailto: link and, when an https
 *    address is set, the web link too; List-Unsubscribe-Post:
 *    List-Unsubscribe=One-Click (RFC 8058) only with the web link, because
 *    a one-click header nobody answers would silently lose opt-outs.
 *
 * Lines end in CRLF, ready for SMTP DATA. The message is NOT dot-stuffed:
 * that is the SMTP client's job as it writes DATA (GMimeFilterSmtpData does
 * it, and adds the final "." line).
 */

#define TURNOUT_EMAIL_MESSAGE_ERROR (turnout_email_message_error_quark ())

/**
 * TurnoutEmailMessageError:
 * @TURNOUT_EMAIL_MESSAGE_ERROR_SETUP: a sender setting is missing or unusable
 *   (From address, postal address, unsubscribe address or page): no email
 *   can go out until it is fixed in Preferences
 * @TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT: the recipient's address or name
 *   can't go into a message: this recipient fails, the others go on
 * @TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT: the subject or the body can't be sent
 *   (empty, a line break in the subject, invalid text): the template needs
 *   fixing
 */
typedef enum
{
  TURNOUT_EMAIL_MESSAGE_ERROR_SETUP,
  TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT,
  TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT,
} TurnoutEmailMessageError;

/**
 * TurnoutEmailParts:
 * @from_name: (nullable): the sender's display name (smtp.from_name)
 * @from_address: the sender's address (smtp.from_address)
 * @to_name: (nullable): the recipient's display name
 * @to_address: the recipient's address
 * @subject: the rendered subject, one line
 * @preheader: (nullable): the rendered preheader
 * @html: (nullable): the rendered HTML part; %NULL or "" for a text-only email
 * @text: (nullable): the rendered plain-text part; %NULL or "" to make it
 *   from @html with turnout_html_to_text()
 * @unsubscribe_mailto: (nullable): where unsubscribe requests go
 *   (email.unsubscribe_mailto), with or without "mailto:"; %NULL or "" uses
 *   @from_address, so List-Unsubscribe is never missing
 * @unsubscribe_url: (nullable): the https page for one-click unsubscribe
 *   (email.unsubscribe_url, or one made for this recipient)
 * @postal_address: the sender's postal address (email.postal_address), one
 *   or more lines; required
 * @date: the Date header as Unix time; 0 for now (TurnoutClock)
 *
 * What an email is made of. Every field is borrowed, UTF-8.
 */
typedef struct
{
  const char *from_name;
  const char *from_address;
  const char *to_name;
  const char *to_address;
  const char *subject;
  const char *preheader;
  const char *html;
  const char *text;
  const char *unsubscribe_mailto;
  const char *unsubscribe_url;
  const char *postal_address;
  gint64      date;
} TurnoutEmailParts;

GQuark  turnout_email_message_error_quark (void);
void    turnout_email_message_init        (void);

GBytes *turnout_email_message_compose     (const TurnoutEmailParts  *parts,
                                           char                    **message_id_out,
                                           GError                  **error);

typedef struct _TurnoutEmailComposer TurnoutEmailComposer;

TurnoutEmailComposer *turnout_email_composer_new     (void);
void                  turnout_email_composer_free    (TurnoutEmailComposer     *composer);
GBytes               *turnout_email_composer_compose (TurnoutEmailComposer     *composer,
                                                      const TurnoutEmailParts  *parts,
                                                      char                    **message_id_out,
                                                      GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutEmailComposer, turnout_email_composer_free)

G_END_DECLS
