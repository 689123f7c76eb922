/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-vcard"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "turnout-vcard.h"

/*
 * Reads the contacts of .vcf files as GNOME Contacts, Android and iOS
 * export them: vCard 4.0 and 3.0, and 2.1 (Android still writes it, with
 * quoted-printable values and bare TYPE parameters). Only what Turnout
 * keeps is decoded: names, phones, emails, city, notes and categories.
 *
 * Lines are read one at a time and unfolded with one line of look-ahead.
 * A problem with one card is reported with its line number and the parser
 * goes on with the next card, as one bad card in a phone's export of
 * thousands should not stop the import.
 */

G_DEFINE_QUARK (turnout-vcard-error-quark, turnout_vcard_error)

void
turnout_vcard_contact_free (TurnoutVcardContact *contact)
{
  if (contact == NULL)
    return;

  g_free (contact->first_name);
  g_free (contact->last_name);
  g_free (contact->full_name);
  g_free (contact->phone);
  g_free (contact->email);
  g_free (contact->city);
  g_free (contact->notes);
  g_strfreev (contact->phones);
  g_strfreev (contact->emails);
  g_strfreev (contact->tags);
  g_free (contact);
}

/* Lines */

typedef struct
{
  GDataInputStream *data;
  char             *peeked;       /* the next physical line, read ahead */
  guint             peeked_line;
  guint             line;         /* physical lines read so far */
} LineReader;

/* Sets *text to the next physical line without its line end, or to NULL
 * at the end of the stream. */
