/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "turnout-csv.h"
#include "turnout-test-utils.h"

/*
 * A stream that hands out 1 to 7 bytes per read, so records, quotes, line
 * ends, byte order marks and multi-byte characters get cut at every place.
 */
#define TINY_TYPE_STREAM (tiny_stream_get_type ())
G_DECLARE_FINAL_TYPE (TinyStream, tiny_stream, TINY, STREAM, GInputStream)

struct _TinyStream
{
  GInputStream  parent_instance;

  GBytes       *bytes;
  gsize         pos;
  guint         reads;
};

G_DEFINE_FINAL_TYPE (TinyStream, tiny_stream, G_TYPE_INPUT_STREAM)

static gssize
tiny_stream_read (GInputStream  *stream,
                  void          *buffer,
                  gsize          count,
                  GCancellable  *cancellable,
                  GError       **error)
{
  static const gsize sizes[] = { 1, 7, 3, 2, 5, 4, 6 };
  TinyStream *self = TINY_STREAM (stream);
  gsize size;
  const char *data = g_bytes_get_data (self->bytes, &size);
  gsize n = MIN (count, sizes[self->reads++ % G_N_ELEMENTS (sizes)]);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  n = MIN (n, size - self->pos);
  if (n == 0)
    return 0;
  memcpy (buffer, data + self->pos, n);
  self->pos += n;
  return n;
}

static void
tiny_stream_finalize (GObject *object)
{
  g_bytes_unref (TINY_STREAM (object)->bytes);
  G_OBJECT_CLASS (tiny_stream_parent_class)->finalize (object);
}

static void
tiny_stream_class_init (TinyStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tiny_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = tiny_stream_read;
}

static void
tiny_stream_init (TinyStream *self)
{
}

static GInputStream *
tiny_stream_new (GBytes *bytes)
{
  TinyStream *self = g_object_new (TINY_TYPE_STREAM, NULL);

  self->bytes = g_bytes_ref (bytes);
  return G_INPUT_STREAM (self);
}

static void
append_escaped (GString    *out,
                const char *field)
{
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\r')
        g_string_append (out, "\\r");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else
        g_string_append_c (out, *p);
    }
}

/* Every record as "row:field|field\n", and every error as "row!message\n".
 * Reading goes on after an encoding error, as the importer does. */
static char *
dump_stream (GInputStream *stream)
{
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);
  GStrv fields;

  reader = turnout_csv_reader_new (stream, NULL, &error);
  if (reader == NULL)
    {
      g_string_append_printf (out, "error:%s", error->message);
      return g_string_free (out, FALSE);
    }

  for (;;)
    {
      if (turnout_csv_reader_next (reader, &fields, NULL, &error))
        {
          g_string_append_printf (out, "%u:", turnout_csv_reader_get_row (reader));
          for (guint i = 0; fields[i] != NULL; i++)
            {
              if (i > 0)
                g_string_append_c (out, '|');
              append_escaped (out, fields[i]);
            }
          g_string_append_c (out, '\n');
          g_strfreev (fields);
          continue;
        }
      g_assert_null (fields);
      if (error == NULL)
        break;
      g_string_append_printf (out, "%u!%s\n", turnout_csv_reader_get_row (reader), error->message);
      if (!g_error_matches (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_ENCODING))
        break;
      g_clear_error (&error);
    }

  return g_string_free (out, FALSE);
}

/* Parses @data read in 64 KiB chunks and again read a few bytes at a time;
 * both must give the same result, which is returned. */
static char *
dump_len (const char *data,
          gssize      len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len < 0 ? strlen (data) : (gsize) len);
  g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GInputStream) tiny = tiny_stream_new (bytes);
  g_autofree char *whole = dump_stream (memory);
  g_autofree char *pieces = dump_stream (tiny);

  g_assert_cmpstr (pieces, ==, whole);
  return g_steal_pointer (&whole);
}

static char *
dump (const char *text)
{
  return dump_len (text, -1);
}

static TurnoutCsvReader *
reader_for (const char *data,
            gssize      len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len < 0 ? strlen (data) : (gsize) len);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GError) error = NULL;
  TurnoutCsvReader *reader = turnout_csv_reader_new (stream, NULL, &error);

  g_assert_no_error (error);
  return reader;
}

