/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "turnout-types.h"

G_BEGIN_DECLS

/**
 * TurnoutContactRecord:
 * @id: the contact's row id
 * @first_name: (nullable): the first name
 * @last_name: (nullable): the last name
 * @phone: (nullable): the phone number in E.164
 * @email: (nullable): the lower-cased email address
 * @city: (nullable): the city
 * @tags: (nullable): the names of the contact's tags and genres, joined with ", "
 * @events_attended: how many events the contact attended
 * @total_spend: what the contact spent, in minor units of the currency
 * @last_event_at: when the last event attended started (Unix seconds), or 0
 * @sms_consent: (nullable): "opted_in", "opted_out" or "unknown"
 * @email_consent: (nullable): "opted_in", "opted_out" or "unknown"
 *
 * One row of the contacts table as the contact list reads it.
 */
typedef struct
{
  gint64      id;
  const char *first_name;
  const char *last_name;
  const char *phone;
  const char *email;
  const char *city;
  const char *tags;
  gint64      events_attended;
  gint64      total_spend;
  gint64      last_event_at;
  const char *sms_consent;
  const char *email_consent;
} TurnoutContactRecord;

#define TURNOUT_TYPE_CONTACT (turnout_contact_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutContact, turnout_contact, TURNOUT, CONTACT, GObject)

TurnoutContact *turnout_contact_new_placeholder             (void);
TurnoutContact *turnout_contact_new                         (const TurnoutContactRecord *record,
                                                             const char                 *currency);
void            turnout_contact_update_from                 (TurnoutContact             *self,
                                                             TurnoutContact             *source);
gboolean        turnout_contact_get_loaded                  (TurnoutContact             *self);
gint64          turnout_contact_get_id                      (TurnoutContact             *self);
const char     *turnout_contact_get_first_name              (TurnoutContact             *self);
const char     *turnout_contact_get_last_name               (TurnoutContact             *self);
const char     *turnout_contact_get_display_name            (TurnoutContact             *self);
const char     *turnout_contact_get_phone                   (TurnoutContact             *self);
const char     *turnout_contact_get_phone_display           (TurnoutContact             *self);
const char     *turnout_contact_get_email                   (TurnoutContact             *self);
const char     *turnout_contact_get_city                    (TurnoutContact             *self);
const char     *turnout_contact_get_tags                    (TurnoutContact             *self);
gint64          turnout_contact_get_events_attended         (TurnoutContact             *self);
const char     *turnout_contact_get_events_attended_display (TurnoutContact             *self);
gint64          turnout_contact_get_total_spend             (TurnoutContact             *self);
const char     *turnout_contact_get_total_spend_display     (TurnoutContact             *self);
gint64          turnout_contact_get_last_event_at           (TurnoutContact             *self);
const char     *turnout_contact_get_last_event_display      (TurnoutContact             *self);
const char     *turnout_contact_get_sms_consent             (TurnoutContact             *self);
const char     *turnout_contact_get_sms_consent_display     (TurnoutContact             *self);
const char     *turnout_contact_get_email_consent           (TurnoutContact             *self);
const char     *turnout_contact_get_email_consent_display   (TurnoutContact             *self);
char           *turnout_format_money                        (gint64                      minor_units,
                                                             const char                 *currency);

G_END_DECLS
