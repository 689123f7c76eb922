/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-twilio-setup"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "turnout-credentials.h"
#include "turnout-twilio-setup.h"
#include "turnout-twilio-sender.h"

/*
 * The part of Preferences ▸ Twilio the settings registry can't make: the
 * secret, which goes to the keyring (never the database, never a log), and
 * "Test Connection", which asks Twilio whether the account, the
 * credentials and the sender work and says so in plain words.
 *
 * With an API key SID set, the secret is that key's; otherwise it is the
 * account's Auth Token. Everything is asynchronous; a change of settings
 * or closing the window cancels what is under way.
 */

struct _TurnoutTwilioSetup
{
  AdwPreferencesGroup  parent_instance;

  TurnoutSettings     *settings;
  gulong               changed_handler;
  GCancellable        *cancellable;   /* keyring work; cancelled only when going away */
  guint                lookup_serial; /* the newest lookup; older answers are stale */
  GCancellable        *check_cancellable;
  gboolean             has_secret;

  AdwPasswordEntryRow *secret_row;     /* template child */
  AdwActionRow        *stored_row;     /* template child */
  AdwActionRow        *check_row;      /* template child */
  GtkSpinner          *check_spinner;  /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutTwilioSetup, turnout_twilio_setup, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Which secret the settings call for, and whose: %FALSE when no SID is
 * set yet. */
static gboolean
secret_target (TurnoutTwilioSetup *self,
               TurnoutSecretKind  *kind,
               char              **account)
{
  g_autofree char *key_sid = NULL;
  g_autofree char *account_sid = NULL;

  if (self->settings == NULL)
    return FALSE;
  key_sid = turnout_settings_dup_string (self->settings, "twilio.api_key_sid");
  account_sid = turnout_settings_dup_string (self->settings, "twilio.account_sid");
  if (key_sid != NULL && *key_sid != '\0')
    {
      *kind = TURNOUT_SECRET_TWILIO_API_SECRET;
      *account = g_steal_pointer (&key_sid);
      return TRUE;
    }
  if (account_sid != NULL && *account_sid != '\0')
    {
      *kind = TURNOUT_SECRET_TWILIO_AUTH_TOKEN;
      *account = g_steal_pointer (&account_sid);
      return TRUE;
    }
  return FALSE;
}

static void
say (TurnoutTwilioSetup *self,
     const char         *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (message));
}

static void
set_stored (TurnoutTwilioSetup *self,
            gboolean            has_secret,
            const char         *subtitle)
{
  self->has_secret = has_secret;
  adw_action_row_set_subtitle (self->stored_row, subtitle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "twilio.forget", has_secret);
}

typedef struct
{
  TurnoutTwilioSetup *self;
  guint               serial;
} Lookup;

/* Headless setups name the secret in the environment; it wins. */
static gboolean
secret_from_environment (TurnoutTwilioSetup *self)
{
  g_autofree char *account = NULL;
  TurnoutSecretKind kind;
  const char *value;

  if (!secret_target (self, &kind, &account))
    return FALSE;
  value = g_getenv (turnout_secret_kind_get_env_var (kind));
  return value != NULL && *value != '\0';
}

static void
on_lookup_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(TurnoutTwilioSetup) self = lookup->self;
  guint serial = lookup->serial;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = turnout_credentials_lookup_finish (result, &error);

  g_free (lookup);
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || serial != self->lookup_serial)
    return;
  if (secret != NULL && secret_from_environment (self))
    {
      g_autofree char *subtitle = NULL;
      TurnoutSecretKind kind = TURNOUT_SECRET_TWILIO_AUTH_TOKEN;
      g_autofree char *account = NULL;

      secret_target (self, &kind, &account);
      /* TRANSLATORS: %s is an environment variable, such as TWILIO_AUTH_TOKEN. */
      subtitle = g_strdup_printf (_("Taken from %s, which wins over the keyring"),
                                  turnout_secret_kind_get_env_var (kind));
      set_stored (self, TRUE, subtitle);
    }
  else if (secret != NULL)
    set_stored (self, TRUE, _("Stored in your keyring"));
  else if (error != NULL)
    set_stored (self, FALSE, error->message);
  else
    set_stored (self, FALSE, _("Nothing stored yet: enter it above and press Enter"));
}

static void
refresh_stored (TurnoutTwilioSetup *self)
{
  g_autofree char *account = NULL;
  TurnoutSecretKind kind;
  Lookup *lookup;

  /* Not cancelled: libsecret's first call sets up its connection to the
   * keyring, and cancelling that leaves later calls waiting for ever. An
   * older answer is simply ignored. */
  self->lookup_serial++;
  if (!secret_target (self, &kind, &account))
    {
      set_stored (self, FALSE, _("Enter the Account SID above first"));
      return;
    }
  lookup = g_new0 (Lookup, 1);
  lookup->self = g_object_ref (self);
  lookup->serial = self->lookup_serial;
  turnout_credentials_lookup_async (kind, account, self->cancellable, on_lookup_cb, lookup);
}

static void
on_stored_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TurnoutTwilioSetup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!turnout_credentials_store_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_stored (self, FALSE, error->message);
      say (self, error->message);
      return;
    }
  say (self, _("Saved in your keyring"));
  refresh_stored (self);
}

static void
on_secret_apply_cb (TurnoutTwilioSetup *self)
{
  g_autofree char *account = NULL;
  g_autofree char *secret = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->secret_row)));
  TurnoutSecretKind kind;

  g_strstrip (secret);
  /* The widget doesn't keep it once it is on its way to the keyring. */
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
  if (*secret == '\0')
    return;
  if (!secret_target (self, &kind, &account))
    {
      say (self, _("Enter the Account SID above first: the token is stored for that account"));
      return;
    }
  set_stored (self, self->has_secret, _("Saving in your keyring…"));
  turnout_credentials_store_async (kind, account, secret, self->cancellable, on_stored_cb,
                                   g_object_ref (self));
  memset (secret, 0, strlen (secret));
}

