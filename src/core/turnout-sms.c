/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-sms"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "turnout-sms.h"

/*
 * The GSM-7 tables are those of 3GPP TS 23.038 §6.2.1 (the default alphabet
 * and its extension table), the same ones Twilio's segment calculator uses.
 * National language shift tables are left out on purpose: Twilio does not
 * use them, so a text that would need one is sent as UCS-2.
 */

/* The basic table outside ASCII, as Unicode. Together with the ASCII
 * characters accepted by ascii_septets() these are the 127 characters of
 * the default alphabet (its 128th code, 0x1B, is the escape itself). */
static const gunichar basic_non_ascii[] = {
  0x00A1, /* ¡ */ 0x00A3, /* £ */ 0x00A4, /* ¤ */ 0x00A5, /* ¥ */ 0x00A7, /* § */
  0x00BF, /* ¿ */ 0x00C4, /* Ä */ 0x00C5, /* Å */ 0x00C6, /* Æ */ 0x00C7, /* Ç */
  0x00C9, /* É */ 0x00D1, /* Ñ */ 0x00D6, /* Ö */ 0x00D8, /* Ø */ 0x00DC, /* Ü */
  0x00DF, /* ß */ 0x00E0, /* à */ 0x00E4, /* ä */ 0x00E5, /* å */ 0x00E6, /* æ */
  0x00E8, /* è */ 0x00E9, /* é */ 0x00EC, /* ì */ 0x00F1, /* ñ */ 0x00F2, /* ò */
  0x00F6, /* ö */ 0x00F8, /* ø */ 0x00F9, /* ù */ 0x00FC, /* ü */
  0x0393, /* Γ */ 0x0394, /* Δ */ 0x0398, /* Θ */ 0x039B, /* Λ */ 0x039E, /* Ξ */
  0x03A0, /* Π */ 0x03A3, /* Σ */ 0x03A6, /* Φ */ 0x03A8, /* Ψ */ 0x03A9, /* Ω */
};

static guint
ascii_septets (gunichar c)
{
  switch (c)
    {
    case '\n':
    case '\r':
      return 1;
    case '\f':
    case '^':
    case '{':
    case '}':
    case '\\':
    case '[':
    case '~':
    case ']':
    case '|':
      return 2;
    case '`':
      /* The grave accent is the one printable ASCII character GSM-7 lacks. */
      return 0;
    default:
      return c >= 0x20 && c <= 0x7E ? 1 : 0;
    }
}

static int
compare_unichar (gconstpointer a,
                 gconstpointer b)
{
  gunichar x = *(const gunichar *) a;
  gunichar y = *(const gunichar *) b;

  return x < y ? -1 : x > y;
}

/**
 * turnout_sms_gsm7_septets:
 * @character: a Unicode character
 *
 * Returns: how many septets @character takes in GSM-7: 1 for the basic
 *   table, 2 for the extension table, 0 when it is in neither (so a text
 *   holding it is sent as UCS-2).
 */
guint
turnout_sms_gsm7_septets (gunichar character)
{
  if (character < 0x80)
    return ascii_septets (character);
  if (character == 0x20AC) /* € */
    return 2;
  if (bsearch (&character, basic_non_ascii, G_N_ELEMENTS (basic_non_ascii),
               sizeof (gunichar), compare_unichar) != NULL)
    return 1;
  return 0;
}

/**
 * turnout_sms_encoding_to_string:
 *
 * Returns: "GSM-7" or "UCS-2", the names carriers and Twilio use (not
 *   translated).
 */
const char *
turnout_sms_encoding_to_string (TurnoutSmsEncoding encoding)
{
  switch (encoding)
    {
    case TURNOUT_SMS_ENCODING_GSM7:
      return "GSM-7";
    case TURNOUT_SMS_ENCODING_UCS2:
      return "UCS-2";
    default:
      g_return_val_if_reached (NULL);
    }
}

static guint
utf16_units (gunichar c)
{
  return c > 0xFFFF ? 2 : 1;
}

/* Packs the characters into parts of @part_size units and returns how many
 * parts it takes. A character costing two units (an escape pair or a
 * surrogate pair) that does not fit in what is left of a part starts the
 * next one. */
static guint
pack_segments (const char         *text,
               TurnoutSmsEncoding  encoding,
               guint               part_size)
{
  guint parts = 1;
  guint used = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint cost = encoding == TURNOUT_SMS_ENCODING_GSM7 ? turnout_sms_gsm7_septets (c)
                                                         : utf16_units (c);

      if (used + cost > part_size)
        {
          parts++;
          used = 0;
        }
      used += cost;
    }
  return parts;
}

/**
 * turnout_sms_info_new:
 * @text: the body, valid UTF-8
 *
 * Works out the encoding, length and segment count of @text as an SMS.
 * Takes time linear in the length of @text; safe on any thread.
 *
 * Returns: (transfer full): the counts; free with turnout_sms_info_free().
 */
