/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-segments-pane"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "turnout-clock.h"
#include "turnout-event.h"
#include "turnout-rule-condition.h"
#include "turnout-rule-group.h"
#include "turnout-segment-builder.h"
#include "turnout-segments.h"
#include "turnout-segments-pane.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-test-db.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/*
 * The Segments pane as a user meets it, standalone in a window: the saved
 * segments with their counts; choosing one shows its rules, its count and
 * its first contacts by name; building a segment from the palette and the
 * "Add Condition" menus, with the count following the edits and saying
 * what is missing; saving, refusing a taken name, renaming, duplicating,
 * and deleting one a campaign uses only after naming the campaign. The
 * builder alone: every field survives a load and a build unchanged, blocks
 * move by keyboard and by drops, and read as sentences. Runs under Xvfb;
 * every wait spins the main loop until a condition holds.
 */

/* 2026-05-01T12:00:00Z: the frozen clock of every test. */
#define NOW 1777636800
#define DAY 86400

/* Twenty-five contacts; Ana Ruiz attended Spring Rave (event 2) and is
 * registered for Warehouse Night (event 1, tomorrow), as is Ben Ode; a
 * saved segment "Regulars" (attended at least one event) that the campaign
 * "Summer Opening" uses. */
static TurnoutStore *
seeded_store (const char       *name,
              TurnoutSettings **settings)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (now);
  g_autofree char *path = turnout_test_tmp_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) sql = g_string_new (NULL);
  TurnoutStore *store;

  turnout_clock_set_default (clock);
  g_unlink (path);
  store = turnout_store_open (path, &error);
  g_assert_no_error (error);

  g_string_append_printf (sql,
    "INSERT INTO contacts (id, first_name, last_name, phone, email, city, created_at, updated_at)"
    " VALUES (1, 'Ana', 'Ruiz', '+16505550100', 'ana@example.com', 'Leeds', %d, %d),"
    "        (2, 'Ben', 'Ode', '+16505550101', NULL, 'York', %d, %d);",
    NOW, NOW, NOW, NOW);
  for (int i = 3; i <= 25; i++)
    g_string_append_printf (sql, "INSERT INTO contacts (id, first_name, last_name, created_at,"
                                 " updated_at) VALUES (%d, 'Fan', 'Zz%02d', %d, %d);",
                            i, i, NOW, NOW);
  g_string_append_printf (sql,
    "INSERT INTO events (id, name, starts_at, time_zone, created_at, updated_at)"
    " VALUES (1, 'Warehouse Night', %d, 'UTC', %d, %d),"
    "        (2, 'Spring Rave', %d, 'UTC', %d, %d);"
    "INSERT INTO registrations (contact_id, event_id, status, amount, created_at,"
    "                           confirmed_at, updated_at)"
    " VALUES (1, 1, 'registered', 2500, %d, %d, %d),"
    "        (2, 1, 'registered', 2500, %d, %d, %d),"
    "        (1, 2, 'attended', 2000, %d, %d, %d);"
    "INSERT INTO segments (name, rules, created_at, updated_at)"
    " VALUES ('Regulars', '{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":"
    "\"events_attended\",\"op\":\"gte\",\"value\":1}]}', %d, %d);"
    "INSERT INTO campaigns (name, channel, segment_id, created_at, updated_at)"
    " VALUES ('Summer Opening', 'sms', 1, %d, %d);",
    NOW + DAY, NOW, NOW, NOW - 10 * DAY, NOW, NOW,
    NOW - 20 * DAY, NOW - 20 * DAY, NOW, NOW - 20 * DAY, NOW - 20 * DAY, NOW,
    NOW - 30 * DAY, NOW - 30 * DAY, NOW, NOW, NOW, NOW, NOW);
  turnout_test_exec_sql (store, sql->str);

  *settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);
  return store;
}

/* The widgets ---------------------------------------------------------------- */

static gboolean
has_css_class (GtkWidget     *widget,
               gconstpointer  data)
{
  return gtk_widget_has_css_class (widget, data) && gtk_widget_get_mapped (widget);
}

static const char *
count_text (GtkWidget *pane)
{
  GtkWidget *label = find_widget (pane, has_css_class, "title-2");

  g_assert_nonnull (label);
  return gtk_label_get_text (GTK_LABEL (label));
}

