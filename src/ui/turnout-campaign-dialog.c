/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-campaign-dialog"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-campaign-dialog.h"
#include "turnout-campaigns-async.h"
#include "turnout-clock.h"
#include "turnout-contacts.h"
#include "turnout-delivery.h"
#include "turnout-event.h"
#include "turnout-outbox.h"
#include "turnout-phone.h"
#include "turnout-preflight-view.h"
#include "turnout-render.h"
#include "turnout-saved-segment.h"
#include "turnout-segments.h"
#include "turnout-settings.h"
#include "turnout-smtp-sender.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-twilio-sender.h"

/*
 * The "New Campaign" dialog: a name, the channel, the segment (the
 * ready-made ones, then the saved ones) and a template of that channel,
 * sent now or at a date and time in a chosen time zone (shown in the
 * user's own time as well). The preflight below runs again whenever the
 * segment or the template changes, and the button says what will happen:
 * "Send to 1,204 people (≈ $9.99)". A last question repeats the count and
 * the cost before anything is written; then the campaign is created, and
 * launched when it goes now (which freezes its audience).
 *
 * The preflight judges the frequency cap and the quiet hours at the
 * campaign's start (now, or the time chosen), so it runs again when the
 * time changes. "Send a Test" texts the message, as the preflight
 * rendered it for the first person in the segment who gets it, to the
 * user's own numbers (the setting sms.test_numbers, editable here) one
 * after the other through the outbox: each is logged as a one-off, never
 * counted in the campaign, and refused like any one-off when suppressed.
 *
 * For an email campaign the test goes to the user's own addresses (the
 * setting email.test_addresses): the template is rendered for the same
 * person and sent through the mail server as the campaign would send it.
 * The outbox only takes texts, so email tests go straight to the SMTP
 * sender and are not logged.
 */

struct _TurnoutCampaignDialog
{
  AdwWindow             parent_instance;

  TurnoutStore         *store;              /* owned */
  TurnoutSettings      *settings;           /* owned, nullable */
  GCancellable         *cancellable;        /* owned */
  GListStore           *templates;          /* owned: TurnoutTemplate, every channel */
  GtkFilterListModel   *channel_templates;  /* owned: those of the chosen channel */
  GListModel           *saved_segments;     /* owned, nullable: TurnoutSavedSegment */
  char                 *preflight_key;      /* what the preflight was last run for */
  gint64                scheduled_at;       /* when scheduling, once the time is valid */
  gboolean              templates_loaded;
  gboolean              preflight_pending;
  gboolean              name_touched;
  gboolean              sending;
  gboolean              testing;            /* a test send is under way */
  char                **test_numbers;       /* owned: where the test under way goes */
  GPtrArray            *test_rows;          /* owned: AdwActionRow, one per test number */
  char                 *test_text;          /* owned: the text of the test under way */
  char                **test_media;         /* owned */
  TurnoutSender        *test_sender;        /* owned, nullable */
  guint                 test_next;
  TurnoutTemplate      *test_template;      /* owned, nullable: the email test's */
  TurnoutRendered      *test_email;         /* owned, nullable: what the email test sends */

  AdwToastOverlay      *toast_overlay;      /* template child */
  GtkButton            *confirm_button;     /* template child */
  GtkWidget            *form_box;           /* template child */
  AdwEntryRow          *name_row;           /* template child */
  AdwComboRow          *channel_row;        /* template child */
  AdwComboRow          *segment_row;        /* template child */
  GtkStringList        *segment_labels;     /* template child */
  AdwComboRow          *template_row;       /* template child */
  GtkCheckButton       *now_check;          /* template child */
  GtkCheckButton       *schedule_check;     /* template child */
  GtkWidget            *schedule_box;       /* template child */
  GtkCalendar          *calendar;           /* template child */
  GtkSpinButton        *hour_spin;          /* template child */
  GtkSpinButton        *minute_spin;        /* template child */
  AdwEntryRow          *zone_row;           /* template child */
  AdwActionRow         *when_row;           /* template child */
  GtkLabel             *problem_label;      /* template child */
  TurnoutPreflightView *preflight_view;     /* template child */
  AdwPreferencesGroup  *test_group;         /* template child */
  AdwEntryRow          *numbers_row;        /* template child */
  AdwEntryRow          *addresses_row;      /* template child */
  AdwActionRow         *example_row;        /* template child */
  GtkLabel             *test_problem_label; /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutCampaignDialog, turnout_campaign_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The ready-made segments, by the preset ids campaigns keep as their
 * segment's name, in the order the Templates pane's check lists them. */
static const struct
{
  const char *id;
  const char *label;
} presets[] = {
  { "all", N_("All contacts") },
  { "recent", N_("Recent registrants (30 days)") },
  { "upcoming", N_("Upcoming (next 30 days)") },
  { "first-time", N_("First-timers") },
  { "repeat", N_("Repeat fans (3+ events)") },
  { "lapsed", N_("Lapsed (90 days)") },
  { "cancelled", N_("Cancelled (last 30 days)") },
};

static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%'" PRId64, n);
}

