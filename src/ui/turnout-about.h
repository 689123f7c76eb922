/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

GtkWidget *turnout_about_window_new_from_resource (const char *resource_path,
                                                   const char *release_notes_version);

G_END_DECLS