/* The names in the sample, in the order shown, joined with ", ". */
static char *
sample_text (GtkWidget *pane)
{
  g_autoptr(GPtrArray) chips = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);

  collect_widgets (pane, has_css_class, "turnout-sample-chip", chips);
  for (guint i = 0; i < chips->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "",
                            gtk_label_get_text (GTK_LABEL (g_ptr_array_index (chips, i))));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
sample_is (GtkWidget  *pane,
           const char *expected)
{
  g_autofree char *text = sample_text (pane);

  return g_str_equal (text, expected);
}

static GtkEditable *
name_entry (GtkWidget *pane)
{
  return GTK_EDITABLE (find_type (pane, GTK_TYPE_ENTRY));
}

static gboolean
is_segment_list (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_LIST_BOX (widget) && gtk_widget_has_css_class (widget, "navigation-sidebar")
         && gtk_widget_get_first_child (widget) != NULL
         && ADW_IS_ACTION_ROW (gtk_widget_get_first_child (widget));
}

static void
choose_segment (GtkWidget  *pane,
                const char *name)
{
  GtkWidget *list = find_widget (pane, is_segment_list, NULL);

  g_assert_nonnull (list);
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name))
      {
        gtk_list_box_select_row (GTK_LIST_BOX (list), GTK_LIST_BOX_ROW (row));
        return;
      }
  g_error ("no segment row %s", name);
}

static gboolean
is_palette_row (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_LIST_BOX_ROW (widget)
         && g_strcmp0 (g_object_get_data (G_OBJECT (widget), "turnout-what"), data) == 0;
}

/* Presses Enter on a block of the palette. */
static void
activate_palette (GtkWidget  *root,
                  const char *what)
{
  GtkWidget *row = find_widget (root, is_palette_row, what);

  g_assert_nonnull (row);
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
}

static gboolean
holds_events (GtkWidget     *widget,
              gconstpointer  data)
{
  GListModel *model;

  if (!GTK_IS_DROP_DOWN (widget))
    return FALSE;
  model = gtk_drop_down_get_model (GTK_DROP_DOWN (widget));
  return model != NULL && g_list_model_get_item_type (model) == TURNOUT_TYPE_EVENT;
}

static void
choose_event (GtkWidget  *condition,
              const char *event_name)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (find_widget (condition, holds_events, NULL));
  GListModel *events;

  g_assert_nonnull (dropdown);
  events = gtk_drop_down_get_model (dropdown);
  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(GObject) event = g_list_model_get_item (events, i);
      g_autofree char *name = NULL;

      g_object_get (event, "name", &name, NULL);
      if (g_str_equal (name, event_name))
        {
          gtk_drop_down_set_selected (dropdown, i);
          return;
        }
    }
  g_error ("no event %s", event_name);
}

/* Answers a dialog as a click on its button would: responds, then closes. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static char *
stored_rules (TurnoutStore *store,
              const char   *name)
{
  g_autofree char *sql = g_strdup_printf ("SELECT rules FROM segments WHERE name = '%s'", name);

  return turnout_test_query_text (store, sql);
}

typedef struct
{
  TurnoutStore    *store;
  TurnoutSettings *settings;
  GtkWindow       *window;
  GtkWidget       *pane;     /* a reference of the test's own */
} Fixture;

static void
fixture_set_up (Fixture    *fixture,
                const char *db_name)
{
  fixture->store = seeded_store (db_name, &fixture->settings);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1200, 800);
  fixture->pane = g_object_ref (GTK_WIDGET (turnout_segments_pane_new ()));
  g_object_set (fixture->pane, "store", fixture->store, "settings", fixture->settings, NULL);
  gtk_window_set_child (fixture->window, fixture->pane);
  gtk_window_present (fixture->window);

  /* The saved segments, each with its count once made. */
  spin_until (turnout_test_shows (fixture->pane, "Regulars")
              && turnout_test_shows (fixture->pane, "1 contact")
              && find_widget (fixture->pane, has_css_class, "title-2") != NULL);
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

/* Tests ------------------------------------------------------------------------ */

