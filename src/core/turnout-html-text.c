/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-html-text"

#include "config.h"

#include <string.h>

#include "turnout-html-text.h"

/*
 * HTML to readable plain text, in one pass and without a DOM.
 *
 * A small tokenizer, modelled on the HTML standard's but much shorter,
 * turns the input into text runs and start and end tags. Open elements sit
 * on a stack, so that an end tag closes what it should (an unclosed <td> or
 * <li> is closed by the next one, a stray </span> cannot close a table
 * cell) and so that hidden content, links, lists, quotes and tables know
 * where they end. Text goes into logical lines: whitespace collapses into
 * one pending space that is written only when more text follows on the
 * same line, which is also what keeps lines free of trailing spaces. Block
 * elements ask for a line break or a blank line before the next text; the
 * strongest request wins, so nested layout tables and empty paragraphs
 * never pile up blank lines. Each line remembers its prefix ("> " for
 * quotes, "- " or "1. " for list items and the matching indent for the
 * item's later lines), and lines are wrapped only at the end, when their
 * text is complete.
 *
 * Every loop advances through the input or stops, searches of the stack
 * are bounded by its depth limit, and unclosed comments, tags and raw text
 * simply run to the end, so no input can make it hang or crash.
 */

#define WRAP_COLUMNS   78
#define MAX_DEPTH      256
#define MAX_ATTRIBUTES 32
#define RULE_WIDTH     40

#define NBSP           0x00A0
#define NBSP_UTF8      "\u00A0"

/* Marks where two table cells meet on a line until the table is known to
 * hold data or layout. A noncharacter, so it never comes from the input. */
#define CELL_MARK      0xFDD0

enum
{
  TAG_VOID      = 1 << 0,  /* has no content and no end tag */
  TAG_LINE      = 1 << 1,  /* starts and ends a line */
  TAG_PARAGRAPH = 1 << 2,  /* is set apart by blank lines */
  TAG_HIDDEN    = 1 << 3,  /* its content is never shown */
  TAG_RAW       = 1 << 4,  /* its content is raw text up to its end tag */
  TAG_CLOSES_P  = 1 << 5,  /* its start tag ends an open <p> */
  TAG_SCOPE     = 1 << 6,  /* end tags of blocks outside it cannot close from inside */
  TAG_SPECIAL   = 1 << 7,  /* end tags of inline elements stop at it */
  TAG_IN_HEAD   = 1 << 8,  /* may stand in <head> without ending it */
};

typedef enum
{
  KIND_OTHER,
  KIND_A,
  KIND_BLOCKQUOTE,
  KIND_BODY,
  KIND_BR,
  KIND_CELL,
  KIND_DD,
  KIND_DL,
  KIND_DT,
  KIND_HEAD,
  KIND_HEADING,
  KIND_HR,
  KIND_IMG,
  KIND_LI,
  KIND_LIST,
  KIND_OL,
  KIND_P,
  KIND_PRE,
  KIND_TABLE,
  KIND_TR,
} Kind;

typedef struct
{
  const char *name;
  Kind        kind;
  guint       flags;
} TagInfo;

#define BLOCK     (TAG_LINE | TAG_CLOSES_P)
#define PARAGRAPH (TAG_PARAGRAPH | TAG_CLOSES_P)

static const TagInfo tag_infos[] = {
  { "a", KIND_A, 0 },
  { "address", KIND_OTHER, BLOCK },
  { "applet", KIND_OTHER, TAG_SCOPE },
  { "area", KIND_OTHER, TAG_VOID },
  { "article", KIND_OTHER, BLOCK },
  { "aside", KIND_OTHER, BLOCK },
  { "base", KIND_OTHER, TAG_VOID | TAG_IN_HEAD },
  { "basefont", KIND_OTHER, TAG_VOID | TAG_IN_HEAD },
  { "bgsound", KIND_OTHER, TAG_VOID | TAG_IN_HEAD },
  { "blockquote", KIND_BLOCKQUOTE, PARAGRAPH },
  { "body", KIND_BODY, TAG_SPECIAL },
  { "br", KIND_BR, TAG_VOID },
  { "button", KIND_OTHER, TAG_SCOPE },
  { "caption", KIND_OTHER, TAG_LINE | TAG_SCOPE },
  { "center", KIND_OTHER, BLOCK },
  { "col", KIND_OTHER, TAG_VOID },
  { "colgroup", KIND_OTHER, TAG_SPECIAL },
  { "datalist", KIND_OTHER, TAG_HIDDEN },
  { "dd", KIND_DD, BLOCK },
  { "details", KIND_OTHER, BLOCK },
  { "dialog", KIND_OTHER, BLOCK },
  { "dir", KIND_LIST, PARAGRAPH },
  { "div", KIND_OTHER, BLOCK },
  { "dl", KIND_DL, PARAGRAPH },
  { "dt", KIND_DT, BLOCK },
  { "embed", KIND_OTHER, TAG_VOID },
  { "fieldset", KIND_OTHER, BLOCK },
  { "figcaption", KIND_OTHER, BLOCK },
  { "figure", KIND_OTHER, BLOCK },
  { "footer", KIND_OTHER, BLOCK },
  { "form", KIND_OTHER, BLOCK },
  { "h1", KIND_HEADING, PARAGRAPH },
  { "h2", KIND_HEADING, PARAGRAPH },
  { "h3", KIND_HEADING, PARAGRAPH },
  { "h4", KIND_HEADING, PARAGRAPH },
  { "h5", KIND_HEADING, PARAGRAPH },
  { "h6", KIND_HEADING, PARAGRAPH },
  { "head", KIND_HEAD, TAG_HIDDEN | TAG_SPECIAL },
  { "header", KIND_OTHER, BLOCK },
  { "hgroup", KIND_OTHER, BLOCK },
  { "hr", KIND_HR, TAG_VOID | TAG_CLOSES_P },
  { "html", KIND_OTHER, TAG_SCOPE },
  { "iframe", KIND_OTHER, TAG_HIDDEN | TAG_RAW },
  { "img", KIND_IMG, TAG_VOID },
  { "input", KIND_OTHER, TAG_VOID },
  { "keygen", KIND_OTHER, TAG_VOID },
  { "legend", KIND_OTHER, TAG_LINE },
  { "li", KIND_LI, BLOCK },
  { "link", KIND_OTHER, TAG_VOID | TAG_IN_HEAD },
  { "listing", KIND_PRE, PARAGRAPH },
  { "main", KIND_OTHER, BLOCK },
  { "marquee", KIND_OTHER, TAG_SCOPE },
  { "menu", KIND_LIST, PARAGRAPH },
  { "meta", KIND_OTHER, TAG_VOID | TAG_IN_HEAD },
  { "nav", KIND_OTHER, BLOCK },
  { "noembed", KIND_OTHER, TAG_HIDDEN | TAG_RAW },
  { "noframes", KIND_OTHER, TAG_HIDDEN | TAG_RAW | TAG_IN_HEAD },
  { "noscript", KIND_OTHER, TAG_IN_HEAD },
  { "object", KIND_OTHER, TAG_SCOPE },
  { "ol", KIND_OL, PARAGRAPH },
  { "p", KIND_P, PARAGRAPH },
  { "param", KIND_OTHER, TAG_VOID },
  { "pre", KIND_PRE, PARAGRAPH },
  { "script", KIND_OTHER, TAG_HIDDEN | TAG_RAW | TAG_IN_HEAD },
  { "section", KIND_OTHER, BLOCK },
  { "select", KIND_OTHER, TAG_HIDDEN },
  { "source", KIND_OTHER, TAG_VOID },
  { "style", KIND_OTHER, TAG_HIDDEN | TAG_RAW | TAG_IN_HEAD },
  { "summary", KIND_OTHER, BLOCK },
  { "svg", KIND_OTHER, TAG_HIDDEN },
  { "table", KIND_TABLE, TAG_PARAGRAPH | TAG_SCOPE },
  { "tbody", KIND_OTHER, TAG_SPECIAL },
  { "td", KIND_CELL, TAG_SCOPE },
  { "template", KIND_OTHER, TAG_HIDDEN | TAG_SCOPE | TAG_IN_HEAD },
  { "textarea", KIND_OTHER, TAG_HIDDEN | TAG_RAW },
  { "tfoot", KIND_OTHER, TAG_SPECIAL },
  { "th", KIND_CELL, TAG_SCOPE },
  { "thead", KIND_OTHER, TAG_SPECIAL },
  { "title", KIND_OTHER, TAG_HIDDEN | TAG_RAW | TAG_IN_HEAD },
  { "tr", KIND_TR, TAG_SPECIAL },
  { "track", KIND_OTHER, TAG_VOID },
  { "ul", KIND_LIST, PARAGRAPH },
  { "wbr", KIND_OTHER, TAG_VOID },
  { "xml", KIND_OTHER, TAG_HIDDEN | TAG_IN_HEAD },
  { "xmp", KIND_OTHER, TAG_HIDDEN | TAG_RAW },
};

