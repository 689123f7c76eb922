/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-email-message"

#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "turnout-email-message.h"
#include "turnout-html-text.h"
#include "turnout-render.h"
#include "turnout-starter-templates.h"
#include "turnout-test-utils.h"

/*
 * Each message is read back the way a mail program reads it — GMime's
 * parser, and Python's email package as a second, independent reader — and
 * its bytes are checked against what SMTP allows: ASCII only (everything
 * beyond is encoded), CRLF line ends, lines of at most 998 octets, encoded
 * body lines of at most 78.
 */

#define POSTAL "Depot Nights LLC\n 12 Dock Street \n\nSpringfield, IL 62701"
#define POSTAL_LINES "Depot Nights LLC\n12 Dock Street\nSpringfield, IL 62701"
#define POSTAL_HTML "Depot Nights LLC<br>\n12 Dock Street<br>\nSpringfield, IL 62701"
#define DATE 1700000000

static const char html_input[] =
  "<!DOCTYPE html>\n<html><head><title>Friday</title></head>\n"
  "<body style=\"margin:0\">\n"
  "<h1>Hi Zoë 🎉</h1>\n"
  "<p>Doors open at 9 &amp; the bar stays open late.</p>\n"
  "</body>\n</html>\n";

static const char text_input[] = "Hi Zoë 🎉\r\n\r\nDoors open at 9 & the bar stays open late.\r\n\r\n";

static TurnoutEmailParts
example_parts (void)
{
  TurnoutEmailParts parts = {
    .from_name = "Zoë’s Depot Nights",
    .from_address = "tickets@depot.example",
    .to_name = "Ana 🎉 Müller, Jr.",
    .to_address = "ana@fans.example",
    .subject = "Zoë, your ticket 🎟 for Friday — doors at 9, and a long tail to make it fold",
    .preheader = "Doors 9pm & last entry 1am",
    .html = html_input,
    .text = text_input,
    .unsubscribe_mailto = "unsub+list@depot.example",
    .unsubscribe_url = "https://depot.example/u/abc123",
    .postal_address = POSTAL,
    .date = DATE,
  };

  return parts;
}

typedef enum
{
  SEEN_7BIT = 1 << 0,
  SEEN_QP = 1 << 1,
  SEEN_BASE64 = 1 << 2,
} SeenEncodings;

/* The bytes as SMTP DATA takes them. Returns which body encodings it saw,
 * so the callers can check that the limits were tested where they matter. */
static SeenEncodings
assert_wire_format (GBytes *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_headers = TRUE;
  gboolean is_text = FALSE;
  SeenEncodings encoding = 0;
  SeenEncodings body = 0;
  SeenEncodings seen = 0;

  g_assert_cmpuint (size, >=, 2);
  for (gsize i = 0; i < size; i++)
    {
      g_assert_cmpint ((guchar) data[i], !=, 0);
      g_assert_cmpint ((guchar) data[i], <, 0x80);
      if (data[i] == '\n')
        g_assert_true (i > 0 && data[i - 1] == '\r');
      if (data[i] == '\r')
        g_assert_true (i + 1 < size && data[i + 1] == '\n');
    }
  g_assert_true (data[size - 2] == '\r' && data[size - 1] == '\n');

  copy = g_strndup (data, size);
  lines = g_strsplit (copy, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gsize len = strlen (line);

      g_assert_cmpuint (len, <=, 998);
      if (in_headers)
        {
          if (len == 0)
            {
              /* The body of a text part follows; anything else (a
               * multipart's preamble) counts as no part. */
              in_headers = FALSE;
              body = is_text ? (encoding != 0 ? encoding : SEEN_7BIT) : 0;
              seen |= body;
            }
          else if (g_ascii_strncasecmp (line, "Content-Transfer-Encoding: ", 27) == 0)
            {
              if (g_ascii_strcasecmp (line + 27, "quoted-printable") == 0)
                encoding = SEEN_QP;
              else if (g_ascii_strcasecmp (line + 27, "base64") == 0)
                encoding = SEEN_BASE64;
              else if (g_ascii_strcasecmp (line + 27, "7bit") == 0)
                encoding = SEEN_7BIT;
              else
                g_error ("unexpected %s", line);
            }
          else if (g_ascii_strncasecmp (line, "Content-Type: text/", 19) == 0)
            is_text = TRUE;
          continue;
        }
      if (g_str_has_prefix (line, "--=-"))
        {
          /* A boundary: the next part's headers follow. */
          in_headers = TRUE;
          is_text = FALSE;
          encoding = 0;
          continue;
        }
      if (body == SEEN_QP || body == SEEN_BASE64)
        g_assert_cmpuint (len, <=, 78);
    }
  return seen;
}

