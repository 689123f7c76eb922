/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-event-editor"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "turnout-event-editor.h"
#include "turnout-events.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * The dialog that creates or edits an event. Dates and times are typed as
 * the venue's clocks show them (2026-05-02, 22:00) and read in the event's
 * time zone; an end time earlier than the start is the next morning, the
 * usual night out, so only events over several days need an end date.
 * Every change is checked at once: a row with a problem turns red and the
 * problem is said below its group, but only once the user has touched that
 * row (an empty new form is not a list of errors). Save stays off until
 * everything is right; a preview shows the start and end as they will be
 * stored.
 */

struct _TurnoutEventEditor
{
  AdwWindow         parent_instance;

  TurnoutStore     *store;               /* owned, nullable */
  TurnoutSettings  *settings;            /* owned, nullable */
  TurnoutEvent     *event;               /* owned: the copy edited */
  GCancellable     *cancellable;         /* owned */
  GHashTable       *touched;             /* rows the user edited */
  gboolean          filling;             /* rows are being filled, not edited */
  gboolean          showing_day;         /* a calendar shows the row's day */
  gboolean          saving;
  gboolean          valid;

  AdwToastOverlay  *toast_overlay;       /* template child */
  GtkButton        *save_button;         /* template child */
  AdwEntryRow      *name_row;            /* template child */
  AdwEntryRow      *venue_row;           /* template child */
  AdwEntryRow      *city_row;            /* template child */
  AdwEntryRow      *genres_row;          /* template child */
  GtkMenuButton    *genres_button;       /* template child */
  GtkFlowBox       *genres_box;          /* template child */
  AdwActionRow     *details_error_row;   /* template child */
  AdwEntryRow      *date_row;            /* template child */
  GtkPopover       *date_popover;        /* template child */
  GtkCalendar      *date_calendar;       /* template child */
  AdwEntryRow      *start_row;           /* template child */
  AdwEntryRow      *end_row;             /* template child */
  AdwEntryRow      *end_date_row;        /* template child */
  GtkPopover       *end_date_popover;    /* template child */
  GtkCalendar      *end_date_calendar;   /* template child */
  AdwEntryRow      *zone_row;            /* template child */
  AdwPreferencesGroup *when_group;       /* template child */
  AdwActionRow     *when_error_row;      /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutEventEditor, turnout_event_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_EVENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Parsing what was typed ------------------------------------------------- */

typedef struct
{
  int year;
  int month;
  int day;
} Date;

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static char *
dup_trimmed (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (row_text (row)));
}

/* "2026-05-02"; a single-digit month or day is fine too. */
static gboolean
parse_date (const char *text,
            Date       *date)
{
  int consumed = 0;

  if (sscanf (text, "%4d-%2d-%2d%n", &date->year, &date->month, &date->day, &consumed) != 3 ||
      text[consumed] != '\0')
    return FALSE;
  return date->year >= 1971 && date->year <= 9999 &&
         g_date_valid_dmy (date->day, date->month, date->year);
}

/* "22:00", "9:30", or just "22". */
static gboolean
parse_clock (const char *text,
             int        *hour,
             int        *minute)
{
  int consumed = 0;

  *minute = 0;
  if (sscanf (text, "%2d:%2d%n", hour, minute, &consumed) != 2 || text[consumed] != '\0')
    {
      consumed = 0;
      if (sscanf (text, "%2d%n", hour, &consumed) != 1 || text[consumed] != '\0')
        return FALSE;
    }
  return *hour >= 0 && *hour <= 23 && *minute >= 0 && *minute <= 59;
}

static gint64
to_unix (GTimeZone  *zone,
         const Date *date,
         int         hour,
         int         minute,
         int         add_days)
{
  g_autoptr(GDateTime) local = g_date_time_new (zone, date->year, date->month, date->day,
                                                hour, minute, 0);
  g_autoptr(GDateTime) moved = NULL;

  if (local == NULL)
    return 0;
  /* Adding days to the local time keeps the clock time across a change
   * to or from summer time. */
  moved = g_date_time_add_days (local, add_days);
  return moved != NULL ? g_date_time_to_unix (moved) : 0;
}

