/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-preflight-view"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-preflight.h"
#include "turnout-preflight-view.h"
#include "turnout-store.h"

/*
 * The preflight of a template and a segment, for the Templates pane and
 * the campaign dialog: who gets the message and who is left out and why,
 * who is over the frequency cap, whose texts wait for the quiet hours to
 * end, who would see a blank where their name should be (with names, and the
 * fallback to add), how many segments the messages take after merging,
 * which characters forced UCS-2, and what it costs. The work runs on a
 * worker with a count of recipients looked at; a new request cancels the
 * one in flight.
 */

struct _TurnoutPreflightView
{
  AdwBin                   parent_instance;

  TurnoutStore            *store;          /* owned, nullable */
  GCancellable            *cancellable;    /* owned */
  TurnoutPreflightReport  *report;         /* owned, nullable */
  GPtrArray               *rows;           /* the report's rows, to remove them */
  gboolean                 scheduled;      /* the check is for a later start */

  GtkStack                *stack;          /* template child */
  GtkSpinner              *spinner;        /* template child */
  GtkLabel                *progress_label; /* template child */
  GtkLabel                *error_label;    /* template child */
  AdwPreferencesGroup     *audience_group; /* template child */
  AdwPreferencesGroup     *blank_group;    /* template child */
  AdwPreferencesGroup     *cost_group;     /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutPreflightView, turnout_preflight_view, ADW_TYPE_BIN)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%'" PRId64, n);
}

static void
add_row (TurnoutPreflightView *self,
         AdwPreferencesGroup  *group,
         const char           *title,
         const char           *value,
         const char           *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  if (subtitle != NULL)
    {
      g_autofree char *sub = g_markup_escape_text (subtitle, -1);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub);
    }
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
  g_object_set_data (G_OBJECT (row), "turnout-group", group);
}

