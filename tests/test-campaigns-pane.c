/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-campaigns-pane"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "turnout-campaign-dialog.h"
#include "turnout-campaigns-async.h"
#include "turnout-campaigns-pane.h"
#include "turnout-send-service.h"
#include "turnout-fake-twilio.h"
#include "turnout-phone.h"
#include "turnout-clock.h"
#include "turnout-segments.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-test-db.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/*
 * The Campaigns pane as a user meets it, standalone in a window, on a
 * store seeded with five contacts in Leeds (one more elsewhere), an SMS
 * template and a saved segment of the Leeds contacts. No message is sent:
 * the pane never runs the dispatcher, so the test moves messages along in
 * SQL, as the dispatcher would, and watches the pane follow.
 *
 * A campaign made through the dialog's widgets — name, segment, template,
 * the preflight shown, the button saying whom and what it costs, the last
 * question repeating both — is running with its five messages and an
 * empty progress bar; messages sent and failed move the bar and the
 * counts; the recipients show the failure's sentence; "Retry Failed" puts
 * it back in the queue; pause, resume and cancel (asked first) are states
 * in the database, and cancelling skips what waited. A scheduled campaign
 * is stored at the time chosen in the zone chosen; a time past or a zone
 * unknown is refused with the reason. A completed campaign whose failed
 * messages are retried runs again; a cancelled one refuses. Recipients
 * come 200 at a time, each once, with "Load More".
 */

/* 2026-05-01T12:00:00Z: the frozen clock. */
#define NOW 1777636800

static TurnoutStore *
seeded_store (const char       *name,
              TurnoutSettings **settings)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (now);
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(TurnoutTemplate) template = turnout_template_new ("sms");
  g_autoptr(TurnoutTemplate) saved = NULL;
  g_autoptr(TurnoutSegment) leeds = NULL;
  TurnoutStore *store;

  turnout_clock_set_default (clock);
  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf (
    "INSERT INTO contacts (id, first_name, last_name, phone, city, sms_consent, created_at,"
    "                      updated_at)"
    " VALUES (1, 'Ana', 'Abbott', '+16505550100', 'Leeds', 'opted_in', %d, %d),"
    "        (2, 'Ben', 'Brook', '+16505550101', 'Leeds', 'opted_in', %d, %d),"
    "        (3, 'Cat', 'Cole', '+16505550102', 'Leeds', 'opted_in', %d, %d),"
    "        (4, 'Dan', 'Dale', '+16505550103', 'Leeds', 'opted_in', %d, %d),"
    "        (5, 'Eve', 'Eden', '+16505550104', 'Leeds', 'opted_in', %d, %d),"
    "        (6, 'Fay', 'Ford', '+16505550105', 'London', 'opted_in', %d, %d);",
    NOW, NOW, NOW, NOW, NOW, NOW, NOW, NOW, NOW, NOW, NOW, NOW);
  turnout_test_exec_sql (store, sql);

  turnout_template_set_name (template, "Doors");
  turnout_template_set_body_text (template, "Doors at 10, {first_name|friend}!");
  saved = turnout_templates_save (store, template, &error);
  g_assert_no_error (error);
  leeds = turnout_segment_new_from_json ("{\"version\":1,\"match\":\"all\",\"rules\":["
                                         "{\"field\":\"city\",\"op\":\"is\",\"value\":\"Leeds\"}]}",
                                         &error);
  g_assert_no_error (error);
  g_assert_true (turnout_segments_save (store, "Leeds fans", leeds, &error));
  g_assert_no_error (error);

  *settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);
  /* A round price, so the cost reads plainly: 5 × $0.05. */
  g_assert_true (turnout_settings_set (*settings, "sms.price_per_segment", "0.05", &error));
  g_assert_no_error (error);
  return store;
}

typedef struct
{
  TurnoutStore    *store;
  TurnoutSettings *settings;
  GtkWindow       *window;
  GtkWidget       *pane;
} Fixture;

static void
fixture_set_up (Fixture    *fixture,
                const char *db_name)
{
  fixture->store = seeded_store (db_name, &fixture->settings);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1200, 800);
  fixture->pane = g_object_ref (GTK_WIDGET (turnout_campaigns_pane_new ()));
  g_object_set (fixture->pane, "store", fixture->store, "settings", fixture->settings, NULL);
  gtk_window_set_child (fixture->window, fixture->pane);
  gtk_window_present (fixture->window);
  spin_until (gtk_widget_get_mapped (fixture->pane) && gtk_widget_get_width (fixture->pane) > 0);
}

static void
fixture_tear_down (Fixture *fixture)
{
  g_object_ref (fixture->window);
  gtk_window_destroy (fixture->window);
  spin_until (G_OBJECT (fixture->window)->ref_count == 1);
  g_assert_finalize_object (fixture->window);
  turnout_test_finalize_object (fixture->pane);
  turnout_test_finalize_object (fixture->settings);
  turnout_test_finalize_object (fixture->store);
  turnout_clock_set_default (NULL);
}

/* Finding what the user sees ------------------------------------------------ */

static gboolean
is_row_titled (GtkWidget     *widget,
               gconstpointer  data)
{
  return ADW_IS_PREFERENCES_ROW (widget)
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static gpointer
find_row (GtkWidget  *root,
          const char *title)
{
  GtkWidget *row = find_widget (root, is_row_titled, title);

  g_assert_nonnull (row);
  return row;
}

static gboolean
is_action_button (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_BUTTON (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  GtkWidget *button = find_widget (root, is_action_button, action);

  g_assert_nonnull (button);
  return button;
}

static gboolean
is_shown_label (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
         && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static gboolean
is_numeric_label (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "numeric");
}

/* The number shown above @caption among the counts of the details. */
static const char *
count_shown (GtkWidget  *pane,
             const char *caption)
{
  GtkWidget *label = find_widget (pane, is_shown_label, caption);

  g_assert_nonnull (label);
  return gtk_label_get_text (GTK_LABEL (gtk_widget_get_prev_sibling (label)));
}

static gboolean
is_campaign_list (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_LIST_VIEW (widget) && gtk_widget_has_css_class (widget, "navigation-sidebar");
}

static gboolean
is_shown_inscription (GtkWidget     *widget,
                      gconstpointer  data)
{
  return GTK_IS_INSCRIPTION (widget) && gtk_widget_get_mapped (widget)
         && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), data) == 0;
}