static void
append_problem (GString    *problems,
                const char *problem)
{
  if (problems->len > 0)
    g_string_append_c (problems, '\n');
  g_string_append (problems, problem);
}

/* Marks the row and, once the user has touched it, says what is wrong. */
static void
show_row_problem (TurnoutEventEditor *self,
                  AdwEntryRow        *row,
                  GString            *problems,
                  const char         *problem)
{
  gboolean show = problem != NULL && g_hash_table_contains (self->touched, row);

  if (show)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      append_problem (problems, problem);
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), show ? problem : NULL);
}

/* The problems show in a row of their own right under the rows at fault,
 * where the eye already is, rather than at the foot of a long form. */
static void
set_problems (AdwActionRow *row,
              GString      *problems)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), problems->str);
  gtk_widget_set_visible (GTK_WIDGET (row), problems->len > 0);
}

static void
update_actions (TurnoutEventEditor *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save",
                                 self->valid && !self->saving && self->store != NULL);
}

/* Reads every row into self->event and shows what is wrong. */
static void
check (TurnoutEventEditor *self)
{
  g_autoptr(GString) details = g_string_new (NULL);
  g_autoptr(GString) when = g_string_new (NULL);
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = dup_trimmed (self->name_row);
  g_autofree char *date_text = dup_trimmed (self->date_row);
  g_autofree char *start_text = dup_trimmed (self->start_row);
  g_autofree char *end_text = dup_trimmed (self->end_row);
  g_autofree char *end_date_text = dup_trimmed (self->end_date_row);
  g_autofree char *zone_text = dup_trimmed (self->zone_row);
  g_autofree char *name_problem = NULL;
  g_autofree char *date_problem = NULL;
  g_autofree char *start_problem = NULL;
  g_autofree char *end_problem = NULL;
  g_autofree char *end_date_problem = NULL;
  g_autofree char *zone_problem = NULL;
  g_autofree char *order_problem = NULL;
  Date date = { 0 }, end_date = { 0 };
  int start_hour = 0, start_minute = 0, end_hour = 0, end_minute = 0;
  gboolean has_date, has_start, has_end = FALSE, has_end_date = FALSE;
  gint64 starts_at = 0, ends_at = 0;

  if (*date_text == '\0')
    date_problem = g_strdup (_("Give the date of the event, as 2026-05-02."));
  else if (!parse_date (date_text, &date))
    date_problem = g_strdup_printf (_("“%s” is not a date. Write it as 2026-05-02."), date_text);
  has_date = date_problem == NULL;

  if (*start_text == '\0')
    start_problem = g_strdup (_("Give the time the event starts, as 22:00."));
  else if (!parse_clock (start_text, &start_hour, &start_minute))
    start_problem = g_strdup_printf (_("“%s” is not a time of day. Write the start as 22:00."),
                                     start_text);
  has_start = start_problem == NULL;

  if (*end_text != '\0' && !(has_end = parse_clock (end_text, &end_hour, &end_minute)))
    end_problem = g_strdup_printf (_("“%s” is not a time of day. Write the end as 04:00, or "
                                     "leave it empty."), end_text);
  if (*end_date_text != '\0')
    {
      if (!(has_end_date = parse_date (end_date_text, &end_date)))
        end_date_problem = g_strdup_printf (_("“%s” is not a date. Write the end date as "
                                              "2026-05-03, or leave it empty."), end_date_text);
      else if (*end_text == '\0')
        end_date_problem = g_strdup_printf (_("Give the time the event ends on %s, or clear "
                                              "the end date."), end_date_text);
    }

  if (*zone_text == '\0')
    zone_problem = g_strdup (_("Give the venue’s time zone, such as Europe/Berlin."));
  else if (!turnout_time_zone_is_valid (zone_text))
    zone_problem = g_strdup_printf (_("“%s” is not a time zone. Use a name such as "
                                      "Europe/Berlin or America/New_York."), zone_text);
  else
    zone = turnout_time_zone_new (zone_text);

  if (zone != NULL && has_date && has_start)
    {
      starts_at = to_unix (zone, &date, start_hour, start_minute, 0);
      if (has_end && has_end_date)
        ends_at = to_unix (zone, &end_date, end_hour, end_minute, 0);
      else if (has_end && *end_date_text == '\0')
        {
          /* 22:00 – 04:00 is a night: the end is the next morning. */
          ends_at = to_unix (zone, &date, end_hour, end_minute, 0);
          if (ends_at <= starts_at)
            ends_at = to_unix (zone, &date, end_hour, end_minute, 1);
        }
    }

  turnout_event_set_name (self->event, name);
  turnout_event_set_venue (self->event, row_text (self->venue_row));
  turnout_event_set_city (self->event, row_text (self->city_row));
  turnout_event_set_genres_text (self->event, row_text (self->genres_row));
  turnout_event_set_time_zone (self->event, zone_text);
  turnout_event_set_starts_at (self->event, starts_at);
  turnout_event_set_ends_at (self->event, ends_at);

  /* What the rows cannot say alone: the name, and an end before the start.
   * The store's rules stop at the first problem; a missing name must not
   * hide a wrong end, so the times are checked again under any name. */
  if (!turnout_event_validate (self->event, &error))
    {
      if (g_error_matches (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NO_NAME))
        {
          g_autoptr(TurnoutEvent) probe = turnout_event_copy (self->event);
          g_autoptr(GError) times_error = NULL;

          name_problem = g_strdup (error->message);
          turnout_event_set_name (probe, "-");
          if (!turnout_event_validate (probe, &times_error) &&
              g_error_matches (times_error, TURNOUT_EVENT_ERROR,
                               TURNOUT_EVENT_ERROR_END_BEFORE_START))
            order_problem = g_strdup (times_error->message);
        }
      else if (g_error_matches (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_END_BEFORE_START))
        order_problem = g_strdup (error->message);
    }
  self->valid = name_problem == NULL && date_problem == NULL && start_problem == NULL &&
                end_problem == NULL && end_date_problem == NULL && zone_problem == NULL &&
                error == NULL;

  show_row_problem (self, self->name_row, details, name_problem);
  show_row_problem (self, self->date_row, when, date_problem);
  show_row_problem (self, self->start_row, when, start_problem);
  show_row_problem (self, self->end_row, when, end_problem);
  show_row_problem (self, self->end_date_row, when, end_date_problem);
  show_row_problem (self, self->zone_row, when, zone_problem);
  /* An end before the start is the fault of whichever of the four rows
   * was typed last: say it once any of them was touched, and mark the
   * end, which is what to change. */
  if (order_problem != NULL &&
      (g_hash_table_contains (self->touched, self->date_row) ||
       g_hash_table_contains (self->touched, self->start_row) ||
       g_hash_table_contains (self->touched, self->end_row) ||
       g_hash_table_contains (self->touched, self->end_date_row)))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->end_row), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->end_date_row), "error");
      append_problem (when, order_problem);
    }
  set_problems (self->details_error_row, details);
  set_problems (self->when_error_row, when);

  /* Once the times can be read, the group says how they were read, in
   * words; until then, how to write them. */
  if (starts_at != 0 && end_problem == NULL && order_problem == NULL && zone != NULL)
    {
      g_autofree char *preview = turnout_event_dup_when_label (self->event);

      adw_preferences_group_set_description (self->when_group, preview);
    }
  else
    adw_preferences_group_set_description (self->when_group,
                                           _("As the venue’s clocks show them: dates as "
                                             "2026-05-02, times as 22:00. An end earlier than "
                                             "the start is the next morning."));

  update_actions (self);
}

