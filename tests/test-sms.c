/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "turnout-sms.h"
#include "turnout-test-utils.h"

/* The GSM-7 default alphabet of 3GPP TS 23.038 §6.2.1, in code order; 0x1B
 * is the escape to the extension table, not a character (0 here). */
static const gunichar basic_table[128] = {
  '@', 0x00A3, '$', 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,
  0x00F2, 0x00C7, '\n', 0x00D8, 0x00F8, '\r', 0x00C5, 0x00E5,
  0x0394, '_', 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,
  0x03A3, 0x0398, 0x039E, 0, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
  ' ', '!', '"', '#', 0x00A4, '%', '&', '\'',
  '(', ')', '*', '+', ',', '-', '.', '/',
  '0', '1', '2', '3', '4', '5', '6', '7',
  '8', '9', ':', ';', '<', '=', '>', '?',
  0x00A1, 'A', 'B', 'C', 'D', 'E', 'F', 'G',
  'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
  'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W',
  'X', 'Y', 'Z', 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
  0x00BF, 'a', 'b', 'c', 'd', 'e', 'f', 'g',
  'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
  'p', 'q', 'r', 's', 't', 'u', 'v', 'w',
  'x', 'y', 'z', 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

/* The extension table (after the escape, 0x1B). */
static const gunichar extension_table[] = {
  '\f', '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC,
};

static gboolean
in_table (const gunichar *table,
          gsize           n,
          gunichar        c)
{
  for (gsize i = 0; i < n; i++)
    if (table[i] == c && !(c == 0 && table == basic_table))
      return TRUE;
  return FALSE;
}

/* @count copies of @unit, e.g. repeat ("😀", 3). */
static char *
repeat (const char *unit,
        guint       count)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    g_string_append (text, unit);
  return g_string_free (text, FALSE);
}

static char *
unichar_to_string (gunichar c)
{
  char buf[8] = { 0 };

  g_unichar_to_utf8 (c, buf);
  return g_strdup (buf);
}

static void
test_basic_table (void)
{
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(TurnoutSmsInfo) info = NULL;
  guint n = 0;

  for (guint code = 0; code < 128; code++)
    {
      g_autofree char *one = NULL;
      g_autoptr(TurnoutSmsInfo) single = NULL;

      if (code == 0x1B)
        continue;
      one = unichar_to_string (basic_table[code]);
      single = turnout_sms_info_new (one);
      if (turnout_sms_gsm7_septets (basic_table[code]) != 1
          || single->encoding != TURNOUT_SMS_ENCODING_GSM7 || single->units != 1)
        g_error ("GSM-7 code 0x%02X (U+%04X) should be one septet", code, basic_table[code]);
      g_string_append (all, one);
      n++;
    }
  g_assert_cmpuint (n, ==, 127);

  info = turnout_sms_info_new (all->str);
  g_assert_cmpint (info->encoding, ==, TURNOUT_SMS_ENCODING_GSM7);
  g_assert_cmpuint (info->characters, ==, 127);
  g_assert_cmpuint (info->units, ==, 127);
  g_assert_cmpuint (info->segments, ==, 1);
  g_assert_cmpuint (info->ucs2_characters->len, ==, 0);
}

static void
test_extension_table (void)
{
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(TurnoutSmsInfo) info = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (extension_table); i++)
    {
      g_autofree char *one = unichar_to_string (extension_table[i]);
      g_autoptr(TurnoutSmsInfo) single = turnout_sms_info_new (one);

      if (turnout_sms_gsm7_septets (extension_table[i]) != 2
          || single->encoding != TURNOUT_SMS_ENCODING_GSM7 || single->units != 2
          || single->characters != 1)
        g_error ("U+%04X is in the GSM-7 extension table: two septets", extension_table[i]);
      g_string_append (all, one);
    }

  info = turnout_sms_info_new (all->str);
  g_assert_cmpint (info->encoding, ==, TURNOUT_SMS_ENCODING_GSM7);
  g_assert_cmpuint (info->characters, ==, 10);
  g_assert_cmpuint (info->units, ==, 20);
  g_assert_cmpuint (info->segments, ==, 1);
}

