/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-contact-list"

#include "config.h"

#include <inttypes.h>

#include <stdlib.h>
#include <glib/gi18n.h>

#include "turnout-contact.h"
#include "turnout-contact-list.h"
#include "turnout-phone.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-store-private.h"

/*
 * The contacts of the store as a GListModel that never holds them all: it
 * knows how many rows the current search has, and reads pages of rows on
 * worker threads as the view asks for them. A row whose page is not read
 * yet is a placeholder TurnoutContact that is filled in place when its page
 * arrives, so the widgets bound to it update without the list changing. At
 * most MAX_PAGES pages are kept (the least recently used go first), so the
 * memory used does not grow with the number of contacts.
 *
 * Every change of search or sort cancels the work in flight and counts
 * again; the list then changes once, from the old count to the new. A
 * refresh that finds the same count updates the rows shown in place
 * instead, so the view keeps its scroll position and selection.
 *
 * Queries are snapshots (Query) shared with the workers: immutable, with
 * the WHERE clause built once. Sorting goes through the contacts' indexes;
 * a column that may be empty (phone, email, last event) is read in two
 * parts, the contacts with a value and then those without, because that is
 * what its index can give in order (the phone and email indexes leave
 * empty values out altogether).
 */

#define PAGE_SIZE 100
#define MAX_PAGES 32
/* The pages read together with a new count besides the first: the ones
 * used last, where the view is. */
#define N_PREFETCH 2

G_DEFINE_ENUM_TYPE (TurnoutContactSort, turnout_contact_sort,
                    G_DEFINE_ENUM_VALUE (TURNOUT_CONTACT_SORT_NAME, "name"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_CONTACT_SORT_PHONE, "phone"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_CONTACT_SORT_EMAIL, "email"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_CONTACT_SORT_EVENTS_ATTENDED, "events-attended"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_CONTACT_SORT_TOTAL_SPEND, "total-spend"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_CONTACT_SORT_LAST_EVENT, "last-event"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_CONTACT_SORT_SMS_CONSENT, "sms-consent"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_CONTACT_SORT_EMAIL_CONSENT, "email-consent"),
                    G_DEFINE_ENUM_VALUE (TURNOUT_CONTACT_SORT_CREATED, "created"))

typedef struct
{
  const char *nullable;   /* a column whose empty values sort last, or NULL */
  const char *ascending;
  const char *descending;
} SortSql;

static const SortSql sort_sql[] = {
  [TURNOUT_CONTACT_SORT_NAME] = {
    NULL,
    "c.last_name COLLATE NOCASE, c.first_name COLLATE NOCASE, c.id",
    "c.last_name COLLATE NOCASE DESC, c.first_name COLLATE NOCASE DESC, c.id DESC" },
  [TURNOUT_CONTACT_SORT_PHONE] = { "c.phone", "c.phone, c.id", "c.phone DESC, c.id DESC" },
  [TURNOUT_CONTACT_SORT_EMAIL] = { "c.email", "c.email, c.id", "c.email DESC, c.id DESC" },
  [TURNOUT_CONTACT_SORT_EVENTS_ATTENDED] = {
    NULL, "c.events_attended, c.id", "c.events_attended DESC, c.id DESC" },
  [TURNOUT_CONTACT_SORT_TOTAL_SPEND] = {
    NULL, "c.total_spend, c.id", "c.total_spend DESC, c.id DESC" },
  [TURNOUT_CONTACT_SORT_LAST_EVENT] = {
    "c.last_event_at", "c.last_event_at, c.id", "c.last_event_at DESC, c.id DESC" },
  [TURNOUT_CONTACT_SORT_SMS_CONSENT] = {
    NULL, "c.sms_consent, c.id", "c.sms_consent DESC, c.id DESC" },
  [TURNOUT_CONTACT_SORT_EMAIL_CONSENT] = {
    NULL, "c.email_consent, c.id", "c.email_consent DESC, c.id DESC" },
  [TURNOUT_CONTACT_SORT_CREATED] = { NULL, "c.created_at, c.id", "c.created_at DESC, c.id DESC" },
};

/**
 * turnout_db_contact_new_from_row:
 * @stmt: a statement on a row of TURNOUT_CONTACT_ROW_COLUMNS
 * @currency: (nullable): the currency of the spend
 *
 * Returns: (transfer full): the contact of the row.
 */
TurnoutContact *
turnout_db_contact_new_from_row (sqlite3_stmt *stmt,
                                 const char   *currency)
{
  TurnoutContactRecord record = {
    .id = sqlite3_column_int64 (stmt, 0),
    .first_name = (const char *) sqlite3_column_text (stmt, 1),
    .last_name = (const char *) sqlite3_column_text (stmt, 2),
    .phone = (const char *) sqlite3_column_text (stmt, 3),
    .email = (const char *) sqlite3_column_text (stmt, 4),
    .city = (const char *) sqlite3_column_text (stmt, 5),
    .tags = (const char *) sqlite3_column_text (stmt, 6),
    .events_attended = sqlite3_column_int64 (stmt, 7),
    .total_spend = sqlite3_column_int64 (stmt, 8),
    .last_event_at = sqlite3_column_int64 (stmt, 9),
    .sms_consent = (const char *) sqlite3_column_text (stmt, 10),
    .email_consent = (const char *) sqlite3_column_text (stmt, 11),
  };

  return turnout_contact_new (&record, currency);
}

/* Query ------------------------------------------------------------------ */

typedef struct
{
  gatomicrefcount     ref;
  TurnoutContactSort  sort;
  gboolean            descending;
  char               *currency;
  char               *where;      /* SQL over contacts c, with ? parameters */
  GPtrArray          *params;     /* char *, bound in order */
  GArray             *hidden;     /* sorted gint64 ids left out, or NULL; shared, read-only */
  gboolean            searching;  /* the search text had terms */
} Query;

static Query *
query_ref (Query *query)
{
  g_atomic_ref_count_inc (&query->ref);
  return query;
}

