/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-csv"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "turnout-csv.h"

/*
 * A streaming CSV reader for contact lists of up to a million rows, and the
 * matching writer.
 *
 * The reader keeps one chunk of the file in memory. Bytes are first decoded
 * to UTF-8 (a no-op for UTF-8 files, which are read straight into the parse
 * buffer), then a small state machine copies each record's fields into a
 * scratch buffer, one NUL-terminated field after another. Runs of ordinary
 * bytes are found with a table lookup per byte and copied with one memcpy,
 * so the reader allocates nothing per row unless the caller asks for a
 * GStrv. Because fields are assembled in the scratch buffer, a record may
 * span any number of chunks and a multi-byte character may be cut anywhere.
 *
 * A record is checked for valid UTF-8 only when it holds a byte outside
 * ASCII (or a NUL), which the scan notices on the way.
 */

G_DEFINE_QUARK (turnout-csv-error-quark, turnout_csv_error)

#define CHUNK_SIZE  (64 * 1024)
#define SNIFF_SIZE  (64 * 1024)
#define MAX_RECORD  (1024 * 1024)

/* Room in the parse buffer for one decoded chunk: Windows-1252 turns one
 * byte into at most three, UTF-16 two bytes into at most three. One more
 * byte holds the NUL sentinel that stops the scan loops at the end. */
#define BUF_SIZE    (3 * CHUNK_SIZE + 16)

typedef enum
{
  DECODE_NONE,
  DECODE_UTF16LE,
  DECODE_UTF16BE,
  DECODE_WINDOWS_1252,
} Decoder;

typedef enum
{
  STATE_FIELD_START,
  STATE_UNQUOTED,
  STATE_QUOTED,
  STATE_QUOTE_IN_QUOTED,   /* a quote inside a quoted field: closing, or the first of "" */
} ParseState;

/* Byte classes of the scan tables. */
enum
{
  CLASS_PLAIN = 0,
  CLASS_STOP,              /* ends the run: a delimiter, line end or quote */
  CLASS_CHECK,             /* non-ASCII or NUL: the record needs a UTF-8 check */
};

struct _TurnoutCsvReader
{
  GInputStream        *stream;
  TurnoutCsvEncoding   encoding;
  Decoder              decoder;
  char                 delimiter;
  guint8               unquoted_class[256];
  guint8               quoted_class[256];

  /* Decoded text; buf[len] is always NUL. */
  char                *buf;
  gsize                pos;
  gsize                len;
  gboolean             eof;

  /* Raw bytes for the decoders; the first n_pending are left over from the
   * previous read (half a UTF-16 code unit or surrogate pair). */
  guint8              *raw;
  gsize                n_pending;

  guint64              bytes_read;
  guint                row;

  /* The current record: fields one after another, each NUL-terminated;
   * field i starts at offsets[i], and offsets[n_fields] is rec_len. */
  char                *rec;
  gsize                rec_len;
  gsize                rec_size;
  guint               *offsets;
  guint                n_fields;
  guint                offsets_size;
  const char         **fields;         /* n_fields + 1 pointers into rec */
  guint                fields_size;

  GError              *failure;        /* a fatal error, returned again by later calls */
  gboolean             finished;
};

/* Code points of Windows-1252 0x80–0x9F. The five undefined bytes map to
 * the C1 controls of the same value, as the WHATWG Encoding Standard (and
 * so every browser) does. */