static void
test_choose_and_build (void)
{
  Fixture fixture = { 0 };
  GtkWidget *pane, *condition;
  AdwMessageDialog *dialog;
  g_autofree char *rules = NULL;

  fixture_set_up (&fixture, "build.db");
  pane = fixture.pane;

  /* A new segment starts as everyone: the first 20 by name. */
  g_assert_cmpstr (count_text (pane), ==, "25 contacts");
  spin_until (sample_is (pane, "Ben Ode, Ana Ruiz, Fan Zz03, Fan Zz04, Fan Zz05, Fan Zz06, "
                               "Fan Zz07, Fan Zz08, Fan Zz09, Fan Zz10, Fan Zz11, Fan Zz12, "
                               "Fan Zz13, Fan Zz14, Fan Zz15, Fan Zz16, Fan Zz17, Fan Zz18, "
                               "Fan Zz19, Fan Zz20"));

  /* Choosing a saved one shows its name, rules, count and people. */
  choose_segment (pane, "Regulars");
  g_assert_cmpstr (gtk_editable_get_text (name_entry (pane)), ==, "Regulars");
  spin_until (g_str_equal (count_text (pane), "1 contact") && sample_is (pane, "Ana Ruiz"));
  condition = find_type (pane, TURNOUT_TYPE_RULE_CONDITION);
  g_assert_nonnull (condition);
  {
    g_autofree char *sentence = turnout_rule_condition_dup_sentence (TURNOUT_RULE_CONDITION (condition));
    g_assert_cmpstr (sentence, ==, "Events attended is at least 1");
  }

  /* Edits not saved are only thrown away when the user says so. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_type (condition, GTK_TYPE_SPIN_BUTTON)), 3);
  spin_until (g_str_equal (count_text (pane), "0 contacts")
              && turnout_test_shows (pane, "No contact matches these conditions."));
  gtk_widget_activate_action (pane, "segments.new", NULL);
  spin_until ((dialog = (AdwMessageDialog *) turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG))
              != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Discard Changes to “Regulars”?");
  respond (dialog, "cancel");
  spin_until (turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_cmpstr (gtk_editable_get_text (name_entry (pane)), ==, "Regulars");
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (find_type (condition,
                                                                            GTK_TYPE_SPIN_BUTTON))),
                     ==, 3);

  /* A new one from the palette: incomplete until its event is chosen,
   * and the count says what is missing. */
  gtk_widget_activate_action (pane, "segments.new", NULL);
  spin_until ((dialog = (AdwMessageDialog *) turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG))
              != NULL);
  respond (dialog, "discard");
  spin_until (turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_cmpstr (gtk_editable_get_text (name_entry (pane)), ==, "");
  activate_palette (pane, "condition:registered_for");
  spin_until (g_str_equal (count_text (pane), "Not complete")
              && turnout_test_shows (pane, "Choose the event for “Registered for”"));
  g_assert_true (sample_is (pane, ""));
  condition = find_type (pane, TURNOUT_TYPE_RULE_CONDITION);
  choose_event (condition, "Warehouse Night");
  spin_until (g_str_equal (count_text (pane), "2 contacts") && sample_is (pane, "Ben Ode, Ana Ruiz"));

  /* Saving needs a name; with one, it is listed with its count, and the
   * rules are stored. */
  gtk_widget_activate_action (pane, "segments.save", NULL);
  turnout_test_spin_for (200);
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM segments"), ==, 1);
  gtk_editable_set_text (name_entry (pane), "Warehouse crowd");
  gtk_widget_activate_action (pane, "segments.save", NULL);
  spin_until (turnout_test_shows (pane, "Warehouse crowd") && turnout_test_shows (pane, "2 contacts")
              && turnout_test_shows_part (GTK_WIDGET (fixture.window), "Saved “Warehouse crowd”"));
  rules = stored_rules (fixture.store, "Warehouse crowd");
  g_assert_cmpstr (rules, ==, "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":"
                              "\"registered_for\",\"op\":\"is\",\"value\":1}]}");

  /* A new segment can't take a saved one's name: said, nothing written. */
  gtk_widget_activate_action (pane, "segments.new", NULL);
  gtk_editable_set_text (name_entry (pane), "Regulars");
  gtk_widget_activate_action (pane, "segments.save", NULL);
  spin_until (turnout_test_shows_part (GTK_WIDGET (fixture.window),
                                       "A segment called “Regulars” already exists"));
  g_clear_pointer (&rules, g_free);
  rules = stored_rules (fixture.store, "Regulars");
  g_assert_cmpstr (rules, ==, "{\"version\":1,\"match\":\"all\",\"rules\":[{\"field\":"
                              "\"events_attended\",\"op\":\"gte\",\"value\":1}]}");
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM segments"), ==, 2);

  fixture_tear_down (&fixture);
}

