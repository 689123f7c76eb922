/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-starter-templates"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "turnout-starter-templates.h"

/*
 * The templates a new user starts from. The words are translatable one
 * sentence at a time and the HTML around them is fixed here, so translators
 * never see markup and a translation cannot break the layout: translated
 * pieces are escaped as they go in.
 *
 * The layout is the usual one for mail apps that know little CSS: nested
 * tables with inline styles, a single 600 px column that shrinks on phones
 * (max-width, plus a fixed-width table only Outlook's Word engine sees), a
 * @media rule for small screens, and a button made of a table cell and a
 * link, padded by the cell in Outlook and by the link elsewhere.
 */

#define FONT       "font-family:Helvetica,Arial,sans-serif;"
#define PAGE_BG    "#f4f2ef"
#define CARD_BG    "#ffffff"
#define TEXT       "#1f1d23"
#define MUTED      "#6b6573"
#define ACCENT     "#5b34c4"
#define ACCENT_BG  "#f3effc"

/* Padding after the preview text, so that inboxes show no body text after
 * it: a combining grapheme joiner, a zero-width non-joiner and a no-break
 * space, which mail apps show as nothing. */
#define PREHEADER_FILL "&#847;&zwnj;&nbsp;"
#define PREHEADER_FILL_COUNT 60

typedef struct
{
  const char *label;
  const char *value;
} Detail;

typedef struct
{
  const char *subject;
  const char *preheader;
  const char *heading;
  const char *greeting;
  const char *intro[4];
  Detail      details[3];
  const char *button_label;
  const char *button_href;
  const char *outro[4];
  const char *closing;
  const char *signature;
  const char *footer;
} Email;

static void
starter_template_free (gpointer data)
{
  TurnoutStarterTemplate *template = data;

  g_free (template->name);
  g_free (template->subject);
  g_free (template->preheader);
  g_free (template->body_html);
  g_free (template->body_text);
  g_free (template);
}

/* Text into HTML: only what would be read as markup is escaped, so merge
 * fields and apostrophes stay as they are. */
static void
append_escaped (GString    *html,
                const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '&':
          g_string_append (html, "&amp;");
          break;
        case '<':
          g_string_append (html, "&lt;");
          break;
        case '>':
          g_string_append (html, "&gt;");
          break;
        case '"':
          g_string_append (html, "&quot;");
          break;
        default:
          g_string_append_c (html, *p);
          break;
        }
    }
}

static void
append_paragraph (GString    *html,
                  const char *text)
{
  g_string_append (html, "<p style=\"margin:0 0 16px;\">");
  append_escaped (html, text);
  g_string_append (html, "</p>\n");
}