static GMimeMessage *
parse (GBytes *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, size);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);

  g_assert_nonnull (message);
  g_object_unref (parser);
  g_object_unref (stream);
  return message;
}

static char *
dup_raw_header (GMimeMessage *message,
                const char   *name)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  GMimeHeader *header = g_mime_header_list_get_header (headers, name);

  return header != NULL ? g_strdup (g_mime_header_get_raw_value (header)) : NULL;
}

static void
assert_mime_type (GMimeObject *part,
                  const char  *expected)
{
  g_autofree char *mime_type =
    g_mime_content_type_get_mime_type (g_mime_object_get_content_type (part));

  g_assert_cmpstr (mime_type, ==, expected);
}

/* The decoded text of a part, with LF line ends. */
static char *
dup_part_text (GMimeObject *part)
{
  g_autofree char *text = NULL;
  GString *out;

  g_assert_true (GMIME_IS_TEXT_PART (part));
  g_assert_cmpstr (g_mime_object_get_content_type_parameter (part, "charset"), ==, "utf-8");
  text = g_mime_text_part_get_text (GMIME_TEXT_PART (part));
  out = g_string_new (text);
  g_string_replace (out, "\r\n", "\n", 0);
  return g_string_free (out, FALSE);
}

static GBytes *
compose (const TurnoutEmailParts  *parts,
         char                    **message_id)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = turnout_email_message_compose (parts, message_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static void
assert_refused (const TurnoutEmailParts  *parts,
                TurnoutEmailMessageError  code,
                const char               *words)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  GBytes *bytes = turnout_email_message_compose (parts, &message_id, &error);

  g_assert_null (bytes);
  g_assert_null (message_id);
  g_assert_error (error, TURNOUT_EMAIL_MESSAGE_ERROR, (int) code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
}

static void
test_headers (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autofree char *message_id = NULL;
  g_autoptr(GBytes) bytes = compose (&parts, &message_id);
  GMimeMessage *message = parse (bytes);
  InternetAddressList *list;
  InternetAddress *address;
  GDateTime *date;
  g_autofree char *raw_subject = NULL;
  g_autofree char *raw_from = NULL;
  g_autofree char *raw_to = NULL;
  g_autofree char *raw_unsubscribe = NULL;
  g_autofree char *list_unsubscribe = NULL;
  g_autofree char *list_post = NULL;
  g_autofree char *mime_version = NULL;

  assert_wire_format (bytes);

  list = g_mime_message_get_from (message);
  g_assert_cmpint (internet_address_list_length (list), ==, 1);
  address = internet_address_list_get_address (list, 0);
  g_assert_cmpstr (internet_address_get_name (address), ==, "Zoë’s Depot Nights");
  g_assert_cmpstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)), ==,
                   "tickets@depot.example");

  list = g_mime_message_get_to (message);
  g_assert_cmpint (internet_address_list_length (list), ==, 1);
  address = internet_address_list_get_address (list, 0);
  g_assert_cmpstr (internet_address_get_name (address), ==, "Ana 🎉 Müller, Jr.");
  g_assert_cmpstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)), ==,
                   "ana@fans.example");
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_cc (message)), ==, 0);
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_bcc (message)), ==, 0);

  g_assert_cmpstr (g_mime_message_get_subject (message), ==, parts.subject);
  /* Encoded per RFC 2047 in UTF-8, and folded (the wire check saw ASCII). */
  raw_subject = dup_raw_header (message, "Subject");
  g_assert_nonnull (strstr (raw_subject, "=?UTF-8?"));
  g_assert_nonnull (strstr (raw_subject, "\r\n "));
  raw_from = dup_raw_header (message, "From");
  g_assert_nonnull (strstr (raw_from, "=?UTF-8?"));
  raw_to = dup_raw_header (message, "To");
  g_assert_nonnull (strstr (raw_to, "=?UTF-8?"));

  date = g_mime_message_get_date (message);
  g_assert_nonnull (date);
  g_assert_cmpint (g_date_time_to_unix (date), ==, DATE);

  g_assert_nonnull (message_id);
  g_assert_cmpstr (g_mime_message_get_message_id (message), ==, message_id);
  g_assert_true (g_str_has_suffix (message_id, "@depot.example"));
  g_assert_cmpuint (strlen (message_id), >, strlen ("@depot.example") + 16);

  mime_version = dup_raw_header (message, "MIME-Version");
  g_assert_cmpstr (g_strstrip (mime_version), ==, "1.0");

  raw_unsubscribe = dup_raw_header (message, "List-Unsubscribe");
  list_unsubscribe = g_mime_utils_header_unfold (raw_unsubscribe);
  g_assert_cmpstr (g_strstrip (list_unsubscribe), ==,
                   "<mailto:unsub+list@depot.example?subject=unsubscribe>, "
                   "<https://depot.example/u/abc123>");
  list_post = dup_raw_header (message, "List-Unsubscribe-Post");
  g_assert_cmpstr (g_strstrip (list_post), ==, "List-Unsubscribe=One-Click");

  g_assert_finalize_object (message);

  /* Names that fit Latin-1 are still written in UTF-8, as the body is. */
  parts.to_name = "Zoë Café";
  parts.subject = "Café night";
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = compose (&parts, NULL);
  message = parse (bytes);
  g_clear_pointer (&raw_to, g_free);
  raw_to = dup_raw_header (message, "To");
  g_assert_nonnull (strstr (raw_to, "=?UTF-8?"));
  g_assert_null (strstr (raw_to, "iso-8859"));
  g_assert_null (strstr (raw_to, "ISO-8859"));
  g_clear_pointer (&raw_subject, g_free);
  raw_subject = dup_raw_header (message, "Subject");
  g_assert_nonnull (strstr (raw_subject, "=?UTF-8?"));
  address = internet_address_list_get_address (g_mime_message_get_to (message), 0);
  g_assert_cmpstr (internet_address_get_name (address), ==, "Zoë Café");
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Café night");
  g_assert_finalize_object (message);
}

