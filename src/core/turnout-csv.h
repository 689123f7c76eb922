/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TURNOUT_CSV_ERROR (turnout_csv_error_quark ())

typedef enum
{
  TURNOUT_CSV_ERROR_EMPTY,          /* the file has no rows at all */
  TURNOUT_CSV_ERROR_ENCODING,       /* a row is not valid text in the file's encoding */
  TURNOUT_CSV_ERROR_UNCLOSED_QUOTE, /* a quoted field runs to the end of the file */
  TURNOUT_CSV_ERROR_TOO_LARGE,      /* a single field or row is absurdly large */
} TurnoutCsvError;

typedef enum
{
  TURNOUT_CSV_ENCODING_UTF8,
  TURNOUT_CSV_ENCODING_UTF8_BOM,
  TURNOUT_CSV_ENCODING_UTF16,
  TURNOUT_CSV_ENCODING_WINDOWS_1252,
} TurnoutCsvEncoding;

typedef struct _TurnoutCsvReader TurnoutCsvReader;

GQuark              turnout_csv_error_quark          (void);

TurnoutCsvReader   *turnout_csv_reader_new           (GInputStream      *stream,
                                                      GCancellable      *cancellable,
                                                      GError           **error);
void                turnout_csv_reader_free          (TurnoutCsvReader  *reader);
gboolean            turnout_csv_reader_next          (TurnoutCsvReader  *reader,
                                                      GStrv             *fields,
                                                      GCancellable      *cancellable,
                                                      GError           **error);
gboolean            turnout_csv_reader_next_borrowed (TurnoutCsvReader  *reader,
                                                      const char * const **fields,
                                                      guint             *n_fields,
                                                      GCancellable      *cancellable,
                                                      GError           **error);
guint               turnout_csv_reader_get_row       (TurnoutCsvReader  *reader);
char                turnout_csv_reader_get_delimiter (TurnoutCsvReader  *reader);
TurnoutCsvEncoding  turnout_csv_reader_get_encoding  (TurnoutCsvReader  *reader);
guint64             turnout_csv_reader_get_bytes_read (TurnoutCsvReader *reader);

void                turnout_csv_append_row           (GString           *out,
                                                      const char * const *fields,
                                                      gssize             n_fields);
char               *turnout_csv_neutralize_cell      (const char        *cell);
char               *turnout_csv_unneutralize_cell    (const char        *cell);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutCsvReader, turnout_csv_reader_free)

G_END_DECLS