static void
add_error_toast (TurnoutCampaignDialog *self,
                 const char            *what,
                 const GError          *error)
{
  g_autofree char *title = g_strdup_printf ("%s: %s", what, error->message);
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static const char *
current_channel (TurnoutCampaignDialog *self)
{
  return adw_combo_row_get_selected (self->channel_row) == 1 ? "email" : "sms";
}

static gboolean
is_scheduling (TurnoutCampaignDialog *self)
{
  return gtk_check_button_get_active (self->schedule_check);
}

static TurnoutTemplate *
current_template (TurnoutCampaignDialog *self)
{
  gpointer item = adw_combo_row_get_selected_item (self->template_row);

  return TURNOUT_IS_TEMPLATE (item) ? item : NULL;
}

/* Returns: (transfer full) (nullable): the chosen segment's rules, with
 * the name the campaign keeps for it in @name. */
static TurnoutSegment *
dup_current_segment (TurnoutCampaignDialog  *self,
                     char                  **name)
{
  guint selected = adw_combo_row_get_selected (self->segment_row);

  if (selected == GTK_INVALID_LIST_POSITION)
    return NULL;
  if (selected < G_N_ELEMENTS (presets))
    {
      if (name != NULL)
        *name = g_strdup (presets[selected].id);
      return turnout_segment_new_preset (presets[selected].id, -1, NULL);
    }
  selected -= G_N_ELEMENTS (presets);
  if (self->saved_segments != NULL && selected < g_list_model_get_n_items (self->saved_segments))
    {
      g_autoptr(TurnoutSavedSegment) saved = g_list_model_get_item (self->saved_segments, selected);

      if (name != NULL)
        *name = g_strdup (turnout_saved_segment_get_name (saved));
      return turnout_segment_ref (turnout_saved_segment_get_segment (saved));
    }
  return NULL;
}

static char *
dup_current_segment_label (TurnoutCampaignDialog *self)
{
  gpointer item = adw_combo_row_get_selected_item (self->segment_row);

  return GTK_IS_STRING_OBJECT (item) ? g_strdup (gtk_string_object_get_string (item))
                                     : g_strdup ("");
}

static char *
dup_zone_text (TurnoutCampaignDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->zone_row))));
}

/* Works out self->scheduled_at from the date, the time and the zone, and
 * says where the time stands, or what is wrong with it. */
static char *
update_when (TurnoutCampaignDialog *self)
{
  g_autofree char *zone_text = dup_zone_text (self);
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) at = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *there = NULL;
  g_autofree char *here = NULL;
  g_autofree char *subtitle = NULL;
  int year, month, date;

  self->scheduled_at = 0;
  if (!is_scheduling (self))
    return NULL;
  if (!turnout_time_zone_is_valid (zone_text))
    {
      adw_action_row_set_subtitle (self->when_row, "");
      gtk_widget_add_css_class (GTK_WIDGET (self->zone_row), "error");
      if (*zone_text == '\0')
        return g_strdup (_("Give the time zone of the time, such as Europe/Berlin."));
      /* TRANSLATORS: %s is what was typed as a time zone. */
      return g_strdup_printf (_("“%s” is not a time zone. Use a name such as Europe/Berlin or "
                                "America/New_York."), zone_text);
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->zone_row), "error");
  zone = g_time_zone_new_identifier (zone_text);
  day = gtk_calendar_get_date (self->calendar);
  g_date_time_get_ymd (day, &year, &month, &date);
  at = g_date_time_new (zone, year, month, date, gtk_spin_button_get_value_as_int (self->hour_spin),
                        gtk_spin_button_get_value_as_int (self->minute_spin), 0);
  if (at == NULL)
    return g_strdup (_("That date can’t be used: choose another."));
  local = g_date_time_to_local (at);
  there = turnout_format_date_time (g_date_time_to_unix (at), zone_text);
  here = g_date_time_format (local, C_("event date", "%a %-d %b %Y"));
  {
    g_autofree char *clock = g_date_time_format (local, "%H:%M");

    /* TRANSLATORS: when a scheduled campaign starts, in the time zone
     * chosen and in the user's own: "Sat 2 May 2026, 20:00 in
     * Europe/Berlin · Sat 2 May 2026, 19:00 your time". */
    subtitle = g_strdup_printf (_("%s in %s · %s, %s your time"), there, zone_text, here, clock);
  }
  adw_action_row_set_subtitle (self->when_row, subtitle);
  if (g_date_time_to_unix (at) <= turnout_clock_get_unix (turnout_clock_get_default ()))
    /* TRANSLATORS: %s is a date and time such as "Sat 2 May 2026, 20:00". */
    return g_strdup_printf (_("%s has passed: choose a later time."), there);
  self->scheduled_at = g_date_time_to_unix (at);
  return NULL;
}

static char *
dup_confirm_label (TurnoutCampaignDialog  *self,
                   TurnoutPreflightReport *report)
{
  g_autofree char *n = NULL;
  gboolean email = g_str_equal (current_channel (self), "email");

  if (report == NULL)
    return g_strdup (is_scheduling (self) ? _("Schedule") : _("Send"));
  n = format_count (report->sendable);
  if (email)
    return g_strdup_printf (is_scheduling (self)
                            /* TRANSLATORS: the button of an email campaign;
                             * %s is a number of people. */
                            ? g_dngettext (NULL, "Schedule for %s person", "Schedule for %s people",
                                           report->sendable)
                            : g_dngettext (NULL, "Send to %s person", "Send to %s people",
                                           report->sendable), n);
  return g_strdup_printf (is_scheduling (self)
                          /* TRANSLATORS: the button of an SMS campaign: %s
                           * is a number of people, then the estimated cost
                           * in US dollars (Twilio's currency). */
                          ? g_dngettext (NULL, "Schedule for %s person (≈ $%.2f)",
                                         "Schedule for %s people (≈ $%.2f)", report->sendable)
                          : g_dngettext (NULL, "Send to %s person (≈ $%.2f)",
                                         "Send to %s people (≈ $%.2f)", report->sendable),
                          n, report->cost);
}

