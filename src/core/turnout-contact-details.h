/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_CONTACT_DETAILS_ERROR (turnout_contact_details_error_quark ())

/**
 * TurnoutContactDetailsError:
 * @TURNOUT_CONTACT_DETAILS_ERROR_INVALID: one field or more is not valid;
 *   the field errors say which and why
 * @TURNOUT_CONTACT_DETAILS_ERROR_DUPLICATE: the phone number or email
 *   address belongs to another contact
 * @TURNOUT_CONTACT_DETAILS_ERROR_NOT_FOUND: there is no contact with that id
 *   (it may have been erased meanwhile)
 */
typedef enum
{
  TURNOUT_CONTACT_DETAILS_ERROR_INVALID,
  TURNOUT_CONTACT_DETAILS_ERROR_DUPLICATE,
  TURNOUT_CONTACT_DETAILS_ERROR_NOT_FOUND,
} TurnoutContactDetailsError;

/**
 * TurnoutContactConsentChange:
 * @channel: "sms" or "email"
 * @status: "unknown", "opted_in" or "opted_out"
 * @source: (nullable): where it came from: "manual", "form", "import",
 *   "keyword", "STOP reply"…
 * @changed_at: when, in Unix seconds
 *
 * One entry of a contact's consent history, which is only ever appended to.
 */
typedef struct
{
  char   *channel;
  char   *status;
  char   *source;
  gint64  changed_at;
} TurnoutContactConsentChange;

/**
 * TurnoutContactRegistration:
 * @event_id: the event
 * @event_name: its name
 * @event_starts_at: when it starts, in Unix seconds
 * @event_time_zone: the zone its times are shown in
 * @status: "draft", "registered", "cancelled" or "attended"
 * @amount: what was paid, in the currency's minor units (cents)
 * @ticket_type: the kind of ticket, or ""
 *
 * One registration of a contact for an event.
 */
typedef struct
{
  gint64  event_id;
  char   *event_name;
  gint64  event_starts_at;
  char   *event_time_zone;
  char   *status;
  gint64  amount;
  char   *ticket_type;
} TurnoutContactRegistration;

#define TURNOUT_TYPE_CONTACT_CONSENT_CHANGE (turnout_contact_consent_change_get_type ())
#define TURNOUT_TYPE_CONTACT_REGISTRATION (turnout_contact_registration_get_type ())

GType                        turnout_contact_consent_change_get_type (void) G_GNUC_CONST;
TurnoutContactConsentChange *turnout_contact_consent_change_copy
                               (const TurnoutContactConsentChange *change);
void                         turnout_contact_consent_change_free
                               (TurnoutContactConsentChange *change);
GType                        turnout_contact_registration_get_type   (void) G_GNUC_CONST;
TurnoutContactRegistration  *turnout_contact_registration_copy
                               (const TurnoutContactRegistration *registration);
void                         turnout_contact_registration_free
                               (TurnoutContactRegistration *registration);

#define TURNOUT_TYPE_CONTACT_DETAILS (turnout_contact_details_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutContactDetails, turnout_contact_details,
                      TURNOUT, CONTACT_DETAILS, GObject)

GQuark                 turnout_contact_details_error_quark     (void);

TurnoutContactDetails *turnout_contact_details_new             (void);
TurnoutContactDetails *turnout_contact_details_copy            (TurnoutContactDetails *self);

/* The fields. */
gint64                 turnout_contact_details_get_id          (TurnoutContactDetails *self);
const char            *turnout_contact_details_get_first_name  (TurnoutContactDetails *self);
void                   turnout_contact_details_set_first_name  (TurnoutContactDetails *self,
                                                                const char            *first_name);
const char            *turnout_contact_details_get_last_name   (TurnoutContactDetails *self);
void                   turnout_contact_details_set_last_name   (TurnoutContactDetails *self,
                                                                const char            *last_name);
const char            *turnout_contact_details_get_phone       (TurnoutContactDetails *self);
void                   turnout_contact_details_set_phone       (TurnoutContactDetails *self,
                                                                const char            *phone);
const char            *turnout_contact_details_get_email       (TurnoutContactDetails *self);
void                   turnout_contact_details_set_email       (TurnoutContactDetails *self,
                                                                const char            *email);