static gboolean
shows_cell (GtkWidget  *root,
            const char *text)
{
  return find_widget (root, is_shown_inscription, text) != NULL;
}

/* The position of the item whose string (or template name) is @text in a
 * combo row's model, or GTK_INVALID_LIST_POSITION. */
static guint
find_choice (AdwComboRow *row,
             const char  *text)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      const char *name = GTK_IS_STRING_OBJECT (item)
                         ? gtk_string_object_get_string (GTK_STRING_OBJECT (item))
                         : turnout_template_get_name (TURNOUT_TEMPLATE (item));

      if (g_strcmp0 (name, text) == 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
choose (AdwComboRow *row,
        const char  *text)
{
  spin_until (find_choice (row, text) != GTK_INVALID_LIST_POSITION);
  adw_combo_row_set_selected (row, find_choice (row, text));
}

static AdwMessageDialog *
wait_for_question (void)
{
  AdwMessageDialog *dialog;

  spin_until ((dialog = (AdwMessageDialog *) turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG))
              != NULL);
  return dialog;
}

static void
answer (AdwMessageDialog *dialog,
        const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static TurnoutCampaignDialog *
open_dialog (GtkWidget *pane)
{
  TurnoutCampaignDialog *dialog;

  g_assert_true (gtk_widget_activate_action (pane, "campaigns.new", NULL));
  spin_until ((dialog = (TurnoutCampaignDialog *)
                 turnout_test_find_toplevel (TURNOUT_TYPE_CAMPAIGN_DIALOG)) != NULL);
  return dialog;
}

static const char *
button_label (GtkWidget *button)
{
  return gtk_button_get_label (GTK_BUTTON (button));
}

/* The progress bar of the details: the one outside the list. */
static GtkProgressBar *
details_progress (GtkWidget *pane)
{
  g_autoptr(GPtrArray) bars = g_ptr_array_new ();

  collect_widgets (pane, is_type, GSIZE_TO_POINTER (GTK_TYPE_PROGRESS_BAR), bars);
  for (guint i = 0; i < bars->len; i++)
    if (gtk_widget_get_ancestor (g_ptr_array_index (bars, i), GTK_TYPE_LIST_VIEW) == NULL)
      return g_ptr_array_index (bars, i);
  g_assert_not_reached ();
}

static GtkProgressBar *
list_progress (GtkWidget *pane)
{
  g_autoptr(GPtrArray) bars = g_ptr_array_new ();

  collect_widgets (pane, is_type, GSIZE_TO_POINTER (GTK_TYPE_PROGRESS_BAR), bars);
  for (guint i = 0; i < bars->len; i++)
    if (gtk_widget_get_ancestor (g_ptr_array_index (bars, i), GTK_TYPE_LIST_VIEW) != NULL)
      return g_ptr_array_index (bars, i);
  g_assert_not_reached ();
}

static gboolean
progress_is (GtkProgressBar *bar,
             double          fraction,
             const char     *text)
{
  return G_APPROX_VALUE (gtk_progress_bar_get_fraction (bar), fraction, 1e-9)
         && g_strcmp0 (gtk_progress_bar_get_text (bar), text) == 0;
}

static gint64
count_messages (TurnoutStore *store,
                const char   *state)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM messages WHERE state = '%s'",
                                          state);

  return turnout_test_query_int (store, sql);
}

/* The state of the newest campaign, as stored. */
static gboolean
campaign_state_is (TurnoutStore *store,
                   const char   *state)
{
  g_autofree char *stored = turnout_test_query_text (store, "SELECT state FROM campaigns"
                                                            " ORDER BY id DESC LIMIT 1");

  return g_strcmp0 (stored, state) == 0;
}

/* The tests ----------------------------------------------------------------- */