/* Send a Test ------------------------------------------------------------- */

/* Returns: (transfer full) (nullable): the numbers typed, in E.164, or
 * %NULL with @error naming the bad one. */
static char **
dup_test_numbers (TurnoutCampaignDialog  *self,
                  GError                **error)
{
  g_autofree char *region = NULL;

  /* Here a number may go without its country code, as everywhere the
   * user types one; the setting itself keeps them complete. */
  if (self->settings != NULL)
    region = turnout_settings_dup_string (self->settings, "contacts.default_region");
  return turnout_phone_list_normalize (gtk_editable_get_text (GTK_EDITABLE (self->numbers_row)),
                                       region, error);
}

/* Returns: (transfer full) (nullable): the addresses typed, each once,
 * or %NULL with @error naming the bad one and its place in the list. */
static char **
dup_test_addresses (TurnoutCampaignDialog  *self,
                    GError                **error)
{
  g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->addresses_row)),
                                    ",", -1);
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  guint position = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      const char *part = g_strstrip (parts[i]);
      char *address;

      if (*part == '\0')
        continue;
      position++;
      if ((address = turnout_email_normalize (part, &local_error)) == NULL)
        {
          g_set_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE,
                       /* TRANSLATORS: "address 2 of the list: “bob@” is not an email address…" */
                       _("address %u of the list: %s"), position, local_error->message);
          return NULL;
        }
      if (g_ptr_array_find_with_equal_func (addresses, address, g_str_equal, NULL))
        g_free (address);
      else
        g_ptr_array_add (addresses, address);
    }
  g_ptr_array_add (addresses, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&addresses), FALSE);
}

/* The places a test goes for the channel chosen: numbers or addresses. */
static char **
dup_test_targets (TurnoutCampaignDialog  *self,
                  GError                **error)
{
  if (g_str_equal (current_channel (self), "email"))
    return dup_test_addresses (self, error);
  return dup_test_numbers (self, error);
}

/* Says whom the test is rendered for, and whether it can go. */
static void
update_test (TurnoutCampaignDialog  *self,
             TurnoutPreflightReport *report)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) numbers = dup_test_targets (self, &error);
  gboolean sms = !g_str_equal (current_channel (self), "email");
  AdwEntryRow *entry = sms ? self->numbers_row : self->addresses_row;
  gboolean ready;

  gtk_widget_set_visible (GTK_WIDGET (self->numbers_row), sms);
  gtk_widget_set_visible (GTK_WIDGET (self->addresses_row), !sms);
  adw_preferences_group_set_description (self->test_group, sms
    ? _("Texts the message to your own numbers first. Tests are logged with your one-off texts "
        "and never counted in the campaign.")
    : _("Emails the message to your own addresses first, through your mail server. Tests are "
        "never counted in the campaign."));
  if (report == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row), _("Message"));
      adw_action_row_set_subtitle (self->example_row, _("Shown once the check below has run"));
    }
  else if (report->example_text == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row),
                                     _("No one to render the message for"));
      adw_action_row_set_subtitle (self->example_row, _("The segment is empty."));
    }
  else
    {
      g_autofree char *title = NULL;

      if (report->example_sendable)
        /* TRANSLATORS: above the text a test sends; %s is a contact's name. */
        title = g_strdup_printf (_("As %s, the first person in the segment who gets it, would get "
                                   "it"), report->example_name);
      else
        title = g_strdup_printf (_("As %s, the first person in the segment, would get it (they "
                                   "are left out themselves)"), report->example_name);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row), title);
      adw_action_row_set_subtitle (self->example_row, report->example_text);
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->numbers_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->addresses_row), "error");
  if (numbers == NULL)
    {
      /* TRANSLATORS: %s says which number or address is wrong and why. */
      g_autofree char *text = g_strdup_printf (sms ? _("Your numbers: %s") : _("Your addresses: %s"),
                                               error->message);

      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      gtk_label_set_text (self->test_problem_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->test_problem_label), numbers == NULL);

  ready = report != NULL && report->example_text != NULL && numbers != NULL
          && numbers[0] != NULL && self->settings != NULL && !self->testing && !self->sending;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "campaign.send-test", ready);
}

static void
clear_test_rows (TurnoutCampaignDialog *self)
{
  for (guint i = 0; i < self->test_rows->len; i++)
    adw_preferences_group_remove (self->test_group, g_ptr_array_index (self->test_rows, i));
  g_ptr_array_set_size (self->test_rows, 0);
}

static void
set_test_outcome (TurnoutCampaignDialog *self,
                  guint                  index,
                  const char            *style,
                  const char            *text)
{
  GtkWidget *row = g_ptr_array_index (self->test_rows, index);

  gtk_widget_remove_css_class (row, "success");
  gtk_widget_remove_css_class (row, "error");
  if (style != NULL)
    gtk_widget_add_css_class (row, style);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
}