static void
test_quoted_comma (void)
{
  g_autofree char *out = dump ("name,note\r\n\"Doe, Jane\",\"a,b,c\"\r\n");

  g_assert_cmpstr (out, ==, "1:name|note\n2:Doe, Jane|a,b,c\n");
}

static void
test_quoted_newlines (void)
{
  /* Rows count records, not lines: row 4 stays row 4 after the two
   * records that span lines. */
  g_autofree char *out = dump ("name,note\n"
                               "Ann,\"first\r\nsecond\"\n"
                               "Bob,\"one\ntwo\nthree\"\n"
                               "Cy,done\n");

  g_assert_cmpstr (out, ==,
                   "1:name|note\n"
                   "2:Ann|first\\r\\nsecond\n"
                   "3:Bob|one\\ntwo\\nthree\n"
                   "4:Cy|done\n");
}

static void
test_doubled_quotes (void)
{
  g_autofree char *out = dump ("\"say \"\"hi\"\"\",\"\"\"\",\"\",x\n");

  g_assert_cmpstr (out, ==, "1:say \"hi\"|\"||x\n");
}

static void
test_utf8_bom (void)
{
  static const char data[] = "\xEF\xBB\xBF" "Name,City\nZoë,Köln\n";
  g_autoptr(TurnoutCsvReader) reader = reader_for (data, -1);
  g_autofree char *out = dump (data);

  g_assert_cmpint (turnout_csv_reader_get_encoding (reader), ==, TURNOUT_CSV_ENCODING_UTF8_BOM);
  g_assert_cmpstr (out, ==, "1:Name|City\n2:Zoë|Köln\n");
}

static void
test_line_ends (void)
{
  g_autofree char *crlf = dump ("a,b\r\nc,d\r\ne,f\r\n");
  g_autofree char *lf = dump ("a,b\nc,d\ne,f\n");
  g_autofree char *cr = dump ("a,b\rc,d\re,f\r");
  g_autofree char *mixed = dump ("a,b\r\nc,d\re,f\n");

  g_assert_cmpstr (crlf, ==, "1:a|b\n2:c|d\n3:e|f\n");
  g_assert_cmpstr (lf, ==, "1:a|b\n2:c|d\n3:e|f\n");
  g_assert_cmpstr (cr, ==, "1:a|b\n2:c|d\n3:e|f\n");
  g_assert_cmpstr (mixed, ==, "1:a|b\n2:c|d\n3:e|f\n");
}

static char
delimiter_of (const char *data)
{
  g_autoptr(TurnoutCsvReader) reader = reader_for (data, -1);

  return turnout_csv_reader_get_delimiter (reader);
}

static void
test_semicolon_delimiter (void)
{
  g_autofree char *out = dump ("Name;Phone;Amount\nZoë;+4930123;1,50\n");

  g_assert_cmpint (delimiter_of ("Name;Phone;Amount\nZoë;+4930123;1,50\n"), ==, ';');
  g_assert_cmpstr (out, ==, "1:Name|Phone|Amount\n2:Zoë|+4930123|1,50\n");
}

static void
test_tab_delimiter (void)
{
  g_autofree char *out = dump ("Name\tPhone\tNote\nZoë\t+4930123\ta, b; c\n");

  g_assert_cmpint (delimiter_of ("Name\tPhone\tNote\n"), ==, '\t');
  g_assert_cmpstr (out, ==, "1:Name|Phone|Note\n2:Zoë|+4930123|a, b; c\n");
}

static void
test_delimiter_ignores_quoted (void)
{
  /* Four commas inside quotes against two semicolons outside. */
  g_autofree char *out = dump ("\"Doe, Jane, Dr.\";\"a,b\";c\n1;2;3\n");

  g_assert_cmpint (delimiter_of ("\"Doe, Jane, Dr.\";\"a,b\";c\n"), ==, ';');
  g_assert_cmpstr (out, ==, "1:Doe, Jane, Dr.|a,b|c\n2:1|2|3\n");
}

static void
test_delimiter_ties (void)
{
  /* Only the first record counts, ties and single columns give a comma. */
  g_assert_cmpint (delimiter_of ("a;b,c\n1;2;3;4;5\n"), ==, ',');
  g_assert_cmpint (delimiter_of ("email\nx@example.com;y\n"), ==, ',');
  g_assert_cmpint (delimiter_of ("\n\nName;Phone\n"), ==, ';');
}

