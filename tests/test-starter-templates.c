/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "turnout-html-text.h"
#include "turnout-starter-templates.h"
#include "turnout-test-utils.h"

static const char * const expected_ids[] = {
  "ticket-confirmation-email", "ticket-confirmation-sms",
  "event-announcement-email", "event-announcement-sms",
  "post-event-recap-email", "post-event-recap-sms",
  "re-engagement-email", "re-engagement-sms",
};

/* The merge fields, each with a long but realistic value: the date is in
 * the merge language's default format, and its longest month and weekday. */
static const struct
{
  const char *field;
  const char *value;
} samples[] = {
  { "first_name", "Christopher" },
  { "last_name", "Richardson" },
  { "full_name", "Christopher Richardson" },
  { "phone", "+44 7700 900123" },
  { "email", "christopher.richardson@example.com" },
  { "city", "Manchester" },
  { "event_name", "Summer Rooftop Party" },
  { "event_date", "Wednesday, September 24, 2025" },
  { "event_time", "10:30 PM" },
  { "event_venue", "The Old Fire Station" },
  { "sender_name", "Northern Nights" },
  { "unsubscribe", "Reply STOP to opt out" },
};

/* Fields that name someone: a blank one would read "Hi ,". */
static const char * const name_fields[] = { "first_name", "last_name", "full_name", "sender_name" };

/* The GSM 03.38 default alphabet, and its extension table (two septets
 * each). Written out here so the test does not depend on turnout-sms.c. */
static const char gsm_basic[] =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
static const char gsm_extension[] = "\f^{}\\[~]|€";

static GPtrArray *
load (void)
{
  GPtrArray *templates = turnout_starter_templates_new ();

  g_assert_nonnull (templates);
  g_assert_cmpuint (templates->len, ==, G_N_ELEMENTS (expected_ids));
  return templates;
}

static TurnoutStarterTemplate *
find (GPtrArray  *templates,
      const char *id)
{
  for (guint i = 0; i < templates->len; i++)
    {
      TurnoutStarterTemplate *template = g_ptr_array_index (templates, i);

      if (strcmp (template->id, id) == 0)
        return template;
    }
  g_error ("no starter template %s", id);
  return NULL;
}

static const char *
sample_value (const char *field)
{
  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    if (strcmp (samples[i].field, field) == 0)
      return samples[i].value;
  return NULL;
}

static gboolean
is_name_field (const char *field)
{
  for (gsize i = 0; i < G_N_ELEMENTS (name_fields); i++)
    if (strcmp (name_fields[i], field) == 0)
      return TRUE;
  return FALSE;
}

/* Checks the merge syntax of @text ({field}, {field|fallback}, {{ and }})
 * and renders it: with the sample values, or with every field blank when
 * @blank (fallbacks then stand in). Fails on an unknown field, a brace that
 * is not closed on its line, a stray "}" or a name without a fallback. */
static char *
render (const char *what,
        const char *text,
        gboolean    blank,
        GPtrArray  *fields_seen)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}'))
        {
          g_string_append_c (out, p[0]);
          p += 2;
        }
      else if (*p == '{')
        {
          const char *close = strpbrk (p + 1, "{}\n");
          const char *bar;
          g_autofree char *field = NULL;
          const char *value;

          if (close == NULL || *close != '}')
            g_error ("%s: a \"{\" that is not closed on its line at byte %d", what, (int) (p - text));
          bar = memchr (p + 1, '|', close - p - 1);
          field = g_strstrip (g_strndup (p + 1, (bar != NULL ? bar : close) - p - 1));
          value = sample_value (field);
          if (value == NULL)
            g_error ("%s: unknown merge field \"%s\"", what, field);
          if (is_name_field (field) && (bar == NULL || bar + 1 == close))
            g_error ("%s: {%s} has no fallback", what, field);
          if (fields_seen != NULL)
            g_ptr_array_add (fields_seen, g_strdup (field));

          if (!blank)
            g_string_append (out, value);
          else if (bar != NULL)
            g_string_append_len (out, bar + 1, close - bar - 1);
          p = close + 1;
        }
      else if (*p == '}')
        {
          g_error ("%s: a \"}\" that closes nothing at byte %d", what, (int) (p - text));
        }
      else
        {
          g_string_append_c (out, *p);
          p++;
        }
    }
  return g_string_free (out, FALSE);
}