static gboolean update_problems (TurnoutCampaignDialog *self);

static void
end_test (TurnoutCampaignDialog *self)
{
  self->testing = FALSE;
  g_clear_object (&self->test_sender);
  g_clear_object (&self->test_template);
  g_clear_pointer (&self->test_email, turnout_rendered_free);
  update_problems (self);
}

static void send_next_test (TurnoutCampaignDialog *self);

static void
on_test_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TurnoutCampaignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutOutboxResult) outcome = turnout_outbox_send_finish (TURNOUT_STORE (object),
                                                                       result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (outcome == NULL)
    /* A refusal (suppressed, opted out, not a number) is a sentence. */
    set_test_outcome (self, self->test_next, "error", error->message);
  else if (g_strcmp0 (outcome->state, "sent") == 0)
    {
      /* TRANSLATORS: "Sent (SM0123…)", with the id Twilio gave the message
       * (or the Message-ID an email went out with). */
      g_autofree char *text = g_strdup_printf (_("Sent (%s)"), outcome->provider_id);

      set_test_outcome (self, self->test_next, "success", text);
    }
  else
    set_test_outcome (self, self->test_next, "error",
                      outcome->message != NULL ? outcome->message : _("Not sent"));
  self->test_next++;
  send_next_test (self);
}

/* One after the other, so the numbers are texted in the order given and
 * within the channel's rate. */
static void
send_next_test (TurnoutCampaignDialog *self)
{
  if (self->test_numbers[self->test_next] == NULL)
    {
      end_test (self);
      return;
    }
  set_test_outcome (self, self->test_next, NULL, _("Sending…"));
  if (self->test_email != NULL)
    {
      TurnoutOutgoing outgoing = {
        .text = self->test_email->text,
        .subject = self->test_email->subject,
        .html = self->test_email->html,
        .preheader = self->test_email->preheader,
      };

      /* Like a text's: once, logged, and refused for a suppressed address. */
      turnout_outbox_send_email_async (self->store, self->test_sender, 0,
                                       self->test_numbers[self->test_next], &outgoing,
                                       self->cancellable, on_test_sent_cb, g_object_ref (self));
      return;
    }
  turnout_outbox_send_async (self->store, self->test_sender, 0,
                             self->test_numbers[self->test_next], self->test_text,
                             (const char * const *) self->test_media, self->cancellable,
                             on_test_sent_cb, g_object_ref (self));
}

static void
on_test_sender_ready_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(TurnoutCampaignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTwilioSender) sender = turnout_twilio_sender_new_from_settings_finish (result,
                                                                                          &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (sender == NULL)
    {
      /* TRANSLATORS: %s says what is missing in the Twilio settings. */
      g_autofree char *text = g_strdup_printf (_("Not sent: Twilio is not set up: %s"),
                                               error->message);

      for (guint i = 0; i < self->test_rows->len; i++)
        set_test_outcome (self, i, "error", text);
      end_test (self);
      return;
    }
  self->test_sender = TURNOUT_SENDER (g_steal_pointer (&sender));
  send_next_test (self);
}

static void
fail_all_tests (TurnoutCampaignDialog *self,
                const char            *text)
{
  for (guint i = 0; i < self->test_rows->len; i++)
    set_test_outcome (self, i, "error", text);
  end_test (self);
}

static void
on_test_smtp_ready_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(TurnoutCampaignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSmtpSender) sender = turnout_smtp_sender_new_from_settings_finish (result,
                                                                                     &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (sender == NULL)
    {
      /* TRANSLATORS: %s says what is missing in the mail server settings. */
      g_autofree char *text = g_strdup_printf (_("Not sent: the mail server is not set up: %s"),
                                               error->message);

      fail_all_tests (self, text);
      return;
    }
  self->test_sender = TURNOUT_SENDER (g_steal_pointer (&sender));
  send_next_test (self);
}

static void
on_test_recipient_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TurnoutCampaignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutRecipient) recipient = turnout_recipient_load_finish (TURNOUT_STORE (object),
                                                                         result, &error);
  g_autoptr(TurnoutTemplateRenderer) renderer = NULL;
  g_autofree char *sender_name = NULL;
  g_autofree char *url = NULL;
  g_autofree char *mailto = NULL;
  g_autofree char *unsubscribe = NULL;
  TurnoutMergeValues values = { 0, };

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (recipient == NULL
      || (renderer = turnout_template_renderer_new (self->test_template, &error)) == NULL)
    {
      /* TRANSLATORS: %s says why the message could not be made. */
      g_autofree char *text = g_strdup_printf (_("Not sent: %s"), error->message);

      fail_all_tests (self, text);
      return;
    }
  /* As the preflight renders it: the sender's name and the unsubscribe
   * line from the settings. */
  sender_name = turnout_settings_dup_string (self->settings, "general.sender_name");
  url = turnout_settings_dup_string (self->settings, "email.unsubscribe_url");
  mailto = turnout_settings_dup_string (self->settings, "email.unsubscribe_mailto");
  unsubscribe = turnout_email_unsubscribe_text (url, mailto);
  turnout_recipient_get_values (recipient, &values);
  values.sender_name = sender_name;
  values.unsubscribe = unsubscribe;
  self->test_email = turnout_template_renderer_render (renderer, &values);
  turnout_smtp_sender_new_from_settings_async (self->settings, self->cancellable,
                                               on_test_smtp_ready_cb, g_object_ref (self));
}