static void
test_rename_duplicate_delete (void)
{
  Fixture fixture = { 0 };
  GtkWidget *pane;
  AdwMessageDialog *dialog;

  fixture_set_up (&fixture, "manage.db");
  pane = fixture.pane;

  /* Renaming is editing the name and saving: the same row, the same id. */
  choose_segment (pane, "Regulars");
  spin_until (g_str_equal (count_text (pane), "1 contact"));
  g_assert_true (gtk_widget_activate_action (pane, "segments.rename", NULL));
  gtk_editable_set_text (name_entry (pane), "Regular crowd");
  gtk_widget_activate_action (pane, "segments.save", NULL);
  spin_until (turnout_test_shows (pane, "Regular crowd") && !turnout_test_shows (pane, "Regulars"));
  g_assert_cmpint (turnout_test_query_int (fixture.store,
                                           "SELECT id FROM segments WHERE name = 'Regular crowd'"),
                   ==, 1);

  /* Duplicating saves a copy under a free name. */
  gtk_widget_activate_action (pane, "segments.duplicate", NULL);
  spin_until (turnout_test_shows (pane, "Regular crowd (copy)"));
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM segments"), ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (name_entry (pane)), ==, "Regular crowd (copy)");

  /* Deleting one a campaign uses names the campaign and asks first. */
  choose_segment (pane, "Regular crowd");
  spin_until (g_str_equal (gtk_editable_get_text (name_entry (pane)), "Regular crowd"));
  gtk_widget_activate_action (pane, "segments.delete", NULL);
  spin_until ((dialog = (AdwMessageDialog *) turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG))
              != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete “Regular crowd”?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog),
                            "It is used by the campaign “Summer Opening”."));
  respond (dialog, "cancel");
  turnout_test_spin_for (200);
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM segments"), ==, 2);

  gtk_widget_activate_action (pane, "segments.delete", NULL);
  spin_until ((dialog = (AdwMessageDialog *) turnout_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG))
              != NULL);
  respond (dialog, "delete");
  spin_until (!turnout_test_shows (pane, "Regular crowd"));
  g_assert_cmpint (turnout_test_query_int (fixture.store, "SELECT count (*) FROM segments"), ==, 1);
  g_assert_cmpint (turnout_test_query_int (fixture.store,
                                           "SELECT count (*) FROM campaigns WHERE segment_id IS NULL"),
                   ==, 1);

  fixture_tear_down (&fixture);
}

/* The builder alone ------------------------------------------------------------ */

/* Every field and every kind of value, nested: what is loaded is what is
 * built back, character for character. */
#define EVERY_FIELD \
  "{\"version\":1,\"match\":\"any\",\"rules\":[" \
  "{\"field\":\"tags\",\"op\":\"all\",\"value\":[\"techno\",\"VIP\"]}," \
  "{\"field\":\"events_attended\",\"op\":\"between\",\"value\":[2,5]}," \
  "{\"field\":\"total_spend\",\"op\":\"gte\",\"value\":12550}," \
  "{\"field\":\"first_event\",\"op\":\"before\",\"value\":\"2025-12-31\"}," \
  "{\"field\":\"last_event\",\"op\":\"more_than_days_ago\",\"value\":90}," \
  "{\"field\":\"created\",\"op\":\"within_days\",\"value\":7}," \
  "{\"match\":\"none\",\"rules\":[" \
  "{\"field\":\"registered_for\",\"op\":\"is\",\"value\":1,\"status\":\"cancelled\"}," \
  "{\"field\":\"attended\",\"op\":\"is\",\"value\":2}," \
  "{\"field\":\"upcoming_registration\",\"op\":\"any\"}," \
  "{\"match\":\"all\",\"rules\":[" \
  "{\"field\":\"upcoming_registration\",\"op\":\"within_days\",\"value\":14}," \
  "{\"field\":\"cancelled_registration\",\"op\":\"within_days\",\"value\":30}]}]}," \
  "{\"field\":\"confirmed_registration\",\"op\":\"within_days\",\"value\":3}," \
  "{\"field\":\"city\",\"op\":\"is_not\",\"value\":\"Leeds\"}," \
  "{\"field\":\"time_zone\",\"op\":\"is\",\"value\":\"Europe/London\"}," \
  "{\"field\":\"sms_consent\",\"op\":\"is\",\"value\":\"opted_out\"}," \
  "{\"field\":\"email_consent\",\"op\":\"is_not\",\"value\":\"unknown\"}," \
  "{\"field\":\"has_phone\",\"op\":\"is\",\"value\":false}," \
  "{\"field\":\"has_email\",\"op\":\"is\",\"value\":true}," \
  "{\"field\":\"in_segment\",\"op\":\"is\",\"value\":\"Regulars\"}]}"