static void
query_unref (Query *query)
{
  if (!g_atomic_ref_count_dec (&query->ref))
    return;
  g_free (query->currency);
  g_free (query->where);
  g_ptr_array_unref (query->params);
  g_clear_pointer (&query->hidden, g_array_unref);
  g_free (query);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Query, query_unref)

/* A digit string plus one in its last character: with the string itself,
 * the bounds of a prefix range on an index. "9" becomes ":", which sorts
 * after every digit. */
static char *
dup_prefix_end (const char *prefix)
{
  char *end = g_strdup (prefix);
  gsize len = strlen (end);

  end[len - 1]++;
  return end;
}

static void
add_phone_range (GString    *condition,
                 GPtrArray  *params,
                 const char *prefix)
{
  if (condition->len > 0)
    g_string_append (condition, " OR ");
  g_string_append (condition, "(c.phone >= ? AND c.phone < ?)");
  g_ptr_array_add (params, g_strdup (prefix));
  g_ptr_array_add (params, dup_prefix_end (prefix));
}

/* A phone term: the digits typed, which match numbers whose E.164 form
 * starts with them, as typed in international form ("44 20 7946" or
 * "+44 20 7946") or, unless it started with "+", in the national form of
 * the default region ("(020) 7946" in GB: the country code, then the digits
 * without their leading zeros). */
static void
add_phone_term (GString    *where,
                GPtrArray  *params,
                const char *digits,
                gboolean    international,
                int         country_code)
{
  g_autoptr(GString) condition = g_string_new (NULL);
  g_autofree char *as_typed = g_strconcat ("+", digits, NULL);

  add_phone_range (condition, params, as_typed);
  if (!international && country_code > 0)
    {
      const char *national = digits;
      g_autofree char *prefixed = NULL;

      while (*national == '0')
        national++;
      prefixed = g_strdup_printf ("+%d%s", country_code, national);
      if (*national != '\0' && !g_str_equal (prefixed, as_typed))
        add_phone_range (condition, params, prefixed);
    }
  g_string_append_printf (where, " AND (%s)", condition->str);
}

/* The digits of a word written as (part of) a phone number, such as
 * "(650)", "253-0000", "+44" or "020.7946", or NULL for any other word. */
static char *
dup_phone_digits (const char *word,
                  gboolean   *plus)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  *plus = FALSE;
  for (const char *p = word; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p == '+' && digits->len == 0 && !*plus)
        *plus = TRUE;
      else if (*p != '-' && *p != '.' && *p != '(' && *p != ')')
        return NULL;
    }
  if (digits->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&digits), FALSE);
}

