/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "turnout-test-utils.h"
#include "turnout-vcard.h"

typedef struct
{
  GPtrArray *cards;
  GPtrArray *errors;
} Parsed;

static void
parsed_clear (Parsed *parsed)
{
  g_clear_pointer (&parsed->cards, g_ptr_array_unref);
  g_clear_pointer (&parsed->errors, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parsed, parsed_clear)

static void
parse_len (const char *data,
           gssize      len,
           Parsed     *parsed)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len < 0 ? strlen (data) : (gsize) len);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GError) error = NULL;

  parsed->cards = turnout_vcard_parse (stream, &parsed->errors, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parsed->cards);
  g_assert_nonnull (parsed->errors);
  /* The stream is the caller's: the parser leaves it open. */
  g_assert_false (g_input_stream_is_closed (stream));
}

static void
parse (const char *data,
       Parsed     *parsed)
{
  parse_len (data, -1, parsed);
}

static TurnoutVcardContact *
card (Parsed *parsed,
      guint   i)
{
  g_assert_cmpuint (i, <, parsed->cards->len);
  return g_ptr_array_index (parsed->cards, i);
}

/* The messages of the problems, one per line. */
static char *
problems (Parsed *parsed)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < parsed->errors->len; i++)
    {
      const GError *error = g_ptr_array_index (parsed->errors, i);

      g_assert_true (error->domain == TURNOUT_VCARD_ERROR);
      g_string_append_printf (out, "%s\n", error->message);
    }
  return g_string_free (out, FALSE);
}

static void
assert_strv (GStrv         actual,
             const char   *first,
             ...) G_GNUC_NULL_TERMINATED;

static void
assert_strv (GStrv       actual,
             const char *first,
             ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) expected = NULL;
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_strv_builder_add (builder, s);
  va_end (args);
  expected = g_strv_builder_end (builder);

  g_assert_nonnull (actual);
  g_assert_cmpstrv (actual, expected);
}

static void
test_gnome_contacts (void)
{
  g_auto(Parsed) parsed = { 0 };
  TurnoutVcardContact *zoe;

  parse ("BEGIN:VCARD\r\n"
         "VERSION:4.0\r\n"
         "PRODID:-//GNOME//Contacts//EN\r\n"
         "UID:urn:uuid:7d5c9e5e-2f0b-4b8e-9a35-1d1f3a7e2c11\r\n"
         "FN:Zoë Ångström\r\n"
         "N:Ångström;Zoë;;;\r\n"
         "EMAIL;TYPE=work:zoe@work.example\r\n"
         "EMAIL;TYPE=home;PREF=1:zoe@example.com\r\n"
         "TEL;VALUE=uri;TYPE=\"voice,home\";PREF=1:tel:+49-30-1234567\r\n"
         "TEL;VALUE=uri;TYPE=\"cell,text\":tel:+49-151-23456789;ext=12\r\n"
         "ADR;TYPE=work:;;Werkstraße 2;Potsdam;;14467;Germany\r\n"
         "ADR;TYPE=home;PREF=1:;;Hauptstraße 1;Berlin;;10115;Germany\r\n"
         "NOTE:Met at the spring show\\, front row\\nLikes jazz\r\n"
         "CATEGORIES:VIP,Newsletter\r\n"
         "BDAY:19900101\r\n"
         "END:VCARD\r\n",
         &parsed);

  g_assert_cmpuint (parsed.cards->len, ==, 1);
  g_assert_cmpuint (parsed.errors->len, ==, 0);
  zoe = card (&parsed, 0);
  g_assert_cmpstr (zoe->first_name, ==, "Zoë");
  g_assert_cmpstr (zoe->last_name, ==, "Ångström");
  g_assert_cmpstr (zoe->full_name, ==, "Zoë Ångström");
  g_assert_cmpstr (zoe->phone, ==, "+49-151-23456789");
  assert_strv (zoe->phones, "+49-151-23456789", "+49-30-1234567", NULL);
  g_assert_cmpstr (zoe->email, ==, "zoe@example.com");
  assert_strv (zoe->emails, "zoe@example.com", "zoe@work.example", NULL);
  g_assert_cmpstr (zoe->city, ==, "Berlin");
  g_assert_cmpstr (zoe->notes, ==, "Met at the spring show, front row\nLikes jazz");
  assert_strv (zoe->tags, "VIP", "Newsletter", NULL);
  g_assert_cmpuint (zoe->line, ==, 1);
}

