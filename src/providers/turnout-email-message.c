/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-email-message"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gmime/gmime.h>

#include "turnout-email-message.h"

#include "turnout-clock.h"
#include "turnout-contacts.h"
#include "turnout-html-text.h"
#include "turnout-starter-templates.h"

/*
 * Everything that reaches a header is checked before GMime sees it: a line
 * break in a name or a subject would let a merge value (a contact's name
 * comes from an import) add headers of its own, such as Bcc. GMime then does
 * the encoding — RFC 2047 words, folding, quoted-printable or base64 — which
 * is easy to get subtly wrong by hand.
 */

G_DEFINE_QUARK (turnout-email-message-error-quark, turnout_email_message_error)

/* Padding after the hidden preheader, so that inboxes show nothing of the
 * body after it: a combining grapheme joiner, a zero-width non-joiner and a
 * no-break space, which mail apps show as nothing (the starter templates
 * use the same). */
#define PREHEADER_FILL "&#847;&zwnj;&nbsp;"
#define PREHEADER_FILL_COUNT 60

/* The longest unsubscribe address that still leaves its header line well
 * within the 998 octets SMTP allows. */
#define MAX_URL_LENGTH 900

/**
 * turnout_email_message_init:
 *
 * Initializes GMime once, from any thread (g_mime_init() itself is not
 * thread-safe, and messages are composed and written on workers).
 */
void
turnout_email_message_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

static gboolean
is_blank (const char *value)
{
  if (value == NULL)
    return TRUE;
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* A header value must be one line of valid text: a CR or LF would end the
 * header and start another. Other control characters have no business in
 * a header either. @label names the field for the user. */
static gboolean
check_header_text (const char                *value,
                   const char                *label,
                   TurnoutEmailMessageError   code,
                   GError                   **error)
{
  if (!g_utf8_validate (value, -1, NULL))
    {
      /* TRANSLATORS: %s is the field, such as "Subject" or "Recipient name". */
      g_set_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, code, _("%s: this is not valid UTF-8 text"),
                   label);
      return FALSE;
    }
  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, code,
                     /* TRANSLATORS: %s is the field, such as "Subject"; %d a
                      * position in it, counted in characters from 1. */
                     _("%s: a line break or another control character at position %d can’t go "
                       "into an email header"),
                     label, (int) g_utf8_pointer_to_offset (value, p) + 1);
        return FALSE;
      }
  return TRUE;
}

/* Checks an address and returns it as it goes into a header: lower-cased,
 * its domain in ASCII (xn--) form. A local part beyond ASCII would need
 * SMTPUTF8, which many servers don't offer, so it is refused here rather
 * than failing at the server. */
static char *
dup_header_address (const char                *value,
                    const char                *label,
                    TurnoutEmailMessageError   code,
                    GError                   **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *ascii_domain = NULL;
  g_autofree char *local = NULL;
  const char *at;

  if (!check_header_text (value, label, code, error))
    return NULL;
  normalized = turnout_email_normalize (value, &local_error);
  if (normalized == NULL)
    {
      /* TRANSLATORS: %s is the field, such as "Recipient address", then
       * what is wrong with it. */
      g_set_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, code, _("%s: %s"), label,
                   local_error->message);
      return NULL;
    }
  at = strchr (normalized, '@');
  local = g_strndup (normalized, at - normalized);
  if (!g_str_is_ascii (local))
    {
      g_set_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, code,
                   _("%s: “%s” has characters beyond ASCII before the “@”, which most mail "
                     "servers refuse"),
                   label, normalized);
      return NULL;
    }
  ascii_domain = g_hostname_to_ascii (at + 1);
  if (ascii_domain == NULL)
    {
      g_set_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, code,
                   _("%s: “%s” is not a valid domain name"), label, at + 1);
      return NULL;
    }
  return g_strconcat (local, "@", ascii_domain, NULL);
}

