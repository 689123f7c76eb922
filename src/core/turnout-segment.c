/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-segment"

#include "config.h"

#include <inttypes.h>

#include <stdio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "turnout-segment.h"

/*
 * The rule tree is kept as the JSON it was read from, once validated: the
 * JSON is what is stored, what the builder edits and what is compiled, so
 * no second representation can drift from it. Compiling writes one SQL
 * expression over `contacts c` in which every value is a `?` parameter.
 */

struct _TurnoutSegment
{
  gatomicrefcount  ref_count;
  JsonNode        *root;
};

typedef enum
{
  KIND_TAGS,
  KIND_NUMBER,
  KIND_DATE,
  KIND_EVENT,
  KIND_WINDOW,
  KIND_TEXT,
  KIND_CHOICE,
  KIND_BOOLEAN,
  KIND_SEGMENT,
} FieldKind;

typedef struct
{
  const char         *name;
  FieldKind           kind;
  const char         *column;
  const char * const *ops;
} Field;

static const char * const tag_ops[] = { "any", "all", "none", NULL };
static const char * const number_ops[] = { "eq", "ne", "gte", "lte", "between", NULL };
static const char * const date_ops[] = {
  "before", "after", "on", "within_days", "more_than_days_ago", NULL
};
static const char * const is_ops[] = { "is", NULL };
static const char * const is_not_ops[] = { "is", "is_not", NULL };
static const char * const window_ops[] = { "within_days", NULL };
static const char * const upcoming_ops[] = { "within_days", "any", NULL };
static const char * const consents[] = { "unknown", "opted_in", "opted_out", NULL };
static const char * const statuses[] = { "draft", "registered", "cancelled", "attended", NULL };

static const Field fields[] = {
  { "tags", KIND_TAGS, NULL, tag_ops },
  { "events_attended", KIND_NUMBER, "c.events_attended", number_ops },
  { "total_spend", KIND_NUMBER, "c.total_spend", number_ops },
  { "first_event", KIND_DATE, "c.first_event_at", date_ops },
  { "last_event", KIND_DATE, "c.last_event_at", date_ops },
  { "created", KIND_DATE, "c.created_at", date_ops },
  { "registered_for", KIND_EVENT, NULL, is_ops },
  { "attended", KIND_EVENT, NULL, is_ops },
  { "upcoming_registration", KIND_WINDOW, NULL, upcoming_ops },
  { "cancelled_registration", KIND_WINDOW, "cancelled_at", window_ops },
  { "confirmed_registration", KIND_WINDOW, "confirmed_at", window_ops },
  { "city", KIND_TEXT, "c.city", is_not_ops },
  { "time_zone", KIND_TEXT, "c.time_zone", is_not_ops },
  { "sms_consent", KIND_CHOICE, "c.sms_consent", is_not_ops },
  { "email_consent", KIND_CHOICE, "c.email_consent", is_not_ops },
  { "has_phone", KIND_BOOLEAN, "c.phone", is_ops },
  { "has_email", KIND_BOOLEAN, "c.email", is_ops },
  { "in_segment", KIND_SEGMENT, NULL, is_ops },
};

G_DEFINE_QUARK (turnout-segment-error-quark, turnout_segment_error)
G_DEFINE_BOXED_TYPE (TurnoutSegment, turnout_segment, turnout_segment_ref, turnout_segment_unref)

static gboolean invalid (GError     **error,
                         const char  *path,
                         const char  *format,
                         ...) G_GNUC_PRINTF (3, 4);

static gboolean
invalid (GError     **error,
         const char  *path,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID, "%s: %s",
               path, message);
  return FALSE;
}

static const Field *
find_field (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (fields[i].name, name))
      return &fields[i];
  return NULL;
}

