/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/*
 * The per-recipient rules of the send path that the dispatcher applies at
 * claim time and the preflight predicts before a campaign starts: quiet
 * hours in the recipient's time zone and the frequency cap. Both call
 * these, so the preflight can't drift from what the send does.
 */

gboolean      turnout_quiet_hours_parse          (const char    *text,
                                                  int           *start,
                                                  int           *end,
                                                  GError       **error);
GTimeZone    *turnout_recipient_time_zone        (const char    *zone_id,
                                                  const char    *default_zone);
gint64        turnout_quiet_hours_end            (int            start,
                                                  int            end,
                                                  GTimeZone     *zone,
                                                  gint64         at);

gboolean      turnout_frequency_cap_parse        (const char    *text,
                                                  guint         *messages,
                                                  guint         *days);
sqlite3_stmt *turnout_db_prepare_count_recent    (sqlite3       *db,
                                                  GError       **error);
gint64        turnout_count_recent_messages      (sqlite3_stmt  *stmt,
                                                  gint64         contact_id,
                                                  gint64         since);

char        **turnout_phone_list_normalize       (const char    *text,
                                                  const char    *default_region,
                                                  GError       **error);

G_END_DECLS
