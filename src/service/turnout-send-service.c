/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-send-service"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-campaigns.h"
#include "turnout-dispatcher.h"
#include "turnout-poll.h"
#include "turnout-send-service.h"
#include "turnout-smtp-sender.h"
#include "turnout-store.h"
#include "turnout-twilio-sender.h"

/*
 * What sends campaigns while the app (or its background service) runs.
 *
 * Every minute, and at once when woken (the Campaigns pane wakes it after
 * a launch or a resume), a pass:
 *  1. starts the scheduled campaigns whose time has come; one more than the
 *     grace period late (the computer was off) waits for the user instead;
 *  2. if any SMS campaign is running, builds the Twilio client from the
 *     settings and the keyring and runs the dispatcher over every running
 *     campaign until nothing is due now. The dispatcher first reconciles
 *     what a crash left "sending", so starting the app after one finishes
 *     the campaign without a second text to anyone.
 *  3. every five minutes (and in the first pass), asks Twilio what became
 *     of the texts sent in the last 72 hours and for the replies: STOP and
 *     its kin suppress the number at once, START lifts it.
 *  4. if any email campaign is running, builds the SMTP client from the
 *     settings and the keyring and runs a second dispatcher, for the
 *     "email" channel, the same way.
 * Retries and quiet hours are picked up by the next pass. Without Twilio
 * (or the mail server) set up, that channel's running campaigns are
 * stopped with the reason (not left to look stuck), and the user is told;
 * they resume them once it is set up.
 *
 * Everything here is asynchronous: database work on workers, requests on
 * libsoup; nothing blocks the main loop.
 */

#define DEFAULT_INTERVAL 60        /* seconds between passes */
#define DEFAULT_POLL_INTERVAL 300  /* seconds between asking about deliveries and replies */

struct _TurnoutSendService
{
  GObject          parent_instance;

  GApplication    *application;   /* unowned, nullable: the application owns us */
  TurnoutSettings *settings;
  TurnoutStore    *store;
  GCancellable    *cancellable;
  guint            timer_id;
  guint            interval;
  gboolean         in_pass;
  gboolean         again;         /* woken during a pass: another one after it */
  gboolean         holding;
  guint            passes;
  char            *problem;       /* why the last pass couldn't send, or NULL */
  guint            poll_interval; /* seconds; 0: every pass */
  gint64           polled_at;     /* monotonic µs of the last poll, 0: never */
  gboolean         poll_due;      /* this pass polls */
  int              running;       /* SMS campaigns running, this pass */
  int              email_running; /* email campaigns running, this pass */
  TurnoutTwilioSender *sender;    /* this pass's */
};

G_DEFINE_FINAL_TYPE (TurnoutSendService, turnout_send_service, G_TYPE_OBJECT)

static void pass_start (TurnoutSendService *self);
static void email_start (TurnoutSendService *self);

static void
turnout_send_service_dispose (GObject *object)
{
  TurnoutSendService *self = TURNOUT_SEND_SERVICE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->holding && self->application != NULL)
    g_application_release (self->application);
  self->holding = FALSE;
  if (self->application != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
  self->application = NULL;

  G_OBJECT_CLASS (turnout_send_service_parent_class)->dispose (object);
}

static void
turnout_send_service_finalize (GObject *object)
{
  TurnoutSendService *self = TURNOUT_SEND_SERVICE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->sender);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_free (self->problem);

  G_OBJECT_CLASS (turnout_send_service_parent_class)->finalize (object);
}

static void
turnout_send_service_class_init (TurnoutSendServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_send_service_dispose;
  object_class->finalize = turnout_send_service_finalize;
}

static void
turnout_send_service_init (TurnoutSendService *self)
{
  self->cancellable = g_cancellable_new ();
  self->interval = DEFAULT_INTERVAL;
  self->poll_interval = DEFAULT_POLL_INTERVAL;
}

static void
notify_user (TurnoutSendService *self,
             const char         *id,
             const char         *title,
             const char         *body)
{
  g_autoptr(GNotification) notification = NULL;

  if (self->application == NULL)
    return;
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_application_send_notification (self->application, id, notification);
}

static void
set_problem (TurnoutSendService *self,
             const char         *problem)
{
  g_free (self->problem);
  self->problem = g_strdup (problem);
}