static void
test_blank_lines (void)
{
  g_autofree char *out = dump ("\n\r\nName,Phone\n\n\r\n\rAnn,1\n\n\nBob,2\n\n");

  g_assert_cmpstr (out, ==, "1:Name|Phone\n2:Ann|1\n3:Bob|2\n");
}

static void
test_last_line_without_newline (void)
{
  g_autofree char *out = dump ("a,b\nc,d");
  g_autofree char *quoted = dump ("a,b\nc,\"d\"");
  g_autofree char *empty_last = dump ("a,b\nc,");

  g_assert_cmpstr (out, ==, "1:a|b\n2:c|d\n");
  g_assert_cmpstr (quoted, ==, "1:a|b\n2:c|d\n");
  g_assert_cmpstr (empty_last, ==, "1:a|b\n2:c|\n");
}

static void
test_trailing_newline (void)
{
  g_autofree char *lf = dump ("a,b\n");
  g_autofree char *crlf = dump ("a,b\r\n");
  g_autofree char *cr = dump ("a,b\r");
  g_autofree char *empty_field = dump ("a,\n");

  g_assert_cmpstr (lf, ==, "1:a|b\n");
  g_assert_cmpstr (crlf, ==, "1:a|b\n");
  g_assert_cmpstr (cr, ==, "1:a|b\n");
  g_assert_cmpstr (empty_field, ==, "1:a|\n");
}

static void
test_lenient_quotes (void)
{
  /* A quote inside an unquoted field stays; text after a closing quote is
   * kept. */
  g_autofree char *out = dump ("5\" screen,\"x\"y,\"z\" ,a\"\"b\n");

  g_assert_cmpstr (out, ==, "1:5\" screen|xy|z |a\"\"b\n");
}

static void
test_unclosed_quote (void)
{
  g_autofree char *out = dump ("name,note\nAnn,ok\nBob,\"never\nclosed,\nat all\n");
  g_autoptr(TurnoutCsvReader) reader = reader_for ("a\n\"b\n", -1);
  g_autoptr(GError) error = NULL;
  GStrv fields = NULL;

  g_assert_cmpstr (out, ==,
                   "1:name|note\n2:Ann|ok\n"
                   "3!the quoted field that starts on row 3 is never closed\n");

  g_assert_true (turnout_csv_reader_next (reader, &fields, NULL, &error));
  g_strfreev (fields);
  g_assert_false (turnout_csv_reader_next (reader, &fields, NULL, &error));
  g_assert_error (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_UNCLOSED_QUOTE);
  g_clear_error (&error);
  /* The reader is done: it says so again rather than pretend the file ended. */
  g_assert_false (turnout_csv_reader_next (reader, &fields, NULL, &error));
  g_assert_error (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_UNCLOSED_QUOTE);
  g_assert_cmpuint (turnout_csv_reader_get_row (reader), ==, 2);
}

/* A UTF-8 file whose first 64 KiB are fine, with a Latin-1 byte in @bad_row. */
static GString *
make_big_utf8 (guint n_rows,
               guint bad_row,
               guint note_size)
{
  GString *data = g_string_new ("name,city,note\n");

  for (guint row = 2; row <= n_rows; row++)
    {
      g_string_append_printf (data, "Zoë %u,%s,", row, row == bad_row ? "K\xF6ln" : "Köln");
      for (guint i = 0; i < note_size; i++)
        g_string_append_c (data, 'a' + i % 26);
      g_string_append_c (data, '\n');
    }
  return data;
}