/* GSM-7 septets of @text, or -1 when a character is outside both tables. */
static int
count_septets (const char *text,
               GString    *offenders)
{
  int septets = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_autofree char *c = g_strndup (p, g_utf8_next_char (p) - p);

      if (strstr (gsm_basic, c) != NULL)
        septets += 1;
      else if (strstr (gsm_extension, c) != NULL)
        septets += 2;
      else
        g_string_append_printf (offenders, "“%s” at byte %d; ", c, (int) (p - text));
    }
  return offenders->len > 0 ? -1 : septets;
}

static int
count_segments (int septets)
{
  return septets <= 160 ? 1 : (septets + 152) / 153;
}

static void
test_list (void)
{
  g_autoptr(GPtrArray) templates = load ();
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < templates->len; i++)
    {
      TurnoutStarterTemplate *template = g_ptr_array_index (templates, i);
      gboolean email = g_str_has_suffix (template->id, "-email");

      g_assert_cmpstr (template->id, ==, expected_ids[i]);
      g_assert_cmpstr (template->channel, ==, email ? "email" : "sms");
      g_assert_true (template->name != NULL && template->name[0] != '\0');
      g_assert_true (g_str_has_suffix (template->name, email ? "(Email)" : "(SMS)"));
      g_assert_true (g_hash_table_add (names, template->name));

      if (email)
        {
          g_assert_cmpstr (template->subject, !=, "");
          g_assert_cmpstr (template->preheader, !=, "");
          g_assert_true (g_str_has_prefix (template->body_html, "<!DOCTYPE html>\n"));
          g_assert_cmpstr (template->body_text, ==, "");
        }
      else
        {
          g_assert_cmpstr (template->subject, ==, "");
          g_assert_cmpstr (template->preheader, ==, "");
          g_assert_cmpstr (template->body_html, ==, "");
          g_assert_cmpstr (template->body_text, !=, "");
        }
    }
  g_assert_cmpstr (find (templates, "ticket-confirmation-email")->name, ==, "Ticket Confirmation (Email)");
  g_assert_cmpstr (find (templates, "re-engagement-sms")->name, ==, "Re-Engagement (SMS)");
}

static void
test_merge_fields (void)
{
  g_autoptr(GPtrArray) templates = load ();

  for (guint i = 0; i < templates->len; i++)
    {
      TurnoutStarterTemplate *template = g_ptr_array_index (templates, i);
      const char *texts[] = { template->subject, template->preheader, template->body_html, template->body_text };
      g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
      gboolean unsubscribe = FALSE;

      for (gsize j = 0; j < G_N_ELEMENTS (texts); j++)
        {
          g_autofree char *what = g_strdup_printf ("%s, part %d", template->id, (int) j);
          g_autofree char *rendered = render (what, texts[j], FALSE, fields);

          /* Only the HTML's CSS has literal braces. */
          if (texts[j] != template->body_html)
            g_assert_null (strpbrk (rendered, "{}"));
        }

      for (guint j = 0; j < fields->len; j++)
        {
          const char *field = g_ptr_array_index (fields, j);

          if (strcmp (field, "unsubscribe") == 0)
            unsubscribe = TRUE;
          /* A lapsed contact has no next event, so re-engagement must not
           * depend on one. */
          if (g_str_has_prefix (template->id, "re-engagement"))
            g_assert_false (g_str_has_prefix (field, "event_"));
        }
      g_assert_true (unsubscribe);
    }
}

