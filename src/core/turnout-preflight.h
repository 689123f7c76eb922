/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-render.h"
#include "turnout-segment.h"
#include "turnout-template.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_PREFLIGHT_EXAMPLES 20

/**
 * TurnoutPreflightReport:
 * @recipients: contacts in the segment
 * @sendable: those the message goes to (an address, opted in, not suppressed)
 * @excluded: (array fixed-size=5): the others, by #TurnoutExclusion
 * @with_blanks: sendable recipients whose message has a field left blank
 * @blank_fields: field name → how many sendable recipients have it blank
 * @blank_examples: "Name (field, field)" of the first few with a blank
 * @total_segments: SMS: the segments of every message together
 * @max_segments: SMS: the most segments one message takes
 * @max_segments_example: the name of a recipient whose message is longest
 * @ucs2_recipients: SMS: recipients whose message goes as UCS-2
 * @ucs2_characters: the character (UTF-8) → how many messages it forced to UCS-2
 * @mms: MMS: messages carrying media
 * @cost: the estimated price of the send, in the provider's currency (US
 *   dollars for Twilio), from the prices in the settings; 0 for email
 * @price_per_segment: the price used for one SMS segment
 * @price_per_mms: the price used for one MMS
 * @starts_at: the campaign's start the cap and quiet hours are judged at
 *   (Unix seconds)
 * @over_cap: recipients left out as over the frequency cap (setting
 *   `delivery.frequency_cap`) at @starts_at: not counted in @sendable
 * @cap_messages: the cap: at most this many messages (0: no cap)…
 * @cap_days: …in this many days
 * @quiet_hours: SMS: sendable recipients for whom @starts_at falls inside
 *   the quiet hours (setting `sms.quiet_hours`) in their time zone: their
 *   message waits for the quiet hours to end
 * @quiet_start: minutes after midnight the quiet hours start, -1: none
 * @quiet_end: minutes after midnight they end, -1: none
 * @example_contact_id: the first sendable recipient (else the first in the
 *   segment, else 0): the contact @example_text was rendered for
 * @example_name: (nullable): their name
 * @example_text: (nullable): their message (SMS: the text; email: the
 *   plain-text part), as the campaign would send it
 * @example_sendable: whether that contact would get the message
 *
 * What sending a template to a segment would do, worked out by rendering
 * every message.
 */
typedef struct
{
  gint64      recipients;
  gint64      sendable;
  gint64      excluded[5];
  gint64      with_blanks;
  GHashTable *blank_fields;
  GPtrArray  *blank_examples;
  gint64      total_segments;
  guint       max_segments;
  char       *max_segments_example;
  gint64      ucs2_recipients;
  GHashTable *ucs2_characters;
  gint64      mms;
  double      cost;
  double      price_per_segment;
  double      price_per_mms;
  gint64      starts_at;
  gint64      over_cap;
  guint       cap_messages;
  guint       cap_days;
  gint64      quiet_hours;
  int         quiet_start;
  int         quiet_end;
  gint64      example_contact_id;
  char       *example_name;
  char       *example_text;
  gboolean    example_sendable;
} TurnoutPreflightReport;

void turnout_preflight_report_free (TurnoutPreflightReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutPreflightReport, turnout_preflight_report_free)

char *turnout_preflight_report_to_json      (TurnoutPreflightReport *report);
char *turnout_preflight_report_describe_cap (TurnoutPreflightReport *report);
char *turnout_preflight_report_describe_quiet_hours (TurnoutPreflightReport *report);

/**
 * TurnoutPreflightProgress:
 * @done: recipients looked at so far
 *
 * Called on the thread that started the preflight, a few times a second.
 */
typedef void (*TurnoutPreflightProgress) (gint64   done,
                                          gpointer user_data);

TurnoutPreflightReport *turnout_preflight_run          (TurnoutStore              *store,
                                                        TurnoutTemplate           *template,
                                                        TurnoutSegment            *segment,
                                                        gint64                     event_id,
                                                        GCancellable              *cancellable,
                                                        GError                   **error);
void                    turnout_preflight_run_async    (TurnoutStore              *store,
                                                        TurnoutTemplate           *template,
                                                        TurnoutSegment            *segment,
                                                        gint64                     event_id,
                                                        TurnoutPreflightProgress   progress,
                                                        gpointer                   progress_data,
                                                        GCancellable              *cancellable,
                                                        GAsyncReadyCallback        callback,
                                                        gpointer                   user_data);
void                    turnout_preflight_run_at_async (TurnoutStore              *store,
                                                        TurnoutTemplate           *template,
                                                        TurnoutSegment            *segment,
                                                        gint64                     event_id,
                                                        gint64                     starts_at,
                                                        TurnoutPreflightProgress   progress,
                                                        gpointer                   progress_data,
                                                        GCancellable              *cancellable,
                                                        GAsyncReadyCallback        callback,
                                                        gpointer                   user_data);
TurnoutPreflightReport *turnout_preflight_run_finish   (TurnoutStore              *store,
                                                        GAsyncResult              *result,
                                                        GError                   **error);

G_END_DECLS