static const guint16 cp1252_high[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static gsize
decode_windows_1252 (const guint8 *in,
                     gsize         n,
                     char         *out)
{
  char *o = out;

  for (gsize i = 0; i < n; i++)
    {
      guint8 c = in[i];

      if (c < 0x80)
        *o++ = (char) c;
      else if (c >= 0xA0)
        {
          *o++ = (char) (0xC0 | (c >> 6));
          *o++ = (char) (0x80 | (c & 0x3F));
        }
      else
        o += g_unichar_to_utf8 (cp1252_high[c - 0x80], o);
    }
  return o - out;
}

/* Decodes whole code units; returns how many input bytes it used, leaving
 * a cut-off unit or pair for the next call. Unpaired surrogates become
 * U+FFFD rather than an error: one bad character should not lose a row. */
static gsize
decode_utf16 (const guint8 *in,
              gsize         n,
              gboolean      big_endian,
              gboolean      at_end,
              char         *out,
              gsize        *n_out)
{
  char *o = out;
  gsize i = 0;

  while (i + 2 <= n)
    {
      guint u = big_endian ? (guint) (in[i] << 8 | in[i + 1]) : (guint) (in[i] | in[i + 1] << 8);
      gunichar c = u;

      if (u >= 0xD800 && u <= 0xDBFF)
        {
          if (i + 4 > n)
            {
              if (!at_end)
                break;
              c = 0xFFFD;
              i += 2;
            }
          else
            {
              guint u2 = big_endian ? (guint) (in[i + 2] << 8 | in[i + 3])
                                    : (guint) (in[i + 2] | in[i + 3] << 8);

              if (u2 >= 0xDC00 && u2 <= 0xDFFF)
                {
                  c = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
                  i += 4;
                }
              else
                {
                  c = 0xFFFD;
                  i += 2;
                }
            }
        }
      else
        {
          if (u >= 0xDC00 && u <= 0xDFFF)
            c = 0xFFFD;
          i += 2;
        }

      if (c < 0x80)
        *o++ = (char) c;
      else
        o += g_unichar_to_utf8 (c, o);
    }

  if (at_end && i < n)
    {
      o += g_unichar_to_utf8 (0xFFFD, o);
      i = n;
    }

  *n_out = o - out;
  return i;
}

/* Decodes raw[0 .. n) into the parse buffer and keeps what is left over. */
static void
decode_raw (TurnoutCsvReader *self,
            gsize             n,
            gboolean          at_end)
{
  gsize used = n;
  gsize n_out = 0;

  switch (self->decoder)
    {
    case DECODE_WINDOWS_1252:
      n_out = decode_windows_1252 (self->raw, n, self->buf);
      break;
    case DECODE_UTF16LE:
    case DECODE_UTF16BE:
      used = decode_utf16 (self->raw, n, self->decoder == DECODE_UTF16BE, at_end,
                           self->buf, &n_out);
      break;
    case DECODE_NONE:
    default:
      g_assert_not_reached ();
    }

  self->n_pending = n - used;
  memmove (self->raw, self->raw + used, self->n_pending);
  self->pos = 0;
  self->len = n_out;
  self->buf[n_out] = '\0';
}

/* Reads and decodes the next chunk. Sets eof once the stream has nothing
 * more; the buffer may come back empty without eof (a read that returned
 * half a UTF-16 character), and the caller simply asks again. */
static gboolean
refill (TurnoutCsvReader  *self,
        GCancellable      *cancellable,
        GError           **error)
{
  gssize n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (self->decoder == DECODE_NONE)
    {
      n = g_input_stream_read (self->stream, self->buf, CHUNK_SIZE, cancellable, error);
      if (n < 0)
        return FALSE;
      self->bytes_read += n;
      self->pos = 0;
      self->len = n;
      self->buf[n] = '\0';
      self->eof = n == 0;
      return TRUE;
    }

  n = g_input_stream_read (self->stream, self->raw + self->n_pending, CHUNK_SIZE,
                           cancellable, error);
  if (n < 0)
    return FALSE;
  self->bytes_read += n;
  self->eof = n == 0;
  decode_raw (self, self->n_pending + n, self->eof);
  return TRUE;
}

/* TRUE when p[0 .. n) is the start of a UTF-8 sequence that continues
 * past the end of what was read. */
static gboolean
is_cut_utf8 (const guint8 *p,
             gsize         n)
{
  gsize need;

  if (p[0] >= 0xC2 && p[0] <= 0xDF)
    need = 2;
  else if (p[0] >= 0xE0 && p[0] <= 0xEF)
    need = 3;
  else if (p[0] >= 0xF0 && p[0] <= 0xF4)
    need = 4;
  else
    return FALSE;

  if (n >= need)
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if ((p[i] & 0xC0) != 0x80)
      return FALSE;
  return TRUE;
}

/* Whether the sniffed bytes are UTF-8. NUL bytes are allowed here (they are
 * reported per row later), and so is a character cut at the end of the
 * window when the file goes on. */
static gboolean
looks_like_utf8 (const guint8 *p,
                 gsize         n,
                 gboolean      complete)
{
  const char *end;

  while (!g_utf8_validate ((const char *) p, n, &end))
    {
      gsize good = (const guint8 *) end - p;

      if (p[good] == '\0')
        {
          p += good + 1;
          n -= good + 1;
          continue;
        }
      return !complete && is_cut_utf8 (p + good, n - good);
    }
  return TRUE;
}

/* The delimiter is the candidate seen most often outside quotes in the
 * first record; a comma wins ties, and files with one column. */
static char
detect_delimiter (const char *p,
                  const char *end)
{
  gboolean in_quotes = FALSE;
  gboolean seen_text = FALSE;
  guint commas = 0, semicolons = 0, tabs = 0;

  for (; p < end; p++)
    {
      char c = *p;

      if (c == '"')
        in_quotes = !in_quotes;
      else if (in_quotes)
        continue;
      else if (c == '\r' || c == '\n')
        {
          if (seen_text)
            break;
          continue;
        }
      else if (c == ',')
        commas++;
      else if (c == ';')
        semicolons++;
      else if (c == '\t')
        tabs++;
      seen_text = TRUE;
    }

  if (semicolons > commas && semicolons > tabs)
    return ';';
  if (tabs > commas && tabs > semicolons)
    return '\t';
  return ',';
}

static gboolean
is_blank (const char *p,
          const char *end)
{
  for (; p < end; p++)
    if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
      return FALSE;
  return TRUE;
}

static void
set_up_classes (TurnoutCsvReader *self)
{
  for (guint c = 0x80; c < 256; c++)
    self->unquoted_class[c] = self->quoted_class[c] = CLASS_CHECK;
  self->unquoted_class[0] = self->quoted_class[0] = CLASS_CHECK;

  self->unquoted_class[(guint8) self->delimiter] = CLASS_STOP;
  self->unquoted_class['\r'] = CLASS_STOP;
  self->unquoted_class['\n'] = CLASS_STOP;
  self->quoted_class['"'] = CLASS_STOP;
}

/**
 * turnout_csv_reader_new:
 * @stream: the file, as it was written
 * @cancellable: (nullable): cancels the first read
 *
 * Reads up to the first 64 KiB of @stream to find its encoding and
 * delimiter (see turnout_csv_reader_get_encoding()); what was read is kept
 * for the records. The reader takes a reference on @stream and reads it
 * from the thread that calls turnout_csv_reader_next(), which should be a
 * worker.
 *
 * Returns: (transfer full) (nullable): the reader, or %NULL with
 *   %TURNOUT_CSV_ERROR_EMPTY for a file with no text, or a read error.
 */
TurnoutCsvReader *
turnout_csv_reader_new (GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(TurnoutCsvReader) self = NULL;
  const guint8 *start;
  gsize n = 0;
  gboolean complete;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  self = g_new0 (TurnoutCsvReader, 1);
  self->stream = g_object_ref (stream);
  self->buf = g_malloc (BUF_SIZE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !g_input_stream_read_all (stream, self->buf, SNIFF_SIZE, &n, cancellable, error))
    return NULL;
  self->bytes_read = n;
  /* read_all only stops short at the end of the stream. */
  complete = n < SNIFF_SIZE;
  start = (const guint8 *) self->buf;

  if (n >= 3 && start[0] == 0xEF && start[1] == 0xBB && start[2] == 0xBF)
    {
      self->encoding = TURNOUT_CSV_ENCODING_UTF8_BOM;
      self->decoder = DECODE_NONE;
      self->pos = 3;
    }
  else if (n >= 2 && ((start[0] == 0xFF && start[1] == 0xFE) ||
                      (start[0] == 0xFE && start[1] == 0xFF)))
    {
      self->encoding = TURNOUT_CSV_ENCODING_UTF16;
      self->decoder = start[0] == 0xFF ? DECODE_UTF16LE : DECODE_UTF16BE;
    }
  else if (looks_like_utf8 (start, n, complete))
    {
      self->encoding = TURNOUT_CSV_ENCODING_UTF8;
      self->decoder = DECODE_NONE;
    }
  else
    {
      self->encoding = TURNOUT_CSV_ENCODING_WINDOWS_1252;
      self->decoder = DECODE_WINDOWS_1252;
    }

  if (self->decoder == DECODE_NONE)
    {
      self->len = n;
      self->buf[n] = '\0';
    }
  else
    {
      gsize skip = self->encoding == TURNOUT_CSV_ENCODING_UTF16 ? 2 : 0;

      self->raw = g_malloc (CHUNK_SIZE + 4);
      memcpy (self->raw, self->buf + skip, n - skip);
      decode_raw (self, n - skip, complete);
    }
  /* The whole file was read: another read would only say so. */
  self->eof = complete;

  if (complete && is_blank (self->buf + self->pos, self->buf + self->len))
    {
      g_set_error_literal (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_EMPTY,
                           _("the file is empty: it has no rows to import"));
      return NULL;
    }

  self->delimiter = detect_delimiter (self->buf + self->pos, self->buf + self->len);
  set_up_classes (self);

  self->rec_size = 4096;
  self->rec = g_malloc (self->rec_size);
  self->offsets_size = 64;
  self->offsets = g_new (guint, self->offsets_size);
  self->fields_size = 64;
  self->fields = g_new (const char *, self->fields_size);

  return g_steal_pointer (&self);
}

void
turnout_csv_reader_free (TurnoutCsvReader *reader)
{
  if (reader == NULL)
    return;

  g_clear_object (&reader->stream);
  g_clear_error (&reader->failure);
  g_free (reader->buf);
  g_free (reader->raw);
  g_free (reader->rec);
  g_free (reader->offsets);
  g_free (reader->fields);
  g_free (reader);
}

static gboolean
too_large (TurnoutCsvReader  *self,
           GError           **error)
{
  g_set_error (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_TOO_LARGE,
               _("row %u is larger than 1 MiB, far more than any contact needs; "
                 "a closing quote is probably missing on or before it"),
               self->row + 1);
  return FALSE;
}

static inline gboolean
append (TurnoutCsvReader  *self,
        const char        *text,
        gsize              n,
        GError           **error)
{
  /* One byte stays free for the field's NUL. */
  if (G_UNLIKELY (self->rec_len + n + 1 > self->rec_size))
    {
      if (self->rec_len + n + 1 > MAX_RECORD)
        return too_large (self, error);
      while (self->rec_len + n + 1 > self->rec_size)
        self->rec_size *= 2;
      self->rec = g_realloc (self->rec, self->rec_size);
    }
  memcpy (self->rec + self->rec_len, text, n);
  self->rec_len += n;
  return TRUE;
}

static inline gboolean
end_field (TurnoutCsvReader  *self,
           GError           **error)
{
  if (G_UNLIKELY (self->rec_len + 1 > MAX_RECORD))
    return too_large (self, error);
  if (G_UNLIKELY (self->n_fields + 2 > self->offsets_size))
    {
      self->offsets_size *= 2;
      self->offsets = g_renew (guint, self->offsets, self->offsets_size);
    }
  /* append() always leaves room for this NUL. */
  self->rec[self->rec_len++] = '\0';
  self->offsets[++self->n_fields] = self->rec_len;
  return TRUE;
}

typedef enum
{
  RECORD_READ,
  RECORD_NONE,      /* the end of the file */
  RECORD_FAILED,
} RecordResult;

/* Reads one record into the scratch buffer. */
static RecordResult
read_record (TurnoutCsvReader  *self,
             gboolean          *needs_check,
             GCancellable      *cancellable,
             GError           **error)
{
  ParseState state = STATE_FIELD_START;
  gboolean started = FALSE;
  const guint8 *table;
  const char *p, *end, *run;

  self->rec_len = 0;
  self->n_fields = 0;
  self->offsets[0] = 0;
  *needs_check = FALSE;

  for (;;)
    {
      if (self->pos >= self->len)
        {
          if (!self->eof)
            {
              if (!refill (self, cancellable, error))
                return RECORD_FAILED;
              continue;
            }

          switch (state)
            {
            case STATE_FIELD_START:
              if (!started)
                return RECORD_NONE;
              break;
            case STATE_QUOTED:
              g_set_error (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_UNCLOSED_QUOTE,
                           _("the quoted field that starts on row %u is never closed"),
                           self->row + 1);
              return RECORD_FAILED;
            case STATE_UNQUOTED:
            case STATE_QUOTE_IN_QUOTED:
            default:
              break;
            }
          return end_field (self, error) ? RECORD_READ : RECORD_FAILED;
        }

      p = self->buf + self->pos;
      end = self->buf + self->len;

      switch (state)
        {
        case STATE_FIELD_START:
          if (*p == '"')
            {
              started = TRUE;
              state = STATE_QUOTED;
              self->pos++;
              continue;
            }
          if (*p == '\r' || *p == '\n')
            {
              self->pos++;
              /* A line with nothing on it is not a record. This also takes
               * care of CRLF: the record ends at the CR, and the LF after it
               * ends an empty line. */
              if (!started)
                continue;
              return end_field (self, error) ? RECORD_READ : RECORD_FAILED;
            }
          started = TRUE;
          state = STATE_UNQUOTED;
          continue;

        case STATE_UNQUOTED:
        case STATE_QUOTED:
          table = state == STATE_QUOTED ? self->quoted_class : self->unquoted_class;
          run = p;
          for (;;)
            {
              /* buf[len] is NUL, of class CHECK: no bounds test needed here. */
              while (table[(guint8) *p] == CLASS_PLAIN)
                p++;
              if (p < end && table[(guint8) *p] == CLASS_CHECK)
                {
                  *needs_check = TRUE;
                  p++;
                  continue;
                }
              break;
            }
          if (!append (self, run, p - run, error))
            return RECORD_FAILED;
          if (p >= end)
            {
              self->pos = self->len;
              continue;
            }
          self->pos = p + 1 - self->buf;

          if (state == STATE_QUOTED)
            state = STATE_QUOTE_IN_QUOTED;
          else if (*p == self->delimiter)
            {
              if (!end_field (self, error))
                return RECORD_FAILED;
              state = STATE_FIELD_START;
            }
          else
            {
              return end_field (self, error) ? RECORD_READ : RECORD_FAILED;
            }
          continue;

        case STATE_QUOTE_IN_QUOTED:
          if (*p == '"')
            {
              if (!append (self, "\"", 1, error))
                return RECORD_FAILED;
              self->pos++;
              state = STATE_QUOTED;
            }
          else
            {
              /* The quote closed the field. Anything up to the delimiter is
               * kept as written, as spreadsheets do with "a"b. */
              state = STATE_UNQUOTED;
            }
          continue;

        default:
          g_assert_not_reached ();
        }
    }
}

static gboolean
record_is_valid (TurnoutCsvReader *self)
{
  for (guint i = 0; i < self->n_fields; i++)
    {
      gsize len = self->offsets[i + 1] - self->offsets[i] - 1;

      if (!g_utf8_validate (self->rec + self->offsets[i], len, NULL))
        return FALSE;
    }
  return TRUE;
}

/**
 * turnout_csv_reader_next_borrowed:
 * @fields: (out) (transfer none) (array length=n_fields zero-terminated=1):
 *   the fields of the record, valid until the next call or the reader is freed
 * @n_fields: (out) (optional): the number of fields
 *
 * Like turnout_csv_reader_next(), without copying the fields: for importers
 * that copy what they keep anyway.
 */
gboolean
turnout_csv_reader_next_borrowed (TurnoutCsvReader    *reader,
                                  const char * const **fields,
                                  guint               *n_fields,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean needs_check;
  RecordResult result;

  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);

  *fields = NULL;
  if (n_fields != NULL)
    *n_fields = 0;

  if (reader->failure != NULL)
    {
      g_propagate_error (error, g_error_copy (reader->failure));
      return FALSE;
    }
  if (reader->finished)
    return FALSE;

  result = read_record (reader, &needs_check, cancellable, &local_error);
  if (result == RECORD_NONE)
    {
      reader->finished = TRUE;
      return FALSE;
    }
  if (result == RECORD_FAILED)
    {
      /* The position inside the file is lost: later calls fail the same way. */
      reader->row++;
      reader->failure = g_steal_pointer (&local_error);
      g_propagate_error (error, g_error_copy (reader->failure));
      return FALSE;
    }

  reader->row++;
  if (needs_check && !record_is_valid (reader))
    {
      /* The record was read to its end, so the next call goes on with the
       * record after it. */
      if (reader->encoding == TURNOUT_CSV_ENCODING_UTF8 ||
          reader->encoding == TURNOUT_CSV_ENCODING_UTF8_BOM)
        g_set_error (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_ENCODING,
                     _("row %u is not valid UTF-8 text"), reader->row);
      else
        g_set_error (error, TURNOUT_CSV_ERROR, TURNOUT_CSV_ERROR_ENCODING,
                     _("row %u contains a NUL character, which text never has"), reader->row);
      return FALSE;
    }

  if (reader->n_fields + 1 > reader->fields_size)
    {
      while (reader->n_fields + 1 > reader->fields_size)
        reader->fields_size *= 2;
      reader->fields = g_renew (const char *, reader->fields, reader->fields_size);
    }
  for (guint i = 0; i < reader->n_fields; i++)
    reader->fields[i] = reader->rec + reader->offsets[i];
  reader->fields[reader->n_fields] = NULL;

  *fields = reader->fields;
  if (n_fields != NULL)
    *n_fields = reader->n_fields;
  return TRUE;
}