TurnoutSmsInfo *
turnout_sms_info_new (const char *text)
{
  TurnoutSmsInfo *info;
  guint septets = 0;
  guint utf16 = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (text, -1, NULL), NULL);

  info = g_new0 (TurnoutSmsInfo, 1);
  info->ucs2_characters = g_array_new (FALSE, FALSE, sizeof (TurnoutSmsCharacter));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint cost = turnout_sms_gsm7_septets (c);

      if (cost == 0)
        {
          TurnoutSmsCharacter found = { c, info->characters };

          g_array_append_val (info->ucs2_characters, found);
        }
      septets += cost;
      utf16 += utf16_units (c);
      info->characters++;
    }

  if (info->ucs2_characters->len == 0)
    {
      info->encoding = TURNOUT_SMS_ENCODING_GSM7;
      info->units = septets;
      if (septets == 0)
        info->segments = 0;
      else if (septets <= TURNOUT_SMS_GSM7_SINGLE_SEPTETS)
        info->segments = 1;
      else
        info->segments = pack_segments (text, info->encoding,
                                        TURNOUT_SMS_GSM7_MULTIPART_SEPTETS);
    }
  else
    {
      info->encoding = TURNOUT_SMS_ENCODING_UCS2;
      info->units = utf16;
      if (utf16 <= TURNOUT_SMS_UCS2_SINGLE_UNITS)
        info->segments = 1;
      else
        info->segments = pack_segments (text, info->encoding, TURNOUT_SMS_UCS2_MULTIPART_UNITS);
    }
  info->too_long = info->characters > TURNOUT_SMS_MAX_CHARACTERS;
  return info;
}

/**
 * turnout_sms_info_free:
 * @info: (nullable): what turnout_sms_info_new() returned
 */
void
turnout_sms_info_free (TurnoutSmsInfo *info)
{
  if (info == NULL)
    return;
  g_array_unref (info->ucs2_characters);
  g_free (info);
}

/* What a look-alike becomes: a GSM-7 string, or "" when it is dropped.
 * NULL means the character stays. */
static const char *
gsm_equivalent (gunichar c)
{
  switch (c)
    {
    case 0x2018: /* ‘ */
    case 0x2019: /* ’ */
    case 0x201A: /* ‚ */
    case 0x201B: /* ‛ */
    case 0x2032: /* ′ */
      return "'";
    case 0x201C: /* “ */
    case 0x201D: /* ” */
    case 0x201E: /* „ */
    case 0x201F: /* ‟ */
    case 0x2033: /* ″ */
    case 0x00AB: /* « */
    case 0x00BB: /* » */
      return "\"";
    case 0x2010: /* hyphen */
    case 0x2011: /* non-breaking hyphen */
    case 0x2012: /* figure dash */
    case 0x2013: /* – */
    case 0x2014: /* — */
    case 0x2015: /* ― */
      return "-";
    case 0x2026: /* … */
      return "...";
    case 0x00A0: /* no-break space */
    case 0x202F: /* narrow no-break space */
    case 0x205F: /* medium mathematical space */
    case 0x3000: /* ideographic space */
      return " ";
    case 0x00AD: /* soft hyphen */
    case 0x200B: /* zero width space */
    case 0x2060: /* word joiner */
    case 0xFEFF: /* zero width no-break space (a stray byte order mark) */
      return "";
    default:
      if (c >= 0x2000 && c <= 0x200A) /* en quad … hair space */
        return " ";
      return NULL;
    }
}

static gboolean
is_outside_gsm (const char *p)
{
  return p != NULL && *p != '\0' && turnout_sms_gsm7_septets (g_utf8_get_char (p)) == 0;
}

/**
 * turnout_sms_replace_with_gsm:
 * @text: valid UTF-8
 * @n_replaced: (out) (optional): how many characters were replaced or removed
 *
 * Replaces the look-alikes that silently turn a text into UCS-2 with their
 * GSM-7 equivalents: curly and low quotes and primes become ' or ", « and »
 * become ", the Unicode hyphens and dashes become -, the ellipsis becomes
 * "...", the no-break, narrow, ideographic and other typographic spaces
 * become a space, and the soft hyphen and zero-width characters are
 * removed. Nothing else changes. A zero-width joiner or non-joiner is kept
 * when a neighbour is outside GSM-7 anyway, because it is part of an emoji
 * sequence or of a script's spelling there.
 *
 * Returns: (transfer full): the new text
 */
char *
turnout_sms_replace_with_gsm (const char *text,
                              guint      *n_replaced)
{
  GString *out;
  const char *previous = NULL;
  guint count = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (text, -1, NULL), NULL);

  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; previous = p, p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *replacement = gsm_equivalent (c);

      if ((c == 0x200C || c == 0x200D)
          && !is_outside_gsm (previous) && !is_outside_gsm (g_utf8_next_char (p)))
        replacement = "";

      if (replacement != NULL)
        {
          g_string_append (out, replacement);
          count++;
        }
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }

  if (n_replaced != NULL)
    *n_replaced = count;
  return g_string_free (out, FALSE);
}