/* Filling the rows ------------------------------------------------------- */

static void
set_row_text (AdwEntryRow *row,
              const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static char *
dup_default_zone (TurnoutEventEditor *self)
{
  g_autoptr(GTimeZone) local = NULL;
  const char *identifier;

  if (self->settings != NULL)
    {
      g_autofree char *zone = turnout_settings_dup_string (self->settings,
                                                           "contacts.default_time_zone");

      if (turnout_time_zone_is_valid (zone))
        return g_steal_pointer (&zone);
    }

  local = g_time_zone_new_local ();
  identifier = g_time_zone_get_identifier (local);
  return g_strdup (turnout_time_zone_is_valid (identifier) ? identifier : "UTC");
}

static void
fill_rows (TurnoutEventEditor *self)
{
  TurnoutEvent *event = self->event;
  g_autofree char *genres = turnout_event_dup_genres_text (event);
  g_autoptr(GTimeZone) zone = turnout_time_zone_new (turnout_event_get_time_zone (event));
  gint64 starts_at = turnout_event_get_starts_at (event);
  gint64 ends_at = turnout_event_get_ends_at (event);

  self->filling = TRUE;
  set_row_text (self->name_row, turnout_event_get_name (event));
  set_row_text (self->venue_row, turnout_event_get_venue (event));
  set_row_text (self->city_row, turnout_event_get_city (event));
  set_row_text (self->genres_row, genres);
  set_row_text (self->zone_row, turnout_event_get_time_zone (event));

  if (starts_at != 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (starts_at);
      g_autoptr(GDateTime) start = g_date_time_to_timezone (utc, zone);
      g_autofree char *date = g_date_time_format (start, "%Y-%m-%d");
      g_autofree char *clock = g_date_time_format (start, "%H:%M");

      set_row_text (self->date_row, date);
      set_row_text (self->start_row, clock);

      if (ends_at > starts_at)
        {
          g_autoptr(GDateTime) end_utc = g_date_time_new_from_unix_utc (ends_at);
          g_autoptr(GDateTime) end = g_date_time_to_timezone (end_utc, zone);
          g_autofree char *end_clock = g_date_time_format (end, "%H:%M");
          g_autofree char *end_date = g_date_time_format (end, "%Y-%m-%d");
          Date day = { g_date_time_get_year (start), g_date_time_get_month (start),
                       g_date_time_get_day_of_month (start) };
          int hour = g_date_time_get_hour (end), minute = g_date_time_get_minute (end);
          gint64 same_night = to_unix (zone, &day, hour, minute, 0);

          if (same_night <= starts_at)
            same_night = to_unix (zone, &day, hour, minute, 1);
          set_row_text (self->end_row, end_clock);
          /* Only an end the "same night" rule would not give needs its date. */
          if (same_night != ends_at - g_date_time_get_second (end))
            set_row_text (self->end_date_row, end_date);
        }
    }
  self->filling = FALSE;
}

/* Genres used before ----------------------------------------------------- */

static void
on_genre_button_clicked_cb (TurnoutEventEditor *self,
                            GtkButton          *button)
{
  const char *genre = gtk_button_get_label (button);
  g_auto(GStrv) genres = turnout_split_genres (row_text (self->genres_row));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *folded = g_utf8_casefold (genre, -1);
  g_auto(GStrv) joined = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; genres[i] != NULL; i++)
    {
      g_autofree char *other = g_utf8_casefold (genres[i], -1);

      if (g_str_equal (other, folded))
        return;
      g_strv_builder_add (builder, genres[i]);
    }
  g_strv_builder_add (builder, genre);
  joined = g_strv_builder_end (builder);
  text = g_strjoinv (", ", joined);
  g_hash_table_add (self->touched, self->genres_row);
  set_row_text (self->genres_row, text);
  gtk_editable_set_position (GTK_EDITABLE (self->genres_row), -1);
}

