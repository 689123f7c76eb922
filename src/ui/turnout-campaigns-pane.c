/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-campaigns-pane"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-campaign-dialog.h"
#include "turnout-campaigns-async.h"
#include "turnout-campaigns-pane.h"
#include "turnout-clock.h"
#include "turnout-event.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * The Campaigns pane: the campaigns on the left, newest first, each with
 * its state and a progress bar; the chosen one on the right — its state
 * and why, its messages counted by outcome, the rate and the time left
 * while it sends, Pause / Resume / Cancel, and its recipients a page at a
 * time with what became of each message and why.
 *
 * The pane never sends: the application runs the dispatcher. It follows
 * the store instead, asking every two seconds for the status of the
 * campaigns that are running (or whose start time has come), on a worker,
 * and only while there are any. The rate is worked out from those polls.
 */

#define POLL_SECONDS 2
/* The rate is the messages done over the polls of the last minute. */
#define RATE_WINDOW_USEC (60 * G_USEC_PER_SEC)
/* Before this many seconds of polls, "nothing went out" is not news. */
#define RATE_MIN_SECONDS 10.0

typedef struct
{
  gint64 time;   /* monotonic, microseconds */
  gint64 done;
} Sample;

struct _TurnoutCampaignsPane
{
  AdwBin               parent_instance;

  TurnoutStore        *store;                   /* owned, nullable */
  TurnoutSettings     *settings;                /* owned, nullable */
  GCancellable        *cancellable;             /* owned: all work for this store */
  GCancellable        *list_cancellable;        /* owned: the list being read */
  GCancellable        *recipients_cancellable;  /* owned: the recipients being read */
  GListStore          *campaigns;               /* owned: TurnoutCampaign, newest first */
  GtkSingleSelection  *selection;               /* owned */
  GListStore          *messages;                /* owned: TurnoutCampaignMessage */
  TurnoutCampaign     *shown;                   /* owned: the one in the details, or NULL */
  GHashTable          *samples;                 /* campaign id → GArray of Sample */
  gint64               select_id;               /* to select once the list is read */
  gint64               last_message_id;         /* of the recipients read so far */
  guint                poll_source;
  guint                polling;                 /* status requests in flight */
  gboolean             more_messages;
  gboolean             loading_messages;
  gboolean             restoring;               /* putting the selection back */

  AdwToastOverlay     *toast_overlay;           /* template child */
  AdwLeaflet          *leaflet;                 /* template child */
  GtkStack            *list_stack;              /* template child */
  GtkListView         *campaign_list;           /* template child */
  GtkStack            *details_stack;           /* template child */
  GtkButton           *back_button;             /* template child */
  GtkImage            *channel_image;           /* template child */
  GtkLabel            *name_label;              /* template child */
  GtkWidget           *launch_button;           /* template child */
  GtkWidget           *pause_button;            /* template child */
  GtkWidget           *resume_button;           /* template child */
  GtkWidget           *cancel_button;           /* template child */
  GtkLabel            *state_label;             /* template child */
  GtkLabel            *reason_label;            /* template child */
  GtkProgressBar      *progress_bar;            /* template child */
  GtkLabel            *rate_label;              /* template child */
  GtkLabel            *sent_label;              /* template child */
  GtkLabel            *delivered_label;         /* template child */
  GtkWidget           *undelivered_box;         /* template child */
  GtkLabel            *undelivered_label;       /* template child */
  GtkLabel            *failed_label;            /* template child */
  GtkLabel            *suppressed_label;        /* template child */
  GtkLabel            *skipped_label;           /* template child */
  GtkLabel            *waiting_label;           /* template child */
  GtkWidget           *unknown_box;             /* template child */
  GtkLabel            *unknown_label;           /* template child */
  GtkWidget           *counts_box;              /* template child */
  GtkLabel            *info_label;              /* template child */
  GtkStack            *recipients_stack;        /* template child */
  GtkDropDown         *state_filter;            /* template child */
  GtkLabel            *recipients_label;        /* template child */
  GtkWidget           *retry_button;            /* template child */
  GtkWidget           *unknown_button;          /* template child */
  GtkColumnView       *recipients_view;         /* template child */
  GtkWidget           *load_more_button;        /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutCampaignsPane, turnout_campaigns_pane, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The message state each entry of the recipients filter shows (NULL:
 * everyone), in the order of the drop-down's items. */
static const char * const filter_states[] = {
  NULL, "failed", "undelivered", "skipped", "suppressed", "queued", "sent", "delivered", "unknown",
};

static void reload (TurnoutCampaignsPane *self);
static void load_recipients (TurnoutCampaignsPane *self,
                             gboolean              reset);

static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%'" PRId64, n);
}

static void
replace_cancellable (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
}

static void
add_toast (TurnoutCampaignsPane *self,
           const char           *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
add_error_toast (TurnoutCampaignsPane *self,
                 const char           *what,
                 const GError         *error)
{
  g_autofree char *title = g_strdup_printf ("%s: %s", what, error->message);
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static gboolean
state_is (TurnoutCampaign *campaign,
          const char      *state)
{
  return campaign != NULL && g_str_equal (turnout_campaign_get_state (campaign), state);
}

static TurnoutCampaign *
find_campaign (TurnoutCampaignsPane *self,
               gint64                id,
               guint                *position)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->campaigns)); i++)
    {
      g_autoptr(TurnoutCampaign) campaign = g_list_model_get_item (G_LIST_MODEL (self->campaigns), i);

      if (turnout_campaign_get_id (campaign) == id)
        {
          if (position != NULL)
            *position = i;
          return campaign;
        }
    }
  return NULL;
}