const char            *turnout_contact_details_get_city        (TurnoutContactDetails *self);
void                   turnout_contact_details_set_city        (TurnoutContactDetails *self,
                                                                const char            *city);
const char            *turnout_contact_details_get_time_zone   (TurnoutContactDetails *self);
void                   turnout_contact_details_set_time_zone   (TurnoutContactDetails *self,
                                                                const char            *time_zone);
const char            *turnout_contact_details_get_notes       (TurnoutContactDetails *self);
void                   turnout_contact_details_set_notes       (TurnoutContactDetails *self,
                                                                const char            *notes);
const char * const    *turnout_contact_details_get_tags        (TurnoutContactDetails *self);
void                   turnout_contact_details_set_tags        (TurnoutContactDetails *self,
                                                                const char * const    *tags);
gboolean               turnout_contact_details_is_genre        (TurnoutContactDetails *self,
                                                                const char            *tag);
char                  *turnout_contact_details_dup_display_name (TurnoutContactDetails *self);

/* Consent, per channel ("sms" or "email"), and its history. */
const char *turnout_contact_details_get_consent         (TurnoutContactDetails  *self,
                                                         const char             *channel,
                                                         gint64                 *changed_at,
                                                         const char            **source);
void        turnout_contact_details_set_consent         (TurnoutContactDetails  *self,
                                                         const char             *channel,
                                                         const char             *status,
                                                         const char             *source);
gboolean    turnout_contact_details_get_consent_changed (TurnoutContactDetails  *self,
                                                         const char             *channel);
GPtrArray  *turnout_contact_details_get_consent_history (TurnoutContactDetails  *self);

/* Registrations and the figures, read-only. */
GPtrArray *turnout_contact_details_get_registrations   (TurnoutContactDetails *self);
guint      turnout_contact_details_get_events_attended (TurnoutContactDetails *self);
gint64     turnout_contact_details_get_total_spend     (TurnoutContactDetails *self);
gint64     turnout_contact_details_get_first_event_at  (TurnoutContactDetails *self);
gint64     turnout_contact_details_get_last_event_at   (TurnoutContactDetails *self);
gint64     turnout_contact_details_get_created_at      (TurnoutContactDetails *self);
gint64     turnout_contact_details_get_updated_at      (TurnoutContactDetails *self);

/* Checking, as a save does, without the database. */
GHashTable *turnout_contact_details_validate        (TurnoutContactDetails *self,
                                                     const char            *default_region);
const char *turnout_contact_details_field_get_label (const char            *field);

/* The store, on workers. */
void                   turnout_contact_details_load_async  (TurnoutStore           *store,
                                                            gint64                  contact_id,
                                                            GCancellable           *cancellable,
                                                            GAsyncReadyCallback     callback,
                                                            gpointer                user_data);
TurnoutContactDetails *turnout_contact_details_load_finish (GAsyncResult           *result,
                                                            GError                **error);
void                   turnout_contact_details_save_async  (TurnoutStore           *store,
                                                            TurnoutContactDetails  *details,
                                                            const char             *default_region,
                                                            GCancellable           *cancellable,
                                                            GAsyncReadyCallback     callback,
                                                            gpointer                user_data);
TurnoutContactDetails *turnout_contact_details_save_finish (GAsyncResult           *result,
                                                            GHashTable            **field_errors,
                                                            GError                **error);

void  turnout_contact_details_list_tags_async  (TurnoutStore         *store,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GStrv turnout_contact_details_list_tags_finish (GAsyncResult         *result,
                                                GError              **error);

/* GDPR, for one contact, on workers. */
void     turnout_contact_details_erase_async   (TurnoutStore         *store,
                                                gint64                contact_id,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean turnout_contact_details_erase_finish  (GAsyncResult         *result,
                                                GError              **error);
void     turnout_contact_details_export_async  (TurnoutStore         *store,
                                                gint64                contact_id,
                                                GFile                *file,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean turnout_contact_details_export_finish (GAsyncResult         *result,
                                                GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutContactConsentChange, turnout_contact_consent_change_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutContactRegistration, turnout_contact_registration_free)

G_END_DECLS
