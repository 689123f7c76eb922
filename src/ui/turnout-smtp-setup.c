/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-smtp-setup"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "turnout-credentials.h"
#include "turnout-smtp-setup.h"
#include "turnout-smtp-sender.h"

/*
 * The part of Preferences ▸ Email the settings registry can't make: the
 * mail server's password, which goes to the keyring under user@host
 * (never the database, never a log), and "Test Connection", which
 * connects, encrypts and signs in as a campaign would and says which step
 * failed in plain words, or what the server offers.
 *
 * A certificate the checks refuse can be accepted here, and only here: the
 * user sees what is wrong with it, confirms its fingerprint, and exactly
 * that certificate is trusted (the setting smtp.accepted_certificate).
 * Everything is asynchronous; a change of the mail server settings or
 * closing the window cancels the test under way.
 */

struct _TurnoutSmtpSetup
{
  AdwPreferencesGroup  parent_instance;

  TurnoutSettings     *settings;
  gulong               changed_handler;
  GCancellable        *cancellable;       /* keyring work; cancelled only when going away */
  guint                lookup_serial;     /* the newest lookup; older answers are stale */
  GCancellable        *check_cancellable;
  gboolean             has_password;
  char                *fingerprint;       /* of the certificate last refused, or NULL */

  AdwPasswordEntryRow *password_row;      /* template child */
  AdwActionRow        *stored_row;        /* template child */
  AdwActionRow        *check_row;         /* template child */
  GtkSpinner          *check_spinner;     /* template child */
  AdwActionRow        *certificate_row;   /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutSmtpSetup, turnout_smtp_setup, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The keyring account the settings call for ("user@host"): %NULL while
 * the server or the user name is missing. */
static char *
dup_account (TurnoutSmtpSetup *self)
{
  g_autofree char *host = NULL;
  g_autofree char *username = NULL;

  if (self->settings == NULL)
    return NULL;
  host = turnout_settings_dup_string (self->settings, "smtp.host");
  username = turnout_settings_dup_string (self->settings, "smtp.username");
  if (host == NULL || *host == '\0' || username == NULL || *username == '\0')
    return NULL;
  return turnout_smtp_dup_password_account (username, host);
}

static void
say (TurnoutSmtpSetup *self,
     const char       *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (message));
}

static void
set_stored (TurnoutSmtpSetup *self,
            gboolean          has_password,
            const char       *subtitle)
{
  self->has_password = has_password;
  adw_action_row_set_subtitle (self->stored_row, subtitle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.forget", has_password);
}

typedef struct
{
  TurnoutSmtpSetup *self;
  guint             serial;
} Lookup;

static gboolean
password_from_environment (void)
{
  const char *value = g_getenv (turnout_secret_kind_get_env_var (TURNOUT_SECRET_SMTP_PASSWORD));

  return value != NULL && *value != '\0';
}

static void
on_lookup_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(TurnoutSmtpSetup) self = lookup->self;
  guint serial = lookup->serial;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = turnout_credentials_lookup_finish (result, &error);

  g_free (lookup);
  if (password != NULL)
    memset (password, 0, strlen (password));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || serial != self->lookup_serial)
    return;
  if (password != NULL && password_from_environment ())
    {
      /* TRANSLATORS: %s is an environment variable, TURNOUT_SMTP_PASSWORD. */
      g_autofree char *subtitle =
        g_strdup_printf (_("Taken from %s, which wins over the keyring"),
                         turnout_secret_kind_get_env_var (TURNOUT_SECRET_SMTP_PASSWORD));

      set_stored (self, TRUE, subtitle);
    }
  else if (password != NULL)
    set_stored (self, TRUE, _("Stored in your keyring"));
  else if (error != NULL)
    set_stored (self, FALSE, error->message);
  else
    set_stored (self, FALSE, _("Nothing stored yet: enter it above and press Enter"));
}

static void
refresh_stored (TurnoutSmtpSetup *self)
{
  g_autofree char *account = dup_account (self);
  Lookup *lookup;

  /* Not cancelled: libsecret's first call sets up its connection to the
   * keyring, and cancelling that leaves later calls waiting for ever. An
   * older answer is simply ignored. */
  self->lookup_serial++;
  if (account == NULL)
    {
      set_stored (self, FALSE, _("Enter the server and the user name above first"));
      return;
    }
  lookup = g_new0 (Lookup, 1);
  lookup->self = g_object_ref (self);
  lookup->serial = self->lookup_serial;
  turnout_credentials_lookup_async (TURNOUT_SECRET_SMTP_PASSWORD, account, self->cancellable,
                                    on_lookup_cb, lookup);
}