static gboolean
has_word_character (const char *word)
{
  for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* Builds the WHERE clause of a search: words are ANDed; a run of words
 * that are parts of a phone number ("(650) 253-00") is one phone term; the
 * other words match names and emails as prefixes through the full-text
 * index. */
static void
compile_search (const char *text,
                int         country_code,
                GString    *where,
                GPtrArray  *params,
                gboolean   *searching)
{
  g_auto(GStrv) words = g_strsplit_set (text != NULL ? text : "", " \t\n\r", -1);
  g_autoptr(GString) match = g_string_new (NULL);
  g_autoptr(GString) digits = g_string_new (NULL);
  gboolean international = FALSE;

  *searching = FALSE;
  for (guint i = 0; words[i] != NULL; i++)
    {
      gboolean plus;
      g_autofree char *word_digits = NULL;

      /* Punctuation alone ("-", "+") neither searches nor ends a number. */
      if (!has_word_character (words[i]))
        continue;

      word_digits = dup_phone_digits (words[i], &plus);
      if (word_digits != NULL && !(plus && digits->len > 0))
        {
          if (digits->len == 0)
            international = plus;
          g_string_append (digits, word_digits);
          continue;
        }

      if (digits->len > 0)
        {
          add_phone_term (where, params, digits->str, international, country_code);
          g_string_truncate (digits, 0);
          *searching = TRUE;
        }
      if (word_digits != NULL)
        {
          /* A second "+": a new number starts. */
          international = plus;
          g_string_append (digits, word_digits);
          continue;
        }

      if (match->len > 0)
        g_string_append (match, " AND ");
      g_string_append_c (match, '"');
      for (const char *p = words[i]; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (match, '"');
          g_string_append_c (match, *p);
        }
      g_string_append (match, "\"*");
    }
  if (digits->len > 0)
    {
      add_phone_term (where, params, digits->str, international, country_code);
      *searching = TRUE;
    }
  if (match->len > 0)
    {
      g_string_append (where,
                       " AND c.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)");
      g_ptr_array_add (params, g_string_free (g_steal_pointer (&match), FALSE));
      *searching = TRUE;
    }
}

static Query *
query_new (const char         *search_text,
           const char         *region,
           const char         *currency,
           TurnoutContactSort  sort,
           gboolean            descending,
           GArray             *hidden)
{
  Query *query = g_new0 (Query, 1);
  g_autoptr(GString) where = g_string_new ("1");

  g_atomic_ref_count_init (&query->ref);
  query->sort = sort;
  query->descending = descending;
  query->currency = g_strdup (currency);
  query->params = g_ptr_array_new_with_free_func (g_free);
  compile_search (search_text, turnout_phone_country_code_for_region (region), where,
                  query->params, &query->searching);
  if (hidden != NULL && hidden->len > 0)
    {
      query->hidden = g_array_ref (hidden);
      g_string_append (where, " AND NOT turnout_hidden (c.id)");
    }
  query->where = g_string_free (g_steal_pointer (&where), FALSE);
  return query;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
hidden_func (sqlite3_context  *context,
             int               argc,
             sqlite3_value   **argv)
{
  GArray *hidden = sqlite3_user_data (context);
  gint64 id = sqlite3_value_int64 (argv[0]);

  sqlite3_result_int (context, bsearch (&id, hidden->data, hidden->len, sizeof (gint64),
                                        compare_ids) != NULL);
}

/* The connection is the pool's: the function exists only while a task of
 * this query uses it. */
static gboolean
query_attach (Query    *query,
              sqlite3  *db,
              GError  **error)
{
  int rc;

  if (query->hidden == NULL)
    return TRUE;
  rc = sqlite3_create_function_v2 (db, "turnout_hidden", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                   query->hidden, hidden_func, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return turnout_db_set_error (error, db, rc, _("Could not read contacts"));
  return TRUE;
}

static void
query_detach (Query   *query,
              sqlite3 *db)
{
  if (query->hidden != NULL)
    sqlite3_create_function_v2 (db, "turnout_hidden", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL,
                                NULL);
}

static sqlite3_stmt *
query_prepare (Query       *query,
               sqlite3     *db,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt = turnout_db_prepare (db, sql, error);

  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < query->params->len; i++)
    sqlite3_bind_text (stmt, i + 1, g_ptr_array_index (query->params, i), -1, SQLITE_STATIC);
  return stmt;
}

static gint64
query_count_where (Query        *query,
                   sqlite3      *db,
                   const char   *extra,
                   GError      **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM contacts c WHERE %s%s",
                                          query->where, extra);
  g_autoptr(sqlite3_stmt) stmt = query_prepare (query, db, sql, error);
  int rc;

  if (stmt == NULL)
    return -1;
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      turnout_db_set_error (error, db, rc, _("Could not count contacts"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

/* Counts the contacts of @query, and of them the ones with a value in the
 * sort column (all of them unless that column may be empty). */
static gboolean
query_count (Query    *query,
             sqlite3  *db,
             gint64   *n_items,
             gint64   *n_with,
             GError  **error)
{
  const char *nullable = sort_sql[query->sort].nullable;

  if ((*n_items = query_count_where (query, db, "", error)) < 0)
    return FALSE;
  if (nullable == NULL || *n_items == 0)
    {
      *n_with = *n_items;
      return TRUE;
    }
  {
    g_autofree char *extra = g_strdup_printf (" AND %s IS NOT NULL", nullable);

    *n_with = query_count_where (query, db, extra, error);
  }
  return *n_with >= 0;
}

static gboolean
read_part (Query         *query,
           sqlite3       *db,
           gboolean       with_value,
           gint64         offset,
           gint64         limit,
           GPtrArray     *contacts,
           GArray        *ids,
           GError       **error)
{
  const SortSql *sort = &sort_sql[query->sort];
  g_autofree char *part = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *order;
  int rc;

  if (sort->nullable == NULL)
    {
      part = g_strdup ("");
      order = query->descending ? sort->descending : sort->ascending;
    }
  else if (with_value)
    {
      part = g_strdup_printf (" AND %s IS NOT NULL", sort->nullable);
      order = query->descending ? sort->descending : sort->ascending;
    }
  else
    {
      part = g_strdup_printf (" AND %s IS NULL", sort->nullable);
      order = query->descending ? "c.id DESC" : "c.id";
    }

  sql = g_strdup_printf ("SELECT %s FROM contacts c WHERE %s%s ORDER BY %s"
                         " LIMIT %" PRId64 " OFFSET %" PRId64,
                         contacts != NULL ? TURNOUT_CONTACT_ROW_COLUMNS : "c.id", query->where, part, order,
                         limit, offset);
  stmt = query_prepare (query, db, sql, error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (contacts != NULL)
        {
          g_ptr_array_add (contacts, turnout_db_contact_new_from_row (stmt, query->currency));
        }
      else
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (ids, id);
        }
    }
  if (rc != SQLITE_DONE)
    return turnout_db_set_error (error, db, rc, _("Could not read contacts"));
  return TRUE;
}

/* Reads the rows from @offset on, in order: loaded contacts into
 * @contacts, or only their ids into @ids. @n_with is the count of rows with
 * a value in the sort column, which come first. */
static gboolean
query_read (Query      *query,
            sqlite3    *db,
            gint64      n_with,
            gint64      offset,
            gint64      limit,
            GPtrArray  *contacts,
            GArray     *ids,
            GError    **error)
{
  guint before = contacts != NULL ? contacts->len : ids->len;
  guint got;

  if (sort_sql[query->sort].nullable == NULL)
    return read_part (query, db, TRUE, offset, limit, contacts, ids, error);

  if (offset < n_with &&
      !read_part (query, db, TRUE, offset, MIN (limit, n_with - offset), contacts, ids, error))
    return FALSE;
  got = (contacts != NULL ? contacts->len : ids->len) - before;
  if (got < limit &&
      !read_part (query, db, FALSE, MAX (0, offset + got - n_with), limit - got, contacts, ids,
                  error))
    return FALSE;
  return TRUE;
}

/* Selection -------------------------------------------------------------- */

struct _TurnoutContactSelection
{
  gatomicrefcount  ref;
  GArray          *ids;      /* gint64, or NULL */
  Query           *query;    /* with ranges, when ids is NULL */
  gint64           n_with;
  GArray          *ranges;   /* TurnoutContactRange */
  guint            size;
};

G_DEFINE_BOXED_TYPE (TurnoutContactSelection, turnout_contact_selection,
                     turnout_contact_selection_ref, turnout_contact_selection_unref)

/**
 * turnout_contact_selection_new_for_ids:
 * @ids: (array length=n_ids): contact ids
 *
 * Returns: (transfer full): a selection of these contacts
 */
TurnoutContactSelection *
turnout_contact_selection_new_for_ids (const gint64 *ids,
                                       guint         n_ids)
{
  TurnoutContactSelection *self = g_new0 (TurnoutContactSelection, 1);

  g_atomic_ref_count_init (&self->ref);
  self->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  g_array_append_vals (self->ids, ids, n_ids);
  self->size = n_ids;
  return self;
}

static TurnoutContactSelection *
selection_new_for_query (Query                     *query,
                         gint64                     n_with,
                         const TurnoutContactRange *ranges,
                         guint                      n_ranges)
{
  TurnoutContactSelection *self = g_new0 (TurnoutContactSelection, 1);

  g_atomic_ref_count_init (&self->ref);
  self->query = query_ref (query);
  self->n_with = n_with;
  self->ranges = g_array_sized_new (FALSE, FALSE, sizeof (TurnoutContactRange), n_ranges);
  g_array_append_vals (self->ranges, ranges, n_ranges);
  for (guint i = 0; i < n_ranges; i++)
    self->size += ranges[i].n_items;
  return self;
}

TurnoutContactSelection *
turnout_contact_selection_ref (TurnoutContactSelection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
turnout_contact_selection_unref (TurnoutContactSelection *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  g_clear_pointer (&self->ids, g_array_unref);
  g_clear_pointer (&self->query, query_unref);
  g_clear_pointer (&self->ranges, g_array_unref);
  g_free (self);
}

/**
 * turnout_contact_selection_get_size:
 *
 * Returns: how many contacts were selected (some may have been deleted
 *   since)
 */
guint
turnout_contact_selection_get_size (TurnoutContactSelection *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->size;
}

/**
 * turnout_contact_selection_resolve:
 * @db: a connection of the calling worker thread
 *
 * Finds the ids of the selected contacts, in the order the list showed
 * them. Blocks: call it on a worker.
 *
 * Returns: (transfer full) (element-type gint64): the ids, or %NULL with
 *   @error set
 */
GArray *
turnout_contact_selection_resolve (TurnoutContactSelection  *self,
                                   sqlite3                  *db,
                                   GCancellable             *cancellable,
                                   GError                  **error)
{
  g_autoptr(GArray) ids = NULL;
  gboolean own_transaction;
  gboolean ok;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (db != NULL, NULL);

  if (self->ids != NULL)
    {
      ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->ids->len);
      g_array_append_vals (ids, self->ids->data, self->ids->len);
      return g_steal_pointer (&ids);
    }

  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->size);
  if (!query_attach (self->query, db, error))
    return NULL;
  /* One snapshot of the table for all the ranges: the caller's transaction
   * (an action resolves inside the one it writes in), or one of our own. */
  own_transaction = sqlite3_get_autocommit (db);
  ok = !own_transaction || turnout_db_exec (db, "BEGIN", error);
  for (guint i = 0; ok && i < self->ranges->len; i++)
    {
      TurnoutContactRange *range = &g_array_index (self->ranges, TurnoutContactRange, i);

      ok = !g_cancellable_set_error_if_cancelled (cancellable, error) &&
           query_read (self->query, db, self->n_with, range->position, range->n_items, NULL, ids,
                       error);
    }
  if (own_transaction)
    {
      ok = ok && turnout_db_commit (db, error);
      turnout_db_rollback (db);
    }
  query_detach (self->query, db);
  if (!ok)
    return NULL;
  return g_steal_pointer (&ids);
}

static void
resolve_worker (GTask        *task,
                sqlite3      *db,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GArray *ids = turnout_contact_selection_resolve (task_data, db, cancellable, &error);

  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
}

/**
 * turnout_contact_selection_resolve_async:
 *
 * Finds the ids of the selected contacts on a worker thread.
 */
void
turnout_contact_selection_resolve_async (TurnoutContactSelection *self,
                                         TurnoutStore            *store,
                                         GCancellable            *cancellable,
                                         GAsyncReadyCallback      callback,
                                         gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (TURNOUT_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_contact_selection_resolve_async);
  g_task_set_task_data (task, turnout_contact_selection_ref (self),
                        (GDestroyNotify) turnout_contact_selection_unref);
  turnout_store_run_in_thread (store, task, resolve_worker);
}

/**
 * turnout_contact_selection_resolve_finish:
 *
 * Returns: (transfer full) (element-type gint64): the ids, in the order the
 *   list showed them, or %NULL with @error set
 */
GArray *
turnout_contact_selection_resolve_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_is_valid (result, g_task_get_source_object (G_TASK (result))), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_contact_selection_resolve_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The list ---------------------------------------------------------------- */

typedef struct
{
  guint         index;
  guint         serial;     /* tells a page from a later one at the same index */
  GPtrArray    *rows;       /* TurnoutContact, owned */
  GList         lru_link;   /* in TurnoutContactList.lru; data is the page */
  GCancellable *fetching;   /* owned, while a read is in flight */
  gboolean      loaded;
} Page;

struct _TurnoutContactList
{
  GObject             parent_instance;

  TurnoutStore       *store;            /* owned, nullable */
  TurnoutSettings    *settings;         /* owned, nullable */
  gulong              settings_changed;
  char               *search_text;
  TurnoutContactSort  sort_key;
  gboolean            sort_descending;
  GArray             *hidden;           /* sorted gint64; replaced, never changed, once shared */

  /* What the view shows: the query the count and pages are of. */
  Query              *query;            /* owned, nullable */
  guint               n_items;
  gint64              n_with;
  GHashTable         *pages;            /* index → Page, owned */
  GQueue              lru;              /* Page, most recently used first */
  guint               next_serial;
  guint               n_fetching;

  /* A count in flight for the query the view will show next. */
  GCancellable       *counting;         /* owned, nullable */
  gboolean            count_resets;     /* the next count changes the whole list */
  guint               generation;
  gboolean            loading;
};

static void turnout_contact_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TurnoutContactList, turnout_contact_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      turnout_contact_list_model_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_SEARCH_TEXT,
  PROP_SORT_KEY,
  PROP_SORT_DESCENDING,
  PROP_N_ITEMS,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOAD_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void requery (TurnoutContactList *self,
                     gboolean            reset);

static void
page_free (Page *page)
{
  if (page->fetching != NULL)
    {
      g_cancellable_cancel (page->fetching);
      g_clear_object (&page->fetching);
    }
  g_ptr_array_unref (page->rows);
  g_free (page);
}

static void
update_loading (TurnoutContactList *self)
{
  gboolean loading = self->counting != NULL || self->n_fetching > 0;

  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
drop_pages (TurnoutContactList *self)
{
  /* The links live in the pages: forget them, don't free them. */
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->pages);
}

static char *
dup_setting (TurnoutContactList *self,
             const char         *key)
{
  if (self->settings == NULL)
    return g_strdup (turnout_setting_spec_lookup (key)->default_value);
  return turnout_settings_dup_string (self->settings, key);
}

static Query *
make_query (TurnoutContactList *self)
{
  g_autofree char *region = dup_setting (self, "contacts.default_region");
  g_autofree char *currency = dup_setting (self, "general.currency");

  return query_new (self->search_text, region, currency, self->sort_key, self->sort_descending,
                    self->hidden);
}

/* Reading a page ----------------------------------------------------------- */

typedef struct
{
  Query        *query;
  gint64        n_with;
  guint         index;
  guint         serial;
  guint         n_rows;
  GCancellable *cancellable;   /* owned; the page's while this is its latest read */
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  query_unref (data->query);
  g_object_unref (data->cancellable);
  g_free (data);
}

static void
fetch_worker (GTask        *task,
              sqlite3      *db,
              gpointer      task_data,
              GCancellable *cancellable)
{
  FetchData *data = task_data;
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func (g_object_unref);
  GError *error = NULL;
  gboolean ok;

  ok = query_attach (data->query, db, &error);
  ok = ok && turnout_db_exec (db, "BEGIN", &error);
  ok = ok && query_read (data->query, db, data->n_with, (gint64) data->index * PAGE_SIZE,
                         data->n_rows, contacts, NULL, &error);
  ok = ok && turnout_db_commit (db, &error);
  turnout_db_rollback (db);
  query_detach (data->query, db);

  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&contacts), (GDestroyNotify) g_ptr_array_unref);
}

