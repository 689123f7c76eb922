/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-merge-completion"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-merge.h"
#include "turnout-merge-completion.h"
#include "turnout-merge-proposal.h"

/*
 * Completion of merge fields in template editors: typing "{" offers every
 * field with what it holds, typing on narrows the list, and choosing one
 * writes the name and the closing brace. Only names directly after an
 * opening brace are completed, so ordinary words are left alone.
 */

struct _TurnoutMergeCompletion
{
  GObject parent_instance;
};

static void provider_iface_init (GtkSourceCompletionProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TurnoutMergeCompletion, turnout_merge_completion, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GTK_SOURCE_TYPE_COMPLETION_PROVIDER,
                                                      provider_iface_init))

static char *
turnout_merge_completion_get_title (GtkSourceCompletionProvider *provider)
{
  return g_strdup (_("Merge Fields"));
}

static gboolean
turnout_merge_completion_is_trigger (GtkSourceCompletionProvider *provider,
                                     const GtkTextIter           *iter,
                                     gunichar                     ch)
{
  return ch == '{';
}

/* Whether the word being completed follows a single "{" (not "{{"). */
static gboolean
after_brace (GtkSourceCompletionContext *context)
{
  GtkTextIter begin, end, before;

  if (!gtk_source_completion_context_get_bounds (context, &begin, &end))
    return FALSE;
  before = begin;
  if (!gtk_text_iter_backward_char (&before) || gtk_text_iter_get_char (&before) != '{')
    return FALSE;
  return !gtk_text_iter_backward_char (&before) || gtk_text_iter_get_char (&before) != '{';
}

static gboolean
matches (const char *field,
         const char *word)
{
  return word == NULL || *word == '\0' || g_str_has_prefix (field, word);
}

static GListStore *
proposals_for (const char *word)
{
  GListStore *store = g_list_store_new (TURNOUT_TYPE_MERGE_PROPOSAL);
  const char * const *fields = turnout_merge_list_fields ();

  for (guint i = 0; fields[i] != NULL; i++)
    if (matches (fields[i], word))
      {
        g_autoptr(TurnoutMergeProposal) proposal = turnout_merge_proposal_new (fields[i]);

        g_list_store_append (store, proposal);
      }
  return store;
}

static void
turnout_merge_completion_populate_async (GtkSourceCompletionProvider *provider,
                                         GtkSourceCompletionContext  *context,
                                         GCancellable                *cancellable,
                                         GAsyncReadyCallback          callback,
                                         gpointer                     user_data)
{
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);
  g_autofree char *word = gtk_source_completion_context_get_word (context);

  if (!after_brace (context))
    g_task_return_pointer (task, g_list_store_new (TURNOUT_TYPE_MERGE_PROPOSAL), g_object_unref);
  else
    g_task_return_pointer (task, proposals_for (word), g_object_unref);
}

static GListModel *
turnout_merge_completion_populate_finish (GtkSourceCompletionProvider  *provider,
                                          GAsyncResult                 *result,
                                          GError                      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
turnout_merge_completion_refilter (GtkSourceCompletionProvider *provider,
                                   GtkSourceCompletionContext  *context,
                                   GListModel                  *model)
{
  g_autofree char *word = gtk_source_completion_context_get_word (context);
  g_autoptr(GListStore) fresh = proposals_for (after_brace (context) ? word : "\x01");

  /* The context's model is ours: replace its items in place. */
  if (G_IS_LIST_STORE (model))
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (fresh)); i++)
        g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (fresh), i));
      g_list_store_splice (G_LIST_STORE (model), 0, g_list_model_get_n_items (model),
                           items->pdata, items->len);
    }
}

static void
turnout_merge_completion_display (GtkSourceCompletionProvider *provider,
                                  GtkSourceCompletionContext  *context,
                                  GtkSourceCompletionProposal *proposal,
                                  GtkSourceCompletionCell     *cell)
{
  const char *field = turnout_merge_proposal_get_field (TURNOUT_MERGE_PROPOSAL (proposal));

  switch (gtk_source_completion_cell_get_column (cell))
    {
    case GTK_SOURCE_COMPLETION_COLUMN_TYPED_TEXT:
      gtk_source_completion_cell_set_text (cell, field);
      break;
    case GTK_SOURCE_COMPLETION_COLUMN_COMMENT:
      gtk_source_completion_cell_set_text (cell, turnout_merge_field_describe (field));
      break;
    case GTK_SOURCE_COMPLETION_COLUMN_ICON:
    case GTK_SOURCE_COMPLETION_COLUMN_BEFORE:
    case GTK_SOURCE_COMPLETION_COLUMN_AFTER:
    case GTK_SOURCE_COMPLETION_COLUMN_DETAILS:
    default:
      gtk_source_completion_cell_set_text (cell, NULL);
      break;
    }
}

static void
turnout_merge_completion_activate (GtkSourceCompletionProvider *provider,
                                   GtkSourceCompletionContext  *context,
                                   GtkSourceCompletionProposal *proposal)
{
  const char *field = turnout_merge_proposal_get_field (TURNOUT_MERGE_PROPOSAL (proposal));
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (gtk_source_completion_context_get_buffer (context));
  g_autofree char *text = NULL;
  GtkTextIter begin, end;

  if (!gtk_source_completion_context_get_bounds (context, &begin, &end))
    return;
  /* Close the field unless a brace already follows. */
  text = gtk_text_iter_get_char (&end) == '}' ? g_strdup (field) : g_strconcat (field, "}", NULL);
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &begin, &end);
  gtk_text_buffer_insert (buffer, &begin, text, -1);
  gtk_text_buffer_end_user_action (buffer);
}

static void
provider_iface_init (GtkSourceCompletionProviderInterface *iface)
{
  iface->get_title = turnout_merge_completion_get_title;
  iface->is_trigger = turnout_merge_completion_is_trigger;
  iface->populate_async = turnout_merge_completion_populate_async;
  iface->populate_finish = turnout_merge_completion_populate_finish;
  iface->refilter = turnout_merge_completion_refilter;
  iface->display = turnout_merge_completion_display;
  iface->activate = turnout_merge_completion_activate;
}

static void
turnout_merge_completion_class_init (TurnoutMergeCompletionClass *klass)
{
}

static void
turnout_merge_completion_init (TurnoutMergeCompletion *self)
{
}

TurnoutMergeCompletion *
turnout_merge_completion_new (void)
{
  return g_object_new (TURNOUT_TYPE_MERGE_COMPLETION, NULL);
}

/**
 * turnout_merge_completion_attach:
 *
 * Completes merge fields in @view.
 */
void
turnout_merge_completion_attach (GtkSourceView *view)
{
  g_autoptr(TurnoutMergeCompletion) completion = turnout_merge_completion_new ();

  gtk_source_completion_add_provider (gtk_source_view_get_completion (view),
                                      GTK_SOURCE_COMPLETION_PROVIDER (completion));
}