static gboolean
read_physical (LineReader    *reader,
               char         **text,
               guint         *line,
               GCancellable  *cancellable,
               GError       **error)
{
  GError *local_error = NULL;
  gsize len = 0;

  if (reader->peeked != NULL)
    {
      *text = g_steal_pointer (&reader->peeked);
      *line = reader->peeked_line;
      return TRUE;
    }

  *text = g_data_input_stream_read_line (reader->data, &len, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (*text == NULL)
    return TRUE;

  *line = ++reader->line;
  if (*line == 1 && g_str_has_prefix (*text, "\xEF\xBB\xBF"))
    memmove (*text, *text + 3, len - 2);
  return TRUE;
}

/* The part of a content line before the value: its name and parameters. */
static gsize
head_length (const char *line)
{
  gboolean in_quotes = FALSE;
  const char *p;

  for (p = line; *p != '\0' && (in_quotes || *p != ':'); p++)
    if (*p == '"')
      in_quotes = !in_quotes;
  return p - line;
}

static gboolean
is_quoted_printable (const char *line)
{
  g_autofree char *head = g_ascii_strup (line, head_length (line));

  return strstr (head, "QUOTED-PRINTABLE") != NULL;
}

/* Reads one content line, joining folded lines: a line starting with a
 * space or tab continues the one before (RFC 6350 3.2), and in vCard 2.1 a
 * quoted-printable value ending in “=” continues on the next line as is. */
static gboolean
read_logical (LineReader    *reader,
              GString       *out,
              guint         *start_line,
              gboolean      *eof,
              GCancellable  *cancellable,
              GError       **error)
{
  char *text;
  guint line;

  *eof = FALSE;
  if (!read_physical (reader, &text, start_line, cancellable, error))
    return FALSE;
  if (text == NULL)
    {
      *eof = TRUE;
      return TRUE;
    }
  g_string_assign (out, text);
  g_free (text);

  for (;;)
    {
      if (!read_physical (reader, &text, &line, cancellable, error))
        return FALSE;
      if (text == NULL)
        return TRUE;

      /* A broken encoder may end the last line of a value with “=”: never
       * swallow the end of the card. */
      if (out->len > 0 && out->str[out->len - 1] == '=' && is_quoted_printable (out->str) &&
          g_ascii_strncasecmp (text, "END:", 4) != 0)
        {
          g_string_truncate (out, out->len - 1);
          g_string_append (out, text);
        }
      else if (text[0] == ' ' || text[0] == '\t')
        g_string_append (out, text + 1);
      else
        {
          reader->peeked = text;
          reader->peeked_line = line;
          return TRUE;
        }
      g_free (text);
    }
}

/* Properties */

typedef struct
{
  char       *name;              /* upper case, without its group */
  GPtrArray  *types;             /* TYPE values, lower case */
  guint       pref;              /* 1 (most preferred) to 100; 0 when not given */
  gboolean    quoted_printable;
  char       *charset;
  const char *value;             /* points into the line */
} Property;

static void
property_clear (Property *prop)
{
  g_clear_pointer (&prop->name, g_free);
  g_clear_pointer (&prop->types, g_ptr_array_unref);
  g_clear_pointer (&prop->charset, g_free);
}

static char *
dup_unquoted (const char *text,
              gsize       len)
{
  if (len >= 2 && text[0] == '"' && text[len - 1] == '"')
    return g_strndup (text + 1, len - 2);
  return g_strndup (text, len);
}

static void
add_types (Property   *prop,
           const char *list)
{
  g_auto(GStrv) types = g_strsplit (list, ",", -1);

  for (guint i = 0; types[i] != NULL; i++)
    {
      char *type = g_ascii_strdown (g_strstrip (types[i]), -1);

      /* vCard 3.0 marks the preferred value with TYPE=pref. */
      if (g_str_equal (type, "pref") && (prop->pref == 0 || prop->pref > 1))
        prop->pref = 1;
      g_ptr_array_add (prop->types, type);
    }
}

static void
add_parameter (Property   *prop,
               const char *text,
               gsize       len)
{
  const char *equals = memchr (text, '=', len);
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;

  if (equals == NULL)
    {
      /* vCard 2.1 allows bare values: TEL;CELL;PREF or NOTE;QUOTED-PRINTABLE. */
      g_autofree char *bare = g_strndup (text, len);

      if (g_ascii_strcasecmp (bare, "QUOTED-PRINTABLE") == 0)
        prop->quoted_printable = TRUE;
      else if (g_ascii_strcasecmp (bare, "BASE64") != 0 && g_ascii_strcasecmp (bare, "8BIT") != 0 &&
               g_ascii_strcasecmp (bare, "7BIT") != 0)
        add_types (prop, bare);
      return;
    }

  key = g_strndup (text, equals - text);
  value = dup_unquoted (equals + 1, text + len - (equals + 1));

  if (g_ascii_strcasecmp (key, "TYPE") == 0)
    add_types (prop, value);
  else if (g_ascii_strcasecmp (key, "PREF") == 0)
    {
      guint64 pref = g_ascii_strtoull (value, NULL, 10);

      if (pref >= 1)
        prop->pref = (guint) MIN (pref, 100);
    }
  else if (g_ascii_strcasecmp (key, "ENCODING") == 0)
    prop->quoted_printable = g_ascii_strcasecmp (value, "QUOTED-PRINTABLE") == 0;
  else if (g_ascii_strcasecmp (key, "CHARSET") == 0)
    {
      g_free (prop->charset);
      prop->charset = g_steal_pointer (&value);
    }
}

/* Splits “group.NAME;param=value;param:value”. FALSE when there is no
 * colon, so the line is not a property at all. */
static gboolean
parse_property (const char *line,
                Property   *prop)
{
  const char *p = line;
  const char *name_start = line;
  const char *dot;

  memset (prop, 0, sizeof *prop);
  prop->types = g_ptr_array_new_with_free_func (g_free);

  while (*p != '\0' && *p != ';' && *p != ':')
    p++;
  if (*p == '\0' || p == line)
    return FALSE;

  dot = memchr (line, '.', p - line);
  while (dot != NULL)
    {
      name_start = dot + 1;
      dot = memchr (name_start, '.', p - name_start);
    }
  prop->name = g_ascii_strup (name_start, p - name_start);

  while (*p == ';')
    {
      const char *start = ++p;
      gboolean in_quotes = FALSE;

      while (*p != '\0' && (in_quotes || (*p != ';' && *p != ':')))
        {
          if (*p == '"')
            in_quotes = !in_quotes;
          p++;
        }
      if (p > start)
        add_parameter (prop, start, p - start);
    }
  if (*p != ':')
    return FALSE;

  prop->value = p + 1;
  return TRUE;
}

static char *
decode_quoted_printable (const char *text,
                         gsize      *len)
{
  char *out = g_malloc (strlen (text) + 1);
  char *o = out;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '=' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          *o++ = (char) (g_ascii_xdigit_value (p[1]) << 4 | g_ascii_xdigit_value (p[2]));
          p += 2;
        }
      else if (*p == '=' && p[1] == '\0')
        break;
      else
        *o++ = *p;
    }
  *o = '\0';
  *len = o - out;
  return out;
}