static void
campaign_send_test (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TurnoutCampaignDialog *self = TURNOUT_CAMPAIGN_DIALOG (widget);
  TurnoutPreflightReport *report = turnout_preflight_view_get_report (self->preflight_view);
  TurnoutTemplate *template = current_template (self);
  g_auto(GStrv) numbers = NULL;

  if (self->testing || self->preflight_pending || self->settings == NULL || report == NULL
      || report->example_text == NULL || template == NULL
      || (numbers = dup_test_targets (self, NULL)) == NULL || numbers[0] == NULL)
    return;

  clear_test_rows (self);
  g_strfreev (self->test_numbers);
  self->test_numbers = g_steal_pointer (&numbers);
  g_free (self->test_text);
  self->test_text = g_strdup (report->example_text);
  g_strfreev (self->test_media);
  self->test_media = g_strdupv ((char **) turnout_template_get_media_urls (template));
  self->test_next = 0;
  for (guint i = 0; self->test_numbers[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *display = turnout_template_is_email (template)
                                 ? g_strdup (self->test_numbers[i])
                                 : turnout_phone_format_display (self->test_numbers[i]);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), display);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Waiting"));
      adw_preferences_group_add (self->test_group, row);
      g_ptr_array_add (self->test_rows, row);
    }
  self->testing = TRUE;
  update_problems (self);
  if (turnout_template_is_email (template))
    {
      /* The person the preflight rendered the example for, loaded again
       * with every field the email template may use. */
      g_set_object (&self->test_template, template);
      turnout_recipient_load_async (self->store, report->example_contact_id, 0, self->cancellable,
                                    on_test_recipient_cb, g_object_ref (self));
      return;
    }
  turnout_twilio_sender_new_from_settings_async (self->settings, self->cancellable,
                                                 on_test_sender_ready_cb, g_object_ref (self));
}

static void
on_numbers_changed_cb (TurnoutCampaignDialog *self)
{
  update_problems (self);
}

/* Returns: whether everything is there to send or schedule. */
static gboolean
update_problems (TurnoutCampaignDialog *self)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *when_problem = update_when (self);
  g_autofree char *label = NULL;
  TurnoutPreflightReport *report = turnout_preflight_view_get_report (self->preflight_view);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  gboolean ready = TRUE;

  if (self->preflight_pending)
    report = NULL;
  if (*name == '\0')
    {
      ready = FALSE;
      /* Said once the name was typed and emptied again, not to greet the
       * user with an error. */
      if (self->name_touched)
        {
          g_string_append (problems, _("Give the campaign a name."));
          gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
        }
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  if (self->templates_loaded
      && g_list_model_get_n_items (G_LIST_MODEL (self->channel_templates)) == 0)
    {
      ready = FALSE;
      if (problems->len > 0)
        g_string_append_c (problems, '\n');
      g_string_append (problems, g_str_equal (current_channel (self), "email")
                                 ? _("There is no email template yet: make one in Templates.")
                                 : _("There is no SMS template yet: make one in Templates."));
    }
  if (when_problem != NULL)
    {
      ready = FALSE;
      if (problems->len > 0)
        g_string_append_c (problems, '\n');
      g_string_append (problems, when_problem);
    }
  if (report != NULL && report->sendable == 0)
    {
      ready = FALSE;
      if (problems->len > 0)
        g_string_append_c (problems, '\n');
      g_string_append (problems, _("No one in this segment would get the message: see who is left "
                                   "out and why below."));
    }
  if (report == NULL)
    ready = FALSE;

  gtk_label_set_text (self->problem_label, problems->str);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problems->len > 0);
  label = dup_confirm_label (self, report);
  gtk_button_set_label (self->confirm_button, label);
  ready = ready && !self->sending;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "campaign.confirm", ready);
  update_test (self, report);
  return ready;
}

/* Runs the preflight again when the segment, the template or the start
 * changed: the frequency cap and the quiet hours depend on the start.
 * Returns: whether it runs again. */
static gboolean
update_preflight (TurnoutCampaignDialog *self)
{
  TurnoutTemplate *template = current_template (self);
  g_autoptr(TurnoutSegment) segment = dup_current_segment (self, NULL);
  g_autofree char *key = NULL;
  gint64 starts_at = is_scheduling (self) ? self->scheduled_at : 0;

  if (template == NULL || segment == NULL)
    return FALSE;
  key = g_strdup_printf ("%u/%" PRId64 "/%" PRId64,
                         adw_combo_row_get_selected (self->segment_row),
                         turnout_template_get_id (template), starts_at);
  if (g_strcmp0 (key, self->preflight_key) == 0)
    return FALSE;
  g_free (self->preflight_key);
  self->preflight_key = g_steal_pointer (&key);
  self->preflight_pending = TRUE;
  turnout_preflight_view_run_at (self->preflight_view, template, segment, 0, starts_at);
  return TRUE;
}

static void
update (TurnoutCampaignDialog *self)
{
  /* The problems first: they work out the start the preflight needs. */
  update_problems (self);
  if (update_preflight (self))
    update_problems (self);
}

static void
on_form_changed_cb (TurnoutCampaignDialog *self)
{
  update (self);
}

