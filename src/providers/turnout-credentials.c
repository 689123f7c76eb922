/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-credentials"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "turnout-credentials.h"

/*
 * Secrets go to the Secret Service through libsecret (GNOME Keyring,
 * KWallet; inside the Flatpak, libsecret's file backend keyed by the Secret
 * portal). Each is stored under the kind of secret and the account it
 * belongs to, so changing the Account SID or SMTP user finds the right one.
 * For headless use (cron, CI) an environment variable overrides the keyring.
 */

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    BASE_APPLICATION_ID ".Secret", SECRET_SCHEMA_NONE,
    {
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static const char *
kind_to_string (TurnoutSecretKind kind)
{
  switch (kind)
    {
    case TURNOUT_SECRET_TWILIO_AUTH_TOKEN: return "twilio-auth-token";
    case TURNOUT_SECRET_TWILIO_API_SECRET: return "twilio-api-secret";
    case TURNOUT_SECRET_SMTP_PASSWORD: return "smtp-password";
    default: g_return_val_if_reached ("unknown");
    }
}

/**
 * turnout_secret_kind_get_env_var:
 *
 * Returns: the environment variable that overrides the keyring for @kind.
 */
const char *
turnout_secret_kind_get_env_var (TurnoutSecretKind kind)
{
  switch (kind)
    {
    case TURNOUT_SECRET_TWILIO_AUTH_TOKEN: return "TWILIO_AUTH_TOKEN";
    case TURNOUT_SECRET_TWILIO_API_SECRET: return "TWILIO_API_SECRET";
    case TURNOUT_SECRET_SMTP_PASSWORD: return "TURNOUT_SMTP_PASSWORD";
    default: g_return_val_if_reached (NULL);
    }
}

static char *
dup_label (TurnoutSecretKind  kind,
           const char        *account)
{
  switch (kind)
    {
    case TURNOUT_SECRET_TWILIO_AUTH_TOKEN:
      /* TRANSLATORS: shown in the keyring manager (Seahorse); %s is an Account SID. */
      return g_strdup_printf (_("Turnout: Twilio Auth Token for %s"), account);
    case TURNOUT_SECRET_TWILIO_API_SECRET:
      return g_strdup_printf (_("Turnout: Twilio API Key secret for %s"), account);
    case TURNOUT_SECRET_SMTP_PASSWORD:
      return g_strdup_printf (_("Turnout: mail server password for %s"), account);
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
prefix_keyring_error (GError **error)
{
  if (error != NULL && *error != NULL && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (error, _("The keyring could not be reached: "));
}

static char *
dup_env_secret (TurnoutSecretKind kind)
{
  const char *value = g_getenv (turnout_secret_kind_get_env_var (kind));

  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

static void
on_lookup_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      prefix_keyring_error (&error);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

/**
 * turnout_credentials_lookup_async:
 * @account: the Account SID, API Key SID or user@host the secret belongs to
 *
 * Looks up a secret: the environment override first, then the keyring.
 */
void
turnout_credentials_lookup_async (TurnoutSecretKind    kind,
                                  const char          *account,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  char *from_env;

  g_return_if_fail (account != NULL);

  g_task_set_source_tag (task, turnout_credentials_lookup_async);
  if ((from_env = dup_env_secret (kind)) != NULL)
    {
      g_task_return_pointer (task, from_env, g_free);
      return;
    }
  secret_password_lookup (get_schema (), cancellable, on_lookup_cb, g_steal_pointer (&task),
                          "kind", kind_to_string (kind), "account", account, NULL);
}

/**
 * turnout_credentials_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the secret (free it with
 *   secret_password_free() to wipe it), or %NULL when none is stored
 *   (then @error is not set) or the keyring failed (@error says why).
 */
char *
turnout_credentials_lookup_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_credentials_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * turnout_credentials_lookup_sync:
 *
 * As turnout_credentials_lookup_async(), blocking: for the CLI and workers.
 *
 * Returns: (transfer full) (nullable): as turnout_credentials_lookup_finish().
 */
char *
turnout_credentials_lookup_sync (TurnoutSecretKind   kind,
                                 const char         *account,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  char *secret;

  g_return_val_if_fail (account != NULL, NULL);

  if ((secret = dup_env_secret (kind)) != NULL)
    return secret;
  secret = secret_password_lookup_sync (get_schema (), cancellable, error,
                                        "kind", kind_to_string (kind), "account", account, NULL);
  prefix_keyring_error (error);
  return secret;
}

static void
on_store_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    {
      prefix_keyring_error (&error);
      g_task_return_error (task, error);
    }
}

/**
 * turnout_credentials_store_async:
 * @account: the Account SID, API Key SID or user@host the secret belongs to
 * @secret: the secret
 *
 * Stores a secret in the default keyring, replacing an earlier one for the
 * same kind and account.
 */
void
turnout_credentials_store_async (TurnoutSecretKind    kind,
                                 const char          *account,
                                 const char          *secret,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *label = NULL;

  g_return_if_fail (account != NULL && *account != '\0');
  g_return_if_fail (secret != NULL);

  g_task_set_source_tag (task, turnout_credentials_store_async);
  label = dup_label (kind, account);
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, on_store_cb, g_steal_pointer (&task),
                         "kind", kind_to_string (kind), "account", account, NULL);
}

gboolean
turnout_credentials_store_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_credentials_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_clear_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to remove: fine. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      prefix_keyring_error (&error);
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * turnout_credentials_clear_async:
 *
 * Removes a stored secret; succeeds when there was none.
 */
void
turnout_credentials_clear_async (TurnoutSecretKind    kind,
                                 const char          *account,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (account != NULL);

  g_task_set_source_tag (task, turnout_credentials_clear_async);
  secret_password_clear (get_schema (), cancellable, on_clear_cb, g_steal_pointer (&task),
                         "kind", kind_to_string (kind), "account", account, NULL);
}

gboolean
turnout_credentials_clear_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_credentials_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
