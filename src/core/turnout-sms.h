/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * How an SMS body is encoded and how many segments it costs, counted the way
 * carriers and Twilio count them (3GPP TS 23.038 and TS 23.040):
 *
 * - A text made only of characters of the GSM-7 basic table and its
 *   extension table is sent as GSM-7. A basic character takes one septet,
 *   an extension character (^ { } \ [ ~ ] | € and form feed) two: the escape
 *   and its code. One segment holds 160 septets; a longer text is split
 *   into parts of 153 septets (the rest is the concatenation header), and
 *   an extension character never straddles two parts: when only one septet
 *   is left, it moves to the next part and the septet stays empty.
 * - Any other character makes the whole text UCS-2 (in practice UTF-16):
 *   70 code units in one segment, 67 per part of a longer text. A character
 *   outside the Basic Multilingual Plane (most emoji) takes two units, a
 *   surrogate pair, and the pair is never split across parts.
 *
 * Segments are counted by packing the characters into parts, not by
 * dividing, so the empty slots left at part boundaries are counted.
 * Combining marks are characters of their own (and outside GSM-7), so "é"
 * written as e + U+0301 is UCS-2 while the precomposed "é" is GSM-7.
 */

/* Twilio refuses a body longer than this many characters (error 21617). */
#define TURNOUT_SMS_MAX_CHARACTERS 1600

#define TURNOUT_SMS_GSM7_SINGLE_SEPTETS    160
#define TURNOUT_SMS_GSM7_MULTIPART_SEPTETS 153
#define TURNOUT_SMS_UCS2_SINGLE_UNITS      70
#define TURNOUT_SMS_UCS2_MULTIPART_UNITS   67

typedef enum
{
  TURNOUT_SMS_ENCODING_GSM7,
  TURNOUT_SMS_ENCODING_UCS2,
} TurnoutSmsEncoding;

/**
 * TurnoutSmsCharacter:
 * @character: a character outside both GSM-7 tables
 * @position: its index in the text, in characters (code points), from 0
 */
typedef struct
{
  gunichar character;
  guint    position;
} TurnoutSmsCharacter;

/**
 * TurnoutSmsInfo:
 * @encoding: GSM-7 when every character is in the GSM-7 tables, else UCS-2
 * @characters: the number of Unicode code points
 * @units: septets for GSM-7 (extension characters count 2), UTF-16 code
 *   units for UCS-2
 * @segments: the number of segments the text is sent in; 0 for empty text
 * @too_long: whether the text has more than %TURNOUT_SMS_MAX_CHARACTERS
 *   characters, which Twilio refuses
 * @ucs2_characters: (element-type TurnoutSmsCharacter): every character
 *   outside both GSM-7 tables, in the order of the text; empty (never
 *   %NULL) for a GSM-7 text
 */
typedef struct
{
  TurnoutSmsEncoding  encoding;
  guint               characters;
  guint               units;
  guint               segments;
  gboolean            too_long;
  GArray             *ucs2_characters;
} TurnoutSmsInfo;

TurnoutSmsInfo *turnout_sms_info_new            (const char         *text);
void            turnout_sms_info_free           (TurnoutSmsInfo     *info);
const char     *turnout_sms_encoding_to_string  (TurnoutSmsEncoding  encoding);
guint           turnout_sms_gsm7_septets        (gunichar            character);
char           *turnout_sms_replace_with_gsm    (const char         *text,
                                                 guint              *n_replaced);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutSmsInfo, turnout_sms_info_free)

G_END_DECLS