/**
 * turnout_csv_reader_next:
 * @fields: (out) (transfer full): the fields of the next record
 * @cancellable: (nullable): checked before each chunk is read
 *
 * Reads the next record. Blank lines are skipped and not counted as rows.
 * Lenient about what spreadsheets write: a quote inside an unquoted field
 * is kept, and so is text between a closing quote and the delimiter.
 *
 * After %TURNOUT_CSV_ERROR_ENCODING the reader goes on with the following
 * record on the next call; any other error ends the reading, and later
 * calls return it again.
 *
 * Returns: %TRUE with @fields set; %FALSE at the end of the file (no
 *   error) or with @error set.
 */
gboolean
turnout_csv_reader_next (TurnoutCsvReader  *reader,
                         GStrv             *fields,
                         GCancellable      *cancellable,
                         GError           **error)
{
  const char * const *borrowed;
  guint n;
  char **copy;

  g_return_val_if_fail (fields != NULL, FALSE);

  *fields = NULL;
  if (!turnout_csv_reader_next_borrowed (reader, &borrowed, &n, cancellable, error))
    return FALSE;

  copy = g_new (char *, n + 1);
  for (guint i = 0; i < n; i++)
    copy[i] = g_memdup2 (borrowed[i], reader->offsets[i + 1] - reader->offsets[i]);
  copy[n] = NULL;
  *fields = copy;
  return TRUE;
}