static void
test_invalid_utf8_row (void)
{
  g_autoptr(GString) data = make_big_utf8 (2000, 1500, 30);
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  guint n_read = 0;
  GStrv fields;

  g_assert_cmpuint (data->len, >, 64 * 1024);
  reader = reader_for (data->str, data->len);
  g_assert_cmpint (turnout_csv_reader_get_encoding (reader), ==, TURNOUT_CSV_ENCODING_UTF8);

  for (;;)
    {
      if (turnout_csv_reader_next (reader, &fields, NULL, &error))
        {
          g_autofree char *name = g_strdup_printf ("Zoë %u", turnout_csv_reader_get_row (reader));

          if (turnout_csv_reader_get_row (reader) > 1)
            g_assert_cmpstr (fields[0], ==, name);
          g_assert_cmpuint (g_strv_length (fields), ==, 3);
          g_strfreev (fields);
          n_read++;
          continue;
        }
      if (error == NULL)
        break;
      g_assert_error (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_ENCODING);
      g_assert_cmpstr (error->message, ==, "row 1500 is not valid UTF-8 text");
      g_assert_cmpuint (turnout_csv_reader_get_row (reader), ==, 1500);
      g_clear_error (&error);
    }

  g_assert_cmpuint (n_read, ==, 1999);
  g_assert_cmpuint (turnout_csv_reader_get_row (reader), ==, 2000);
}

static void
test_invalid_utf8_row_5 (void)
{
  /* Rows 2–4 carry 30 KB notes, so row 5 lies past the sniffed 64 KiB. */
  g_autoptr(GString) data = make_big_utf8 (7, 5, 30000);
  g_autofree char *out = dump_len (data->str, data->len);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 8);
  g_assert_true (g_str_has_prefix (lines[0], "1:name|city|note"));
  g_assert_true (g_str_has_prefix (lines[3], "4:Zoë 4|Köln|abc"));
  g_assert_cmpstr (lines[4], ==, "5!row 5 is not valid UTF-8 text");
  g_assert_true (g_str_has_prefix (lines[5], "6:Zoë 6|Köln|abc"));
  g_assert_true (g_str_has_prefix (lines[6], "7:Zoë 7|Köln|abc"));
  g_assert_cmpstr (lines[7], ==, "");
}

static void
test_nul_byte (void)
{
  static const char data[] = "a,b\nc\0d,e\nf,g\n";
  g_autofree char *out = dump_len (data, sizeof data - 1);

  g_assert_cmpstr (out, ==, "1:a|b\n2!row 2 is not valid UTF-8 text\n3:f|g\n");
}

static void
test_windows_1252 (void)
{
  static const char data[] = "Name,Note\r\nZo\xEB,\x80 5 \x96 \x93ok\x94\r\n";
  g_autoptr(TurnoutCsvReader) reader = reader_for (data, -1);
  g_autofree char *out = dump (data);

  g_assert_cmpint (turnout_csv_reader_get_encoding (reader), ==,
                   TURNOUT_CSV_ENCODING_WINDOWS_1252);
  g_assert_cmpstr (out, ==, "1:Name|Note\n2:Zoë|€ 5 – “ok”\n");
}