#undef BLOCK
#undef PARAGRAPH

typedef struct
{
  char     *name;
  char     *value;
} Attribute;

/* What a table turned out to be. It is decided while the table is read and
 * used when the lines are written, so its first row reads like its others:
 * cells of a data table are joined with " | ", those of a layout table
 * (a header with a logo beside a link, a row of social icons) with a
 * wider space. */
typedef struct
{
  guint     wide_rows;      /* rows with two or more cells of text */
  gboolean  header;         /* a header cell sat beside another cell */
} TableInfo;

typedef struct
{
  char     *name;           /* lower case */
  Kind      kind;
  guint     flags;
  gboolean  hidden;         /* this element hides its content */

  /* li, dd */
  char     *marker;         /* what starts the item's first line */
  gboolean  marker_used;

  /* ol, ul */
  int       number;         /* the next item's number */
  int       step;
  int       outer_list;

  /* a */
  char     *href;
  GString  *link_text;
  int       outer_link;

  /* table */
  TableInfo *info;
  int       outer_table;
  guint     row_cells;      /* cells of the current row that hold text */
  gboolean  row_has_header;
  gboolean  in_row;
  gboolean  in_cell;
  gboolean  cell_is_header;
  gboolean  cell_has_text;
} Element;

typedef struct
{
  char     *first;          /* the prefix of the first wrapped line */
  char     *rest;           /* the prefix of the others */
  char     *text;           /* "" for a blank line */
  gboolean  pre;            /* preformatted: never wrapped */
  int       quotes;         /* the blockquotes it is in */
  TableInfo *table;         /* whose cells CELL_MARK joins, or NULL */
} Line;

typedef enum
{
  SPACE_NONE,
  SPACE_PLAIN,
  SPACE_NBSP,
  SPACE_SOFT,               /* after an image or a link address: not before "," */
} Space;

typedef struct
{
  GArray    *stack;         /* of Element */
  GPtrArray *lines;         /* of Line */

  GString   *cur;           /* the text of the line being filled */
  char      *cur_first;
  char      *cur_rest;
  gboolean   cur_pre;
  int        cur_quotes;
  TableInfo *cur_table;

  int        pending_break; /* 1: a new line, 2: a blank line before the next text */
  Space      space;         /* whitespace seen since the last character of the line */
  gboolean   cell_separator;/* the next text starts a table cell beside another */
  gboolean   skip_newline;  /* a newline right after <pre> is not content */

  int        hidden;        /* open elements that hide their content */
  int        pre;
  int        quotes;
  int        items;         /* open li and dd */
  int        link;          /* index of the innermost open a, or -1 */
  int        table;
  int        list;
  int        head;
} Converter;

/* ------------------------------------------------------------------ */
/* Entities                                                            */

typedef struct
{
  const char *name;
  const char *text;
} Entity;

static const Entity entities[] = {
  { "AElig", "Æ" }, { "Aacute", "Á" }, { "Acirc", "Â" }, { "Agrave", "À" },
  { "Aring", "Å" }, { "Atilde", "Ã" }, { "Auml", "Ä" }, { "Ccedil", "Ç" },
  { "Dagger", "‡" }, { "ETH", "Ð" }, { "Eacute", "É" }, { "Ecirc", "Ê" },
  { "Egrave", "È" }, { "Euml", "Ë" }, { "Iacute", "Í" }, { "Icirc", "Î" },
  { "Igrave", "Ì" }, { "Iuml", "Ï" }, { "NewLine", "\n" }, { "Ntilde", "Ñ" },
  { "OElig", "Œ" }, { "Oacute", "Ó" }, { "Ocirc", "Ô" }, { "Ograve", "Ò" },
  { "Oslash", "Ø" }, { "Otilde", "Õ" }, { "Ouml", "Ö" }, { "Prime", "″" },
  { "Scaron", "Š" }, { "THORN", "Þ" }, { "Tab", "\t" }, { "Uacute", "Ú" },
  { "Ucirc", "Û" }, { "Ugrave", "Ù" }, { "Uuml", "Ü" }, { "Yacute", "Ý" },
  { "Yuml", "Ÿ" }, { "aacute", "á" }, { "acirc", "â" }, { "acute", "´" },
  { "aelig", "æ" }, { "agrave", "à" }, { "amp", "&" }, { "apos", "'" },
  { "aring", "å" }, { "ast", "*" }, { "asymp", "≈" }, { "atilde", "ã" },
  { "auml", "ä" }, { "bdquo", "„" }, { "brvbar", "¦" }, { "bsol", "\\" },
  { "bull", "•" }, { "ccedil", "ç" }, { "cedil", "¸" }, { "cent", "¢" },
  { "check", "✓" }, { "circ", "ˆ" }, { "clubs", "♣" }, { "colon", ":" },
  { "comma", "," }, { "commat", "@" }, { "copy", "©" }, { "crarr", "↵" },
  { "curren", "¤" }, { "dagger", "†" }, { "darr", "↓" }, { "dash", "‐" },
  { "deg", "°" }, { "diams", "♦" }, { "divide", "÷" }, { "dollar", "$" },
  { "eacute", "é" }, { "ecirc", "ê" }, { "egrave", "è" }, { "emsp", "\u2003" },
  { "ensp", "\u2002" }, { "equals", "=" }, { "eth", "ð" }, { "euml", "ë" },
  { "euro", "€" }, { "excl", "!" }, { "fnof", "ƒ" }, { "frac12", "½" },
  { "frac14", "¼" }, { "frac34", "¾" }, { "frasl", "⁄" }, { "ge", "≥" },
  { "grave", "`" }, { "gt", ">" }, { "harr", "↔" }, { "hearts", "♥" },
  { "hellip", "…" }, { "hyphen", "‐" }, { "iacute", "í" }, { "icirc", "î" },
  { "iexcl", "¡" }, { "igrave", "ì" }, { "infin", "∞" }, { "iquest", "¿" },
  { "iuml", "ï" }, { "laquo", "«" }, { "larr", "←" }, { "lbrace", "{" },
  { "lcub", "{" }, { "ldquo", "“" }, { "le", "≤" }, { "lowast", "∗" },
  { "lowbar", "_" }, { "loz", "◊" }, { "lpar", "(" }, { "lrm", "\u200E" },
  { "lsaquo", "‹" }, { "lsqb", "[" }, { "lsquo", "‘" }, { "lt", "<" },
  { "macr", "¯" }, { "mdash", "—" }, { "micro", "µ" }, { "middot", "·" },
  { "minus", "−" }, { "nbsp", NBSP_UTF8 }, { "ndash", "–" }, { "ne", "≠" },
  { "not", "¬" }, { "ntilde", "ñ" }, { "num", "#" }, { "oacute", "ó" },
  { "ocirc", "ô" }, { "oelig", "œ" }, { "ograve", "ò" }, { "oline", "‾" },
  { "ordf", "ª" }, { "ordm", "º" }, { "oslash", "ø" }, { "otilde", "õ" },
  { "ouml", "ö" }, { "para", "¶" }, { "percnt", "%" }, { "period", "." },
  { "permil", "‰" }, { "plus", "+" }, { "plusmn", "±" }, { "pound", "£" },
  { "prime", "′" }, { "quest", "?" }, { "quot", "\"" }, { "raquo", "»" },
  { "rarr", "→" }, { "rbrace", "}" }, { "rcub", "}" }, { "rdquo", "”" },
  { "reg", "®" }, { "rlm", "\u200F" }, { "rpar", ")" }, { "rsaquo", "›" },
  { "rsqb", "]" }, { "rsquo", "’" }, { "sbquo", "‚" }, { "scaron", "š" },
  { "sect", "§" }, { "semi", ";" }, { "shy", "\u00AD" }, { "sim", "∼" },
  { "sol", "/" }, { "spades", "♠" }, { "star", "☆" }, { "starf", "★" },
  { "sup1", "¹" }, { "sup2", "²" }, { "sup3", "³" }, { "szlig", "ß" },
  { "thinsp", "\u2009" }, { "thorn", "þ" }, { "tilde", "˜" }, { "times", "×" },
  { "trade", "™" }, { "uacute", "ú" }, { "uarr", "↑" }, { "ucirc", "û" },
  { "ugrave", "ù" }, { "uml", "¨" }, { "uuml", "ü" }, { "verbar", "|" },
  { "yacute", "ý" }, { "yen", "¥" }, { "yuml", "ÿ" }, { "zwj", "\u200D" },
  { "zwnj", "\u200C" },
};