/* Every Unicode character is in exactly the tables above, or in neither. */
static void
test_nothing_else_is_gsm (void)
{
  guint n_basic = 0;
  guint n_extension = 0;

  for (gunichar c = 0; c <= 0x10FFFF; c++)
    {
      guint septets = turnout_sms_gsm7_septets (c);
      guint expected = in_table (basic_table, G_N_ELEMENTS (basic_table), c) ? 1
                       : in_table (extension_table, G_N_ELEMENTS (extension_table), c) ? 2 : 0;

      if (septets != expected)
        g_error ("U+%04X: %u septets, expected %u", c, septets, expected);
      n_basic += septets == 1;
      n_extension += septets == 2;
    }
  g_assert_cmpuint (n_basic, ==, 127);
  g_assert_cmpuint (n_extension, ==, 10);

  /* Look-alikes that people expect to be GSM-7 and are not. */
  g_assert_cmpuint (turnout_sms_gsm7_septets ('`'), ==, 0);
  g_assert_cmpuint (turnout_sms_gsm7_septets (0x00E7), ==, 0); /* ç */
  g_assert_cmpuint (turnout_sms_gsm7_septets (0x00E1), ==, 0); /* á */
  g_assert_cmpuint (turnout_sms_gsm7_septets (0x00EA), ==, 0); /* ê */
  g_assert_cmpuint (turnout_sms_gsm7_septets (0x2019), ==, 0); /* ’ */
  g_assert_cmpuint (turnout_sms_gsm7_septets (0x00A0), ==, 0); /* no-break space */
  g_assert_cmpuint (turnout_sms_gsm7_septets ('\t'), ==, 0);
  g_assert_cmpuint (turnout_sms_gsm7_septets (0x03B1), ==, 0); /* α: only capitals */
  g_assert_cmpuint (turnout_sms_gsm7_septets (0x0041), ==, 1); /* Latin A, not Greek */
  g_assert_cmpuint (turnout_sms_gsm7_septets (0x0391), ==, 0); /* Greek Alpha */
  g_assert_cmpuint (turnout_sms_gsm7_septets (0x001B), ==, 0); /* the escape itself */
}

typedef struct
{
  const char *what;
  char       *text;
  guint       characters;
  guint       units;
  guint       segments;
} Case;

static void
check_cases (Case               *cases,
             guint               n_cases,
             TurnoutSmsEncoding  encoding)
{
  for (guint i = 0; i < n_cases; i++)
    {
      g_autoptr(TurnoutSmsInfo) info = turnout_sms_info_new (cases[i].text);

      if (info->encoding != encoding || info->characters != cases[i].characters
          || info->units != cases[i].units || info->segments != cases[i].segments)
        g_error ("%s: got %s, %u characters, %u units, %u segments; "
                 "expected %s, %u, %u, %u",
                 cases[i].what, turnout_sms_encoding_to_string (info->encoding),
                 info->characters, info->units, info->segments,
                 turnout_sms_encoding_to_string (encoding),
                 cases[i].characters, cases[i].units, cases[i].segments);
      g_free (cases[i].text);
    }
}

static char *
concat (const char *first,
        ...) G_GNUC_NULL_TERMINATED;

/* Joins strings and frees them: concat (repeat ("a", 3), NULL). */
static char *
concat (const char *first,
        ...)
{
  GString *text = g_string_new (NULL);
  va_list ap;

  va_start (ap, first);
  for (const char *part = first; part != NULL; part = va_arg (ap, const char *))
    {
      g_string_append (text, part);
      g_free ((char *) part);
    }
  va_end (ap);
  return g_string_free (text, FALSE);
}