static const char *
filter_state (TurnoutCampaignsPane *self)
{
  guint selected = gtk_drop_down_get_selected (self->state_filter);

  return selected < G_N_ELEMENTS (filter_states) ? filter_states[selected] : NULL;
}

static void
update_actions (TurnoutCampaignsPane *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  TurnoutCampaign *shown = self->store != NULL ? self->shown : NULL;
  gboolean can_launch = state_is (shown, "draft") || state_is (shown, "scheduled");
  gboolean can_pause = state_is (shown, "scheduled") || state_is (shown, "running");
  /* A stop is the channel's (credentials, the sender): resumable once put right. */
  gboolean can_resume = state_is (shown, "paused") || state_is (shown, "stopped");
  gboolean can_cancel = can_launch || state_is (shown, "running") || can_resume;
  gboolean has_failed = shown != NULL && turnout_campaign_get_count (shown, "failed") > 0;
  gboolean can_retry = has_failed && (state_is (shown, "running") || can_resume
                                      || state_is (shown, "completed"));
  /* Emails lost after the final ".": the user decides (texts are asked
   * about at Twilio by every run). */
  gboolean has_unknown = shown != NULL
                         && g_str_equal (turnout_campaign_get_channel (shown), "email")
                         && turnout_campaign_get_count (shown, "unknown") > 0;

  gtk_widget_action_set_enabled (widget, "campaigns.new", self->store != NULL);
  gtk_widget_action_set_enabled (widget, "campaigns.refresh", self->store != NULL);
  gtk_widget_action_set_enabled (widget, "campaigns.launch", can_launch);
  gtk_widget_action_set_enabled (widget, "campaigns.pause", can_pause);
  gtk_widget_action_set_enabled (widget, "campaigns.resume", can_resume);
  gtk_widget_action_set_enabled (widget, "campaigns.cancel", can_cancel);
  gtk_widget_action_set_enabled (widget, "campaigns.retry-failed", can_retry);
  gtk_widget_action_set_enabled (widget, "campaigns.settle-unknown", has_unknown);
  gtk_widget_action_set_enabled (widget, "campaigns.load-more",
                                 shown != NULL && self->more_messages && !self->loading_messages);
  gtk_widget_set_visible (self->launch_button, can_launch);
  gtk_widget_set_visible (self->pause_button, can_pause);
  gtk_widget_set_visible (self->resume_button, can_resume);
  gtk_widget_set_visible (self->cancel_button, can_cancel);
  gtk_widget_set_visible (self->retry_button, has_failed);
  gtk_widget_set_visible (self->unknown_button, has_unknown);
  gtk_widget_set_visible (self->load_more_button, self->more_messages);
}

/* The rate and the time left ---------------------------------------------- */

static void
record_sample (TurnoutCampaignsPane *self,
               TurnoutCampaign      *campaign)
{
  gint64 id = turnout_campaign_get_id (campaign);
  Sample sample = { g_get_monotonic_time (), turnout_campaign_get_done (campaign) };
  GArray *samples;

  if (!turnout_campaign_is_running (campaign))
    {
      g_hash_table_remove (self->samples, &id);
      return;
    }
  samples = g_hash_table_lookup (self->samples, &id);
  if (samples == NULL)
    {
      samples = g_array_new (FALSE, FALSE, sizeof (Sample));
      g_hash_table_insert (self->samples, g_memdup2 (&id, sizeof id), samples);
    }
  g_array_append_val (samples, sample);
  /* Keep the last minute, and at least two polls to compare. */
  while (samples->len > 2
         && sample.time - g_array_index (samples, Sample, 0).time > RATE_WINDOW_USEC)
    g_array_remove_index (samples, 0);
}

static char *
format_duration (double seconds)
{
  gint64 minutes = (gint64) (seconds / 60.0 + 0.5);

  if (seconds < 60.0)
    return g_strdup (_("less than a minute"));
  if (minutes < 60)
    return g_strdup_printf (g_dngettext (NULL, "%" PRId64 " minute",
                                         "%" PRId64 " minutes", minutes), minutes);
  /* TRANSLATORS: hours and minutes, as in "2 h 05 min". */
  return g_strdup_printf (_("%" PRId64 " h %02" PRId64 " min"), minutes / 60,
                          minutes % 60);
}

