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