static gboolean
is_utf8_charset (const char *charset)
{
  return g_ascii_strcasecmp (charset, "UTF-8") == 0 || g_ascii_strcasecmp (charset, "UTF8") == 0;
}

/* Quoted-printable values carry line breaks as =0D=0A: Turnout keeps \n. */
static char *
normalize_newlines (char *text)
{
  char *o = text;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          *o++ = '\n';
          if (p[1] == '\n')
            p++;
        }
      else
        *o++ = *p;
    }
  *o = '\0';
  return text;
}

/* The value as UTF-8, before line breaks and escapes are dealt with. */
static char *
decode_bytes (const Property *prop)
{
  g_autofree char *bytes = NULL;
  char *converted;
  gsize len;

  if (prop->quoted_printable)
    bytes = decode_quoted_printable (prop->value, &len);
  else
    {
      bytes = g_strdup (prop->value);
      len = strlen (bytes);
    }

  if (prop->charset != NULL && !is_utf8_charset (prop->charset))
    {
      converted = g_convert (bytes, len, "UTF-8", prop->charset, NULL, NULL, NULL);
      if (converted != NULL)
        return converted;
    }
  if (g_utf8_validate (bytes, len, NULL))
    return g_steal_pointer (&bytes);

  /* Old Windows programs wrote 2.1 cards in their ANSI code page without
   * saying so. */
  converted = g_convert (bytes, len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
  if (converted != NULL)
    return converted;
  return g_utf8_make_valid (bytes, len);
}

/* The value as UTF-8 text, still escaped. */
static char *
decode_value (const Property *prop)
{
  return normalize_newlines (decode_bytes (prop));
}

/* Splits @text at each unescaped @separator (none when 0) and resolves the
 * escapes \\ \; \, \n and \N. */
static GPtrArray *
split_components (const char *text,
                  char        separator)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  GString *part = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          g_string_append_c (part, *p == 'n' || *p == 'N' ? '\n' : *p);
        }
      else if (separator != '\0' && *p == separator)
        {
          g_ptr_array_add (parts, g_string_free (part, FALSE));
          part = g_string_new (NULL);
        }
      else
        g_string_append_c (part, *p);
    }
  g_ptr_array_add (parts, g_string_free (part, FALSE));
  return parts;
}

