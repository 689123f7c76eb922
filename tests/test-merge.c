/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "turnout-merge.h"
#include "turnout-test-utils.h"

/* 2026-06-01T02:00:00Z: still 31 May in New York, already 1 June in Berlin. */
#define JUNE_1_0200_UTC G_GINT64_CONSTANT (1780279200)

/* Tokens must cover the text from start to end, in order, without gaps,
 * whatever the text is. */
static void
assert_covers (const char *text,
               GPtrArray  *tokens)
{
  guint at = 0;

  for (guint i = 0; i < tokens->len; i++)
    {
      TurnoutMergeToken *token = g_ptr_array_index (tokens, i);

      if (token->start != at || token->end <= token->start)
        g_error ("“%s”: token %u spans %u..%u, expected to start at %u",
                 text, i, token->start, token->end, at);
      at = token->end;
    }
  if (at != strlen (text))
    g_error ("“%s”: tokens end at %u of %zu", text, at, strlen (text));
}

static GPtrArray *
scan (const char *text)
{
  GPtrArray *tokens = turnout_merge_scan (text);

  assert_covers (text, tokens);
  return tokens;
}

static TurnoutMergeToken *
token_at (GPtrArray *tokens,
          guint      i)
{
  g_assert_cmpuint (i, <, tokens->len);
  return g_ptr_array_index (tokens, i);
}

