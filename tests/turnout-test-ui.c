/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-test"

#include "config.h"

#include "turnout-test-ui.h"

/*
 * What the widget tests share: finding widgets in a tree the way a user
 * would look for them.
 */

/**
 * collect_widgets:
 * @found: (element-type GtkWidget): receives @root and every descendant
 *   that @match accepts, in tree order
 */
void
collect_widgets (GtkWidget     *root,
                 WidgetMatch    match,
                 gconstpointer  data,
                 GPtrArray     *found)
{
  if (match (root, data))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, match, data, found);
}

/**
 * find_widget:
 *
 * Returns: (transfer none) (nullable): the first widget @match accepts.
 */
GtkWidget *
find_widget (GtkWidget     *root,
             WidgetMatch    match,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (root, match, data, found);
  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

gboolean
is_type (GtkWidget     *widget,
         gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  return find_widget (root, is_type, GSIZE_TO_POINTER (type));
}

static gboolean
is_shown_label (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
         && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static gboolean
is_shown_label_containing (GtkWidget     *widget,
                           gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
         && strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

/**
 * turnout_test_shows:
 *
 * Returns: whether a label the user can see (mapped) under @root says
 *   exactly @text.
 */
gboolean
turnout_test_shows (GtkWidget  *root,
                    const char *text)
{
  return find_widget (root, is_shown_label, text) != NULL;
}

/**
 * turnout_test_shows_part:
 *
 * Returns: whether a label the user can see under @root contains @text.
 */
gboolean
turnout_test_shows_part (GtkWidget  *root,
                         const char *text)
{
  return find_widget (root, is_shown_label_containing, text) != NULL;
}

/**
 * turnout_test_spin_for:
 *
 * Runs the main loop for @milliseconds: for what must not happen.
 */
void
turnout_test_spin_for (guint milliseconds)
{
  gint64 until = g_get_monotonic_time () + milliseconds * 1000;
  guint wake_id = g_timeout_add (10, turnout_test_wake_up_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_id);
}

/**
 * turnout_test_find_toplevel:
 *
 * Returns: (transfer none) (nullable): a visible window of @type.
 */
GtkWindow *
turnout_test_find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}