static void
on_genres_listed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TurnoutEventEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) genres = turnout_events_list_genres_finish (TURNOUT_STORE (source), result,
                                                            &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (genres == NULL)
    {
      /* Suggestions only: typing genres still works. */
      g_warning ("Could not list the genres: %s", error->message);
      return;
    }

  for (guint i = 0; genres[i] != NULL; i++)
    {
      GtkWidget *button = gtk_button_new_with_label (genres[i]);

      gtk_widget_add_css_class (button, "flat");
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_genre_button_clicked_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_flow_box_append (self->genres_box, button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->genres_button), genres[0] != NULL);
}

/* Callbacks --------------------------------------------------------------- */

static void
on_row_changed_cb (TurnoutEventEditor *self,
                   GtkEditable        *row)
{
  if (self->filling)
    return;
  g_hash_table_add (self->touched, row);
  check (self);
}

static void
on_row_entry_activated_cb (TurnoutEventEditor *self)
{
  AdwEntryRow *rows[] = { self->name_row, self->date_row, self->start_row, self->end_row,
                          self->end_date_row, self->zone_row };

  /* Enter in any row saves, as in a dialog, once everything is right;
   * before that, it says everything that is still wrong. */
  if (self->valid)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "editor.save", NULL);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_hash_table_add (self->touched, rows[i]);
  check (self);
}

