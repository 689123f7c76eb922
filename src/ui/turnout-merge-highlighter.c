/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-merge-highlighter"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-merge.h"
#include "turnout-merge-highlighter.h"

/*
 * Shows the merge fields of a template editor as the user types: fields
 * stand out, literal braces are dimmed, and a mistake (an unknown field, a
 * brace never closed) is underlined, with what is wrong in its tooltip.
 * The text is scanned again on every change; templates are short and the
 * scan is linear, so typing stays instant.
 */

struct _TurnoutMergeHighlighter
{
  GObject      parent_instance;

  GtkTextView *view;        /* weak */
  gboolean     markup;      /* HTML: braces of stylesheets are text */
  GPtrArray   *tokens;      /* TurnoutMergeToken, of the text as it is */
  GPtrArray   *errors;      /* the ERROR tokens of @tokens, not owned */
  char        *text;
};

G_DEFINE_FINAL_TYPE (TurnoutMergeHighlighter, turnout_merge_highlighter, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkTextTag *
ensure_tag (GtkTextBuffer *buffer,
            const char    *name)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  GtkTextTag *tag = gtk_text_tag_table_lookup (table, name);

  if (tag != NULL)
    return tag;
  if (g_str_equal (name, "turnout-merge-field"))
    return gtk_text_buffer_create_tag (buffer, name, "weight", PANGO_WEIGHT_BOLD,
                                       "foreground", "#1a5fb4", "background", "#dbe7f7", NULL);
  if (g_str_equal (name, "turnout-merge-escape"))
    return gtk_text_buffer_create_tag (buffer, name, "foreground", "#77767b", NULL);
  return gtk_text_buffer_create_tag (buffer, name, "underline", PANGO_UNDERLINE_ERROR,
                                     "underline-rgba", &(GdkRGBA) { 0.88, 0.11, 0.14, 1.0 },
                                     NULL);
}

static void
get_iters (GtkTextBuffer     *buffer,
           const char        *text,
           TurnoutMergeToken *token,
           GtkTextIter       *start,
           GtkTextIter       *end)
{
  gtk_text_buffer_get_iter_at_offset (buffer, start,
                                      (int) g_utf8_pointer_to_offset (text, text + token->start));
  gtk_text_buffer_get_iter_at_offset (buffer, end,
                                      (int) g_utf8_pointer_to_offset (text, text + token->end));
}

