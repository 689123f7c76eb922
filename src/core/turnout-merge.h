/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * The merge language of templates:
 *
 *   {field}            the contact's or event's value
 *   {field|fallback}   the value, or the fallback text when the value is blank
 *   {field|}           the value, and blank is fine (nothing is reported)
 *   {{  }}             a literal { and }
 *
 * A field name is one of turnout_merge_list_fields() or an alias (written
 * for other tools: partner_name, customer_name, customer_full_name = full_name;
 * customer_first_name, customer_last_name, customer_phone, customer_email).
 * Names are matched exactly, in lower case; spaces and tabs around the name
 * and around the fallback are ignored, so "{ first_name | there }" is
 * "{first_name|there}". The fallback is plain text: everything between the
 * first "|" and the closing brace, further "|" included; it cannot hold a
 * brace or a field. A field stays on one line.
 *
 * In HTML (the "markup" variants) a brace is a field only in a whole
 * {name} or {name|fallback}, and {{ an escape, as is a }} that matches one
 * (so a stylesheet may be written with doubled braces or plain); every other brace, as
 * in a stylesheet's "a{color:red}", is plain text.
 *
 * Errors (each with the line and column, in characters from 1, of the
 * offending brace): an unknown field (with the closest known name when the
 * spelling is near), a "{" that is never closed on its line, a "}" that
 * closes nothing, an empty "{}" and a "{" inside a field.
 */

#define TURNOUT_MERGE_ERROR (turnout_merge_error_quark ())

typedef enum
{
  TURNOUT_MERGE_ERROR_UNKNOWN_FIELD,
  TURNOUT_MERGE_ERROR_UNCLOSED,
  TURNOUT_MERGE_ERROR_UNEXPECTED_CLOSE,
  TURNOUT_MERGE_ERROR_EMPTY,
  TURNOUT_MERGE_ERROR_NESTED,
} TurnoutMergeError;

typedef enum
{
  TURNOUT_MERGE_TOKEN_TEXT,
  TURNOUT_MERGE_TOKEN_FIELD,
  TURNOUT_MERGE_TOKEN_ESCAPE,
  TURNOUT_MERGE_TOKEN_ERROR,
} TurnoutMergeTokenKind;

/**
 * TurnoutMergeToken:
 * @kind: what the span of text is
 * @start: its first byte in the text
 * @end: the byte after its last
 * @field: FIELD only: the canonical field name (an alias is resolved)
 * @fallback: FIELD only: the fallback text, "" for "{field|}", %NULL when
 *   the field has none
 * @code: ERROR only: a #TurnoutMergeError
 * @message: ERROR only: the translated sentence, without the position
 * @suggestion: ERROR only, unknown field only: the known name the user
 *   probably meant, or %NULL
 * @line: ERROR only: the line of the offending character, from 1
 * @column: ERROR only: its column in characters, from 1
 */
typedef struct
{
  TurnoutMergeTokenKind  kind;
  guint                  start;
  guint                  end;
  char                  *field;
  char                  *fallback;
  int                    code;
  char                  *message;
  char                  *suggestion;
  guint                  line;
  guint                  column;
} TurnoutMergeToken;

/**
 * TurnoutMergeValues:
 *
 * What a template is rendered with. Every string is nullable; %NULL, empty
 * and whitespace-only values are blank. Values are used with the
 * whitespace at either end removed.
 */
typedef struct
{
  const char *first_name;
  const char *last_name;
  const char *phone;            /* as the contact sees it; E.164 is fine */
  const char *email;
  const char *city;
  const char *event_name;
  gint64      event_starts_at;  /* Unix seconds; 0: no event (date and time are blank) */
  const char *event_time_zone;  /* an IANA identifier; NULL or unknown: UTC */
  const char *event_venue;
  const char *sender_name;
  const char *unsubscribe;      /* the channel's opt-out text, given by the caller */
} TurnoutMergeValues;

typedef struct _TurnoutMergeTemplate TurnoutMergeTemplate;

#define TURNOUT_TYPE_MERGE_TEMPLATE (turnout_merge_template_get_type ())

GQuark                turnout_merge_error_quark          (void);
GType                 turnout_merge_template_get_type    (void) G_GNUC_CONST;

GPtrArray            *turnout_merge_scan                 (const char               *text);
GPtrArray            *turnout_merge_scan_full            (const char               *text,
                                                          gboolean                  markup);
void                  turnout_merge_token_free           (TurnoutMergeToken        *token);

const char * const   *turnout_merge_list_fields          (void);
const char           *turnout_merge_field_canonical      (const char               *name);
const char           *turnout_merge_field_describe       (const char               *field);

TurnoutMergeTemplate *turnout_merge_template_new         (const char               *text,
                                                          GError                  **error);
TurnoutMergeTemplate *turnout_merge_template_new_full    (const char               *text,
                                                          gboolean                  markup,
                                                          GError                  **error);
TurnoutMergeTemplate *turnout_merge_template_ref         (TurnoutMergeTemplate     *self);
void                  turnout_merge_template_unref       (TurnoutMergeTemplate     *self);
const char           *turnout_merge_template_get_text    (TurnoutMergeTemplate     *self);
gboolean              turnout_merge_template_uses        (TurnoutMergeTemplate     *self,
                                                          const char               *field);
char                 *turnout_merge_template_render      (TurnoutMergeTemplate     *self,
                                                          const TurnoutMergeValues *values,
                                                          GPtrArray                *blank_fields);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutMergeTemplate, turnout_merge_template_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutMergeToken, turnout_merge_token_free)

G_END_DECLS