static void
test_android_quoted_printable (void)
{
  g_auto(Parsed) parsed = { 0 };
  TurnoutVcardContact *juergen;

  parse ("BEGIN:VCARD\r\n"
         "VERSION:2.1\r\n"
         "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
         "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
         "TEL;HOME:030 1234567\r\n"
         "TEL;CELL;PREF:0151 23456789\r\n"
         "TEL;WORK;FAX:030 7654321\r\n"
         "EMAIL;HOME:juergen@example.de\r\n"
         "ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;Stra=C3=9Fe 1;M=C3=BCnchen;;80331;\r\n"
         "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"
         "Erste Zeile=0D=0AZweite Zeile, die so lang=\r\n"
         " ist, dass sie umbrochen wird=3D ja=\r\n"
         "=C3=A4\r\n"
         "X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Jü;1;;;;;;;;;;;;;\r\n"
         "END:VCARD\r\n",
         &parsed);

  g_assert_cmpuint (parsed.cards->len, ==, 1);
  g_assert_cmpuint (parsed.errors->len, ==, 0);
  juergen = card (&parsed, 0);
  g_assert_cmpstr (juergen->first_name, ==, "Jürgen");
  g_assert_cmpstr (juergen->last_name, ==, "Müller");
  g_assert_cmpstr (juergen->full_name, ==, "Jürgen Müller");
  assert_strv (juergen->phones, "0151 23456789", "030 1234567", "030 7654321", NULL);
  g_assert_cmpstr (juergen->phone, ==, "0151 23456789");
  assert_strv (juergen->emails, "juergen@example.de", NULL);
  g_assert_cmpstr (juergen->city, ==, "München");
  g_assert_cmpstr (juergen->notes, ==,
                   "Erste Zeile\nZweite Zeile, die so lang ist, dass sie umbrochen wird= jaä");
  g_assert_cmpuint (g_strv_length (juergen->tags), ==, 0);
}

static void
test_legacy_charset (void)
{
  g_auto(Parsed) parsed = { 0 };

  /* A declared 8-bit charset, and Windows-1252 bytes declared as nothing. */
  parse ("BEGIN:VCARD\r\nVERSION:2.1\r\n"
         "N;CHARSET=ISO-8859-1:M\xFCller;J\xFCrgen\r\n"
         "TEL:1\r\nEND:VCARD\r\n"
         "BEGIN:VCARD\r\nVERSION:2.1\r\n"
         "FN:Zo\xEB \x80uro\r\n"
         "TEL:2\r\nEND:VCARD\r\n",
         &parsed);

  g_assert_cmpuint (parsed.cards->len, ==, 2);
  g_assert_cmpstr (card (&parsed, 0)->last_name, ==, "Müller");
  g_assert_cmpstr (card (&parsed, 0)->first_name, ==, "Jürgen");
  g_assert_cmpstr (card (&parsed, 1)->full_name, ==, "Zoë €uro");
}

static void
test_ios_groups (void)
{
  g_auto(Parsed) parsed = { 0 };
  TurnoutVcardContact *ann;

  parse ("BEGIN:VCARD\n"
         "VERSION:3.0\n"
         "PRODID:-//Apple Inc.//iPhone OS 17.0//EN\n"
         "N:Lee;Ann;;;\n"
         "FN:Ann Lee\n"
         "item1.EMAIL;type=INTERNET;type=pref:ann@example.com\n"
         "item1.X-ABLabel:_$!<Other>!$_\n"
         "TEL;type=HOME;type=VOICE;type=pref:(555) 010-0001\n"
         "item2.TEL;type=IPHONE;type=CELL;type=VOICE:(555) 010-0002\n"
         "item2.X-ABLabel:iPhone\n"
         "item3.ADR;type=HOME:;;1 Main St;Springfield;IL;62701;USA\n"
         "item3.X-ABADR:us\n"
         "END:VCARD\n",
         &parsed);

  g_assert_cmpuint (parsed.errors->len, ==, 0);
  ann = card (&parsed, 0);
  g_assert_cmpstr (ann->first_name, ==, "Ann");
  g_assert_cmpstr (ann->last_name, ==, "Lee");
  assert_strv (ann->phones, "(555) 010-0002", "(555) 010-0001", NULL);
  g_assert_cmpstr (ann->email, ==, "ann@example.com");
  g_assert_cmpstr (ann->city, ==, "Springfield");
  g_assert_null (ann->notes);
}

