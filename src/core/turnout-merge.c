/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-merge"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "turnout-merge.h"

/*
 * One scanner serves both the editor, which wants every token of a text
 * (errors included) to highlight and underline, and the template, which
 * wants the first error or a list of parts to render. The scanner never
 * gives up: after an error it goes on from the next character that can
 * start something new, so one mistake gives one error.
 */

G_DEFINE_QUARK (turnout-merge-error-quark, turnout_merge_error)

typedef enum
{
  FIELD_FIRST_NAME,
  FIELD_LAST_NAME,
  FIELD_FULL_NAME,
  FIELD_PHONE,
  FIELD_EMAIL,
  FIELD_CITY,
  FIELD_EVENT_NAME,
  FIELD_EVENT_DATE,
  FIELD_EVENT_TIME,
  FIELD_EVENT_VENUE,
  FIELD_SENDER_NAME,
  FIELD_UNSUBSCRIBE,
  N_FIELDS
} FieldId;

/* In FieldId order. */
static const char * const field_names[] = {
  "first_name",
  "last_name",
  "full_name",
  "phone",
  "email",
  "city",
  "event_name",
  "event_date",
  "event_time",
  "event_venue",
  "sender_name",
  "unsubscribe",
  NULL
};

static const char * const field_descriptions[] = {
  N_("The contact’s first name"),
  N_("The contact’s last name"),
  N_("The contact’s first and last name"),
  N_("The contact’s phone number"),
  N_("The contact’s email address"),
  N_("The contact’s city"),
  N_("The event’s name"),
  N_("The day the event starts, in the event’s time zone"),
  N_("The time the event starts, in the event’s time zone"),
  N_("The event’s venue"),
  N_("Your name as the sender, from the settings"),
  N_("How to opt out: the channel’s opt-out text or unsubscribe link"),
};

G_STATIC_ASSERT (G_N_ELEMENTS (field_names) == N_FIELDS + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (field_descriptions) == N_FIELDS);

/* Names other tools use, so their templates work here unchanged. */
static const struct
{
  const char *name;
  FieldId     field;
} aliases[] = {
  { "partner_name", FIELD_FULL_NAME },
  { "customer_full_name", FIELD_FULL_NAME },
  { "customer_name", FIELD_FULL_NAME },
  { "customer_first_name", FIELD_FIRST_NAME },
  { "customer_last_name", FIELD_LAST_NAME },
  { "customer_phone", FIELD_PHONE },
  { "customer_email", FIELD_EMAIL },
};

/* A written name longer than this is not compared with the known ones: it
 * is not a misspelt field but some other text between braces. */
#define MAX_SUGGEST_LENGTH 40

/* An unknown name shown in a message is cut at this many characters. */
#define MAX_SHOWN_NAME 40

static int
lookup_field (const char *name,
              gsize       length)
{
  for (int i = 0; i < N_FIELDS; i++)
    if (strlen (field_names[i]) == length && memcmp (field_names[i], name, length) == 0)
      return i;
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (strlen (aliases[i].name) == length && memcmp (aliases[i].name, name, length) == 0)
      return aliases[i].field;
  return -1;
}

/**
 * turnout_merge_list_fields:
 *
 * Returns: (transfer none): the canonical field names, %NULL-terminated, in
 *   the order completion offers them.
 */
const char * const *
turnout_merge_list_fields (void)
{
  return field_names;
}

/**
 * turnout_merge_field_canonical:
 * @name: a field name or an alias, exactly as written between braces
 *
 * Returns: (nullable): the canonical name (a static string), or %NULL when
 *   @name is not a field.
 */
const char *
turnout_merge_field_canonical (const char *name)
{
  int field;

  g_return_val_if_fail (name != NULL, NULL);

  field = lookup_field (name, strlen (name));
  return field < 0 ? NULL : field_names[field];
}