static void
clear_rows (TurnoutPreflightView *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);

      adw_preferences_group_remove (g_object_get_data (G_OBJECT (row), "turnout-group"), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
show_report (TurnoutPreflightView   *self,
             TurnoutPreflightReport *report,
             gboolean                email)
{
  g_autofree char *recipients = format_count (report->recipients);
  g_autofree char *sendable = format_count (report->sendable);
  g_autofree char *blanks = format_count (report->with_blanks);

  clear_rows (self);
  add_row (self, self->audience_group, _("Contacts in the segment"), recipients, NULL);
  add_row (self, self->audience_group, _("Get the message"), sendable, NULL);
  for (int i = TURNOUT_EXCLUSION_NO_ADDRESS; i <= TURNOUT_EXCLUSION_SUPPRESSED; i++)
    if (report->excluded[i] > 0)
      {
        g_autofree char *n = format_count (report->excluded[i]);
        /* TRANSLATORS: a row of the preflight: "Left out: opted out". */
        g_autofree char *title = g_strdup_printf (_("Left out: %s"), turnout_exclusion_describe (i));

        add_row (self, self->audience_group, title, n, NULL);
      }
  if (report->over_cap > 0)
    {
      g_autofree char *n = format_count (report->over_cap);
      g_autofree char *cap = turnout_preflight_report_describe_cap (report);
      /* TRANSLATORS: why contacts are over the frequency cap: "They already
       * had what the cap allows: at most 3 messages to one person in 7 days,
       * across campaigns and automations". */
      g_autofree char *why = g_strdup_printf (_("They already had what the cap allows: %s, across "
                                                "campaigns and automations"), cap);

      add_row (self, self->audience_group, _("Left out: over the frequency cap"), n, why);
    }
  if (report->quiet_hours > 0)
    {
      g_autofree char *n = format_count (report->quiet_hours);
      g_autofree char *quiet = turnout_preflight_report_describe_quiet_hours (report);
      g_autofree char *why = NULL;

      /* Not left out: their texts go when the quiet hours end. */
      if (self->scheduled)
        /* TRANSLATORS: %s is the quiet hours, such as 21:00–08:00. */
        why = g_strdup_printf (_("Inside the quiet hours (%s) in their time zone at the scheduled "
                                 "time; their texts go when the quiet hours end"), quiet);
      else
        why = g_strdup_printf (_("Inside the quiet hours (%s) in their time zone now; their texts "
                                 "go when the quiet hours end"), quiet);
      add_row (self, self->audience_group, _("Waits for the quiet hours to end"), n, why);
    }

  if (report->with_blanks == 0)
    add_row (self, self->blank_group, _("No one sees a blank field"), "✓", NULL);
  else
    {
      g_autoptr(GString) names = g_string_new (NULL);
      g_autoptr(GList) fields = g_list_sort (g_hash_table_get_keys (report->blank_fields),
                                             (GCompareFunc) g_strcmp0);

      /* A few names say enough; the fields have their own rows. */
      for (guint i = 0; i < MIN (report->blank_examples->len, 5); i++)
        g_string_append_printf (names, "%s%s", i > 0 ? "; " : "",
                                (char *) g_ptr_array_index (report->blank_examples, i));
      if (report->with_blanks > 5)
        /* TRANSLATORS: after a few names of people with blank fields. */
        g_string_append (names, _("; and others"));
      add_row (self, self->blank_group, _("Would see a blank"), blanks, names->str);
      for (GList *l = fields; l != NULL; l = l->next)
        {
          g_autofree char *n = format_count (GPOINTER_TO_SIZE (g_hash_table_lookup (report->blank_fields,
                                                                                   l->data)));
          g_autofree char *title = g_strdup_printf ("{%s}", (char *) l->data);
          /* TRANSLATORS: how to fix a blank field; keep the braces and the bar. */
          g_autofree char *fix = g_strdup_printf (_("Add a fallback: {%s|…}"), (char *) l->data);

          add_row (self, self->blank_group, title, n, fix);
        }
    }

  if (email)
    add_row (self, self->cost_group, _("Emails"), sendable, NULL);
  else if (report->mms > 0)
    {
      g_autofree char *n = format_count (report->mms);
      g_autofree char *price = g_strdup_printf ("$%.4f", report->price_per_mms);

      add_row (self, self->cost_group, _("MMS messages"), n, price);
    }
  else
    {
      g_autofree char *total = format_count (report->total_segments);
      g_autofree char *most = g_strdup_printf ("%u", report->max_segments);
      g_autofree char *price = g_strdup_printf (_("$%.4f per segment"), report->price_per_segment);

      add_row (self, self->cost_group, _("Segments in all"), total, price);
      add_row (self, self->cost_group, _("Most segments in one message"), most,
               report->max_segments_example);
      if (report->ucs2_recipients > 0)
        {
          g_autofree char *n = format_count (report->ucs2_recipients);
          g_autoptr(GString) chars = g_string_new (NULL);
          g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (report->ucs2_characters),
                                               (GCompareFunc) g_strcmp0);

          for (GList *l = keys; l != NULL; l = l->next)
            g_string_append_printf (chars, "%s“%s” ×%" G_GSIZE_FORMAT, chars->len > 0 ? ", " : "",
                                    (char *) l->data,
                                    GPOINTER_TO_SIZE (g_hash_table_lookup (report->ucs2_characters,
                                                                           l->data)));
          add_row (self, self->cost_group, _("Sent as UCS-2 (70 characters a segment)"), n,
                   chars->str);
        }
    }
  if (!email)
    {
      g_autofree char *cost = g_strdup_printf ("$%.2f", report->cost);

      add_row (self, self->cost_group, _("Estimated cost"), cost,
               _("From the prices in Preferences; Twilio bills in US dollars"));
    }
  gtk_stack_set_visible_child_name (self->stack, "report");
}

typedef struct
{
  TurnoutPreflightView *self;
  gboolean              email;
} RunData;

static void
on_progress_cb (gint64   done,
                gpointer user_data)
{
  TurnoutPreflightView *self = user_data;
  g_autofree char *n = format_count (done);
  /* TRANSLATORS: %s is a number of contacts. */
  g_autofree char *text = g_strdup_printf (_("Rendering every message… %s contacts so far"), n);

  gtk_label_set_text (self->progress_label, text);
}