static void
test_folded_lines (void)
{
  g_auto(Parsed) parsed = { 0 };
  TurnoutVcardContact *bo;

  /* Folding may cut a line anywhere, even inside “ö” (C3 B6), with CRLF or
   * LF and a space or a tab. */
  parse ("BEGIN:VCARD\r\n"
         "VERSION:4.0\r\n"
         "FN:B\xC3\r\n"
         " \xB6rje Lindqvist\r\n"
         "N:Lindq\n"
         "\tvist;B\xC3\xB6rje;;;\n"
         "NOTE:A long note that a careful exporter folded at seventy-five o\r\n"
         " ctets\\, as RFC 6350 asks.\r\n"
         "TE\r\n"
         " L;TYPE=cell:+46 70 123 45 67\r\n"
         "END:VCARD\r\n",
         &parsed);

  g_assert_cmpuint (parsed.errors->len, ==, 0);
  bo = card (&parsed, 0);
  g_assert_cmpstr (bo->full_name, ==, "Börje Lindqvist");
  g_assert_cmpstr (bo->last_name, ==, "Lindqvist");
  g_assert_cmpstr (bo->first_name, ==, "Börje");
  g_assert_cmpstr (bo->notes, ==,
                   "A long note that a careful exporter folded at seventy-five octets, "
                   "as RFC 6350 asks.");
  g_assert_cmpstr (bo->phone, ==, "+46 70 123 45 67");
}

static void
test_escapes (void)
{
  g_auto(Parsed) parsed = { 0 };
  TurnoutVcardContact *c;

  parse ("BEGIN:VCARD\nVERSION:3.0\n"
         "N:O\\;Brien\\, Jr.;Pat\\\\Q;;;\n"
         "FN:Pat O’Brien\n"
         "NOTE:one\\ntwo\\Nthree\\;four\\,five\\\\six\n"
         "NOTE:second note\n"
         "CATEGORIES:Rock\\, Pop,Jazz, VIP ,,Jazz\n"
         "CATEGORIES:Members\n"
         "EMAIL:mailto:pat@example.com\n"
         "END:VCARD\n",
         &parsed);

  c = card (&parsed, 0);
  g_assert_cmpstr (c->last_name, ==, "O;Brien, Jr.");
  g_assert_cmpstr (c->first_name, ==, "Pat\\Q");
  g_assert_cmpstr (c->notes, ==, "one\ntwo\nthree;four,five\\six\nsecond note");
  assert_strv (c->tags, "Rock, Pop", "Jazz", "VIP", "Members", NULL);
  g_assert_cmpstr (c->email, ==, "pat@example.com");
}

static void
test_phone_order (void)
{
  g_auto(Parsed) parsed = { 0 };
  TurnoutVcardContact *c;

  /* Mobile numbers first (Turnout sends texts), each kind by preference,
   * then file order; fax and pager last. */
  parse ("BEGIN:VCARD\nVERSION:3.0\nFN:Many Numbers\n"
         "TEL;TYPE=FAX:+1 555 0100\n"
         "TEL;TYPE=HOME:+1 555 0101\n"
         "TEL;TYPE=WORK,PREF:+1 555 0102\n"
         "TEL;TYPE=CELL:+1 555 0103\n"
         "TEL;TYPE=cell,voice;TYPE=pref:+1 555 0104\n"
         "TEL:+1 555 0105\n"
         "TEL;TYPE=pager:+1 555 0106\n"
         "TEL:\n"
         "END:VCARD\n"
         "BEGIN:VCARD\nVERSION:4.0\nFN:Pref Values\n"
         "TEL;PREF=50:+1 555 0200\n"
         "TEL;PREF=2:+1 555 0201\n"
         "TEL:+1 555 0202\n"
         "END:VCARD\n",
         &parsed);

  c = card (&parsed, 0);
  g_assert_cmpstr (c->phone, ==, "+1 555 0104");
  assert_strv (c->phones, "+1 555 0104", "+1 555 0103", "+1 555 0102", "+1 555 0101",
               "+1 555 0105", "+1 555 0100", "+1 555 0106", NULL);
  assert_strv (card (&parsed, 1)->phones, "+1 555 0201", "+1 555 0200", "+1 555 0202", NULL);
}