/**
 * turnout_merge_field_describe:
 * @field: a field name or an alias
 *
 * Returns: (nullable): a translated sentence saying what the field holds,
 *   for completion, or %NULL when @field is not a field.
 */
const char *
turnout_merge_field_describe (const char *field)
{
  int id;

  g_return_val_if_fail (field != NULL, NULL);

  id = lookup_field (field, strlen (field));
  return id < 0 ? NULL : _(field_descriptions[id]);
}

/* The optimal string alignment distance: insertions, deletions,
 * substitutions and swaps of neighbours each cost one, so "frist_name" is
 * one edit from "first_name". */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize m = strlen (a);
  gsize n = strlen (b);
  g_autofree guint *rows = g_new (guint, 3 * (n + 1));
  guint *before = rows;
  guint *previous = rows + (n + 1);
  guint *current = rows + 2 * (n + 1);

  for (gsize j = 0; j <= n; j++)
    previous[j] = j;
  for (gsize i = 1; i <= m; i++)
    {
      current[0] = i;
      for (gsize j = 1; j <= n; j++)
        {
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
          guint best = MIN (previous[j] + 1, current[j - 1] + 1);

          best = MIN (best, previous[j - 1] + cost);
          if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
            best = MIN (best, before[j - 2] + 1);
          current[j] = best;
        }
      {
        guint *spare = before;

        before = previous;
        previous = current;
        current = spare;
      }
    }
  return previous[n];
}

/* The known name (field or alias) closest to @written, when it is close
 * enough to be a slip: at most two edits, and few for a short name. Case is
 * ignored here, so "First_Name" suggests "first_name". */
static const char *
suggest_field (const char *written)
{
  g_autofree char *lower = NULL;
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  if (strlen (written) > MAX_SUGGEST_LENGTH)
    return NULL;
  lower = g_ascii_strdown (written, -1);

  for (int i = 0; i < N_FIELDS + (int) G_N_ELEMENTS (aliases); i++)
    {
      const char *name = i < N_FIELDS ? field_names[i] : aliases[i - N_FIELDS].name;
      guint distance = edit_distance (lower, name);

      if (distance < best_distance)
        {
          best_distance = distance;
          best = name;
        }
    }
  if (best_distance <= 2 && 3 * best_distance <= strlen (best))
    return best;
  return NULL;
}

/* The sentence for an error; with @located, the position is part of it
 * (for a GError), without it the editor shows it next to the spot. */