#define R(unit, count) repeat ((unit), (count))

static void
test_gsm7_boundaries (void)
{
  Case cases[] = {
    /* Plain septets around the single-part limit and the part sizes. */
    { "152 septets", R ("a", 152), 152, 152, 1 },
    { "153 septets", R ("a", 153), 153, 153, 1 },
    { "154 septets", R ("a", 154), 154, 154, 1 },
    { "159 septets", R ("a", 159), 159, 159, 1 },
    { "160 septets", R ("a", 160), 160, 160, 1 },
    { "161 septets", R ("a", 161), 161, 161, 2 },
    { "305 septets", R ("a", 305), 305, 305, 2 },
    { "306 septets", R ("a", 306), 306, 306, 2 },
    { "307 septets", R ("a", 307), 307, 307, 3 },

    /* An extension character across the single-part limit. */
    { "158 + €", concat (R ("a", 158), R ("€", 1), NULL), 159, 160, 1 },
    { "159 + €", concat (R ("a", 159), R ("€", 1), NULL), 160, 161, 2 },
    { "€ + 158", concat (R ("€", 1), R ("a", 158), NULL), 159, 160, 1 },
    { "€ + 159", concat (R ("€", 1), R ("a", 159), NULL), 160, 161, 2 },
    { "80 {", R ("{", 80), 80, 160, 1 },
    { "81 {", R ("{", 81), 81, 162, 2 },
    { "79 { + 2", concat (R ("{", 79), R ("a", 2), NULL), 81, 160, 1 },
    { "79 { + 3", concat (R ("{", 79), R ("a", 3), NULL), 82, 161, 2 },

    /* Across the first part boundary (153): at 152 the escape pair would
     * straddle, so it moves to the second part and septet 153 stays empty. */
    { "151 + € + 8", concat (R ("a", 151), R ("€", 1), R ("a", 8), NULL), 160, 161, 2 },
    { "152 + € + 7", concat (R ("a", 152), R ("€", 1), R ("a", 7), NULL), 160, 161, 2 },
    { "153 + € + 6", concat (R ("a", 153), R ("€", 1), R ("a", 6), NULL), 160, 161, 2 },
    { "151 + € + 153", concat (R ("a", 151), R ("€", 1), R ("a", 153), NULL), 305, 306, 2 },
    { "152 + € + 152", concat (R ("a", 152), R ("€", 1), R ("a", 152), NULL), 305, 306, 3 },
    { "153 + € + 151", concat (R ("a", 153), R ("€", 1), R ("a", 151), NULL), 305, 306, 2 },
    { "152 + € + 151", concat (R ("a", 152), R ("€", 1), R ("a", 151), NULL), 304, 305, 2 },

    /* Across the second part boundary (306). */
    { "303 + €", concat (R ("a", 303), R ("€", 1), NULL), 304, 305, 2 },
    { "304 + €", concat (R ("a", 304), R ("€", 1), NULL), 305, 306, 2 },
    { "305 + €", concat (R ("a", 305), R ("€", 1), NULL), 306, 307, 3 },
    { "153 + 152 + €", concat (R ("a", 153), R ("a", 152), R ("\\", 1), NULL), 306, 307, 3 },

    /* Only extension characters: 76 fit in a part of 153, one septet is
     * left empty in each, so 153 of them (306 septets) need three parts. */
    { "152 {", R ("{", 152), 152, 304, 2 },
    { "153 {", R ("{", 153), 153, 306, 3 },

    /* Line ends are one septet each. */
    { "CRLF", g_strdup ("a\r\nb"), 4, 4, 1 },
  };

  check_cases (cases, G_N_ELEMENTS (cases), TURNOUT_SMS_ENCODING_GSM7);
}