static void
test_send (void)
{
  Fixture fixture = { 0 };
  TurnoutCampaignDialog *dialog;
  AdwMessageDialog *question;
  GtkWidget *pane, *confirm;
  GtkColumnView *recipients;
  g_autofree char *error_text = NULL;

  fixture_set_up (&fixture, "send.db");
  pane = fixture.pane;
  spin_until (turnout_test_shows (pane, "No Campaigns"));

  /* The dialog: nothing to send until it has a name and the preflight
   * has run. */
  dialog = open_dialog (pane);
  confirm = find_action_button (GTK_WIDGET (dialog), "campaign.confirm");
  g_assert_false (gtk_widget_is_sensitive (confirm));
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "_Name")), "Doors tonight");
  choose (find_row (GTK_WIDGET (dialog), "_Segment"), "Leeds fans");
  choose (find_row (GTK_WIDGET (dialog), "_Template"), "Doors");
  spin_until (turnout_test_shows (GTK_WIDGET (dialog), "Get the message")
              && g_strcmp0 (button_label (confirm), "Send to 5 people (≈ $0.25)") == 0);
  g_assert_true (gtk_widget_is_sensitive (confirm));

  /* An empty name is said, and stops it. */
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "_Name")), "  ");
  g_assert_true (turnout_test_shows (GTK_WIDGET (dialog), "Give the campaign a name."));
  g_assert_false (gtk_widget_is_sensitive (confirm));
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "_Name")), "Doors tonight");
  g_assert_true (gtk_widget_is_sensitive (confirm));

  /* The last question repeats the count and the cost; saying no writes
   * nothing. */
  gtk_widget_activate (confirm);
  question = wait_for_question ();
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Send to 5 People?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question), "Estimated cost: $0.25."));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question),
                            "“Doors tonight” goes out now to 5 people in the segment “Leeds fans”, "
                            "with the template “Doors”."));
  answer (question, "cancel");
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM campaigns"), ==, 0);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_widget_activate (confirm);
  answer (wait_for_question (), "send");
  /* It closes, and nothing keeps it alive. */
  spin_until (dialog == NULL);

  /* Running, its audience frozen: five queued, nothing done. */
  g_assert_true (campaign_state_is (fixture.store, "running"));
  g_assert_cmpint (count_messages (fixture.store, "queued"), ==, 5);
  spin_until (turnout_test_shows (pane, "Doors tonight") && turnout_test_shows (pane, "Running")
              && progress_is (details_progress (pane), 0.0, "Sent 0 of 5"));
  g_assert_true (progress_is (list_progress (pane), 0.0, "Sent 0 of 5"));
  g_assert_true (turnout_test_shows (pane, "Segment: Leeds fans · Template: Doors"));
  recipients = GTK_COLUMN_VIEW (find_type (pane, GTK_TYPE_COLUMN_VIEW));
  spin_until (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (recipients))) == 5
              && shows_cell (pane, "Ana Abbott") && shows_cell (pane, "+16505550100"));
  g_assert_true (turnout_test_shows (pane, "Showing 5 of 5"));

  /* The dispatcher's work, done in SQL: two sent, one failed. The pane
   * follows on the next refresh (F5 here; every two seconds by itself). */
  turnout_test_exec_sql (fixture.store,
                         "UPDATE messages SET state = 'sent', provider_id = 'SM' || contact_id,"
                         " attempts = 1 WHERE contact_id IN (1, 2);"
                         "UPDATE messages SET state = 'failed', attempts = 6, error_code = '21211',"
                         " error_text = 'The number is not a valid phone number'"
                         " WHERE contact_id = 3;");
  g_assert_true (gtk_widget_activate_action (pane, "campaigns.refresh", NULL));
  spin_until (progress_is (details_progress (pane), 0.6, "Sent 2 of 5 · 1 failed")
              && progress_is (list_progress (pane), 0.6, "Sent 2 of 5 · 1 failed"));
  g_assert_cmpstr (count_shown (pane, "Sent"), ==, "2");
  g_assert_cmpstr (count_shown (pane, "Failed"), ==, "1");
  g_assert_cmpstr (count_shown (pane, "Waiting"), ==, "2");
  g_assert_cmpstr (count_shown (pane, "Skipped"), ==, "0");
  /* Three done since the first look: a rate, and the time left. */
  spin_until (turnout_test_shows_part (pane, "left"));
  g_assert_true (turnout_test_shows_part (pane, "messages a"));

  /* Each recipient with what became of their message and why. */
  spin_until (shows_cell (pane, "The number is not a valid phone number")
              && shows_cell (pane, "SM1") && shows_cell (pane, "Failed"));

  /* Only the failed ones. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (find_type (pane, GTK_TYPE_DROP_DOWN)), 1);
  spin_until (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (recipients))) == 1
              && shows_cell (pane, "Cat Cole"));
  g_assert_true (turnout_test_shows (pane, "Showing 1 of 1"));

  /* Retry Failed: back in the queue as new, and the counts say so. */
  gtk_widget_activate (find_action_button (pane, "campaigns.retry-failed"));
  spin_until (count_messages (fixture.store, "failed") == 0
              && progress_is (details_progress (pane), 0.4, "Sent 2 of 5"));
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT attempts FROM messages"
                                                          " WHERE contact_id = 3"), ==, 0);
  error_text = turnout_test_query_text (fixture.store, "SELECT state || coalesce (error_text, '')"
                                                       " || coalesce (next_attempt_at, '')"
                                                       " FROM messages WHERE contact_id = 3");
  g_assert_cmpstr (error_text, ==, "queued");
  spin_until (turnout_test_shows_part (GTK_WIDGET (fixture.window), "1 failed message goes out"));
  spin_until (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (recipients))) == 0);
  g_assert_false (gtk_widget_get_visible (find_action_button (pane, "campaigns.retry-failed")));

  /* Pause and resume are states in the database. */
  gtk_widget_activate (find_action_button (pane, "campaigns.pause"));
  spin_until (campaign_state_is (fixture.store, "paused") && turnout_test_shows (pane, "Paused"));
  g_assert_false (gtk_widget_get_visible (find_action_button (pane, "campaigns.pause")));
  gtk_widget_activate (find_action_button (pane, "campaigns.resume"));
  spin_until (campaign_state_is (fixture.store, "running") && turnout_test_shows (pane, "Running"));

  /* Cancel asks first; keeping it changes nothing. */
  gtk_widget_activate (find_action_button (pane, "campaigns.cancel"));
  question = wait_for_question ();
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Cancel “Doors tonight”?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question), "The 3 messages still waiting"));
  answer (question, "keep");
  turnout_test_spin_for (200);
  g_assert_true (campaign_state_is (fixture.store, "running"));

  gtk_widget_activate (find_action_button (pane, "campaigns.cancel"));
  answer (wait_for_question (), "cancel-campaign");
  spin_until (campaign_state_is (fixture.store, "cancelled")
              && turnout_test_shows (pane, "Cancelled"));
  g_assert_cmpint (count_messages (fixture.store, "queued"), ==, 0);
  g_assert_cmpint (count_messages (fixture.store, "skipped"), ==, 3);
  spin_until (g_strcmp0 (count_shown (pane, "Skipped"), "3") == 0);
  g_assert_cmpstr (count_shown (pane, "Waiting"), ==, "0");
  g_assert_cmpint (count_messages (fixture.store, "sent"), ==, 2);
  g_assert_false (gtk_widget_get_visible (find_action_button (pane, "campaigns.cancel")));
  spin_until (progress_is (details_progress (pane), 1.0, "Sent 2 of 5"));

  fixture_tear_down (&fixture);
}