/* The stripped text, or NULL when nothing is left. */
static char *
dup_nonempty (const char *text)
{
  char *copy;

  if (text == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0')
    g_clear_pointer (&copy, g_free);
  return copy;
}

static char *
decode_text (const Property *prop)
{
  g_autofree char *decoded = decode_value (prop);
  g_autoptr(GPtrArray) parts = split_components (decoded, '\0');

  return dup_nonempty (g_ptr_array_index (parts, 0));
}

static const char *
component (GPtrArray *parts,
           guint      i)
{
  return i < parts->len ? g_ptr_array_index (parts, i) : NULL;
}

static gboolean
has_type (const Property *prop,
          const char     *type)
{
  for (guint i = 0; i < prop->types->len; i++)
    if (g_str_equal (g_ptr_array_index (prop->types, i), type))
      return TRUE;
  return FALSE;
}

/* Cards */

typedef struct
{
  char  *value;
  guint  rank;     /* lower comes first */
  guint  order;    /* place in the card, to keep ties in file order */
} Ranked;

typedef struct
{
  guint      line;
  char      *given;
  char      *family;
  char      *full_name;
  GArray    *phones;     /* Ranked */
  GArray    *emails;     /* Ranked */
  GPtrArray *tags;
  GString   *notes;
  char      *city;
  guint      city_rank;
} Card;

static void
ranked_clear (gpointer data)
{
  g_free (((Ranked *) data)->value);
}

static Card *
card_new (guint line)
{
  Card *card = g_new0 (Card, 1);

  card->line = line;
  card->phones = g_array_new (FALSE, FALSE, sizeof (Ranked));
  g_array_set_clear_func (card->phones, ranked_clear);
  card->emails = g_array_new (FALSE, FALSE, sizeof (Ranked));
  g_array_set_clear_func (card->emails, ranked_clear);
  card->tags = g_ptr_array_new_with_free_func (g_free);
  card->city_rank = G_MAXUINT;
  return card;
}

static void
card_free (Card *card)
{
  g_free (card->given);
  g_free (card->family);
  g_free (card->full_name);
  g_array_unref (card->phones);
  g_array_unref (card->emails);
  g_ptr_array_unref (card->tags);
  if (card->notes != NULL)
    g_string_free (card->notes, TRUE);
  g_free (card->city);
  g_free (card);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Card, card_free)

static guint
preference (const Property *prop)
{
  return prop->pref > 0 ? prop->pref : 101;
}

/* Turnout sends text messages, so a mobile number comes first even when
 * the card prefers a landline; fax and pager numbers come last. Within each
 * kind the card's preference decides. */
static guint
phone_rank (const Property *prop)
{
  guint kind = 1;

  if (has_type (prop, "cell") || has_type (prop, "mobile") || has_type (prop, "iphone") ||
      has_type (prop, "text"))
    kind = 0;
  else if (has_type (prop, "fax") || has_type (prop, "pager"))
    kind = 2;
  return kind * 1000 + preference (prop);
}

static void
add_ranked (GArray *array,
            char   *value,
            guint   rank)
{
  Ranked ranked = { value, rank, array->len };

  g_array_append_val (array, ranked);
}

static char *
strip_scheme (char       *value,
              const char *scheme)
{
  gsize len = strlen (scheme);
  char *stripped;

  if (g_ascii_strncasecmp (value, scheme, len) != 0)
    return value;
  stripped = g_strdup (value + len);
  g_free (value);
  return stripped;
}

static void
apply_property (Card           *card,
                const Property *prop)
{
  const char *name = prop->name;

  if (g_str_equal (name, "FN"))
    {
      if (card->full_name == NULL)
        card->full_name = decode_text (prop);
    }
  else if (g_str_equal (name, "N"))
    {
      g_autofree char *decoded = decode_value (prop);
      g_autoptr(GPtrArray) parts = split_components (decoded, ';');

      g_free (card->family);
      g_free (card->given);
      card->family = dup_nonempty (component (parts, 0));
      card->given = dup_nonempty (component (parts, 1));
    }
  else if (g_str_equal (name, "TEL"))
    {
      char *number = decode_text (prop);

      if (number == NULL)
        return;
      /* vCard 4.0 writes numbers as tel: URIs; the number is what comes
       * before any parameter such as ;ext=. */
      if (g_ascii_strncasecmp (number, "tel:", 4) == 0)
        {
          char *semicolon;

          number = strip_scheme (number, "tel:");
          if ((semicolon = strchr (number, ';')) != NULL)
            *semicolon = '\0';
        }
      if (*number == '\0')
        g_free (number);
      else
        add_ranked (card->phones, number, phone_rank (prop));
    }
  else if (g_str_equal (name, "EMAIL"))
    {
      char *address = decode_text (prop);

      if (address == NULL)
        return;
      address = strip_scheme (address, "mailto:");
      if (*address == '\0')
        g_free (address);
      else
        add_ranked (card->emails, address, preference (prop));
    }
  else if (g_str_equal (name, "ADR"))
    {
      g_autofree char *decoded = decode_value (prop);
      g_autoptr(GPtrArray) parts = split_components (decoded, ';');
      /* post office box; extended address; street; locality; … */
      char *city = dup_nonempty (component (parts, 3));

      if (city != NULL && preference (prop) < card->city_rank)
        {
          g_free (card->city);
          card->city = g_steal_pointer (&city);
          card->city_rank = preference (prop);
        }
      g_free (city);
    }
  else if (g_str_equal (name, "NOTE"))
    {
      g_autofree char *note = decode_text (prop);

      if (note == NULL)
        return;
      if (card->notes == NULL)
        card->notes = g_string_new (note);
      else
        g_string_append_printf (card->notes, "\n%s", note);
    }
  else if (g_str_equal (name, "CATEGORIES"))
    {
      g_autofree char *decoded = decode_value (prop);
      g_autoptr(GPtrArray) parts = split_components (decoded, ',');

      for (guint i = 0; i < parts->len; i++)
        {
          char *tag = dup_nonempty (g_ptr_array_index (parts, i));

          if (tag != NULL && !g_ptr_array_find_with_equal_func (card->tags, tag, g_str_equal, NULL))
            g_ptr_array_add (card->tags, tag);
          else
            g_free (tag);
        }
    }
}

static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *ra = a;
  const Ranked *rb = b;

  if (ra->rank != rb->rank)
    return ra->rank < rb->rank ? -1 : 1;
  return ra->order < rb->order ? -1 : ra->order > rb->order;
}

