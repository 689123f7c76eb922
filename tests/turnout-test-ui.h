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

G_END_DECLS