static void
test_ucs2_boundaries (void)
{
  /* "ç" is one UTF-16 unit outside GSM-7: it makes the text UCS-2 without
   * changing the count; "😀" (U+1F600) is a surrogate pair, two units. */
  Case cases[] = {
    { "66 units", concat (R ("ç", 1), R ("a", 65), NULL), 66, 66, 1 },
    { "67 units", concat (R ("ç", 1), R ("a", 66), NULL), 67, 67, 1 },
    { "68 units", concat (R ("ç", 1), R ("a", 67), NULL), 68, 68, 1 },
    { "69 units", concat (R ("ç", 1), R ("a", 68), NULL), 69, 69, 1 },
    { "70 units", concat (R ("ç", 1), R ("a", 69), NULL), 70, 70, 1 },
    { "71 units", concat (R ("ç", 1), R ("a", 70), NULL), 71, 71, 2 },
    { "133 units", concat (R ("ç", 1), R ("a", 132), NULL), 133, 133, 2 },
    { "134 units", concat (R ("ç", 1), R ("a", 133), NULL), 134, 134, 2 },
    { "135 units", concat (R ("ç", 1), R ("a", 134), NULL), 135, 135, 3 },

    /* An emoji across the single-part limit. */
    { "68 + 😀", concat (R ("ç", 1), R ("a", 67), R ("😀", 1), NULL), 69, 70, 1 },
    { "69 + 😀", concat (R ("ç", 1), R ("a", 68), R ("😀", 1), NULL), 70, 71, 2 },
    { "35 😀", R ("😀", 35), 35, 70, 1 },
    { "36 😀", R ("😀", 36), 36, 72, 2 },

    /* Across the first part boundary (67): at unit 66 the pair would be
     * split, so it moves to the second part and unit 67 stays empty. */
    { "65 + 😀 + 66", concat (R ("ç", 1), R ("a", 64), R ("😀", 1), R ("a", 66), NULL),
      132, 133, 2 },
    { "66 + 😀 + 66", concat (R ("ç", 1), R ("a", 65), R ("😀", 1), R ("a", 66), NULL),
      133, 134, 3 },
    { "67 + 😀 + 65", concat (R ("ç", 1), R ("a", 66), R ("😀", 1), R ("a", 65), NULL),
      133, 134, 2 },
    { "66 + 😀 + 65", concat (R ("ç", 1), R ("a", 65), R ("😀", 1), R ("a", 65), NULL),
      132, 133, 2 },

    /* Across the second part boundary (134). */
    { "132 + 😀", concat (R ("ç", 1), R ("a", 131), R ("😀", 1), NULL), 133, 134, 2 },
    { "133 + 😀", concat (R ("ç", 1), R ("a", 132), R ("😀", 1), NULL), 134, 135, 3 },

    /* Only emoji: 33 fit in a part of 67. */
    { "66 😀", R ("😀", 66), 66, 132, 2 },
    { "67 😀", R ("😀", 67), 67, 134, 3 },

    /* In UCS-2, extension characters are one unit like any other. */
    { "😀 + 68 ]", concat (R ("😀", 1), R ("]", 68), NULL), 69, 70, 1 },
    { "😀 + 69 ]", concat (R ("😀", 1), R ("]", 69), NULL), 70, 71, 2 },
    { "— + 69 €", concat (R ("—", 1), R ("€", 69), NULL), 70, 70, 1 },
  };

  check_cases (cases, G_N_ELEMENTS (cases), TURNOUT_SMS_ENCODING_UCS2);
}

/* The examples Twilio's own segment calculator is tested with
 * (TwilioDevEd/message-segment-calculator, tests/index.test.js), rebuilt
 * here: the same shape of text must give the same segment count. */
