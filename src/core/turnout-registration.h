/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "turnout-types.h"

G_BEGIN_DECLS

/**
 * TurnoutRegistrationStatus:
 * @TURNOUT_REGISTRATION_DRAFT: started, not confirmed (an unpaid checkout)
 * @TURNOUT_REGISTRATION_REGISTERED: confirmed: a ticket or a place on the list
 * @TURNOUT_REGISTRATION_CANCELLED: cancelled or refunded
 * @TURNOUT_REGISTRATION_ATTENDED: came to the event
 *
 * The nicks are the values of `registrations.status`.
 */
typedef enum
{
  TURNOUT_REGISTRATION_DRAFT,
  TURNOUT_REGISTRATION_REGISTERED,
  TURNOUT_REGISTRATION_CANCELLED,
  TURNOUT_REGISTRATION_ATTENDED,
} TurnoutRegistrationStatus;

#define TURNOUT_TYPE_REGISTRATION_STATUS (turnout_registration_status_get_type ())

GType       turnout_registration_status_get_type    (void) G_GNUC_CONST;
const char *turnout_registration_status_to_string   (TurnoutRegistrationStatus  status);
gboolean    turnout_registration_status_from_string (const char                *text,
                                                     TurnoutRegistrationStatus *status);
const char *turnout_registration_status_get_label   (TurnoutRegistrationStatus  status);

#define TURNOUT_TYPE_REGISTRATION (turnout_registration_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutRegistration, turnout_registration, TURNOUT, REGISTRATION, GObject)

TurnoutRegistration *turnout_registration_new         (void);
void                 turnout_registration_update_from (TurnoutRegistration *self,
                                                       TurnoutRegistration *other);

gint64 turnout_registration_get_id         (TurnoutRegistration *self);
void   turnout_registration_set_id         (TurnoutRegistration *self,
                                            gint64               id);
gint64 turnout_registration_get_event_id   (TurnoutRegistration *self);
void   turnout_registration_set_event_id   (TurnoutRegistration *self,
                                            gint64               event_id);
gint64 turnout_registration_get_contact_id (TurnoutRegistration *self);
void   turnout_registration_set_contact_id (TurnoutRegistration *self,
                                            gint64               contact_id);

const char *turnout_registration_get_contact_name (TurnoutRegistration *self);
void        turnout_registration_set_contact_name (TurnoutRegistration *self,
                                                   const char          *name);
const char *turnout_registration_get_phone        (TurnoutRegistration *self);
void        turnout_registration_set_phone        (TurnoutRegistration *self,
                                                   const char          *phone);
const char *turnout_registration_get_email        (TurnoutRegistration *self);
void        turnout_registration_set_email        (TurnoutRegistration *self,
                                                   const char          *email);

TurnoutRegistrationStatus turnout_registration_get_status (TurnoutRegistration       *self);
void                      turnout_registration_set_status (TurnoutRegistration       *self,
                                                           TurnoutRegistrationStatus  status);
gint64                    turnout_registration_get_amount (TurnoutRegistration       *self);
void                      turnout_registration_set_amount (TurnoutRegistration       *self,
                                                           gint64                     amount);

const char *turnout_registration_get_ticket_type (TurnoutRegistration *self);
void        turnout_registration_set_ticket_type (TurnoutRegistration *self,
                                                  const char          *ticket_type);

gint64      turnout_registration_get_created_at   (TurnoutRegistration *self);
void        turnout_registration_set_created_at   (TurnoutRegistration *self,
                                                   gint64               time);
gint64      turnout_registration_get_confirmed_at (TurnoutRegistration *self);
void        turnout_registration_set_confirmed_at (TurnoutRegistration *self,
                                                   gint64               time);
gint64      turnout_registration_get_cancelled_at (TurnoutRegistration *self);
void        turnout_registration_set_cancelled_at (TurnoutRegistration *self,
                                                   gint64               time);
const char *turnout_registration_get_time_zone    (TurnoutRegistration *self);
void        turnout_registration_set_time_zone    (TurnoutRegistration *self,
                                                   const char          *zone);

const char *turnout_registration_get_contact_detail (TurnoutRegistration *self);
gboolean    turnout_registration_matches            (TurnoutRegistration *self,
                                                     const char          *query);
char       *turnout_format_amount                   (gint64               minor_units);

G_END_DECLS