static void
update_rate (TurnoutCampaignsPane *self)
{
  gint64 id;
  GArray *samples;
  const Sample *first, *last;
  g_autofree char *text = NULL;
  double seconds, rate;
  gint64 done;

  if (self->shown == NULL || !turnout_campaign_is_running (self->shown))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->rate_label), FALSE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->rate_label), TRUE);
  id = turnout_campaign_get_id (self->shown);
  samples = g_hash_table_lookup (self->samples, &id);
  if (samples == NULL || samples->len < 2)
    {
      gtk_label_set_text (self->rate_label, _("Working out the rate…"));
      return;
    }
  first = &g_array_index (samples, Sample, 0);
  last = &g_array_index (samples, Sample, samples->len - 1);
  seconds = (double) (last->time - first->time) / G_USEC_PER_SEC;
  done = last->done - first->done;
  /* A few seconds say little: a batch may just be on its way. */
  if (seconds < RATE_MIN_SECONDS && done <= 0)
    text = g_strdup (_("Working out the rate…"));
  else if (seconds <= 0.0)
    text = g_strdup (_("Working out the rate…"));
  else if (done <= 0)
    /* TRANSLATORS: %d is a number of seconds. The dispatcher may be
     * waiting for quiet hours to end or for a retry. */
    text = g_strdup_printf (g_dngettext (NULL, "Nothing has gone out in the last %d second",
                                         "Nothing has gone out in the last %d seconds",
                                         (int) seconds), (int) seconds);
  else
    {
      g_autofree char *left = NULL;
      g_autofree char *speed = NULL;

      rate = (double) done / seconds;
      left = format_duration ((double) turnout_campaign_get_waiting (self->shown) / rate);
      speed = rate >= 1.0 ? g_strdup_printf (_("%.1f messages a second"), rate)
                          : g_strdup_printf (_("%.1f messages a minute"), rate * 60.0);
      /* TRANSLATORS: "1.0 messages a second · about 48 minutes left". */
      text = g_strdup_printf (_("%s · about %s left"), speed, left);
    }
  gtk_label_set_text (self->rate_label, text);
}

/* The details --------------------------------------------------------------- */

static void
set_count (GtkLabel *label,
           gint64    n)
{
  g_autofree char *text = format_count (n);

  gtk_label_set_text (label, text);
}

static void
update_recipients_label (TurnoutCampaignsPane *self)
{
  const char *state = filter_state (self);
  g_autofree char *shown = NULL;
  g_autofree char *total = NULL;
  g_autofree char *text = NULL;
  gint64 n;

  if (self->shown == NULL)
    return;
  n = state == NULL ? turnout_campaign_get_total (self->shown)
                    : turnout_campaign_get_count (self->shown, state);
  shown = format_count (g_list_model_get_n_items (G_LIST_MODEL (self->messages)));
  total = format_count (MAX (n, (gint64) g_list_model_get_n_items (G_LIST_MODEL (self->messages))));
  /* TRANSLATORS: "Showing 200 of 3,000" recipients. */
  text = g_strdup_printf (_("Showing %s of %s"), shown, total);
  gtk_label_set_text (self->recipients_label, text);
}

static void
update_details (TurnoutCampaignsPane *self)
{
  TurnoutCampaign *campaign = self->shown;
  const char *reason;
  const char *state_label;
  g_autoptr(GString) info = g_string_new (NULL);
  gint64 unknown;

  update_actions (self);
  if (campaign == NULL)
    {
      gtk_stack_set_visible_child_name (self->details_stack, "none");
      return;
    }
  unknown = turnout_campaign_get_count (campaign, "unknown");
  gtk_stack_set_visible_child_name (self->details_stack, "details");
  gtk_label_set_text (self->name_label, turnout_campaign_get_name (campaign));
  gtk_image_set_from_icon_name (self->channel_image, turnout_campaign_get_icon_name (campaign));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->channel_image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  g_str_equal (turnout_campaign_get_channel (campaign), "email")
                                  ? _("Email") : _("SMS"), -1);

  state_label = turnout_campaign_get_state_label (campaign);
  gtk_label_set_text (self->state_label, state_label);
  reason = turnout_campaign_get_state_reason (campaign);
  /* Pausing stores "Paused" as its reason: saying it twice helps nobody. */
  if (reason != NULL && *reason != '\0' && g_utf8_collate (reason, state_label) != 0)
    {
      gtk_label_set_text (self->reason_label, reason);
      gtk_widget_set_visible (GTK_WIDGET (self->reason_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->reason_label), FALSE);
  if (state_is (campaign, "stopped"))
    gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->reason_label), "error");

  gtk_progress_bar_set_fraction (self->progress_bar, turnout_campaign_get_progress (campaign));
  gtk_progress_bar_set_text (self->progress_bar, turnout_campaign_get_summary (campaign));
  set_count (self->sent_label, turnout_campaign_get_sent_total (campaign));
  set_count (self->delivered_label, turnout_campaign_get_count (campaign, "delivered"));
  set_count (self->undelivered_label, turnout_campaign_get_count (campaign, "undelivered"));
  gtk_widget_set_visible (self->undelivered_box,
                          turnout_campaign_get_count (campaign, "undelivered") > 0);
  set_count (self->failed_label, turnout_campaign_get_count (campaign, "failed"));
  set_count (self->suppressed_label, turnout_campaign_get_count (campaign, "suppressed"));
  set_count (self->skipped_label, turnout_campaign_get_count (campaign, "skipped"));
  /* In doubt apart from waiting: nothing more happens to an email in
   * doubt until the user decides. */
  set_count (self->unknown_label, unknown);
  gtk_widget_set_visible (self->unknown_box, unknown > 0);
  set_count (self->waiting_label, turnout_campaign_get_waiting (campaign) - unknown);
  /* Before it starts a campaign has no messages: nothing to count or list. */
  gtk_widget_set_visible (self->counts_box, turnout_campaign_get_total (campaign) > 0);
  gtk_stack_set_visible_child_name (self->recipients_stack,
                                    turnout_campaign_get_total (campaign) > 0 ? "table" : "none");

  /* TRANSLATORS: the segment a campaign went to, by name. */
  g_string_append_printf (info, _("Segment: %s"),
                          turnout_campaign_dialog_segment_label (turnout_campaign_get_segment_name (campaign)));
  if (turnout_campaign_get_template_name (campaign) != NULL)
    {
      g_string_append (info, " · ");
      /* TRANSLATORS: the template a campaign sends, by name. */
      g_string_append_printf (info, _("Template: %s"), turnout_campaign_get_template_name (campaign));
    }
  if (turnout_campaign_get_scheduled_at (campaign) > 0)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (turnout_campaign_get_scheduled_at (campaign));
      g_autofree char *when = at != NULL ? g_date_time_format (at, _("%a %-d %b %Y, %H:%M"))
                                         : g_strdup ("");

      g_string_append (info, " · ");
      /* TRANSLATORS: when a scheduled campaign starts, in the user's time. */
      g_string_append_printf (info, _("Starts %s your time"), when);
    }
  gtk_label_set_text (self->info_label, info->str);
  update_rate (self);
  update_recipients_label (self);
}