static void
test_missing_n (void)
{
  g_auto(Parsed) parsed = { 0 };

  parse ("BEGIN:VCARD\nVERSION:3.0\nFN:Mary Ann van Dyke\nTEL:1\nEND:VCARD\n"
         "BEGIN:VCARD\nVERSION:3.0\nFN:Cher\nTEL:2\nEND:VCARD\n"
         "BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nFN:  Ann   Lee \nTEL:3\nEND:VCARD\n"
         "BEGIN:VCARD\nVERSION:2.1\nN:Smith;John\nTEL:4\nEND:VCARD\n"
         "BEGIN:VCARD\nVERSION:2.1\nTEL:5\nEND:VCARD\n",
         &parsed);

  g_assert_cmpuint (parsed.cards->len, ==, 5);
  g_assert_cmpstr (card (&parsed, 0)->first_name, ==, "Mary Ann van");
  g_assert_cmpstr (card (&parsed, 0)->last_name, ==, "Dyke");
  g_assert_cmpstr (card (&parsed, 1)->first_name, ==, "Cher");
  g_assert_null (card (&parsed, 1)->last_name);
  g_assert_cmpstr (card (&parsed, 2)->first_name, ==, "Ann");
  g_assert_cmpstr (card (&parsed, 2)->last_name, ==, "Lee");
  g_assert_cmpstr (card (&parsed, 2)->full_name, ==, "Ann   Lee");
  g_assert_cmpstr (card (&parsed, 3)->full_name, ==, "John Smith");
  g_assert_null (card (&parsed, 4)->full_name);
  g_assert_null (card (&parsed, 4)->first_name);
  g_assert_null (card (&parsed, 4)->email);
  g_assert_cmpuint (g_strv_length (card (&parsed, 4)->emails), ==, 0);
  g_assert_cmpuint (card (&parsed, 4)->line, ==, 22);
}

static void
test_broken_then_good (void)
{
  g_auto(Parsed) parsed = { 0 };
  g_autofree char *messages = NULL;

  parse ("junk before the first card\n"
         "more junk\n"
         "BEGIN:VCARD\n"                    /* 3: never ended */
         "VERSION:3.0\n"
         "FN:Broken Card\n"
         "TEL:+15550000000\n"
         "\n"
         "BEGIN:VCARD\n"                    /* 8 */
         "VERSION:3.0\n"
         "FN:Good Person\n"
         "this line is not a property\n"  /* 11 */
         "TEL;TYPE=cell:+15551234567\n"
         "END:VCARD\n"
         "END:VCARD\n"                      /* 14 */
         "begin:vcard\n"                    /* 15 */
         "version:3.0\n"
         "fn:Lower Case\n"
         "email:lc@example.com\n"
         "end:vcard\n"
         "BEGIN:VCARD\n"                    /* 20: cut off at the end */
         "FN:Cut Off\n",
         &parsed);

  g_assert_cmpuint (parsed.cards->len, ==, 2);
  g_assert_cmpstr (card (&parsed, 0)->full_name, ==, "Good Person");
  g_assert_cmpstr (card (&parsed, 0)->phone, ==, "+15551234567");
  g_assert_cmpuint (card (&parsed, 0)->line, ==, 8);
  g_assert_cmpstr (card (&parsed, 1)->full_name, ==, "Lower Case");
  g_assert_cmpstr (card (&parsed, 1)->email, ==, "lc@example.com");
  g_assert_cmpuint (card (&parsed, 1)->line, ==, 15);

  messages = problems (&parsed);
  g_assert_cmpstr (messages, ==,
                   "line 1 is outside any card (no BEGIN:VCARD before it); it was skipped\n"
                   "card at line 3 has no END:VCARD; it was skipped\n"
                   "line 11 is not a vCard property (it has no “:”); it was skipped\n"
                   "line 14 has END:VCARD without a BEGIN:VCARD before it\n"
                   "card at line 20 has no END:VCARD; it was skipped\n");
  g_assert_true (g_error_matches (g_ptr_array_index (parsed.errors, 1), TURNOUT_VCARD_ERROR,
                                  TURNOUT_VCARD_ERROR_UNTERMINATED));
  g_assert_true (g_error_matches (g_ptr_array_index (parsed.errors, 3), TURNOUT_VCARD_ERROR,
                                  TURNOUT_VCARD_ERROR_NESTING));
}

