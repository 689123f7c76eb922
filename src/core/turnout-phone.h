/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TURNOUT_PHONE_ERROR (turnout_phone_error_quark ())

typedef enum
{
  TURNOUT_PHONE_ERROR_EMPTY,
  TURNOUT_PHONE_ERROR_NOT_A_NUMBER,
  TURNOUT_PHONE_ERROR_NO_COUNTRY,
  TURNOUT_PHONE_ERROR_TOO_SHORT,
  TURNOUT_PHONE_ERROR_TOO_LONG,
  TURNOUT_PHONE_ERROR_INVALID,
} TurnoutPhoneError;

GQuark  turnout_phone_error_quark             (void);
char   *turnout_phone_normalize               (const char  *text,
                                               const char  *default_region,
                                               GError     **error);
char   *turnout_phone_format_display          (const char  *e164);
int     turnout_phone_country_code_for_region (const char  *region);

G_END_DECLS
