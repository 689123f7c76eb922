/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-csv.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_IMPORT_ERROR (turnout_import_error_quark ())

typedef enum
{
  TURNOUT_IMPORT_ERROR_NO_IDENTIFIER,  /* no column maps to phone or email */
  TURNOUT_IMPORT_ERROR_NO_EVENT,       /* a registrations import without an event column */
  TURNOUT_IMPORT_ERROR_BAD_MAPPING,    /* --map names an unknown header or field */
  TURNOUT_IMPORT_ERROR_NOT_REGISTRATIONS, /* a vCard file imported as registrations */
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

#define TURNOUT_TYPE_IMPORT_RESULT (turnout_import_result_get_type ())

/* One value of a previewed row, for one field. */
typedef struct
{
  char *value;    /* as it will be stored, or as written when @problem is set; never NULL */
  char *problem;  /* what the import will report for it, or NULL */
} TurnoutImportPreviewCell;

typedef struct
{
  guint                     row;          /* as in TurnoutImportIssue: the header is row 1 */
  GStrv                     written;      /* the values as the file has them, one per column
                                           * (padded with ""); empty for vCards */
  TurnoutImportPreviewCell *cells;        /* one per field of the preview */
  gboolean                  skipped;      /* the import will skip this row */
  char                     *row_problem;  /* why it is skipped, or a problem of the whole row */
} TurnoutImportPreviewRow;

/* What an import of a file will do with its first rows; see
 * turnout_import_preview(). */
typedef struct
{
  TurnoutImportKind   kind;
  gboolean            is_vcard;
  guint               n_columns;
  GStrv               headers;        /* the column headers, trimmed; empty for vCards */
  TurnoutField       *columns;        /* what each column is read as */
  guint               n_fields;
  TurnoutField       *fields;         /* the stored fields the cells are for, in field order */
  GPtrArray          *rows;           /* TurnoutImportPreviewRow, at most the rows asked for */
  gboolean            more_rows;      /* the file goes on past them */
  char                delimiter;      /* ',', ';', '\t' or '|'; 0 for vCards */
  TurnoutCsvEncoding  encoding;
  char               *warning;        /* the import's warning (Windows-1252), or NULL */
  char               *cannot_import;  /* why the import would refuse the file as it is
                                       * mapped (no phone or email column…), or NULL */
  GStrv               file_problems;  /* problems outside rows (vCards that can't be read) */
} TurnoutImportPreview;

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
GType                turnout_import_result_get_type (void) G_GNUC_CONST;
TurnoutImportResult *turnout_import_result_copy     (const TurnoutImportResult *result);
gboolean             turnout_import_result_write_issues_csv (TurnoutImportResult *result,
                                                     GFile                *file,
                                                     GCancellable         *cancellable,
                                                     GError              **error);
void                 turnout_import_result_write_issues_csv_async (TurnoutImportResult *result,
                                                     GFile                *file,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer             user_data);
gboolean             turnout_import_result_write_issues_csv_finish (GAsyncResult *result,
                                                     GError              **error);

typedef struct _TurnoutImportOptions TurnoutImportOptions;

TurnoutImportOptions *turnout_import_options_new    (TurnoutImportKind    kind);
TurnoutImportOptions *turnout_import_options_copy   (TurnoutImportOptions *options);
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
void                 turnout_import_options_get_progress (TurnoutImportOptions  *options,
                                                     TurnoutImportProgress *progress,
                                                     gpointer              *user_data);
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

gboolean             turnout_import_file_is_vcard   (GFile                *file,
                                                     GCancellable         *cancellable);
gboolean             turnout_import_check_columns   (TurnoutImportKind    kind,
                                                     const TurnoutField  *columns,
                                                     guint                n_columns,
                                                     GError              **error);

void                 turnout_import_run_async       (TurnoutStore         *store,
                                                     GFile                *file,
                                                     TurnoutImportOptions *options,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer             user_data);
TurnoutImportResult *turnout_import_run_finish      (GAsyncResult         *result,
                                                     GError              **error);

TurnoutImportPreview *turnout_import_preview        (GFile                *file,
                                                     TurnoutImportOptions *options,
                                                     guint                max_rows,
                                                     GCancellable         *cancellable,
                                                     GError              **error);
void                 turnout_import_preview_async   (GFile                *file,
                                                     TurnoutImportOptions *options,
                                                     guint                max_rows,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer             user_data);
TurnoutImportPreview *turnout_import_preview_finish (GAsyncResult         *result,
                                                     GError              **error);
void                 turnout_import_preview_free    (TurnoutImportPreview *preview);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutImportResult, turnout_import_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutImportOptions, turnout_import_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutImportPreview, turnout_import_preview_free)

G_END_DECLS