static void
test_line_ends (void)
{
  g_auto(Parsed) parsed = { 0 };

  /* Old Mac files end lines with CR alone; a UTF-8 BOM is dropped. */
  parse ("\xEF\xBB\xBF" "BEGIN:VCARD\rVERSION:3.0\rFN:Cee Arr\rTEL:1\rEND:VCARD\r"
         "BEGIN:VCARD\r\nFN:Second\r\nEND:VCARD",
         &parsed);

  g_assert_cmpuint (parsed.errors->len, ==, 0);
  g_assert_cmpuint (parsed.cards->len, ==, 2);
  g_assert_cmpstr (card (&parsed, 0)->full_name, ==, "Cee Arr");
  g_assert_cmpuint (card (&parsed, 1)->line, ==, 6);
}

static void
test_utf16 (void)
{
  static const char text[] = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ångström\r\n"
                             "TEL:+1 555 0100\r\nEND:VCARD\r\n";
  g_auto(Parsed) parsed = { 0 };
  g_autofree gunichar2 *units = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  glong n = 0;

  units = g_utf8_to_utf16 (text, -1, NULL, &n, NULL);
  g_byte_array_append (data, (const guint8 *) "\xFF\xFE", 2);
  for (glong i = 0; i < n; i++)
    {
      guint8 pair[2] = { units[i] & 0xFF, units[i] >> 8 };

      g_byte_array_append (data, pair, 2);
    }
  parse_len ((const char *) data->data, data->len, &parsed);

  g_assert_cmpuint (parsed.cards->len, ==, 1);
  g_assert_cmpstr (card (&parsed, 0)->full_name, ==, "Zoë Ångström");
  g_assert_cmpstr (card (&parsed, 0)->last_name, ==, "Ångström");
  g_assert_cmpstr (card (&parsed, 0)->phone, ==, "+1 555 0100");
}

static void
test_no_cards (void)
{
  static const char * const inputs[] = {
    "",
    "name,phone\nAnn,+15551234567\n",
    "END:VCARD\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GInputStream) stream =
        g_memory_input_stream_new_from_data (inputs[i], strlen (inputs[i]), NULL);
      g_autoptr(GPtrArray) errors = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) cards = turnout_vcard_parse (stream, &errors, NULL, &error);

      g_assert_null (cards);
      g_assert_null (errors);
      g_assert_error (error, TURNOUT_VCARD_ERROR, TURNOUT_VCARD_ERROR_NO_CARDS);
      g_assert_cmpstr (error->message, ==,
                       "the file has no contact cards in it (no line says BEGIN:VCARD); "
                       "is it a vCard file?");
    }
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GInputStream) stream =
    g_memory_input_stream_new_from_data ("BEGIN:VCARD\nEND:VCARD\n", -1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cards = NULL;

  g_cancellable_cancel (cancellable);
  cards = turnout_vcard_parse (stream, NULL, cancellable, &error);
  g_assert_null (cards);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vcard/gnome-contacts-4.0", test_gnome_contacts);
  g_test_add_func ("/vcard/android-2.1-quoted-printable", test_android_quoted_printable);
  g_test_add_func ("/vcard/legacy-charset", test_legacy_charset);
  g_test_add_func ("/vcard/ios-3.0-groups", test_ios_groups);
  g_test_add_func ("/vcard/folded-lines", test_folded_lines);
  g_test_add_func ("/vcard/escapes", test_escapes);
  g_test_add_func ("/vcard/phone-order", test_phone_order);
  g_test_add_func ("/vcard/missing-n", test_missing_n);
  g_test_add_func ("/vcard/broken-then-good", test_broken_then_good);
  g_test_add_func ("/vcard/line-ends", test_line_ends);
  g_test_add_func ("/vcard/utf16", test_utf16);
  g_test_add_func ("/vcard/no-cards", test_no_cards);
  g_test_add_func ("/vcard/cancel", test_cancel);

  return g_test_run ();
}
