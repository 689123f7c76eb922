/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_SETTINGS_ERROR (turnout_settings_error_quark ())

typedef enum
{
  TURNOUT_SETTINGS_ERROR_UNKNOWN_KEY,
  TURNOUT_SETTINGS_ERROR_INVALID_VALUE,
} TurnoutSettingsError;

typedef enum
{
  TURNOUT_SETTING_STRING,
  TURNOUT_SETTING_INT,
  TURNOUT_SETTING_DOUBLE,
  TURNOUT_SETTING_BOOLEAN,
  TURNOUT_SETTING_CHOICE,
} TurnoutSettingKind;

typedef gboolean (*TurnoutSettingCheck) (const char  *value,
                                         char       **normalized,
                                         GError     **error);

/**
 * TurnoutSettingSpec:
 * @key: `area.name`
 * @kind: the type of value
 * @default_value: the value while none is stored, in its text form
 * @title: a short translatable name, for Preferences and `config list`
 * @description: a translatable sentence on what it does and what it takes
 * @min: the smallest number allowed (numbers only)
 * @max: the largest number allowed (numbers only)
 * @choices: (nullable): the allowed values (choices only)
 * @choice_labels: (nullable): a translatable label for each choice
 * @check: (nullable): validates and normalizes a string value
 * @multiline: the value may span several lines
 *
 * One non-secret setting. Secrets (auth tokens, passwords) are never
 * settings: they live in the keyring.
 */
typedef struct
{
  const char          *key;
  TurnoutSettingKind   kind;
  const char          *default_value;
  const char          *title;
  const char          *description;
  double               min;
  double               max;
  const char * const  *choices;
  const char * const  *choice_labels;
  TurnoutSettingCheck  check;
  gboolean             multiline;
} TurnoutSettingSpec;

GQuark                    turnout_settings_error_quark  (void);
char                     *turnout_db_dup_setting        (sqlite3                   *db,
                                                         const char                *key);
const TurnoutSettingSpec *turnout_setting_specs         (guint                     *n_specs);
const TurnoutSettingSpec *turnout_setting_spec_lookup   (const char                *key);
char                     *turnout_setting_spec_dup_area (const TurnoutSettingSpec  *spec);
char                     *turnout_setting_normalize     (const char                *key,
                                                         const char                *value,
                                                         GError                   **error);

#define TURNOUT_TYPE_SETTINGS (turnout_settings_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutSettings, turnout_settings, TURNOUT, SETTINGS, GObject)

TurnoutSettings *turnout_settings_new         (TurnoutStore         *store,
                                               GError              **error);
TurnoutStore    *turnout_settings_get_store   (TurnoutSettings      *self);
gboolean         turnout_settings_reload      (TurnoutSettings      *self,
                                               GError              **error);
char            *turnout_settings_dup_string  (TurnoutSettings      *self,
                                               const char           *key);
gint64           turnout_settings_get_int     (TurnoutSettings      *self,
                                               const char           *key);
double           turnout_settings_get_double  (TurnoutSettings      *self,
                                               const char           *key);
gboolean         turnout_settings_get_boolean (TurnoutSettings      *self,
                                               const char           *key);
gboolean         turnout_settings_is_set      (TurnoutSettings      *self,
                                               const char           *key);
gboolean         turnout_settings_set         (TurnoutSettings      *self,
                                               const char           *key,
                                               const char           *value,
                                               GError              **error);
void             turnout_settings_set_async   (TurnoutSettings      *self,
                                               const char           *key,
                                               const char           *value,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean         turnout_settings_set_finish  (TurnoutSettings      *self,
                                               GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