static void
test_schedule (void)
{
  Fixture fixture = { 0 };
  TurnoutCampaignDialog *dialog;
  GtkWidget *pane, *confirm, *zone_row;
  GtkSpinButton *hour, *minute;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GTimeZone) new_york = g_time_zone_new_identifier ("America/New_York");
  g_autoptr(GDateTime) expected = g_date_time_new (new_york, 2026, 5, 3, 20, 30, 0);
  AdwComboRow *channel, *template;
  GListModel *templates;

  fixture_set_up (&fixture, "schedule.db");
  pane = fixture.pane;
  dialog = open_dialog (pane);
  confirm = find_action_button (GTK_WIDGET (dialog), "campaign.confirm");

  /* Email shows the email templates only. */
  channel = find_row (GTK_WIDGET (dialog), "C_hannel");
  template = find_row (GTK_WIDGET (dialog), "_Template");
  spin_until (find_choice (template, "Doors") != GTK_INVALID_LIST_POSITION);
  adw_combo_row_set_selected (channel, 1);
  templates = adw_combo_row_get_model (template);
  g_assert_cmpuint (g_list_model_get_n_items (templates), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (templates); i++)
    {
      g_autoptr(TurnoutTemplate) item = g_list_model_get_item (templates, i);

      g_assert_true (turnout_template_is_email (item));
    }
  adw_combo_row_set_selected (channel, 0);

  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "_Name")), "Sunday reminder");
  choose (find_row (GTK_WIDGET (dialog), "_Segment"), "Leeds fans");
  choose (template, "Doors");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find_type (find_row (GTK_WIDGET (dialog),
                                                                      "Sched_ule"),
                                                            GTK_TYPE_CHECK_BUTTON)), TRUE);

  /* A zone nobody knows, then a time already past: each said, each
   * stopping the send. */
  zone_row = find_row (GTK_WIDGET (dialog), "Time _zone");
  gtk_editable_set_text (GTK_EDITABLE (zone_row), "Mars/Olympus");
  g_assert_true (turnout_test_shows_part (GTK_WIDGET (dialog), "“Mars/Olympus” is not a time zone"));
  g_assert_false (gtk_widget_is_sensitive (confirm));
  gtk_editable_set_text (GTK_EDITABLE (zone_row), "America/New_York");
  hour = GTK_SPIN_BUTTON (find_type (GTK_WIDGET (dialog), GTK_TYPE_SPIN_BUTTON));
  minute = GTK_SPIN_BUTTON (gtk_widget_get_last_child (gtk_widget_get_parent (GTK_WIDGET (hour))));
  day = g_date_time_new (new_york, 2026, 4, 30, 12, 0, 0);
  gtk_calendar_select_day (GTK_CALENDAR (find_type (GTK_WIDGET (dialog), GTK_TYPE_CALENDAR)), day);
  g_assert_true (turnout_test_shows_part (GTK_WIDGET (dialog), "has passed: choose a later time."));
  g_assert_false (gtk_widget_is_sensitive (confirm));

  /* Sunday 3 May, 20:30 in New York, said in New York time and the
   * user's own (UTC here). */
  g_clear_pointer (&day, g_date_time_unref);
  day = g_date_time_new (new_york, 2026, 5, 3, 12, 0, 0);
  gtk_calendar_select_day (GTK_CALENDAR (find_type (GTK_WIDGET (dialog), GTK_TYPE_CALENDAR)), day);
  gtk_spin_button_set_value (hour, 20);
  gtk_spin_button_set_value (minute, 30);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (minute)), ==, "30");
  g_assert_true (turnout_test_shows_part (GTK_WIDGET (dialog),
                                          "Sun 3 May 2026, 20:30 in America/New_York · "
                                          "Mon 4 May 2026, 00:30 your time"));
  spin_until (g_strcmp0 (button_label (confirm), "Schedule for 5 people (≈ $0.25)") == 0);
  gtk_widget_activate (confirm);
  {
    AdwMessageDialog *question = wait_for_question ();

    g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Schedule for 5 People?");
    g_assert_nonnull (strstr (adw_message_dialog_get_body (question),
                              "“Sunday reminder” starts Sun 3 May 2026, 20:30 (America/New_York)"
                              " with the template “Doors”. As the segment “Leeds fans” stands now,"
                              " 5 people would get it."));
    answer (question, "send");
  }
  spin_until (turnout_test_find_toplevel (TURNOUT_TYPE_CAMPAIGN_DIALOG) == NULL);

  /* Stored at that instant, waiting, with no messages until it starts. */
  g_assert_true (campaign_state_is (fixture.store, "scheduled"));
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT scheduled_at FROM campaigns"), ==,
                   g_date_time_to_unix (expected));
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM messages"), ==, 0);
  spin_until (turnout_test_shows (pane, "Scheduled")
              && progress_is (details_progress (pane), 0.0, "Starts Mon 4 May, 00:30"));
  g_assert_true (gtk_widget_get_visible (find_action_button (pane, "campaigns.launch")));

  fixture_tear_down (&fixture);
}