static void
on_stored_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TurnoutSmtpSetup) self = user_data;
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
on_password_apply_cb (TurnoutSmtpSetup *self)
{
  g_autofree char *account = dup_account (self);
  g_autofree char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));

  /* The widget doesn't keep it once it is on its way to the keyring.
   * Unlike a token, a password may begin or end with a space: kept as
   * typed. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  if (*password == '\0')
    return;
  if (account == NULL)
    {
      say (self, _("Enter the server and the user name above first: the password is stored "
                   "for that user on that server"));
      memset (password, 0, strlen (password));
      return;
    }
  set_stored (self, self->has_password, _("Saving in your keyring…"));
  turnout_credentials_store_async (TURNOUT_SECRET_SMTP_PASSWORD, account, password,
                                   self->cancellable, on_stored_cb, g_object_ref (self));
  memset (password, 0, strlen (password));
}

static void
on_cleared_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TurnoutSmtpSetup) self = user_data;
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
smtp_forget (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TurnoutSmtpSetup *self = TURNOUT_SMTP_SETUP (widget);
  g_autofree char *account = dup_account (self);

  if (account == NULL)
    return;
  turnout_credentials_clear_async (TURNOUT_SECRET_SMTP_PASSWORD, account, self->cancellable,
                                   on_cleared_cb, g_object_ref (self));
}

/* Test Connection ----------------------------------------------------------- */

static const char *
describe_step (TurnoutSmtpStep step)
{
  switch (step)
    {
    case TURNOUT_SMTP_STEP_DNS:
      return _("Looking up the server failed");
    case TURNOUT_SMTP_STEP_CONNECT:
      return _("Connecting failed");
    case TURNOUT_SMTP_STEP_GREETING:
      return _("The server refused the session");
    case TURNOUT_SMTP_STEP_TLS:
      return _("Encryption failed");
    case TURNOUT_SMTP_STEP_AUTH:
      return _("Signing in failed");
    case TURNOUT_SMTP_STEP_NONE:
    default:
      return NULL;
    }
}

static void
hide_certificate (TurnoutSmtpSetup *self)
{
  g_clear_pointer (&self->fingerprint, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->certificate_row), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.accept-certificate", FALSE);
}

static void
show_verdict (TurnoutSmtpSetup *self,
              gboolean          ok,
              const char       *message)
{
  GtkWidget *row = GTK_WIDGET (self->check_row);

  gtk_spinner_stop (self->check_spinner);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.test", self->settings != NULL);
  adw_action_row_set_subtitle (self->check_row, message);
  gtk_widget_remove_css_class (row, ok ? "error" : "success");
  gtk_widget_add_css_class (row, ok ? "success" : "error");
}

/* "Signing in failed: …", or what worked and what the server offers. */
static char *
format_check (TurnoutSmtpCheck *check)
{
  const char *step = describe_step (check->failed_step);
  g_autoptr(GPtrArray) offers = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *list = NULL;

  /* The row below says what is wrong with the certificate and lets the
   * user accept it: the sentence for the command line would repeat it. */
  if (check->failed_step == TURNOUT_SMTP_STEP_TLS && check->certificate_fingerprint != NULL)
    return g_strdup_printf (_("%s: the mail server’s certificate was refused, so nothing was "
                              "sent. See below what is wrong with it."), step);
  if (step != NULL)
    /* TRANSLATORS: the step of the connection that failed, then why:
     * "Signing in failed: The mail server refused the user name…". */
    return g_strdup_printf (_("%s: %s"), step, check->message);
  if (check->capabilities == NULL || check->capabilities[0] == NULL)
    return g_strdup (check->message);
  for (guint i = 0; check->capabilities[i] != NULL; i++)
    {
      const char *keyword = check->capabilities[i];
      guint64 size;

      /* A size in bytes says little; "SIZE up to 33.6 MB" does. */
      if (g_ascii_strncasecmp (keyword, "SIZE ", 5) == 0
          && g_ascii_string_to_unsigned (keyword + 5, 10, 1, G_MAXUINT64, &size, NULL))
        {
          g_autofree char *formatted = g_format_size (size);

          /* TRANSLATORS: the largest message the server takes, "33.6 MB". */
          g_ptr_array_add (offers, g_strdup_printf (_("SIZE up to %s"), formatted));
        }
      else
        g_ptr_array_add (offers, g_strdup (keyword));
    }
  g_ptr_array_add (offers, NULL);
  list = g_strjoinv (", ", (char **) offers->pdata);
  /* TRANSLATORS: what worked, then the server's EHLO keywords:
   * "Connected to smtp.example.com, encrypted, and signed in as alice.
   * The server offers AUTH PLAIN LOGIN, PIPELINING, SIZE up to 33.6 MB." */
  return g_strdup_printf (_("%s The server offers %s."), check->message, list);
}

