/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-application"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "turnout-application.h"
#include "turnout-about.h"
#include "turnout-background.h"
#include "turnout-preferences-window.h"
#include "turnout-send-service.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-window.h"

/*
 * The application owns the store and the settings. The store is opened on a
 * worker when the primary instance starts, so the window appears at once;
 * widgets that need it watch the `store`, `settings` and `store-error`
 * properties.
 */

struct _TurnoutApplication
{
  AdwApplication   parent_instance;

  GCancellable    *cancellable;   /* owned; cancels opening the store */
  TurnoutStore    *store;         /* owned; NULL until open */
  TurnoutSettings *settings;      /* owned; NULL until open */
  GError          *store_error;   /* owned; why the store could not be opened */
  TurnoutBackground *background;  /* owned; NULL until open */
  TurnoutSendService *sender;     /* owned; NULL until open */
  gboolean         told_background;
  gboolean         quitting;
};

G_DEFINE_FINAL_TYPE (TurnoutApplication, turnout_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_STORE_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Opening (and perhaps upgrading) the file and reading its settings both
 * touch the disk: a worker does them, the window shows meanwhile. */
static void
open_store_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_autoptr(TurnoutStore) store = NULL;
  GError *error = NULL;
  TurnoutSettings *settings;

  if ((store = turnout_store_open (NULL, &error)) == NULL ||
      (settings = turnout_settings_new (store, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, settings, g_object_unref);
}

static void
on_store_opened_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (object);
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(GError) error = NULL;

  settings = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (settings != NULL)
    store = g_object_ref (turnout_settings_get_store (settings));

  if (settings == NULL)
    {
      g_message ("Could not open the database: %s", error->message);
      self->store_error = g_steal_pointer (&error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE_ERROR]);
      return;
    }

  self->store = g_steal_pointer (&store);
  self->settings = g_steal_pointer (&settings);
  self->background = turnout_background_new (G_APPLICATION (self), self->settings);
  /* Sends running campaigns, starts scheduled ones and, first of all,
   * finishes what a crash or a power cut left half done. */
  self->sender = turnout_send_service_new (G_APPLICATION (self), self->settings);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

static void
turnout_application_quit_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (user_data);
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  self->quitting = TRUE;
  /* Closing rather than destroying lets each window save its state; the
   * references keep the list valid while windows take their dialogs along. */
  for (GList *l = windows; l != NULL; l = l->next)
    g_object_ref (l->data);
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free_full (windows, g_object_unref);

  g_application_quit (G_APPLICATION (self));
}

/* Activated by the Campaigns pane after a launch or a resume, so the
 * messages go now rather than at the next minute. */
static void
turnout_application_wake_sender_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (user_data);

  if (self->sender != NULL)
    turnout_send_service_wake (self->sender);
}

static void
turnout_application_preferences_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  TurnoutPreferencesWindow *preferences;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (TURNOUT_IS_PREFERENCES_WINDOW (l->data))
        {
          gtk_window_present (l->data);
          return;
        }
    }

  preferences = turnout_preferences_window_new (self->settings);
  /* The store may still be opening: the rows come alive once it is. */
  g_object_bind_property (self, "settings", preferences, "settings", G_BINDING_DEFAULT);
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
      gtk_window_set_modal (GTK_WINDOW (preferences), TRUE);
      gtk_window_set_destroy_with_parent (GTK_WINDOW (preferences), TRUE);
    }
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
turnout_application_about_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *metainfo = g_strconcat (RESOURCE_BASE_PATH, "/turnout.metainfo.xml", NULL);
  g_autofree char *release = g_strdup (PACKAGE_VERSION);
  char *suffix = strchr (release, '-');
  GtkWidget *about;

  /* The notes of 0.1.0 belong to 0.1.0-devel too. */
  if (suffix != NULL)
    *suffix = '\0';

  about = turnout_about_window_new_from_resource (metainfo, release);
  gtk_window_set_application (GTK_WINDOW (about), GTK_APPLICATION (self));
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (about), parent);
      gtk_window_set_modal (GTK_WINDOW (about), TRUE);
      gtk_window_set_destroy_with_parent (GTK_WINDOW (about), TRUE);
    }
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", turnout_application_quit_action },
  { "preferences", turnout_application_preferences_action },
  { "about", turnout_application_about_action },
  { "wake-sender", turnout_application_wake_sender_action },
};

static void
turnout_application_startup (GApplication *application)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (application);
  static const char * const quit_accels[] = { "<Control>q", NULL };
  static const char * const preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (turnout_application_parent_class)->startup (application);

  gtk_window_set_default_icon_name (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);

  {
    g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_store_opened_cb, NULL);

    g_task_set_source_tag (task, open_store_worker);
    g_task_run_in_thread (task, open_store_worker);
  }
}