static void
test_retry_completed (void)
{
  Fixture fixture = { 0 };
  g_autoptr(TurnoutSegment) all = turnout_segment_new_preset ("all", -1, NULL);
  g_autoptr(GError) error = NULL;
  gint64 template_id, id;
  GtkWidget *pane;

  fixture_set_up (&fixture, "retry.db");
  pane = fixture.pane;
  template_id = turnout_test_query_int (fixture.store, "SELECT id FROM templates"
                                                       " WHERE name = 'Doors'");
  /* An older draft, without messages, listed below. */
  g_assert_cmpint (turnout_campaigns_create (fixture.store, "Not yet", "sms", "all", all,
                                             template_id, 0, 0, &error), >, 0);
  g_assert_no_error (error);
  id = turnout_campaigns_create (fixture.store, "Everyone", "sms", "all", all, template_id, 0, 0,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (fixture.store, id, NULL, &error), ==, 6);
  g_assert_no_error (error);
  /* Done: five delivered, one failed for good. */
  turnout_test_exec_sql (fixture.store,
                         "UPDATE messages SET state = 'delivered', provider_id = 'SM' || contact_id;"
                         "UPDATE messages SET state = 'failed', provider_id = NULL,"
                         " error_text = 'Twilio refused the number' WHERE contact_id = 6;"
                         "UPDATE campaigns SET state = 'completed' WHERE name = 'Everyone';");
  g_assert_true (gtk_widget_activate_action (pane, "campaigns.refresh", NULL));
  spin_until (turnout_test_shows (pane, "Completed")
              && progress_is (details_progress (pane), 1.0, "Sent 5 of 6 · 1 failed"));
  {
    g_autoptr(GPtrArray) bars = g_ptr_array_new ();

    collect_widgets (find_widget (pane, is_campaign_list, NULL), is_type,
                     GSIZE_TO_POINTER (GTK_TYPE_PROGRESS_BAR), bars);
    g_assert_cmpuint (bars->len, ==, 2);
    /* Rows are recycled widgets: their order in the tree is not the list's. */
    if (!progress_is (g_ptr_array_index (bars, 0), 1.0, "Sent 5 of 6 · 1 failed"))
      g_ptr_array_add (bars, g_ptr_array_steal_index (bars, 0));
    g_assert_true (progress_is (g_ptr_array_index (bars, 0), 1.0, "Sent 5 of 6 · 1 failed"));
    g_assert_true (progress_is (g_ptr_array_index (bars, 1), 0.0, "Not sent yet"));
  }
  /* Shown once the details have their place in the window. */
  spin_until (turnout_test_shows (pane, "Segment: All contacts · Template: Doors"));
  spin_until (shows_cell (pane, "Twilio refused the number"));
  g_assert_false (gtk_widget_get_visible (find_action_button (pane, "campaigns.pause")));

  /* A completed campaign with messages back in the queue runs again. */
  gtk_widget_activate (find_action_button (pane, "campaigns.retry-failed"));
  spin_until (campaign_state_is (fixture.store, "running") && turnout_test_shows (pane, "Running")
              && progress_is (details_progress (pane), 5.0 / 6.0, "Sent 5 of 6"));
  g_assert_cmpint (count_messages (fixture.store, "queued"), ==, 1);

  /* A cancelled one sends nothing more, so it refuses, saying why. */
  g_assert_true (turnout_campaigns_cancel (fixture.store, id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_retry_failed (fixture.store, id, &error), ==, -1);
  g_assert_error (error, TURNOUT_CAMPAIGN_ERROR, TURNOUT_CAMPAIGN_ERROR_STATE);
  g_assert_cmpstr (error->message, ==, "A campaign that is cancelled can’t send its failed "
                                       "messages again");

  fixture_tear_down (&fixture);
}

/* Emails in doubt: counted apart, and settled as the user decides. */
static void
test_settle_unknown (void)
{
  Fixture fixture = { 0 };
  g_autoptr(TurnoutSegment) all = turnout_segment_new_preset ("all", -1, NULL);
  g_autoptr(GError) error = NULL;
  GtkWidget *pane;
  gint64 id;

  fixture_set_up (&fixture, "settle.db");
  pane = fixture.pane;
  turnout_test_exec_sql (fixture.store,
    "UPDATE contacts SET email = lower (first_name) || '@example.test', email_consent = 'opted_in';"
    "INSERT INTO templates (id, name, channel, subject, body_text, created_at, updated_at)"
    " VALUES (50, 'Doors mail', 'email', 'Doors at 10', 'Hi {first_name}', 0, 0);");
  id = turnout_campaigns_create (fixture.store, "By mail", "email", "all", all, 50, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (fixture.store, id, NULL, &error), ==, 6);
  /* Four sent; two lost after the final "."; the campaign ended. */
  turnout_test_exec_sql (fixture.store,
                         "UPDATE messages SET state = 'sent';"
                         "UPDATE messages SET state = 'unknown', claimed_at = 1777636000,"
                         " error_text = 'The connection was lost after the whole message was sent'"
                         " WHERE contact_id IN (2, 5);"
                         "UPDATE campaigns SET state = 'completed';");
  g_assert_true (gtk_widget_activate_action (pane, "campaigns.refresh", NULL));
  spin_until (turnout_test_shows (pane, "Completed") && turnout_test_shows (pane, "In Doubt"));
  spin_until (shows_cell (pane, "The connection was lost after the whole message was sent"));
  g_assert_true (gtk_widget_get_visible (find_action_button (pane, "campaigns.settle-unknown")));

  /* Asked, with both ways out, and nothing done on Cancel. */
  gtk_widget_activate (find_action_button (pane, "campaigns.settle-unknown"));
  answer (wait_for_question (), "cancel");
  g_assert_cmpint (count_messages (fixture.store, "unknown"), ==, 2);

  /* Sent again: queued, and the completed campaign runs to send them. */
  gtk_widget_activate (find_action_button (pane, "campaigns.settle-unknown"));
  answer (wait_for_question (), "send-again");
  spin_until (campaign_state_is (fixture.store, "running") && turnout_test_shows (pane, "Running"));
  g_assert_cmpint (count_messages (fixture.store, "queued"), ==, 2);
  spin_until (!gtk_widget_get_visible (find_action_button (pane, "campaigns.settle-unknown")));

  /* In doubt again, and this time counted as sent, saying who decided. */
  turnout_test_exec_sql (fixture.store, "UPDATE messages SET state = 'unknown'"
                                        " WHERE state = 'queued'");
  g_assert_true (gtk_widget_activate_action (pane, "campaigns.refresh", NULL));
  spin_until (gtk_widget_get_visible (find_action_button (pane, "campaigns.settle-unknown")));
  gtk_widget_activate (find_action_button (pane, "campaigns.settle-unknown"));
  answer (wait_for_question (), "mark-sent");
  spin_until (count_messages (fixture.store, "sent") == 6);
  spin_until (shows_cell (pane, "you marked it as sent"));
  spin_until (!turnout_test_shows (pane, "In Doubt"));

  fixture_tear_down (&fixture);
}

static void
test_pages (void)
{
  Fixture fixture = { 0 };
  g_autoptr(TurnoutSegment) all = turnout_segment_new_preset ("all", -1, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  GtkColumnView *recipients;
  GtkWidget *pane, *more;
  gint64 id;

  fixture_set_up (&fixture, "pages.db");
  pane = fixture.pane;
  /* 250 more contacts: 256 recipients, two pages. */
  sql = g_strdup_printf ("WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                         "                         WHERE i < 250)"
                         " INSERT INTO contacts (first_name, last_name, phone, sms_consent,"
                         "                       created_at, updated_at)"
                         " SELECT 'Fan', printf ('%%03d', i), printf ('+1650556%%04d', i),"
                         "        'opted_in', %d, %d FROM n;", NOW, NOW);
  turnout_test_exec_sql (fixture.store, sql);
  id = turnout_campaigns_create (fixture.store, "Everyone", "sms", "all", all,
                                 turnout_test_query_int (fixture.store, "SELECT id FROM templates"
                                                                        " WHERE name = 'Doors'"),
                                 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (turnout_campaigns_launch (fixture.store, id, NULL, &error), ==, 256);
  g_assert_no_error (error);

  g_assert_true (gtk_widget_activate_action (pane, "campaigns.refresh", NULL));
  recipients = GTK_COLUMN_VIEW (find_type (pane, GTK_TYPE_COLUMN_VIEW));
  spin_until (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (recipients)))
              == TURNOUT_CAMPAIGN_MESSAGES_PAGE
              && turnout_test_shows (pane, "Showing 200 of 256"));
  more = find_action_button (pane, "campaigns.load-more");
  g_assert_true (gtk_widget_get_visible (more));
  gtk_widget_activate (more);
  spin_until (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (recipients))) == 256
              && turnout_test_shows (pane, "Showing 256 of 256"));
  g_assert_false (gtk_widget_get_visible (more));
  /* In id order, each once. */
  {
    GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (recipients));

    for (guint i = 1; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(TurnoutCampaignMessage) before = g_list_model_get_item (model, i - 1);
        g_autoptr(TurnoutCampaignMessage) after = g_list_model_get_item (model, i);

        g_assert_cmpint (turnout_campaign_message_get_id (before), <,
                         turnout_campaign_message_get_id (after));
      }
  }

  fixture_tear_down (&fixture);
}