static GStrv
steal_sorted (GArray *array)
{
  GStrv values = g_new0 (char *, array->len + 1);

  g_array_sort (array, compare_ranked);
  for (guint i = 0; i < array->len; i++)
    values[i] = g_steal_pointer (&g_array_index (array, Ranked, i).value);
  return values;
}

static TurnoutVcardContact *
card_finish (Card *card)
{
  TurnoutVcardContact *contact = g_new0 (TurnoutVcardContact, 1);

  contact->line = card->line;
  contact->first_name = g_steal_pointer (&card->given);
  contact->last_name = g_steal_pointer (&card->family);
  contact->full_name = g_steal_pointer (&card->full_name);

  if (contact->first_name == NULL && contact->last_name == NULL && contact->full_name != NULL)
    {
      /* Without N, the last word of FN is taken as the family name. */
      const char *space = strrchr (contact->full_name, ' ');

      if (space != NULL)
        {
          g_autofree char *rest = g_strndup (contact->full_name, space - contact->full_name);

          contact->first_name = dup_nonempty (rest);
          contact->last_name = g_strdup (space + 1);
        }
      else
        contact->first_name = g_strdup (contact->full_name);
    }
  else if (contact->full_name == NULL &&
           (contact->first_name != NULL || contact->last_name != NULL))
    contact->full_name = g_strjoin (" ", contact->first_name != NULL ? contact->first_name : "",
                                    contact->last_name, NULL);

  contact->phones = steal_sorted (card->phones);
  contact->emails = steal_sorted (card->emails);
  contact->phone = g_strdup (contact->phones[0]);
  contact->email = g_strdup (contact->emails[0]);
  g_ptr_array_add (card->tags, NULL);
  contact->tags = (GStrv) g_ptr_array_steal (card->tags, NULL);
  contact->city = g_steal_pointer (&card->city);
  if (card->notes != NULL)
    contact->notes = g_string_free (g_steal_pointer (&card->notes), FALSE);
  return contact;
}

/* Parsing */