static char *
format_error (TurnoutMergeError  code,
              const char        *name,
              const char        *suggestion,
              guint              line,
              guint              column,
              gboolean           located)
{
  switch (code)
    {
    case TURNOUT_MERGE_ERROR_UNKNOWN_FIELD:
      if (suggestion != NULL && located)
        return g_strdup_printf (_("Unknown field “%s” at line %u, column %u; did you mean “%s”?"),
                                name, line, column, suggestion);
      if (suggestion != NULL)
        return g_strdup_printf (_("Unknown field “%s”; did you mean “%s”?"), name, suggestion);
      if (located)
        return g_strdup_printf (_("Unknown field “%s” at line %u, column %u"), name, line, column);
      return g_strdup_printf (_("Unknown field “%s”"), name);

    case TURNOUT_MERGE_ERROR_UNCLOSED:
      if (located)
        return g_strdup_printf (_("Unclosed “{” at line %u, column %u: end the field with “}”, "
                                  "or write “{{” for a literal brace"), line, column);
      return g_strdup (_("Unclosed “{”: end the field with “}”, or write “{{” for a literal "
                         "brace"));

    case TURNOUT_MERGE_ERROR_UNEXPECTED_CLOSE:
      if (located)
        return g_strdup_printf (_("“}” at line %u, column %u closes nothing: write “}}” for a "
                                  "literal brace"), line, column);
      return g_strdup (_("This “}” closes nothing: write “}}” for a literal brace"));

    case TURNOUT_MERGE_ERROR_EMPTY:
      if (located)
        return g_strdup_printf (_("Empty field at line %u, column %u: put a field name between "
                                  "the braces, or write “{{}}” for literal braces"), line, column);
      return g_strdup (_("Empty field: put a field name between the braces, or write “{{}}” "
                         "for literal braces"));

    case TURNOUT_MERGE_ERROR_NESTED:
      if (located)
        return g_strdup_printf (_("“{” inside a field at line %u, column %u: a fallback is plain "
                                  "text and cannot hold a field"), line, column);
      return g_strdup (_("“{” inside a field: a fallback is plain text and cannot hold a field"));

    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * turnout_merge_token_free:
 * @token: (nullable): a token from turnout_merge_scan()
 */
void
turnout_merge_token_free (TurnoutMergeToken *token)
{
  if (token == NULL)
    return;
  g_free (token->field);
  g_free (token->fallback);
  g_free (token->message);
  g_free (token->suggestion);
  g_free (token);
}

typedef struct
{
  const char *text;
  gboolean    markup;         /* HTML: only whole {name} and {name|…} are fields */
  guint       open_escapes;   /* markup: "{{" not yet matched by a "}}" */
  GPtrArray  *tokens;
  int         first_code;     /* of the first error; -1 while there is none */
  char       *first_message;  /* the first error's sentence with its position */

  /* Where the last position was found, so that finding the next one only
   * reads on from there: errors come in the order of the text. */
  gsize       seen;
  guint       seen_line;
  guint       seen_column;      /* characters from the line start to seen */
} Scanner;

/* The line (from 1) and column (in characters, from 1) of byte @offset. */
static void
position_of (Scanner *scanner,
             gsize    offset,
             guint   *line,
             guint   *column)
{
  const guchar *text = (const guchar *) scanner->text;

  if (offset < scanner->seen)
    {
      scanner->seen = 0;
      scanner->seen_line = 1;
      scanner->seen_column = 0;
    }
  for (gsize i = scanner->seen; i < offset; i++)
    {
      if (text[i] == '\n')
        {
          scanner->seen_line++;
          scanner->seen_column = 0;
        }
      else if ((text[i] & 0xC0) != 0x80) /* not a continuation byte */
        scanner->seen_column++;
    }
  scanner->seen = offset;
  *line = scanner->seen_line;
  *column = scanner->seen_column + 1;
}

static TurnoutMergeToken *
add_token (GPtrArray             *tokens,
           TurnoutMergeTokenKind  kind,
           gsize                  start,
           gsize                  end)
{
  TurnoutMergeToken *token = g_new0 (TurnoutMergeToken, 1);

  token->kind = kind;
  token->start = start;
  token->end = end;
  g_ptr_array_add (tokens, token);
  return token;
}

/* @at is the offending character, which may lie inside the token. */
static void
add_error (Scanner           *scanner,
           TurnoutMergeError  code,
           gsize              start,
           gsize              end,
           gsize              at,
           const char        *name)
{
  TurnoutMergeToken *token = add_token (scanner->tokens, TURNOUT_MERGE_TOKEN_ERROR, start, end);
  g_autofree char *shown = NULL;

  if (name != NULL)
    {
      token->suggestion = g_strdup (suggest_field (name));
      if (g_utf8_strlen (name, -1) > MAX_SHOWN_NAME)
        {
          g_autofree char *cut = g_utf8_substring (name, 0, MAX_SHOWN_NAME);

          shown = g_strconcat (cut, "…", NULL);
        }
      else
        shown = g_strdup (name);
    }
  token->code = code;
  position_of (scanner, at, &token->line, &token->column);
  token->message = format_error (code, shown, token->suggestion, token->line, token->column, FALSE);
  if (scanner->first_code < 0)
    {
      scanner->first_code = code;
      scanner->first_message = format_error (code, shown, token->suggestion,
                                             token->line, token->column, TRUE);
    }
}

static gboolean
is_blank_char (char c)
{
  return c == ' ' || c == '\t';
}

/* Trims spaces and tabs from both ends of [start, end) and returns a copy. */
static char *
dup_trimmed (const char *start,
             const char *end)
{
  while (start < end && is_blank_char (*start))
    start++;
  while (end > start && is_blank_char (end[-1]))
    end--;
  return g_strndup (start, end - start);
}

static gboolean
ends_field (char c)
{
  return c == '\0' || c == '\n' || c == '\r';
}

/* Scans the field whose "{" is at @start and returns where scanning goes on. */
static gsize
scan_field (Scanner *scanner,
            gsize    start)
{
  const char *text = scanner->text;
  gsize i = start + 1;

  while (!ends_field (text[i]) && text[i] != '{' && text[i] != '}')
    i++;

  if (text[i] == '}')
    {
      const char *bar = memchr (text + start + 1, '|', i - start - 1);
      g_autofree char *name = dup_trimmed (text + start + 1, bar != NULL ? bar : text + i);
      int field;

      if (*name == '\0')
        {
          add_error (scanner, TURNOUT_MERGE_ERROR_EMPTY, start, i + 1, start, NULL);
          return i + 1;
        }
      if ((field = lookup_field (name, strlen (name))) < 0)
        {
          add_error (scanner, TURNOUT_MERGE_ERROR_UNKNOWN_FIELD, start, i + 1, start, name);
          return i + 1;
        }
      {
        TurnoutMergeToken *token = add_token (scanner->tokens, TURNOUT_MERGE_TOKEN_FIELD,
                                              start, i + 1);

        token->field = g_strdup (field_names[field]);
        if (bar != NULL)
          token->fallback = dup_trimmed (bar + 1, text + i);
      }
      return i + 1;
    }

  if (text[i] == '{')
    {
      gsize inner = i;
      gsize j = inner + 1;

      /* "{a|{b}}" is a field inside a field; in "{a, see {b}" the first
       * brace was simply never closed, and {b} is fine on its own. */
      while (!ends_field (text[j]) && text[j] != '{' && text[j] != '}')
        j++;
      if (text[j] == '}' && text[j + 1] == '}')
        {
          add_error (scanner, TURNOUT_MERGE_ERROR_NESTED, start, j + 2, inner, NULL);
          return j + 2;
        }
      add_error (scanner, TURNOUT_MERGE_ERROR_UNCLOSED, start, inner, start, NULL);
      return inner;
    }

  add_error (scanner, TURNOUT_MERGE_ERROR_UNCLOSED, start, i, start, NULL);
  return i;
}

/* Markup only: whether a field starts at the "{" at @start: a name of
 * lower-case letters, digits and underscores, between optional spaces, then
 * "}" or "|…}" on the same line. Anything else — CSS rules, JSON, a lone
 * brace — is text. */
static gboolean
looks_like_field (const char *text,
                  gsize       start)
{
  gsize i = start + 1;
  gsize name_start;

  while (is_blank_char (text[i]))
    i++;
  name_start = i;
  while (g_ascii_islower (text[i]) || g_ascii_isdigit (text[i]) || text[i] == '_')
    i++;
  if (i == name_start || !g_ascii_islower (text[name_start]))
    return FALSE;
  while (is_blank_char (text[i]))
    i++;
  if (text[i] == '}')
    return TRUE;
  if (text[i] != '|')
    return FALSE;
  while (!ends_field (text[i]) && text[i] != '{' && text[i] != '}')
    i++;
  return text[i] == '}';
}

static void
scan (Scanner    *scanner,
      const char *text)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_merge_token_free);
  gsize run_start = 0;
  gsize i = 0;

  scanner->text = text;
  scanner->open_escapes = 0;
  scanner->tokens = tokens;
  scanner->first_code = -1;
  scanner->first_message = NULL;
  scanner->seen = 0;
  scanner->seen_line = 1;
  scanner->seen_column = 0;

  while (text[i] != '\0')
    {
      char c = text[i];

      if (c != '{' && c != '}')
        {
          i++;
          continue;
        }

      /* In markup, braces are text unless they make a field or an escape:
       * a stylesheet's "a{color:red}}" is left as it is. */
      if (scanner->markup
          && !(c == '{' && (text[i + 1] == '{' || looks_like_field (text, i)))
          && !(c == '}' && text[i + 1] == '}' && scanner->open_escapes > 0))
        {
          i++;
          continue;
        }

      if (run_start < i)
        add_token (tokens, TURNOUT_MERGE_TOKEN_TEXT, run_start, i);

      if (text[i + 1] == c)
        {
          add_token (tokens, TURNOUT_MERGE_TOKEN_ESCAPE, i, i + 2);
          if (c == '{')
            scanner->open_escapes++;
          else if (scanner->open_escapes > 0)
            scanner->open_escapes--;
          i += 2;
        }
      else if (c == '{')
        i = scan_field (scanner, i);
      else
        {
          add_error (scanner, TURNOUT_MERGE_ERROR_UNEXPECTED_CLOSE, i, i + 1, i, NULL);
          i++;
        }
      run_start = i;
    }
  if (run_start < i)
    add_token (tokens, TURNOUT_MERGE_TOKEN_TEXT, run_start, i);
}