static void
on_cleared_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TurnoutTwilioSetup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!turnout_credentials_clear_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message);
      return;
    }
  refresh_stored (self);
}

static void
twilio_forget (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TurnoutTwilioSetup *self = TURNOUT_TWILIO_SETUP (widget);
  g_autofree char *account = NULL;
  TurnoutSecretKind kind;

  if (!secret_target (self, &kind, &account))
    return;
  turnout_credentials_clear_async (kind, account, self->cancellable, on_cleared_cb,
                                   g_object_ref (self));
}

/* Test Connection ----------------------------------------------------------- */

static void
show_verdict (TurnoutTwilioSetup *self,
              gboolean            ok,
              const char         *message)
{
  GtkWidget *row = GTK_WIDGET (self->check_row);

  gtk_spinner_stop (self->check_spinner);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "twilio.test", self->settings != NULL);
  adw_action_row_set_subtitle (self->check_row, message);
  gtk_widget_remove_css_class (row, ok ? "error" : "success");
  gtk_widget_add_css_class (row, ok ? "success" : "error");
}

static void
on_checked_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TurnoutTwilioSetup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTwilioCheck) check =
    turnout_twilio_sender_test_connection_finish (TURNOUT_TWILIO_SENDER (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (check == NULL)
    show_verdict (self, FALSE, error->message);
  else
    show_verdict (self, check->outcome == TURNOUT_TWILIO_CHECK_OK, check->message);
}

static void
on_sender_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TurnoutTwilioSetup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTwilioSender) sender =
    turnout_twilio_sender_new_from_settings_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (sender == NULL)
    {
      show_verdict (self, FALSE, error->message);
      return;
    }
  turnout_twilio_sender_test_connection_async (sender, self->check_cancellable, on_checked_cb,
                                               g_object_ref (self));
}

static void
twilio_test (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TurnoutTwilioSetup *self = TURNOUT_TWILIO_SETUP (widget);

  if (self->settings == NULL)
    return;
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->check_cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (widget, "twilio.test", FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_row), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_row), "error");
  adw_action_row_set_subtitle (self->check_row, _("Asking Twilio…"));
  gtk_spinner_start (self->check_spinner);
  turnout_twilio_sender_new_from_settings_async (self->settings, self->check_cancellable,
                                                 on_sender_cb, g_object_ref (self));
}

/* Object --------------------------------------------------------------------- */

static void
on_settings_changed_cb (TurnoutTwilioSetup *self,
                        const char         *key)
{
  if (g_str_has_prefix (key, "twilio."))
    {
      /* What was checked is no longer what is set. */
      g_cancellable_cancel (self->check_cancellable);
      gtk_spinner_stop (self->check_spinner);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "twilio.test", TRUE);
      refresh_stored (self);
    }
}

void
turnout_twilio_setup_set_settings (TurnoutTwilioSetup *self,
                                   TurnoutSettings    *settings)
{
  g_return_if_fail (TURNOUT_IS_TWILIO_SETUP (self));
  g_return_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;
  if (self->settings != NULL)
    g_clear_signal_handler (&self->changed_handler, self->settings);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    self->changed_handler = g_signal_connect_swapped (settings, "changed",
                                                      G_CALLBACK (on_settings_changed_cb), self);
  gtk_widget_set_sensitive (GTK_WIDGET (self), settings != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "twilio.test", settings != NULL);
  refresh_stored (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

TurnoutSettings *
turnout_twilio_setup_get_settings (TurnoutTwilioSetup *self)
{
  g_return_val_if_fail (TURNOUT_IS_TWILIO_SETUP (self), NULL);

  return self->settings;
}

GtkWidget *
turnout_twilio_setup_new (void)
{
  return g_object_new (TURNOUT_TYPE_TWILIO_SETUP, NULL);
}

static void
turnout_twilio_setup_dispose (GObject *object)
{
  TurnoutTwilioSetup *self = TURNOUT_TWILIO_SETUP (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->check_cancellable);
  if (self->settings != NULL)
    g_clear_signal_handler (&self->changed_handler, self->settings);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_TWILIO_SETUP);

  G_OBJECT_CLASS (turnout_twilio_setup_parent_class)->dispose (object);
}

static void
turnout_twilio_setup_finalize (GObject *object)
{
  TurnoutTwilioSetup *self = TURNOUT_TWILIO_SETUP (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->check_cancellable);

  G_OBJECT_CLASS (turnout_twilio_setup_parent_class)->finalize (object);
}

static void
turnout_twilio_setup_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TurnoutTwilioSetup *self = TURNOUT_TWILIO_SETUP (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_twilio_setup_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TurnoutTwilioSetup *self = TURNOUT_TWILIO_SETUP (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      turnout_twilio_setup_set_settings (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_twilio_setup_class_init (TurnoutTwilioSetupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_twilio_setup_dispose;
  object_class->finalize = turnout_twilio_setup_finalize;
  object_class->get_property = turnout_twilio_setup_get_property;
  object_class->set_property = turnout_twilio_setup_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/turnout-twilio-setup.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutTwilioSetup, secret_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTwilioSetup, stored_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTwilioSetup, check_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTwilioSetup, check_spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_secret_apply_cb);

  gtk_widget_class_install_action (widget_class, "twilio.forget", NULL, twilio_forget);
  gtk_widget_class_install_action (widget_class, "twilio.test", NULL, twilio_test);
}

static void
turnout_twilio_setup_init (TurnoutTwilioSetup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "twilio.forget", FALSE);
}
