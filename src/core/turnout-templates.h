/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "turnout-template.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TEMPLATE_ERROR (turnout_template_error_quark ())

typedef enum
{
  TURNOUT_TEMPLATE_ERROR_INVALID,
  TURNOUT_TEMPLATE_ERROR_EXISTS,
  TURNOUT_TEMPLATE_ERROR_NOT_FOUND,
  TURNOUT_TEMPLATE_ERROR_IN_USE,
} TurnoutTemplateError;

GQuark           turnout_template_error_quark     (void);

/* Blocking: for workers and the CLI. */
GListModel      *turnout_templates_list           (TurnoutStore         *store,
                                                   GError              **error);
TurnoutTemplate *turnout_templates_get            (TurnoutStore         *store,
                                                   const char           *name,
                                                   GError              **error);
TurnoutTemplate *turnout_templates_save           (TurnoutStore         *store,
                                                   TurnoutTemplate      *template,
                                                   GError              **error);

void             turnout_templates_list_async     (TurnoutStore         *store,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
GListModel      *turnout_templates_list_finish    (TurnoutStore         *store,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void             turnout_templates_save_async     (TurnoutStore         *store,
                                                   TurnoutTemplate      *template,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
TurnoutTemplate *turnout_templates_save_finish    (TurnoutStore         *store,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void             turnout_templates_delete_async   (TurnoutStore         *store,
                                                   gint64                template_id,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean         turnout_templates_delete_finish  (TurnoutStore         *store,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* For workers. */
TurnoutTemplate *turnout_db_template_get          (sqlite3              *db,
                                                   gint64                template_id,
                                                   const char           *name,
                                                   GError              **error);

G_END_DECLS