/* The entities browsers still decode without their semicolon ("&amp" or
 * "&nbsp"), as old mail generators write them. */
static const Entity legacy_entities[] = {
  { "AMP", "&" }, { "GT", ">" }, { "LT", "<" }, { "QUOT", "\"" },
  { "amp", "&" }, { "copy", "©" }, { "gt", ">" }, { "lt", "<" },
  { "nbsp", NBSP_UTF8 }, { "quot", "\"" }, { "reg", "®" },
};

/* What &#128; to &#159; mean: pages written in Windows-1252 used those
 * numbers for its characters, and browsers honour that. */
static const gunichar windows_1252[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static const char *
find_entity (const Entity *table,
             gsize         n_entries,
             const char   *name,
             gsize         len)
{
  for (gsize i = 0; i < n_entries; i++)
    if (table[i].name[0] == name[0] &&
        strlen (table[i].name) == len &&
        memcmp (table[i].name, name, len) == 0)
      return table[i].text;

  return NULL;
}

static gunichar
fix_code_point (guint32 value)
{
  if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
    return 0xFFFD;
  if (value >= 0x80 && value <= 0x9F)
    return windows_1252[value - 0x80];
  return value;
}

/* Decodes the entity at @amp, appending its text (or a plain "&" when it is
 * none) to @out; returns where the input continues. */
static const char *
decode_entity (GString    *out,
               const char *amp,
               const char *end,
               gboolean    in_attribute)
{
  const char *p = amp + 1;
  const char *name;
  const char *text;
  gsize best = 0;

  if (p < end && *p == '#')
    {
      gboolean hex = FALSE;
      const char *digits;
      guint32 value = 0;

      p++;
      if (p < end && (*p == 'x' || *p == 'X'))
        {
          hex = TRUE;
          p++;
        }
      digits = p;
      while (p < end && (hex ? g_ascii_isxdigit (*p) : g_ascii_isdigit (*p)))
        {
          /* Saturates above the last code point instead of overflowing. */
          if (value <= 0x10FFFF)
            value = value * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*p) : *p - '0');
          p++;
        }
      if (p == digits)
        {
          g_string_append_c (out, '&');
          return amp + 1;
        }
      if (p < end && *p == ';')
        p++;
      g_string_append_unichar (out, fix_code_point (value));
      return p;
    }

  name = p;
  while (p < end && g_ascii_isalnum (*p) && p - name < 32)
    p++;

  if (p > name && p < end && *p == ';' &&
      (text = find_entity (entities, G_N_ELEMENTS (entities), name, p - name)) != NULL)
    {
      g_string_append (out, text);
      return p + 1;
    }

  /* Without a semicolon, the longest legacy name that starts the word. */
  text = NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (legacy_entities); i++)
    {
      gsize len = strlen (legacy_entities[i].name);

      if (len > best && len <= (gsize) (p - name) &&
          memcmp (legacy_entities[i].name, name, len) == 0)
        {
          best = len;
          text = legacy_entities[i].text;
        }
    }
  if (text != NULL)
    {
      const char *after = name + best;

      /* In an attribute "&copy=1" is part of a URL's query, not ©. */
      if (!(in_attribute && after < end && (g_ascii_isalnum (*after) || *after == '=')))
        {
          g_string_append (out, text);
          return after;
        }
    }

  g_string_append_c (out, '&');
  return amp + 1;
}