static void
test_parts (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autoptr(GBytes) bytes = compose (&parts, NULL);
  GMimeMessage *message = parse (bytes);
  GMimeObject *body = g_mime_message_get_mime_part (message);
  GMimeMultipart *multipart;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  const char *span;
  const char *span_end;
  const char *footer;
  g_autoptr(GString) rest = NULL;

  assert_wire_format (bytes);
  g_assert_true (GMIME_IS_MULTIPART (body));
  assert_mime_type (body, "multipart/alternative");
  multipart = GMIME_MULTIPART (body);
  g_assert_cmpint (g_mime_multipart_get_count (multipart), ==, 2);
  assert_mime_type (g_mime_multipart_get_part (multipart, 0), "text/plain");
  assert_mime_type (g_mime_multipart_get_part (multipart, 1), "text/html");

  /* The text as given (line ends aside), then the postal address. */
  text = dup_part_text (g_mime_multipart_get_part (multipart, 0));
  g_assert_cmpstr (text, ==,
                   "Hi Zoë 🎉\n\nDoors open at 9 & the bar stays open late.\n\n" POSTAL_LINES "\n");

  /* The HTML as given, with the hidden preheader first in the body and
   * the postal address last. */
  html = dup_part_text (g_mime_multipart_get_part (multipart, 1));
  span = strstr (html, "<span class=\"preheader\"");
  g_assert_nonnull (span);
  g_assert_true (g_str_has_prefix (strstr (html, "<body"),
                                   "<body style=\"margin:0\"><span class="));
  g_assert_nonnull (strstr (span, "display:none"));
  g_assert_nonnull (strstr (span, ">Doors 9pm &amp; last entry 1am&#847;"));
  span_end = strstr (span, "</span>\n");
  g_assert_nonnull (span_end);
  footer = strstr (html, "<div style=");
  g_assert_nonnull (footer);
  g_assert_true (footer > span_end);
  g_assert_nonnull (strstr (footer, "<p style=\"margin:0;\">" POSTAL_HTML "</p>\n</div>\n"
                                    "</body>\n</html>\n"));
  rest = g_string_new_len (html, span - html);
  g_string_append_len (rest, span_end + strlen ("</span>\n"),
                       footer - (span_end + strlen ("</span>\n")));
  g_string_append (rest, strstr (footer, "</body>"));
  g_assert_cmpstr (rest->str, ==, html_input);

  g_assert_finalize_object (message);
}