static guint fake_port;

static void
on_wake_sender_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  turnout_send_service_wake (user_data);
}

/* The whole way: the dialog, the application's sender (woken by the pane
 * as the app's is), the fake Twilio, and the pane following to the end. */
static void
test_send_to_fake (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeTwilio) fake = turnout_fake_twilio_new_on_port (fake_port, &error);
  g_autoptr(TurnoutSendService) service = NULL;
  g_autoptr(GSimpleActionGroup) app = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) wake = g_simple_action_new ("wake-sender", NULL);
  g_autoptr(TurnoutFakeMessage) first = NULL;
  TurnoutCampaignDialog *dialog;
  GtkWidget *pane, *confirm;

  g_assert_no_error (error);
  fixture_set_up (&fixture, "fake.db");
  pane = fixture.pane;
  g_assert_true (turnout_settings_set (fixture.settings, "twilio.account_sid",
                                       TURNOUT_FAKE_TWILIO_ACCOUNT_SID, &error));
  g_assert_true (turnout_settings_set (fixture.settings, "twilio.from", TURNOUT_FAKE_TWILIO_FROM,
                                       &error));
  g_assert_true (turnout_settings_set (fixture.settings, "sms.quiet_hours", "off", &error));
  g_assert_true (turnout_settings_set (fixture.settings, "sms.rate", "1000", &error));
  g_assert_no_error (error);
  service = turnout_send_service_new (NULL, fixture.settings);
  g_signal_connect_object (wake, "activate", G_CALLBACK (on_wake_sender_cb), service, 0);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (wake));
  gtk_widget_insert_action_group (GTK_WIDGET (fixture.window), "app", G_ACTION_GROUP (app));
  spin_until (turnout_test_shows (pane, "No Campaigns"));

  dialog = open_dialog (pane);
  confirm = find_action_button (GTK_WIDGET (dialog), "campaign.confirm");
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "_Name")), "Doors tonight");
  choose (find_row (GTK_WIDGET (dialog), "_Segment"), "Leeds fans");
  choose (find_row (GTK_WIDGET (dialog), "_Template"), "Doors");
  spin_until (g_strcmp0 (button_label (confirm), "Send to 5 people (≈ $0.25)") == 0);
  gtk_widget_activate (confirm);
  answer (wait_for_question (), "send");

  /* Sent at once (the service's own minute is far off), and the pane
   * follows to a full bar. */
  spin_until (progress_is (details_progress (pane), 1.0, "Sent 5 of 5")
              && turnout_test_shows (pane, "Completed"));
  g_assert_true (progress_is (list_progress (pane), 1.0, "Sent 5 of 5"));
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 5);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16505550100"), ==, 1);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16505550105"), ==, 0);
  /* Ana's, whichever of the four in flight arrived first. */
  for (guint i = 0; first == NULL || g_strcmp0 (first->to, "+16505550100") != 0; i++)
    {
      g_clear_pointer (&first, turnout_fake_message_free);
      first = turnout_fake_twilio_dup_accepted (fake, i);
      g_assert_nonnull (first);
    }
  g_assert_cmpstr (first->body, ==, "Doors at 10, Ana!");
  /* Each recipient with the id Twilio gave. */
  spin_until (shows_cell (pane, "Sent") && shows_cell (pane, first->sid));

  g_object_run_dispose (G_OBJECT (service));
  gtk_widget_insert_action_group (GTK_WIDGET (fixture.window), "app", NULL);
  g_clear_object (&wake);
  turnout_test_finalize_object (g_steal_pointer (&service));
  fixture_tear_down (&fixture);
}