static gboolean
on_timer_cb (gpointer user_data)
{
  pass_start (user_data);
  return G_SOURCE_CONTINUE;
}

static void
pass_end (TurnoutSendService *self)
{
  g_clear_object (&self->sender);
  self->in_pass = FALSE;
  self->passes++;
  if (self->holding && self->application != NULL)
    g_application_release (self->application);
  self->holding = FALSE;
  if (self->again && !g_cancellable_is_cancelled (self->cancellable))
    {
      self->again = FALSE;
      pass_start (self);
    }
}

/* Stopping a channel that can't send -------------------------------------- */

static void
stop_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TurnoutSendService *self = source_object;
  char **channel_reason = task_data;
  GError *error = NULL;
  int stopped = turnout_campaigns_stop_channel (self->store, channel_reason[0], channel_reason[1],
                                                &error);

  if (stopped < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, stopped);
}

static void
on_stopped_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TurnoutSendService *self = TURNOUT_SEND_SERVICE (object);
  char **channel_reason = g_task_get_task_data (G_TASK (result));
  gboolean email = g_str_equal (channel_reason[0], "email");
  g_autoptr(GError) error = NULL;
  gssize stopped = g_task_propagate_int (G_TASK (result), &error);

  if (stopped < 0)
    g_warning ("Could not stop the campaigns: %s", error->message);
  else if (stopped > 0)
    notify_user (self, email ? "sending-email" : "sending",
                 email ? _("Emails Can’t Go Out") : _("Texts Can’t Go Out"), self->problem);
  if (email)
    pass_end (self);
  else
    email_start (self);
}

static void
stop_channel (TurnoutSendService *self,
              const char         *channel,
              const char         *reason)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, on_stopped_cb, NULL);

  set_problem (self, reason);
  g_task_set_task_data (task, g_strdupv ((char *[]) { (char *) channel, (char *) reason, NULL }),
                        (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, stop_worker);
}

/* Deliveries and replies ---------------------------------------------------- */

static void
on_polled_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TurnoutSendService) self = user_data;
  g_autoptr(GError) error = NULL;
  TurnoutPollSummary summary = { 0 };

  if (!turnout_poll_run_finish (TURNOUT_STORE (object), result, &summary, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Twilio may be down for now: the next poll catches up. */
      g_debug ("Could not poll Twilio: %s", error->message);
    }
  else
    g_debug ("Polled: %u checked, %u delivered, %u replies, %u opt-outs", summary.checked,
             summary.delivered, summary.replies, summary.opt_outs);
  email_start (self);
}

/* Ends the pass, after polling when it is time to. */
static void
poll_or_end (TurnoutSendService *self)
{
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      pass_end (self);
      return;
    }
  if (!self->poll_due || self->sender == NULL)
    {
      email_start (self);
      return;
    }
  self->polled_at = g_get_monotonic_time ();
  turnout_poll_run_async (self->store, self->sender, self->cancellable, on_polled_cb,
                          g_object_ref (self));
}

/* Sending ------------------------------------------------------------------ */

static void
on_run_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TurnoutSendService) self = user_data;
  TurnoutDispatcher *dispatcher = TURNOUT_DISPATCHER (object);
  g_autoptr(GError) error = NULL;

  if (turnout_dispatcher_run_finish (dispatcher, result, &error))
    set_problem (self, NULL);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    /* turnout-cli is sending from the same file: it does the work. */
    g_debug ("%s", error->message);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The campaigns are stopped with this reason; the pane shows it. */
      set_problem (self, error->message);
      notify_user (self, "sending", _("Texts Stopped"), error->message);
    }
  poll_or_end (self);
}