static void
on_shown_notify_cb (TurnoutCampaignsPane *self)
{
  update_details (self);
}

static void
show_campaign (TurnoutCampaignsPane *self,
               TurnoutCampaign      *campaign)
{
  gint64 old_id = self->shown != NULL ? turnout_campaign_get_id (self->shown) : 0;

  if (campaign == self->shown)
    return;
  if (self->shown != NULL)
    g_signal_handlers_disconnect_by_func (self->shown, on_shown_notify_cb, self);
  g_set_object (&self->shown, campaign);
  if (campaign != NULL)
    g_signal_connect_object (campaign, "notify", G_CALLBACK (on_shown_notify_cb), self,
                             G_CONNECT_SWAPPED);
  /* The same campaign read again keeps the recipients loaded. */
  if (campaign == NULL || turnout_campaign_get_id (campaign) != old_id)
    load_recipients (self, TRUE);
  update_details (self);
}

/* Following the store ------------------------------------------------------- */

static gboolean
needs_polling (TurnoutCampaign *campaign,
               gint64           now)
{
  if (turnout_campaign_is_running (campaign))
    return TRUE;
  /* One whose time has come is about to be launched by the application. */
  return state_is (campaign, "scheduled") && turnout_campaign_get_scheduled_at (campaign) <= now;
}

static gboolean poll_cb (gpointer user_data);

static void
schedule_polling (TurnoutCampaignsPane *self)
{
  gint64 now = turnout_clock_get_unix (turnout_clock_get_default ());
  gboolean wanted = FALSE;

  for (guint i = 0; self->store != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->campaigns)); i++)
    {
      g_autoptr(TurnoutCampaign) campaign = g_list_model_get_item (G_LIST_MODEL (self->campaigns), i);

      wanted |= needs_polling (campaign, now);
    }
  /* A pane out of sight asks nothing; it reads the list again when shown. */
  wanted = wanted && gtk_widget_get_mapped (GTK_WIDGET (self));
  if (wanted && self->poll_source == 0)
    self->poll_source = g_timeout_add_seconds (POLL_SECONDS, poll_cb, self);
  else if (!wanted && self->poll_source != 0)
    g_clear_handle_id (&self->poll_source, g_source_remove);
}

static void
on_status_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TurnoutCampaignsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutCampaignStatus) status = turnout_campaigns_get_status_finish (TURNOUT_STORE (object),
                                                                                result, &error);
  TurnoutCampaign *campaign;
  gboolean state_changed;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->polling--;
  if (status == NULL)
    {
      /* Deleted elsewhere (the command line): the list says so. */
      if (g_error_matches (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_NOT_FOUND))
        reload (self);
      else
        g_debug ("Could not poll a campaign: %s", error->message);
      return;
    }
  campaign = find_campaign (self, status->id, NULL);
  if (campaign == NULL)
    return;
  state_changed = g_strcmp0 (turnout_campaign_get_state (campaign), status->state) != 0;
  turnout_campaign_update_from_status (campaign, status);
  record_sample (self, campaign);
  if (campaign == self->shown)
    {
      update_rate (self);
      /* Started or finished: its recipients are there, or all settled. */
      if (state_changed)
        load_recipients (self, TRUE);
    }
  if (self->polling == 0)
    schedule_polling (self);
}

static void
poll_campaigns (TurnoutCampaignsPane *self)
{
  gint64 now = turnout_clock_get_unix (turnout_clock_get_default ());

  /* A slow store gets no second round of requests on top of the first. */
  if (self->store == NULL || self->polling > 0)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->campaigns)); i++)
    {
      g_autoptr(TurnoutCampaign) campaign = g_list_model_get_item (G_LIST_MODEL (self->campaigns), i);

      if (!needs_polling (campaign, now))
        continue;
      self->polling++;
      turnout_campaigns_get_status_async (self->store, turnout_campaign_get_id (campaign),
                                          self->cancellable, on_status_ready_cb,
                                          g_object_ref (self));
    }
}

static gboolean
poll_cb (gpointer user_data)
{
  TurnoutCampaignsPane *self = user_data;

  poll_campaigns (self);
  return G_SOURCE_CONTINUE;
}

static void
select_campaign (TurnoutCampaignsPane *self,
                 gint64                id)
{
  guint position = GTK_INVALID_LIST_POSITION;

  if (id == 0 || find_campaign (self, id, &position) == NULL)
    position = g_list_model_get_n_items (G_LIST_MODEL (self->campaigns)) > 0
               ? 0 : GTK_INVALID_LIST_POSITION;
  self->restoring = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->restoring = FALSE;
  show_campaign (self, gtk_single_selection_get_selected_item (self->selection));
}