/**
 * turnout_merge_scan:
 * @text: a template, valid UTF-8
 *
 * Splits @text into tokens that cover it from start to end without gaps:
 * plain text, fields, escaped braces and errors. Never fails; errors are
 * tokens, so an editor can highlight everything at once.
 *
 * Returns: (transfer full) (element-type TurnoutMergeToken): the tokens, in
 *   the order of the text.
 */
GPtrArray *
turnout_merge_scan (const char *text)
{
  return turnout_merge_scan_full (text, FALSE);
}

/**
 * turnout_merge_scan_full:
 * @markup: %TRUE for HTML: a brace is a field only in a whole `{name}` or
 *   `{name|fallback}`, and `{{` an escape, as is a `}}` that closes one; any
 *   other brace, as in a
 *   stylesheet, is text
 *
 * See turnout_merge_scan().
 */
GPtrArray *
turnout_merge_scan_full (const char *text,
                         gboolean    markup)
{
  Scanner scanner = { 0 };

  g_return_val_if_fail (text != NULL, NULL);

  scanner.markup = markup;
  scan (&scanner, text);
  g_free (scanner.first_message);
  return scanner.tokens;
}

/* A template compiled to parts: literal text (escapes already resolved),
 * and fields with their fallback. */
typedef struct
{
  int   field;      /* a FieldId, or -1 for literal text */
  char *text;       /* the literal text, or the fallback (NULL: none) */
} Part;