static void
test_twilio_examples (void)
{
  Case gsm[] = {
    { "160 digits", R ("1", 160), 160, 160, 1 },
    { "161 digits", R ("1", 161), 161, 161, 2 },
    { "307 digits", R ("1", 307), 307, 307, 3 },
    { "| + 158 digits", concat (R ("|", 1), R ("1", 158), NULL), 159, 160, 1 },
    { "| + 159 digits", concat (R ("|", 1), R ("1", 159), NULL), 160, 161, 2 },
  };
  Case ucs2[] = {
    { "😜 + 68", concat (R ("😜", 1), R ("2", 68), NULL), 69, 70, 1 },
    { "😜 + 69", concat (R ("😜", 1), R ("2", 69), NULL), 70, 71, 2 },
    { "😜 + 133", concat (R ("😜", 1), R ("2", 133), NULL), 134, 135, 3 },
    { "70 ç", R ("ç", 70), 70, 70, 1 },
    { "71 ç", R ("ç", 71), 71, 71, 2 },
    /* é with three combining acute accents: four code points, four units. */
    { "é́́ + 66", concat (g_strdup ("e\xcc\x81\xcc\x81\xcc\x81"), R ("a", 66), NULL),
      70, 70, 1 },
    { "é́́ + 67", concat (g_strdup ("e\xcc\x81\xcc\x81\xcc\x81"), R ("a", 67), NULL),
      71, 71, 2 },
  };

  check_cases (gsm, G_N_ELEMENTS (gsm), TURNOUT_SMS_ENCODING_GSM7);
  check_cases (ucs2, G_N_ELEMENTS (ucs2), TURNOUT_SMS_ENCODING_UCS2);
}

static void
test_combining_marks (void)
{
  /* "é" precomposed is in the basic table; e + U+0301 is two characters
   * and the accent forces UCS-2. */
  g_autoptr(TurnoutSmsInfo) precomposed = turnout_sms_info_new ("Caf\xc3\xa9");
  g_autoptr(TurnoutSmsInfo) decomposed = turnout_sms_info_new ("Cafe\xcc\x81!");
  TurnoutSmsCharacter *mark;

  g_assert_cmpint (precomposed->encoding, ==, TURNOUT_SMS_ENCODING_GSM7);
  g_assert_cmpuint (precomposed->characters, ==, 4);
  g_assert_cmpuint (precomposed->units, ==, 4);

  g_assert_cmpint (decomposed->encoding, ==, TURNOUT_SMS_ENCODING_UCS2);
  g_assert_cmpuint (decomposed->characters, ==, 6);
  g_assert_cmpuint (decomposed->units, ==, 6);
  g_assert_cmpuint (decomposed->segments, ==, 1);
  g_assert_cmpuint (decomposed->ucs2_characters->len, ==, 1);
  mark = &g_array_index (decomposed->ucs2_characters, TurnoutSmsCharacter, 0);
  g_assert_cmpuint (mark->character, ==, 0x0301);
  g_assert_cmpuint (mark->position, ==, 4);
}

static void
test_empty (void)
{
  g_autoptr(TurnoutSmsInfo) info = turnout_sms_info_new ("");

  g_assert_cmpint (info->encoding, ==, TURNOUT_SMS_ENCODING_GSM7);
  g_assert_cmpuint (info->characters, ==, 0);
  g_assert_cmpuint (info->units, ==, 0);
  g_assert_cmpuint (info->segments, ==, 0);
  g_assert_false (info->too_long);
  g_assert_nonnull (info->ucs2_characters);
  g_assert_cmpuint (info->ucs2_characters->len, ==, 0);
}

