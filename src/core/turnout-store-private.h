/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "turnout-contact.h"

G_BEGIN_DECLS

/* Recomputes the figures of the contacts matching `where` (SQL text), as
 * of figures_clock.as_of. The triggers of the latest migration that
 * recreates them (now 5), and turnout_db_refresh_figures(), are built from
 * these macros: change the definition of a figure only with a new
 * migration that adds what it needs and recreates the triggers. Older
 * migrations keep frozen copies of the definitions they shipped with. */
#define TURNOUT_ATTENDED_SQL(contact) \
  " FROM registrations r JOIN events e ON e.id = r.event_id" \
  " WHERE r.contact_id = " contact " AND r.status IN ('registered', 'attended')" \
  "   AND e.starts_at <= (SELECT as_of FROM figures_clock)"

/* The start of the contact's next event: the earliest of the events after
 * as_of they are registered for (status 'registered'), or NULL. */
#define TURNOUT_NEXT_EVENT_SQL(contact) \
  "(SELECT min (e.starts_at) FROM registrations r JOIN events e ON e.id = r.event_id" \
  "  WHERE r.contact_id = " contact " AND r.status = 'registered'" \
  "    AND e.starts_at > (SELECT as_of FROM figures_clock))"

#define TURNOUT_RECOMPUTE_FIGURES_SQL(where) \
  "UPDATE contacts SET" \
  "  events_attended = (SELECT count (DISTINCT r.event_id)" TURNOUT_ATTENDED_SQL ("contacts.id") ")," \
  "  first_event_at = (SELECT min (e.starts_at)" TURNOUT_ATTENDED_SQL ("contacts.id") ")," \
  "  last_event_at = (SELECT max (e.starts_at)" TURNOUT_ATTENDED_SQL ("contacts.id") ")," \
  "  next_event_at = " TURNOUT_NEXT_EVENT_SQL ("contacts.id") "," \
  "  total_spend = (SELECT coalesce (sum (amount), 0) FROM registrations" \
  "                  WHERE contact_id = contacts.id AND status <> 'cancelled')" \
  " WHERE " where ";"

/* What the contact search index holds for a contact row: its rowid, name
 * and email. Migration 2's triggers are built from it, and so is the
 * import's bulk index fill. */
#define TURNOUT_FTS_ROW(row) \
  row ".id, trim (" row ".first_name || ' ' || " row ".last_name), coalesce (" row ".email, '')"

typedef struct
{
  int         version;
  const char *summary;
  const char *sql;
} TurnoutMigration;

const TurnoutMigration *turnout_store_migrations (guint *n_migrations);
const char * const     *turnout_store_tables     (void);

/* The columns the contact list reads for a row of `contacts c`, in the
 * order turnout_db_contact_new_from_row() takes them. */
#define TURNOUT_CONTACT_ROW_COLUMNS \
  "c.id, c.first_name, c.last_name, c.phone, c.email, c.city," \
  " (SELECT group_concat (name, ', ') FROM" \
  "   (SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id" \
  "     WHERE ct.contact_id = c.id ORDER BY t.name COLLATE NOCASE))," \
  " c.events_attended, c.total_spend, coalesce (c.last_event_at, 0), c.sms_consent," \
  " c.email_consent"

TurnoutContact *turnout_db_contact_new_from_row (sqlite3_stmt *stmt,
                                                 const char   *currency);

G_END_DECLS