static void
append_decoded (GString    *out,
                const char *text,
                gsize       len,
                gboolean    in_attribute)
{
  const char *end = text + len;

  while (text < end)
    {
      const char *amp = memchr (text, '&', end - text);

      if (amp == NULL)
        {
          g_string_append_len (out, text, end - text);
          break;
        }
      g_string_append_len (out, text, amp - text);
      text = decode_entity (out, amp, end, in_attribute);
    }
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Characters that only steer layout or carry nothing readable: controls,
 * soft hyphens, zero-width spaces and the joiners emails pad their preview
 * text with. */
static gboolean
is_dropped (gunichar c)
{
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x00AD || c == 0x034F ||
         c == 0x200B || c == 0x2060 || c == 0xFEFF || c == 0xFFFE || c == 0xFFFF ||
         (c >= 0xFDD0 && c <= 0xFDEF);
}

static void
line_free (gpointer data)
{
  Line *line = data;

  g_free (line->first);
  g_free (line->rest);
  g_free (line->text);
  if (line->table != NULL)
    g_rc_box_release (line->table);
  g_free (line);
}

static Line *
push_line (Converter  *conv,
           char       *first,
           char       *rest,
           char       *text,
           gboolean    pre)
{
  Line *line = g_new0 (Line, 1);

  line->first = first;
  line->rest = rest;
  line->text = text;
  line->pre = pre;
  g_ptr_array_add (conv->lines, line);
  return line;
}

static gboolean
last_line_is_blank (Converter *conv)
{
  Line *line;

  if (conv->lines->len == 0)
    return TRUE;
  line = g_ptr_array_index (conv->lines, conv->lines->len - 1);
  return line->text[0] == '\0';
}

/* The prefixes of a line starting now: "> " for each open quote, and for
 * each open list item its marker on its first line, spaces as wide as the
 * marker on the others. */
static void
make_prefixes (Converter  *conv,
               char      **first,
               char      **rest)
{
  GString *f, *r;

  if (conv->quotes == 0 && conv->items == 0)
    {
      *first = g_strdup ("");
      *rest = g_strdup ("");
      return;
    }

  f = g_string_new (NULL);
  r = g_string_new (NULL);
  for (guint i = 0; i < conv->stack->len; i++)
    {
      Element *el = &g_array_index (conv->stack, Element, i);

      if (el->kind == KIND_BLOCKQUOTE)
        {
          g_string_append (f, "> ");
          g_string_append (r, "> ");
        }
      else if (el->marker != NULL)
        {
          gsize width = strlen (el->marker);

          if (!el->marker_used)
            {
              g_string_append (f, el->marker);
              el->marker_used = TRUE;
            }
          else
            {
              g_string_append_printf (f, "%*s", (int) width, "");
            }
          g_string_append_printf (r, "%*s", (int) width, "");
        }
    }
  *first = g_string_free (f, FALSE);
  *rest = g_string_free (r, FALSE);
}

/* A blank line belongs to the quote only when the lines on both sides
 * do. */
static void
push_blank_line (Converter *conv)
{
  int quotes = conv->quotes;
  GString *prefix = g_string_new (NULL);
  char *first;
  Line *line;

  if (conv->lines->len > 0)
    {
      Line *last = g_ptr_array_index (conv->lines, conv->lines->len - 1);

      quotes = MIN (quotes, last->quotes);
    }
  for (int i = 0; i < quotes; i++)
    g_string_append (prefix, "> ");
  first = g_strdup (prefix->str);
  line = push_line (conv, first, g_string_free (prefix, FALSE), g_strdup (""), FALSE);
  line->quotes = quotes;
}

static void
finish_line (Converter *conv)
{
  Line *line = push_line (conv, conv->cur_first, conv->cur_rest,
                          g_strndup (conv->cur->str, conv->cur->len), conv->cur_pre);

  line->table = g_steal_pointer (&conv->cur_table);
  line->quotes = conv->cur_quotes;
  conv->cur_first = NULL;
  conv->cur_rest = NULL;
  g_string_truncate (conv->cur, 0);
}

static void
apply_pending_break (Converter *conv)
{
  if (conv->pending_break == 2 && !last_line_is_blank (conv))
    push_blank_line (conv);
  conv->pending_break = 0;
}

/* Asks for a new line (1) or a blank line (2) before the next text. */
static void
request_break (Converter *conv,
               int        level)
{
  if (conv->hidden > 0)
    return;
  if (conv->cur->len > 0)
    finish_line (conv);
  conv->pending_break = MAX (conv->pending_break, level);
  conv->space = SPACE_NONE;
  conv->cell_separator = FALSE;
}

/* <br>, and a newline in preformatted text: ends the line, even an empty
 * one, as a browser shows an empty line for the second of two <br>. */
static void
line_break (Converter *conv)
{
  if (conv->hidden > 0)
    return;
  if (conv->cur->len > 0)
    {
      finish_line (conv);
    }
  else
    {
      apply_pending_break (conv);
      push_blank_line (conv);
    }
  conv->space = SPACE_NONE;
  conv->cell_separator = FALSE;
}

static gboolean
is_closing_punctuation (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_CLOSE_PUNCTUATION || type == G_UNICODE_FINAL_PUNCTUATION ||
         (c < 0x80 && strchr (".,;:!?", (int) c) != NULL);
}

static void
put_char (Converter *conv,
          gunichar   c)
{
  gboolean at_start = conv->cur->len == 0;
  GString *link_text = NULL;

  if (conv->link >= 0)
    link_text = g_array_index (conv->stack, Element, conv->link).link_text;

  if (at_start)
    {
      apply_pending_break (conv);
      make_prefixes (conv, &conv->cur_first, &conv->cur_rest);
      conv->cur_pre = conv->pre > 0;
      conv->cur_quotes = conv->quotes;
      if (link_text != NULL && link_text->len > 0)
        g_string_append_c (link_text, ' ');
    }
  else if (conv->cell_separator && conv->table >= 0)
    {
      TableInfo *info = g_array_index (conv->stack, Element, conv->table).info;

      g_string_append_unichar (conv->cur, CELL_MARK);
      if (conv->cur_table != info)
        {
          g_clear_pointer (&conv->cur_table, g_rc_box_release);
          conv->cur_table = g_rc_box_acquire (info);
        }
      if (link_text != NULL)
        g_string_append_c (link_text, ' ');
    }
  else if (conv->space != SPACE_NONE &&
           !(conv->space == SPACE_SOFT && is_closing_punctuation (c)))
    {
      if (conv->space == SPACE_NBSP)
        g_string_append (conv->cur, NBSP_UTF8);
      else
        g_string_append_c (conv->cur, ' ');
      if (link_text != NULL)
        g_string_append_c (link_text, ' ');
    }
  conv->space = SPACE_NONE;
  conv->cell_separator = FALSE;

  g_string_append_unichar (conv->cur, c);
  if (link_text != NULL)
    g_string_append_unichar (link_text, c);

  if (conv->table >= 0)
    {
      Element *table = &g_array_index (conv->stack, Element, conv->table);

      if (table->in_cell && !table->cell_has_text)
        {
          table->cell_has_text = TRUE;
          table->row_cells++;
          if (table->cell_is_header)
            table->row_has_header = TRUE;
        }
    }
}

/* Adds text (entities already decoded) as a browser lays it out. */
static void
emit_text (Converter  *conv,
           const char *text,
           gsize       len)
{
  const char *end = text + len;

  if (conv->hidden > 0)
    return;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (conv->pre > 0)
        {
          gboolean skip = conv->skip_newline;

          conv->skip_newline = FALSE;
          if (c == '\n')
            {
              if (!skip)
                line_break (conv);
            }
          else if (c == ' ' || c == '\t' || c == NBSP)
            {
              put_char (conv, c == '\t' ? '\t' : ' ');
            }
          else if (!is_dropped (c))
            {
              put_char (conv, c);
            }
          continue;
        }

      if (c < 0x80 && is_space ((char) c))
        {
          if (conv->cur->len > 0 && conv->space != SPACE_NBSP)
            conv->space = SPACE_PLAIN;
        }
      else if (c == NBSP)
        {
          if (conv->cur->len > 0)
            conv->space = SPACE_NBSP;
        }
      else if (!is_dropped (c))
        {
          put_char (conv, c);
        }
    }
}

/* Adds a word that does not come from the text, such as an image's alt
 * text or a link's address, with a space on either side. */
static void
emit_word (Converter  *conv,
           const char *word)
{
  if (conv->hidden > 0)
    return;
  if (conv->cur->len > 0 && conv->space == SPACE_NONE)
    conv->space = SPACE_PLAIN;
  emit_text (conv, word, strlen (word));
  if (conv->cur->len > 0 && conv->space == SPACE_NONE)
    conv->space = SPACE_SOFT;
}

/* ------------------------------------------------------------------ */
/* Links                                                               */

static char *
collapse_spaces (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == NBSP || (c < 0x80 && is_space ((char) c)))
        {
          space = out->len > 0;
        }
      else
        {
          if (space)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_unichar (out, c);
        }
    }
  return g_string_free (out, FALSE);
}

static gboolean
has_prefix_nocase (const char *text,
                   const char *prefix)
{
  return g_ascii_strncasecmp (text, prefix, strlen (prefix)) == 0;
}