static void
on_report_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  RunData *data = user_data;
  g_autoptr(TurnoutPreflightView) self = data->self;
  g_autoptr(GError) error = NULL;
  TurnoutPreflightReport *report = turnout_preflight_run_finish (TURNOUT_STORE (object), result,
                                                                 &error);
  gboolean email = data->email;

  g_free (data);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_spinner_stop (self->spinner);
  g_clear_pointer (&self->report, turnout_preflight_report_free);
  if (report == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      g_signal_emit (self, signals[DONE], 0);
      return;
    }
  self->report = report;
  show_report (self, report, email);
  g_signal_emit (self, signals[DONE], 0);
}

static void
turnout_preflight_view_dispose (GObject *object)
{
  TurnoutPreflightView *self = TURNOUT_PREFLIGHT_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->report, turnout_preflight_report_free);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->store);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_PREFLIGHT_VIEW);

  G_OBJECT_CLASS (turnout_preflight_view_parent_class)->dispose (object);
}

static void
turnout_preflight_view_class_init (TurnoutPreflightViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = turnout_preflight_view_dispose;

  /**
   * TurnoutPreflightView::done:
   *
   * A check has ended and is shown: turnout_preflight_view_get_report()
   * has its report, or is %NULL when it failed. Not emitted for a check
   * that a newer one replaced.
   */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/turnout-preflight-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreflightView, stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreflightView, spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreflightView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreflightView, error_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreflightView, audience_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreflightView, blank_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreflightView, cost_group);
}

static void
turnout_preflight_view_init (TurnoutPreflightView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
}

GtkWidget *
turnout_preflight_view_new (void)
{
  return g_object_new (TURNOUT_TYPE_PREFLIGHT_VIEW, NULL);
}

void
turnout_preflight_view_set_store (TurnoutPreflightView *self,
                                  TurnoutStore         *store)
{
  g_return_if_fail (TURNOUT_IS_PREFLIGHT_VIEW (self));

  g_set_object (&self->store, store);
}

/**
 * turnout_preflight_view_run:
 * @event_id: the event of the messages, or 0 for each contact's next one
 *
 * Checks @template against @segment, cancelling a check in flight.
 */
void
turnout_preflight_view_run (TurnoutPreflightView *self,
                            TurnoutTemplate      *template,
                            TurnoutSegment       *segment,
                            gint64                event_id)
{
  turnout_preflight_view_run_at (self, template, segment, event_id, 0);
}

/**
 * turnout_preflight_view_run_at:
 * @starts_at: when the messages would start going (Unix seconds), or 0
 *   for now: the frequency cap and the quiet hours are judged then
 *
 * Checks @template against @segment, cancelling a check in flight.
 */
void
turnout_preflight_view_run_at (TurnoutPreflightView *self,
                               TurnoutTemplate      *template,
                               TurnoutSegment       *segment,
                               gint64                event_id,
                               gint64                starts_at)
{
  RunData *data;

  g_return_if_fail (TURNOUT_IS_PREFLIGHT_VIEW (self));
  g_return_if_fail (TURNOUT_IS_TEMPLATE (template));
  g_return_if_fail (segment != NULL);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  gtk_label_set_text (self->progress_label, _("Rendering every message…"));
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "running");
  data = g_new0 (RunData, 1);
  data->self = g_object_ref (self);
  data->email = turnout_template_is_email (template);
  self->scheduled = starts_at > 0;
  turnout_preflight_run_at_async (self->store, template, segment, event_id, starts_at,
                                  on_progress_cb, self, self->cancellable, on_report_ready_cb, data);
}

/**
 * turnout_preflight_view_get_report:
 *
 * Returns: (transfer none) (nullable): the last report shown.
 */
TurnoutPreflightReport *
turnout_preflight_view_get_report (TurnoutPreflightView *self)
{
  g_return_val_if_fail (TURNOUT_IS_PREFLIGHT_VIEW (self), NULL);

  return self->report;
}