static void
test_fields (void)
{
  static const char * const expected[] = {
    "first_name", "last_name", "full_name", "phone", "email", "city", "event_name",
    "event_date", "event_time", "event_venue", "sender_name", "unsubscribe", NULL
  };
  static const char * const aliases[][2] = {
    { "partner_name", "full_name" },
    { "customer_full_name", "full_name" },
    { "customer_name", "full_name" },
    { "customer_first_name", "first_name" },
    { "customer_last_name", "last_name" },
    { "customer_phone", "phone" },
    { "customer_email", "email" },
  };
  const char * const *fields = turnout_merge_list_fields ();

  g_assert_cmpstrv (fields, expected);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      g_assert_cmpstr (turnout_merge_field_canonical (fields[i]), ==, fields[i]);
      g_assert_nonnull (turnout_merge_field_describe (fields[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      g_assert_cmpstr (turnout_merge_field_canonical (aliases[i][0]), ==, aliases[i][1]);
      g_assert_cmpstr (turnout_merge_field_describe (aliases[i][0]), ==,
                       turnout_merge_field_describe (aliases[i][1]));
    }
  g_assert_cmpstr (turnout_merge_field_describe ("first_name"), ==, "The contact’s first name");
  g_assert_null (turnout_merge_field_canonical ("First_Name"));
  g_assert_null (turnout_merge_field_canonical (" first_name"));
  g_assert_null (turnout_merge_field_canonical ("name"));
  g_assert_null (turnout_merge_field_canonical (""));
  g_assert_null (turnout_merge_field_describe ("frist_name"));
}

static void
test_scan_tokens (void)
{
  const char *text = "Hi {first_name|there}, {{x}} {full_name}!";
  g_autoptr(GPtrArray) tokens = scan (text);
  static const struct {
    TurnoutMergeTokenKind  kind;
    guint                  start;
    guint                  end;
    const char            *field;
    const char            *fallback;
  } expected[] = {
    { TURNOUT_MERGE_TOKEN_TEXT, 0, 3, NULL, NULL },
    { TURNOUT_MERGE_TOKEN_FIELD, 3, 21, "first_name", "there" },
    { TURNOUT_MERGE_TOKEN_TEXT, 21, 23, NULL, NULL },
    { TURNOUT_MERGE_TOKEN_ESCAPE, 23, 25, NULL, NULL },
    { TURNOUT_MERGE_TOKEN_TEXT, 25, 26, NULL, NULL },
    { TURNOUT_MERGE_TOKEN_ESCAPE, 26, 28, NULL, NULL },
    { TURNOUT_MERGE_TOKEN_TEXT, 28, 29, NULL, NULL },
    { TURNOUT_MERGE_TOKEN_FIELD, 29, 40, "full_name", NULL },
    { TURNOUT_MERGE_TOKEN_TEXT, 40, 41, NULL, NULL },
  };

  g_assert_cmpuint (tokens->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      TurnoutMergeToken *token = token_at (tokens, i);

      g_assert_cmpint (token->kind, ==, expected[i].kind);
      g_assert_cmpuint (token->start, ==, expected[i].start);
      g_assert_cmpuint (token->end, ==, expected[i].end);
      g_assert_cmpstr (token->field, ==, expected[i].field);
      g_assert_cmpstr (token->fallback, ==, expected[i].fallback);
      g_assert_null (token->message);
    }

  g_clear_pointer (&tokens, g_ptr_array_unref);
  tokens = scan ("");
  g_assert_cmpuint (tokens->len, ==, 0);
}

static void
test_scan_aliases (void)
{
  static const char * const aliases[][2] = {
    { "{partner_name}", "full_name" },
    { "{customer_full_name}", "full_name" },
    { "{customer_name}", "full_name" },
    { "{customer_first_name}", "first_name" },
    { "{customer_last_name}", "last_name" },
    { "{customer_phone}", "phone" },
    { "{customer_email}", "email" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      g_autoptr(GPtrArray) tokens = scan (aliases[i][0]);

      g_assert_cmpuint (tokens->len, ==, 1);
      g_assert_cmpint (token_at (tokens, 0)->kind, ==, TURNOUT_MERGE_TOKEN_FIELD);
      g_assert_cmpstr (token_at (tokens, 0)->field, ==, aliases[i][1]);
    }
}

/* Spaces and tabs around the name and the fallback go; the fallback is
 * everything after the first bar. */
static void
test_scan_fallbacks (void)
{
  static const struct {
    const char *text;
    const char *field;
    const char *fallback;
  } cases[] = {
    { "{first_name}", "first_name", NULL },
    { "{first_name|there}", "first_name", "there" },
    { "{ first_name | there }", "first_name", "there" },
    { "{\tcity\t}", "city", NULL },
    { "{first_name|}", "first_name", "" },
    { "{first_name|   }", "first_name", "" },
    { "{city|your city|or town}", "city", "your city|or town" },
    { "{first_name|friend of the club}", "first_name", "friend of the club" },
    { "{first_name|amigo, ¿qué tal?}", "first_name", "amigo, ¿qué tal?" },
    { "{customer_name|there}", "full_name", "there" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) tokens = scan (cases[i].text);
      TurnoutMergeToken *token;

      g_assert_cmpuint (tokens->len, ==, 1);
      token = token_at (tokens, 0);
      g_assert_cmpint (token->kind, ==, TURNOUT_MERGE_TOKEN_FIELD);
      g_assert_cmpstr (token->field, ==, cases[i].field);
      g_assert_cmpstr (token->fallback, ==, cases[i].fallback);
    }
}

typedef struct
{
  const char        *text;
  TurnoutMergeError  code;
  guint              start;      /* of the error token, in bytes */
  guint              end;
  guint              line;       /* of the offending character */
  guint              column;     /* in characters, from 1 */
  const char        *suggestion;
  const char        *message;    /* the GError's, in full */
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "Hi {frist_name}", TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 3, 15, 1, 4, "first_name",
    "Unknown field “frist_name” at line 1, column 4; did you mean “first_name”?" },
  { "Hi {First_Name}!", TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 3, 15, 1, 4, "first_name",
    "Unknown field “First_Name” at line 1, column 4; did you mean “first_name”?" },
  { "{first name|there}", TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 0, 18, 1, 1, "first_name",
    "Unknown field “first name” at line 1, column 1; did you mean “first_name”?" },
  { "{customer_nme}", TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 0, 14, 1, 1, "customer_name",
    "Unknown field “customer_nme” at line 1, column 1; did you mean “customer_name”?" },
  { "{cty}", TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 0, 5, 1, 1, "city",
    "Unknown field “cty” at line 1, column 1; did you mean “city”?" },
  { "{name}", TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 0, 6, 1, 1, NULL,
    "Unknown field “name” at line 1, column 1" },
  { "{ct}", TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 0, 4, 1, 1, NULL,
    "Unknown field “ct” at line 1, column 1" },
  { "Hi {first_name", TURNOUT_MERGE_ERROR_UNCLOSED, 3, 14, 1, 4, NULL,
    "Unclosed “{” at line 1, column 4: end the field with “}”, or write “{{” for a literal "
    "brace" },
  { "Hi {first_name\nBye", TURNOUT_MERGE_ERROR_UNCLOSED, 3, 14, 1, 4, NULL, NULL },
  { "Hi {first_name\r\nBye", TURNOUT_MERGE_ERROR_UNCLOSED, 3, 14, 1, 4, NULL, NULL },
  { "Hi {first_name, see you {city}", TURNOUT_MERGE_ERROR_UNCLOSED, 3, 24, 1, 4, NULL, NULL },
  { "50% off} today", TURNOUT_MERGE_ERROR_UNEXPECTED_CLOSE, 7, 8, 1, 8, NULL,
    "“}” at line 1, column 8 closes nothing: write “}}” for a literal brace" },
  { "}}}", TURNOUT_MERGE_ERROR_UNEXPECTED_CLOSE, 2, 3, 1, 3, NULL, NULL },
  { "{first_name}}", TURNOUT_MERGE_ERROR_UNEXPECTED_CLOSE, 12, 13, 1, 13, NULL, NULL },
  { "Hi {}", TURNOUT_MERGE_ERROR_EMPTY, 3, 5, 1, 4, NULL,
    "Empty field at line 1, column 4: put a field name between the braces, or write “{{}}” "
    "for literal braces" },
  { "{  }", TURNOUT_MERGE_ERROR_EMPTY, 0, 4, 1, 1, NULL, NULL },
  { "{|there}", TURNOUT_MERGE_ERROR_EMPTY, 0, 8, 1, 1, NULL, NULL },
  { "Hi {first_name|{last_name}}!", TURNOUT_MERGE_ERROR_NESTED, 3, 27, 1, 16, NULL,
    "“{” inside a field at line 1, column 16: a fallback is plain text and cannot hold a "
    "field" },
  { "{first_{name}}", TURNOUT_MERGE_ERROR_NESTED, 0, 14, 1, 8, NULL, NULL },
  /* Positions on later lines, and in characters where the text before is
   * not ASCII. */
  { "Line one\nLine two {bad}", TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 18, 23, 2, 10, NULL,
    "Unknown field “bad” at line 2, column 10" },
  { "Grüße — {frist_name}", TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 12, 24, 1, 9, "first_name",
    "Unknown field “frist_name” at line 1, column 9; did you mean “first_name”?" },
  { "Olá\n😀 ñ {", TURNOUT_MERGE_ERROR_UNCLOSED, 13, 14, 2, 5, NULL, NULL },
  { "日本\n\n語 }", TURNOUT_MERGE_ERROR_UNEXPECTED_CLOSE, 12, 13, 3, 3, NULL, NULL },
  /* A long run of text between braces is shown cut short. */
  { "{this is not a field but a whole sentence someone wrapped in braces}",
    TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, 0, 68, 1, 1, NULL,
    "Unknown field “this is not a field but a whole sentence…” at line 1, column 1" },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      g_autoptr(GPtrArray) tokens = scan (c->text);
      g_autoptr(GError) error = NULL;
      g_autoptr(TurnoutMergeTemplate) template = NULL;
      TurnoutMergeToken *found = NULL;
      g_autofree char *located = NULL;

      for (guint t = 0; t < tokens->len && found == NULL; t++)
        if (token_at (tokens, t)->kind == TURNOUT_MERGE_TOKEN_ERROR)
          found = token_at (tokens, t);
      if (found == NULL)
        g_error ("“%s”: no error token", c->text);
      if ((int) c->code != found->code || c->start != found->start || c->end != found->end
          || c->line != found->line || c->column != found->column)
        g_error ("“%s”: error %d at %u..%u, line %u, column %u; expected %d at %u..%u, "
                 "line %u, column %u", c->text, found->code, found->start, found->end,
                 found->line, found->column, c->code, c->start, c->end, c->line, c->column);
      g_assert_cmpstr (found->suggestion, ==, c->suggestion);
      g_assert_nonnull (found->message);
      g_assert_null (strstr (found->message, "line"));
      g_assert_null (found->field);

      template = turnout_merge_template_new (c->text, &error);
      g_assert_null (template);
      g_assert_error (error, TURNOUT_MERGE_ERROR, (int) c->code);
      located = g_strdup_printf ("line %u, column %u", c->line, c->column);
      if (strstr (error->message, located) == NULL)
        g_error ("“%s”: “%s” does not say “%s”", c->text, error->message, located);
      if (c->message != NULL)
        g_assert_cmpstr (error->message, ==, c->message);
    }
}

static void
test_error_tokens (void)
{
  /* One slip, one error: the scan goes on after it. */
  g_autoptr(GPtrArray) tokens = scan ("Hi {frist_name}, {city} {x");
  g_autoptr(GPtrArray) unclosed = scan ("Hi {first_name, see you {city}");
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutMergeTemplate) template = NULL;

  g_assert_cmpuint (tokens->len, ==, 6);
  g_assert_cmpint (token_at (tokens, 1)->kind, ==, TURNOUT_MERGE_TOKEN_ERROR);
  g_assert_cmpstr (token_at (tokens, 1)->message, ==,
                   "Unknown field “frist_name”; did you mean “first_name”?");
  g_assert_cmpint (token_at (tokens, 3)->kind, ==, TURNOUT_MERGE_TOKEN_FIELD);
  g_assert_cmpstr (token_at (tokens, 3)->field, ==, "city");
  g_assert_cmpint (token_at (tokens, 5)->kind, ==, TURNOUT_MERGE_TOKEN_ERROR);
  g_assert_cmpint (token_at (tokens, 5)->code, ==, TURNOUT_MERGE_ERROR_UNCLOSED);
  g_assert_cmpuint (token_at (tokens, 5)->column, ==, 25);

  /* An unclosed brace does not swallow the field after it. */
  g_assert_cmpuint (unclosed->len, ==, 3);
  g_assert_cmpint (token_at (unclosed, 1)->code, ==, TURNOUT_MERGE_ERROR_UNCLOSED);
  g_assert_cmpint (token_at (unclosed, 2)->kind, ==, TURNOUT_MERGE_TOKEN_FIELD);
  g_assert_cmpstr (token_at (unclosed, 2)->field, ==, "city");

  /* The template reports the first error. */
  template = turnout_merge_template_new ("} {frist_name}", &error);
  g_assert_null (template);
  g_assert_error (error, TURNOUT_MERGE_ERROR, TURNOUT_MERGE_ERROR_UNEXPECTED_CLOSE);
  g_assert_nonnull (strstr (error->message, "column 1"));
}

