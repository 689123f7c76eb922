/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_CONTACTS_ERROR (turnout_contacts_error_quark ())

typedef enum
{
  TURNOUT_CONTACTS_ERROR_NOT_FOUND,
} TurnoutContactsError;

GQuark    turnout_contacts_error_quark (void);
char     *turnout_email_normalize      (const char    *text,
                                        GError       **error);
gint64    turnout_contacts_count       (TurnoutStore  *store,
                                        GCancellable  *cancellable,
                                        GError       **error);
char     *turnout_contacts_dup_json    (TurnoutStore  *store,
                                        gint64         contact_id,
                                        GError       **error);
gboolean  turnout_contacts_erase       (TurnoutStore  *store,
                                        gint64         contact_id,
                                        GError       **error);
gint64    turnout_contacts_export_csv  (TurnoutStore  *store,
                                        GOutputStream *output,
                                        GArray        *contact_ids,
                                        GCancellable  *cancellable,
                                        GError       **error);

gint64    turnout_registrations_export_csv (TurnoutStore  *store,
                                            GOutputStream *output,
                                            gint64         event_id,
                                            GCancellable  *cancellable,
                                            GError       **error);

G_END_DECLS