static void
turnout_application_activate (GApplication *application)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (application);
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (TURNOUT_IS_WINDOW (l->data))
        {
          window = l->data;
          break;
        }
    }
  if (window == NULL)
    window = GTK_WINDOW (turnout_window_new (self));

  gtk_window_present (window);
}

/* Closing the last window does not quit while Turnout runs in the
 * background; say so once, so nobody wonders why texts still go out. */
static void
turnout_application_window_removed (GtkApplication *application,
                                    GtkWindow      *window)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (application);

  GTK_APPLICATION_CLASS (turnout_application_parent_class)->window_removed (application, window);

  if (gtk_application_get_windows (application) == NULL && self->background != NULL &&
      turnout_background_get_holding (self->background) && !self->told_background &&
      !self->quitting)
    {
      g_autoptr(GNotification) notification =
        g_notification_new (_("Turnout Is Still Running"));

      g_notification_set_body (notification,
                               _("Scheduled messages and automations go on in the background. "
                                 "Turn this off under Preferences ▸ Background."));
      g_application_send_notification (G_APPLICATION (self), "background", notification);
      self->told_background = TRUE;
    }
}

static void
turnout_application_shutdown (GApplication *application)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->background);
  /* Whatever is in flight now is reconciled at the next start. */
  if (self->sender != NULL)
    g_object_run_dispose (G_OBJECT (self->sender));
  g_clear_object (&self->sender);

  G_APPLICATION_CLASS (turnout_application_parent_class)->shutdown (application);
}

static void
turnout_application_constructed (GObject *object)
{
  G_OBJECT_CLASS (turnout_application_parent_class)->constructed (object);

  /* The same resources for both profiles: GApplication would derive the
   * path from the application ID, which has a suffix in development. */
  g_application_set_resource_base_path (G_APPLICATION (object), RESOURCE_BASE_PATH);
}

static void
turnout_application_dispose (GObject *object)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->background);
  if (self->sender != NULL)
    g_object_run_dispose (G_OBJECT (self->sender));
  g_clear_object (&self->sender);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (turnout_application_parent_class)->dispose (object);
}

static void
turnout_application_finalize (GObject *object)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (object);

  g_clear_error (&self->store_error);

  G_OBJECT_CLASS (turnout_application_parent_class)->finalize (object);
}

static void
turnout_application_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TurnoutApplication *self = TURNOUT_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_STORE_ERROR:
      g_value_set_boxed (value, self->store_error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_application_class_init (TurnoutApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->constructed = turnout_application_constructed;
  object_class->dispose = turnout_application_dispose;
  object_class->finalize = turnout_application_finalize;
  object_class->get_property = turnout_application_get_property;

  application_class->startup = turnout_application_startup;
  application_class->activate = turnout_application_activate;
  application_class->shutdown = turnout_application_shutdown;
  GTK_APPLICATION_CLASS (klass)->window_removed = turnout_application_window_removed;

  /**
   * TurnoutApplication:store:
   *
   * The open store; %NULL while it is opening or when it could not be opened.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TURNOUT_TYPE_STORE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TurnoutApplication:settings:
   *
   * The settings of the store; set together with #TurnoutApplication:store.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         TURNOUT_TYPE_SETTINGS,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TurnoutApplication:store-error:
   *
   * Why the store could not be opened (a #TurnoutStoreError), or %NULL.
   */
  properties[PROP_STORE_ERROR] =
    g_param_spec_boxed ("store-error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
turnout_application_init (TurnoutApplication *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * turnout_application_new:
 *
 * Returns: (transfer full): the application of the build's profile.
 */
TurnoutApplication *
turnout_application_new (void)
{
  return g_object_new (TURNOUT_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

/**
 * turnout_application_get_store:
 *
 * Returns: (transfer none) (nullable): the open store, or %NULL while it is
 *   opening or after it failed to open.
 */
TurnoutStore *
turnout_application_get_store (TurnoutApplication *self)
{
  g_return_val_if_fail (TURNOUT_IS_APPLICATION (self), NULL);

  return self->store;
}

/**
 * turnout_application_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings, or %NULL while the store
 *   is opening or after it failed to open.
 */
TurnoutSettings *
turnout_application_get_settings (TurnoutApplication *self)
{
  g_return_val_if_fail (TURNOUT_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * turnout_application_get_store_error:
 *
 * Returns: (transfer none) (nullable): why the store could not be opened, or
 *   %NULL while it is opening or once it is open.
 */
const GError *
turnout_application_get_store_error (TurnoutApplication *self)
{
  g_return_val_if_fail (TURNOUT_IS_APPLICATION (self), NULL);

  return self->store_error;
}