/* Long lines and much text beyond ASCII: the parts are encoded, and the
 * encoding gives back exactly what went in. */
static void
test_line_limits (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autoptr(GString) long_text = g_string_new ("Tickets: ");
  g_autoptr(GString) emoji_html = g_string_new ("<p>");
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  GMimeMessage *message;
  GMimeMultipart *multipart;
  SeenEncodings seen;

  for (int i = 0; i < 300; i++)
    g_string_append (long_text, "https://depot.example/t/0123456789");
  g_string_append (long_text, "\nA second line.\n");
  for (int i = 0; i < 400; i++)
    g_string_append (emoji_html, "🎉🎶");
  g_string_append (emoji_html, "</p>\n");
  parts.text = long_text->str;
  parts.html = emoji_html->str;
  parts.preheader = NULL;

  bytes = compose (&parts, NULL);
  seen = assert_wire_format (bytes);
  g_assert_true (seen & (SEEN_QP | SEEN_BASE64));
  g_assert_false (seen & SEEN_7BIT);

  message = parse (bytes);
  multipart = GMIME_MULTIPART (g_mime_message_get_mime_part (message));
  text = dup_part_text (g_mime_multipart_get_part (multipart, 0));
  g_string_append (long_text, "\n" POSTAL_LINES "\n");
  g_assert_cmpstr (text, ==, long_text->str);
  html = dup_part_text (g_mime_multipart_get_part (multipart, 1));
  g_assert_true (g_str_has_prefix (html, emoji_html->str));
  g_assert_nonnull (strstr (html, POSTAL_HTML));
  g_assert_finalize_object (message);
}

/* Plain ASCII with short lines needs no encoding at all. */
static void
test_plain_ascii (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autoptr(GBytes) bytes = NULL;
  GMimeMessage *message;
  g_autofree char *text = NULL;
  g_autofree char *raw_to = NULL;
  g_autofree char *raw_from = NULL;

  parts.html = NULL;
  parts.text = "Doors at 9.\n.A line that starts with a dot stays as it is.\n";
  parts.to_name = NULL;
  parts.from_name = "";
  bytes = compose (&parts, NULL);
  g_assert_cmpint (assert_wire_format (bytes), ==, SEEN_7BIT);
  /* Dot-stuffing is the SMTP client's job. */
  g_assert_nonnull (strstr (g_bytes_get_data (bytes, NULL), "\r\n.A line"));

  message = parse (bytes);
  /* No HTML: one text part, not an alternative of one. */
  g_assert_true (GMIME_IS_TEXT_PART (g_mime_message_get_mime_part (message)));
  text = dup_part_text (g_mime_message_get_mime_part (message));
  g_assert_cmpstr (text, ==, "Doors at 9.\n.A line that starts with a dot stays as it is.\n\n"
                             POSTAL_LINES "\n");
  /* No name: the bare address, no empty quotes. */
  raw_to = dup_raw_header (message, "To");
  g_assert_cmpstr (g_strstrip (raw_to), ==, "ana@fans.example");
  raw_from = dup_raw_header (message, "From");
  g_assert_cmpstr (g_strstrip (raw_from), ==, "tickets@depot.example");
  g_assert_finalize_object (message);
}

/* No plain text: it is made from the HTML, as the renderer does. */
static void
test_text_from_html (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *expected_text = turnout_html_to_text (html_input);
  g_autofree char *text = NULL;
  GMimeMessage *message;

  parts.text = "";
  bytes = compose (&parts, NULL);
  assert_wire_format (bytes);
  message = parse (bytes);
  text = dup_part_text (g_mime_multipart_get_part (
    GMIME_MULTIPART (g_mime_message_get_mime_part (message)), 0));
  g_strchomp (expected_text);
  g_assert_cmpstr (expected_text, !=, "");
  g_assert_true (g_str_has_prefix (text, expected_text));
  g_assert_cmpstr (text + strlen (expected_text), ==, "\n\n" POSTAL_LINES "\n");
  /* The preheader is hidden in the HTML, never in the text. */
  g_assert_null (strstr (text, "Doors 9pm"));
  g_assert_finalize_object (message);
}