static void
select_calendar_day (TurnoutEventEditor *self,
                     GtkCalendar        *calendar,
                     AdwEntryRow        *row,
                     AdwEntryRow        *fallback)
{
  g_autofree char *text = dup_trimmed (row);
  Date date;

  if (!parse_date (text, &date))
    {
      g_free (text);
      text = dup_trimmed (fallback);
    }
  if (parse_date (text, &date))
    {
      g_autoptr(GDateTime) day = g_date_time_new_local (date.year, date.month, date.day, 0, 0, 0);

      /* Selecting emits day-selected, which is not the user's choice. */
      self->showing_day = TRUE;
      if (day != NULL)
        gtk_calendar_select_day (calendar, day);
      self->showing_day = FALSE;
    }
}

static void
on_date_popover_show_cb (TurnoutEventEditor *self)
{
  select_calendar_day (self, self->date_calendar, self->date_row, self->date_row);
}

static void
on_end_date_popover_show_cb (TurnoutEventEditor *self)
{
  select_calendar_day (self, self->end_date_calendar, self->end_date_row, self->date_row);
}

static void
take_calendar_day (TurnoutEventEditor *self,
                   GtkCalendar        *calendar,
                   AdwEntryRow        *row,
                   GtkPopover         *popover)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (calendar);
  g_autofree char *text = g_date_time_format (day, "%Y-%m-%d");

  if (self->showing_day)
    return;
  set_row_text (row, text);
  gtk_popover_popdown (popover);
}

static void
on_date_calendar_day_selected_cb (TurnoutEventEditor *self)
{
  take_calendar_day (self, self->date_calendar, self->date_row, self->date_popover);
}

static void
on_end_date_calendar_day_selected_cb (TurnoutEventEditor *self)
{
  take_calendar_day (self, self->end_date_calendar, self->end_date_row, self->end_date_popover);
}