static TurnoutSegmentBuilder *
builder_in_window (GtkWindow **window)
{
  TurnoutSegmentBuilder *builder = TURNOUT_SEGMENT_BUILDER (turnout_segment_builder_new ());
  const char *names[] = { "Regulars", "Locals", NULL };
  const char *tags[] = { "house", "techno", "VIP", NULL };

  *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (*window, 1000, 800);
  gtk_window_set_child (*window, GTK_WIDGET (builder));
  turnout_segment_builder_set_segment_names (builder, names);
  turnout_segment_builder_set_tags (builder, tags);
  gtk_window_present (*window);
  return g_object_ref (builder);
}

static char *
built_json (TurnoutSegmentBuilder *builder,
            char                 **problem)
{
  g_autoptr(TurnoutSegment) segment = turnout_segment_builder_dup_segment (builder, problem);

  return segment != NULL ? turnout_segment_to_json (segment) : NULL;
}

static TurnoutRuleGroup *
root_group (TurnoutSegmentBuilder *builder)
{
  return TURNOUT_RULE_GROUP (find_type (GTK_WIDGET (builder), TURNOUT_TYPE_RULE_GROUP));
}

static GtkDropTarget *
drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

/* Drops @what (a string from the palette, or a block) on @group, at @y. */
static gboolean
drop (GtkWidget *group,
      GType      type,
      gpointer   what,
      double     y)
{
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  g_value_init (&value, type);
  if (type == G_TYPE_STRING)
    g_value_set_string (&value, what);
  else
    g_value_set_object (&value, what);
  g_signal_emit_by_name (drop_target (group), "drop", &value, 0.0, y, &accepted);
  g_value_unset (&value);
  return accepted;
}

static void
count_change (guint *changes)
{
  (*changes)++;
}