static void
test_too_long (void)
{
  g_autofree char *limit = repeat ("a", 1600);
  g_autofree char *over = repeat ("a", 1601);
  g_autofree char *emoji_limit = repeat ("😀", 1600);
  g_autofree char *emoji_over = repeat ("😀", 1601);
  g_autoptr(TurnoutSmsInfo) at_limit = turnout_sms_info_new (limit);
  g_autoptr(TurnoutSmsInfo) past = turnout_sms_info_new (over);
  g_autoptr(TurnoutSmsInfo) emoji_at_limit = turnout_sms_info_new (emoji_limit);
  g_autoptr(TurnoutSmsInfo) emoji_past = turnout_sms_info_new (emoji_over);

  g_assert_false (at_limit->too_long);
  g_assert_cmpuint (at_limit->segments, ==, 11);    /* 10 × 153 = 1530 < 1600 */
  g_assert_true (past->too_long);
  g_assert_cmpuint (past->characters, ==, 1601);

  /* The limit is in characters, not units. */
  g_assert_false (emoji_at_limit->too_long);
  g_assert_cmpuint (emoji_at_limit->units, ==, 3200);
  g_assert_cmpuint (emoji_at_limit->segments, ==, 49); /* 33 emoji per part */
  g_assert_cmpuint (emoji_at_limit->ucs2_characters->len, ==, 1600);
  g_assert_true (emoji_past->too_long);
}

static void
test_positions (void)
{
  const char *text = "Hi there, doors at 10 \xe2\x80\x94 see you!";
  g_autoptr(TurnoutSmsInfo) info = turnout_sms_info_new (text);
  g_autoptr(TurnoutSmsInfo) mixed = turnout_sms_info_new ("a😀b\n—c`é\xc2\xa0");
  static const TurnoutSmsCharacter expected[] = {
    { 0x1F600, 1 }, { 0x2014, 4 }, { '`', 6 }, { 0x00A0, 8 },
  };

  g_assert_cmpint (info->encoding, ==, TURNOUT_SMS_ENCODING_UCS2);
  g_assert_cmpuint (info->segments, ==, 1);
  g_assert_cmpuint (info->characters, ==, 32);
  g_assert_cmpuint (info->ucs2_characters->len, ==, 1);
  g_assert_cmpuint (g_array_index (info->ucs2_characters, TurnoutSmsCharacter, 0).character,
                    ==, 0x2014);
  /* Counted in characters from 0: "Hi there, doors at 10 " is 22 long. */
  g_assert_cmpuint (g_array_index (info->ucs2_characters, TurnoutSmsCharacter, 0).position,
                    ==, 22);

  /* Positions count code points, not UTF-16 units or bytes. */
  g_assert_cmpuint (mixed->ucs2_characters->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      TurnoutSmsCharacter *found = &g_array_index (mixed->ucs2_characters, TurnoutSmsCharacter, i);

      g_assert_cmpuint (found->character, ==, expected[i].character);
      g_assert_cmpuint (found->position, ==, expected[i].position);
    }
  g_assert_cmpuint (mixed->characters, ==, 9);
  g_assert_cmpuint (mixed->units, ==, 10);
}

static void
test_replace_with_gsm (void)
{
  const char *text = "Hi there, doors at 10 \xe2\x80\x94 see you!";
  guint n = 99;
  g_autofree char *fixed = turnout_sms_replace_with_gsm (text, &n);
  g_autoptr(TurnoutSmsInfo) info = turnout_sms_info_new (fixed);

  g_assert_cmpstr (fixed, ==, "Hi there, doors at 10 - see you!");
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (info->encoding, ==, TURNOUT_SMS_ENCODING_GSM7);
  g_assert_cmpuint (info->segments, ==, 1);
  g_assert_cmpuint (info->ucs2_characters->len, ==, 0);
}