static char *
unescape_or_copy (const char *text,
                  gsize       len)
{
  g_autofree char *copy = g_strndup (text, len);
  char *unescaped = g_uri_unescape_string (copy, NULL);

  if (unescaped != NULL && g_utf8_validate (unescaped, -1, NULL))
    return unescaped;
  g_free (unescaped);
  return g_steal_pointer (&copy);
}

/* The address without what makes two spellings of it differ: the scheme,
 * "www." and a final slash. */
static char *
url_core (const char *url)
{
  const char *start = url;
  gsize len;

  if (has_prefix_nocase (start, "https://"))
    start += 8;
  else if (has_prefix_nocase (start, "http://"))
    start += 7;
  if (has_prefix_nocase (start, "www."))
    start += 4;
  len = strlen (start);
  while (len > 0 && start[len - 1] == '/')
    len--;
  return g_ascii_strdown (start, len);
}

static char *
digits_of (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* Whether two phone numbers, as digits, are one: "(555) 010-0199" is the
 * same as "+1 555 010 0199" without its country code. */
static gboolean
same_number (const char *a,
             const char *b)
{
  gsize len_a = strlen (a);
  gsize len_b = strlen (b);
  gsize shorter = MIN (len_a, len_b);

  if (shorter == 0 || (shorter < 7 && len_a != len_b))
    return FALSE;
  return strcmp (a + len_a - shorter, b + len_b - shorter) == 0;
}

/* What to show after a link's text: its address, or NULL when the text
 * already says it or the link goes nowhere a reader could follow. */
static char *
link_target (const char *href,
             const char *text)
{
  g_autoptr(GString) url = g_string_new (NULL);

  /* Addresses broken over lines in the source, or with stray spaces, still
   * have to come out as one word. */
  for (const char *p = href; *p != '\0'; p++)
    {
      if (*p == '\n' || *p == '\r' || *p == '\t')
        continue;
      if (*p == ' ')
        g_string_append (url, "%20");
      else
        g_string_append_c (url, *p);
    }
  while (has_prefix_nocase (url->str, "%20"))
    g_string_erase (url, 0, 3);
  while (url->len >= 3 && strcmp (url->str + url->len - 3, "%20") == 0)
    g_string_truncate (url, url->len - 3);

  if (url->len == 0 || url->str[0] == '#' ||
      has_prefix_nocase (url->str, "javascript:") ||
      has_prefix_nocase (url->str, "data:") ||
      has_prefix_nocase (url->str, "cid:") ||
      has_prefix_nocase (url->str, "about:"))
    return NULL;

  if (has_prefix_nocase (url->str, "mailto:"))
    {
      const char *address = url->str + 7;
      const char *query = strchr (address, '?');
      g_autofree char *plain = unescape_or_copy (address,
                                                 query ? (gsize) (query - address) : strlen (address));
      char *open = strrchr (plain, '<');
      char *close = open != NULL ? strchr (open, '>') : NULL;

      /* "Box Office <box@example.com>": only the address. */
      if (close != NULL)
        {
          char *bare = g_strndup (open + 1, close - open - 1);

          g_free (plain);
          plain = g_strstrip (bare);
        }

      if (plain[0] == '\0' || g_ascii_strcasecmp (plain, text) == 0 ||
          g_ascii_strcasecmp (url->str, text) == 0)
        return NULL;
      return g_steal_pointer (&plain);
    }

  if (has_prefix_nocase (url->str, "tel:") || has_prefix_nocase (url->str, "sms:"))
    {
      g_autofree char *number = unescape_or_copy (url->str + 4, url->len - 4);
      g_autofree char *number_digits = digits_of (number);
      g_autofree char *text_digits = digits_of (text);

      if (number[0] == '\0' || same_number (number_digits, text_digits))
        return NULL;
      return g_steal_pointer (&number);
    }

  {
    g_autofree char *url_key = url_core (url->str);
    g_autofree char *text_key = url_core (text);

    if (strcmp (url_key, text_key) == 0)
      return NULL;
  }
  return g_string_free (g_steal_pointer (&url), FALSE);
}

static void
emit_link_target (Converter *conv,
                  Element   *el)
{
  g_autofree char *text = NULL;
  g_autofree char *target = NULL;

  if (conv->hidden > 0 || el->href == NULL)
    return;

  text = collapse_spaces (el->link_text->str);
  target = link_target (el->href, text);
  if (target == NULL)
    return;

  if (text[0] == '\0')
    {
      emit_word (conv, target);
    }
  else
    {
      g_autofree char *word = g_strdup_printf ("(%s)", target);

      emit_word (conv, word);
    }
}

/* ------------------------------------------------------------------ */
/* Elements                                                            */

static const TagInfo *
find_tag (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tag_infos); i++)
    if (tag_infos[i].name[0] == name[0] && strcmp (tag_infos[i].name, name) == 0)
      return &tag_infos[i];
  return NULL;
}

static const char *
get_attribute (const Attribute *attrs,
               guint            n_attrs,
               const char      *name)
{
  for (guint i = 0; i < n_attrs; i++)
    if (strcmp (attrs[i].name, name) == 0)
      return attrs[i].value != NULL ? attrs[i].value : "";
  return NULL;
}

static gboolean
style_hides (const char *style)
{
  g_auto(GStrv) declarations = g_strsplit (style, ";", -1);

  for (guint i = 0; declarations[i] != NULL; i++)
    {
      char *colon = strchr (declarations[i], ':');
      g_autofree char *property = NULL;
      g_autofree char *value = NULL;
      char *important;

      if (colon == NULL)
        continue;
      property = g_ascii_strdown (declarations[i], colon - declarations[i]);
      value = g_ascii_strdown (colon + 1, -1);
      important = strstr (value, "!important");
      if (important != NULL)
        *important = '\0';
      g_strstrip (property);
      g_strstrip (value);
      if ((strcmp (property, "display") == 0 && strcmp (value, "none") == 0) ||
          (strcmp (property, "visibility") == 0 && strcmp (value, "hidden") == 0))
        return TRUE;
    }
  return FALSE;
}

static gboolean
class_hides (const char *classes)
{
  g_auto(GStrv) names = g_strsplit_set (classes, " \t\n\r\f", -1);

  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (names[i], "preheader") == 0)
      return TRUE;
  return FALSE;
}

static gboolean
attributes_hide (const Attribute *attrs,
                 guint            n_attrs)
{
  const char *style = get_attribute (attrs, n_attrs, "style");
  const char *classes = get_attribute (attrs, n_attrs, "class");

  return get_attribute (attrs, n_attrs, "hidden") != NULL ||
         (style != NULL && style_hides (style)) ||
         (classes != NULL && class_hides (classes));
}

static Element *
top_element (Converter *conv)
{
  if (conv->stack->len == 0)
    return NULL;
  return &g_array_index (conv->stack, Element, conv->stack->len - 1);
}

static void
end_row (Element *table,
         Converter *conv)
{
  int level;

  if (!table->in_row)
    return;
  /* Cells side by side make a row of data, one line each; a row with one
   * cell of text is a block of a layout table and reads as a paragraph. */
  level = table->row_cells >= 2 ? 1 : 2;
  if (table->row_cells >= 2)
    {
      table->info->wide_rows++;
      if (table->row_has_header)
        table->info->header = TRUE;
    }
  table->in_row = FALSE;
  table->in_cell = FALSE;
  table->row_cells = 0;
  table->row_has_header = FALSE;
  request_break (conv, level);
}

static int
list_level (Converter *conv)
{
  /* A list inside a list item follows it on the next line. */
  return conv->items > 0 ? 1 : 2;
}