static gboolean
is_integer (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
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
parse_date (const char *text,
            GDate      *date)
{
  int y, m, d;
  char end;

  if (strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3
      || text[4] != '-' || text[7] != '-')
    return FALSE;
  if (!g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static gboolean
check_members (JsonObject          *object,
               const char          *path,
               const char * const  *allowed,
               GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      return invalid (error, path, _("unknown member \"%s\""), (const char *) l->data);
  return TRUE;
}

static gboolean validate_group (JsonObject  *object,
                                const char  *path,
                                GError     **error);

static gboolean
validate_value (const Field  *field,
                const char   *op,
                JsonNode     *value,
                const char   *path,
                GError      **error)
{
  g_autofree char *vpath = g_strconcat (path, ".value", NULL);

  if (g_str_equal (op, "any") && field->kind == KIND_WINDOW)
    {
      if (value != NULL)
        return invalid (error, vpath, _("“any” takes no value"));
      return TRUE;
    }
  if (value == NULL)
    return invalid (error, path, _("missing member \"value\""));

  switch (field->kind)
    {
    case KIND_TAGS:
      {
        JsonArray *array;

        if (!JSON_NODE_HOLDS_ARRAY (value)
            || json_array_get_length (array = json_node_get_array (value)) == 0)
          return invalid (error, vpath, _("expected a list of tag names"));
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *item = json_array_get_element (array, i);

            if (!is_string (item) || is_blank (json_node_get_string (item)))
              {
                g_autofree char *ipath = g_strdup_printf ("%s[%u]", vpath, i);
                return invalid (error, ipath, _("expected a tag name"));
              }
          }
        return TRUE;
      }
    case KIND_NUMBER:
      if (g_str_equal (op, "between"))
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (value)
              || json_array_get_length (array = json_node_get_array (value)) != 2
              || !is_integer (json_array_get_element (array, 0))
              || !is_integer (json_array_get_element (array, 1)))
            return invalid (error, vpath, _("expected [LOW, HIGH], two whole numbers"));
          if (json_array_get_int_element (array, 0) > json_array_get_int_element (array, 1))
            return invalid (error, vpath, _("the low end is above the high end"));
          return TRUE;
        }
      if (!is_integer (value))
        return invalid (error, vpath, _("expected a whole number"));
      return TRUE;
    case KIND_DATE:
      if (g_str_equal (op, "before") || g_str_equal (op, "after") || g_str_equal (op, "on"))
        {
          GDate date;

          if (!is_string (value) || !parse_date (json_node_get_string (value), &date))
            return invalid (error, vpath, _("expected a date such as \"2026-03-31\""));
          return TRUE;
        }
      G_GNUC_FALLTHROUGH;
    case KIND_WINDOW:
      if (!is_integer (value) || json_node_get_int (value) < 0
          || json_node_get_int (value) > 100000)
        return invalid (error, vpath, _("expected a number of days (0 to 100000)"));
      return TRUE;
    case KIND_EVENT:
      if (!is_integer (value) || json_node_get_int (value) < 1)
        return invalid (error, vpath, _("expected an event id"));
      return TRUE;
    case KIND_TEXT:
    case KIND_SEGMENT:
      if (!is_string (value))
        return invalid (error, vpath, _("expected text"));
      if (field->kind == KIND_SEGMENT && *json_node_get_string (value) == '\0')
        return invalid (error, vpath, _("expected a segment name"));
      return TRUE;
    case KIND_CHOICE:
      if (!is_string (value) || !g_strv_contains (consents, json_node_get_string (value)))
        return invalid (error, vpath, _("expected \"unknown\", \"opted_in\" or \"opted_out\""));
      return TRUE;
    case KIND_BOOLEAN:
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
        return invalid (error, vpath, _("expected true or false"));
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
validate_condition (JsonObject  *object,
                    const char  *path,
                    GError     **error)
{
  static const char * const members[] = { "field", "op", "value", NULL };
  static const char * const event_members[] = { "field", "op", "value", "status", NULL };
  JsonNode *node = json_object_get_member (object, "field");
  const Field *field;
  const char *op;

  if (node == NULL || !is_string (node))
    return invalid (error, path, _("expected \"field\" (text) or \"match\""));
  if ((field = find_field (json_node_get_string (node))) == NULL)
    {
      g_autofree char *fpath = g_strconcat (path, ".field", NULL);
      return invalid (error, fpath, _("unknown field \"%s\""), json_node_get_string (node));
    }
  if (!check_members (object, path,
                      g_str_equal (field->name, "registered_for") ? event_members : members,
                      error))
    return FALSE;

  node = json_object_get_member (object, "op");
  if (node == NULL || !is_string (node))
    return invalid (error, path, _("missing member \"op\" (text)"));
  op = json_node_get_string (node);
  if (!g_strv_contains (field->ops, op))
    {
      g_autofree char *opath = g_strconcat (path, ".op", NULL);
      return invalid (error, opath, _("unknown operator \"%s\""), op);
    }

  node = json_object_get_member (object, "status");
  if (node != NULL && (!is_string (node) || !g_strv_contains (statuses, json_node_get_string (node))))
    {
      g_autofree char *spath = g_strconcat (path, ".status", NULL);
      return invalid (error, spath,
                      _("expected \"draft\", \"registered\", \"cancelled\" or \"attended\""));
    }

  return validate_value (field, op, json_object_get_member (object, "value"), path, error);
}

static gboolean
validate_rule (JsonNode    *node,
               const char  *path,
               GError     **error)
{
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, path, _("expected an object (a condition or a group)"));
  object = json_node_get_object (node);
  if (json_object_has_member (object, "match"))
    {
      static const char * const members[] = { "match", "rules", NULL };

      return check_members (object, path, members, error)
             && validate_group (object, path, error);
    }
  return validate_condition (object, path, error);
}

static gboolean
validate_group (JsonObject  *object,
                const char  *path,
                GError     **error)
{
  static const char * const matches[] = { "all", "any", "none", NULL };
  JsonNode *match = json_object_get_member (object, "match");
  JsonNode *rules = json_object_get_member (object, "rules");
  JsonArray *array;

  if (match == NULL || !is_string (match) || !g_strv_contains (matches, json_node_get_string (match)))
    {
      g_autofree char *mpath = g_strconcat (path, ".match", NULL);
      return invalid (error, mpath, _("expected \"all\", \"any\" or \"none\""));
    }
  if (rules == NULL || !JSON_NODE_HOLDS_ARRAY (rules))
    {
      g_autofree char *rpath = g_strconcat (path, ".rules", NULL);
      return invalid (error, rpath, _("expected a list of rules"));
    }
  array = json_node_get_array (rules);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *rpath = g_strdup_printf ("%s.rules[%u]", path, i);

      if (!validate_rule (json_array_get_element (array, i), rpath, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * turnout_segment_new_from_json:
 * @json: the rule tree (see turnout-segment.h)
 *
 * Reads and checks a rule tree. Anything unknown (member, field, operator,
 * version) or of the wrong type is refused with the path of the bad node,
 * such as `$.rules[2].op: unknown operator "≈"`.
 *
 * Returns: (transfer full): the segment, or %NULL with @error set.
 */
TurnoutSegment *
turnout_segment_new_from_json (const char  *json,
                               GError     **error)
{
  static const char * const members[] = { "version", "match", "rules", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  TurnoutSegment *self;
  JsonObject *object;
  JsonNode *version;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      invalid (error, "$", _("not valid JSON: %s"), local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      invalid (error, "$", _("expected an object"));
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  version = json_object_get_member (object, "version");
  if (version == NULL || !is_integer (version))
    {
      invalid (error, "$.version", _("expected the format version, a whole number"));
      return NULL;
    }
  if (json_node_get_int (version) != TURNOUT_SEGMENT_VERSION)
    {
      invalid (error, "$.version", _("unknown version %" PRId64 " (this Turnout reads %d)"),
               json_node_get_int (version), TURNOUT_SEGMENT_VERSION);
      return NULL;
    }
  if (!check_members (object, "$", members, error) || !validate_group (object, "$", error))
    return NULL;

  self = g_new0 (TurnoutSegment, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->root = json_node_copy (json_parser_get_root (parser));
  return self;
}

static const struct
{
  const char *id;
  int         default_days;
  const char *json;
} presets[] = {
  { "recent", 30,
    "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"confirmed_registration\","
    "\"op\":\"within_days\",\"value\":%d}]}" },
  { "upcoming", 30,
    "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"upcoming_registration\","
    "\"op\":\"within_days\",\"value\":%d}]}" },
  { "first-time", -1,
    "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"events_attended\","
    "\"op\":\"eq\",\"value\":1}]}" },
  { "repeat", -1,
    "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"events_attended\","
    "\"op\":\"gte\",\"value\":3}]}" },
  { "lapsed", 90,
    "{\"version\":1,\"match\":\"all\",\"rules\":["
    "{\"field\":\"last_event\",\"op\":\"more_than_days_ago\",\"value\":%d},"
    "{\"match\":\"none\",\"rules\":[{\"field\":\"upcoming_registration\",\"op\":\"any\"}]}]}" },
  { "cancelled", 30,
    "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":\"cancelled_registration\","
    "\"op\":\"within_days\",\"value\":%d}]}" },
  { "all", -1, "{\"version\":1,\"match\":\"all\",\"rules\":[]}" },
};

/**
 * turnout_segment_list_presets:
 *
 * Returns: (transfer none): the ids of the ready-made segments.
 */
const char * const *
turnout_segment_list_presets (void)
{
  static const char * const ids[] = {
    "recent", "upcoming", "first-time", "repeat", "lapsed", "cancelled", "all", NULL
  };
  return ids;
}

/**
 * turnout_segment_new_preset:
 * @preset: a ready-made segment's id (turnout_segment_list_presets())
 * @days: its number of days, or -1 for the default (30, or 90 for lapsed)
 *
 * Returns: (transfer full): the rule tree, or %NULL with @error set when
 *   there is no such preset, or @days is given to one that takes none.
 */
TurnoutSegment *
turnout_segment_new_preset (const char  *preset,
                            int          days,
                            GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].id, preset))
      {
        g_autofree char *json = NULL;

        if (days >= 0 && presets[i].default_days < 0)
          {
            g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID,
                         _("The ready-made segment “%s” takes no number of days"), preset);
            return NULL;
          }
        if (days > 100000)
          {
            g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID,
                         _("%d days is too many (at most 100000)"), days);
            return NULL;
          }
        /* The formats are the constant strings of presets[] above. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        json = g_strdup_printf (presets[i].json, days >= 0 ? days : presets[i].default_days);
#pragma GCC diagnostic pop
        return turnout_segment_new_from_json (json, error);
      }

  g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND,
               _("No ready-made segment is called “%s”; there are recent, upcoming, "
                 "first-time, repeat, lapsed, cancelled and all"), preset);
  return NULL;
}

TurnoutSegment *
turnout_segment_ref (TurnoutSegment *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
turnout_segment_unref (TurnoutSegment *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      json_node_unref (self->root);
      g_free (self);
    }
}

/**
 * turnout_segment_to_json:
 *
 * Returns: (transfer full): the rule tree as compact JSON, as stored.
 */
char *
turnout_segment_to_json (TurnoutSegment *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return json_to_string (self->root, FALSE);
}

static void
collect_references (JsonObject *group,
                    GPtrArray  *names)
{
  JsonArray *rules = json_object_get_array_member (group, "rules");

  for (guint i = 0; i < json_array_get_length (rules); i++)
    {
      JsonObject *rule = json_array_get_object_element (rules, i);

      if (json_object_has_member (rule, "match"))
        collect_references (rule, names);
      else if (g_str_equal (json_object_get_string_member (rule, "field"), "in_segment"))
        g_ptr_array_add (names, g_strdup (json_object_get_string_member (rule, "value")));
    }
}

/**
 * turnout_segment_dup_references:
 *
 * Returns: (transfer full): the names of the segments this one's
 *   in_segment conditions name, directly.
 */
char **
turnout_segment_dup_references (TurnoutSegment *self)
{
  GPtrArray *names = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL, NULL);

  collect_references (json_node_get_object (self->root), names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* Compiling */

typedef struct
{
  gboolean  is_text;
  gint64    number;
  char     *text;
} Param;

struct _TurnoutSegmentQuery
{
  char   *where;
  GArray *params;
};

typedef struct
{
  GString              *sql;
  GArray               *params;
  gint64                now;
  GTimeZone            *zone;
  TurnoutSegmentLookup  lookup;
  gpointer              user_data;
  GPtrArray            *expanding;   /* names of the segments being inlined */
} Compiler;

static void
param_clear (gpointer data)
{
  g_free (((Param *) data)->text);
}

static void
add_number (Compiler *compiler,
            gint64    number)
{
  Param param = { FALSE, number, NULL };

  g_array_append_val (compiler->params, param);
  g_string_append_c (compiler->sql, '?');
}

static void
add_text (Compiler   *compiler,
          const char *text)
{
  Param param = { TRUE, 0, g_strdup (text) };

  g_array_append_val (compiler->params, param);
  g_string_append_c (compiler->sql, '?');
}

static gint64
day_start (Compiler   *compiler,
           const char *text,
           int         offset)
{
  g_autoptr(GDateTime) start = NULL;
  GDate date;

  parse_date (text, &date);
  if (offset != 0)
    g_date_add_days (&date, offset);
  start = g_date_time_new (compiler->zone, g_date_get_year (&date), g_date_get_month (&date),
                           g_date_get_day (&date), 0, 0, 0);
  return g_date_time_to_unix (start);
}

static gboolean compile_group (Compiler    *compiler,
                               JsonObject  *group,
                               GError     **error);

static gboolean
compile_segment (Compiler    *compiler,
                 const char  *name,
                 GError     **error)
{
  g_autoptr(TurnoutSegment) other = NULL;
  gboolean ok;

  for (guint i = 0; i < compiler->expanding->len; i++)
    if (g_str_equal (g_ptr_array_index (compiler->expanding, i), name))
      {
        g_autoptr(GString) chain = g_string_new (NULL);

        for (guint j = i; j < compiler->expanding->len; j++)
          g_string_append_printf (chain, "“%s” → ",
                                  (char *) g_ptr_array_index (compiler->expanding, j));
        g_string_append_printf (chain, "“%s”", name);
        g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_CYCLE,
                     _("Segments refer to each other in a circle: %s"), chain->str);
        return FALSE;
      }
  if (compiler->lookup == NULL)
    {
      g_set_error (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND,
                   _("No segment is called “%s”"), name);
      return FALSE;
    }
  if ((other = compiler->lookup (name, compiler->user_data, error)) == NULL)
    return FALSE;

  g_ptr_array_add (compiler->expanding, g_strdup (name));
  ok = compile_group (compiler, json_node_get_object (other->root), error);
  g_ptr_array_remove_index (compiler->expanding, compiler->expanding->len - 1);
  return ok;
}

static gboolean
compile_condition (Compiler    *compiler,
                   JsonObject  *rule,
                   GError     **error)
{
  const Field *field = find_field (json_object_get_string_member (rule, "field"));
  const char *op = json_object_get_string_member (rule, "op");
  JsonNode *value = json_object_get_member (rule, "value");
  GString *sql = compiler->sql;

  switch (field->kind)
    {
    case KIND_TAGS:
      {
        JsonArray *array = json_node_get_array (value);
        g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        gboolean first = TRUE;

        g_string_append (sql, g_str_equal (op, "none") ? "c.id NOT IN" : "c.id IN");
        g_string_append (sql, " (SELECT ct.contact_id FROM tags t"
                              " JOIN contact_tags ct ON ct.tag_id = t.id WHERE t.name IN (");
        /* Tag names are unique ignoring ASCII case: count each once, so
         * "all of" can compare the number of matching tags. */
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            const char *name = json_array_get_string_element (array, i);
            char *key = g_ascii_strdown (name, -1);

            if (!g_hash_table_add (seen, key))
              continue;
            if (!first)
              g_string_append (sql, ", ");
            first = FALSE;
            add_text (compiler, name);
          }
        g_string_append (sql, ")");
        if (g_str_equal (op, "all"))
          {
            g_string_append (sql, " GROUP BY ct.contact_id HAVING count (*) = ");
            add_number (compiler, g_hash_table_size (seen));
          }
        g_string_append (sql, ")");
        return TRUE;
      }

    case KIND_NUMBER:
      g_string_append (sql, field->column);
      if (g_str_equal (op, "between"))
        {
          JsonArray *array = json_node_get_array (value);

          g_string_append (sql, " BETWEEN ");
          add_number (compiler, json_array_get_int_element (array, 0));
          g_string_append (sql, " AND ");
          add_number (compiler, json_array_get_int_element (array, 1));
          return TRUE;
        }
      g_string_append (sql, g_str_equal (op, "eq") ? " = " : g_str_equal (op, "ne") ? " <> "
                            : g_str_equal (op, "gte") ? " >= " : " <= ");
      add_number (compiler, json_node_get_int (value));
      return TRUE;

    case KIND_DATE:
      /* A contact without the date matches no operator, and the test is
       * never NULL, so "none of" groups negate it cleanly. */
      g_string_append_printf (sql, "(%s IS NOT NULL AND %s ", field->column, field->column);
      if (g_str_equal (op, "before"))
        {
          g_string_append (sql, "< ");
          add_number (compiler, day_start (compiler, json_node_get_string (value), 0));
        }
      else if (g_str_equal (op, "after"))
        {
          g_string_append (sql, ">= ");
          add_number (compiler, day_start (compiler, json_node_get_string (value), 1));
        }
      else if (g_str_equal (op, "on"))
        {
          g_string_append (sql, ">= ");
          add_number (compiler, day_start (compiler, json_node_get_string (value), 0));
          g_string_append_printf (sql, " AND %s < ", field->column);
          add_number (compiler, day_start (compiler, json_node_get_string (value), 1));
        }
      else if (g_str_equal (op, "within_days"))
        {
          g_string_append (sql, ">= ");
          add_number (compiler, compiler->now - json_node_get_int (value) * 86400);
          g_string_append_printf (sql, " AND %s <= ", field->column);
          add_number (compiler, compiler->now);
        }
      else
        {
          g_string_append (sql, "< ");
          add_number (compiler, compiler->now - json_node_get_int (value) * 86400);
        }
      g_string_append (sql, ")");
      return TRUE;

    case KIND_EVENT:
      if (g_str_equal (field->name, "attended"))
        {
          g_string_append (sql, "c.id IN (SELECT r.contact_id FROM registrations r"
                                " JOIN events e ON e.id = r.event_id WHERE r.event_id = ");
          add_number (compiler, json_node_get_int (value));
          g_string_append (sql, " AND r.status IN ('registered', 'attended') AND e.starts_at <= ");
          add_number (compiler, compiler->now);
          g_string_append (sql, ")");
          return TRUE;
        }
      g_string_append (sql, "c.id IN (SELECT r.contact_id FROM registrations r WHERE r.event_id = ");
      add_number (compiler, json_node_get_int (value));
      if (json_object_has_member (rule, "status"))
        {
          g_string_append (sql, " AND r.status = ");
          add_text (compiler, json_object_get_string_member (rule, "status"));
        }
      g_string_append (sql, ")");
      return TRUE;

    case KIND_WINDOW:
      if (g_str_equal (field->name, "upcoming_registration"))
        {
          /* next_event_at is the first event the contact is registered
           * for after figures_clock.as_of, which names the same event as
           * "after now" once the figures are refreshed to now (see
           * turnout_db_refresh_figures()). "Next within N days" is "some
           * within N days". Never NULL, like the dates above, so "none of"
           * negates it cleanly. */
          g_string_append (sql, "(c.next_event_at IS NOT NULL");
          if (g_str_equal (op, "within_days"))
            {
              g_string_append (sql, " AND c.next_event_at <= ");
              add_number (compiler, compiler->now + json_node_get_int (value) * 86400);
            }
          g_string_append (sql, ")");
          return TRUE;
        }
      g_string_append_printf (sql, "c.id IN (SELECT r.contact_id FROM registrations r"
                                   " WHERE r.%s >= ", field->column);
      add_number (compiler, compiler->now - json_node_get_int (value) * 86400);
      g_string_append_printf (sql, " AND r.%s <= ", field->column);
      add_number (compiler, compiler->now);
      g_string_append (sql, ")");
      return TRUE;

    case KIND_TEXT:
      if (g_str_equal (field->name, "city"))
        {
          g_string_append (sql, g_str_equal (op, "is") ? "c.city = " : "c.city <> ");
          add_text (compiler, json_node_get_string (value));
          g_string_append (sql, " COLLATE NOCASE");
          return TRUE;
        }
      g_string_append (sql, g_str_equal (op, "is") ? "c.time_zone IS " : "c.time_zone IS NOT ");
      add_text (compiler, json_node_get_string (value));
      return TRUE;

    case KIND_CHOICE:
      g_string_append_printf (sql, "%s %s ", field->column, g_str_equal (op, "is") ? "=" : "<>");
      add_text (compiler, json_node_get_string (value));
      return TRUE;

    case KIND_BOOLEAN:
      g_string_append_printf (sql, "(coalesce (%s, '') %s '')", field->column,
                              json_node_get_boolean (value) ? "<>" : "=");
      return TRUE;

    case KIND_SEGMENT:
      return compile_segment (compiler, json_node_get_string (value), error);

    default:
      g_assert_not_reached ();
    }
}

static gboolean
compile_group (Compiler    *compiler,
               JsonObject  *group,
               GError     **error)
{
  const char *match = json_object_get_string_member (group, "match");
  JsonArray *rules = json_object_get_array_member (group, "rules");
  guint n = json_array_get_length (rules);
  gboolean any = !g_str_equal (match, "all");

  if (n == 0)
    {
      g_string_append (compiler->sql, g_str_equal (match, "any") ? "0" : "1");
      return TRUE;
    }
  if (g_str_equal (match, "none"))
    g_string_append (compiler->sql, "NOT ");
  g_string_append_c (compiler->sql, '(');
  for (guint i = 0; i < n; i++)
    {
      JsonObject *rule = json_array_get_object_element (rules, i);

      if (i > 0)
        g_string_append (compiler->sql, any ? " OR " : " AND ");
      g_string_append_c (compiler->sql, '(');
      if (json_object_has_member (rule, "match")
          ? !compile_group (compiler, rule, error)
          : !compile_condition (compiler, rule, error))
        return FALSE;
      g_string_append_c (compiler->sql, ')');
    }
  g_string_append_c (compiler->sql, ')');
  return TRUE;
}

/**
 * turnout_segment_compile:
 * @now: the time relative dates are counted from, in Unix seconds
 * @zone: the zone dates ("on 2026-03-31") are days in
 * @lookup: (nullable): finds the segments in_segment conditions name
 *
 * Compiles the tree to one SQL expression over the table alias `c` (the
 * contacts table), with each value a `?` parameter. The per-contact
 * figures it reads must be brought to @now first
 * (turnout_db_refresh_figures()).
 *
 * Returns: (transfer full): the query, or %NULL with @error set (a named
 *   segment is missing, or segments refer to each other in a circle).
 */
TurnoutSegmentQuery *
turnout_segment_compile (TurnoutSegment        *self,
                         gint64                 now,
                         GTimeZone             *zone,
                         TurnoutSegmentLookup   lookup,
                         gpointer               user_data,
                         GError               **error)
{
  g_autoptr(GPtrArray) expanding = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GArray) params = g_array_new (FALSE, FALSE, sizeof (Param));
  Compiler compiler = { sql, params, now, zone, lookup, user_data, expanding };
  TurnoutSegmentQuery *query;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (zone != NULL, NULL);

  g_array_set_clear_func (params, param_clear);
  if (!compile_group (&compiler, json_node_get_object (self->root), error))
    return NULL;

  query = g_new0 (TurnoutSegmentQuery, 1);
  query->where = g_string_free (g_steal_pointer (&sql), FALSE);
  query->params = g_steal_pointer (&params);
  return query;
}

const char *
turnout_segment_query_get_where (TurnoutSegmentQuery *query)
{
  return query->where;
}

guint
turnout_segment_query_get_n_params (TurnoutSegmentQuery *query)
{
  return query->params->len;
}

/**
 * turnout_segment_query_bind:
 * @first: the index of the first `?` of the expression in @stmt
 *
 * Binds the expression's values to @stmt.
 */
void
turnout_segment_query_bind (TurnoutSegmentQuery *query,
                            sqlite3_stmt        *stmt,
                            int                  first)
{
  for (guint i = 0; i < query->params->len; i++)
    {
      Param *param = &g_array_index (query->params, Param, i);

      if (param->is_text)
        sqlite3_bind_text (stmt, first + i, param->text, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_int64 (stmt, first + i, param->number);
    }
}

void
turnout_segment_query_free (TurnoutSegmentQuery *query)
{
  g_free (query->where);
  g_array_unref (query->params);
  g_free (query);
}

/* For the builder */

/**
 * turnout_segment_list_fields:
 *
 * Returns: (transfer none): the names of every condition field, in the
 *   order the rule language documents them.
 */
const char * const *
turnout_segment_list_fields (void)
{
  static const char *names[G_N_ELEMENTS (fields) + 1];

  if (names[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      names[i] = fields[i].name;
  return names;
}

/**
 * turnout_segment_list_ops:
 * @field: a condition field
 *
 * Returns: (transfer none) (nullable): the operators @field takes, or
 *   %NULL when there is no such field.
 */
const char * const *
turnout_segment_list_ops (const char *field)
{
  const Field *found = find_field (field);

  return found != NULL ? found->ops : NULL;
}

static gboolean
rename_in_group (JsonObject *group,
                 const char *old_name,
                 const char *new_name)
{
  JsonArray *rules = json_object_get_array_member (group, "rules");
  gboolean changed = FALSE;

  for (guint i = 0; i < json_array_get_length (rules); i++)
    {
      JsonObject *rule = json_array_get_object_element (rules, i);

      if (json_object_has_member (rule, "match"))
        changed |= rename_in_group (rule, old_name, new_name);
      else if (g_str_equal (json_object_get_string_member (rule, "field"), "in_segment")
               && g_str_equal (json_object_get_string_member (rule, "value"), old_name))
        {
          json_object_set_string_member (rule, "value", new_name);
          changed = TRUE;
        }
    }
  return changed;
}

/**
 * turnout_segment_rename_reference:
 * @old_name: a segment's name as in_segment conditions give it
 * @new_name: its new name
 *
 * Returns: (transfer full) (nullable): a copy of @self in which every
 *   in_segment condition naming @old_name names @new_name, or %NULL when
 *   none named it.
 */
TurnoutSegment *
turnout_segment_rename_reference (TurnoutSegment *self,
                                  const char     *old_name,
                                  const char     *new_name)
{
  g_autoptr(JsonNode) copy = NULL;
  TurnoutSegment *renamed;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (old_name != NULL && new_name != NULL, NULL);

  copy = json_node_copy (self->root);
  if (!rename_in_group (json_node_get_object (copy), old_name, new_name))
    return NULL;
  renamed = g_new0 (TurnoutSegment, 1);
  g_atomic_ref_count_init (&renamed->ref_count);
  renamed->root = g_steal_pointer (&copy);
  return renamed;
}