static void
on_list_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TurnoutCampaignsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = turnout_campaigns_list_finish (TURNOUT_STORE (object), result, &error);
  GListModel *campaigns = G_LIST_MODEL (self->campaigns);
  guint n = list != NULL ? g_list_model_get_n_items (list) : 0;
  gboolean same = list != NULL && n == g_list_model_get_n_items (campaigns);
  gint64 keep;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (list == NULL)
    {
      add_error_toast (self, _("Could not read the campaigns"), error);
      return;
    }
  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(TurnoutCampaign) old = g_list_model_get_item (campaigns, i);
      g_autoptr(TurnoutCampaign) new = g_list_model_get_item (list, i);

      same = turnout_campaign_get_id (old) == turnout_campaign_get_id (new);
    }
  if (same)
    {
      /* The same campaigns: update them in place, so that rows and the
       * details follow without being rebuilt. */
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(TurnoutCampaign) old = g_list_model_get_item (campaigns, i);
          g_autoptr(TurnoutCampaign) new = g_list_model_get_item (list, i);
          g_autoptr(TurnoutCampaignStatus) status = turnout_campaign_dup_status (new);

          turnout_campaign_update_from_status (old, status);
          record_sample (self, old);
        }
    }
  else
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        {
          TurnoutCampaign *campaign = g_list_model_get_item (list, i);

          record_sample (self, campaign);
          g_ptr_array_add (items, campaign);
        }
      keep = self->shown != NULL ? turnout_campaign_get_id (self->shown) : 0;
      self->restoring = TRUE;
      g_list_store_splice (self->campaigns, 0, g_list_model_get_n_items (campaigns), items->pdata,
                           items->len);
      self->restoring = FALSE;
      select_campaign (self, self->select_id != 0 ? self->select_id : keep);
    }
  if (same && self->select_id != 0)
    select_campaign (self, self->select_id);
  self->select_id = 0;
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
  update_details (self);
  schedule_polling (self);
}

static void
reload (TurnoutCampaignsPane *self)
{
  if (self->store == NULL)
    return;
  replace_cancellable (&self->list_cancellable);
  turnout_campaigns_list_async (self->store, self->list_cancellable, on_list_ready_cb,
                                g_object_ref (self));
}

static void
on_messages_ready_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TurnoutCampaignsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) page = turnout_campaigns_list_messages_finish (TURNOUT_STORE (object),
                                                                       result, &error);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading_messages = FALSE;
  if (page == NULL)
    {
      add_error_toast (self, _("Could not read the recipients"), error);
      update_actions (self);
      return;
    }
  n = g_list_model_get_n_items (page);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (page, i));
  if (n > 0)
    self->last_message_id = turnout_campaign_message_get_id (g_ptr_array_index (items, n - 1));
  g_list_store_splice (self->messages, g_list_model_get_n_items (G_LIST_MODEL (self->messages)), 0,
                       items->pdata, items->len);
  self->more_messages = n == TURNOUT_CAMPAIGN_MESSAGES_PAGE;
  update_recipients_label (self);
  update_actions (self);
}

static void
load_recipients (TurnoutCampaignsPane *self,
                 gboolean              reset)
{
  if (reset)
    {
      replace_cancellable (&self->recipients_cancellable);
      g_list_store_remove_all (self->messages);
      self->last_message_id = 0;
      self->more_messages = FALSE;
      self->loading_messages = FALSE;
    }
  if (self->shown == NULL || self->store == NULL || self->loading_messages)
    {
      update_actions (self);
      return;
    }
  self->loading_messages = TRUE;
  update_actions (self);
  turnout_campaigns_list_messages_async (self->store, turnout_campaign_get_id (self->shown),
                                         filter_state (self), self->last_message_id,
                                         TURNOUT_CAMPAIGN_MESSAGES_PAGE,
                                         self->recipients_cancellable, on_messages_ready_cb,
                                         g_object_ref (self));
}

/* The list ------------------------------------------------------------------ */

static void
on_selection_changed_cb (TurnoutCampaignsPane *self)
{
  if (self->restoring)
    return;
  show_campaign (self, gtk_single_selection_get_selected_item (self->selection));
  if (self->shown != NULL)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_campaign_list_activate_cb (TurnoutCampaignsPane *self,
                              guint                 position)
{
  gtk_single_selection_set_selected (self->selection, position);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_state_filter_changed_cb (TurnoutCampaignsPane *self)
{
  load_recipients (self, TRUE);
  update_recipients_label (self);
}

static void
on_back_button_clicked_cb (TurnoutCampaignsPane *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_leaflet_folded_changed_cb (TurnoutCampaignsPane *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), adw_leaflet_get_folded (self->leaflet));
}

static void
on_map_cb (TurnoutCampaignsPane *self)
{
  /* Campaigns made elsewhere (the command line, the background service)
   * show up when the pane comes back into view; polling starts again
   * once the list is read. */
  reload (self);
}

static void
on_unmap_cb (TurnoutCampaignsPane *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
}

/* Actions ------------------------------------------------------------------- */

typedef struct
{
  TurnoutCampaignsPane *self;
  char                 *name;
  gboolean              send_again;
} ActionData;

static ActionData *
action_data_new (TurnoutCampaignsPane *self,
                 TurnoutCampaign      *campaign)
{
  ActionData *data = g_new0 (ActionData, 1);

  data->self = g_object_ref (self);
  data->name = g_strdup (turnout_campaign_get_name (campaign));
  return data;
}

static void
action_data_free (ActionData *data)
{
  g_object_unref (data->self);
  g_free (data->name);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ActionData, action_data_free)

/* The application's sender runs on its own every minute; after a launch
 * or a resume the user shouldn't wait for that. Nothing happens where no
 * sender listens (a pane on its own). */
static void
wake_sender (TurnoutCampaignsPane *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "app.wake-sender", NULL);
}