static char *
dup_list_unsubscribe (const TurnoutEmailParts  *parts,
                      char                    **post)
{
  g_autoptr(GBytes) bytes = compose (parts, NULL);
  GMimeMessage *message = parse (bytes);
  g_autofree char *raw = dup_raw_header (message, "List-Unsubscribe");
  char *value = g_mime_utils_header_unfold (raw);

  *post = dup_raw_header (message, "List-Unsubscribe-Post");
  g_assert_finalize_object (message);
  return g_strstrip (value);
}

static void
test_unsubscribe (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autofree char *value = NULL;
  g_autofree char *post = NULL;

  /* A mailto alone: no one-click header, since nothing answers a POST. */
  parts.unsubscribe_url = "";
  value = dup_list_unsubscribe (&parts, &post);
  g_assert_cmpstr (value, ==, "<mailto:unsub+list@depot.example?subject=unsubscribe>");
  g_assert_null (post);
  g_clear_pointer (&value, g_free);

  /* Written with its scheme and in capitals, as a user may paste it. */
  parts.unsubscribe_mailto = " mailto:Leave@Depot.example ";
  parts.unsubscribe_url = NULL;
  value = dup_list_unsubscribe (&parts, &post);
  g_assert_cmpstr (value, ==, "<mailto:leave@depot.example?subject=unsubscribe>");
  g_assert_null (post);
  g_clear_pointer (&value, g_free);

  /* None set: the From address takes the requests, so the header is
   * never missing. */
  parts.unsubscribe_mailto = NULL;
  value = dup_list_unsubscribe (&parts, &post);
  g_assert_cmpstr (value, ==, "<mailto:tickets@depot.example?subject=unsubscribe>");
  g_assert_null (post);
  g_clear_pointer (&value, g_free);

  /* A web page, with a space and letters beyond ASCII to encode. */
  parts.unsubscribe_url = "https://dépôt.example/u/a b?c=é";
  value = dup_list_unsubscribe (&parts, &post);
  g_assert_cmpstr (value, ==, "<mailto:tickets@depot.example?subject=unsubscribe>, "
                              "<https://xn--dpt-bma0d.example/u/a%20b?c=%C3%A9>");
  g_assert_cmpstr (g_strstrip (post), ==, "List-Unsubscribe=One-Click");
  g_clear_pointer (&post, g_free);

  parts = example_parts ();
  parts.unsubscribe_url = "http://depot.example/u";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "https://");
  parts.unsubscribe_url = "depot.example/u";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "Unsubscribe web address");
  {
    g_autoptr(GString) long_url = g_string_new ("https://depot.example/u/");

    for (int i = 0; i < 100; i++)
      g_string_append (long_url, "0123456789");
    parts.unsubscribe_url = long_url->str;
    assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "at most 900");
  }
  parts = example_parts ();
  parts.unsubscribe_mailto = "leave at depot.example";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "Unsubscribe address");
}

static void
test_postal_address (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autoptr(GString) html = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *html_part = NULL;
  GMimeMessage *message;

  parts.postal_address = NULL;
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "postal address");
  parts.postal_address = "";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "postal address");
  parts.postal_address = "  \n\t ";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "Preferences");

  /* The starter templates' mark: the address goes there, and only there. */
  g_string_append (html, "<html><body><table><tr><td class=\"footer\">\n"
                         "<p>You get this as a fan of Depot Nights.</p>\n"
                         TURNOUT_STARTER_POSTAL_ADDRESS_MARK "\n"
                         "</td></tr></table>\n</body></html>\n");
  parts = example_parts ();
  parts.html = html->str;
  parts.postal_address = "Depot & Co\n1 <Main> St";
  bytes = compose (&parts, NULL);
  message = parse (bytes);
  html_part = dup_part_text (g_mime_multipart_get_part (
    GMIME_MULTIPART (g_mime_message_get_mime_part (message)), 1));
  g_assert_null (strstr (html_part, TURNOUT_STARTER_POSTAL_ADDRESS_MARK));
  g_assert_nonnull (strstr (html_part, "Depot Nights.</p>\n"
                                       "<p style=\"margin:0 0 8px;\">Depot &amp; Co<br>\n"
                                       "1 &lt;Main&gt; St</p>\n</td>"));
  g_assert_null (strstr (html_part, "<div style="));
  g_assert_finalize_object (message);
}