static void
on_buffer_changed_cb (TurnoutMergeHighlighter *self,
                      GtkTextBuffer           *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  g_free (self->text);
  self->text = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
  gtk_text_buffer_remove_tag (buffer, ensure_tag (buffer, "turnout-merge-field"), &start, &end);
  gtk_text_buffer_remove_tag (buffer, ensure_tag (buffer, "turnout-merge-escape"), &start, &end);
  gtk_text_buffer_remove_tag (buffer, ensure_tag (buffer, "turnout-merge-error"), &start, &end);

  g_clear_pointer (&self->tokens, g_ptr_array_unref);
  g_ptr_array_set_size (self->errors, 0);
  self->tokens = turnout_merge_scan_full (self->text, self->markup);
  for (guint i = 0; i < self->tokens->len; i++)
    {
      TurnoutMergeToken *token = g_ptr_array_index (self->tokens, i);
      const char *name;

      switch (token->kind)
        {
        case TURNOUT_MERGE_TOKEN_FIELD:
          name = "turnout-merge-field";
          break;
        case TURNOUT_MERGE_TOKEN_ESCAPE:
          name = "turnout-merge-escape";
          break;
        case TURNOUT_MERGE_TOKEN_ERROR:
          name = "turnout-merge-error";
          g_ptr_array_add (self->errors, token);
          break;
        case TURNOUT_MERGE_TOKEN_TEXT:
        default:
          continue;
        }
      get_iters (buffer, self->text, token, &start, &end);
      gtk_text_buffer_apply_tag (buffer, ensure_tag (buffer, name), &start, &end);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The core's message already names the field probably meant. */
static char *
describe_error (TurnoutMergeToken *token)
{
  return g_strdup (token->message);
}

static gboolean
on_query_tooltip_cb (GtkWidget               *widget,
                     int                      x,
                     int                      y,
                     gboolean                 keyboard,
                     GtkTooltip              *tooltip,
                     TurnoutMergeHighlighter *self)
{
  GtkTextView *view = GTK_TEXT_VIEW (widget);
  GtkTextIter iter;
  int bx, by, offset;
  const char *at;

  if (self->text == NULL)
    return FALSE;
  if (keyboard)
    gtk_text_buffer_get_iter_at_mark (gtk_text_view_get_buffer (view), &iter,
                                      gtk_text_buffer_get_insert (gtk_text_view_get_buffer (view)));
  else
    {
      gtk_text_view_window_to_buffer_coords (view, GTK_TEXT_WINDOW_WIDGET, x, y, &bx, &by);
      if (!gtk_text_view_get_iter_at_location (view, &iter, bx, by))
        return FALSE;
    }
  offset = gtk_text_iter_get_offset (&iter);
  at = g_utf8_offset_to_pointer (self->text, offset);
  for (guint i = 0; i < self->errors->len; i++)
    {
      TurnoutMergeToken *token = g_ptr_array_index (self->errors, i);

      if ((guint) (at - self->text) >= token->start && (guint) (at - self->text) < MAX (token->end, token->start + 1))
        {
          g_autofree char *message = describe_error (token);

          gtk_tooltip_set_text (tooltip, message);
          return TRUE;
        }
    }
  return FALSE;
}

static void
turnout_merge_highlighter_dispose (GObject *object)
{
  TurnoutMergeHighlighter *self = TURNOUT_MERGE_HIGHLIGHTER (object);

  if (self->view != NULL)
    {
      g_signal_handlers_disconnect_by_data (gtk_text_view_get_buffer (self->view), self);
      g_signal_handlers_disconnect_by_data (self->view, self);
      g_object_remove_weak_pointer (G_OBJECT (self->view), (gpointer *) &self->view);
      self->view = NULL;
    }
  G_OBJECT_CLASS (turnout_merge_highlighter_parent_class)->dispose (object);
}

static void
turnout_merge_highlighter_finalize (GObject *object)
{
  TurnoutMergeHighlighter *self = TURNOUT_MERGE_HIGHLIGHTER (object);

  g_clear_pointer (&self->errors, g_ptr_array_unref);
  g_clear_pointer (&self->tokens, g_ptr_array_unref);
  g_free (self->text);

  G_OBJECT_CLASS (turnout_merge_highlighter_parent_class)->finalize (object);
}

static void
turnout_merge_highlighter_class_init (TurnoutMergeHighlighterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_merge_highlighter_dispose;
  object_class->finalize = turnout_merge_highlighter_finalize;

  /**
   * TurnoutMergeHighlighter::changed:
   *
   * The text was scanned again; the errors may be different.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
turnout_merge_highlighter_init (TurnoutMergeHighlighter *self)
{
  self->errors = g_ptr_array_new ();
}

/**
 * turnout_merge_highlighter_new:
 *
 * Returns: (transfer full): a highlighter of @view's text. Keep it as long
 *   as the view.
 */
TurnoutMergeHighlighter *
turnout_merge_highlighter_new (GtkTextView *view)
{
  TurnoutMergeHighlighter *self;
  GtkTextBuffer *buffer;

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), NULL);

  self = g_object_new (TURNOUT_TYPE_MERGE_HIGHLIGHTER, NULL);
  self->view = view;
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &self->view);
  buffer = gtk_text_view_get_buffer (view);
  g_signal_connect_swapped (buffer, "changed", G_CALLBACK (on_buffer_changed_cb), self);
  gtk_widget_set_has_tooltip (GTK_WIDGET (view), TRUE);
  g_signal_connect (view, "query-tooltip", G_CALLBACK (on_query_tooltip_cb), self);
  on_buffer_changed_cb (self, buffer);
  return self;
}

/**
 * turnout_merge_highlighter_get_errors:
 *
 * Returns: (transfer none) (element-type TurnoutMergeToken): the mistakes
 *   in the text as it is, in order.
 */
GPtrArray *
turnout_merge_highlighter_get_errors (TurnoutMergeHighlighter *self)
{
  g_return_val_if_fail (TURNOUT_IS_MERGE_HIGHLIGHTER (self), NULL);

  return self->errors;
}

/**
 * turnout_merge_highlighter_dup_summary:
 *
 * Returns: (transfer full) (nullable): the first mistake with its line and
 *   column, and how many more there are; %NULL when there is none.
 */
char *
turnout_merge_highlighter_dup_summary (TurnoutMergeHighlighter *self)
{
  TurnoutMergeToken *first;
  g_autofree char *message = NULL;
  g_autofree char *where = NULL;

  g_return_val_if_fail (TURNOUT_IS_MERGE_HIGHLIGHTER (self), NULL);

  if (self->errors->len == 0)
    return NULL;
  first = g_ptr_array_index (self->errors, 0);
  message = describe_error (first);
  /* TRANSLATORS: where a mistake is in a template. */
  where = g_strdup_printf (_("Line %u, column %u"), first->line, first->column);
  if (self->errors->len == 1)
    /* TRANSLATORS: "Line 1, column 4: Unknown field …". */
    return g_strdup_printf (_("%s: %s"), where, message);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %s (and %u more mistake)",
                                       "%s: %s (and %u more mistakes)", self->errors->len - 1),
                          where, message, self->errors->len - 1);
}

/**
 * turnout_merge_highlighter_set_markup:
 * @markup: %TRUE when the text is HTML, whose stylesheet braces are text
 */
void
turnout_merge_highlighter_set_markup (TurnoutMergeHighlighter *self,
                                      gboolean                 markup)
{
  g_return_if_fail (TURNOUT_IS_MERGE_HIGHLIGHTER (self));

  if (self->markup == !!markup)
    return;
  self->markup = !!markup;
  if (self->view != NULL)
    on_buffer_changed_cb (self, gtk_text_view_get_buffer (self->view));
}