static void
on_sender_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TurnoutSendService) self = user_data;
  g_autoptr(TurnoutTwilioSender) sender = NULL;
  g_autoptr(TurnoutDispatcher) dispatcher = NULL;
  g_autoptr(GError) error = NULL;

  sender = turnout_twilio_sender_new_from_settings_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (sender == NULL && self->running == 0)
    {
      /* Only polling, and Twilio isn't set up: nothing to ask. */
      g_debug ("Not polling: %s", error->message);
      email_start (self);
      return;
    }
  if (sender == NULL)
    {
      if (g_error_matches (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_INVALID_CONFIG)
          || g_error_matches (error, TURNOUT_TWILIO_ERROR, TURNOUT_TWILIO_ERROR_NO_SECRET))
        {
          g_autofree char *reason =
            /* TRANSLATORS: %s says what is missing or wrong in the Twilio settings. */
            g_strdup_printf (_("%s Set up Twilio in Preferences, then resume the campaign."),
                             error->message);

          stop_channel (self, "sms", reason);
          return;
        }
      /* The keyring may be locked for now: the next pass tries again. */
      set_problem (self, error->message);
      email_start (self);
      return;
    }

  self->sender = g_object_ref (sender);
  if (self->running == 0)
    {
      poll_or_end (self);
      return;
    }
  dispatcher = turnout_dispatcher_new (self->store, TURNOUT_SENDER (sender));
  if (!turnout_dispatcher_apply_settings (dispatcher, self->settings, &error))
    {
      set_problem (self, error->message);
      poll_or_end (self);
      return;
    }
  /* Closing the last window mid-send lets this run finish first. */
  if (self->application != NULL && !self->holding)
    {
      g_application_hold (self->application);
      self->holding = TRUE;
    }
  turnout_dispatcher_run_async (dispatcher, 0, FALSE, self->cancellable, on_run_cb,
                                g_object_ref (self));
}

/* Email ------------------------------------------------------------------- */

static void
on_email_run_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TurnoutSendService) self = user_data;
  g_autoptr(GError) error = NULL;

  if (turnout_dispatcher_run_finish (TURNOUT_DISPATCHER (object), result, &error))
    set_problem (self, NULL);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    g_debug ("%s", error->message);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_problem (self, error->message);
      notify_user (self, "sending-email", _("Emails Stopped"), error->message);
    }
  pass_end (self);
}

static void
on_smtp_sender_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TurnoutSendService) self = user_data;
  g_autoptr(TurnoutSmtpSender) sender = NULL;
  g_autoptr(TurnoutDispatcher) dispatcher = NULL;
  g_autoptr(GError) error = NULL;

  sender = turnout_smtp_sender_new_from_settings_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (sender == NULL)
    {
      if (g_error_matches (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_INVALID_CONFIG)
          || g_error_matches (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_NO_PASSWORD))
        {
          g_autofree char *reason =
            /* TRANSLATORS: %s says what is missing or wrong in the mail server settings. */
            g_strdup_printf (_("%s Set up the mail server in Preferences, then resume the "
                               "campaign."), error->message);

          stop_channel (self, "email", reason);
          return;
        }
      /* The keyring may be locked for now: the next pass tries again. */
      set_problem (self, error->message);
      pass_end (self);
      return;
    }
  dispatcher = turnout_dispatcher_new (self->store, TURNOUT_SENDER (sender));
  if (!turnout_dispatcher_apply_settings (dispatcher, self->settings, &error))
    {
      set_problem (self, error->message);
      pass_end (self);
      return;
    }
  if (self->application != NULL && !self->holding)
    {
      g_application_hold (self->application);
      self->holding = TRUE;
    }
  turnout_dispatcher_run_async (dispatcher, 0, FALSE, self->cancellable, on_email_run_cb,
                                g_object_ref (self));
}

/* The second half of a pass: the email campaigns, after the texts. */
static void
email_start (TurnoutSendService *self)
{
  if (self->email_running <= 0 || g_cancellable_is_cancelled (self->cancellable))
    {
      pass_end (self);
      return;
    }
  turnout_smtp_sender_new_from_settings_async (self->settings, self->cancellable,
                                               on_smtp_sender_cb, g_object_ref (self));
}

/* A pass ------------------------------------------------------------------- */

typedef struct
{
  gint64 grace;
  int    launched;
  int    late;
  int    running;
  int    email_running;
} Check;