/* The checks above are only worth something if they can fail. */
static void
test_merge_checker_rejects (void)
{
  static const char * const bad[] = {
    "Hi {frist_name|there}", "Hi {first_name}", "Hi {first_name|}", "{event_name", "a } b",
    "{event_name\n}",
  };

  if (g_test_subprocess ())
    {
      int which = atoi (g_getenv ("BAD_TEMPLATE"));

      g_free (render ("bad", bad[which], FALSE, NULL));
      return;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *index = g_strdup_printf ("%d", (int) i);

      g_setenv ("BAD_TEMPLATE", index, TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();
    }

  {
    g_autofree char *good = render ("good", "{{ {first_name|you} }} {event_date}", FALSE, NULL);
    g_autofree char *fallback = render ("good", "{{ {first_name|you} }} {event_date}", TRUE, NULL);

    g_assert_cmpstr (good, ==, "{ Christopher } Wednesday, September 24, 2025");
    g_assert_cmpstr (fallback, ==, "{ you } ");
  }
}

static void
test_sms (void)
{
  g_autoptr(GPtrArray) templates = load ();

  for (guint i = 0; i < templates->len; i++)
    {
      TurnoutStarterTemplate *template = g_ptr_array_index (templates, i);
      gboolean blank;

      if (strcmp (template->channel, "sms") != 0)
        continue;

      for (blank = FALSE; blank <= TRUE; blank++)
        {
          g_autofree char *text = render (template->id, template->body_text, blank, NULL);
          g_autoptr(GString) offenders = g_string_new (NULL);
          int septets = count_septets (text, offenders);
          int allowed = g_str_has_prefix (template->id, "re-engagement") ? 2 : 1;

          if (septets < 0)
            g_error ("%s is not GSM-7: %s", template->id, offenders->str);
          if (g_test_verbose ())
            g_test_message ("%s: %d septets: %s", template->id, septets, text);
          g_assert_cmpint (count_segments (septets), <=, allowed);
          /* The opt-out text is in every message. */
          if (!blank)
            g_assert_nonnull (strstr (text, "Reply STOP to opt out"));
        }
    }

  /* The counter agrees with the tables at their edges. */
  {
    g_autoptr(GString) offenders = g_string_new (NULL);

    g_assert_cmpint (count_septets ("Hi {}€", offenders), ==, 3 + 2 + 2 + 2);
    g_assert_cmpint (count_septets ("It’s", offenders), ==, -1);
    g_assert_nonnull (strstr (offenders->str, "’"));
    g_assert_cmpint (count_segments (160), ==, 1);
    g_assert_cmpint (count_segments (161), ==, 2);
    g_assert_cmpint (count_segments (306), ==, 2);
    g_assert_cmpint (count_segments (307), ==, 3);
  }
}

/* Start and end tags balance, with void elements, comments, the doctype
 * and raw <style> text skipped; attribute values are quoted; every "&"
 * starts an entity. */
static void
check_well_formed (const char *id,
                   const char *html)
{
  static const char * const void_elements[] = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr",
  };
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);
  const char *p = html;

  while (*p != '\0')
    {
      if (g_str_has_prefix (p, "<!--"))
        {
          const char *end = strstr (p, "-->");

          g_assert_nonnull (end);
          p = end + 3;
        }
      else if (g_str_has_prefix (p, "<!"))
        {
          p = strchr (p, '>') + 1;
        }
      else if (*p == '<')
        {
          gboolean end_tag = p[1] == '/';
          const char *name_start = p + (end_tag ? 2 : 1);
          const char *q = name_start;
          g_autofree char *name = NULL;
          gboolean is_void = FALSE;

          while (g_ascii_isalnum (*q))
            q++;
          g_assert_cmpint (q - name_start, >, 0);
          name = g_strndup (name_start, q - name_start);

          /* Attributes: name="value" pairs only. */
          while (*q != '>')
            {
              g_assert_cmpint (*q, !=, '\0');
              if (*q == '=')
                {
                  g_assert_cmpint (q[1], ==, '"');
                  q = strchr (q + 2, '"');
                  g_assert_nonnull (q);
                }
              q++;
            }

          for (gsize i = 0; i < G_N_ELEMENTS (void_elements); i++)
            if (strcmp (name, void_elements[i]) == 0)
              is_void = TRUE;

          if (end_tag)
            {
              if (stack->len == 0)
                g_error ("%s: </%s> closes nothing", id, name);
              if (strcmp (g_ptr_array_index (stack, stack->len - 1), name) != 0)
                g_error ("%s: </%s> closes <%s>", id, name,
                         (char *) g_ptr_array_index (stack, stack->len - 1));
              g_ptr_array_remove_index (stack, stack->len - 1);
            }
          else if (!is_void)
            {
              g_ptr_array_add (stack, g_strdup (name));
            }
          p = q + 1;

          if (!end_tag && strcmp (name, "style") == 0)
            {
              p = strstr (p, "</style>");
              g_assert_nonnull (p);
            }
        }
      else if (*p == '&')
        {
          const char *q = p + 1;

          if (*q == '#')
            q++;
          while (g_ascii_isalnum (*q))
            q++;
          if (*q != ';' || q == p + 1)
            g_error ("%s: a bare \"&\" at byte %d", id, (int) (p - html));
          p = q + 1;
        }
      else
        {
          p++;
        }
    }

  if (stack->len > 0)
    g_error ("%s: <%s> is never closed", id, (char *) g_ptr_array_index (stack, stack->len - 1));
}