static void
on_dialog_created_cb (TurnoutCampaignsPane  *self,
                      gint64                 id,
                      const char            *name,
                      gboolean               launched,
                      const char            *problem,
                      TurnoutCampaignDialog *dialog)
{
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (problem != NULL)
    /* TRANSLATORS: the first %s is a campaign's name, the second why it
     * could not start sending. */
    title = g_strdup_printf (_("“%s” is kept as a draft: %s"), name, problem);
  else if (launched)
    /* TRANSLATORS: %s is a campaign's name. */
    title = g_strdup_printf (_("“%s” is sending"), name);
  else
    /* TRANSLATORS: %s is a campaign's name. */
    title = g_strdup_printf (_("“%s” is scheduled"), name);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, problem != NULL ? 0 : 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  if (launched && problem == NULL)
    wake_sender (self);
  self->select_id = id;
  reload (self);
}

static void
campaigns_new (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  TurnoutCampaignDialog *dialog;

  if (self->store == NULL)
    return;
  dialog = turnout_campaign_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        self->store, self->settings);
  g_signal_connect_object (dialog, "created", G_CALLBACK (on_dialog_created_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
campaigns_refresh (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (widget);

  reload (self);
  load_recipients (self, TRUE);
}

static void
on_changed_ready_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(ActionData) data = user_data;
  TurnoutCampaignsPane *self = data->self;
  g_autoptr(GError) error = NULL;
  gpointer tag = g_task_get_source_tag (G_TASK (result));
  g_autofree char *title = NULL;
  gboolean ok;

  if (tag == turnout_campaigns_pause_async)
    ok = turnout_campaigns_pause_finish (TURNOUT_STORE (object), result, &error);
  else if (tag == turnout_campaigns_resume_async)
    ok = turnout_campaigns_resume_finish (TURNOUT_STORE (object), result, &error);
  else
    ok = turnout_campaigns_cancel_finish (TURNOUT_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!ok)
    {
      /* TRANSLATORS: %s is a campaign's name. */
      title = g_strdup_printf (_("Could not change “%s”"), data->name);
      add_error_toast (self, title, error);
    }
  else
    {
      if (tag == turnout_campaigns_pause_async)
        /* TRANSLATORS: %s is a campaign's name. */
        title = g_strdup_printf (_("Paused “%s”"), data->name);
      else if (tag == turnout_campaigns_resume_async)
        {
          /* TRANSLATORS: %s is a campaign's name. */
          title = g_strdup_printf (_("Resumed “%s”"), data->name);
          wake_sender (self);
        }
      else
        /* TRANSLATORS: %s is a campaign's name. */
        title = g_strdup_printf (_("Cancelled “%s”"), data->name);
      add_toast (self, title);
    }
  reload (self);
  load_recipients (self, TRUE);
}

static void
campaigns_pause (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (widget);

  if (self->shown == NULL || self->store == NULL)
    return;
  turnout_campaigns_pause_async (self->store, turnout_campaign_get_id (self->shown),
                                 self->cancellable, on_changed_ready_cb,
                                 action_data_new (self, self->shown));
}

static void
campaigns_resume (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (widget);

  if (self->shown == NULL || self->store == NULL)
    return;
  turnout_campaigns_resume_async (self->store, turnout_campaign_get_id (self->shown),
                                  self->cancellable, on_changed_ready_cb,
                                 action_data_new (self, self->shown));
}

static void
on_cancel_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  TurnoutCampaignsPane *self = user_data;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "turnout-campaign-id"));
  TurnoutCampaign *campaign;
  ActionData *data;

  if (!g_str_equal (response, "cancel-campaign") || self->store == NULL
      || (campaign = find_campaign (self, id, NULL)) == NULL)
    return;
  data = action_data_new (self, campaign);
  turnout_campaigns_cancel_async (self->store, id, self->cancellable, on_changed_ready_cb, data);
}

static void
campaigns_cancel (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (widget);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *waiting = NULL;
  GtkWidget *dialog;
  gint64 n;

  if (self->shown == NULL || self->store == NULL)
    return;
  n = turnout_campaign_get_count (self->shown, "queued");
  waiting = format_count (n);
  /* TRANSLATORS: %s is a campaign's name. */
  heading = g_strdup_printf (_("Cancel “%s”?"), turnout_campaign_get_name (self->shown));
  if (turnout_campaign_get_total (self->shown) == 0)
    body = g_strdup (_("It won’t be sent. This can’t be undone."));
  else
    body = g_strdup_printf (g_dngettext (NULL,
                                         "The %s message still waiting won’t be sent; messages "
                                         "already sent stay sent. This can’t be undone.",
                                         "The %s messages still waiting won’t be sent; messages "
                                         "already sent stay sent. This can’t be undone.", n),
                            waiting);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _("_Keep It"),
                                    "cancel-campaign", _("_Cancel Campaign"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-campaign",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data (G_OBJECT (dialog), "turnout-campaign-id",
                     GSIZE_TO_POINTER ((gsize) turnout_campaign_get_id (self->shown)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_launch_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ActionData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  if (turnout_campaigns_launch_finish (TURNOUT_STORE (object), result, &error) < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* TRANSLATORS: %s is a campaign's name. */
      title = g_strdup_printf (_("Could not start “%s”"), data->name);
      add_error_toast (data->self, title, error);
    }
  else
    {
      /* TRANSLATORS: %s is a campaign's name. */
      title = g_strdup_printf (_("“%s” is sending"), data->name);
      add_toast (data->self, title);
      wake_sender (data->self);
    }
  reload (data->self);
  load_recipients (data->self, TRUE);
}

static void
on_launch_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  TurnoutCampaignsPane *self = user_data;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "turnout-campaign-id"));
  TurnoutCampaign *campaign;
  ActionData *data;

  if (!g_str_equal (response, "send") || self->store == NULL
      || (campaign = find_campaign (self, id, NULL)) == NULL)
    return;
  data = action_data_new (self, campaign);
  turnout_campaigns_launch_async (self->store, id, self->cancellable, on_launch_ready_cb, data);
}

