/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "turnout-test-utils.h"

G_BEGIN_DECLS

typedef gboolean (*WidgetMatch) (GtkWidget     *widget,
                                 gconstpointer  data);

void       collect_widgets (GtkWidget     *root,
                            WidgetMatch    match,
                            gconstpointer  data,
                            GPtrArray     *found);
GtkWidget *find_widget     (GtkWidget     *root,
                            WidgetMatch    match,
                            gconstpointer  data);
gboolean   is_type         (GtkWidget     *widget,
                            gconstpointer  data);
GtkWidget *find_type       (GtkWidget     *root,
                            GType          type);

gboolean   turnout_test_shows         (GtkWidget  *root,
                                       const char *text);
gboolean   turnout_test_shows_part    (GtkWidget  *root,
                                       const char *text);
void       turnout_test_spin_for      (guint       milliseconds);
GtkWindow *turnout_test_find_toplevel (GType       type);

G_END_DECLS