static void
on_name_changed_cb (TurnoutCampaignDialog *self)
{
  self->name_touched = TRUE;
  update_problems (self);
}

static void
on_choice_changed_cb (TurnoutCampaignDialog *self)
{
  update (self);
}

static void
on_channel_changed_cb (TurnoutCampaignDialog *self)
{
  GtkFilter *filter = gtk_filter_list_model_get_filter (self->channel_templates);

  gtk_filter_changed (filter, GTK_FILTER_CHANGE_DIFFERENT);
  update (self);
}

static void
on_when_toggled_cb (TurnoutCampaignDialog *self)
{
  gtk_widget_set_visible (self->schedule_box, is_scheduling (self));
  update (self);
}

static gboolean
on_spin_output_cb (GtkSpinButton *spin,
                   gpointer       user_data)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  if (!g_str_equal (text, gtk_editable_get_text (GTK_EDITABLE (spin))))
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
on_preflight_done_cb (TurnoutCampaignDialog *self)
{
  self->preflight_pending = FALSE;
  update_problems (self);
}

static gboolean
filter_template (gpointer item,
                 gpointer user_data)
{
  TurnoutCampaignDialog *self = user_data;

  return g_str_equal (turnout_template_get_channel (item), current_channel (self));
}

/* Loading the choices ----------------------------------------------------- */

static void
on_templates_ready_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(TurnoutCampaignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = turnout_templates_list_finish (TURNOUT_STORE (object), result, &error);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (list == NULL)
    {
      add_error_toast (self, _("Could not read the templates"), error);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    g_ptr_array_add (items, g_list_model_get_item (list, i));
  g_list_store_splice (self->templates, 0, g_list_model_get_n_items (G_LIST_MODEL (self->templates)),
                       items->pdata, items->len);
  self->templates_loaded = TRUE;
  update (self);
}

static void
on_segments_ready_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TurnoutCampaignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) saved = turnout_segments_list_finish (TURNOUT_STORE (object), result, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint selected;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (saved == NULL)
    {
      add_error_toast (self, _("Could not read the saved segments"), error);
      return;
    }
  g_set_object (&self->saved_segments, saved);
  for (guint i = 0; i < g_list_model_get_n_items (saved); i++)
    {
      g_autoptr(TurnoutSavedSegment) item = g_list_model_get_item (saved, i);

      g_ptr_array_add (names, (gpointer) turnout_saved_segment_get_name (item));
    }
  g_ptr_array_add (names, NULL);
  /* Appending keeps the ready-made segment chosen so far. */
  selected = adw_combo_row_get_selected (self->segment_row);
  gtk_string_list_splice (self->segment_labels, G_N_ELEMENTS (presets),
                          g_list_model_get_n_items (G_LIST_MODEL (self->segment_labels))
                          - G_N_ELEMENTS (presets),
                          (const char * const *) names->pdata);
  adw_combo_row_set_selected (self->segment_row, selected);
  update (self);
}

static char *
dup_default_zone (TurnoutCampaignDialog *self)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  const char *identifier;

  if (self->settings != NULL)
    {
      g_autofree char *zone = turnout_settings_dup_string (self->settings,
                                                           "contacts.default_time_zone");

      if (turnout_time_zone_is_valid (zone))
        return g_steal_pointer (&zone);
    }
  identifier = g_time_zone_get_identifier (local);
  return g_strdup (turnout_time_zone_is_valid (identifier) ? identifier : "UTC");
}

/* The next whole hour but one, in the zone: a time that is still ahead
 * when the user has finished choosing. */
static void
set_default_time (TurnoutCampaignDialog *self)
{
  g_autofree char *zone_text = dup_default_zone (self);
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (zone_text);
  g_autoptr(GDateTime) now = turnout_clock_dup_now (turnout_clock_get_default ());
  g_autoptr(GDateTime) there = g_date_time_to_timezone (now, zone);
  g_autoptr(GDateTime) hour = g_date_time_new (zone, g_date_time_get_year (there),
                                               g_date_time_get_month (there),
                                               g_date_time_get_day_of_month (there),
                                               g_date_time_get_hour (there), 0, 0);
  g_autoptr(GDateTime) start = g_date_time_add_hours (hour, 2);

  gtk_editable_set_text (GTK_EDITABLE (self->zone_row), zone_text);
  gtk_calendar_select_day (self->calendar, start);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (start));
  gtk_spin_button_set_value (self->minute_spin, 0);
}

/* Sending ------------------------------------------------------------------ */

static void
set_sending (TurnoutCampaignDialog *self,
             gboolean               sending)
{
  self->sending = sending;
  gtk_widget_set_sensitive (self->form_box, !sending);
  update_problems (self);
}

static void
finish (TurnoutCampaignDialog *self,
        gint64                 id,
        gboolean               launched,
        const char            *problem)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  self->sending = FALSE;
  g_signal_emit (self, signals[CREATED], 0, id, name, launched, problem);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_launch_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TurnoutCampaignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (self), "turnout-campaign-id"));

  /* The campaign exists either way: the pane shows it, as a draft with
   * the reason when it could not start. */
  if (turnout_campaigns_launch_finish (TURNOUT_STORE (object), result, &error) < 0)
    finish (self, id, FALSE, error->message);
  else
    finish (self, id, TRUE, NULL);
}