static void
show_certificate (TurnoutSmtpSetup *self,
                  TurnoutSmtpCheck *check)
{
  g_autofree char *host = turnout_settings_dup_string (self->settings, "smtp.host");
  g_autofree char *problems = turnout_smtp_dup_certificate_problems (check->certificate_errors,
                                                                      host);
  g_autofree char *subtitle = NULL;

  g_free (self->fingerprint);
  self->fingerprint = g_strdup (check->certificate_fingerprint);
  /* TRANSLATORS: what is wrong with the mail server's certificate, then
   * its SHA-256 fingerprint. */
  subtitle = g_strdup_printf (_("Refused: %s.\nSHA-256 %s"), problems, self->fingerprint);
  adw_action_row_set_subtitle (self->certificate_row, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->certificate_row), TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.accept-certificate", TRUE);
}

static void
on_checked_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TurnoutSmtpSetup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSmtpCheck) check =
    turnout_smtp_sender_test_connection_finish (TURNOUT_SMTP_SENDER (object), result, &error);
  g_autofree char *verdict = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (check == NULL)
    {
      show_verdict (self, FALSE, error->message);
      return;
    }
  verdict = format_check (check);
  show_verdict (self, check->failed_step == TURNOUT_SMTP_STEP_NONE, verdict);
  if (check->failed_step == TURNOUT_SMTP_STEP_TLS && check->certificate_fingerprint != NULL
      && self->settings != NULL)
    show_certificate (self, check);
}

static void
on_sender_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TurnoutSmtpSetup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSmtpSender) sender = turnout_smtp_sender_new_from_settings_finish (result,
                                                                                     &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (sender == NULL)
    {
      /* What is missing or contradicts itself in the settings, or no
       * password: said before anything goes out. */
      show_verdict (self, FALSE, error->message);
      return;
    }
  turnout_smtp_sender_test_connection_async (sender, self->check_cancellable, on_checked_cb,
                                             g_object_ref (self));
}

static void
start_test (TurnoutSmtpSetup *self)
{
  if (self->settings == NULL)
    return;
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->check_cancellable = g_cancellable_new ();
  hide_certificate (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.test", FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_row), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_row), "error");
  adw_action_row_set_subtitle (self->check_row, _("Asking the mail server…"));
  gtk_spinner_start (self->check_spinner);
  turnout_smtp_sender_new_from_settings_async (self->settings, self->check_cancellable,
                                               on_sender_cb, g_object_ref (self));
}

static void
smtp_test (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  start_test (TURNOUT_SMTP_SETUP (widget));
}

static void
on_accepted_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TurnoutSmtpSetup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!turnout_settings_set_finish (TURNOUT_SETTINGS (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message);
      return;
    }
  /* The proof is a connection that now goes through. */
  start_test (self);
}

static void
on_accept_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  TurnoutSmtpSetup *self = user_data;
  const char *fingerprint = g_object_get_data (G_OBJECT (dialog), "turnout-fingerprint");

  if (!g_str_equal (response, "accept") || self->settings == NULL || fingerprint == NULL)
    return;
  /* The fingerprint confirmed, not whatever was refused since. */
  turnout_settings_set_async (self->settings, "smtp.accepted_certificate", fingerprint,
                              self->cancellable, on_accepted_cb, g_object_ref (self));
}