static void
test_builder (void)
{
  GtkWindow *window = NULL;
  g_autoptr(TurnoutSegmentBuilder) builder = builder_in_window (&window);
  g_autoptr(TurnoutSegment) every = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *problem = NULL;
  TurnoutRuleGroup *root, *inner;
  GtkWidget *city, *email;
  guint changes = 0;
  const char * const *fields = turnout_segment_list_fields ();
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (builder)));

  /* Every field of the rule language is in the palette, named, with an
   * icon the theme has. */
  for (guint i = 0; fields[i] != NULL; i++)
    {
      g_autofree char *what = g_strconcat ("condition:", fields[i], NULL);

      g_assert_nonnull (find_widget (GTK_WIDGET (builder), is_palette_row, what));
      g_assert_cmpstr (turnout_segment_builder_field_label (fields[i]), !=, fields[i]);
      g_assert_true (gtk_icon_theme_has_icon (theme, turnout_segment_builder_field_icon (fields[i])));
    }

  /* Loading is not an edit; every value comes back as it went in (the
   * events named are kept by id while the list of events is not there). */
  g_signal_connect_swapped (builder, "changed", G_CALLBACK (count_change), &changes);
  every = turnout_segment_new_from_json (EVERY_FIELD, &error);
  g_assert_no_error (error);
  turnout_segment_builder_set_segment (builder, every);
  json = built_json (builder, &problem);
  g_assert_null (problem);
  g_assert_cmpstr (json, ==, EVERY_FIELD);
  g_clear_pointer (&json, g_free);
  g_assert_cmpuint (changes, ==, 0);

  /* From the keyboard: the root's Add Condition menu, a group, and the
   * Alt+↑ move out of a group. */
  turnout_segment_builder_set_segment (builder, NULL);
  root = root_group (builder);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (root), "group.add-condition", "s", "city"));
  g_assert_cmpuint (changes, >, 0);
  city = turnout_rule_group_get_rule (root, 0);
  g_assert_true (TURNOUT_IS_RULE_CONDITION (city));
  json = built_json (builder, &problem);
  g_assert_null (json);
  g_assert_cmpstr (problem, ==, "Fill in “City”");
  g_clear_pointer (&problem, g_free);
  gtk_editable_set_text (GTK_EDITABLE (find_type (city, GTK_TYPE_ENTRY)), "Leeds");
  {
    g_autofree char *sentence = turnout_rule_condition_dup_sentence (TURNOUT_RULE_CONDITION (city));
    g_assert_cmpstr (sentence, ==, "City is Leeds");
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (root), "group.add-group", NULL));
  inner = TURNOUT_RULE_GROUP (turnout_rule_group_get_rule (root, 1));
  turnout_rule_group_set_match (inner, "none");
  email = turnout_rule_group_add_condition (inner, "has_email");
  json = built_json (builder, NULL);
  g_assert_cmpstr (json, ==, "{\"version\":1,\"match\":\"all\",\"rules\":["
                             "{\"field\":\"city\",\"op\":\"is\",\"value\":\"Leeds\"},"
                             "{\"match\":\"none\",\"rules\":[{\"field\":\"has_email\",\"op\":\"is\","
                             "\"value\":true}]}]}");
  g_clear_pointer (&json, g_free);
  g_assert_true (gtk_widget_activate_action (email, "rule.move-up", NULL));
  g_assert_true (turnout_rule_group_get_rule (root, 1) == email);
  g_assert_cmpuint (turnout_rule_group_get_n_rules (inner), ==, 0);
  g_assert_true (gtk_widget_activate_action (city, "rule.move-down", NULL));
  g_assert_true (turnout_rule_group_get_rule (root, 1) == city);
  g_assert_true (turnout_rule_group_get_rule (root, 0) == email);

  /* By dragging: a block into a group, a palette block at a place, and
   * never a group into itself. */
  turnout_test_spin_for (100);
  g_assert_true (drop (GTK_WIDGET (inner), GTK_TYPE_WIDGET, city, 0));
  g_assert_true (turnout_rule_group_get_rule (inner, 0) == city);
  g_assert_true (drop (GTK_WIDGET (root), G_TYPE_STRING, "condition:tags", 0));
  g_assert_true (TURNOUT_IS_RULE_CONDITION (turnout_rule_group_get_rule (root, 0)));
  g_assert_cmpstr (turnout_rule_condition_get_field (TURNOUT_RULE_CONDITION (
                     turnout_rule_group_get_rule (root, 0))), ==, "tags");
  g_assert_false (drop (GTK_WIDGET (inner), GTK_TYPE_WIDGET, inner, 0));
  g_assert_false (drop (GTK_WIDGET (root), G_TYPE_STRING, "condition:no_such_field", 0));
  json = built_json (builder, &problem);
  g_assert_null (json);
  g_assert_cmpstr (problem, ==, "Type at least one tag or genre");
  g_clear_pointer (&problem, g_free);

  /* Removing from the keyboard. */
  g_assert_true (gtk_widget_activate_action (turnout_rule_group_get_rule (root, 0), "rule.remove",
                                             NULL));
  json = built_json (builder, NULL);
  g_assert_cmpstr (json, ==, "{\"version\":1,\"match\":\"all\",\"rules\":["
                             "{\"field\":\"has_email\",\"op\":\"is\",\"value\":true},"
                             "{\"match\":\"none\",\"rules\":[{\"field\":\"city\",\"op\":\"is\","
                             "\"value\":\"Leeds\"}]}]}");

  g_signal_handlers_disconnect_by_func (builder, count_change, &changes);
  gtk_window_destroy (window);
  turnout_test_finalize_object (g_steal_pointer (&builder));
}

int
main (int   argc,
      char *argv[])
{
  turnout_test_init (&argc, &argv);
  /* The labels are checked as written in English. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/segments-pane/choose-and-build", test_choose_and_build);
  g_test_add_func ("/segments-pane/rename-duplicate-delete", test_rename_duplicate_delete);
  g_test_add_func ("/segments-pane/builder", test_builder);

  return g_test_run ();
}
