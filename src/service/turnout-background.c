/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-background"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-background.h"

/*
 * Keeps Turnout running after its window closes, so sends and automations
 * go on: while `background.enabled` is on, the application holds itself.
 * `background.autostart` starts it at login with `--gapplication-service`
 * (no window): inside the Flatpak through the Background portal, elsewhere
 * with an entry in ~/.config/autostart, as Geary does.
 */
struct _TurnoutBackground
{
  GObject          parent_instance;

  GApplication    *application;   /* weak */
  TurnoutSettings *settings;      /* owned */
  GCancellable    *cancellable;   /* owned */
  gulong           changed_id;
  gboolean         holding;
  gboolean         autostart;
};

G_DEFINE_FINAL_TYPE (TurnoutBackground, turnout_background, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOLDING,
  PROP_AUTOSTART,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
in_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/**
 * turnout_background_dup_autostart_path:
 *
 * Returns: (transfer full): where the login autostart entry goes outside
 *   the Flatpak.
 */
char *
turnout_background_dup_autostart_path (const char *application_id)
{
  g_autofree char *name = g_strconcat (application_id, ".desktop", NULL);

  return g_build_filename (g_get_user_config_dir (), "autostart", name, NULL);
}

/**
 * turnout_background_dup_autostart_entry:
 *
 * Returns: (transfer full): the desktop entry that starts Turnout at login
 *   without a window.
 */
char *
turnout_background_dup_autostart_entry (const char *application_id)
{
  g_autoptr(GKeyFile) entry = g_key_file_new ();
  const char *group = G_KEY_FILE_DESKTOP_GROUP;

  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_TYPE, "Application");
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_NAME, "Turnout");
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_COMMENT,
                         _("Sends scheduled messages and runs automations in the background"));
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_ICON, application_id);
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_EXEC,
                         "turnout --gapplication-service");
  g_key_file_set_boolean (entry, group, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, TRUE);
  g_key_file_set_boolean (entry, group, "X-GNOME-Autostart-enabled", TRUE);
  return g_key_file_to_data (entry, NULL, NULL);
}

static void
on_autostart_written_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not write the autostart entry: %s", error->message);
}

static void
on_autostart_deleted_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not remove the autostart entry: %s", error->message);
}

static void
update_autostart_file (TurnoutBackground *self,
                       const char        *application_id)
{
  g_autofree char *path = turnout_background_dup_autostart_path (application_id);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  if (self->autostart)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      char *contents = turnout_background_dup_autostart_entry (application_id);
      GBytes *bytes = g_bytes_new_take (contents, strlen (contents));

      /* One small folder; creating it need not wait for a worker. */
      g_mkdir_with_parents (dir, 0700);
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                           self->cancellable, on_autostart_written_cb, NULL);
      g_bytes_unref (bytes);
    }
  else
    g_file_delete_async (file, G_PRIORITY_DEFAULT, self->cancellable, on_autostart_deleted_cb,
                         NULL);
}

static void
on_portal_reply_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result,
                                                             &error);

  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The Background portal refused the request: %s", error->message);
}

/* libportal 0.6 (the Debian 12 floor) lacks what the portal offers now, so
 * the Background portal is called directly. */
static void
request_portal_background (TurnoutBackground *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (self->application);
  const char * const commandline[] = { "turnout", "--gapplication-service", NULL };
  GVariantBuilder options;

  if (bus == NULL)
    return;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Send scheduled messages and run automations")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (self->autostart));
  g_variant_builder_add (&options, "{sv}", "commandline",
                         g_variant_new_strv (commandline, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));

  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_portal_reply_cb, NULL);
}

static void
apply_settings (TurnoutBackground *self,
                gboolean           initial)
{
  gboolean holding = turnout_settings_get_boolean (self->settings, "background.enabled");
  gboolean autostart = turnout_settings_get_boolean (self->settings, "background.autostart");

  if (holding != self->holding)
    {
      self->holding = holding;
      if (holding)
        g_application_hold (self->application);
      else
        g_application_release (self->application);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOLDING]);
    }

  if (autostart != self->autostart || initial)
    {
      gboolean changed = autostart != self->autostart;

      self->autostart = autostart;
      if (in_flatpak ())
        request_portal_background (self);
      else if (changed || autostart)
        update_autostart_file (self, g_application_get_application_id (self->application));
      if (changed)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOSTART]);
    }
}

static void
on_settings_changed_cb (TurnoutSettings   *settings,
                        const char        *key,
                        TurnoutBackground *self)
{
  if (g_str_has_prefix (key, "background."))
    apply_settings (self, FALSE);
}

static void
turnout_background_dispose (GObject *object)
{
  TurnoutBackground *self = TURNOUT_BACKGROUND (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->changed_id, self->settings);
  if (self->holding && self->application != NULL)
    g_application_release (self->application);
  self->holding = FALSE;
  g_clear_weak_pointer (&self->application);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (turnout_background_parent_class)->dispose (object);
}

static void
turnout_background_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TurnoutBackground *self = TURNOUT_BACKGROUND (object);

  switch (prop_id)
    {
    case PROP_HOLDING:
      g_value_set_boolean (value, self->holding);
      break;
    case PROP_AUTOSTART:
      g_value_set_boolean (value, self->autostart);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_background_class_init (TurnoutBackgroundClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_background_dispose;
  object_class->get_property = turnout_background_get_property;

  properties[PROP_HOLDING] =
    g_param_spec_boolean ("holding", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTOSTART] =
    g_param_spec_boolean ("autostart", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
turnout_background_init (TurnoutBackground *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * turnout_background_new:
 * @application: the application to keep alive
 * @settings: where `background.enabled` and `background.autostart` live
 *
 * Applies the background settings now and whenever they change.
 *
 * Returns: (transfer full): the new object; dispose it to let go.
 */
TurnoutBackground *
turnout_background_new (GApplication    *application,
                        TurnoutSettings *settings)
{
  TurnoutBackground *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (TURNOUT_IS_SETTINGS (settings), NULL);

  self = g_object_new (TURNOUT_TYPE_BACKGROUND, NULL);
  g_set_weak_pointer (&self->application, application);
  self->settings = g_object_ref (settings);
  self->changed_id = g_signal_connect (settings, "changed",
                                       G_CALLBACK (on_settings_changed_cb), self);
  apply_settings (self, TRUE);
  return self;
}

gboolean
turnout_background_get_holding (TurnoutBackground *self)
{
  g_return_val_if_fail (TURNOUT_IS_BACKGROUND (self), FALSE);

  return self->holding;
}

gboolean
turnout_background_get_autostart (TurnoutBackground *self)
{
  g_return_val_if_fail (TURNOUT_IS_BACKGROUND (self), FALSE);

  return self->autostart;
}
