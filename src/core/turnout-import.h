/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_IMPORT_ERROR (turnout_import_error_quark ())

typedef enum
{
  TURNOUT_IMPORT_ERROR_NO_IDENTIFIER,  /* no column maps to phone or email */
  TURNOUT_IMPORT_ERROR_NO_EVENT,       /* a registrations import without an event column */
  TURNOUT_IMPORT_ERROR_BAD_MAPPING,    /* --map names an unknown header or field */
} TurnoutImportError;

typedef enum
{
  TURNOUT_IMPORT_CONTACTS,
  TURNOUT_IMPORT_REGISTRATIONS,
} TurnoutImportKind;

/* What a column of the file means. The ids are Turnout's own CSV headers. */
typedef enum
{
  TURNOUT_FIELD_IGNORE,
  TURNOUT_FIELD_FIRST_NAME,
  TURNOUT_FIELD_LAST_NAME,
  TURNOUT_FIELD_FULL_NAME,
  TURNOUT_FIELD_PHONE,
  TURNOUT_FIELD_EMAIL,
  TURNOUT_FIELD_CITY,
  TURNOUT_FIELD_TIME_ZONE,
  TURNOUT_FIELD_TAGS,
  TURNOUT_FIELD_SMS_CONSENT,
  TURNOUT_FIELD_EMAIL_CONSENT,
  TURNOUT_FIELD_NOTES,
  TURNOUT_FIELD_EVENT_NAME,
  TURNOUT_FIELD_EVENT_START,
  TURNOUT_FIELD_EVENT_END,
  TURNOUT_FIELD_VENUE,
  TURNOUT_FIELD_STATUS,
  TURNOUT_FIELD_AMOUNT,
  TURNOUT_FIELD_TICKET_TYPE,
  TURNOUT_FIELD_REGISTERED_AT,
  TURNOUT_FIELD_CONFIRMED_AT,
  TURNOUT_FIELD_CANCELLED_AT,
  TURNOUT_N_FIELDS
} TurnoutField;

typedef struct
{
  guint  row;      /* 1-based, the header is row 1 */
  char  *column;   /* the header of the column, or NULL for the whole row */
  char  *reason;
} TurnoutImportIssue;

typedef struct
{
  guint      created;
  guint      merged;
  guint      skipped;
  guint      events_created;
  guint      registrations;
  guint      n_issues;       /* all of them, even past the ones kept */
  GPtrArray *issues;         /* TurnoutImportIssue, at most TURNOUT_IMPORT_MAX_ISSUES */
  char      *warning;        /* e.g. the file was read as Windows-1252; or NULL */
} TurnoutImportResult;

#define TURNOUT_IMPORT_MAX_ISSUES 100000

typedef void (*TurnoutImportProgress) (guint64  bytes_done,
                                       guint64  bytes_total,
                                       guint    rows_done,
                                       gpointer user_data);

GQuark               turnout_import_error_quark     (void);

const char          *turnout_field_get_id           (TurnoutField         field);
const char          *turnout_field_get_label        (TurnoutField         field);
TurnoutField         turnout_field_from_id          (const char          *id);
TurnoutField         turnout_field_guess            (const char          *header);
gboolean             turnout_field_is_for           (TurnoutField         field,
                                                     TurnoutImportKind    kind);

gboolean             turnout_parse_amount           (const char          *text,
                                                     gint64              *minor_units,
                                                     GError             **error);
gboolean             turnout_parse_consent          (const char          *text,
                                                     const char         **status,
                                                     GError             **error);
gboolean             turnout_parse_status           (const char          *text,
                                                     const char         **status,
                                                     GError             **error);
gboolean             turnout_parse_time             (const char          *text,
                                                     GTimeZone           *zone,
                                                     gint64              *unix_time,
                                                     GError             **error);

void                 turnout_import_issue_free      (TurnoutImportIssue  *issue);
void                 turnout_import_result_free     (TurnoutImportResult *result);

typedef struct _TurnoutImportOptions TurnoutImportOptions;

TurnoutImportOptions *turnout_import_options_new    (TurnoutImportKind    kind);
void                 turnout_import_options_free    (TurnoutImportOptions *options);
void                 turnout_import_options_set_region (TurnoutImportOptions *options,
                                                     const char          *region);
void                 turnout_import_options_set_time_zone (TurnoutImportOptions *options,
                                                     const char          *zone);
void                 turnout_import_options_set_source (TurnoutImportOptions *options,
                                                     const char          *source);
gboolean             turnout_import_options_map     (TurnoutImportOptions *options,
                                                     const char          *header,
                                                     const char          *field_id,
                                                     GError             **error);
void                 turnout_import_options_set_progress (TurnoutImportOptions *options,
                                                     TurnoutImportProgress progress,
                                                     gpointer             user_data);

TurnoutImportResult *turnout_import_csv             (TurnoutStore         *store,
                                                     GFile                *file,
                                                     TurnoutImportOptions *options,
                                                     GCancellable         *cancellable,
                                                     GError              **error);
TurnoutImportResult *turnout_import_vcard           (TurnoutStore         *store,
                                                     GFile                *file,
                                                     TurnoutImportOptions *options,
                                                     GCancellable         *cancellable,
                                                     GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutImportResult, turnout_import_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutImportOptions, turnout_import_options_free)

G_END_DECLS