static void
fill_page (Page      *page,
           GPtrArray *contacts)
{
  for (guint i = 0; i < page->rows->len && i < contacts->len; i++)
    turnout_contact_update_from (g_ptr_array_index (page->rows, i),
                                 g_ptr_array_index (contacts, i));
  page->loaded = TRUE;
}

static void
on_fetch_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TurnoutContactList *self = TURNOUT_CONTACT_LIST (source);
  FetchData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  Page *page;

  self->n_fetching--;
  contacts = g_task_propagate_pointer (G_TASK (result), &error);

  /* Only the latest read of a page still in the list may fill it: an older
   * one was cancelled, though it may have finished before it noticed. */
  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (data->index));
  if (page == NULL || page->serial != data->serial || page->fetching != data->cancellable)
    {
      update_loading (self);
      return;
    }
  g_clear_object (&page->fetching);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      update_loading (self);
      return;
    }
  if (error != NULL)
    {
      g_signal_emit (self, signals[LOAD_FAILED], 0, error);
      update_loading (self);
      return;
    }

  fill_page (page, contacts);
  /* Fewer rows than counted: the table changed under the list. */
  if (contacts->len < page->rows->len && self->counting == NULL)
    requery (self, FALSE);
  update_loading (self);
}

static void
fetch_page (TurnoutContactList *self,
            Page               *page)
{
  g_autoptr(GTask) task = NULL;
  FetchData *data;

  if (page->fetching != NULL)
    {
      g_cancellable_cancel (page->fetching);
      g_clear_object (&page->fetching);
    }
  page->fetching = g_cancellable_new ();

  data = g_new0 (FetchData, 1);
  data->query = query_ref (self->query);
  data->n_with = self->n_with;
  data->index = page->index;
  data->serial = page->serial;
  data->n_rows = page->rows->len;
  data->cancellable = g_object_ref (page->fetching);

  task = g_task_new (self, page->fetching, on_fetch_done_cb, NULL);
  g_task_set_source_tag (task, fetch_page);
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);
  self->n_fetching++;
  turnout_store_run_in_thread (self->store, task, fetch_worker);
  update_loading (self);
}

