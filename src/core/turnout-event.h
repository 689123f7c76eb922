/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_EVENT_ERROR (turnout_event_error_quark ())

/**
 * TurnoutEventError:
 * @TURNOUT_EVENT_ERROR_NO_NAME: the name is empty
 * @TURNOUT_EVENT_ERROR_NO_START: the start is not set
 * @TURNOUT_EVENT_ERROR_END_BEFORE_START: the end is not after the start
 * @TURNOUT_EVENT_ERROR_BAD_TIME_ZONE: the time zone is not a known IANA name
 * @TURNOUT_EVENT_ERROR_NOT_FOUND: the event (or the registration, or the
 *   contact) is no longer in the store
 * @TURNOUT_EVENT_ERROR_ALREADY_REGISTERED: the contact already has a
 *   registration for the event
 */
typedef enum
{
  TURNOUT_EVENT_ERROR_NO_NAME,
  TURNOUT_EVENT_ERROR_NO_START,
  TURNOUT_EVENT_ERROR_END_BEFORE_START,
  TURNOUT_EVENT_ERROR_BAD_TIME_ZONE,
  TURNOUT_EVENT_ERROR_NOT_FOUND,
  TURNOUT_EVENT_ERROR_ALREADY_REGISTERED,
} TurnoutEventError;

#define TURNOUT_TYPE_EVENT (turnout_event_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutEvent, turnout_event, TURNOUT, EVENT, GObject)

GQuark turnout_event_error_quark (void);

TurnoutEvent       *turnout_event_new             (void);
TurnoutEvent       *turnout_event_copy            (TurnoutEvent       *self);
void                turnout_event_update_from     (TurnoutEvent       *self,
                                                   TurnoutEvent       *other);
gint64              turnout_event_get_id          (TurnoutEvent       *self);
void                turnout_event_set_id          (TurnoutEvent       *self,
                                                   gint64              id);
const char         *turnout_event_get_name        (TurnoutEvent       *self);
void                turnout_event_set_name        (TurnoutEvent       *self,
                                                   const char         *name);
gint64              turnout_event_get_starts_at   (TurnoutEvent       *self);
void                turnout_event_set_starts_at   (TurnoutEvent       *self,
                                                   gint64              starts_at);
gint64              turnout_event_get_ends_at     (TurnoutEvent       *self);
void                turnout_event_set_ends_at     (TurnoutEvent       *self,
                                                   gint64              ends_at);
const char         *turnout_event_get_time_zone   (TurnoutEvent       *self);
void                turnout_event_set_time_zone   (TurnoutEvent       *self,
                                                   const char         *zone);
const char         *turnout_event_get_venue       (TurnoutEvent       *self);
void                turnout_event_set_venue       (TurnoutEvent       *self,
                                                   const char         *venue);
const char         *turnout_event_get_city        (TurnoutEvent       *self);
void                turnout_event_set_city        (TurnoutEvent       *self,
                                                   const char         *city);
const char * const *turnout_event_get_genres      (TurnoutEvent       *self);
void                turnout_event_set_genres      (TurnoutEvent       *self,
                                                   const char * const *genres);
void                turnout_event_set_genres_text (TurnoutEvent       *self,
                                                   const char         *text);
char               *turnout_event_dup_genres_text (TurnoutEvent       *self);

guint  turnout_event_get_draft_count      (TurnoutEvent *self);
guint  turnout_event_get_registered_count (TurnoutEvent *self);
guint  turnout_event_get_cancelled_count  (TurnoutEvent *self);
guint  turnout_event_get_attended_count   (TurnoutEvent *self);
guint  turnout_event_get_n_registrations  (TurnoutEvent *self);
gint64 turnout_event_get_revenue          (TurnoutEvent *self);
void   turnout_event_set_counts           (TurnoutEvent *self,
                                           guint         draft,
                                           guint         registered,
                                           guint         cancelled,
                                           guint         attended,
                                           gint64        revenue);

gboolean  turnout_event_validate         (TurnoutEvent  *self,
                                          GError       **error);
gboolean  turnout_event_has_started      (TurnoutEvent  *self,
                                          gint64         now);
gboolean  turnout_event_matches          (TurnoutEvent  *self,
                                          const char    *query);
char     *turnout_event_dup_when_label   (TurnoutEvent  *self);
char     *turnout_event_dup_date_label   (TurnoutEvent  *self);
char     *turnout_event_dup_place_label  (TurnoutEvent  *self);
char     *turnout_event_dup_counts_label (TurnoutEvent  *self);

gboolean    turnout_time_zone_is_valid (const char *zone);
GTimeZone  *turnout_time_zone_new      (const char *zone);
char       *turnout_format_date_time   (gint64      time,
                                        const char *zone);
char      **turnout_split_genres       (const char *text);

G_END_DECLS