static void
pop_element (Converter *conv)
{
  Element el = g_array_index (conv->stack, Element, conv->stack->len - 1);

  g_array_set_size (conv->stack, conv->stack->len - 1);

  switch (el.kind)
    {
    case KIND_A:
      conv->link = el.outer_link;
      emit_link_target (conv, &el);
      break;

    case KIND_TABLE:
      /* Cells without a <tr> still make a row. */
      end_row (&el, conv);
      conv->table = el.outer_table;
      break;

    case KIND_TR:
      if (conv->table >= 0)
        end_row (&g_array_index (conv->stack, Element, conv->table), conv);
      break;

    case KIND_CELL:
      if (conv->table >= 0)
        g_array_index (conv->stack, Element, conv->table).in_cell = FALSE;
      break;

    case KIND_LIST:
    case KIND_OL:
      conv->list = el.outer_list;
      break;

    case KIND_LI:
    case KIND_DD:
      conv->items--;
      break;

    case KIND_PRE:
      conv->pre--;
      break;

    case KIND_BLOCKQUOTE:
      conv->quotes--;
      break;

    case KIND_HEAD:
      conv->head = -1;
      break;

    default:
      break;
    }

  if (el.kind == KIND_LIST || el.kind == KIND_OL)
    request_break (conv, list_level (conv));
  else if (el.flags & TAG_PARAGRAPH)
    request_break (conv, 2);
  else if (el.flags & TAG_LINE)
    request_break (conv, 1);

  if (el.hidden)
    conv->hidden--;

  g_free (el.name);
  g_free (el.marker);
  g_free (el.href);
  if (el.link_text != NULL)
    g_string_free (el.link_text, TRUE);
  if (el.info != NULL)
    g_rc_box_release (el.info);
}

static void
pop_to (Converter *conv,
        guint      index)
{
  while (conv->stack->len > index)
    pop_element (conv);
}

/* Closes the innermost open element of @kind, unless an element of one of
 * the @stop kinds (or a scope boundary) is open inside it. */
static void
close_kind (Converter  *conv,
            Kind        kind,
            const Kind *stop,
            gsize       n_stop)
{
  for (guint i = conv->stack->len; i-- > 0;)
    {
      Element *el = &g_array_index (conv->stack, Element, i);

      if (el->kind == kind)
        {
          pop_to (conv, i);
          return;
        }
      if (el->flags & TAG_SCOPE)
        return;
      for (gsize j = 0; j < n_stop; j++)
        if (el->kind == stop[j])
          return;
    }
}

static void
close_head (Converter *conv)
{
  if (conv->head >= 0)
    pop_to (conv, conv->head);
}

static int
parse_int (const char *text,
           int         fallback)
{
  char *end = NULL;
  gint64 value;

  if (text == NULL)
    return fallback;
  value = g_ascii_strtoll (text, &end, 10);
  if (end == text || value < -999999 || value > 999999)
    return fallback;
  return (int) value;
}

static void
void_element (Converter       *conv,
              Kind             kind,
              const Attribute *attrs,
              guint            n_attrs)
{
  switch (kind)
    {
    case KIND_BR:
      line_break (conv);
      break;

    case KIND_HR:
      request_break (conv, 2);
      for (int i = 0; i < RULE_WIDTH; i++)
        emit_text (conv, "-", 1);
      request_break (conv, 2);
      break;

    case KIND_IMG:
      {
        const char *alt = get_attribute (attrs, n_attrs, "alt");
        g_autofree char *clean = alt != NULL ? collapse_spaces (alt) : NULL;

        if (clean != NULL && clean[0] != '\0')
          {
            g_autofree char *word = g_strdup_printf ("[%s]", clean);

            emit_word (conv, word);
          }
      }
      break;

    default:
      break;
    }
}

static void
start_element (Converter       *conv,
               const char      *name,
               const Attribute *attrs,
               guint            n_attrs)
{
  const TagInfo *info = find_tag (name);
  Kind kind = info != NULL ? info->kind : KIND_OTHER;
  guint flags = info != NULL ? info->flags : 0;
  gboolean hidden;
  Element el = { 0 };
  Element *top;
  int index;

  /* Anything that belongs in the body ends an unclosed <head>. */
  if (!(flags & TAG_IN_HEAD))
    close_head (conv);

  if (flags & TAG_CLOSES_P)
    close_kind (conv, KIND_P, NULL, 0);

  switch (kind)
    {
    case KIND_LI:
      {
        static const Kind stop[] = { KIND_LIST, KIND_OL, KIND_TABLE, KIND_CELL };

        close_kind (conv, KIND_LI, stop, G_N_ELEMENTS (stop));
      }
      break;

    case KIND_DT:
    case KIND_DD:
      {
        static const Kind stop[] = { KIND_DL, KIND_TABLE, KIND_CELL };

        close_kind (conv, KIND_DT, stop, G_N_ELEMENTS (stop));
        close_kind (conv, KIND_DD, stop, G_N_ELEMENTS (stop));
      }
      break;

    case KIND_CELL:
      {
        static const Kind stop[] = { KIND_TR, KIND_TABLE };

        close_kind (conv, KIND_CELL, stop, G_N_ELEMENTS (stop));
      }
      break;

    case KIND_TR:
      {
        static const Kind stop[] = { KIND_TABLE };

        /* Cells are scope boundaries, so close them first. */
        close_kind (conv, KIND_CELL, stop, G_N_ELEMENTS (stop));
        close_kind (conv, KIND_TR, stop, G_N_ELEMENTS (stop));
      }
      break;

    case KIND_A:
      close_kind (conv, KIND_A, NULL, 0);
      break;

    case KIND_HEADING:
      top = top_element (conv);
      if (top != NULL && top->kind == KIND_HEADING)
        pop_element (conv);
      break;

    default:
      break;
    }

  hidden = (flags & TAG_HIDDEN) || attributes_hide (attrs, n_attrs);

  if (flags & TAG_VOID)
    {
      if (!hidden)
        void_element (conv, kind, attrs, n_attrs);
      return;
    }

  /* Breaks are asked for before the element counts as open, so that a
   * hidden element's own breaks are dropped with its content. */
  if (!hidden)
    {
      if (kind == KIND_LIST || kind == KIND_OL)
        request_break (conv, list_level (conv));
      else if (flags & TAG_PARAGRAPH)
        request_break (conv, 2);
      else if (flags & TAG_LINE)
        request_break (conv, 1);
    }

  if (kind == KIND_TR || kind == KIND_CELL)
    {
      if (conv->table >= 0)
        {
          Element *table = &g_array_index (conv->stack, Element, conv->table);

          if (kind == KIND_TR)
            end_row (table, conv);
          if (!table->in_row)
            {
              table->in_row = TRUE;
              table->row_cells = 0;
              if (!hidden)
                request_break (conv, 1);
            }
          if (kind == KIND_CELL)
            {
              table->in_cell = TRUE;
              table->cell_is_header = strcmp (name, "th") == 0;
              table->cell_has_text = FALSE;
              if (table->row_cells > 0 && !hidden && conv->hidden == 0)
                conv->cell_separator = TRUE;
            }
        }
      else if (kind == KIND_TR && !hidden)
        {
          request_break (conv, 1);
        }
    }

  /* Past the depth limit elements are not tracked; only their breaks
   * count. Real emails nest a few dozen deep at most. */
  if (conv->stack->len >= MAX_DEPTH)
    return;

  index = conv->stack->len;
  el.name = g_strdup (name);
  el.kind = kind;
  el.flags = flags;
  el.hidden = hidden;
  el.outer_link = el.outer_table = el.outer_list = -1;

  switch (kind)
    {
    case KIND_A:
      el.href = g_strdup (get_attribute (attrs, n_attrs, "href"));
      if (el.href != NULL)
        g_strstrip (el.href);
      el.link_text = g_string_new (NULL);
      el.outer_link = conv->link;
      conv->link = index;
      break;

    case KIND_TABLE:
      el.info = g_rc_box_new0 (TableInfo);
      el.outer_table = conv->table;
      conv->table = index;
      break;

    case KIND_LIST:
    case KIND_OL:
      el.step = 1;
      el.number = 1;
      if (kind == KIND_OL)
        {
          el.number = parse_int (get_attribute (attrs, n_attrs, "start"), 1);
          if (get_attribute (attrs, n_attrs, "reversed") != NULL)
            el.step = -1;
        }
      el.outer_list = conv->list;
      conv->list = index;
      break;

    case KIND_LI:
      {
        Element *list = conv->list >= 0 ? &g_array_index (conv->stack, Element, conv->list) : NULL;

        if (list != NULL && list->kind == KIND_OL)
          {
            list->number = parse_int (get_attribute (attrs, n_attrs, "value"), list->number);
            el.marker = g_strdup_printf ("%d. ", list->number);
            list->number += list->step;
          }
        else
          {
            el.marker = g_strdup ("- ");
          }
        conv->items++;
      }
      break;

    case KIND_DD:
      el.marker = g_strdup ("  ");
      conv->items++;
      break;

    case KIND_PRE:
      conv->pre++;
      conv->skip_newline = TRUE;
      break;

    case KIND_BLOCKQUOTE:
      conv->quotes++;
      break;

    case KIND_HEAD:
      if (conv->head < 0)
        conv->head = index;
      break;

    default:
      break;
    }

  if (hidden)
    conv->hidden++;
  g_array_append_val (conv->stack, el);
}