static guint
page_length (TurnoutContactList *self,
             guint               index)
{
  return MIN (PAGE_SIZE, self->n_items - index * PAGE_SIZE);
}

static Page *
add_page (TurnoutContactList *self,
          guint               index,
          GPtrArray          *contacts)
{
  Page *page = g_new0 (Page, 1);
  guint n = page_length (self, index);

  page->index = index;
  page->serial = ++self->next_serial;
  page->lru_link.data = page;
  page->rows = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (page->rows, contacts != NULL && i < contacts->len
                                   ? g_object_ref (g_ptr_array_index (contacts, i))
                                   : turnout_contact_new_placeholder ());
  page->loaded = contacts != NULL && contacts->len >= n;

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
  g_queue_push_head_link (&self->lru, &page->lru_link);

  /* The least recently used pages go; a row widget still bound to one of
   * their contacts keeps it, but the list forgets it. */
  while (self->lru.length > MAX_PAGES)
    {
      Page *old = g_queue_peek_tail (&self->lru);

      g_queue_unlink (&self->lru, &old->lru_link);
      g_hash_table_remove (self->pages, GUINT_TO_POINTER (old->index));
    }
  return page;
}

static GType
turnout_contact_list_get_item_type (GListModel *model)
{
  return TURNOUT_TYPE_CONTACT;
}

static guint
turnout_contact_list_get_n_items (GListModel *model)
{
  return TURNOUT_CONTACT_LIST (model)->n_items;
}

static gpointer
turnout_contact_list_get_item (GListModel *model,
                               guint       position)
{
  TurnoutContactList *self = TURNOUT_CONTACT_LIST (model);
  guint index = position / PAGE_SIZE;
  Page *page;

  if (position >= self->n_items)
    return NULL;

  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  if (page == NULL)
    {
      page = add_page (self, index, NULL);
      /* While a new count is in flight, the page is read once it is known. */
      if (self->counting == NULL)
        fetch_page (self, page);
    }
  else if (self->lru.head != &page->lru_link)
    {
      g_queue_unlink (&self->lru, &page->lru_link);
      g_queue_push_head_link (&self->lru, &page->lru_link);
    }

  return g_object_ref (g_ptr_array_index (page->rows, position % PAGE_SIZE));
}

static void
turnout_contact_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = turnout_contact_list_get_item_type;
  iface->get_n_items = turnout_contact_list_get_n_items;
  iface->get_item = turnout_contact_list_get_item;
}

/* Counting ---------------------------------------------------------------- */

typedef struct
{
  Query   *query;
  guint    generation;
  GArray  *prefetch;     /* guint page indexes */
  /* Results */
  gint64   n_items;
  gint64   n_with;
  GPtrArray *pages;      /* GPtrArray of TurnoutContact, one per prefetch index */
} CountData;