static void
on_create_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TurnoutCampaignDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = turnout_campaigns_create_finish (TURNOUT_STORE (object), result, &error);

  if (id == 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_sending (self, FALSE);
      add_error_toast (self, _("Could not create the campaign"), error);
      return;
    }
  if (self->scheduled_at > 0)
    {
      finish (self, id, FALSE, NULL);
      return;
    }
  g_object_set_data (G_OBJECT (self), "turnout-campaign-id", GSIZE_TO_POINTER ((gsize) id));
  /* Not cancellable: once created, it is launched or said to be a draft. */
  turnout_campaigns_launch_async (self->store, id, NULL, on_launch_ready_cb, g_object_ref (self));
}

static void
start_sending (TurnoutCampaignDialog *self)
{
  g_autofree char *segment_name = NULL;
  g_autoptr(TurnoutSegment) segment = NULL;
  TurnoutTemplate *template = current_template (self);

  if (!update_problems (self) || template == NULL)
    return;
  segment = dup_current_segment (self, &segment_name);
  if (segment == NULL)
    return;
  set_sending (self, TRUE);
  turnout_campaigns_create_async (self->store, gtk_editable_get_text (GTK_EDITABLE (self->name_row)),
                                  current_channel (self), segment_name, segment,
                                  turnout_template_get_id (template), 0,
                                  is_scheduling (self) ? self->scheduled_at : 0, self->cancellable,
                                  on_create_ready_cb, g_object_ref (self));
}

static void
on_confirm_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        gpointer          user_data)
{
  TurnoutCampaignDialog *self = user_data;

  if (g_str_equal (response, "send"))
    start_sending (self);
}

static void
campaign_confirm (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TurnoutCampaignDialog *self = TURNOUT_CAMPAIGN_DIALOG (widget);
  TurnoutPreflightReport *report = turnout_preflight_view_get_report (self->preflight_view);
  TurnoutTemplate *template = current_template (self);
  g_autofree char *n = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *segment = dup_current_segment_label (self);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  if (!update_problems (self) || report == NULL || template == NULL)
    return;
  n = format_count (report->sendable);
  heading = g_strdup_printf (is_scheduling (self)
                             ? g_dngettext (NULL, "Schedule for %s Person?",
                                            "Schedule for %s People?", report->sendable)
                             : g_dngettext (NULL, "Send to %s Person?", "Send to %s People?",
                                            report->sendable), n);
  if (is_scheduling (self))
    {
      g_autofree char *zone = dup_zone_text (self);
      g_autofree char *when = turnout_format_date_time (self->scheduled_at, zone);

      g_string_append_printf (body,
                              /* TRANSLATORS: "“Doors” starts Sat 2 May 2026,
                               * 20:00 (Europe/Berlin) with the template
                               * “Reminder”. As the segment “Lapsed” stands
                               * now, 1,204 people would get it." */
                              g_dngettext (NULL,
                                           "“%s” starts %s (%s) with the template “%s”. As the "
                                           "segment “%s” stands now, %s person would get it.",
                                           "“%s” starts %s (%s) with the template “%s”. As the "
                                           "segment “%s” stands now, %s people would get it.",
                                           report->sendable),
                              name, when, zone, turnout_template_get_name (template), segment, n);
    }
  else
    g_string_append_printf (body,
                            /* TRANSLATORS: "“Doors” goes out now to 1,204
                             * people in the segment “Lapsed”, with the
                             * template “Reminder”." */
                            g_dngettext (NULL,
                                         "“%s” goes out now to %s person in the segment “%s”, with "
                                         "the template “%s”.",
                                         "“%s” goes out now to %s people in the segment “%s”, with "
                                         "the template “%s”.", report->sendable),
                            name, n, segment, turnout_template_get_name (template));
  if (!turnout_template_is_email (template))
    {
      g_string_append (body, "\n\n");
      /* TRANSLATORS: the estimated price of the send in US dollars. */
      g_string_append_printf (body, _("Estimated cost: $%.2f."), report->cost);
    }
  g_string_append (body, "\n\n");
  g_string_append (body, is_scheduling (self)
                         ? _("Who gets it is settled when it starts.")
                         : _("Contacts who join the segment later don’t get it."));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "send",
                                    is_scheduling (self) ? _("_Schedule") : _("_Send"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  /* A stray Enter must not send to thousands of people. */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject ------------------------------------------------------------------- */

static gboolean
turnout_campaign_dialog_close_request (GtkWindow *window)
{
  TurnoutCampaignDialog *self = TURNOUT_CAMPAIGN_DIALOG (window);

  /* Closing half way could leave a campaign created and not launched. */
  if (self->sending)
    return TRUE;
  return GTK_WINDOW_CLASS (turnout_campaign_dialog_parent_class)->close_request (window);
}

static void
turnout_campaign_dialog_constructed (GObject *object)
{
  TurnoutCampaignDialog *self = TURNOUT_CAMPAIGN_DIALOG (object);

  G_OBJECT_CLASS (turnout_campaign_dialog_parent_class)->constructed (object);

  turnout_preflight_view_set_store (self->preflight_view, self->store);
  set_default_time (self);
  if (self->settings != NULL)
    {
      g_autofree char *numbers = turnout_settings_dup_string (self->settings, "sms.test_numbers");

      g_autofree char *addresses = turnout_settings_dup_string (self->settings,
                                                                "email.test_addresses");

      gtk_editable_set_text (GTK_EDITABLE (self->numbers_row), numbers);
      gtk_editable_set_text (GTK_EDITABLE (self->addresses_row), addresses);
    }
  if (self->store != NULL)
    {
      turnout_templates_list_async (self->store, self->cancellable, on_templates_ready_cb,
                                    g_object_ref (self));
      turnout_segments_list_async (self->store, self->cancellable, on_segments_ready_cb,
                                   g_object_ref (self));
    }
  update (self);
}

static void
turnout_campaign_dialog_dispose (GObject *object)
{
  TurnoutCampaignDialog *self = TURNOUT_CAMPAIGN_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_CAMPAIGN_DIALOG);
  g_clear_object (&self->test_sender);
  g_clear_object (&self->test_template);
  g_clear_pointer (&self->test_email, turnout_rendered_free);
  g_clear_pointer (&self->test_rows, g_ptr_array_unref);
  g_clear_object (&self->channel_templates);
  g_clear_object (&self->templates);
  g_clear_object (&self->saved_segments);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (turnout_campaign_dialog_parent_class)->dispose (object);
}

static void
turnout_campaign_dialog_finalize (GObject *object)
{
  TurnoutCampaignDialog *self = TURNOUT_CAMPAIGN_DIALOG (object);

  g_free (self->preflight_key);
  g_strfreev (self->test_numbers);
  g_free (self->test_text);
  g_strfreev (self->test_media);

  G_OBJECT_CLASS (turnout_campaign_dialog_parent_class)->finalize (object);
}

static void
turnout_campaign_dialog_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TurnoutCampaignDialog *self = TURNOUT_CAMPAIGN_DIALOG (object);

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
turnout_campaign_dialog_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TurnoutCampaignDialog *self = TURNOUT_CAMPAIGN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_campaign_dialog_class_init (TurnoutCampaignDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = turnout_campaign_dialog_constructed;
  object_class->dispose = turnout_campaign_dialog_dispose;
  object_class->finalize = turnout_campaign_dialog_finalize;
  object_class->get_property = turnout_campaign_dialog_get_property;
  object_class->set_property = turnout_campaign_dialog_set_property;
  window_class->close_request = turnout_campaign_dialog_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TurnoutCampaignDialog::created:
   * @campaign_id: the new campaign
   * @name: its name
   * @launched: whether it is running now (else it is scheduled, or a
   *   draft that could not start)
   * @problem: (nullable): why a campaign to send now could not start
   *
   * The campaign was written; the dialog closes.
   */
  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 4, G_TYPE_INT64, G_TYPE_STRING,
                                   G_TYPE_BOOLEAN, G_TYPE_STRING);

  g_type_ensure (TURNOUT_TYPE_PREFLIGHT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/turnout-campaign-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, form_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, channel_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, segment_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, segment_labels);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, template_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, now_check);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, schedule_check);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, schedule_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, minute_spin);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, zone_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, when_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, problem_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, preflight_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, test_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, numbers_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, addresses_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, example_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutCampaignDialog, test_problem_label);
  gtk_widget_class_bind_template_callback (widget_class, on_form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_choice_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_channel_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_when_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_spin_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_preflight_done_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_numbers_changed_cb);

  gtk_widget_class_install_action (widget_class, "campaign.confirm", NULL, campaign_confirm);
  /* Reached with its mnemonic, Alt+A. */
  gtk_widget_class_install_action (widget_class, "campaign.send-test", NULL, campaign_send_test);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "campaign.confirm", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "campaign.confirm", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
