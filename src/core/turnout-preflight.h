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
} TurnoutPreflightReport;

void turnout_preflight_report_free (TurnoutPreflightReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutPreflightReport, turnout_preflight_report_free)

char *turnout_preflight_report_to_json (TurnoutPreflightReport *report);

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
TurnoutPreflightReport *turnout_preflight_run_finish   (TurnoutStore              *store,
                                                        GAsyncResult              *result,
                                                        GError                   **error);

G_END_DECLS