/* A line break in anything that reaches a header would let it add headers
 * of its own; each is refused, saying where. */
static void
test_header_injection (void)
{
  TurnoutEmailParts parts = example_parts ();

  parts.to_name = "Ana\r\nBcc: everyone@example.com";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT, "Recipient name");
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT, "position 4");
  parts.to_name = "Ana\nBcc: everyone@example.com";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT, "line break");

  parts = example_parts ();
  parts.from_name = "Depot\rBcc: everyone@example.com";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "From name");

  parts = example_parts ();
  parts.subject = "Zoë’s night\r\nBcc: everyone@example.com";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT, "Subject");
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT, "position 12");

  parts = example_parts ();
  parts.to_address = "ana@fans.example\r\nBcc:everyone@example.com";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT, "Recipient address");

  parts = example_parts ();
  parts.unsubscribe_url = "https://depot.example/u\r\nBcc: everyone@example.com";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "Unsubscribe web address");

  parts = example_parts ();
  parts.subject = "Zoë \xff\xfe";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT, "UTF-8");
}

static void
test_bad_input (void)
{
  TurnoutEmailParts parts = example_parts ();

  parts.from_address = NULL;
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "From address");
  parts.from_address = "tickets.depot.example";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP, "“@”");

  parts = example_parts ();
  parts.to_address = " ";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT, "no email address");
  parts.to_address = "ana@fans";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT, "domain");
  parts.to_address = "zoë@fans.example";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_RECIPIENT, "before the “@”");

  parts = example_parts ();
  parts.subject = "  ";
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT, "subject is empty");

  parts = example_parts ();
  parts.html = " \n";
  parts.text = NULL;
  assert_refused (&parts, TURNOUT_EMAIL_MESSAGE_ERROR_CONTENT, "no text");
}

/* An international domain goes out in its ASCII form, in the addresses
 * and in the Message-ID. */
static void
test_international_domain (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autofree char *message_id = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GMimeMessage *message;
  InternetAddress *to;

  parts.from_address = "tickets@Dépôt.example";
  parts.to_address = "ana@bücher.example";
  parts.unsubscribe_mailto = NULL;
  bytes = compose (&parts, &message_id);
  assert_wire_format (bytes);
  g_assert_true (g_str_has_suffix (message_id, "@xn--dpt-bma0d.example"));
  message = parse (bytes);
  to = internet_address_list_get_address (g_mime_message_get_to (message), 0);
  g_assert_cmpstr (internet_address_mailbox_get_idn_addr (INTERNET_ADDRESS_MAILBOX (to)), ==,
                   "ana@xn--bcher-kva.example");
  g_assert_finalize_object (message);
}

static void
test_message_id_unique (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 200; i++)
    {
      char *message_id = NULL;
      g_autoptr(GBytes) bytes = compose (&parts, &message_id);

      g_assert_true (g_str_has_suffix (message_id, "@depot.example"));
      g_assert_null (strpbrk (message_id, "<> \r\n"));
      g_assert_true (g_hash_table_add (seen, message_id));
    }
}

/* A template that already hides its preheader in the HTML (the starter
 * templates do) does not get it twice. */
static void
test_preheader_once (void)
{
  TurnoutEmailParts parts = example_parts ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *html = NULL;
  GMimeMessage *message;
  const char *first;

  parts.html = "<html><body><span class=\"preheader\" style=\"display:none\">Doors 9pm &amp; "
               "last entry 1am</span><p>Hi</p></body></html>";
  bytes = compose (&parts, NULL);
  message = parse (bytes);
  html = dup_part_text (g_mime_multipart_get_part (
    GMIME_MULTIPART (g_mime_message_get_mime_part (message)), 1));
  first = strstr (html, "Doors 9pm");
  g_assert_nonnull (first);
  g_assert_null (strstr (first + 1, "Doors 9pm"));
  g_assert_finalize_object (message);
}