/* A display name: NULL when there is none to show. */
static gboolean
dup_header_name (const char                *value,
                 const char                *label,
                 TurnoutEmailMessageError   code,
                 char                     **name,
                 GError                   **error)
{
  *name = NULL;
  if (is_blank (value))
    return TRUE;
  if (!check_header_text (value, label, code, error))
    return FALSE;
  *name = g_strstrip (g_strdup (value));
  return TRUE;
}

/* The https unsubscribe page as it goes between angle brackets: ASCII
 * only, its host in xn-- form, other bytes beyond ASCII, spaces, quotes
 * and angle brackets percent-encoded. */
static char *
dup_header_url (const char  *value,
                GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = g_strstrip (g_strdup (value));
  g_autofree char *written = NULL;
  GString *encoded;
  const char *host;
  const char *host_end;

  if (!check_header_text (url, _("Unsubscribe web address"), TURNOUT_EMAIL_MESSAGE_ERROR_SETUP,
                          error))
    return NULL;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
      is_blank (g_uri_get_host (uri)))
    {
      g_set_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP,
                   _("Unsubscribe web address: “%s” is not an https:// address; change it in "
                     "Preferences"),
                   url);
      return NULL;
    }

  /* The host as written: GUri gives it back already converted, so find it
   * in the text, between "https://" (and any user info) and the port, the
   * path, the query or the fragment. */
  host = url + strlen ("https://");
  host_end = host + strcspn (host, "/?#");
  for (const char *p = host; p < host_end; p++)
    if (*p == '@')
      host = p + 1;
  for (const char *p = *host == '[' ? memchr (host, ']', host_end - host) : host;
       p != NULL && p < host_end; p++)
    if (*p == ':')
      {
        host_end = p;
        break;
      }
  written = g_strndup (host, host_end - host);
  if (!g_str_is_ascii (written))
    {
      g_autofree char *ascii_host = g_hostname_to_ascii (written);

      if (ascii_host == NULL)
        {
          g_set_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP,
                       _("Unsubscribe web address: “%s” is not a valid host name"), written);
          return NULL;
        }
      {
        g_autofree char *before = g_strndup (url, host - url);
        g_autofree char *after = g_strdup (host_end);

        g_free (url);
        url = g_strconcat (before, ascii_host, after, NULL);
      }
    }

  encoded = g_string_new (NULL);
  for (const guchar *p = (const guchar *) url; *p != '\0'; p++)
    if (*p >= 0x80 || *p == ' ' || *p == '"' || *p == '<' || *p == '>')
      g_string_append_printf (encoded, "%%%02X", *p);
    else
      g_string_append_c (encoded, *p);
  if (encoded->len > MAX_URL_LENGTH)
    {
      g_set_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP,
                   _("Unsubscribe web address: it has %u characters; at most %d fit in an "
                     "email header"),
                   (guint) encoded->len, MAX_URL_LENGTH);
      g_string_free (encoded, TRUE);
      return NULL;
    }
  return g_string_free (encoded, FALSE);
}