/**
 * turnout_csv_reader_get_row:
 *
 * Returns: the 1-based number of the record last returned (or that failed),
 *   counting records rather than lines, so a quoted field over several
 *   lines does not shift it: the header is row 1, as in a spreadsheet.
 *   0 before the first record.
 */
guint
turnout_csv_reader_get_row (TurnoutCsvReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);

  return reader->row;
}

char
turnout_csv_reader_get_delimiter (TurnoutCsvReader *reader)
{
  g_return_val_if_fail (reader != NULL, ',');

  return reader->delimiter;
}

/**
 * turnout_csv_reader_get_encoding:
 *
 * Returns: the encoding found at the start: a UTF-8 or UTF-16 byte order
 *   mark, else UTF-8 when the first 64 KiB are valid UTF-8, else
 *   Windows-1252, which the caller should mention to the user.
 */
TurnoutCsvEncoding
turnout_csv_reader_get_encoding (TurnoutCsvReader *reader)
{
  g_return_val_if_fail (reader != NULL, TURNOUT_CSV_ENCODING_UTF8);

  return reader->encoding;
}

/**
 * turnout_csv_reader_get_bytes_read:
 *
 * Returns: how many bytes of the stream given to turnout_csv_reader_new()
 *   have been read so far, for a progress bar. It runs up to one chunk
 *   ahead of the records returned.
 */