/* A starter template as a campaign sends it: rendered by core, composed
 * here. Its own hidden preheader is kept (not doubled), the postal address
 * lands at its mark, and the unsubscribe line reaches both parts. */
static void
test_starter_template (void)
{
  g_autoptr(GPtrArray) starters = turnout_starter_templates_new ();
  g_autoptr(TurnoutTemplate) template = turnout_template_new ("email");
  g_autoptr(TurnoutTemplateRenderer) renderer = NULL;
  g_autoptr(TurnoutRendered) rendered = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *unsubscribe = turnout_email_unsubscribe_text ("https://depot.example/u/abc123",
                                                                 NULL);
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  g_autofree char *preheader = NULL;
  TurnoutStarterTemplate *starter = NULL;
  TurnoutMergeValues values = {
    .first_name = "Zoë",
    .last_name = "Ng",
    .email = "zoe@fans.example",
    .event_name = "Friday Late 🎶",
    .event_starts_at = 1700254800,
    .event_time_zone = "Europe/London",
    .event_venue = "The Depot",
    .sender_name = "Depot Nights",
    .unsubscribe = unsubscribe,
  };
  TurnoutEmailParts parts = example_parts ();
  GMimeMessage *message;
  GMimeMultipart *multipart;

  for (guint i = 0; i < starters->len && starter == NULL; i++)
    if (g_strcmp0 (((TurnoutStarterTemplate *) g_ptr_array_index (starters, i))->channel,
                   "email") == 0)
      starter = g_ptr_array_index (starters, i);
  g_assert_nonnull (starter);
  g_assert_nonnull (strstr (starter->body_html, TURNOUT_STARTER_POSTAL_ADDRESS_MARK));
  turnout_template_set_subject (template, starter->subject);
  turnout_template_set_preheader (template, starter->preheader);
  turnout_template_set_body_html (template, starter->body_html);
  turnout_template_set_body_text (template, starter->body_text);
  renderer = turnout_template_renderer_new (template, &error);
  g_assert_no_error (error);
  rendered = turnout_template_renderer_render (renderer, &values);

  parts.subject = rendered->subject;
  parts.preheader = rendered->preheader;
  parts.html = rendered->html;
  parts.text = rendered->text;
  bytes = compose (&parts, NULL);
  assert_wire_format (bytes);
  message = parse (bytes);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, g_strstrip (rendered->subject));
  multipart = GMIME_MULTIPART (g_mime_message_get_mime_part (message));
  g_assert_cmpint (g_mime_multipart_get_count (multipart), ==, 2);
  text = dup_part_text (g_mime_multipart_get_part (multipart, 0));
  html = dup_part_text (g_mime_multipart_get_part (multipart, 1));

  g_assert_nonnull (strstr (text, "https://depot.example/u/abc123"));
  g_assert_true (g_str_has_suffix (text, "\n\n" POSTAL_LINES "\n"));
  g_assert_nonnull (strstr (html, "https://depot.example/u/abc123"));
  g_assert_nonnull (strstr (html, "<p style=\"margin:0 0 8px;\">" POSTAL_HTML "</p>"));
  g_assert_null (strstr (html, TURNOUT_STARTER_POSTAL_ADDRESS_MARK));
  g_assert_null (strstr (html, "<div style="));
  /* The preheader once: the template's own hidden span. */
  preheader = g_markup_escape_text (g_strstrip (rendered->preheader), -1);
  g_assert_cmpuint (strlen (preheader), >, 20);
  g_assert_nonnull (strstr (html, preheader));
  g_assert_null (strstr (strstr (html, preheader) + 1, preheader));
  g_assert_finalize_object (message);
}

/* A second reader: Python's email package, strict policy, as the SMTP
 * tests and many receiving systems read mail. */