static void
count_data_free (CountData *data)
{
  query_unref (data->query);
  g_array_unref (data->prefetch);
  g_clear_pointer (&data->pages, g_ptr_array_unref);
  g_free (data);
}

static void
count_worker (GTask        *task,
              sqlite3      *db,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CountData *data = task_data;
  GError *error = NULL;
  gboolean ok;

  data->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  ok = query_attach (data->query, db, &error);
  ok = ok && turnout_db_exec (db, "BEGIN", &error);
  ok = ok && query_count (data->query, db, &data->n_items, &data->n_with, &error);
  for (guint i = 0; ok && i < data->prefetch->len; i++)
    {
      guint index = g_array_index (data->prefetch, guint, i);
      GPtrArray *contacts = g_ptr_array_new_with_free_func (g_object_unref);

      g_ptr_array_add (data->pages, contacts);
      if ((gint64) index * PAGE_SIZE < data->n_items)
        ok = query_read (data->query, db, data->n_with, (gint64) index * PAGE_SIZE, PAGE_SIZE,
                         contacts, NULL, &error);
    }
  ok = ok && turnout_db_commit (db, &error);
  turnout_db_rollback (db);
  query_detach (data->query, db);

  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_count_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TurnoutContactList *self = TURNOUT_CONTACT_LIST (source);
  CountData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  guint old_n_items = self->n_items;
  gboolean reset;

  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* A later search or sort superseded this one. */
  if (data->generation != self->generation)
    return;

  g_clear_object (&self->counting);
  if (error != NULL)
    {
      g_signal_emit (self, signals[LOAD_FAILED], 0, error);
      update_loading (self);
      return;
    }

  g_clear_pointer (&self->query, query_unref);
  self->query = query_ref (data->query);
  self->n_with = data->n_with;
  reset = self->count_resets || (guint) data->n_items != self->n_items;
  self->count_resets = FALSE;

  if (reset)
    {
      drop_pages (self);
      self->n_items = (guint) data->n_items;
      for (guint i = 0; i < data->prefetch->len; i++)
        {
          guint index = g_array_index (data->prefetch, guint, i);

          if ((gint64) index * PAGE_SIZE < data->n_items &&
              g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index)) == NULL)
            {
              Page *page = add_page (self, index, g_ptr_array_index (data->pages, i));

              if (!page->loaded)
                fetch_page (self, page);
            }
        }
      if (old_n_items > 0 || self->n_items > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n_items, self->n_items);
      if (old_n_items != self->n_items)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  else
    {
      /* The same rows, perhaps with new values: bring the rows shown up to
       * date where they are. */
      g_autoptr(GHashTable) prefetched = g_hash_table_new (NULL, NULL);
      GHashTableIter iter;
      Page *page;

      for (guint i = 0; i < data->prefetch->len; i++)
        {
          guint index = g_array_index (data->prefetch, guint, i);

          page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
          if (page != NULL && !g_hash_table_contains (prefetched, page))
            {
              GPtrArray *contacts = g_ptr_array_index (data->pages, i);

              fill_page (page, contacts);
              g_hash_table_add (prefetched, page);
            }
        }
      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &page))
        if (!g_hash_table_contains (prefetched, page))
          fetch_page (self, page);
    }
  update_loading (self);
}

static void
requery (TurnoutContactList *self,
         gboolean            reset)
{
  g_autoptr(GTask) task = NULL;
  CountData *data;
  guint first = 0;

  if (self->counting != NULL)
    {
      g_cancellable_cancel (self->counting);
      g_clear_object (&self->counting);
    }
  self->generation++;
  self->count_resets |= reset;

  /* Rows read for the old query would be read again. */
  for (GList *l = self->lru.head; l != NULL; l = l->next)
    {
      Page *page = l->data;

      if (page->fetching != NULL)
        {
          g_cancellable_cancel (page->fetching);
          g_clear_object (&page->fetching);
        }
    }

  if (self->store == NULL)
    {
      guint old_n_items = self->n_items;

      drop_pages (self);
      g_clear_pointer (&self->query, query_unref);
      self->n_items = 0;
      self->n_with = 0;
      self->count_resets = FALSE;
      if (old_n_items > 0)
        {
          g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n_items, 0);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
        }
      update_loading (self);
      return;
    }

  data = g_new0 (CountData, 1);
  data->query = make_query (self);
  data->generation = self->generation;
  data->prefetch = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (data->prefetch, first);
  for (GList *l = self->lru.head; l != NULL && data->prefetch->len < 1 + N_PREFETCH; l = l->next)
    {
      Page *page = l->data;

      if (page->index != 0)
        g_array_append_val (data->prefetch, page->index);
    }

  self->counting = g_cancellable_new ();
  task = g_task_new (self, self->counting, on_count_done_cb, NULL);
  g_task_set_source_tag (task, requery);
  g_task_set_task_data (task, data, (GDestroyNotify) count_data_free);
  turnout_store_run_in_thread (self->store, task, count_worker);
  update_loading (self);
}

/* GObject ----------------------------------------------------------------- */

static void
on_settings_changed_cb (TurnoutContactList *self,
                        const char         *key)
{
  if (g_str_equal (key, "contacts.default_region"))
    {
      if (self->query != NULL && self->query->searching)
        requery (self, TRUE);
    }
  else if (g_str_equal (key, "general.currency"))
    requery (self, FALSE);
}

static void
turnout_contact_list_dispose (GObject *object)
{
  TurnoutContactList *self = TURNOUT_CONTACT_LIST (object);

  if (self->counting != NULL)
    {
      g_cancellable_cancel (self->counting);
      g_clear_object (&self->counting);
    }
  drop_pages (self);
  g_clear_signal_handler (&self->settings_changed, self->settings);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (turnout_contact_list_parent_class)->dispose (object);
}