turnout_campaign_dialog_init (TurnoutCampaignDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->test_rows = g_ptr_array_new ();
  self->templates = g_list_store_new (TURNOUT_TYPE_TEMPLATE);
  self->channel_templates =
    gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->templates)),
                               GTK_FILTER (gtk_custom_filter_new (filter_template, self, NULL)));
  adw_combo_row_set_expression (self->template_row,
                                gtk_property_expression_new (TURNOUT_TYPE_TEMPLATE, NULL, "name"));
  adw_combo_row_set_model (self->template_row, G_LIST_MODEL (self->channel_templates));
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    gtk_string_list_append (self->segment_labels, _(presets[i].label));
  adw_combo_row_set_selected (self->segment_row, 0);
}

/**
 * turnout_campaign_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @store: where the campaign goes
 * @settings: (nullable): for the default time zone
 *
 * Returns: (transfer none): the dialog, not shown yet; it destroys itself
 *   once the campaign is created or the user cancels.
 */
TurnoutCampaignDialog *
turnout_campaign_dialog_new (GtkWindow       *parent,
                             TurnoutStore    *store,
                             TurnoutSettings *settings)
{
  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);

  return g_object_new (TURNOUT_TYPE_CAMPAIGN_DIALOG, "transient-for", parent, "store", store,
                       "settings", settings, NULL);
}

/**
 * turnout_campaign_dialog_segment_label:
 * @segment_name: (nullable): what a campaign keeps as its segment's name
 *
 * Returns: the ready-made segment's label for a preset id, else
 *   @segment_name itself ("" for %NULL).
 */
const char *
turnout_campaign_dialog_segment_label (const char *segment_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].id, segment_name) == 0)
      return _(presets[i].label);
  return segment_name != NULL ? segment_name : "";
}