/* Line ends as LF, whatever the template was saved with. */
static char *
dup_lf (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (out, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* MIME's canonical form of text is CRLF line ends, which matters when a
 * part ends up in base64: the decoded bytes are what the reader gets. */
static char *
dup_crlf (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + strlen (text) / 32);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append_c (out, '\r');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The postal address as lines: each trimmed, empty ones dropped. */
static GStrv
split_postal_address (const char *postal_address)
{
  g_autofree char *lf = dup_lf (postal_address);
  g_auto(GStrv) lines = g_strsplit (lf, "\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] != '\0')
        g_strv_builder_add (builder, lines[i]);
    }
  return g_strv_builder_end (builder);
}

/* Where @needle first (or last) occurs in @haystack, ignoring ASCII case;
 * NULL when it doesn't. */
static const char *
find_ascii_case (const char *haystack,
                 const char *needle,
                 gboolean    last)
{
  gsize needle_len = strlen (needle);
  const char *found = NULL;

  for (const char *p = haystack; *p != '\0'; p++)
    if (g_ascii_strncasecmp (p, needle, needle_len) == 0)
      {
        found = p;
        if (!last)
          break;
      }
  return found;
}

static gboolean
has_preheader_element (const char *html)
{
  return find_ascii_case (html, "class=\"preheader\"", FALSE) != NULL ||
         find_ascii_case (html, "class='preheader'", FALSE) != NULL ||
         find_ascii_case (html, "class=preheader", FALSE) != NULL;
}

/* Just after the <body> tag, or the start when there is none. */
static gsize
find_body_start (const char *html)
{
  for (const char *p = html; (p = find_ascii_case (p, "<body", FALSE)) != NULL; p++)
    if (p[5] == '>' || g_ascii_isspace (p[5]))
      {
        const char *end = strchr (p, '>');

        return end != NULL ? (gsize) (end + 1 - html) : 0;
      }
  return 0;
}

static char *
build_html (const char         *html,
            const char         *preheader,
            const char * const *address_lines)
{
  GString *out = g_string_new (html);
  g_autofree char *address = NULL;
  const char *mark;
  const char *body_end;

  {
    g_auto(GStrv) escaped = g_new0 (char *, g_strv_length ((GStrv) address_lines) + 1);

    for (guint i = 0; address_lines[i] != NULL; i++)
      escaped[i] = g_markup_escape_text (address_lines[i], -1);
    address = g_strjoinv ("<br>\n", escaped);
  }

  /* The footer first: inserting the preheader would move it. */
  mark = strstr (out->str, TURNOUT_STARTER_POSTAL_ADDRESS_MARK);
  body_end = find_ascii_case (out->str, "</body", TRUE);
  if (mark != NULL)
    {
      gsize at = mark - out->str;
      g_autofree char *footer = g_strdup_printf ("<p style=\"margin:0 0 8px;\">%s</p>", address);

      g_string_erase (out, at, strlen (TURNOUT_STARTER_POSTAL_ADDRESS_MARK));
      g_string_insert (out, at, footer);
    }
  else
    {
      g_autofree char *footer =
        g_strdup_printf ("<div style=\"margin:24px 0 0;font-size:13px;"
                         "line-height:20px;color:#6b6573;\">\n<p style=\"margin:0;\">%s</p>\n"
                         "</div>\n",
                         address);

      if (body_end != NULL)
        g_string_insert (out, body_end - out->str, footer);
      else
        {
          if (out->len > 0 && out->str[out->len - 1] != '\n')
            g_string_append_c (out, '\n');
          g_string_append (out, footer);
        }
    }

  if (!is_blank (preheader) && !has_preheader_element (html))
    {
      g_autofree char *escaped = g_markup_escape_text (preheader, -1);
      GString *span = g_string_new (NULL);

      g_string_append (span,
                       "<span class=\"preheader\" style=\"display:none !important;"
                       "visibility:hidden;mso-hide:all;font-size:1px;line-height:1px;"
                       "max-height:0;max-width:0;opacity:0;overflow:hidden;\">");
      g_string_append (span, g_strstrip (escaped));
      for (int i = 0; i < PREHEADER_FILL_COUNT; i++)
        g_string_append (span, PREHEADER_FILL);
      g_string_append (span, "</span>\n");
      g_string_insert (out, find_body_start (out->str), span->str);
      g_string_free (span, TRUE);
    }

  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

static char *
build_text (const char         *text,
            const char * const *address_lines)
{
  GString *out = g_string_new (text);
  g_autofree char *address = g_strjoinv ("\n", (GStrv) address_lines);

  g_strchomp (out->str);
  g_string_set_size (out, strlen (out->str));
  if (out->len > 0)
    g_string_append (out, "\n\n");
  g_string_append (out, address);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/* Gives @part new content, its transfer encoding to be chosen again. */
static void
set_text_content (GMimePart  *part,
                  const char *content)
{
  g_autofree char *crlf = dup_crlf (content);
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (crlf, strlen (crlf));
  GMimeDataWrapper *wrapper = g_mime_data_wrapper_new_with_stream (stream,
                                                                   GMIME_CONTENT_ENCODING_DEFAULT);

  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_DEFAULT);
  g_object_unref (wrapper);
  g_object_unref (stream);
}

static GMimeObject *
new_text_part (const char *subtype,
               const char *content)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype (subtype);

  set_text_content (GMIME_PART (part), content);
  g_mime_text_part_set_charset (part, "utf-8");
  return GMIME_OBJECT (part);
}

static void
add_mailbox (GMimeMessage     *message,
             GMimeAddressType  type,
             const char       *name,
             const char       *address)
{
  InternetAddress *mailbox = internet_address_mailbox_new (name, address);

  /* Without it GMime writes names that fit Latin-1 as ISO-8859-1 words. */
  internet_address_set_charset (mailbox, "utf-8");
  internet_address_list_add (g_mime_message_get_addresses (message, type), mailbox);
  g_object_unref (mailbox);
}

/* A random id in the sender's domain: the domain makes it unique across
 * senders, 122 random bits make it unique within one. */
static char *
generate_message_id (const char *from_address)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *id = g_string_new (NULL);

  for (const char *p = uuid; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (id, *p);
  g_string_append (id, strchr (from_address, '@'));
  return g_string_free (id, FALSE);
}

/*
 * A composer keeps the last message's GMime objects and, for the next
 * message from the same sender with the same shape, changes only what
 * differs (To, Subject, Date, Message-ID and the two bodies): building and
 * freeing the tree of a few dozen GObjects was most of the cost of a
 * message. The bytes are the same as a fresh message's but for the
 * multipart boundary, which stays.
 */
struct _TurnoutEmailComposer
{
  GMimeMessage       *message;     /* nullable */
  char               *key;         /* the sender's headers and the shape it was built for */
  GMimePart          *text_part;   /* borrowed from @message */
  GMimePart          *html_part;   /* borrowed, NULL: text only */
  GMimeFormatOptions *options;
};

/**
 * turnout_email_composer_new:
 *
 * Returns: (transfer full): a composer, for one thread at a time.
 */
TurnoutEmailComposer *
turnout_email_composer_new (void)
{
  TurnoutEmailComposer *composer = g_new0 (TurnoutEmailComposer, 1);

  turnout_email_message_init ();
  composer->options = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (composer->options, GMIME_NEWLINE_FORMAT_DOS);
  return composer;
}

void
turnout_email_composer_free (TurnoutEmailComposer *composer)
{
  if (composer == NULL)
    return;
  g_clear_object (&composer->message);
  g_free (composer->key);
  g_mime_format_options_free (composer->options);
  g_free (composer);
}

/**
 * turnout_email_message_compose:
 * @parts: what the email is made of
 * @message_id_out: (out) (optional) (transfer full): the Message-ID, without
 *   angle brackets, for the send log
 * @error: a %TURNOUT_EMAIL_MESSAGE_ERROR saying which field is wrong and why
 *
 * Composes one email (see the top of turnout-email-message.h). Works on
 * any thread; it does no IO.
 *
 * Returns: (transfer full): the message with CRLF line ends, not
 *   dot-stuffed, or %NULL with @error set.
 */
GBytes *
turnout_email_message_compose (const TurnoutEmailParts  *parts,
                               char                    **message_id_out,
                               GError                  **error)
{
  g_autoptr(TurnoutEmailComposer) composer = turnout_email_composer_new ();

  return turnout_email_composer_compose (composer, parts, message_id_out, error);
}

/**
 * turnout_email_composer_compose:
 *
 * turnout_email_message_compose(), reusing what the last message of
 * @composer had in common with this one.
 */
GBytes *
turnout_email_composer_compose (TurnoutEmailComposer     *composer,
                                const TurnoutEmailParts  *parts,
                                char                    **message_id_out,
                                GError                  **error)
{
  g_autofree char *from_address = NULL;
  g_autofree char *to_address = NULL;
  g_autofree char *from_name = NULL;
  g_autofree char *to_name = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *unsubscribe_address = NULL;
  g_autofree char *unsubscribe_url = NULL;
  g_autofree char *list_unsubscribe = NULL;
  g_autofree char *html = NULL;
  g_autofree char *text = NULL;
  g_autofree char *message_id = NULL;
  g_auto(GStrv) address_lines = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *key = NULL;
  GMimeMessage *message;
  GMimeStream *stream;
  GBytes *bytes = NULL;

  g_return_val_if_fail (composer != NULL, NULL);
  g_return_val_if_fail (parts != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  turnout_email_message_init ();

  /* The sender's setup first: without it no email can go out at all. */
  if (is_blank (parts->from_address))
    {
      g_set_error_literal (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP,
                           _("No From address is set: enter the address emails are sent from "
                             "in Preferences"));
      return NULL;
    }
  from_address = dup_header_address (parts->from_address, _("From address"),
                                     TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, error);
  if (from_address == NULL ||
      !dup_header_name (parts->from_name, _("From name"), TURNOUT_EMAIL_MESSAGE_ERROR_SETUP,
                        &from_name, error))
    return NULL;
  if (is_blank (parts->postal_address))
    {
      g_set_error_literal (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP,
                           _("No postal address is set: the law asks every marketing email to "
                             "show the sender’s postal address; enter it in Preferences"));
      return NULL;
    }
  if (!g_utf8_validate (parts->postal_address, -1, NULL))
    {
      g_set_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP,
                   _("%s: this is not valid UTF-8 text"), _("Postal address"));
      return NULL;
    }
  address_lines = split_postal_address (parts->postal_address);
  if (is_blank (parts->unsubscribe_mailto))
    unsubscribe_address = g_strdup (from_address);
  else
    {
      g_autofree char *mailto = g_strstrip (g_strdup (parts->unsubscribe_mailto));
      const char *address = mailto;

      if (g_ascii_strncasecmp (address, "mailto:", strlen ("mailto:")) == 0)
        address += strlen ("mailto:");
      unsubscribe_address = dup_header_address (address, _("Unsubscribe address"),
                                                TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, error);
      if (unsubscribe_address == NULL)
        return NULL;
    }
  if (!is_blank (parts->unsubscribe_url) &&
      (unsubscribe_url = dup_header_url (parts->unsubscribe_url, error)) == NULL)
    return NULL;

  /* Then the recipient. */
  if (is_blank (parts->to_address))
    {
      g_set_error_literal (error, TURNOUT_EMAIL_MESSAGE_ERROR,
                           TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT,
                           _("The recipient has no email address"));
      return NULL;
    }
  to_address = dup_header_address (parts->to_address, _("Recipient address"),
                                   TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT, error);
  if (to_address == NULL ||
      !dup_header_name (parts->to_name, _("Recipient name"),
                        TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT, &to_name, error))
    return NULL;

  /* Then the content. */
  if (is_blank (parts->subject))
    {
      g_set_error_literal (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT,
                           _("The subject is empty"));
      return NULL;
    }
  if (!check_header_text (parts->subject, _("Subject"), TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT,
                          error))
    return NULL;
  subject = g_strstrip (g_strdup (parts->subject));
  if ((parts->html != NULL && !g_utf8_validate (parts->html, -1, NULL)) ||
      (parts->text != NULL && !g_utf8_validate (parts->text, -1, NULL)) ||
      (parts->preheader != NULL && !g_utf8_validate (parts->preheader, -1, NULL)))
    {
      g_set_error_literal (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT,
                           _("The email’s text is not valid UTF-8"));
      return NULL;
    }
  if (is_blank (parts->html) && is_blank (parts->text))
    {
      g_set_error_literal (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT,
                           _("The email has no text: both its HTML and its plain text are "
                             "empty"));
      return NULL;
    }
  {
    g_autofree char *html_lf = is_blank (parts->html) ? NULL : dup_lf (parts->html);
    g_autofree char *text_lf = NULL;

    if (!is_blank (parts->text))
      text_lf = dup_lf (parts->text);
    else
      text_lf = turnout_html_to_text (html_lf);
    text = build_text (text_lf, (const char * const *) address_lines);
    if (html_lf != NULL)
      html = build_html (html_lf, parts->preheader, (const char * const *) address_lines);
  }

  /* RFC 2369 asks for the subject "unsubscribe" in mailto links of
   * List-Unsubscribe; the local part keeps "+" and the like unescaped. */
  {
    g_autofree char *escaped = g_uri_escape_string (unsubscribe_address, "!$'()*+,;:@", FALSE);

    if (unsubscribe_url != NULL)
      list_unsubscribe = g_strdup_printf ("<mailto:%s?subject=unsubscribe>, <%s>", escaped,
                                          unsubscribe_url);
    else
      list_unsubscribe = g_strdup_printf ("<mailto:%s?subject=unsubscribe>", escaped);
  }

  /* UTC: the Date says when, not where the promoter's computer is. */
  date = g_date_time_new_from_unix_utc (parts->date != 0
                                        ? parts->date
                                        : turnout_clock_get_unix (turnout_clock_get_default ()));
  message_id = generate_message_id (from_address);

  key = g_strjoin ("\x1f", from_name != NULL ? from_name : "", from_address, list_unsubscribe,
                   unsubscribe_url != NULL ? "one-click" : "", html != NULL ? "html" : "text",
                   NULL);
  if (composer->message != NULL && g_str_equal (key, composer->key))
    {
      /* The same sender, the same shape: only what differs changes. */
      message = composer->message;
      internet_address_list_clear (g_mime_message_get_addresses (message, GMIME_ADDRESS_TYPE_TO));
      add_mailbox (message, GMIME_ADDRESS_TYPE_TO, to_name, to_address);
      g_mime_message_set_subject (message, subject, "utf-8");
      g_mime_message_set_date (message, date);
      g_mime_message_set_message_id (message, message_id);
      set_text_content (composer->text_part, text);
      if (html != NULL)
        set_text_content (composer->html_part, html);
    }
  else
    {
      g_clear_object (&composer->message);
      g_free (composer->key);
      composer->key = g_steal_pointer (&key);
      message = composer->message = g_mime_message_new (FALSE);
      add_mailbox (message, GMIME_ADDRESS_TYPE_FROM, from_name, from_address);
      add_mailbox (message, GMIME_ADDRESS_TYPE_TO, to_name, to_address);
      g_mime_message_set_subject (message, subject, "utf-8");
      g_mime_message_set_date (message, date);
      g_mime_message_set_message_id (message, message_id);
      g_mime_object_append_header (GMIME_OBJECT (message), "List-Unsubscribe", list_unsubscribe,
                                   NULL);
      if (unsubscribe_url != NULL)
        g_mime_object_append_header (GMIME_OBJECT (message), "List-Unsubscribe-Post",
                                     "List-Unsubscribe=One-Click", NULL);

      composer->text_part = GMIME_PART (new_text_part ("plain", text));
      composer->html_part = NULL;
      if (html != NULL)
        {
          GMimeMultipart *alternative = g_mime_multipart_new_with_subtype ("alternative");

          composer->html_part = GMIME_PART (new_text_part ("html", html));
          /* Readers show the last alternative they can: text first, HTML last. */
          g_mime_multipart_add (alternative, GMIME_OBJECT (composer->text_part));
          g_mime_multipart_add (alternative, GMIME_OBJECT (composer->html_part));
          g_mime_message_set_mime_part (message, GMIME_OBJECT (alternative));
          g_object_unref (alternative);
          g_object_unref (composer->html_part);
        }
      else
        g_mime_message_set_mime_part (message, GMIME_OBJECT (composer->text_part));
      g_object_unref (composer->text_part);
    }

  /* 7bit: some relays still mangle 8-bit bodies, and long lines must be
   * encoded anyway; GMime picks quoted-printable or base64 per part. */
  g_mime_object_encode (GMIME_OBJECT (message), GMIME_ENCODING_CONSTRAINT_7BIT);

  stream = g_mime_stream_mem_new ();
  if (g_mime_object_write_to_stream (GMIME_OBJECT (message), composer->options, stream) < 0)
    g_set_error_literal (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT,
                         _("The email could not be composed"));
  else
    {
      GByteArray *array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));

      bytes = g_bytes_new (array->data, array->len);
      if (message_id_out != NULL)
        *message_id_out = g_steal_pointer (&message_id);
    }
  g_object_unref (stream);
  return bytes;
}