static void
campaigns_launch (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (widget);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->shown == NULL || self->store == NULL)
    return;
  /* TRANSLATORS: %s is a campaign's name. */
  heading = g_strdup_printf (_("Send “%s” Now?"), turnout_campaign_get_name (self->shown));
  /* TRANSLATORS: %s is a segment's name. */
  body = g_strdup_printf (_("Everyone in “%s” who can be reached gets it now. Who gets it is "
                            "settled at once: contacts who join the segment later don’t."),
                          turnout_campaign_dialog_segment_label (turnout_campaign_get_segment_name (self->shown)));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "send",
                                    _("_Send Now"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "turnout-campaign-id",
                     GSIZE_TO_POINTER ((gsize) turnout_campaign_get_id (self->shown)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_launch_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_retry_ready_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ActionData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  gint64 n = turnout_campaigns_retry_failed_finish (TURNOUT_STORE (object), result, &error);

  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* TRANSLATORS: %s is a campaign's name. */
      title = g_strdup_printf (_("Could not retry “%s”"), data->name);
      add_error_toast (data->self, title, error);
    }
  else
    {
      g_autofree char *count = format_count (n);

      title = g_strdup_printf (g_dngettext (NULL, "%s failed message goes out again",
                                            "%s failed messages go out again", n), count);
      add_toast (data->self, title);
      wake_sender (data->self);
    }
  reload (data->self);
  load_recipients (data->self, TRUE);
}

static void
campaigns_retry_failed (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (widget);

  if (self->shown == NULL || self->store == NULL)
    return;
  turnout_campaigns_retry_failed_async (self->store, turnout_campaign_get_id (self->shown),
                                        self->cancellable, on_retry_ready_cb,
                                        action_data_new (self, self->shown));
}

static void
on_settle_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ActionData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  gint64 n = turnout_campaigns_settle_unknown_finish (TURNOUT_STORE (object), result, &error);

  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* TRANSLATORS: %s is a campaign's name. */
      title = g_strdup_printf (_("Could not change “%s”"), data->name);
      add_error_toast (data->self, title, error);
    }
  else
    {
      g_autofree char *count = format_count (n);

      title = g_strdup_printf (data->send_again
                               ? g_dngettext (NULL, "%s email goes out again",
                                              "%s emails go out again", n)
                               : g_dngettext (NULL, "%s email counted as sent",
                                              "%s emails counted as sent", n), count);
      add_toast (data->self, title);
      if (data->send_again)
        wake_sender (data->self);
    }
  reload (data->self);
  load_recipients (data->self, TRUE);
}

static void
on_settle_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  TurnoutCampaignsPane *self = user_data;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "turnout-campaign-id"));
  gboolean send_again = g_str_equal (response, "send-again");
  TurnoutCampaign *campaign;
  ActionData *data;

  if ((!send_again && !g_str_equal (response, "mark-sent")) || self->store == NULL
      || (campaign = find_campaign (self, id, NULL)) == NULL)
    return;
  data = action_data_new (self, campaign);
  data->send_again = send_again;
  turnout_campaigns_settle_unknown_async (self->store, id,
                                          send_again ? TURNOUT_UNKNOWN_SEND_AGAIN
                                                     : TURNOUT_UNKNOWN_MARK_SENT,
                                          self->cancellable, on_settle_ready_cb, data);
}

static void
campaigns_settle_unknown (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (widget);
  g_autofree char *heading = NULL;
  g_autofree char *count = NULL;
  GtkWidget *dialog;
  gint64 n;

  if (self->shown == NULL || self->store == NULL)
    return;
  n = turnout_campaign_get_count (self->shown, "unknown");
  count = format_count (n);
  heading = g_strdup_printf (g_dngettext (NULL, "%s Email May Not Have Arrived",
                                          "%s Emails May Not Have Arrived", n), count);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading,
                                   _("The connection to the mail server was lost after these "
                                     "emails were handed over and before it answered, so they "
                                     "may or may not have arrived; Turnout never sends them "
                                     "again by itself. Ask a recipient (show “In doubt” to see "
                                     "who), then decide: sent again, anyone who got one gets "
                                     "it twice; counted as sent, anyone who didn’t never will."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "mark-sent", _("_Count as Sent"),
                                    "send-again", _("Send _Again"), NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "turnout-campaign-id",
                     GSIZE_TO_POINTER ((gsize) turnout_campaign_get_id (self->shown)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_settle_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
campaigns_load_more (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  load_recipients (TURNOUT_CAMPAIGNS_PANE (widget), FALSE);
}

/* GObject ------------------------------------------------------------------- */

static void
turnout_campaigns_pane_dispose (GObject *object)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (object);

  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->list_cancellable != NULL)
    g_cancellable_cancel (self->list_cancellable);
  if (self->recipients_cancellable != NULL)
    g_cancellable_cancel (self->recipients_cancellable);
  if (self->shown != NULL)
    g_signal_handlers_disconnect_by_func (self->shown, on_shown_notify_cb, self);
  g_clear_object (&self->shown);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_CAMPAIGNS_PANE);
  g_clear_object (&self->selection);
  g_clear_object (&self->campaigns);
  g_clear_object (&self->messages);
  g_clear_pointer (&self->samples, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->recipients_cancellable);

  G_OBJECT_CLASS (turnout_campaigns_pane_parent_class)->dispose (object);
}