static void
check_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  TurnoutSendService *self = source_object;
  Check *check = task_data;
  GError *error = NULL;

  if ((check->launched = turnout_campaigns_start_due (self->store, check->grace, &check->late,
                                                      &error)) < 0
      || (check->running = turnout_campaigns_count_running (self->store, "sms", &error)) < 0
      || (check->email_running = turnout_campaigns_count_running (self->store, "email",
                                                                  &error)) < 0)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_checked_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TurnoutSendService *self = TURNOUT_SEND_SERVICE (object);
  Check *check = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Could not look at the campaigns: %s", error->message);
          set_problem (self, error->message);
        }
      pass_end (self);
      return;
    }
  if (check->late > 0)
    notify_user (self, "late",
                 _("A Scheduled Campaign Is Waiting for You"),
                 _("Its time passed while Turnout wasn’t running. Send it now or cancel it in "
                   "Campaigns."));
  self->running = check->running;
  self->email_running = check->email_running;
  self->poll_due = self->polled_at == 0
                   || g_get_monotonic_time () - self->polled_at
                      >= (gint64) self->poll_interval * G_USEC_PER_SEC;
  if (check->running == 0 && !self->poll_due)
    {
      email_start (self);
      return;
    }
  turnout_twilio_sender_new_from_settings_async (self->settings, self->cancellable, on_sender_cb,
                                                 g_object_ref (self));
}

static void
pass_start (TurnoutSendService *self)
{
  g_autoptr(GTask) task = NULL;
  Check *check;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (self->in_pass)
    {
      self->again = TRUE;
      return;
    }
  self->in_pass = TRUE;
  check = g_new0 (Check, 1);
  check->grace = turnout_settings_get_int (self->settings, "delivery.grace_period") * 3600;
  task = g_task_new (self, self->cancellable, on_checked_cb, NULL);
  g_task_set_task_data (task, check, g_free);
  g_task_run_in_thread (task, check_worker);
}

/**
 * turnout_send_service_new:
 * @application: (nullable): held while a run is under way, and told to
 *   show notifications
 *
 * Starts at once: a pass now (which finishes what a crash left), then one
 * every minute.
 */
TurnoutSendService *
turnout_send_service_new (GApplication    *application,
                          TurnoutSettings *settings)
{
  TurnoutSendService *self;

  g_return_val_if_fail (application == NULL || G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (TURNOUT_IS_SETTINGS (settings), NULL);

  self = g_object_new (TURNOUT_TYPE_SEND_SERVICE, NULL);
  self->application = application;
  if (application != NULL)
    g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);
  self->settings = g_object_ref (settings);
  self->store = g_object_ref (turnout_settings_get_store (settings));
  self->timer_id = g_timeout_add_seconds (self->interval, on_timer_cb, self);
  pass_start (self);
  return self;
}

/**
 * turnout_send_service_wake:
 *
 * Makes a pass now (or right after the one under way): a campaign just
 * launched or resumed goes out without waiting for the minute.
 */
void
turnout_send_service_wake (TurnoutSendService *self)
{
  g_return_if_fail (TURNOUT_IS_SEND_SERVICE (self));

  pass_start (self);
}

/**
 * turnout_send_service_set_interval:
 *
 * How often a pass runs on its own (default: every minute).
 */
void
turnout_send_service_set_interval (TurnoutSendService *self,
                                   guint               seconds)
{
  g_return_if_fail (TURNOUT_IS_SEND_SERVICE (self));
  g_return_if_fail (seconds > 0);

  self->interval = seconds;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_id = g_timeout_add_seconds (seconds, on_timer_cb, self);
}

/**
 * turnout_send_service_get_passes:
 *
 * Returns: how many passes have ended, for those who wait for one
 */
guint
turnout_send_service_get_passes (TurnoutSendService *self)
{
  g_return_val_if_fail (TURNOUT_IS_SEND_SERVICE (self), 0);

  return self->passes;
}

/**
 * turnout_send_service_get_problem:
 *
 * Returns: (nullable): why the last pass couldn't send, in words
 */
const char *
turnout_send_service_get_problem (TurnoutSendService *self)
{
  g_return_val_if_fail (TURNOUT_IS_SEND_SERVICE (self), NULL);

  return self->problem;
}

/**
 * turnout_send_service_set_poll_interval:
 * @seconds: 0 to poll in every pass
 *
 * How often delivery statuses and replies are asked for (default: every
 * five minutes, and in the first pass).
 */
void
turnout_send_service_set_poll_interval (TurnoutSendService *self,
                                        guint               seconds)
{
  g_return_if_fail (TURNOUT_IS_SEND_SERVICE (self));

  self->poll_interval = seconds;
}