/* The number a preflight row titled @title shows, or NULL when there is
 * no such row; its subtitle in @subtitle. */
static const char *
preflight_value (GtkWidget   *root,
                 const char  *title,
                 const char **subtitle)
{
  GtkWidget *row = find_widget (root, is_row_titled, title);
  GtkWidget *label;

  if (row == NULL || !gtk_widget_get_mapped (row))
    return NULL;
  label = find_widget (row, is_numeric_label, NULL);
  if (subtitle != NULL)
    *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  return label != NULL ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

/* The frequency cap and the quiet hours in the dialog's preflight, at
 * 12:00 UTC now and at a time scheduled later. */
static void
test_cap_and_quiet_hours (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) london = g_time_zone_new_identifier ("Europe/London");
  g_autoptr(GDateTime) day = g_date_time_new (london, 2026, 5, 1, 12, 0, 0);
  TurnoutCampaignDialog *dialog;
  GtkWidget *confirm;
  GtkSpinButton *hour, *minute;
  const char *subtitle = NULL;
  g_autofree char *sql = NULL;

  fixture_set_up (&fixture, "cap.db");
  /* Ana is in London (13:00); the others have the default zone, Los
   * Angeles (05:00, inside the quiet hours). Ben had a text yesterday. */
  sql = g_strdup_printf ("UPDATE contacts SET time_zone = 'Europe/London' WHERE id = 1;"
                         "INSERT INTO messages (contact_id, channel, address, state, claimed_at,"
                         "                      sent_at, created_at, updated_at)"
                         " VALUES (2, 'sms', '+16505550101', 'delivered', %d, %d, %d, %d);",
                         NOW - 86400, NOW - 86400, NOW - 86400, NOW - 86400);
  turnout_test_exec_sql (fixture.store, sql);
  g_assert_true (turnout_settings_set (fixture.settings, "delivery.frequency_cap", "1/7", &error));
  g_assert_true (turnout_settings_set (fixture.settings, "contacts.default_time_zone",
                                       "America/Los_Angeles", &error));
  g_assert_no_error (error);

  dialog = open_dialog (fixture.pane);
  confirm = find_action_button (GTK_WIDGET (dialog), "campaign.confirm");
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "_Name")), "Doors tonight");
  choose (find_row (GTK_WIDGET (dialog), "_Segment"), "Leeds fans");
  choose (find_row (GTK_WIDGET (dialog), "_Template"), "Doors");

  /* Now: Ben is left out, and costs nothing; three wait for the morning
   * but are still counted. */
  spin_until (g_strcmp0 (button_label (confirm), "Send to 4 people (≈ $0.20)") == 0
              && g_strcmp0 (preflight_value (GTK_WIDGET (dialog), "Waits for the quiet hours to end",
                                             NULL), "3") == 0);
  g_assert_cmpstr (preflight_value (GTK_WIDGET (dialog), "Left out: over the frequency cap",
                                    &subtitle), ==, "1");
  g_assert_cmpstr (subtitle, ==, "They already had what the cap allows: at most 1 message to one "
                                 "person in 7 days, across campaigns and automations");
  g_assert_cmpstr (preflight_value (GTK_WIDGET (dialog), "Waits for the quiet hours to end",
                                    &subtitle), ==, "3");
  g_assert_cmpstr (subtitle, ==, "Inside the quiet hours (21:00–08:00) in their time zone now; "
                                 "their texts go when the quiet hours end");
  g_assert_cmpstr (preflight_value (GTK_WIDGET (dialog), "Get the message", NULL), ==, "4");

  /* Scheduled for 22:00 in London (21:00 UTC): Ana's evening is quiet,
   * Los Angeles' afternoon is not; Ben's text is still within the week. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find_type (find_row (GTK_WIDGET (dialog),
                                                                      "Sched_ule"),
                                                            GTK_TYPE_CHECK_BUTTON)), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Time _zone")),
                         "Europe/London");
  gtk_calendar_select_day (GTK_CALENDAR (find_type (GTK_WIDGET (dialog), GTK_TYPE_CALENDAR)), day);
  hour = GTK_SPIN_BUTTON (find_type (GTK_WIDGET (dialog), GTK_TYPE_SPIN_BUTTON));
  minute = GTK_SPIN_BUTTON (gtk_widget_get_last_child (gtk_widget_get_parent (GTK_WIDGET (hour))));
  gtk_spin_button_set_value (hour, 22);
  gtk_spin_button_set_value (minute, 0);
  spin_until (g_strcmp0 (button_label (confirm), "Schedule for 4 people (≈ $0.20)") == 0
              && g_strcmp0 (preflight_value (GTK_WIDGET (dialog), "Waits for the quiet hours to end",
                                             &subtitle), "1") == 0);
  g_assert_cmpstr (subtitle, ==, "Inside the quiet hours (21:00–08:00) in their time zone at the "
                                 "scheduled time; their texts go when the quiet hours end");
  g_assert_cmpstr (preflight_value (GTK_WIDGET (dialog), "Left out: over the frequency cap", NULL),
                   ==, "1");

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_until (dialog == NULL);
  fixture_tear_down (&fixture);
}

static gboolean
row_says (GtkWidget  *root,
          const char *title,
          const char *subtitle_start)
{
  GtkWidget *row = find_widget (root, is_row_titled, title);

  return row != NULL && ADW_IS_ACTION_ROW (row)
         && g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), subtitle_start);
}

/* "Send a Test": the message as the first recipient gets it, to the
 * user's own numbers through the fake Twilio, each said, one of them
 * suppressed and refused; logged as one-offs, not in any campaign. */