static char *
render (const char               *text,
        const TurnoutMergeValues *values,
        GPtrArray                *blanks)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutMergeTemplate) template = turnout_merge_template_new (text, &error);

  g_assert_no_error (error);
  return turnout_merge_template_render (template, values, blanks);
}

static void
test_escapes (void)
{
  TurnoutMergeValues values = { .first_name = "Ann" };
  g_autofree char *a = render ("{{first_name}} is {first_name}", &values, NULL);
  g_autofree char *b = render ("{{}}", &values, NULL);
  g_autofree char *c = render ("a {{ b }} c {{{first_name}}}", &values, NULL);
  g_autofree char *d = render ("}}{{", &values, NULL);

  g_assert_cmpstr (a, ==, "{first_name} is Ann");
  g_assert_cmpstr (b, ==, "{}");
  g_assert_cmpstr (c, ==, "a { b } c {Ann}");
  g_assert_cmpstr (d, ==, "}{");
}

static void
test_render_values (void)
{
  TurnoutMergeValues values = {
    .first_name = "Ann",
    .last_name = "Lee",
    .phone = "+15555550123",
    .email = "ann@example.com",
    .city = "Austin",
    .event_name = "Night Market",
    .event_starts_at = JUNE_1_0200_UTC,
    .event_time_zone = "America/Chicago",
    .event_venue = "The Mohawk",
    .sender_name = "Red River Shows",
    .unsubscribe = "Reply STOP to opt out",
  };
  g_autoptr(GPtrArray) blanks = g_ptr_array_new ();
  g_autofree char *text =
    render ("{first_name}|{last_name}|{full_name}|{phone}|{email}|{city}|{event_name}|"
            "{event_date}|{event_time}|{event_venue}|{sender_name}|{unsubscribe}|"
            "{partner_name}|{customer_first_name}|{customer_email}", &values, blanks);

  g_assert_cmpstr (text, ==,
                   "Ann|Lee|Ann Lee|+15555550123|ann@example.com|Austin|Night Market|"
                   "Sunday, May 31, 2026|9:00 PM|The Mohawk|Red River Shows|"
                   "Reply STOP to opt out|Ann Lee|Ann|ann@example.com");
  g_assert_cmpuint (blanks->len, ==, 0);
}

