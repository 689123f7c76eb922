/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Where a starter template links to a page only the user can name (the
 * announcement's "Get tickets" button and the re-engagement's "See what’s
 * on"): a reserved example.com address (RFC 2606), so nothing real is ever
 * linked by mistake, and a campaign check can warn that it still has to be
 * replaced.
 */
#define TURNOUT_STARTER_PLACEHOLDER_URL "https://example.com/"

/*
 * An HTML comment in the footer of each starter email, where the sender
 * puts the postal address (the `email.postal_address` setting) that the
 * law asks every marketing email to show. Templates without it get the
 * address at the end of the body instead.
 */
#define TURNOUT_STARTER_POSTAL_ADDRESS_MARK "<!-- turnout:postal-address -->"

/**
 * TurnoutStarterTemplate:
 * @id: stable, untranslated: "ticket-confirmation-email" …
 * @channel: "sms" or "email"
 * @name: the translated name, such as "Ticket Confirmation (Email)"
 * @subject: email: the subject, with merge fields; "" for SMS
 * @preheader: email: the preview line inboxes show after the subject (the
 *   same text is in the hidden `<span class="preheader">` at the top of
 *   @body_html); "" for SMS
 * @body_html: email: a complete HTML document; "" for SMS
 * @body_text: SMS: the message; "" for email, whose text part is generated
 *   from the HTML when it is sent
 *
 * One of the templates Turnout seeds on first run. Every string is in the
 * merge language of turnout-merge.h; CSS braces in @body_html are written
 * "{{" and "}}".
 */
typedef struct
{
  const char *id;
  const char *channel;
  char       *name;
  char       *subject;
  char       *preheader;
  char       *body_html;
  char       *body_text;
} TurnoutStarterTemplate;

GPtrArray *turnout_starter_templates_new (void);

G_END_DECLS
