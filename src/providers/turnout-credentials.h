/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * TurnoutSecretKind:
 * @TURNOUT_SECRET_TWILIO_AUTH_TOKEN: a Twilio Auth Token, for an Account SID
 * @TURNOUT_SECRET_TWILIO_API_SECRET: a Twilio API Key secret, for an API Key SID
 * @TURNOUT_SECRET_SMTP_PASSWORD: an SMTP password, for user@host
 *
 * The secrets Turnout keeps. They live only in the keyring (or, for
 * headless use, in the environment variables named in turnout-credentials.c);
 * never in the database, the settings or a log.
 */
typedef enum
{
  TURNOUT_SECRET_TWILIO_AUTH_TOKEN,
  TURNOUT_SECRET_TWILIO_API_SECRET,
  TURNOUT_SECRET_SMTP_PASSWORD,
} TurnoutSecretKind;

const char *turnout_secret_kind_get_env_var    (TurnoutSecretKind     kind);
void        turnout_credentials_lookup_async   (TurnoutSecretKind     kind,
                                                const char           *account,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
char       *turnout_credentials_lookup_finish  (GAsyncResult         *result,
                                                GError              **error);
char       *turnout_credentials_lookup_sync    (TurnoutSecretKind     kind,
                                                const char           *account,
                                                GCancellable         *cancellable,
                                                GError              **error);
void        turnout_credentials_store_async    (TurnoutSecretKind     kind,
                                                const char           *account,
                                                const char           *secret,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean    turnout_credentials_store_finish   (GAsyncResult         *result,
                                                GError              **error);
void        turnout_credentials_clear_async    (TurnoutSecretKind     kind,
                                                const char           *account,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean    turnout_credentials_clear_finish   (GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
