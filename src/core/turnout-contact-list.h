/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-store.h"
#include "turnout-types.h"

G_BEGIN_DECLS

/**
 * TurnoutContactSort:
 * @TURNOUT_CONTACT_SORT_NAME: last name, then first name, ignoring case
 * @TURNOUT_CONTACT_SORT_PHONE: phone number; contacts without one last
 * @TURNOUT_CONTACT_SORT_EMAIL: email address; contacts without one last
 * @TURNOUT_CONTACT_SORT_EVENTS_ATTENDED: number of events attended
 * @TURNOUT_CONTACT_SORT_TOTAL_SPEND: total spend
 * @TURNOUT_CONTACT_SORT_LAST_EVENT: date of the last event; contacts who attended none last
 * @TURNOUT_CONTACT_SORT_SMS_CONSENT: SMS consent (opted in, opted out, unknown)
 * @TURNOUT_CONTACT_SORT_EMAIL_CONSENT: email consent (opted in, opted out, unknown)
 * @TURNOUT_CONTACT_SORT_CREATED: when the contact was added
 *
 * What the contact list is sorted by. Each has an index, so every page of
 * a sorted list is read without sorting the table; ties go by row id.
 */
typedef enum
{
  TURNOUT_CONTACT_SORT_NAME,
  TURNOUT_CONTACT_SORT_PHONE,
  TURNOUT_CONTACT_SORT_EMAIL,
  TURNOUT_CONTACT_SORT_EVENTS_ATTENDED,
  TURNOUT_CONTACT_SORT_TOTAL_SPEND,
  TURNOUT_CONTACT_SORT_LAST_EVENT,
  TURNOUT_CONTACT_SORT_SMS_CONSENT,
  TURNOUT_CONTACT_SORT_EMAIL_CONSENT,
  TURNOUT_CONTACT_SORT_CREATED,
} TurnoutContactSort;

#define TURNOUT_TYPE_CONTACT_SORT (turnout_contact_sort_get_type ())
GType turnout_contact_sort_get_type (void);

/**
 * TurnoutContactRange:
 * @position: the first position in the list
 * @n_items: how many positions from there
 */
typedef struct
{
  guint position;
  guint n_items;
} TurnoutContactRange;

/**
 * TurnoutContactSelection:
 *
 * Contacts a bulk action works on, fixed when it is made: either a set of
 * ids, or ranges of positions in a contact list as it was shown (its
 * search, sort and hidden rows), which a worker turns into ids. So
 * selecting all of a million rows costs nothing until the action runs,
 * and then only on the worker. Immutable and thread-safe.
 */
typedef struct _TurnoutContactSelection TurnoutContactSelection;

#define TURNOUT_TYPE_CONTACT_SELECTION (turnout_contact_selection_get_type ())

GType                    turnout_contact_selection_get_type       (void) G_GNUC_CONST;
TurnoutContactSelection *turnout_contact_selection_new_for_ids    (const gint64              *ids,
                                                                   guint                      n_ids);
TurnoutContactSelection *turnout_contact_selection_ref            (TurnoutContactSelection   *self);
void                     turnout_contact_selection_unref          (TurnoutContactSelection   *self);
guint                    turnout_contact_selection_get_size       (TurnoutContactSelection   *self);
GArray                  *turnout_contact_selection_resolve        (TurnoutContactSelection   *self,
                                                                   sqlite3                   *db,
                                                                   GCancellable              *cancellable,
                                                                   GError                   **error);
void                     turnout_contact_selection_resolve_async  (TurnoutContactSelection   *self,
                                                                   TurnoutStore              *store,
                                                                   GCancellable              *cancellable,
                                                                   GAsyncReadyCallback        callback,
                                                                   gpointer                   user_data);
GArray                  *turnout_contact_selection_resolve_finish (GAsyncResult              *result,
                                                                   GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutContactSelection, turnout_contact_selection_unref)

#define TURNOUT_TYPE_CONTACT_LIST (turnout_contact_list_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutContactList, turnout_contact_list, TURNOUT, CONTACT_LIST, GObject)

TurnoutContactList      *turnout_contact_list_new                     (TurnoutStore              *store,
                                                                       TurnoutSettings           *settings);
TurnoutStore            *turnout_contact_list_get_store               (TurnoutContactList        *self);
void                     turnout_contact_list_set_store               (TurnoutContactList        *self,
                                                                       TurnoutStore              *store);
TurnoutSettings         *turnout_contact_list_get_settings            (TurnoutContactList        *self);
void                     turnout_contact_list_set_settings            (TurnoutContactList        *self,
                                                                       TurnoutSettings           *settings);
const char              *turnout_contact_list_get_search_text         (TurnoutContactList        *self);
void                     turnout_contact_list_set_search_text         (TurnoutContactList        *self,
                                                                       const char                *search_text);
TurnoutContactSort       turnout_contact_list_get_sort_key            (TurnoutContactList        *self);
void                     turnout_contact_list_set_sort_key            (TurnoutContactList        *self,
                                                                       TurnoutContactSort         sort_key);
gboolean                 turnout_contact_list_get_sort_descending     (TurnoutContactList        *self);
void                     turnout_contact_list_set_sort_descending     (TurnoutContactList        *self,
                                                                       gboolean                   descending);
void                     turnout_contact_list_set_sort                (TurnoutContactList        *self,
                                                                       TurnoutContactSort         sort_key,
                                                                       gboolean                   descending);
gboolean                 turnout_contact_list_get_loading             (TurnoutContactList        *self);
void                     turnout_contact_list_refresh                 (TurnoutContactList        *self);
void                     turnout_contact_list_add_pending_deletion    (TurnoutContactList        *self,
                                                                       GArray                    *ids);
void                     turnout_contact_list_remove_pending_deletion (TurnoutContactList        *self,
                                                                       GArray                    *ids);
guint                    turnout_contact_list_get_n_pending_deletion  (TurnoutContactList        *self);
TurnoutContactSelection *turnout_contact_list_dup_selection           (TurnoutContactList        *self,
                                                                       const TurnoutContactRange *ranges,
                                                                       guint                      n_ranges);

G_END_DECLS