struct _TurnoutMergeTemplate
{
  gatomicrefcount  ref_count;
  char            *text;
  GArray          *parts;
};

G_DEFINE_BOXED_TYPE (TurnoutMergeTemplate, turnout_merge_template,
                     turnout_merge_template_ref, turnout_merge_template_unref)

static void
clear_part (gpointer data)
{
  Part *part = data;

  g_free (part->text);
}

/**
 * turnout_merge_template_new:
 * @text: the template, valid UTF-8
 * @error: the first error in @text, its message with the line and column
 *
 * Returns: (transfer full) (nullable): the template, or %NULL with @error
 *   set in %TURNOUT_MERGE_ERROR.
 */
TurnoutMergeTemplate *
turnout_merge_template_new (const char  *text,
                            GError     **error)
{
  return turnout_merge_template_new_full (text, FALSE, error);
}

/**
 * turnout_merge_template_new_full:
 * @markup: %TRUE for HTML (see turnout_merge_scan_full())
 *
 * See turnout_merge_template_new().
 */
TurnoutMergeTemplate *
turnout_merge_template_new_full (const char  *text,
                                 gboolean     markup,
                                 GError     **error)
{
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GString) literal = g_string_new (NULL);
  TurnoutMergeTemplate *self;
  Scanner scanner = { 0 };

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  scanner.markup = markup;
  scan (&scanner, text);
  tokens = scanner.tokens;
  if (scanner.first_code >= 0)
    {
      g_set_error_literal (error, TURNOUT_MERGE_ERROR, scanner.first_code, scanner.first_message);
      g_free (scanner.first_message);
      return NULL;
    }

  self = g_new0 (TurnoutMergeTemplate, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->text = g_strdup (text);
  self->parts = g_array_new (FALSE, FALSE, sizeof (Part));
  g_array_set_clear_func (self->parts, clear_part);

  for (guint i = 0; i <= tokens->len; i++)
    {
      TurnoutMergeToken *token = i < tokens->len ? g_ptr_array_index (tokens, i) : NULL;

      if (token != NULL && token->kind == TURNOUT_MERGE_TOKEN_TEXT)
        g_string_append_len (literal, text + token->start, token->end - token->start);
      else if (token != NULL && token->kind == TURNOUT_MERGE_TOKEN_ESCAPE)
        g_string_append_c (literal, text[token->start]);
      else
        {
          if (literal->len > 0)
            {
              Part part = { -1, g_strndup (literal->str, literal->len) };

              g_array_append_val (self->parts, part);
              g_string_truncate (literal, 0);
            }
          if (token != NULL)
            {
              Part part = { lookup_field (token->field, strlen (token->field)),
                            g_strdup (token->fallback) };

              g_array_append_val (self->parts, part);
            }
        }
    }
  return self;
}