static const char *
html_lang (void)
{
  /* TRANSLATORS: the language of your translation as an HTML lang code,
   * such as "de" or "pt-BR". The starter emails declare it, so that mail
   * apps and screen readers pronounce and hyphenate them right. */
  const char *lang = C_("html lang", "en");
  gsize len = strlen (lang);

  if (len < 2 || len > 35 || strspn (lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != len)
    return "en";
  return lang;
}

static const char *
html_dir (void)
{
  /* TRANSLATORS: "rtl" if your language is written from right to left,
   * otherwise "ltr". Nothing else is accepted. */
  const char *dir = C_("html dir", "ltr");

  return strcmp (dir, "rtl") == 0 ? "rtl" : "ltr";
}

static void
append_head (GString     *html,
             const Email *email)
{
  g_string_append_printf (html,
                          "<!DOCTYPE html>\n"
                          "<html lang=\"%s\" dir=\"%s\" xmlns=\"http://www.w3.org/1999/xhtml\" "
                          "xmlns:v=\"urn:schemas-microsoft-com:vml\" "
                          "xmlns:o=\"urn:schemas-microsoft-com:office:office\">\n",
                          html_lang (), html_dir ());
  g_string_append (html,
                   "<head>\n"
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n"
                   "<meta name=\"x-apple-disable-message-reformatting\">\n"
                   "<meta name=\"format-detection\" content=\"telephone=no, date=no, address=no, email=no, url=no\">\n"
                   "<meta name=\"color-scheme\" content=\"light\">\n"
                   "<meta name=\"supported-color-schemes\" content=\"light\">\n"
                   "<title>");
  append_escaped (html, email->subject);
  g_string_append (html,
                   "</title>\n"
                   "<!--[if mso]>\n"
                   "<noscript><xml><o:OfficeDocumentSettings><o:AllowPNG/>"
                   "<o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript>\n"
                   "<![endif]-->\n"
                   /* Braces are doubled: a single one would start a merge field. */
                   "<style>\n"
                   "body {{ margin: 0; padding: 0; width: 100% !important; "
                   "-webkit-text-size-adjust: 100%; -ms-text-size-adjust: 100%; }}\n"
                   "table, td {{ border-collapse: collapse; mso-table-lspace: 0pt; mso-table-rspace: 0pt; }}\n"
                   "img {{ border: 0; outline: none; text-decoration: none; -ms-interpolation-mode: bicubic; }}\n"
                   "a[x-apple-data-detectors] {{ color: inherit !important; text-decoration: none !important; }}\n"
                   "@media (max-width: 600px) {{\n"
                   "  .container {{ width: 100% !important; }}\n"
                   "  .card {{ padding: 28px 20px !important; border-radius: 0 !important; }}\n"
                   "  .footer {{ padding: 20px 20px 0 !important; }}\n"
                   "  .heading {{ font-size: 24px !important; line-height: 30px !important; }}\n"
                   "}}\n"
                   "</style>\n"
                   "</head>\n");
}

static void
append_preheader (GString     *html,
                  const Email *email)
{
  g_string_append (html,
                   "<span class=\"preheader\" style=\"display:none !important;visibility:hidden;"
                   "mso-hide:all;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;"
                   "overflow:hidden;color:" PAGE_BG ";\">");
  append_escaped (html, email->preheader);
  for (int i = 0; i < PREHEADER_FILL_COUNT; i++)
    g_string_append (html, PREHEADER_FILL);
  g_string_append (html, "</span>\n");
}

/* The event's date and place in a tinted box, one label and value each. */
static void
append_details (GString     *html,
                const Email *email)
{
  if (email->details[0].label == NULL)
    return;

  g_string_append (html,
                   "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
                   "border=\"0\" style=\"margin:8px 0 24px;\">\n"
                   "<tr>\n"
                   "<td style=\"padding:20px 24px;background-color:" ACCENT_BG ";"
                   "border-left:4px solid " ACCENT ";border-radius:8px;\">\n");
  for (guint i = 0; i < G_N_ELEMENTS (email->details) && email->details[i].label != NULL; i++)
    {
      gboolean last = i + 1 == G_N_ELEMENTS (email->details) || email->details[i + 1].label == NULL;

      g_string_append_printf (html, "<p style=\"margin:0 0 %s;\">", last ? "0" : "12px");
      g_string_append (html,
                       "<span style=\"font-size:13px;line-height:18px;font-weight:bold;"
                       "letter-spacing:1px;text-transform:uppercase;color:" ACCENT ";\">");
      append_escaped (html, email->details[i].label);
      g_string_append (html,
                       "</span><br>"
                       "<span style=\"font-size:18px;line-height:26px;font-weight:bold;color:" TEXT ";\">");
      append_escaped (html, email->details[i].value);
      g_string_append (html, "</span></p>\n");
    }
  g_string_append (html, "</td>\n</tr>\n</table>\n");
}

static void
append_button (GString     *html,
               const Email *email)
{
  if (email->button_label == NULL)
    return;

  g_string_append (html,
                   "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
                   "style=\"margin:8px 0 24px;\">\n"
                   "<tr>\n"
                   "<td align=\"center\" bgcolor=\"" ACCENT "\" style=\"border-radius:8px;"
                   "background-color:" ACCENT ";mso-padding-alt:14px 32px;\">\n"
                   "<a href=\"");
  append_escaped (html, email->button_href);
  g_string_append (html,
                   "\" target=\"_blank\" style=\"display:inline-block;padding:14px 32px;" FONT
                   "font-size:17px;line-height:22px;font-weight:bold;color:#ffffff;"
                   "text-decoration:none;border-radius:8px;\">");
  append_escaped (html, email->button_label);
  g_string_append (html, "</a>\n</td>\n</tr>\n</table>\n");
}

static char *
build_html (const Email *email)
{
  GString *html = g_string_new (NULL);

  append_head (html, email);
  g_string_append (html, "<body style=\"margin:0;padding:0;background-color:" PAGE_BG ";\">\n");
  append_preheader (html, email);
  g_string_append (html,
                   "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
                   "border=\"0\" style=\"background-color:" PAGE_BG ";\">\n"
                   "<tr>\n"
                   "<td align=\"center\" style=\"padding:32px 12px;\">\n"
                   /* Outlook's Word engine ignores max-width: a fixed table holds its column. */
                   "<!--[if mso]><table role=\"presentation\" align=\"center\" width=\"600\" "
                   "cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td><![endif]-->\n"
                   "<table role=\"presentation\" class=\"container\" width=\"100%\" cellpadding=\"0\" "
                   "cellspacing=\"0\" border=\"0\" style=\"width:100%;max-width:600px;\">\n"
                   "<tr>\n"
                   "<td class=\"card\" style=\"padding:40px 48px;background-color:" CARD_BG ";"
                   "border-radius:12px;" FONT "font-size:16px;line-height:26px;color:" TEXT ";\">\n"
                   "<h1 class=\"heading\" style=\"margin:0 0 24px;" FONT "font-size:30px;"
                   "line-height:36px;font-weight:bold;color:" TEXT ";\">");
  append_escaped (html, email->heading);
  g_string_append (html, "</h1>\n");

  append_paragraph (html, email->greeting);
  for (guint i = 0; i < G_N_ELEMENTS (email->intro) && email->intro[i] != NULL; i++)
    append_paragraph (html, email->intro[i]);
  append_details (html, email);
  append_button (html, email);
  for (guint i = 0; i < G_N_ELEMENTS (email->outro) && email->outro[i] != NULL; i++)
    append_paragraph (html, email->outro[i]);

  g_string_append (html, "<p style=\"margin:24px 0 0;\">");
  append_escaped (html, email->closing);
  g_string_append (html, "<br><strong>");
  append_escaped (html, email->signature);
  g_string_append (html,
                   "</strong></p>\n"
                   "</td>\n"
                   "</tr>\n"
                   "<tr>\n"
                   "<td class=\"footer\" align=\"center\" style=\"padding:24px 48px 0;" FONT
                   "font-size:13px;line-height:20px;color:" MUTED ";\">\n"
                   "<p style=\"margin:0 0 8px;\">");
  append_escaped (html, email->footer);
  g_string_append (html,
                   "</p>\n"
                   "<p style=\"margin:0 0 8px;\">{unsubscribe}</p>\n"
                   TURNOUT_STARTER_POSTAL_ADDRESS_MARK "\n"
                   "</td>\n"
                   "</tr>\n"
                   "</table>\n"
                   "<!--[if mso]></td></tr></table><![endif]-->\n"
                   "</td>\n"
                   "</tr>\n"
                   "</table>\n"
                   "</body>\n"
                   "</html>\n");

  return g_string_free (html, FALSE);
}

static void
add_email (GPtrArray   *templates,
           const char  *id,
           const char  *name,
           const Email *email)
{
  TurnoutStarterTemplate *template = g_new0 (TurnoutStarterTemplate, 1);

  template->id = id;
  template->channel = "email";
  template->name = g_strdup (name);
  template->subject = g_strdup (email->subject);
  template->preheader = g_strdup (email->preheader);
  template->body_html = build_html (email);
  template->body_text = g_strdup ("");
  g_ptr_array_add (templates, template);
}

static void
add_sms (GPtrArray  *templates,
         const char *id,
         const char *name,
         const char *text)
{
  TurnoutStarterTemplate *template = g_new0 (TurnoutStarterTemplate, 1);

  template->id = id;
  template->channel = "sms";
  template->name = g_strdup (name);
  template->subject = g_strdup ("");
  template->preheader = g_strdup ("");
  template->body_html = g_strdup ("");
  template->body_text = g_strdup (text);
  g_ptr_array_add (templates, template);
}

/* The greeting, the date and place, and the sign-off are shared. */
static const char *
greeting (void)
{
  /* TRANSLATORS: the first line of the starter emails. Keep
   * {first_name|there} as it is, but translate the word after "|": it is
   * what a contact without a first name reads instead ("Hi there,"). */
  return _("Hi {first_name|there},");
}

static void
set_event_details (Email *email)
{
  /* TRANSLATORS: a label above the event's date in the starter emails. */
  email->details[0].label = _("When");
  /* TRANSLATORS: the event's date and time in the starter emails; keep
   * {event_date} and {event_time} exactly as they are. */
  email->details[0].value = _("{event_date} at {event_time}");
  /* TRANSLATORS: a label above the event's venue in the starter emails. */
  email->details[1].label = _("Where");
  email->details[1].value = "{event_venue}";
}

static const char *
signature (void)
{
  /* TRANSLATORS: the signature of the starter emails. Keep
   * {sender_name|…} as it is, but translate the words after "|": they are
   * shown when no sender name is set in Preferences. */
  return _("{sender_name|The team}");
}

static void
add_ticket_confirmation (GPtrArray *templates)
{
  Email email = { 0 };

  /* TRANSLATORS: the subject of the starter ticket confirmation email;
   * keep {event_name} as it is. */
  email.subject = _("You’re booked for {event_name}");
  /* TRANSLATORS: the preview line of the starter ticket confirmation email,
   * shown by inboxes after the subject; keep the {…} fields as they are. */
  email.preheader = _("{event_date} at {event_time}, {event_venue}. Keep this email for the door.");
  /* TRANSLATORS: the heading of the starter ticket confirmation email. */
  email.heading = _("You’re on the list");
  email.greeting = greeting ();
  /* TRANSLATORS: in the starter ticket confirmation email; keep
   * {event_name} as it is. */
  email.intro[0] = _("Thanks for booking. Your place at {event_name} is confirmed, and we can’t wait to see you.");
  set_event_details (&email);
  /* TRANSLATORS: in the starter ticket confirmation email. */
  email.outro[0] = _("Show this email at the door, on your phone or printed. Arriving a little early means less time in the queue.");
  /* TRANSLATORS: in the starter ticket confirmation email. */
  email.outro[1] = _("Can’t make it after all? Just reply to this email and let us know, so we can pass your place on to someone else.");
  /* TRANSLATORS: the closing before the signature of the starter ticket
   * confirmation email. */
  email.closing = _("See you there,");
  email.signature = signature ();
  /* TRANSLATORS: the footer of the starter ticket confirmation email,
   * saying why the contact gets it; keep {event_name} as it is. */
  email.footer = _("You’re getting this email because you booked a place at {event_name}.");

  /* TRANSLATORS: the name of a starter template. */
  add_email (templates, "ticket-confirmation-email", _("Ticket Confirmation (Email)"), &email);

  add_sms (templates, "ticket-confirmation-sms",
           /* TRANSLATORS: the name of a starter template. */
           _("Ticket Confirmation (SMS)"),
           /* TRANSLATORS: the starter ticket confirmation text message. Keep
            * the {…} fields as they are (translate only the word after
            * "|"). Use plain characters (straight quotes, no dashes or
            * emoji) where your language allows: other characters make every
            * part of a text message cost more than twice as much. With the
            * fields filled in it should stay under 160 characters. */
           _("Hi {first_name|there}, you're booked for {event_name}: {event_date}, {event_time}, "
             "{event_venue}. See you there!\n{unsubscribe}"));
}

static void
add_event_announcement (GPtrArray *templates)
{
  Email email = { 0 };

  /* TRANSLATORS: the subject of the starter event announcement email;
   * keep {event_name} as it is. */
  email.subject = _("Just announced: {event_name}");
  /* TRANSLATORS: the preview line of the starter event announcement email,
   * shown by inboxes after the subject; keep the {…} fields as they are. */
  email.preheader = _("{event_date} at {event_venue}. Tickets are on sale now.");
  email.heading = "{event_name}";
  email.greeting = greeting ();
  /* TRANSLATORS: in the starter event announcement email. */
  email.intro[0] = _("We’re putting on a new night, and you’re among the first to hear about it.");
  /* TRANSLATORS: in the starter event announcement email. */
  email.intro[1] = _("Tickets are on sale now. Grab yours early, and bring your friends along.");
  set_event_details (&email);
  /* TRANSLATORS: the button of the starter event announcement email. */
  email.button_label = _("Get tickets");
  email.button_href = TURNOUT_STARTER_PLACEHOLDER_URL "tickets";
  /* TRANSLATORS: in the starter event announcement email. */
  email.outro[0] = _("Questions about the night, access or tickets? Reply to this email and we’ll help.");
  /* TRANSLATORS: the closing before the signature of the starter event
   * announcement email. */
  email.closing = _("Hope to see you there,");
  email.signature = signature ();
  /* TRANSLATORS: the footer of the starter event announcement email,
   * saying why the contact gets it. */
  email.footer = _("You’re getting this email because you signed up to hear about our events.");

  /* TRANSLATORS: the name of a starter template. */
  add_email (templates, "event-announcement-email", _("Event Announcement (Email)"), &email);

  add_sms (templates, "event-announcement-sms",
           /* TRANSLATORS: the name of a starter template. */
           _("Event Announcement (SMS)"),
           /* TRANSLATORS: the starter event announcement text message. Keep
            * the {…} fields and the address as they are (translate only the
            * words after "|"). Use plain characters (straight quotes, no
            * dashes or emoji) where your language allows, and stay under
            * 160 characters with the fields filled in. */
           _("{sender_name|Just announced}: {event_name}, {event_date} at {event_venue}. "
             "Tickets: https://example.com/tickets\n{unsubscribe}"));
}

static void
add_post_event_recap (GPtrArray *templates)
{
  Email email = { 0 };

  /* TRANSLATORS: the subject of the starter post-event recap email; keep
   * {event_name} as it is. */
  email.subject = _("Thanks for coming to {event_name}");
  /* TRANSLATORS: the preview line of the starter post-event recap email,
   * shown by inboxes after the subject. */
  email.preheader = _("Thank you for being there. We’d love to hear how it was for you.");
  /* TRANSLATORS: the heading of the starter post-event recap email. */
  email.heading = _("Thanks for coming");
  email.greeting = greeting ();
  /* TRANSLATORS: in the starter post-event recap email; keep the {…}
   * fields as they are. */
  email.intro[0] = _("Thank you for being part of {event_name} at {event_venue}. A night like that only works because of the people in the room, and you were one of them.");
  /* TRANSLATORS: in the starter post-event recap email. */
  email.intro[1] = _("How was it for you? Reply to this email and tell us what you enjoyed and what we could do better. We read every message.");
  /* TRANSLATORS: in the starter post-event recap email. */
  email.intro[2] = _("We’re already planning the next one, and you’ll be among the first to know when tickets go on sale.");
  /* TRANSLATORS: the closing before the signature of the starter
   * post-event recap email. */
  email.closing = _("See you next time,");
  email.signature = signature ();
  /* TRANSLATORS: the footer of the starter post-event recap email, saying
   * why the contact gets it; keep {event_name} as it is. */
  email.footer = _("You’re getting this email because you came to {event_name}.");

  /* TRANSLATORS: the name of a starter template. */
  add_email (templates, "post-event-recap-email", _("Post-Event Recap (Email)"), &email);

  add_sms (templates, "post-event-recap-sms",
           /* TRANSLATORS: the name of a starter template. */
           _("Post-Event Recap (SMS)"),
           /* TRANSLATORS: the starter post-event recap text message. Keep
            * the {…} fields as they are (translate only the words after
            * "|"). Use plain characters (straight quotes, no dashes or
            * emoji) where your language allows, and stay under 160
            * characters with the fields filled in. */
           _("Thanks for coming to {event_name}, {first_name|friend}! How was it? Just reply, "
             "we read every message.\n- {sender_name|The team}\n{unsubscribe}"));
}

static void
add_re_engagement (GPtrArray *templates)
{
  Email email = { 0 };

  /* TRANSLATORS: the subject of the starter re-engagement email. Keep
   * {first_name|…} as it is, but translate the word after "|": it is what
   * a contact without a first name reads instead. */
  email.subject = _("It’s been a while, {first_name|friend}");
  /* TRANSLATORS: the preview line of the starter re-engagement email,
   * shown by inboxes after the subject. */
  email.preheader = _("Here’s what’s coming up, and a quick word about our emails.");
  /* TRANSLATORS: the heading of the starter re-engagement email. */
  email.heading = _("It’s been a while");
  email.greeting = greeting ();
  /* TRANSLATORS: in the starter re-engagement email. */
  email.intro[0] = _("We haven’t seen you at one of our nights for a while, and we’d love to change that. There’s plenty coming up, and we think you’ll find something you like.");
  /* TRANSLATORS: the button of the starter re-engagement email. */
  email.button_label = _("See what’s on");
  email.button_href = TURNOUT_STARTER_PLACEHOLDER_URL "events";
  /* TRANSLATORS: in the starter re-engagement email. */
  email.outro[0] = _("And if you’d rather not hear from us any more, that’s fine too: the unsubscribe link at the bottom of this email takes you off the list.");
  /* TRANSLATORS: the closing before the signature of the starter
   * re-engagement email. */
  email.closing = _("Hope to see you soon,");
  email.signature = signature ();
  /* TRANSLATORS: the footer of the starter re-engagement email, saying why
   * the contact gets it. */
  email.footer = _("You’re getting this email because you came to one of our events or signed up to hear from us.");

  /* TRANSLATORS: the name of a starter template. */
  add_email (templates, "re-engagement-email", _("Re-Engagement (Email)"), &email);

  add_sms (templates, "re-engagement-sms",
           /* TRANSLATORS: the name of a starter template. */
           _("Re-Engagement (SMS)"),
           /* TRANSLATORS: the starter re-engagement text message. Keep the
            * {…} fields and the address as they are (translate only the
            * words after "|"). Use plain characters (straight quotes, no
            * dashes or emoji) where your language allows, and stay under
            * 160 characters with the fields filled in. */
           _("Hi {first_name|there}, it's been a while! We'd love to see you again. Here's what's "
             "coming up: https://example.com/events\n- {sender_name|The team}\n{unsubscribe}"));
}

/**
 * turnout_starter_templates_new:
 *
 * Builds the starter templates in the current language: Ticket
 * Confirmation, Event Announcement, Post-Event Recap and Re-Engagement,
 * each as an email and as an SMS, in that order. The announcement and
 * re-engagement link to addresses under %TURNOUT_STARTER_PLACEHOLDER_URL
 * that the user has to replace; the others link nowhere.
 *
 * Returns: (transfer container) (element-type TurnoutStarterTemplate):
 *   eight templates; freeing the array frees them.
 */
GPtrArray *
turnout_starter_templates_new (void)
{
  GPtrArray *templates = g_ptr_array_new_with_free_func (starter_template_free);

  add_ticket_confirmation (templates);
  add_event_announcement (templates);
  add_post_event_recap (templates);
  add_re_engagement (templates);

  return templates;
}