static GDataInputStream *
open_lines (GInputStream  *stream,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (stream);
  GBufferedInputStream *buffered = G_BUFFERED_INPUT_STREAM (data);
  g_autoptr(GCharsetConverter) converter = NULL;
  g_autoptr(GInputStream) converted = NULL;
  const guint8 *head;
  gsize n;

  /* The caller's stream stays open: it is the caller's. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  while (g_buffered_input_stream_get_available (buffered) < 2)
    {
      gssize got = g_buffered_input_stream_fill (buffered, -1, cancellable, error);

      if (got < 0)
        return NULL;
      if (got == 0)
        break;
    }

  /* Windows programs write vCards in UTF-16 with a byte order mark. */
  head = g_buffered_input_stream_peek_buffer (buffered, &n);
  if (n < 2 || !((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
    return g_steal_pointer (&data);

  converter = g_charset_converter_new ("UTF-8", "UTF-16", error);
  if (converter == NULL)
    return NULL;
  converted = g_converter_input_stream_new (G_INPUT_STREAM (data), G_CONVERTER (converter));
  g_clear_object (&data);
  data = g_data_input_stream_new (converted);
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  return g_steal_pointer (&data);
}

static void
add_problem (GPtrArray  *problems,
             int         code,
             const char *format,
             ...) G_GNUC_PRINTF (3, 4);

static void
add_problem (GPtrArray  *problems,
             int         code,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (problems, g_error_new_valist (TURNOUT_VCARD_ERROR, code, format, args));
  va_end (args);
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static gboolean
value_is_vcard (const Property *prop)
{
  g_autofree char *value = g_strstrip (g_strdup (prop->value));

  return g_ascii_strcasecmp (value, "VCARD") == 0;
}

/**
 * turnout_vcard_parse:
 * @stream: a .vcf file of one or more cards, in UTF-8 (or UTF-16 with a
 *   byte order mark)
 * @errors: (out) (optional) (transfer container) (element-type GError): the
 *   problems with single cards or lines, each naming its line; the cards
 *   concerned are skipped (a card without END:VCARD) or read without the
 *   bad line
 * @cancellable: (nullable): checked on each line
 *
 * Reads every card of @stream. Blocks: call it from a worker.
 *
 * Returns: (transfer container) (element-type TurnoutVcardContact): the
 *   cards in file order, or %NULL with %TURNOUT_VCARD_ERROR_NO_CARDS when
 *   the file has no BEGIN:VCARD at all, or a read error.
 */
GPtrArray *
turnout_vcard_parse (GInputStream  *stream,
                     GPtrArray    **errors,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(Card) card = NULL;
  LineReader reader = { 0 };
  gboolean seen_begin = FALSE;
  gboolean in_stray = FALSE;
  gboolean ok = FALSE;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (errors != NULL)
    *errors = NULL;
  contacts = g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_vcard_contact_free);
  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if ((reader.data = open_lines (stream, cancellable, error)) == NULL)
    return NULL;

  for (;;)
    {
      Property prop;
      guint line = 0;
      gboolean eof;

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !read_logical (&reader, text, &line, &eof, cancellable, error))
        goto out;
      if (eof)
        break;
      if (is_blank (text->str))
        continue;

      if (!parse_property (text->str, &prop))
        {
          if (card != NULL)
            add_problem (problems, TURNOUT_VCARD_ERROR_MALFORMED,
                         _("line %u is not a vCard property (it has no “:”); it was skipped"),
                         line);
          else if (!in_stray)
            add_problem (problems, TURNOUT_VCARD_ERROR_MALFORMED,
                         _("line %u is outside any card (no BEGIN:VCARD before it); "
                           "it was skipped"), line);
          in_stray = card == NULL;
        }
      else if (g_str_equal (prop.name, "BEGIN") && value_is_vcard (&prop))
        {
          if (card != NULL)
            add_problem (problems, TURNOUT_VCARD_ERROR_UNTERMINATED,
                         _("card at line %u has no END:VCARD; it was skipped"), card->line);
          g_clear_pointer (&card, card_free);
          card = card_new (line);
          seen_begin = TRUE;
          in_stray = FALSE;
        }
      else if (g_str_equal (prop.name, "END") && value_is_vcard (&prop))
        {
          if (card == NULL)
            add_problem (problems, TURNOUT_VCARD_ERROR_NESTING,
                         _("line %u has END:VCARD without a BEGIN:VCARD before it"), line);
          else
            g_ptr_array_add (contacts, card_finish (card));
          g_clear_pointer (&card, card_free);
          in_stray = FALSE;
        }
      else if (card != NULL)
        apply_property (card, &prop);
      else
        {
          if (!in_stray)
            add_problem (problems, TURNOUT_VCARD_ERROR_MALFORMED,
                         _("line %u is outside any card (no BEGIN:VCARD before it); "
                           "it was skipped"), line);
          in_stray = TRUE;
        }
      property_clear (&prop);
    }

  if (card != NULL)
    add_problem (problems, TURNOUT_VCARD_ERROR_UNTERMINATED,
                 _("card at line %u has no END:VCARD; it was skipped"), card->line);

  if (!seen_begin)
    {
      g_set_error_literal (error, TURNOUT_VCARD_ERROR, TURNOUT_VCARD_ERROR_NO_CARDS,
                           _("the file has no contact cards in it (no line says "
                             "BEGIN:VCARD); is it a vCard file?"));
      goto out;
    }

  ok = TRUE;
  if (errors != NULL)
    *errors = g_steal_pointer (&problems);

out:
  g_free (reader.peeked);
  g_clear_object (&reader.data);
  return ok ? g_steal_pointer (&contacts) : NULL;
}