static gboolean
has_blank (GPtrArray  *blanks,
           const char *field)
{
  return g_ptr_array_find_with_equal_func (blanks, field, g_str_equal, NULL);
}

static void
test_render_blanks (void)
{
  TurnoutMergeValues nothing = { 0 };
  TurnoutMergeValues spaces = { .first_name = "  \t", .last_name = "\xc2\xa0", .city = "" };
  TurnoutMergeValues first_only = { .first_name = " Ann ", .last_name = " " };
  TurnoutMergeValues last_only = { .last_name = "Lee\n" };
  g_autoptr(GPtrArray) blanks = g_ptr_array_new ();
  g_autofree char *greeting = NULL;
  g_autofree char *fallback = NULL;
  g_autofree char *optional = NULL;
  g_autofree char *white = NULL;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *unreported = NULL;

  /* The "Hi ," that other tools send: reported once however often used. */
  greeting = render ("Hi {first_name}, {first_name}! {city} {event_date}", &nothing, blanks);
  g_assert_cmpstr (greeting, ==, "Hi , !  ");
  g_assert_cmpuint (blanks->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (blanks, 0), ==, "first_name");
  g_assert_cmpstr (g_ptr_array_index (blanks, 1), ==, "city");
  g_assert_cmpstr (g_ptr_array_index (blanks, 2), ==, "event_date");

  /* A fallback stands in and the field is not reported; the same array
   * goes on gathering without repeats. */
  fallback = render ("Hi {first_name|there}, {customer_first_name}, {email}", &nothing, blanks);
  g_assert_cmpstr (fallback, ==, "Hi there, , ");
  g_assert_cmpuint (blanks->len, ==, 4);
  g_assert_true (has_blank (blanks, "email"));

  /* {field|} says blank is fine. */
  g_ptr_array_set_size (blanks, 0);
  optional = render ("Hi{first_name|}!", &nothing, blanks);
  g_assert_cmpstr (optional, ==, "Hi!");
  g_assert_cmpuint (blanks->len, ==, 0);

  /* Whitespace alone is blank, Unicode spaces included. */
  white = render ("{first_name|A}{last_name|B}{city|C}{full_name|D}", &spaces, blanks);
  g_assert_cmpstr (white, ==, "ABCD");

  first = render ("[{full_name}] [{first_name}] [{last_name|-}]", &first_only, blanks);
  g_assert_cmpstr (first, ==, "[Ann] [Ann] [-]");
  last = render ("[{full_name}] [{customer_name|x}]", &last_only, blanks);
  g_assert_cmpstr (last, ==, "[Lee] [Lee]");
  g_assert_cmpuint (blanks->len, ==, 0);

  g_ptr_array_set_size (blanks, 0);
  g_free (render ("{full_name}", &spaces, blanks));
  g_assert_cmpuint (blanks->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (blanks, 0), ==, "full_name");

  /* No array: blanks are simply left out. */
  unreported = render ("Hi {first_name}.", &nothing, NULL);
  g_assert_cmpstr (unreported, ==, "Hi .");
}