static void
turnout_contact_list_finalize (GObject *object)
{
  TurnoutContactList *self = TURNOUT_CONTACT_LIST (object);

  g_hash_table_unref (self->pages);
  g_clear_pointer (&self->query, query_unref);
  g_clear_pointer (&self->hidden, g_array_unref);
  g_free (self->search_text);

  G_OBJECT_CLASS (turnout_contact_list_parent_class)->finalize (object);
}

static void
turnout_contact_list_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TurnoutContactList *self = TURNOUT_CONTACT_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_SEARCH_TEXT:
      g_value_set_string (value, self->search_text);
      break;
    case PROP_SORT_KEY:
      g_value_set_enum (value, self->sort_key);
      break;
    case PROP_SORT_DESCENDING:
      g_value_set_boolean (value, self->sort_descending);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_contact_list_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TurnoutContactList *self = TURNOUT_CONTACT_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      turnout_contact_list_set_store (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      turnout_contact_list_set_settings (self, g_value_get_object (value));
      break;
    case PROP_SEARCH_TEXT:
      turnout_contact_list_set_search_text (self, g_value_get_string (value));
      break;
    case PROP_SORT_KEY:
      turnout_contact_list_set_sort_key (self, g_value_get_enum (value));
      break;
    case PROP_SORT_DESCENDING:
      turnout_contact_list_set_sort_descending (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_contact_list_class_init (TurnoutContactListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_contact_list_dispose;
  object_class->finalize = turnout_contact_list_finalize;
  object_class->get_property = turnout_contact_list_get_property;
  object_class->set_property = turnout_contact_list_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TurnoutContactList:settings:
   *
   * Where the region of phone numbers searched without a country code and
   * the currency of the spend come from; %NULL uses their defaults.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TurnoutContactList:search-text:
   *
   * Words every contact listed matches: parts of a phone number match the
   * start of the number, in international form or in that of the default
   * region; other words match the start of a word of the name or email.
   */
  properties[PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_KEY] =
    g_param_spec_enum ("sort-key", NULL, NULL, TURNOUT_TYPE_CONTACT_SORT,
                       TURNOUT_CONTACT_SORT_NAME,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_DESCENDING] =
    g_param_spec_boolean ("sort-descending", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TurnoutContactList:loading:
   *
   * %TRUE while a count or a page of rows is being read.
   */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TurnoutContactList::load-failed:
   * @error: what went wrong
   *
   * Reading the count or a page failed; the list stays as it was.
   */
  signals[LOAD_FAILED] =
    g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
turnout_contact_list_init (TurnoutContactList *self)
{
  self->search_text = g_strdup ("");
  self->sort_key = TURNOUT_CONTACT_SORT_NAME;
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) page_free);
  g_queue_init (&self->lru);
}

/**
 * turnout_contact_list_new:
 * @store: (nullable): the store to list the contacts of
 * @settings: (nullable): the settings of @store
 *
 * Returns: (transfer full): a list of all contacts, by name, which starts
 *   counting them at once
 */
TurnoutContactList *
turnout_contact_list_new (TurnoutStore    *store,
                          TurnoutSettings *settings)
{
  g_return_val_if_fail (store == NULL || TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings), NULL);

  return g_object_new (TURNOUT_TYPE_CONTACT_LIST,
                       "settings", settings,
                       "store", store,
                       NULL);
}

TurnoutStore *
turnout_contact_list_get_store (TurnoutContactList *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_LIST (self), NULL);

  return self->store;
}

void
turnout_contact_list_set_store (TurnoutContactList *self,
                                TurnoutStore       *store)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_LIST (self));
  g_return_if_fail (store == NULL || TURNOUT_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  /* Ids of another file mean nothing here. */
  g_clear_pointer (&self->hidden, g_array_unref);
  requery (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

TurnoutSettings *
turnout_contact_list_get_settings (TurnoutContactList *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_LIST (self), NULL);

  return self->settings;
}

void
turnout_contact_list_set_settings (TurnoutContactList *self,
                                   TurnoutSettings    *settings)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_LIST (self));
  g_return_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;
  g_clear_signal_handler (&self->settings_changed, self->settings);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    self->settings_changed = g_signal_connect_object (settings, "changed",
                                                      G_CALLBACK (on_settings_changed_cb), self,
                                                      G_CONNECT_SWAPPED);
  if (self->store != NULL)
    requery (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

const char *
turnout_contact_list_get_search_text (TurnoutContactList *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_LIST (self), NULL);

  return self->search_text;
}

/**
 * turnout_contact_list_set_search_text:
 * @search_text: (nullable): what to search for; empty or %NULL lists all
 *
 * Searches on a worker; a search still in flight is cancelled, and the list
 * changes once, when the new count is known.
 */
void
turnout_contact_list_set_search_text (TurnoutContactList *self,
                                      const char         *search_text)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_LIST (self));

  if (search_text == NULL)
    search_text = "";
  if (g_str_equal (self->search_text, search_text))
    return;
  g_free (self->search_text);
  self->search_text = g_strdup (search_text);
  requery (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
}

TurnoutContactSort
turnout_contact_list_get_sort_key (TurnoutContactList *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_LIST (self), TURNOUT_CONTACT_SORT_NAME);

  return self->sort_key;
}

void
turnout_contact_list_set_sort_key (TurnoutContactList *self,
                                   TurnoutContactSort  sort_key)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_LIST (self));

  turnout_contact_list_set_sort (self, sort_key, self->sort_descending);
}

gboolean
turnout_contact_list_get_sort_descending (TurnoutContactList *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_LIST (self), FALSE);

  return self->sort_descending;
}

void
turnout_contact_list_set_sort_descending (TurnoutContactList *self,
                                          gboolean            descending)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_LIST (self));

  turnout_contact_list_set_sort (self, self->sort_key, descending);
}

/**
 * turnout_contact_list_set_sort:
 *
 * Sorts by @sort_key in one go (one new count, one change of the list).
 */