static void
turnout_campaigns_pane_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_campaigns_pane_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TurnoutCampaignsPane *self = TURNOUT_CAMPAIGNS_PANE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      turnout_campaigns_pane_set_store (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      turnout_campaigns_pane_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_campaigns_pane_class_init (TurnoutCampaignsPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_campaigns_pane_dispose;
  object_class->get_property = turnout_campaigns_pane_get_property;
  object_class->set_property = turnout_campaigns_pane_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The list rows and the recipient columns look these up by name. */
  g_type_ensure (TURNOUT_TYPE_CAMPAIGN);
  g_type_ensure (TURNOUT_TYPE_CAMPAIGN_MESSAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/turnout-campaigns-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, campaign_list);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, details_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, back_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, channel_image);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, name_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, launch_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, pause_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, resume_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, state_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, reason_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, rate_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, sent_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, delivered_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, undelivered_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, undelivered_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, failed_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, suppressed_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, skipped_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, unknown_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, unknown_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, counts_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, info_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, recipients_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, state_filter);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, recipients_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, retry_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, unknown_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, recipients_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignsPane, load_more_button);
  gtk_widget_class_bind_template_callback (widget_class, on_campaign_list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_state_filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_folded_changed_cb);

  gtk_widget_class_install_action (widget_class, "campaigns.new", NULL, campaigns_new);
  gtk_widget_class_install_action (widget_class, "campaigns.refresh", NULL, campaigns_refresh);
  gtk_widget_class_install_action (widget_class, "campaigns.launch", NULL, campaigns_launch);
  gtk_widget_class_install_action (widget_class, "campaigns.pause", NULL, campaigns_pause);
  gtk_widget_class_install_action (widget_class, "campaigns.resume", NULL, campaigns_resume);
  gtk_widget_class_install_action (widget_class, "campaigns.cancel", NULL, campaigns_cancel);
  gtk_widget_class_install_action (widget_class, "campaigns.retry-failed", NULL,
                                   campaigns_retry_failed);
  gtk_widget_class_install_action (widget_class, "campaigns.settle-unknown", NULL,
                                   campaigns_settle_unknown);
  gtk_widget_class_install_action (widget_class, "campaigns.load-more", NULL, campaigns_load_more);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "campaigns.new",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "campaigns.refresh", NULL);
}

static void
turnout_campaigns_pane_init (TurnoutCampaignsPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->list_cancellable = g_cancellable_new ();
  self->recipients_cancellable = g_cancellable_new ();
  self->samples = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify) g_array_unref);
  self->campaigns = g_list_store_new (TURNOUT_TYPE_CAMPAIGN);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->campaigns)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selection_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_view_set_model (self->campaign_list, GTK_SELECTION_MODEL (self->selection));
  self->messages = g_list_store_new (TURNOUT_TYPE_CAMPAIGN_MESSAGE);
  gtk_column_view_set_model (self->recipients_view,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->messages)))));
  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmap_cb), NULL);
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
  update_details (self);
}

TurnoutCampaignsPane *
turnout_campaigns_pane_new (void)
{
  return g_object_new (TURNOUT_TYPE_CAMPAIGNS_PANE, NULL);
}

TurnoutStore *
turnout_campaigns_pane_get_store (TurnoutCampaignsPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGNS_PANE (self), NULL);

  return self->store;
}

void
turnout_campaigns_pane_set_store (TurnoutCampaignsPane *self,
                                  TurnoutStore         *store)
{
  g_return_if_fail (TURNOUT_IS_CAMPAIGNS_PANE (self));

  if (!g_set_object (&self->store, store))
    return;
  replace_cancellable (&self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->polling = 0;
  g_hash_table_remove_all (self->samples);
  show_campaign (self, NULL);
  g_list_store_remove_all (self->campaigns);
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
  reload (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

TurnoutSettings *
turnout_campaigns_pane_get_settings (TurnoutCampaignsPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_CAMPAIGNS_PANE (self), NULL);

  return self->settings;
}

void
turnout_campaigns_pane_set_settings (TurnoutCampaignsPane *self,
                                     TurnoutSettings      *settings)
{
  g_return_if_fail (TURNOUT_IS_CAMPAIGNS_PANE (self));

  if (!g_set_object (&self->settings, settings))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

/**
 * turnout_campaigns_pane_refresh:
 *
 * Reads the campaigns and the chosen one's recipients again.
 */
void
turnout_campaigns_pane_refresh (TurnoutCampaignsPane *self)
{
  g_return_if_fail (TURNOUT_IS_CAMPAIGNS_PANE (self));

  reload (self);
  load_recipients (self, TRUE);
}