static void
test_html (void)
{
  g_autoptr(GPtrArray) templates = load ();

  for (guint i = 0; i < templates->len; i++)
    {
      TurnoutStarterTemplate *template = g_ptr_array_index (templates, i);
      const char *html = template->body_html;
      const char *style;
      const char *preheader;

      if (strcmp (template->channel, "email") != 0)
        continue;

      check_well_formed (template->id, html);

      /* What mail apps need for a responsive single column. */
      g_assert_nonnull (strstr (html, "<html lang=\"en\" dir=\"ltr\""));
      g_assert_nonnull (strstr (html, "<meta charset=\"utf-8\">"));
      g_assert_nonnull (strstr (html, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
      g_assert_nonnull (strstr (html, "max-width:600px"));
      g_assert_nonnull (strstr (html, "<!--[if mso]><table role=\"presentation\" align=\"center\" width=\"600\""));
      style = strstr (html, "<style>");
      g_assert_nonnull (style);
      g_assert_true (strstr (style, "@media (max-width: 600px) {{") < strstr (style, "</style>"));
      g_assert_null (strstr (html, "<table>"));
      g_assert_null (strstr (html, "<script"));

      /* The hidden preview text comes first in the body and says what the
       * preheader says. */
      preheader = strstr (html, "<span class=\"preheader\" style=\"display:none !important;");
      g_assert_nonnull (preheader);
      g_assert_true (preheader > strstr (html, "<body"));
      g_assert_true (preheader < strstr (html, "<table"));
      g_assert_nonnull (strstr (preheader, template->preheader));

      /* The footer: {unsubscribe} in the body and a place for the postal
       * address after it. */
      g_assert_nonnull (strstr (html, "<p style=\"margin:0 0 8px;\">{unsubscribe}</p>\n"
                                TURNOUT_STARTER_POSTAL_ADDRESS_MARK "\n"));
    }

  /* Buttons only where there is somewhere to go, to placeholder addresses
   * the user replaces. */
  g_assert_null (strstr (find (templates, "ticket-confirmation-email")->body_html, "<a "));
  g_assert_null (strstr (find (templates, "post-event-recap-email")->body_html, "<a "));
  g_assert_nonnull (strstr (find (templates, "event-announcement-email")->body_html,
                            "<a href=\"" TURNOUT_STARTER_PLACEHOLDER_URL "tickets\""));
  g_assert_nonnull (strstr (find (templates, "event-announcement-email")->body_html,
                            "text-decoration:none;border-radius:8px;\">Get tickets</a>"));
  g_assert_nonnull (strstr (find (templates, "re-engagement-email")->body_html,
                            "<a href=\"" TURNOUT_STARTER_PLACEHOLDER_URL "events\""));
  g_assert_nonnull (strstr (find (templates, "event-announcement-sms")->body_text,
                            TURNOUT_STARTER_PLACEHOLDER_URL "tickets"));
  g_assert_nonnull (strstr (find (templates, "re-engagement-sms")->body_text,
                            TURNOUT_STARTER_PLACEHOLDER_URL "events"));
}

static const char ticket_confirmation_text[] =
  "You’re on the list\n"
  "\n"
  "Hi {first_name|there},\n"
  "\n"
  "Thanks for booking. Your place at {event_name} is confirmed, and we can’t wait\n"
  "to see you.\n"
  "\n"
  "When\n"
  "{event_date} at {event_time}\n"
  "\n"
  "Where\n"
  "{event_venue}\n"
  "\n"
  "Show this email at the door, on your phone or printed. Arriving a little early\n"
  "means less time in the queue.\n"
  "\n"
  "Can’t make it after all? Just reply to this email and let us know, so we can\n"
  "pass your place on to someone else.\n"
  "\n"
  "See you there,\n"
  "{sender_name|The team}\n"
  "\n"
  "You’re getting this email because you booked a place at {event_name}.\n"
  "\n"
  "{unsubscribe}\n";

static void
test_plain_text (void)
{
  g_autoptr(GPtrArray) templates = load ();
  static const struct
  {
    const char *id;
    const char *sentences[4];
  } key_sentences[] = {
    { "ticket-confirmation-email", {
        "You’re on the list\n",
        "Your place at {event_name} is confirmed",
        "When\n{event_date} at {event_time}\n\nWhere\n{event_venue}\n",
        "Can’t make it after all?" } },
    { "event-announcement-email", {
        "{event_name}\n\nHi {first_name|there},\n",
        "Tickets are on sale now.",
        "\nGet tickets (https://example.com/tickets)\n",
        "Hope to see you there,\n{sender_name|The team}\n" } },
    { "post-event-recap-email", {
        "Thanks for coming\n",
        "Thank you for being part of {event_name} at {event_venue}.",
        "How was it for you? Reply to this email",
        "See you next time,\n{sender_name|The team}\n" } },
    { "re-engagement-email", {
        "It’s been a while\n",
        "We haven’t seen you at one of our nights for a while",
        "\nSee what’s on (https://example.com/events)\n",
        "the\nunsubscribe link at the bottom of this email" } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (key_sentences); i++)
    {
      TurnoutStarterTemplate *template = find (templates, key_sentences[i].id);
      g_autofree char *text = turnout_html_to_text (template->body_html);

      if (g_test_verbose ())
        g_test_message ("%s:\n%s", template->id, text);

      for (gsize j = 0; j < G_N_ELEMENTS (key_sentences[i].sentences); j++)
        if (strstr (text, key_sentences[i].sentences[j]) == NULL)
          g_error ("%s: \"%s\" is missing from:\n%s", template->id, key_sentences[i].sentences[j], text);

      /* It starts with the heading and ends with the opt-out; the hidden
       * preview text, the title and the CSS are not in it. */
      g_assert_true (g_str_has_suffix (text, "\n\n{unsubscribe}\n"));
      g_assert_null (strstr (text, template->preheader));
      g_assert_null (strstr (text, template->subject));
      g_assert_null (strstr (text, "{{"));
      g_assert_null (strstr (text, "<"));
      g_assert_nonnull (strstr (text, "Hi {first_name|there},\n"));
    }

  {
    g_autofree char *text = turnout_html_to_text (find (templates, "ticket-confirmation-email")->body_html);

    g_assert_cmpstr (text, ==, ticket_confirmation_text);
  }
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/starter-templates/list", test_list);
  g_test_add_func ("/starter-templates/merge-fields", test_merge_fields);
  g_test_add_func ("/starter-templates/merge-checker-rejects", test_merge_checker_rejects);
  g_test_add_func ("/starter-templates/sms", test_sms);
  g_test_add_func ("/starter-templates/html", test_html);
  g_test_add_func ("/starter-templates/plain-text", test_plain_text);

  return g_test_run ();
}