static void
test_windows_1252_big (void)
{
  /* Decoding goes on past the sniffed window. */
  g_autoptr(GString) data = g_string_new ("Name,City\nRen\xE9,x\n");
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GStrv fields;
  guint rows = 0;

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (data, "Zo\xEB %u,M\xFCnchen \x80\n", i);
  reader = reader_for (data->str, data->len);
  g_assert_cmpint (turnout_csv_reader_get_encoding (reader), ==,
                   TURNOUT_CSV_ENCODING_WINDOWS_1252);

  while (turnout_csv_reader_next (reader, &fields, NULL, &error))
    {
      rows++;
      if (rows == 2)
        g_assert_cmpstr (fields[0], ==, "René");
      if (rows > 2)
        {
          g_autofree char *name = g_strdup_printf ("Zoë %u", rows - 3);

          g_assert_cmpstr (fields[0], ==, name);
          g_assert_cmpstr (fields[1], ==, "München €");
        }
      g_strfreev (fields);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (rows, ==, 10002);
  g_assert_cmpuint (turnout_csv_reader_get_bytes_read (reader), ==, data->len);
}

static GByteArray *
to_utf16 (const char *text,
          gboolean    big_endian)
{
  g_autofree gunichar2 *units = NULL;
  glong n = 0;
  GByteArray *out = g_byte_array_new ();
  guint8 bom[2] = { 0xFF, 0xFE };

  units = g_utf8_to_utf16 (text, -1, NULL, &n, NULL);
  g_assert_nonnull (units);
  if (big_endian)
    {
      bom[0] = 0xFE;
      bom[1] = 0xFF;
    }
  g_byte_array_append (out, bom, 2);
  for (glong i = 0; i < n; i++)
    {
      guint8 pair[2] = { units[i] & 0xFF, units[i] >> 8 };

      if (big_endian)
        {
          pair[0] = units[i] >> 8;
          pair[1] = units[i] & 0xFF;
        }
      g_byte_array_append (out, pair, 2);
    }
  return out;
}

static void
test_utf16 (void)
{
  static const char text[] = "Name\tPhone\r\nZoë\t+15551234567\r\n\"Ann 😀\"\t\"a\tb\"\r\n";
  static const char expected[] = "1:Name|Phone\n2:Zoë|+15551234567\n3:Ann 😀|a\\tb\n";
  g_autoptr(GByteArray) le = to_utf16 (text, FALSE);
  g_autoptr(GByteArray) be = to_utf16 (text, TRUE);
  g_autoptr(TurnoutCsvReader) reader = reader_for ((const char *) le->data, le->len);
  g_autofree char *le_out = dump_len ((const char *) le->data, le->len);
  g_autofree char *be_out = dump_len ((const char *) be->data, be->len);

  g_assert_cmpint (turnout_csv_reader_get_encoding (reader), ==, TURNOUT_CSV_ENCODING_UTF16);
  g_assert_cmpint (turnout_csv_reader_get_delimiter (reader), ==, '\t');
  g_assert_cmpstr (le_out, ==, expected);
  g_assert_cmpstr (be_out, ==, expected);
}

static void
test_utf16_big (void)
{
  g_autoptr(GString) text = g_string_new ("Name,City\n");
  g_autoptr(GByteArray) data = NULL;
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GStrv fields;
  guint rows = 0;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "Zoë 😀 %u,Köln\n", i);
  data = to_utf16 (text->str, FALSE);
  reader = reader_for ((const char *) data->data, data->len);

  while (turnout_csv_reader_next (reader, &fields, NULL, &error))
    {
      if (rows > 0)
        {
          g_autofree char *name = g_strdup_printf ("Zoë 😀 %u", rows - 1);

          g_assert_cmpstr (fields[0], ==, name);
          g_assert_cmpstr (fields[1], ==, "Köln");
        }
      rows++;
      g_strfreev (fields);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (rows, ==, 20001);
  g_assert_cmpuint (turnout_csv_reader_get_bytes_read (reader), ==, data->len);
}

static void
test_utf8_across_chunks (void)
{
  /* "ë" is cut by the end of the sniffed 64 KiB and "€" by the end of the
   * next chunk: the file is still UTF-8 and both characters arrive whole. */
  g_autoptr(GString) data = g_string_new ("name\n");
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GStrv fields;
  guint rows = 0;

  while (data->len < 65535 - 3)
    g_string_append (data, "xxxxxxx\n");
  g_string_truncate (data, 65535 - 3);
  g_string_append (data, "\nZoë\n");
  g_assert_cmpuint ((guint8) data->str[65535], ==, 0xC3);
  while (data->len < 2 * 65536 - 2)
    g_string_append (data, "yyyyyyy\n");
  g_string_truncate (data, 2 * 65536 - 2);
  g_string_append (data, "\n€\n");
  g_assert_cmpuint ((guint8) data->str[2 * 65536 - 1], ==, 0xE2);

  reader = reader_for (data->str, data->len);
  g_assert_cmpint (turnout_csv_reader_get_encoding (reader), ==, TURNOUT_CSV_ENCODING_UTF8);
  while (turnout_csv_reader_next (reader, &fields, NULL, &error))
    {
      rows++;
      if (g_str_has_prefix (fields[0], "Zo"))
        g_assert_cmpstr (fields[0], ==, "Zoë");
      else if (fields[0][0] != 'x' && fields[0][0] != 'y' && rows > 1)
        g_assert_cmpstr (fields[0], ==, "€");
      g_strfreev (fields);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (rows, >, 10000);
}

static void
test_tiny_reads (void)
{
  /* Every feature at once, compared between whole and tiny reads by dump(). */
  static const char data[] = "\xEF\xBB\xBF" "name;note;phone\r\n"
                             "\"Zoë \"\"Z\"\"\";\"a;\r\nb\";'+15551234567\r"
                             "\n\r\n"
                             "Ann;\"\";😀€\r"
                             "Bob;x\"y;\"q\"tail";
  g_autofree char *out = dump (data);

  g_assert_cmpstr (out, ==,
                   "1:name|note|phone\n"
                   "2:Zoë \"Z\"|a;\\r\\nb|'+15551234567\n"
                   "3:Ann||😀€\n"
                   "4:Bob|x\"y|qtail\n");
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GString) data = g_string_new ("name,phone\n");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GStrv fields;
  guint rows = 0;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (data, "Contact %u,+1555%07u\n", i, i);
  bytes = g_bytes_new (data->str, data->len);

  /* Cancelled before the start. */
  g_cancellable_cancel (cancellable);
  stream = g_memory_input_stream_new_from_bytes (bytes);
  reader = turnout_csv_reader_new (stream, cancellable, &error);
  g_assert_null (reader);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&stream);

  /* Cancelled half way: it stops within a chunk. */
  g_cancellable_reset (cancellable);
  stream = g_memory_input_stream_new_from_bytes (bytes);
  reader = turnout_csv_reader_new (stream, cancellable, &error);
  g_assert_no_error (error);
  while (turnout_csv_reader_next (reader, &fields, cancellable, &error))
    {
      g_strfreev (fields);
      if (++rows == 20000)
        g_cancellable_cancel (cancellable);
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (rows, <, 20000 + 64 * 1024 / 20);
  g_assert_cmpuint (turnout_csv_reader_get_bytes_read (reader), <, data->len);
}

static void
test_bytes_read (void)
{
  g_autoptr(GString) data = g_string_new ("name,phone\n");
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  guint64 last = 0;
  GStrv fields;

  for (guint i = 0; i < 50000; i++)
    g_string_append_printf (data, "Contact %u,+1555%07u\n", i, i);
  reader = reader_for (data->str, data->len);
  g_assert_cmpuint (turnout_csv_reader_get_bytes_read (reader), ==, 64 * 1024);

  while (turnout_csv_reader_next (reader, &fields, NULL, &error))
    {
      guint64 now = turnout_csv_reader_get_bytes_read (reader);

      g_assert_cmpuint (now, >=, last);
      g_assert_cmpuint (now, <=, data->len);
      last = now;
      g_strfreev (fields);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (turnout_csv_reader_get_bytes_read (reader), ==, data->len);
}

static void
test_empty (void)
{
  static const char utf16_bom[] = "\xFF\xFE";
  g_autofree char *empty = dump ("");
  g_autofree char *bom = dump ("\xEF\xBB\xBF");
  g_autofree char *blank = dump ("\r\n\n  \n\t\n");
  g_autofree char *bom16 = dump_len (utf16_bom, 2);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new ();
  g_autoptr(GError) error = NULL;
  TurnoutCsvReader *reader = turnout_csv_reader_new (stream, NULL, &error);

  g_assert_null (reader);
  g_assert_error (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_EMPTY);
  g_assert_cmpstr (empty, ==, "error:the file is empty: it has no rows to import");
  g_assert_cmpstr (bom, ==, empty);
  g_assert_cmpstr (blank, ==, empty);
  g_assert_cmpstr (bom16, ==, empty);
}

static void
test_too_large (void)
{
  g_autoptr(GString) data = g_string_new ("name,note\nAnn,");
  g_autofree char *out = NULL;

  /* A field of 1.5 MB: refused with its row, before the rest is read. */
  for (guint i = 0; i < 150000; i++)
    g_string_append (data, "0123456789");
  g_string_append (data, "\nBob,x\n");
  out = dump_len (data->str, data->len);
  g_assert_cmpstr (out, ==,
                   "1:name|note\n"
                   "2!row 2 is larger than 1 MiB, far more than any contact needs; "
                   "a closing quote is probably missing on or before it\n");

  /* A stray quote in a big file does the same. */
  g_string_assign (data, "name,note\nAnn,x\nBob,\"oops\n");
  for (guint i = 0; i < 100000; i++)
    g_string_append (data, "Contact,1234567890\n");
  g_clear_pointer (&out, g_free);
  out = dump_len (data->str, data->len);
  g_assert_cmpstr (out, ==,
                   "1:name|note\n2:Ann|x\n"
                   "3!row 3 is larger than 1 MiB, far more than any contact needs; "
                   "a closing quote is probably missing on or before it\n");
}

static void
test_borrowed (void)
{
  g_autoptr(TurnoutCsvReader) reader = reader_for ("a,\"b,c\"\n,x,\n", -1);
  g_autoptr(GError) error = NULL;
  const char * const *fields;
  guint n;

  g_assert_true (turnout_csv_reader_next_borrowed (reader, &fields, &n, NULL, &error));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (fields[0], ==, "a");
  g_assert_cmpstr (fields[1], ==, "b,c");
  g_assert_null (fields[2]);
  g_assert_true (turnout_csv_reader_next_borrowed (reader, &fields, &n, NULL, &error));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpstr (fields[0], ==, "");
  g_assert_cmpstr (fields[1], ==, "x");
  g_assert_cmpstr (fields[2], ==, "");
  g_assert_false (turnout_csv_reader_next_borrowed (reader, &fields, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (fields);
  g_assert_cmpuint (turnout_csv_reader_get_row (reader), ==, 2);
}

static const char * const tricky[] = {
  "=SUM(A1)", "+15551234567", "-5", "@x", "\tx", "\rx", "a,b", "say \"hi\"", "two\nlines",
  "crlf\r\ninside", " lead", "trail ", "a;b", "'=already", "'plain", "", "Zoë", NULL,
};

static void
test_writer (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  static const char * const with_null[] = { "a", NULL, "b" };
  static const char * const one_empty[] = { "", NULL };

  turnout_csv_append_row (out, tricky, -1);
  g_assert_cmpstr (out->str, ==,
                   "'=SUM(A1),'+15551234567,'-5,'@x,\"'\tx\",\"'\rx\",\"a,b\",\"say \"\"hi\"\"\","
                   "\"two\nlines\",\"crlf\r\ninside\",\" lead\",\"trail \",\"a;b\","
                   "''=already,'plain,,Zoë\r\n");

  g_string_truncate (out, 0);
  turnout_csv_append_row (out, with_null, 3);
  g_assert_cmpstr (out->str, ==, "a,,b\r\n");

  /* Not a blank line, which a reader would skip. */
  g_string_truncate (out, 0);
  turnout_csv_append_row (out, one_empty, -1);
  g_assert_cmpstr (out->str, ==, "\"\"\r\n");

  g_string_truncate (out, 0);
  turnout_csv_append_row (out, tricky, 2);
  g_assert_cmpstr (out->str, ==, "'=SUM(A1),'+15551234567\r\n");
}

static void
test_round_trip (void)
{
  static const char * const header[] = { "first", "phone", "note", NULL };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(TurnoutCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GStrv fields;
  guint n = g_strv_length ((GStrv) tricky);

  turnout_csv_append_row (out, header, -1);
  turnout_csv_append_row (out, tricky, -1);
  for (guint i = 0; i < n; i++)
    {
      const char *row[] = { tricky[i], "+15551234567", tricky[n - 1 - i] };

      turnout_csv_append_row (out, row, 3);
    }

  reader = reader_for (out->str, out->len);
  g_assert_cmpint (turnout_csv_reader_get_delimiter (reader), ==, ',');

  g_assert_true (turnout_csv_reader_next (reader, &fields, NULL, &error));
  g_assert_cmpstrv (fields, header);
  g_strfreev (fields);

  g_assert_true (turnout_csv_reader_next (reader, &fields, NULL, &error));
  g_assert_cmpuint (g_strv_length (fields), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *back = turnout_csv_unneutralize_cell (fields[i]);

      g_assert_cmpstr (back, ==, tricky[i]);
    }
  g_strfreev (fields);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;
      g_autofree char *c = NULL;

      g_assert_true (turnout_csv_reader_next (reader, &fields, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      a = turnout_csv_unneutralize_cell (fields[0]);
      b = turnout_csv_unneutralize_cell (fields[1]);
      c = turnout_csv_unneutralize_cell (fields[2]);
      g_assert_cmpstr (a, ==, tricky[i]);
      g_assert_cmpstr (b, ==, "+15551234567");
      g_assert_cmpstr (c, ==, tricky[n - 1 - i]);
      g_strfreev (fields);
    }
  g_assert_false (turnout_csv_reader_next (reader, &fields, NULL, &error));
  g_assert_no_error (error);
}

static void
test_neutralize (void)
{
  static const struct {
    const char *cell;
    const char *written;
  } cases[] = {
    { "=SUM(A1)", "'=SUM(A1)" },
    { "+15551234567", "'+15551234567" },
    { "-5", "'-5" },
    { "@x", "'@x" },
    { "\tx", "'\tx" },
    { "\rx", "'\rx" },
    { "Zoë", "Zoë" },
    { "", "" },
    { "a=b", "a=b" },
    { "'hello", "'hello" },
    { "'=x", "''=x" },
    { "''-1", "'''-1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *written = turnout_csv_neutralize_cell (cases[i].cell);
      g_autofree char *back = turnout_csv_unneutralize_cell (written);

      g_assert_cmpstr (written, ==, cases[i].written);
      g_assert_cmpstr (back, ==, cases[i].cell);
    }
}

static void
test_unneutralize (void)
{
  static const struct {
    const char *cell;
    const char *value;
  } cases[] = {
    { "'+15551234567", "+15551234567" },
    { "'=1+1", "=1+1" },
    { "'-", "-" },
    { "'", "'" },
    { "''", "''" },
    { "'hello", "'hello" },
    { "+15551234567", "+15551234567" },
    { "O'Brien", "O'Brien" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *value = turnout_csv_unneutralize_cell (cases[i].cell);

      g_assert_cmpstr (value, ==, cases[i].value);
    }
}

int
main (int    argc,
      char **argv)
{
  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/read/quoted-comma", test_quoted_comma);
  g_test_add_func ("/csv/read/quoted-newlines", test_quoted_newlines);
  g_test_add_func ("/csv/read/doubled-quotes", test_doubled_quotes);
  g_test_add_func ("/csv/read/line-ends", test_line_ends);
  g_test_add_func ("/csv/read/blank-lines", test_blank_lines);
  g_test_add_func ("/csv/read/last-line-without-newline", test_last_line_without_newline);
  g_test_add_func ("/csv/read/trailing-newline", test_trailing_newline);
  g_test_add_func ("/csv/read/lenient-quotes", test_lenient_quotes);
  g_test_add_func ("/csv/read/unclosed-quote", test_unclosed_quote);
  g_test_add_func ("/csv/read/too-large", test_too_large);
  g_test_add_func ("/csv/read/empty", test_empty);
  g_test_add_func ("/csv/read/tiny-reads", test_tiny_reads);
  g_test_add_func ("/csv/read/cancel", test_cancel);
  g_test_add_func ("/csv/read/bytes-read", test_bytes_read);
  g_test_add_func ("/csv/read/borrowed", test_borrowed);
  g_test_add_func ("/csv/delimiter/semicolon", test_semicolon_delimiter);
  g_test_add_func ("/csv/delimiter/tab", test_tab_delimiter);
  g_test_add_func ("/csv/delimiter/ignores-quoted", test_delimiter_ignores_quoted);
  g_test_add_func ("/csv/delimiter/ties", test_delimiter_ties);
  g_test_add_func ("/csv/encoding/utf8-bom", test_utf8_bom);
  g_test_add_func ("/csv/encoding/invalid-utf8-row", test_invalid_utf8_row);
  g_test_add_func ("/csv/encoding/invalid-utf8-row-5", test_invalid_utf8_row_5);
  g_test_add_func ("/csv/encoding/nul-byte", test_nul_byte);
  g_test_add_func ("/csv/encoding/windows-1252", test_windows_1252);
  g_test_add_func ("/csv/encoding/windows-1252-big", test_windows_1252_big);
  g_test_add_func ("/csv/encoding/utf16", test_utf16);
  g_test_add_func ("/csv/encoding/utf16-big", test_utf16_big);
  g_test_add_func ("/csv/encoding/utf8-across-chunks", test_utf8_across_chunks);
  g_test_add_func ("/csv/write/quoting", test_writer);
  g_test_add_func ("/csv/write/round-trip", test_round_trip);
  g_test_add_func ("/csv/write/neutralize", test_neutralize);
  g_test_add_func ("/csv/write/unneutralize", test_unneutralize);

  return g_test_run ();
}