/**
 * turnout_merge_template_ref:
 *
 * Returns: (transfer full): @self. Templates are immutable, so one may be
 *   shared between threads.
 */
TurnoutMergeTemplate *
turnout_merge_template_ref (TurnoutMergeTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
turnout_merge_template_unref (TurnoutMergeTemplate *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->parts);
  g_free (self->text);
  g_free (self);
}

/**
 * turnout_merge_template_get_text:
 *
 * Returns: the text the template was made from.
 */
const char *
turnout_merge_template_get_text (TurnoutMergeTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

/**
 * turnout_merge_template_uses:
 * @field: a field name (an alias works too)
 *
 * Returns: whether the template has that field, under any of its names.
 */
gboolean
turnout_merge_template_uses (TurnoutMergeTemplate *self,
                             const char           *field)
{
  int id;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if ((id = lookup_field (field, strlen (field))) < 0)
    return FALSE;
  for (guint i = 0; i < self->parts->len; i++)
    if (g_array_index (self->parts, Part, i).field == id)
      return TRUE;
  return FALSE;
}

/* Appends @value without the whitespace at its ends; returns FALSE (and
 * appends nothing) when that leaves nothing. */
static gboolean
append_trimmed (GString    *out,
                const char *value)
{
  const char *end;

  if (value == NULL)
    return FALSE;
  while (*value != '\0' && g_unichar_isspace (g_utf8_get_char (value)))
    value = g_utf8_next_char (value);
  if (*value == '\0')
    return FALSE;
  end = value + strlen (value);
  for (;;)
    {
      const char *last = g_utf8_find_prev_char (value, end);

      if (last == NULL || !g_unichar_isspace (g_utf8_get_char (last)))
        break;
      end = last;
    }
  g_string_append_len (out, value, end - value);
  return TRUE;
}

static GDateTime *
dup_event_start (const TurnoutMergeValues *values)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GTimeZone) zone = NULL;

  if (values->event_starts_at == 0)
    return NULL;
  if ((utc = g_date_time_new_from_unix_utc (values->event_starts_at)) == NULL)
    return NULL;
  if (values->event_time_zone != NULL)
    zone = g_time_zone_new_identifier (values->event_time_zone);
  if (zone == NULL)
    zone = g_time_zone_new_utc ();
  return g_date_time_to_timezone (utc, zone);
}

/* Formats with the translated format; a translation that GLib cannot use
 * falls back to the English one rather than leaving the field blank. */