static void
end_element (Converter  *conv,
             const char *name)
{
  const TagInfo *info = find_tag (name);
  Kind kind = info != NULL ? info->kind : KIND_OTHER;
  guint flags = info != NULL ? info->flags : 0;
  gboolean inline_end = !(flags & (TAG_LINE | TAG_PARAGRAPH | TAG_SCOPE | TAG_SPECIAL)) &&
                        kind == KIND_OTHER;

  /* Browsers read </br> as <br>, and a </p> with no open <p> as an empty
   * paragraph. */
  if (kind == KIND_BR)
    {
      line_break (conv);
      return;
    }

  for (guint i = conv->stack->len; i-- > 0;)
    {
      Element *el = &g_array_index (conv->stack, Element, i);

      if (strcmp (el->name, name) == 0)
        {
          pop_to (conv, i);
          return;
        }

      if (kind == KIND_TABLE)
        continue;
      if (kind == KIND_TR || kind == KIND_CELL || strcmp (name, "tbody") == 0 ||
          strcmp (name, "thead") == 0 || strcmp (name, "tfoot") == 0)
        {
          /* </tr>, </td>, </tbody> stop only at their table. */
          if (el->kind == KIND_TABLE)
            break;
          continue;
        }
      if (el->flags & TAG_SCOPE)
        break;
      if (inline_end && (el->flags & (TAG_LINE | TAG_PARAGRAPH | TAG_SPECIAL)))
        break;
    }

  if (kind == KIND_P)
    request_break (conv, 2);
}

/* ------------------------------------------------------------------ */
/* Tokenizer                                                           */

static const char *
skip_past_char (const char *p,
                char        c)
{
  const char *found = strchr (p, c);

  return found != NULL ? found + 1 : p + strlen (p);
}

static const char *
skip_past_string (const char *p,
                  const char *needle)
{
  const char *found = strstr (p, needle);

  return found != NULL ? found + strlen (needle) : p + strlen (p);
}

/* @p is just after "<!--". A comment ends at "-->" or "--!>"; "<!-->" and
 * "<!--->" are complete empty comments; an unclosed one runs to the end. */
static const char *
skip_comment (const char *p)
{
  if (p[0] == '>')
    return p + 1;
  if (p[0] == '-' && p[1] == '>')
    return p + 2;

  for (;;)
    {
      const char *dashes = strstr (p, "--");

      if (dashes == NULL)
        return p + strlen (p);
      if (dashes[2] == '>')
        return dashes + 3;
      if (dashes[2] == '!' && dashes[3] == '>')
        return dashes + 4;
      p = dashes + 1;
    }
}

/* The content of <script>, <style>, <title> and the like runs to their end
 * tag, whatever it looks like. */
static const char *
skip_raw_text (const char *p,
               const char *name)
{
  gsize len = strlen (name);

  for (const char *q = p; (q = strstr (q, "</")) != NULL; q += 2)
    {
      char after;

      /* Only a match makes q[2 + len] a byte of the string. */
      if (g_ascii_strncasecmp (q + 2, name, len) != 0)
        continue;
      after = q[2 + len];
      if (after == '\0' || after == '/' || after == '>' || is_space (after))
        return skip_past_char (q + 2 + len, '>');
    }
  return p + strlen (p);
}

static void
handle_text (Converter  *conv,
             const char *text,
             gsize       len)
{
  g_autoptr(GString) decoded = g_string_sized_new (len);

  append_decoded (decoded, text, len, FALSE);

  /* Text that is not blank belongs in the body. */
  if (conv->head >= 0)
    {
      for (gsize i = 0; i < decoded->len; i++)
        if (!is_space (decoded->str[i]))
          {
            close_head (conv);
            break;
          }
    }
  emit_text (conv, decoded->str, decoded->len);
}

static void
clear_attributes (Attribute *attrs,
                  guint      n_attrs)
{
  for (guint i = 0; i < n_attrs; i++)
    {
      g_free (attrs[i].name);
      g_free (attrs[i].value);
    }
}

/* @p is at "<" followed by a letter, or "</" followed by one. */
static const char *
parse_tag (Converter  *conv,
           const char *p,
           gboolean    end_tag)
{
  const char *q = p + (end_tag ? 2 : 1);
  const char *name_start = q;
  g_autofree char *name = NULL;
  Attribute attrs[MAX_ATTRIBUTES];
  guint n_attrs = 0;

  while (*q != '\0' && !is_space (*q) && *q != '/' && *q != '>')
    q++;
  name = g_ascii_strdown (name_start, q - name_start);

  for (;;)
    {
      const char *attr_start;
      const char *attr_end;
      char *value = NULL;

      while (is_space (*q) || *q == '/')
        q++;
      if (*q == '\0')
        {
          /* A tag cut off by the end of the input is dropped. */
          clear_attributes (attrs, n_attrs);
          return q;
        }
      if (*q == '>')
        {
          q++;
          break;
        }

      attr_start = q;
      if (*q == '=')
        q++;
      while (*q != '\0' && !is_space (*q) && *q != '/' && *q != '>' && *q != '=')
        q++;
      attr_end = q;
      while (is_space (*q))
        q++;

      if (*q == '=')
        {
          const char *value_start;
          const char *value_end;
          GString *decoded;

          q++;
          while (is_space (*q))
            q++;
          if (*q == '"' || *q == '\'')
            {
              const char *close = strchr (q + 1, *q);

              if (close == NULL)
                {
                  clear_attributes (attrs, n_attrs);
                  return q + strlen (q);
                }
              value_start = q + 1;
              value_end = close;
              q = close + 1;
            }
          else
            {
              value_start = q;
              while (*q != '\0' && !is_space (*q) && *q != '>')
                q++;
              value_end = q;
            }
          decoded = g_string_sized_new (value_end - value_start);
          append_decoded (decoded, value_start, value_end - value_start, TRUE);
          value = g_string_free (decoded, FALSE);
        }

      if (!end_tag && n_attrs < MAX_ATTRIBUTES)
        {
          g_autofree char *attr_name = g_ascii_strdown (attr_start, attr_end - attr_start);

          /* The first of two attributes with one name wins. */
          if (get_attribute (attrs, n_attrs, attr_name) == NULL)
            {
              attrs[n_attrs].name = g_steal_pointer (&attr_name);
              attrs[n_attrs].value = value;
              n_attrs++;
              continue;
            }
        }
      g_free (value);
    }

  if (end_tag)
    {
      end_element (conv, name);
    }
  else
    {
      const TagInfo *info = find_tag (name);

      if (info != NULL && (info->flags & TAG_RAW))
        {
          if (!(info->flags & TAG_IN_HEAD))
            close_head (conv);
          q = skip_raw_text (q, name);
        }
      else
        {
          start_element (conv, name, attrs, n_attrs);
        }
    }

  clear_attributes (attrs, n_attrs);
  return q;
}

