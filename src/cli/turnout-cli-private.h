/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "turnout-segment.h"
#include "turnout-types.h"

G_BEGIN_DECLS

/* What the commands of turnout-cli share. */

enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

typedef struct
{
  char     *db_path;
  gboolean  json;
  char     *now;
} CliOptions;

typedef int (*CommandFunc) (CliOptions  *options,
                            int          argc,
                            char       **argv);

void          turnout_cli_print_json  (JsonNode      *node);
int           turnout_cli_fail        (CliOptions    *options,
                                       const GError  *error,
                                       int            status);
int           turnout_cli_usage_error (CliOptions    *options,
                                       const char    *format,
                                       ...) G_GNUC_PRINTF (2, 3);
TurnoutStore *turnout_cli_open_store  (CliOptions    *options,
                                       GError       **error);
gboolean      turnout_cli_parse_id    (const char    *text,
                                       gint64        *id);
TurnoutSegment *turnout_cli_find_segment (TurnoutStore  *store,
                                          const char    *name,
                                          GError       **error);

int           turnout_cli_campaign_command (CliOptions  *options,
                                            int          argc,
                                            char       **argv);
int           turnout_cli_template_command (CliOptions  *options,
                                            int          argc,
                                            char       **argv);
int           turnout_cli_send_command     (CliOptions  *options,
                                            int          argc,
                                            char       **argv);
int           turnout_cli_poll_command     (CliOptions  *options,
                                            int          argc,
                                            char       **argv);
int           turnout_cli_smtp_command     (CliOptions  *options,
                                            int          argc,
                                            char       **argv);

G_END_DECLS