static void
add_toast (TurnoutEventEditor *self,
           const char         *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
on_event_saved_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TurnoutEventEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = turnout_events_save_finish (TURNOUT_STORE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->saving = FALSE;
  if (id == 0)
    {
      g_autofree char *message = g_strdup_printf (_("The event was not saved. %s"),
                                                  error->message);

      add_toast (self, message);
      update_actions (self);
      return;
    }

  turnout_event_set_id (self->event, id);
  g_signal_emit (self, signals[SAVED], 0, id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
turnout_event_editor_save_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  TurnoutEventEditor *self = TURNOUT_EVENT_EDITOR (widget);

  check (self);
  if (!self->valid || self->saving || self->store == NULL)
    return;

  self->saving = TRUE;
  update_actions (self);
  turnout_events_save_async (self->store, self->event, self->cancellable, on_event_saved_cb,
                             g_object_ref (self));
}

/* GObject ---------------------------------------------------------------- */

static void
turnout_event_editor_constructed (GObject *object)
{
  TurnoutEventEditor *self = TURNOUT_EVENT_EDITOR (object);
  gboolean is_new;

  G_OBJECT_CLASS (turnout_event_editor_parent_class)->constructed (object);

  is_new = self->event == NULL || turnout_event_get_id (self->event) == 0;
  if (self->event == NULL)
    {
      g_autofree char *zone = dup_default_zone (self);

      self->event = turnout_event_new ();
      turnout_event_set_time_zone (self->event, zone);
    }
  gtk_window_set_title (GTK_WINDOW (self), is_new ? _("New Event") : _("Edit Event"));

  fill_rows (self);
  /* A stored event that breaks the rules (an old import, say) shows its
   * problems at once; a new one waits for the user. */
  if (!is_new)
    {
      AdwEntryRow *rows[] = { self->name_row, self->date_row, self->start_row, self->end_row,
                              self->end_date_row, self->zone_row };

      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        g_hash_table_add (self->touched, rows[i]);
    }
  check (self);

  if (self->store != NULL)
    turnout_events_list_genres_async (self->store, self->cancellable, on_genres_listed_cb,
                                      g_object_ref (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
turnout_event_editor_dispose (GObject *object)
{
  TurnoutEventEditor *self = TURNOUT_EVENT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->event);
  g_clear_pointer (&self->touched, g_hash_table_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_EVENT_EDITOR);

  G_OBJECT_CLASS (turnout_event_editor_parent_class)->dispose (object);
}

static void
turnout_event_editor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TurnoutEventEditor *self = TURNOUT_EVENT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_EVENT:
      g_value_set_object (value, self->event);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_event_editor_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TurnoutEventEditor *self = TURNOUT_EVENT_EDITOR (object);
  TurnoutEvent *event;

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_EVENT:
      /* A copy: the list keeps showing the stored values until saved. */
      event = g_value_get_object (value);
      g_clear_object (&self->event);
      self->event = event != NULL ? turnout_event_copy (event) : NULL;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_event_editor_class_init (TurnoutEventEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = turnout_event_editor_constructed;
  object_class->dispose = turnout_event_editor_dispose;
  object_class->get_property = turnout_event_editor_get_property;
  object_class->set_property = turnout_event_editor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  /**
   * TurnoutEventEditor:event:
   *
   * The event edited: a copy of the one given at construction (%NULL for a
   * new event), which holds what the rows say and, once saved, its id.
   */
  properties[PROP_EVENT] =
    g_param_spec_object ("event", NULL, NULL, TURNOUT_TYPE_EVENT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TurnoutEventEditor::saved:
   * @id: the id of the event stored
   *
   * Emitted once the event is stored, just before the dialog closes.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/"
                                               "turnout-event-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, venue_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, city_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, genres_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, genres_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, genres_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, details_error_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, date_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, date_popover);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, date_calendar);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, start_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, end_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, end_date_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, end_date_popover);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, end_date_calendar);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, zone_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, when_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventEditor, when_error_row);
  gtk_widget_class_bind_template_callback (widget_class, on_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_date_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_end_date_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_date_calendar_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_end_date_calendar_day_selected_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL,
                                   turnout_event_editor_save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
turnout_event_editor_init (TurnoutEventEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->touched = g_hash_table_new (NULL, NULL);
}

/**
 * turnout_event_editor_new:
 * @store: (nullable): where the event is saved; without one, Save is off
 * @settings: (nullable): for the default time zone of a new event
 * @event: (nullable): the event to edit, or %NULL for a new one
 *
 * Returns: (transfer full): a dialog; make it transient for the window
 *   it belongs to and present it.
 */
TurnoutEventEditor *
turnout_event_editor_new (TurnoutStore    *store,
                          TurnoutSettings *settings,
                          TurnoutEvent    *event)
{
  g_return_val_if_fail (store == NULL || TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (event == NULL || TURNOUT_IS_EVENT (event), NULL);

  return g_object_new (TURNOUT_TYPE_EVENT_EDITOR,
                       "store", store,
                       "settings", settings,
                       "event", event,
                       NULL);
}

/**
 * turnout_event_editor_get_event:
 *
 * Returns: (transfer none): the event as the rows say it; once saved, it
 *   has its id.
 */
TurnoutEvent *
turnout_event_editor_get_event (TurnoutEventEditor *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENT_EDITOR (self), NULL);

  return self->event;
}