static void
test_send_test (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutFakeTwilio) fake = turnout_fake_twilio_new_on_port (fake_port, &error);
  TurnoutCampaignDialog *dialog;
  AdwEntryRow *numbers;
  GtkWidget *button;

  g_assert_no_error (error);
  fixture_set_up (&fixture, "test-send.db");
  g_assert_true (turnout_settings_set (fixture.settings, "twilio.account_sid",
                                       TURNOUT_FAKE_TWILIO_ACCOUNT_SID, &error));
  g_assert_true (turnout_settings_set (fixture.settings, "twilio.from", TURNOUT_FAKE_TWILIO_FROM,
                                       &error));
  g_assert_true (turnout_settings_set (fixture.settings, "sms.test_numbers",
                                       "+1 650 555 0199, +1 (650) 555-0198", &error));
  g_assert_no_error (error);
  turnout_test_exec_sql (fixture.store,
                         "INSERT INTO suppressions (channel, address, reason, created_at)"
                         " VALUES ('sms', '+16505550197', 'stop', 0);");

  dialog = open_dialog (fixture.pane);
  choose (find_row (GTK_WIDGET (dialog), "_Segment"), "Leeds fans");
  choose (find_row (GTK_WIDGET (dialog), "_Template"), "Doors");
  button = find_action_button (GTK_WIDGET (dialog), "campaign.send-test");
  g_assert_cmpstr (button_label (button), ==, "Send _a Test");
  g_assert_true (gtk_button_get_use_underline (GTK_BUTTON (button)));

  /* The numbers of the settings, in E.164; the message as Ana, the first
   * in the segment, gets it. */
  numbers = find_row (GTK_WIDGET (dialog), "Your num_bers, separated by commas");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (numbers)), ==,
                   "+16505550199, +16505550198");
  spin_until (row_says (GTK_WIDGET (dialog), "As Ana Abbott, the first person in the segment who "
                        "gets it, would get it", "Doors at 10, Ana!")
              && gtk_widget_is_sensitive (button));

  /* A bad number is named with its place, and stops the test. */
  gtk_editable_set_text (GTK_EDITABLE (numbers), "+16505550199, 12");
  g_assert_true (turnout_test_shows_part (GTK_WIDGET (dialog),
                                          "Your numbers: number 2 of the list: “12”"));
  g_assert_false (gtk_widget_is_sensitive (button));

  /* Two numbers of the user's, and a third that is suppressed. */
  gtk_editable_set_text (GTK_EDITABLE (numbers), "+16505550199, +16505550198, +16505550197");
  g_assert_false (turnout_test_shows_part (GTK_WIDGET (dialog), "Your numbers:"));
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_widget_activate (button);
  spin_until (row_says (GTK_WIDGET (dialog), "+1 650-555-0199", "Sent (SM")
              && row_says (GTK_WIDGET (dialog), "+1 650-555-0198", "Sent (SM")
              && row_says (GTK_WIDGET (dialog), "+1 650-555-0197",
                           "+16505550197 is on the suppression list")
              && gtk_widget_is_sensitive (button));
  g_assert_true (row_says (GTK_WIDGET (dialog), "+1 650-555-0197",
                           "+16505550197 is on the suppression list (")
                 && g_str_has_suffix (adw_action_row_get_subtitle (
                                        find_row (GTK_WIDGET (dialog), "+1 650-555-0197")),
                                      "): Turnout sends it nothing"));

  /* Once each, with the text rendered for Ana; the id shown is Twilio's. */
  g_assert_cmpuint (turnout_fake_twilio_get_n_accepted (fake), ==, 2);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16505550199"), ==, 1);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16505550198"), ==, 1);
  g_assert_cmpuint (turnout_fake_twilio_count_to (fake, "+16505550197"), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TurnoutFakeMessage) message = turnout_fake_twilio_dup_accepted (fake, i);
      g_autofree char *shown = g_strdup_printf ("Sent (%s)", message->sid);
      g_autofree char *title = turnout_phone_format_display (message->to);

      g_assert_cmpstr (message->body, ==, "Doors at 10, Ana!");
      g_assert_true (row_says (GTK_WIDGET (dialog), title, shown));
    }
  /* Logged as one-offs: no campaign counts them, none was made. */
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM messages"
                                                          " WHERE campaign_id IS NULL"
                                                          " AND contact_id IS NULL"
                                                          " AND state = 'sent'"), ==, 2);
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM messages"), ==, 2);
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM campaigns"), ==, 0);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_until (dialog == NULL);
  fixture_tear_down (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *url = NULL;

  turnout_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  /* The fake Twilio's address, named while this process has no threads. */
  fake_port = turnout_fake_twilio_pick_port ();
  url = g_strdup_printf ("http://127.0.0.1:%u", fake_port);
  g_setenv ("TURNOUT_TWILIO_API_URL", url, TRUE);
  g_setenv ("TWILIO_ACCOUNT_SID", TURNOUT_FAKE_TWILIO_ACCOUNT_SID, TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", TURNOUT_FAKE_TWILIO_AUTH_TOKEN, TRUE);
  /* "Your time" in the dialog and the pane is UTC. */
  g_setenv ("TZ", "UTC", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/campaigns-pane/send", test_send);
  g_test_add_func ("/campaigns-pane/schedule", test_schedule);
  g_test_add_func ("/campaigns-pane/retry-completed", test_retry_completed);
  g_test_add_func ("/campaigns-pane/settle-unknown", test_settle_unknown);
  g_test_add_func ("/campaigns-pane/pages", test_pages);
  g_test_add_func ("/campaigns-pane/send-to-fake", test_send_to_fake);
  g_test_add_func ("/campaigns-pane/cap-and-quiet-hours", test_cap_and_quiet_hours);
  g_test_add_func ("/campaigns-pane/send-test", test_send_test);

  return g_test_run ();
}