/* @p is at a "<". */
static const char *
parse_markup (Converter  *conv,
              const char *p)
{
  const char *q = p + 1;

  if (g_ascii_isalpha (*q))
    return parse_tag (conv, p, FALSE);

  if (*q == '/')
    {
      if (g_ascii_isalpha (q[1]))
        return parse_tag (conv, p, TRUE);
      if (q[1] == '\0')
        {
          handle_text (conv, "</", 2);
          return q + 1;
        }
      /* "</>" is nothing; "</3" and the like are bogus comments. */
      return skip_past_char (q, '>');
    }

  if (*q == '!')
    {
      if (q[1] == '-' && q[2] == '-')
        return skip_comment (q + 3);
      if (g_ascii_strncasecmp (q + 1, "[CDATA[", 7) == 0)
        return skip_past_string (q + 8, "]]>");
      /* <!DOCTYPE …>, and <![if mso]> markers around content shown to all. */
      return skip_past_char (q, '>');
    }

  if (*q == '?')
    return skip_past_char (q, '>');

  handle_text (conv, "<", 1);
  return q;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static int
char_width (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  if (g_unichar_iswide (c))
    return 2;
  return 1;
}

static int
text_width (const char *text,
            const char *end)
{
  int width = 0;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    width += char_width (g_utf8_get_char (p));
  return width;
}

/* Appends one output line: no-break spaces become spaces and trailing
 * whitespace goes. */
static void
append_output_line (GString    *out,
                    const char *prefix,
                    const char *text,
                    gsize       len)
{
  gsize start = out->len;
  gsize end;

  g_string_append (out, prefix);
  for (const char *p = text; p < text + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == NBSP)
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }
  end = out->len;
  while (end > start && (out->str[end - 1] == ' ' || out->str[end - 1] == '\t'))
    end--;
  g_string_truncate (out, end);
  g_string_append_c (out, '\n');
}

/* The end of the word at @p. A {merge field} is one word even when its
 * fallback has spaces: the merge language wants a field on one line. */
static const char *
word_end (const char *p)
{
  while (*p != '\0' && *p != ' ')
    {
      if (p[0] == '{' && p[1] == '{')
        {
          p += 2;
        }
      else if (p[0] == '{')
        {
          const char *brace = strpbrk (p + 1, "{}");

          if (brace != NULL && *brace == '}')
            p = brace + 1;
          else
            p++;
        }
      else
        {
          p = g_utf8_next_char (p);
        }
    }
  return p;
}

/* The line's text with its cell marks made into separators. The space
 * before a bar cannot break, so a wrapped row never starts with a bar. */
static char *
join_cells (const Line *line)
{
  gboolean data = line->table->wide_rows >= 2 ||
                  (line->table->wide_rows >= 1 && line->table->header);
  GString *out = g_string_new (NULL);

  for (const char *p = line->text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == CELL_MARK)
        g_string_append (out, data ? NBSP_UTF8 "| " : NBSP_UTF8 " ");
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static void
append_wrapped (GString    *out,
                const Line *line)
{
  g_autoptr(GString) row = g_string_new (NULL);
  g_autofree char *joined = line->table != NULL ? join_cells (line) : NULL;
  const char *prefix = line->first;
  int column;
  const char *p = joined != NULL ? joined : line->text;

  if (line->pre)
    {
      append_output_line (out, line->first, p, strlen (p));
      return;
    }

  column = text_width (prefix, prefix + strlen (prefix));
  while (*p != '\0')
    {
      const char *end = word_end (p);
      int width = text_width (p, end);

      if (row->len > 0 && column + 1 + width > WRAP_COLUMNS)
        {
          append_output_line (out, prefix, row->str, row->len);
          g_string_truncate (row, 0);
          prefix = line->rest;
          column = text_width (prefix, prefix + strlen (prefix));
        }
      if (row->len > 0)
        {
          g_string_append_c (row, ' ');
          column++;
        }
      g_string_append_len (row, p, end - p);
      column += width;

      p = end;
      while (*p == ' ')
        p++;
    }
  if (row->len > 0)
    append_output_line (out, prefix, row->str, row->len);
}

static gboolean
is_blank_text (const char *text)
{
  return text[strspn (text, " \t")] == '\0';
}

static char *
render (Converter *conv)
{
  GString *out = g_string_new (NULL);
  const char *blank_prefix = NULL;

  for (guint i = 0; i < conv->lines->len; i++)
    {
      Line *line = g_ptr_array_index (conv->lines, i);

      if (is_blank_text (line->text))
        {
          /* Only between two lines of text, and only one. */
          if (out->len > 0 && blank_prefix == NULL)
            blank_prefix = line->first;
          continue;
        }
      if (blank_prefix != NULL)
        {
          append_output_line (out, blank_prefix, "", 0);
          blank_prefix = NULL;
        }
      append_wrapped (out, line);
    }
  return g_string_free (out, FALSE);
}

/**
 * turnout_html_to_text:
 * @html: (nullable): an HTML document or fragment, in UTF-8; invalid bytes
 *   are read as U+FFFD
 *
 * Makes the plain-text alternative of an email from its HTML, as described
 * at the top of turnout-html-text.h. Merge fields such as {first_name} pass
 * through unchanged and are never split across lines.
 *
 * Returns: (transfer full): the text, ending with a newline, or "" when
 *   nothing in @html is visible.
 */
char *
turnout_html_to_text (const char *html)
{
  g_autofree char *valid = NULL;
  Converter conv = { 0 };
  const char *p;
  char *text;

  if (html == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (html, -1);
  conv.stack = g_array_new (FALSE, TRUE, sizeof (Element));
  conv.lines = g_ptr_array_new_with_free_func (line_free);
  conv.cur = g_string_new (NULL);
  conv.link = conv.table = conv.list = conv.head = -1;

  p = valid;
  while (*p != '\0')
    {
      if (*p == '<')
        {
          p = parse_markup (&conv, p);
        }
      else
        {
          const char *start = p;

          p = strchr (p, '<');
          if (p == NULL)
            p = start + strlen (start);
          handle_text (&conv, start, p - start);
        }
    }

  pop_to (&conv, 0);
  if (conv.cur->len > 0)
    finish_line (&conv);

  text = render (&conv);

  g_free (conv.cur_first);
  g_free (conv.cur_rest);
  g_clear_pointer (&conv.cur_table, g_rc_box_release);
  g_string_free (conv.cur, TRUE);
  g_ptr_array_unref (conv.lines);
  g_array_unref (conv.stack);

  return text;
}
