/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/*
 * A segment is a rule tree kept as versioned JSON:
 *
 *   {"version": 1, "match": "all"|"any"|"none", "rules": [RULE, …]}
 *
 * where RULE is either a group {"match": …, "rules": […]} (nested to any
 * depth; an empty "all" or "none" group matches everyone, an empty "any"
 * group no one) or a condition {"field": F, "op": O, "value": V}:
 *
 *   tags                    any | all | none        ["name", …] (tags and genres,
 *                                                    names compared ignoring ASCII case)
 *   events_attended         eq | ne | gte | lte     N,  or between [LOW, HIGH]
 *   total_spend             (as events_attended)    amounts in minor units (cents)
 *   first_event, last_event,
 *   created                 before | after | on     "YYYY-MM-DD"
 *                           within_days | more_than_days_ago   N (whole days)
 *                           (first_event and last_event are of events attended)
 *   registered_for          is                      EVENT-ID, optional "status":
 *                                                    draft|registered|cancelled|attended
 *   attended                is                      EVENT-ID
 *   upcoming_registration   within_days N | any (no value)
 *   cancelled_registration  within_days             N
 *   confirmed_registration  within_days             N
 *   city                    is | is_not             "text" (ignoring ASCII case)
 *   time_zone               is | is_not             "Area/City"
 *   sms_consent             is | is_not             unknown|opted_in|opted_out
 *   email_consent           (as sms_consent)
 *   has_phone, has_email    is                      true | false
 *   in_segment              is                      "segment name" (no cycles)
 *
 * "Attended" means a registration that is registered or attended, for an
 * event that has started. A date D is the day D in the time zone given to
 * turnout_segment_compile(): "before" is before that day began, "after" is
 * from the next day on, "on" within it. "within_days N" is the last N×24
 * hours up to now, both ends included; "more_than_days_ago N" is earlier
 * than N×24 hours ago. A contact without the date (no event attended)
 * matches none of the date operators. An upcoming registration is one that
 * is registered for an event starting after now (and, with within_days,
 * at most N days from now).
 */

#define TURNOUT_SEGMENT_ERROR (turnout_segment_error_quark ())

typedef enum
{
  TURNOUT_SEGMENT_ERROR_INVALID,
  TURNOUT_SEGMENT_ERROR_CYCLE,
  TURNOUT_SEGMENT_ERROR_NOT_FOUND,
  TURNOUT_SEGMENT_ERROR_EXISTS,
  TURNOUT_SEGMENT_ERROR_IN_USE,
} TurnoutSegmentError;

#define TURNOUT_SEGMENT_VERSION 1

#define TURNOUT_TYPE_SEGMENT (turnout_segment_get_type ())

typedef struct _TurnoutSegment      TurnoutSegment;
typedef struct _TurnoutSegmentQuery TurnoutSegmentQuery;

/**
 * TurnoutSegmentLookup:
 * @name: the name in an in_segment condition
 *
 * Returns: (transfer full) (nullable): the saved segment of that name, or
 *   %NULL with @error set.
 */
typedef TurnoutSegment *(*TurnoutSegmentLookup) (const char  *name,
                                                 gpointer     user_data,
                                                 GError     **error);

GQuark              turnout_segment_error_quark    (void);
GType               turnout_segment_get_type       (void) G_GNUC_CONST;
TurnoutSegment     *turnout_segment_new_from_json  (const char            *json,
                                                    GError               **error);
TurnoutSegment     *turnout_segment_new_preset     (const char            *preset,
                                                    int                    days,
                                                    GError               **error);
const char * const *turnout_segment_list_presets   (void);
TurnoutSegment     *turnout_segment_ref            (TurnoutSegment        *self);
void                turnout_segment_unref          (TurnoutSegment        *self);
char               *turnout_segment_to_json        (TurnoutSegment        *self);
char              **turnout_segment_dup_references (TurnoutSegment        *self);
TurnoutSegment     *turnout_segment_rename_reference (TurnoutSegment      *self,
                                                    const char            *old_name,
                                                    const char            *new_name);
const char * const *turnout_segment_list_fields    (void);
const char * const *turnout_segment_list_ops       (const char            *field);

TurnoutSegmentQuery *turnout_segment_compile       (TurnoutSegment        *self,
                                                    gint64                 now,
                                                    GTimeZone             *zone,
                                                    TurnoutSegmentLookup   lookup,
                                                    gpointer               user_data,
                                                    GError               **error);
const char          *turnout_segment_query_get_where (TurnoutSegmentQuery *query);
guint                turnout_segment_query_get_n_params (TurnoutSegmentQuery *query);
void                 turnout_segment_query_bind    (TurnoutSegmentQuery   *query,
                                                    sqlite3_stmt          *stmt,
                                                    int                    first);
void                 turnout_segment_query_free    (TurnoutSegmentQuery   *query);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutSegment, turnout_segment_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutSegmentQuery, turnout_segment_query_free)

G_END_DECLS