guint64
turnout_csv_reader_get_bytes_read (TurnoutCsvReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);

  return reader->bytes_read;
}

static gboolean
is_formula_start (char c)
{
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* The number of single quotes that start @cell, when they are followed by
 * a character a spreadsheet would treat as the start of a formula. */
static gsize
count_guard_quotes (const char *cell)
{
  gsize n = 0;

  while (cell[n] == '\'')
    n++;
  return is_formula_start (cell[n]) ? n : 0;
}

static gboolean
needs_neutralizing (const char *cell)
{
  return is_formula_start (cell[0]) || count_guard_quotes (cell) > 0;
}

/**
 * turnout_csv_neutralize_cell:
 * @cell: a value to write to a CSV file
 *
 * Defends against formula injection (OWASP “CSV Injection”): a cell that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed
 * with a single quote, which spreadsheets show as text and do not evaluate.
 * So a phone number +15551234567 is written as '+15551234567, and
 * turnout_csv_unneutralize_cell() gives back +15551234567 exactly.
 *
 * A cell that already starts with single quotes followed by one of those
 * characters (such as '=x) gets one more quote, so that unneutralizing
 * always gives back the original.
 *
 * Returns: (transfer full): the cell to write
 */
char *
turnout_csv_neutralize_cell (const char *cell)
{
  g_return_val_if_fail (cell != NULL, NULL);

  if (needs_neutralizing (cell))
    return g_strconcat ("'", cell, NULL);
  return g_strdup (cell);
}

/**
 * turnout_csv_unneutralize_cell:
 * @cell: a value read from a CSV file
 *
 * The inverse of turnout_csv_neutralize_cell(), for import: a leading
 * single quote followed by `=`, `+`, `-`, `@`, a tab or a carriage return
 * (or by more quotes and then one of those) is removed; anything else is
 * returned unchanged.
 *
 * Returns: (transfer full): the original value
 */
char *
turnout_csv_unneutralize_cell (const char *cell)
{
  g_return_val_if_fail (cell != NULL, NULL);

  if (count_guard_quotes (cell) > 0)
    return g_strdup (cell + 1);
  return g_strdup (cell);
}

static void
append_cell (GString    *out,
             const char *cell)
{
  gsize len = strlen (cell);
  gboolean quote;

  quote = len > 0 && (cell[0] == ' ' || cell[len - 1] == ' ');
  /* Semicolons and tabs are quoted too, though the delimiter is always a
   * comma: quoted, they cannot make a reader guess the wrong delimiter. */
  for (const char *p = cell; !quote && *p != '\0'; p++)
    quote = *p == ',' || *p == '"' || *p == '\r' || *p == '\n' || *p == ';' || *p == '\t';

  if (!quote)
    {
      g_string_append_len (out, cell, len);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = cell; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/**
 * turnout_csv_append_row:
 * @out: where the record is appended
 * @fields: (array length=n_fields): the values; a %NULL entry is written
 *   as an empty field when @n_fields is given
 * @n_fields: the number of fields, or -1 when @fields is %NULL-terminated
 *
 * Appends one RFC 4180 record, comma-separated and ending in CRLF. Each
 * value goes through turnout_csv_neutralize_cell(); values with a comma,
 * quote, CR, LF, semicolon or tab, or with a space at either end, are
 * quoted, with their quotes doubled.
 */
void
turnout_csv_append_row (GString            *out,
                        const char * const *fields,
                        gssize              n_fields)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (fields != NULL || n_fields <= 0);

  for (gssize i = 0; n_fields < 0 ? fields[i] != NULL : i < n_fields; i++)
    {
      const char *cell = fields[i] != NULL ? fields[i] : "";

      if (i > 0)
        g_string_append_c (out, ',');
      /* A record of one empty field would be a blank line, which readers
       * skip. */
      if (*cell == '\0' && (n_fields == 1 || (n_fields < 0 && fields[1] == NULL)))
        g_string_append (out, "\"\"");
      else if (needs_neutralizing (cell))
        {
          g_autofree char *safe = turnout_csv_neutralize_cell (cell);

          append_cell (out, safe);
        }
      else
        append_cell (out, cell);
    }
  g_string_append (out, "\r\n");
}