static void
test_dates (void)
{
  static const struct {
    gint64      starts_at;
    const char *zone;
    const char *date;
    const char *time;
  } cases[] = {
    { JUNE_1_0200_UTC, "America/New_York", "Sunday, May 31, 2026", "10:00 PM" },
    { JUNE_1_0200_UTC, "Europe/Berlin", "Monday, June 1, 2026", "4:00 AM" },
    { JUNE_1_0200_UTC, "Asia/Tokyo", "Monday, June 1, 2026", "11:00 AM" },
    { JUNE_1_0200_UTC, "Asia/Kolkata", "Monday, June 1, 2026", "7:30 AM" },
    { JUNE_1_0200_UTC, "America/Los_Angeles", "Sunday, May 31, 2026", "7:00 PM" },
    { JUNE_1_0200_UTC, "UTC", "Monday, June 1, 2026", "2:00 AM" },
    /* No time zone, or one that does not exist: UTC. */
    { JUNE_1_0200_UTC, NULL, "Monday, June 1, 2026", "2:00 AM" },
    { JUNE_1_0200_UTC, "Mars/Olympus_Mons", "Monday, June 1, 2026", "2:00 AM" },
    /* Winter time in New York (UTC-5), noon and midnight. */
    { G_GINT64_CONSTANT (1768500000), "America/New_York", "Thursday, January 15, 2026",
      "1:00 PM" },
    { G_GINT64_CONSTANT (1768471200), "America/New_York", "Thursday, January 15, 2026",
      "5:00 AM" },
    { G_GINT64_CONSTANT (1781280000), "Europe/London", "Friday, June 12, 2026", "5:00 PM" },
    { G_GINT64_CONSTANT (1781265600), "America/New_York", "Friday, June 12, 2026",
      "8:00 AM" },
    { G_GINT64_CONSTANT (1781236800), "UTC", "Friday, June 12, 2026", "4:00 AM" },
    { G_GINT64_CONSTANT (1781222400), "UTC", "Friday, June 12, 2026", "12:00 AM" },
    { G_GINT64_CONSTANT (1781265600), "UTC", "Friday, June 12, 2026", "12:00 PM" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TurnoutMergeValues values = {
        .event_starts_at = cases[i].starts_at,
        .event_time_zone = cases[i].zone,
      };
      g_autoptr(GPtrArray) blanks = g_ptr_array_new ();
      g_autofree char *text = render ("{event_date}|{event_time}", &values, blanks);
      g_autofree char *expected = g_strconcat (cases[i].date, "|", cases[i].time, NULL);

      if (g_strcmp0 (text, expected) != 0)
        g_error ("%" G_GINT64_FORMAT " in %s: “%s”, expected “%s”",
                 cases[i].starts_at, cases[i].zone, text, expected);
      g_assert_cmpuint (blanks->len, ==, 0);
    }

  /* No event: both are blank. */
  {
    TurnoutMergeValues none = { .event_time_zone = "Europe/Berlin" };
    g_autoptr(GPtrArray) blanks = g_ptr_array_new ();
    g_autofree char *text = render ("Doors {event_date|soon} {event_time}", &none, blanks);

    g_assert_cmpstr (text, ==, "Doors soon ");
    g_assert_cmpuint (blanks->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (blanks, 0), ==, "event_time");
  }
}

static void
test_uses (void)
{
  g_autoptr(TurnoutMergeTemplate) template =
    turnout_merge_template_new ("Hi {customer_name|there}, see you at {event_venue}", NULL);

  g_assert_nonnull (template);
  g_assert_cmpstr (turnout_merge_template_get_text (template), ==,
                   "Hi {customer_name|there}, see you at {event_venue}");
  g_assert_true (turnout_merge_template_uses (template, "full_name"));
  g_assert_true (turnout_merge_template_uses (template, "partner_name"));
  g_assert_true (turnout_merge_template_uses (template, "event_venue"));
  g_assert_false (turnout_merge_template_uses (template, "first_name"));
  g_assert_false (turnout_merge_template_uses (template, "event_date"));
  g_assert_false (turnout_merge_template_uses (template, "nonsense"));
}

static void
test_ref_counting (void)
{
  TurnoutMergeTemplate *template = turnout_merge_template_new ("{city}", NULL);
  TurnoutMergeTemplate *copy;
  TurnoutMergeValues values = { .city = "Oslo" };
  g_autofree char *text = NULL;

  copy = g_boxed_copy (TURNOUT_TYPE_MERGE_TEMPLATE, template);
  g_assert_true (copy == template);
  turnout_merge_template_unref (template);
  text = turnout_merge_template_render (copy, &values, NULL);
  g_assert_cmpstr (text, ==, "Oslo");
  g_boxed_free (TURNOUT_TYPE_MERGE_TEMPLATE, copy);
}

/* Every text of up to six characters from a small alphabet: the scan never
 * fails and covers the text; a template exists exactly when the scan found
 * no error; and rendering a template whose one field is "X" gives the text
 * with the escapes undone and the field replaced. */
static void
test_every_short_text (void)
{
  static const char alphabet[] = { '{', '}', '|', 'x', ' ', '\n' };
  const guint n = G_N_ELEMENTS (alphabet);
  TurnoutMergeValues values = { .city = "X" };
  guint total = 0;

  for (guint length = 0; length <= 6; length++)
    {
      guint count = 1;

      for (guint i = 0; i < length; i++)
        count *= n;
      for (guint k = 0; k < count; k++)
        {
          char text[8] = { 0 };
          guint rest = k;
          g_autoptr(GPtrArray) tokens = NULL;
          g_autoptr(TurnoutMergeTemplate) template = NULL;
          g_autoptr(GError) error = NULL;
          gboolean has_error = FALSE;

          for (guint i = 0; i < length; i++, rest /= n)
            text[i] = alphabet[rest % n];

          tokens = scan (text);
          for (guint t = 0; t < tokens->len; t++)
            has_error |= token_at (tokens, t)->kind == TURNOUT_MERGE_TOKEN_ERROR;
          template = turnout_merge_template_new (text, &error);
          g_assert_true ((template == NULL) == has_error);
          g_assert_true ((error == NULL) == !has_error);
          if (template == NULL)
            {
              total++;
              continue;
            }
          {
            /* No field name can be made of this alphabet, so a valid text
             * is escapes and plain text only. */
            g_autofree char *rendered = turnout_merge_template_render (template, &values, NULL);
            g_autoptr(GString) expected = g_string_new (NULL);

            for (guint t = 0; t < tokens->len; t++)
              {
                TurnoutMergeToken *token = token_at (tokens, t);

                g_assert_cmpint (token->kind, !=, TURNOUT_MERGE_TOKEN_FIELD);
                if (token->kind == TURNOUT_MERGE_TOKEN_ESCAPE)
                  g_string_append_c (expected, text[token->start]);
                else
                  g_string_append_len (expected, text + token->start, token->end - token->start);
              }
            g_assert_cmpstr (rendered, ==, expected->str);
          }
          total++;
        }
    }
  g_assert_cmpuint (total, ==, 1 + 6 + 36 + 216 + 1296 + 7776 + 46656);
}

/* HTML: a stylesheet's braces are text; whole fields still merge, and a
 * misspelt field is still an error. */
static void
test_markup (void)
{
  static const char html[] =
    "<style>@media (max-width:600px){.wrap{width:100% !important}}\n"
    "a { color: #1a5fb4; } .x{}</style>\n"
    "<p>Hi {first_name|there}, {{not a field}} {city}</p>";
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutMergeTemplate) template = turnout_merge_template_new_full (html, TRUE, &error);
  g_autoptr(GPtrArray) tokens = NULL;
  g_autofree char *rendered = NULL;
  TurnoutMergeValues values = { .first_name = "Ana", .city = "Leeds" };
  guint fields = 0;

  g_assert_no_error (error);
  rendered = turnout_merge_template_render (template, &values, NULL);
  g_assert_cmpstr (rendered, ==,
                   "<style>@media (max-width:600px){.wrap{width:100% !important}}\n"
                   "a { color: #1a5fb4; } .x{}</style>\n"
                   "<p>Hi Ana, {not a field} Leeds</p>");

  tokens = turnout_merge_scan_full (html, TRUE);
  for (guint i = 0; i < tokens->len; i++)
    {
      TurnoutMergeToken *token = g_ptr_array_index (tokens, i);

      g_assert_cmpint (token->kind, !=, TURNOUT_MERGE_TOKEN_ERROR);
      fields += token->kind == TURNOUT_MERGE_TOKEN_FIELD;
    }
  g_assert_cmpuint (fields, ==, 2);

  /* Doubled braces over several lines, as the starter templates write
   * their stylesheets, come out single. */
  {
    g_autoptr(TurnoutMergeTemplate) doubled =
      turnout_merge_template_new_full ("@media (x) {{\n  .a {{ b: c }}\n}}\n{first_name}", TRUE,
                                       &error);
    g_autofree char *out = NULL;

    g_assert_no_error (error);
    out = turnout_merge_template_render (doubled, &values, NULL);
    g_assert_cmpstr (out, ==, "@media (x) {\n  .a { b: c }\n}\nAna");
  }

  /* The same text as plain text is full of mistakes. */
  g_assert_null (turnout_merge_template_new (html, &error));
  g_clear_error (&error);

  g_assert_null (turnout_merge_template_new_full ("<p>{frist_name}</p>", TRUE, &error));
  g_assert_error (error, TURNOUT_MERGE_ERROR, TURNOUT_MERGE_ERROR_UNKNOWN_FIELD);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/merge/fields", test_fields);
  g_test_add_func ("/merge/scan/tokens", test_scan_tokens);
  g_test_add_func ("/merge/scan/aliases", test_scan_aliases);
  g_test_add_func ("/merge/scan/fallbacks", test_scan_fallbacks);
  g_test_add_func ("/merge/scan/every-short-text", test_every_short_text);
  g_test_add_func ("/merge/errors/positions", test_errors);
  g_test_add_func ("/merge/errors/tokens", test_error_tokens);
  g_test_add_func ("/merge/render/escapes", test_escapes);
  g_test_add_func ("/merge/render/values", test_render_values);
  g_test_add_func ("/merge/render/blanks", test_render_blanks);
  g_test_add_func ("/merge/render/dates", test_dates);
  g_test_add_func ("/merge/uses", test_uses);
  g_test_add_func ("/merge/ref-counting", test_ref_counting);
  g_test_add_func ("/merge/markup", test_markup);

  return g_test_run ();
}