static void
test_python_reads_it (void)
{
  static const char script[] =
    "import email, email.policy, sys\n"
    "m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)\n"
    "defects = list(m.defects) + [d for p in m.walk() for d in p.defects]\n"
    "print(len(defects))\n"
    "print(m['From'].addresses[0].display_name)\n"
    "print(m['To'].addresses[0].display_name)\n"
    "print(m['Subject'])\n"
    "print(m.get_body(('plain',)).get_content(), end='')\n"
    "print('--')\n"
    "print(m.get_body(('html',)).get_content().count('Depot Nights LLC<br>'))\n";
  TurnoutEmailParts parts = example_parts ();
  g_autoptr(GBytes) bytes = compose (&parts, NULL);
  g_autoptr(GSubprocess) python = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *output = NULL;

  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("/usr/bin/python3 is not installed");
      return;
    }
  python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                             &error, "/usr/bin/python3", "-c", script, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (python, bytes, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (python));
  expected = g_strdup_printf ("0\n%s\n%s\n%s\n"
                              "Hi Zoë 🎉\n\nDoors open at 9 & the bar stays open late.\n\n"
                              POSTAL_LINES "\n--\n1\n",
                              parts.from_name, parts.to_name, parts.subject);
  output = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_cmpstr (output, ==, expected);
}

/* The message as text, with its Message-ID and multipart boundary (both
 * random) replaced by fixed words. */
static char *
dup_normalized (GBytes     *bytes,
                const char *message_id)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GString) text = g_string_new_len (data, (gssize) len);
  const char *start;

  g_string_replace (text, message_id, "MESSAGE-ID", 0);
  start = strstr (text->str, "boundary=\"");
  if (start != NULL)
    {
      g_autofree char *boundary = NULL;

      start += strlen ("boundary=\"");
      boundary = g_strndup (start, strchr (start, '"') - start);
      g_string_replace (text, boundary, "BOUNDARY", 0);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A composer that reuses the last message's objects writes each message
 * exactly as a fresh one: through changes of recipient, subject, body,
 * transfer encoding (base64 or quoted-printable, then 7bit, then back),
 * shape (text only, then HTML again) and sender. */
static void
test_composer_reuse (void)
{
  g_autoptr(TurnoutEmailComposer) composer = turnout_email_composer_new ();
  TurnoutEmailParts parts[6];

  parts[0] = example_parts ();
  parts[1] = example_parts ();
  parts[1].to_name = "Bo";
  parts[1].to_address = "bo@fans.example";
  parts[1].subject = "Doors at 9";
  parts[1].html = "<p>Doors at 9.</p>";
  parts[1].text = "Doors at 9.";
  parts[1].preheader = NULL;
  parts[2] = example_parts ();
  parts[2].html = NULL;
  parts[3] = parts[1];
  parts[3].to_name = NULL;
  parts[4] = example_parts ();
  parts[4].from_name = "Depot";
  parts[4].unsubscribe_url = NULL;
  parts[5] = example_parts ();

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *reused_id = NULL;
      g_autofree char *fresh_id = NULL;
      g_autoptr(GBytes) reused = turnout_email_composer_compose (composer, &parts[i], &reused_id,
                                                                 &error);
      g_autoptr(GBytes) fresh = compose (&parts[i], &fresh_id);
      g_autofree char *reused_text = NULL;
      g_autofree char *fresh_text = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (reused);
      g_assert_cmpstr (reused_id, !=, fresh_id);
      assert_wire_format (reused);
      reused_text = dup_normalized (reused, reused_id);
      fresh_text = dup_normalized (fresh, fresh_id);
      g_assert_cmpstr (reused_text, ==, fresh_text);
    }
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/email-message/headers", test_headers);
  g_test_add_func ("/email-message/parts", test_parts);
  g_test_add_func ("/email-message/line-limits", test_line_limits);
  g_test_add_func ("/email-message/plain-ascii", test_plain_ascii);
  g_test_add_func ("/email-message/text-from-html", test_text_from_html);
  g_test_add_func ("/email-message/unsubscribe", test_unsubscribe);
  g_test_add_func ("/email-message/postal-address", test_postal_address);
  g_test_add_func ("/email-message/header-injection", test_header_injection);
  g_test_add_func ("/email-message/bad-input", test_bad_input);
  g_test_add_func ("/email-message/international-domain", test_international_domain);
  g_test_add_func ("/email-message/message-id-unique", test_message_id_unique);
  g_test_add_func ("/email-message/preheader-once", test_preheader_once);
  g_test_add_func ("/email-message/starter-template", test_starter_template);
  g_test_add_func ("/email-message/python", test_python_reads_it);
  g_test_add_func ("/email-message/composer-reuse", test_composer_reuse);

  return g_test_run ();
}
