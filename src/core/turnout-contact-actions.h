/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-contact-list.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_CONTACT_ACTIONS_ERROR (turnout_contact_actions_error_quark ())

typedef enum
{
  TURNOUT_CONTACT_ACTIONS_ERROR_INVALID_TAG,
  TURNOUT_CONTACT_ACTIONS_ERROR_NO_CHANNEL,
} TurnoutContactActionsError;

/**
 * TurnoutSuppressChannels:
 * @TURNOUT_SUPPRESS_SMS: suppress the contacts' phone numbers
 * @TURNOUT_SUPPRESS_EMAIL: suppress the contacts' email addresses
 */
typedef enum
{
  TURNOUT_SUPPRESS_SMS   = 1 << 0,
  TURNOUT_SUPPRESS_EMAIL = 1 << 1,
} TurnoutSuppressChannels;

GQuark  turnout_contact_actions_error_quark       (void);
char   *turnout_contact_actions_normalize_tag     (const char               *name,
                                                   GError                  **error);
void    turnout_contact_actions_add_tag_async     (TurnoutStore             *store,
                                                   TurnoutContactSelection  *selection,
                                                   const char               *tag,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
gint64  turnout_contact_actions_add_tag_finish    (TurnoutStore             *store,
                                                   GAsyncResult             *result,
                                                   GError                  **error);
void    turnout_contact_actions_remove_tag_async  (TurnoutStore             *store,
                                                   TurnoutContactSelection  *selection,
                                                   const char               *tag,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
gint64  turnout_contact_actions_remove_tag_finish (TurnoutStore             *store,
                                                   GAsyncResult             *result,
                                                   GError                  **error);
void    turnout_contact_actions_suppress_async    (TurnoutStore             *store,
                                                   TurnoutContactSelection  *selection,
                                                   TurnoutSuppressChannels   channels,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
gint64  turnout_contact_actions_suppress_finish   (TurnoutStore             *store,
                                                   GAsyncResult             *result,
                                                   GError                  **error);
void    turnout_contact_actions_delete_async      (TurnoutStore             *store,
                                                   TurnoutContactSelection  *selection,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
gint64  turnout_contact_actions_delete_finish     (TurnoutStore             *store,
                                                   GAsyncResult             *result,
                                                   GError                  **error);
void    turnout_contact_actions_export_async      (TurnoutStore             *store,
                                                   TurnoutContactSelection  *selection,
                                                   GFile                    *file,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
gint64  turnout_contact_actions_export_finish     (TurnoutStore             *store,
                                                   GAsyncResult             *result,
                                                   GError                  **error);
void    turnout_contact_actions_list_tags_async   (TurnoutStore             *store,
                                                   GCancellable             *cancellable,
                                                   GAsyncReadyCallback       callback,
                                                   gpointer                  user_data);
GStrv   turnout_contact_actions_list_tags_finish  (TurnoutStore             *store,
                                                   GAsyncResult             *result,
                                                   GError                  **error);

G_END_DECLS