static gboolean
append_formatted (GString    *out,
                  GDateTime  *when,
                  const char *translated,
                  const char *original)
{
  g_autofree char *text = g_date_time_format (when, translated);

  if (text == NULL)
    text = g_date_time_format (when, original);
  return append_trimmed (out, text);
}

static gboolean
append_value (GString                  *out,
              FieldId                   field,
              const TurnoutMergeValues *values)
{
  switch (field)
    {
    case FIELD_FIRST_NAME:
      return append_trimmed (out, values->first_name);
    case FIELD_LAST_NAME:
      return append_trimmed (out, values->last_name);
    case FIELD_FULL_NAME:
      {
        gsize before = out->len;
        gboolean first = append_trimmed (out, values->first_name);

        if (first)
          g_string_append_c (out, ' ');
        if (append_trimmed (out, values->last_name))
          return TRUE;
        g_string_truncate (out, first ? out->len - 1 : before);
        return first;
      }
    case FIELD_PHONE:
      return append_trimmed (out, values->phone);
    case FIELD_EMAIL:
      return append_trimmed (out, values->email);
    case FIELD_CITY:
      return append_trimmed (out, values->city);
    case FIELD_EVENT_NAME:
      return append_trimmed (out, values->event_name);
    case FIELD_EVENT_DATE:
    case FIELD_EVENT_TIME:
      {
        g_autoptr(GDateTime) when = dup_event_start (values);

        if (when == NULL)
          return FALSE;
        if (field == FIELD_EVENT_DATE)
          /* TRANSLATORS: how {event_date} writes the day an event starts in a
           * message, in g_date_time_format() syntax. "%A, %B %-d, %Y" gives
           * "Saturday, September 12, 2026". Write it as a date reads in a
           * sentence in your language, e.g. "%A %-d %B %Y" for British English
           * or "%A, %-d. %B %Y" for German. Use %B (not %OB): it comes with
           * a day number. */
          return append_formatted (out, when, _("%A, %B %-d, %Y"), "%A, %B %-d, %Y");
        /* TRANSLATORS: how {event_time} writes the time an event starts in a
         * message, in g_date_time_format() syntax. "%-l:%M %p" gives
         * "10:00 PM"; use "%H:%M" (22:00) where the 24-hour clock is usual. */
        return append_formatted (out, when, _("%-l:%M %p"), "%-l:%M %p");
      }
    case FIELD_EVENT_VENUE:
      return append_trimmed (out, values->event_venue);
    case FIELD_SENDER_NAME:
      return append_trimmed (out, values->sender_name);
    case FIELD_UNSUBSCRIBE:
      return append_trimmed (out, values->unsubscribe);
    case N_FIELDS:
    default:
      g_return_val_if_reached (FALSE);
    }
}

/**
 * turnout_merge_template_render:
 * @values: what to put in the fields
 * @blank_fields: (nullable) (element-type utf8): where to add the
 *   canonical name of every field that came out blank with no fallback,
 *   each once (a name already in the array is not added again, so one
 *   array can gather the blanks of many renders). The names are static
 *   strings: give the array no free function.
 *
 * Renders the template. Safe on any thread.
 *
 * Returns: (transfer full): the message
 */
char *
turnout_merge_template_render (TurnoutMergeTemplate     *self,
                               const TurnoutMergeValues *values,
                               GPtrArray                *blank_fields)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = &g_array_index (self->parts, Part, i);

      if (part->field < 0)
        g_string_append (out, part->text);
      else if (append_value (out, part->field, values))
        ;
      else if (part->text != NULL)
        g_string_append (out, part->text);
      else if (blank_fields != NULL
               && !g_ptr_array_find_with_equal_func (blank_fields, field_names[part->field],
                                                     g_str_equal, NULL))
        g_ptr_array_add (blank_fields, (gpointer) field_names[part->field]);
    }
  return g_string_free (out, FALSE);
}