static void
test_replace_each (void)
{
  static const struct {
    const char *from;
    const char *to;
  } replacements[] = {
    { "\u2018", "'" }, { "\u2019", "'" }, { "\u201A", "'" }, { "\u201B", "'" },
    { "\u2032", "'" },
    { "\u201C", "\"" }, { "\u201D", "\"" }, { "\u201E", "\"" }, { "\u201F", "\"" },
    { "\u2033", "\"" }, { "\u00AB", "\"" }, { "\u00BB", "\"" },
    { "\u2010", "-" }, { "\u2011", "-" }, { "\u2012", "-" }, { "\u2013", "-" },
    { "\u2014", "-" }, { "\u2015", "-" },
    { "\u2026", "..." },
    { "\u00A0", " " }, { "\u2000", " " }, { "\u2001", " " }, { "\u2002", " " },
    { "\u2003", " " }, { "\u2004", " " }, { "\u2005", " " }, { "\u2006", " " },
    { "\u2007", " " }, { "\u2008", " " }, { "\u2009", " " }, { "\u200A", " " },
    { "\u202F", " " }, { "\u205F", " " }, { "\u3000", " " },
    { "\u00AD", "" }, { "\u200B", "" }, { "\u200C", "" }, { "\u200D", "" },
    { "\u2060", "" }, { "\uFEFF", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (replacements); i++)
    {
      g_autofree char *text = g_strconcat ("a", replacements[i].from, "b", NULL);
      g_autofree char *expected = g_strconcat ("a", replacements[i].to, "b", NULL);
      guint n = 0;
      g_autofree char *fixed = turnout_sms_replace_with_gsm (text, &n);
      g_autoptr(TurnoutSmsInfo) before = turnout_sms_info_new (text);
      g_autoptr(TurnoutSmsInfo) after = turnout_sms_info_new (fixed);

      g_assert_cmpstr (fixed, ==, expected);
      g_assert_cmpuint (n, ==, 1);
      g_assert_cmpint (before->encoding, ==, TURNOUT_SMS_ENCODING_UCS2);
      g_assert_cmpint (after->encoding, ==, TURNOUT_SMS_ENCODING_GSM7);
    }
}

static void
test_replace_nothing_else (void)
{
  /* Characters outside GSM-7 with no listed equivalent stay, GSM-7 text is
   * untouched, and a joiner inside an emoji sequence is kept. */
  const char *text = "Ça va? `x` ‹a› café €5 [x] \r\n"
                     "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb é";
  guint n = 99;
  g_autofree char *fixed = turnout_sms_replace_with_gsm (text, &n);
  g_autofree char *mixed = turnout_sms_replace_with_gsm ("“Ça” — ok…", &n);

  g_assert_cmpstr (fixed, ==, text);
  g_assert_cmpstr (mixed, ==, "\"Ça\" - ok...");
  g_assert_cmpuint (n, ==, 4);
  g_free (turnout_sms_replace_with_gsm ("", &n));
  g_assert_cmpuint (n, ==, 0);
  g_free (turnout_sms_replace_with_gsm ("plain", NULL));
}

static void
test_encoding_names (void)
{
  g_assert_cmpstr (turnout_sms_encoding_to_string (TURNOUT_SMS_ENCODING_GSM7), ==, "GSM-7");
  g_assert_cmpstr (turnout_sms_encoding_to_string (TURNOUT_SMS_ENCODING_UCS2), ==, "UCS-2");
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sms/gsm7/basic-table", test_basic_table);
  g_test_add_func ("/sms/gsm7/extension-table", test_extension_table);
  g_test_add_func ("/sms/gsm7/nothing-else", test_nothing_else_is_gsm);
  g_test_add_func ("/sms/gsm7/boundaries", test_gsm7_boundaries);
  g_test_add_func ("/sms/ucs2/boundaries", test_ucs2_boundaries);
  g_test_add_func ("/sms/twilio-examples", test_twilio_examples);
  g_test_add_func ("/sms/combining-marks", test_combining_marks);
  g_test_add_func ("/sms/empty", test_empty);
  g_test_add_func ("/sms/too-long", test_too_long);
  g_test_add_func ("/sms/positions", test_positions);
  g_test_add_func ("/sms/replace/example", test_replace_with_gsm);
  g_test_add_func ("/sms/replace/each", test_replace_each);
  g_test_add_func ("/sms/replace/nothing-else", test_replace_nothing_else);
  g_test_add_func ("/sms/encoding-names", test_encoding_names);

  return g_test_run ();
}