static void
smtp_accept_certificate (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  TurnoutSmtpSetup *self = TURNOUT_SMTP_SETUP (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *host = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->fingerprint == NULL || self->settings == NULL)
    return;
  host = turnout_settings_dup_string (self->settings, "smtp.host");
  body = g_strdup_printf (_("Only accept it if you are sure the server %s is yours or your "
                            "provider’s: a certificate that fails the checks may also be "
                            "someone listening in. Turnout will trust exactly this "
                            "certificate, with the SHA-256 fingerprint\n\n%s\n\nand no other; "
                            "you can clear it in Preferences later."),
                          host, self->fingerprint);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Accept This Certificate?"), body);
  g_object_set_data_full (G_OBJECT (dialog), "turnout-fingerprint",
                          g_strdup (self->fingerprint), g_free);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "accept", _("_Accept"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "accept",
                                              ADW_RESPONSE_DESTRUCTIVE);
  /* Trust is never given by a stray Enter. */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_accept_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Object --------------------------------------------------------------------- */

static void
on_settings_changed_cb (TurnoutSmtpSetup *self,
                        const char       *key)
{
  if (g_str_has_prefix (key, "smtp."))
    {
      /* What was checked is no longer what is set. */
      g_cancellable_cancel (self->check_cancellable);
      gtk_spinner_stop (self->check_spinner);
      hide_certificate (self);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.test", TRUE);
      if (g_str_equal (key, "smtp.host") || g_str_equal (key, "smtp.username"))
        refresh_stored (self);
    }
}

void
turnout_smtp_setup_set_settings (TurnoutSmtpSetup *self,
                                 TurnoutSettings  *settings)
{
  g_return_if_fail (TURNOUT_IS_SMTP_SETUP (self));
  g_return_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;
  if (self->settings != NULL)
    g_clear_signal_handler (&self->changed_handler, self->settings);
  g_cancellable_cancel (self->check_cancellable);
  gtk_spinner_stop (self->check_spinner);
  hide_certificate (self);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    self->changed_handler = g_signal_connect_swapped (settings, "changed",
                                                      G_CALLBACK (on_settings_changed_cb), self);
  gtk_widget_set_sensitive (GTK_WIDGET (self), settings != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.test", settings != NULL);
  refresh_stored (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

TurnoutSettings *
turnout_smtp_setup_get_settings (TurnoutSmtpSetup *self)
{
  g_return_val_if_fail (TURNOUT_IS_SMTP_SETUP (self), NULL);

  return self->settings;
}

GtkWidget *
turnout_smtp_setup_new (void)
{
  return g_object_new (TURNOUT_TYPE_SMTP_SETUP, NULL);
}

static void
turnout_smtp_setup_dispose (GObject *object)
{
  TurnoutSmtpSetup *self = TURNOUT_SMTP_SETUP (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->check_cancellable);
  if (self->settings != NULL)
    g_clear_signal_handler (&self->changed_handler, self->settings);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_SMTP_SETUP);

  G_OBJECT_CLASS (turnout_smtp_setup_parent_class)->dispose (object);
}

static void
turnout_smtp_setup_finalize (GObject *object)
{
  TurnoutSmtpSetup *self = TURNOUT_SMTP_SETUP (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->check_cancellable);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (turnout_smtp_setup_parent_class)->finalize (object);
}

static void
turnout_smtp_setup_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TurnoutSmtpSetup *self = TURNOUT_SMTP_SETUP (object);

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
turnout_smtp_setup_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TurnoutSmtpSetup *self = TURNOUT_SMTP_SETUP (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      turnout_smtp_setup_set_settings (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_smtp_setup_class_init (TurnoutSmtpSetupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_smtp_setup_dispose;
  object_class->finalize = turnout_smtp_setup_finalize;
  object_class->get_property = turnout_smtp_setup_get_property;
  object_class->set_property = turnout_smtp_setup_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/turnout-smtp-setup.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmtpSetup, password_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmtpSetup, stored_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmtpSetup, check_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmtpSetup, check_spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmtpSetup, certificate_row);
  gtk_widget_class_bind_template_callback (widget_class, on_password_apply_cb);

  /* Reached with the buttons' mnemonics (Alt+F, Alt+C, Alt+A). */
  gtk_widget_class_install_action (widget_class, "smtp.forget", NULL, smtp_forget);
  gtk_widget_class_install_action (widget_class, "smtp.test", NULL, smtp_test);
  gtk_widget_class_install_action (widget_class, "smtp.accept-certificate", NULL,
                                   smtp_accept_certificate);
}

static void
turnout_smtp_setup_init (TurnoutSmtpSetup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.forget", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "smtp.accept-certificate", FALSE);
}