void
turnout_contact_list_set_sort (TurnoutContactList *self,
                               TurnoutContactSort  sort_key,
                               gboolean            descending)
{
  gboolean key_changed;
  gboolean descending_changed;

  g_return_if_fail (TURNOUT_IS_CONTACT_LIST (self));
  g_return_if_fail (sort_key <= TURNOUT_CONTACT_SORT_CREATED);

  descending = !!descending;
  key_changed = self->sort_key != sort_key;
  descending_changed = self->sort_descending != descending;
  if (!key_changed && !descending_changed)
    return;

  self->sort_key = sort_key;
  self->sort_descending = descending;
  requery (self, TRUE);
  if (key_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_KEY]);
  if (descending_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_DESCENDING]);
}

gboolean
turnout_contact_list_get_loading (TurnoutContactList *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_LIST (self), FALSE);

  return self->loading;
}

/**
 * turnout_contact_list_refresh:
 *
 * Counts again and reads the rows shown again, after the contacts changed
 * (an import, a bulk action). When the count is the same, the rows are
 * updated in place; otherwise the whole list changes.
 */
void
turnout_contact_list_refresh (TurnoutContactList *self)
{
  g_return_if_fail (TURNOUT_IS_CONTACT_LIST (self));

  requery (self, FALSE);
}

static void
set_hidden (TurnoutContactList *self,
            GArray             *hidden)
{
  g_clear_pointer (&self->hidden, g_array_unref);
  if (hidden->len > 0)
    self->hidden = g_array_ref (hidden);
  requery (self, FALSE);
}

/**
 * turnout_contact_list_add_pending_deletion:
 * @ids: (element-type gint64): contacts about to be deleted
 *
 * Leaves these contacts out of the list until they are given back with
 * turnout_contact_list_remove_pending_deletion(): an undoable delete hides
 * them at once and deletes them only when it can no longer be undone.
 */
void
turnout_contact_list_add_pending_deletion (TurnoutContactList *self,
                                           GArray             *ids)
{
  g_autoptr(GArray) hidden = NULL;
  guint kept = 0;

  g_return_if_fail (TURNOUT_IS_CONTACT_LIST (self));
  g_return_if_fail (ids != NULL);

  if (ids->len == 0)
    return;

  /* A new array: workers may be reading the old one. */
  hidden = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                              ids->len + (self->hidden != NULL ? self->hidden->len : 0));
  if (self->hidden != NULL)
    g_array_append_vals (hidden, self->hidden->data, self->hidden->len);
  g_array_append_vals (hidden, ids->data, ids->len);
  g_array_sort (hidden, compare_ids);
  for (guint i = 0; i < hidden->len; i++)
    if (kept == 0 || g_array_index (hidden, gint64, i) != g_array_index (hidden, gint64, kept - 1))
      g_array_index (hidden, gint64, kept++) = g_array_index (hidden, gint64, i);
  g_array_set_size (hidden, kept);
  set_hidden (self, hidden);
}

/**
 * turnout_contact_list_remove_pending_deletion:
 * @ids: (element-type gint64): contacts given to
 *   turnout_contact_list_add_pending_deletion()
 *
 * Lists these contacts again (the delete was undone), or stops leaving out
 * ids that no longer exist (the delete happened).
 */
void
turnout_contact_list_remove_pending_deletion (TurnoutContactList *self,
                                              GArray             *ids)
{
  g_autoptr(GArray) removed = NULL;
  g_autoptr(GArray) hidden = NULL;

  g_return_if_fail (TURNOUT_IS_CONTACT_LIST (self));
  g_return_if_fail (ids != NULL);

  if (self->hidden == NULL || ids->len == 0)
    return;

  removed = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ids->len);
  g_array_append_vals (removed, ids->data, ids->len);
  g_array_sort (removed, compare_ids);
  hidden = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->hidden->len);
  for (guint i = 0; i < self->hidden->len; i++)
    {
      gint64 id = g_array_index (self->hidden, gint64, i);

      if (bsearch (&id, removed->data, removed->len, sizeof (gint64), compare_ids) == NULL)
        g_array_append_val (hidden, id);
    }
  if (hidden->len == self->hidden->len)
    return;
  set_hidden (self, hidden);
}

/**
 * turnout_contact_list_get_n_pending_deletion:
 *
 * Returns: how many contacts are left out as about to be deleted
 */
guint
turnout_contact_list_get_n_pending_deletion (TurnoutContactList *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_LIST (self), 0);

  return self->hidden != NULL ? self->hidden->len : 0;
}

/**
 * turnout_contact_list_dup_selection:
 * @ranges: (array length=n_ranges): positions in the list as shown
 *
 * Makes a selection of the contacts at these positions. When they are all
 * in pages already read, it holds their ids; otherwise it holds the
 * positions and the list's query, and a worker finds the ids when an
 * action runs, so selecting all of a large list costs nothing here.
 *
 * Returns: (transfer full): the selection
 */
TurnoutContactSelection *
turnout_contact_list_dup_selection (TurnoutContactList        *self,
                                    const TurnoutContactRange *ranges,
                                    guint                      n_ranges)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint64 total = 0;

  g_return_val_if_fail (TURNOUT_IS_CONTACT_LIST (self), NULL);
  g_return_val_if_fail (ranges != NULL || n_ranges == 0, NULL);

  for (guint i = 0; i < n_ranges; i++)
    total += ranges[i].n_items;

  if (total <= (guint64) MAX_PAGES * PAGE_SIZE)
    {
      for (guint i = 0; i < n_ranges; i++)
        for (guint p = ranges[i].position; p < ranges[i].position + ranges[i].n_items; p++)
          {
            Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (p / PAGE_SIZE));
            TurnoutContact *contact;

            if (page == NULL || !page->loaded || p >= self->n_items)
              goto by_query;
            contact = g_ptr_array_index (page->rows, p % PAGE_SIZE);
            if (!turnout_contact_get_loaded (contact))
              goto by_query;
            {
              gint64 id = turnout_contact_get_id (contact);

              g_array_append_val (ids, id);
            }
          }
      return turnout_contact_selection_new_for_ids ((gint64 *) ids->data, ids->len);
    }

by_query:
  if (self->query == NULL)
    return turnout_contact_selection_new_for_ids (NULL, 0);
  return selection_new_for_query (self->query, self->n_with, ranges, n_ranges);
}
