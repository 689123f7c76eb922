/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-segments-pane"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-contact.h"
#include "turnout-events.h"
#include "turnout-segment-builder.h"
#include "turnout-segments.h"
#include "turnout-segments-pane.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * The Segments pane: the saved segments on the left with how many
 * contacts each reaches, the segment being edited on the right — its name,
 * its live count and the first 20 contacts by name, and the builder.
 *
 * Counting is the slow part (a segment over a million contacts takes a
 * noticeable fraction of a second), so it never waits on the user: an edit
 * restarts a short timer, and when it fires the count and sample in flight
 * are cancelled and new ones start on workers. The saved segments' counts
 * are made one after the other once the list is read.
 */

#define RECOUNT_DELAY_MS 300
#define SAMPLE_SIZE 20

struct _TurnoutSegmentsPane
{
  AdwBin                 parent_instance;

  TurnoutStore          *store;              /* owned, nullable */
  TurnoutSettings       *settings;           /* owned, nullable */
  GCancellable          *cancellable;        /* owned: all work for this store */
  GCancellable          *count_cancellable;  /* owned: the live count and sample */
  GCancellable          *list_cancellable;   /* owned: the list and its counts */
  GListStore            *segments;           /* owned: TurnoutSavedSegment */
  TurnoutSavedSegment   *current;            /* owned: the one being edited, NULL if new */
  char                  *select_name;        /* to select once the list is read */
  guint                  recount_source;
  guint                  counting;           /* the live count and sample in flight */
  guint                  next_to_count;
  gboolean               dirty;              /* edited since shown or saved */
  gboolean               setting_name;
  gboolean               reverting;          /* putting the list's selection back */

  AdwToastOverlay       *toast_overlay;      /* template child */
  GtkStack              *main_stack;         /* template child */
  GtkSpinner            *main_spinner;       /* template child */
  AdwLeaflet            *leaflet;            /* template child */
  GtkButton             *back_button;        /* template child */
  GtkMenuButton         *new_button;         /* template child */
  GtkStack              *list_stack;         /* template child */
  GtkListBox            *segment_list;       /* template child */
  GtkEntry              *name_entry;         /* template child */
  GtkLabel              *count_label;        /* template child */
  GtkSpinner            *count_spinner;      /* template child */
  GtkLabel              *problem_label;      /* template child */
  TurnoutSegmentBuilder *builder;            /* template child */
  GtkFlowBox            *sample_list;        /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutSegmentsPane, turnout_segments_pane, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void reload_list (TurnoutSegmentsPane *self);
static void recount (TurnoutSegmentsPane *self);

static void
replace_cancellable (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
}

static void
add_toast (TurnoutSegmentsPane *self,
           const char          *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
add_error_toast (TurnoutSegmentsPane *self,
                 const char          *what,
                 const GError        *error)
{
  g_autofree char *title = g_strdup_printf ("%s: %s", what, error->message);
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static char *
dup_currency (TurnoutSegmentsPane *self)
{
  if (self->settings == NULL)
    return g_strdup (turnout_setting_spec_lookup ("general.currency")->default_value);
  return turnout_settings_dup_string (self->settings, "general.currency");
}

static void
update_actions (TurnoutSegmentsPane *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_store = self->store != NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (name));

  gtk_widget_action_set_enabled (widget, "segments.new", has_store);
  gtk_widget_action_set_enabled (widget, "segments.new-preset", has_store);
  gtk_widget_action_set_enabled (widget, "segments.save",
                                 has_store && *stripped != '\0'
                                 && (self->dirty || self->current == NULL));
  gtk_widget_action_set_enabled (widget, "segments.rename", has_store && self->current != NULL);
  gtk_widget_action_set_enabled (widget, "segments.duplicate", has_store && self->current != NULL);
  gtk_widget_action_set_enabled (widget, "segments.delete", has_store && self->current != NULL);
  gtk_widget_action_set_enabled (widget, "segments.refresh", has_store);
}

/* The live count and sample ------------------------------------------------ */

static void
set_counting (TurnoutSegmentsPane *self,
              gboolean             counting)
{
  gtk_spinner_set_spinning (self->count_spinner, counting);
  gtk_widget_set_visible (GTK_WIDGET (self->count_spinner), counting);
}

static void
clear_sample (TurnoutSegmentsPane *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sample_list))) != NULL)
    gtk_flow_box_remove (self->sample_list, child);
}

static void
on_count_ready_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TurnoutSegmentsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 count = turnout_segments_count_finish (TURNOUT_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (--self->counting == 0)
    set_counting (self, FALSE);
  if (count < 0)
    {
      gtk_label_set_text (self->count_label, _("Can’t count"));
      gtk_label_set_text (self->problem_label, error->message);
      return;
    }
  {
    g_autofree char *number = g_strdup_printf ("%'" PRId64, count);
    /* TRANSLATORS: the live count of a segment, %s is a number such as "1,204". */
    g_autofree char *label = g_strdup_printf (ngettext ("%s contact", "%s contacts", count), number);

    gtk_label_set_text (self->count_label, label);
  }
  gtk_label_set_text (self->problem_label, "");
  if (self->current != NULL && !self->dirty)
    turnout_saved_segment_set_count (self->current, count);
}

/* A contact of the sample: the name, and how to reach them on hover. */
static GtkWidget *
sample_chip (TurnoutContact *contact)
{
  const char *name = turnout_contact_get_display_name (contact);
  const char *phone = turnout_contact_get_phone_display (contact);
  const char *email = turnout_contact_get_email (contact);
  g_autofree char *reach = g_strjoin ("\n", phone != NULL && *phone != '\0' ? phone : "",
                                      email != NULL ? email : "", NULL);
  GtkWidget *label = gtk_label_new (name != NULL && *name != '\0' ? name : _("No name"));

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "turnout-sample-chip");
  gtk_widget_set_tooltip_text (label, g_strstrip (reach));
  return label;
}

static void
on_sample_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TurnoutSegmentsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) contacts = NULL;

  contacts = turnout_segments_sample_contacts_finish (TURNOUT_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (--self->counting == 0)
    set_counting (self, FALSE);
  clear_sample (self);
  if (contacts == NULL)
    return;     /* the count says why */
  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr(TurnoutContact) contact = g_list_model_get_item (contacts, i);

      gtk_flow_box_append (self->sample_list, sample_chip (contact));
    }
  if (g_list_model_get_n_items (contacts) == 0)
    {
      GtkWidget *label = gtk_label_new (_("No contact matches these conditions."));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_flow_box_append (self->sample_list, label);
    }
}

/* Counts and samples the rules as they stand now, cancelling what is in
 * flight. Rules that are not complete yet say what is missing instead. */
static void
recount (TurnoutSegmentsPane *self)
{
  g_autoptr(TurnoutSegment) segment = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *currency = NULL;

  g_clear_handle_id (&self->recount_source, g_source_remove);
  replace_cancellable (&self->count_cancellable);
  self->counting = 0;
  if (self->store == NULL)
    {
      set_counting (self, FALSE);
      return;
    }
  segment = turnout_segment_builder_dup_segment (self->builder, &problem);
  if (segment == NULL)
    {
      set_counting (self, FALSE);
      gtk_label_set_text (self->count_label, _("Not complete"));
      gtk_label_set_text (self->problem_label, problem);
      clear_sample (self);
      return;
    }
  currency = dup_currency (self);
  self->counting = 2;
  set_counting (self, TRUE);
  turnout_segments_count_async (self->store, segment, self->count_cancellable, on_count_ready_cb,
                                g_object_ref (self));
  turnout_segments_sample_contacts_async (self->store, segment, SAMPLE_SIZE, currency,
                                          self->count_cancellable, on_sample_ready_cb,
                                          g_object_ref (self));
}

static gboolean
on_recount_timeout_cb (gpointer user_data)
{
  TurnoutSegmentsPane *self = user_data;

  self->recount_source = 0;
  recount (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_recount (TurnoutSegmentsPane *self)
{
  g_clear_handle_id (&self->recount_source, g_source_remove);
  self->recount_source = g_timeout_add (RECOUNT_DELAY_MS, on_recount_timeout_cb, self);
  set_counting (self, TRUE);
}

static void
on_builder_changed_cb (TurnoutSegmentsPane *self)
{
  self->dirty = TRUE;
  update_actions (self);
  schedule_recount (self);
}

/* Editing ------------------------------------------------------------------ */

static void
set_name_text (TurnoutSegmentsPane *self,
               const char          *name)
{
  self->setting_name = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  self->setting_name = FALSE;
}

/* Shows @saved in the editor, or new rules with @name when it is NULL. */
static void
edit (TurnoutSegmentsPane *self,
      TurnoutSavedSegment *saved,
      TurnoutSegment      *segment,
      const char          *name)
{
  g_set_object (&self->current, saved);
  if (saved != NULL)
    {
      segment = turnout_saved_segment_get_segment (saved);
      name = turnout_saved_segment_get_name (saved);
    }
  set_name_text (self, name);
  turnout_segment_builder_set_segment (self->builder, segment);
  self->dirty = FALSE;
  update_actions (self);
  recount (self);
}

static void
on_name_entry_changed_cb (TurnoutSegmentsPane *self)
{
  if (self->setting_name)
    return;
  self->dirty = TRUE;
  update_actions (self);
}

static void
on_name_entry_activate_cb (TurnoutSegmentsPane *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "segments.save", NULL);
}

typedef struct
{
  TurnoutSegmentsPane *self;
  TurnoutSavedSegment *saved;
  TurnoutSegment      *segment;
  char                *name;
} PendingEdit;

static void
pending_edit_free (gpointer  data,
                   GClosure *closure)
{
  PendingEdit *pending = data;

  g_object_unref (pending->self);
  g_clear_object (&pending->saved);
  g_clear_pointer (&pending->segment, turnout_segment_unref);
  g_free (pending->name);
  g_free (pending);
}

static void
select_current_row (TurnoutSegmentsPane *self)
{
  self->reverting = TRUE;
  gtk_list_box_unselect_all (self->segment_list);
  for (guint i = 0; self->current != NULL
                    && i < g_list_model_get_n_items (G_LIST_MODEL (self->segments)); i++)
    {
      g_autoptr(TurnoutSavedSegment) saved = g_list_model_get_item (G_LIST_MODEL (self->segments), i);

      if (g_str_equal (turnout_saved_segment_get_name (saved),
                       turnout_saved_segment_get_name (self->current)))
        gtk_list_box_select_row (self->segment_list,
                                 gtk_list_box_get_row_at_index (self->segment_list, i));
    }
  self->reverting = FALSE;
}

static void
start_editing (TurnoutSegmentsPane *self,
               TurnoutSavedSegment *saved,
               TurnoutSegment      *segment,
               const char          *name)
{
  if (saved == NULL)
    {
      self->reverting = TRUE;
      gtk_list_box_unselect_all (self->segment_list);
      self->reverting = FALSE;
    }
  edit (self, saved, segment, name);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_discard_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        PendingEdit      *pending)
{
  if (g_str_equal (response, "discard"))
    start_editing (pending->self, pending->saved, pending->segment, pending->name);
  else
    select_current_row (pending->self);
}

/* Shows other rules in the editor; edits not saved yet are only thrown
 * away when the user says so. */
static void
confirm_then_edit (TurnoutSegmentsPane *self,
                   TurnoutSavedSegment *saved,
                   TurnoutSegment      *segment,
                   const char          *name)
{
  PendingEdit *pending;
  const char *current;
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (!self->dirty)
    {
      start_editing (self, saved, segment, name);
      return;
    }
  pending = g_new0 (PendingEdit, 1);
  pending->self = g_object_ref (self);
  pending->saved = saved != NULL ? g_object_ref (saved) : NULL;
  pending->segment = segment != NULL ? turnout_segment_ref (segment) : NULL;
  pending->name = g_strdup (name);
  current = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  /* TRANSLATORS: %s is a segment's name. */
  heading = *current != '\0' ? g_strdup_printf (_("Discard Changes to “%s”?"), current)
                              : g_strdup (_("Discard the New Segment?"));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                   _("The changes have not been saved."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Keep Editing"),
                                    "discard", _("_Discard"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_discard_response_cb), pending,
                         pending_edit_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The list ----------------------------------------------------------------- */

static GtkWidget *
create_segment_row (gpointer item,
                    gpointer user_data)
{
  TurnoutSavedSegment *saved = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_markup_escape_text (turnout_saved_segment_get_name (saved), -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_bind_property (saved, "count-label", row, "subtitle", G_BINDING_SYNC_CREATE);
  g_object_bind_property (saved, "count-error", row, "tooltip-text", G_BINDING_SYNC_CREATE);
  g_object_set_data_full (G_OBJECT (row), "turnout-saved-segment", g_object_ref (saved),
                          g_object_unref);
  return row;
}

static void count_next (TurnoutSegmentsPane *self);

static void
on_list_count_ready_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(TurnoutSavedSegment) saved = user_data;
  g_autoptr(GError) error = NULL;
  gint64 count = turnout_segments_count_finish (TURNOUT_STORE (object), result, &error);
  TurnoutSegmentsPane *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (count >= 0)
    turnout_saved_segment_set_count (saved, count);
  else
    turnout_saved_segment_set_count_error (saved, error->message);
  self = g_object_get_data (G_OBJECT (saved), "turnout-pane");
  if (self != NULL)
    count_next (self);
}

/* Counts the saved segments one by one, so the live count never waits
 * behind all of them at once. */
static void
count_next (TurnoutSegmentsPane *self)
{
  while (self->next_to_count < g_list_model_get_n_items (G_LIST_MODEL (self->segments)))
    {
      g_autoptr(TurnoutSavedSegment) saved =
        g_list_model_get_item (G_LIST_MODEL (self->segments), self->next_to_count++);

      if (turnout_saved_segment_get_count_error (saved) != NULL)
        continue;
      g_object_set_data (G_OBJECT (saved), "turnout-pane", self);
      turnout_segments_count_async (self->store, turnout_saved_segment_get_segment (saved),
                                    self->list_cancellable, on_list_count_ready_cb,
                                    g_object_ref (saved));
      return;
    }
}

static void
select_by_name (TurnoutSegmentsPane *self,
                const char          *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->segments)); i++)
    {
      g_autoptr(TurnoutSavedSegment) saved = g_list_model_get_item (G_LIST_MODEL (self->segments), i);

      if (g_str_equal (turnout_saved_segment_get_name (saved), name))
        {
          gtk_list_box_select_row (self->segment_list,
                                   gtk_list_box_get_row_at_index (self->segment_list, i));
          return;
        }
    }
}

static void
on_list_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TurnoutSegmentsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = turnout_segments_list_finish (TURNOUT_STORE (object), result, &error);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *select = g_steal_pointer (&self->select_name);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_stack_set_visible_child_name (self->main_stack, "segments");
  gtk_spinner_set_spinning (self->main_spinner, FALSE);
  if (list == NULL)
    {
      add_error_toast (self, _("Could not read the segments"), error);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      TurnoutSavedSegment *saved = g_list_model_get_item (list, i);

      g_ptr_array_add (items, saved);
      g_ptr_array_add (names, (gpointer) turnout_saved_segment_get_name (saved));
    }
  g_ptr_array_add (names, NULL);
  turnout_segment_builder_set_segment_names (self->builder, (const char * const *) names->pdata);
  g_list_store_splice (self->segments, 0, g_list_model_get_n_items (G_LIST_MODEL (self->segments)),
                       items->pdata, items->len);
  gtk_stack_set_visible_child_name (self->list_stack, items->len > 0 ? "list" : "empty");
  if (select != NULL)
    select_by_name (self, select);
  self->next_to_count = 0;
  count_next (self);
}

static void
on_events_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TurnoutSegmentsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) events = turnout_events_list_finish (TURNOUT_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (events == NULL)
    add_error_toast (self, _("Could not read the events"), error);
  else
    turnout_segment_builder_set_events (self->builder, events);
}

static void
on_tags_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TurnoutSegmentsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = turnout_segments_list_tags_finish (TURNOUT_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (tags == NULL)
    add_error_toast (self, _("Could not read the tags"), error);
  else
    turnout_segment_builder_set_tags (self->builder, (const char * const *) tags);
}

/* Reads the saved segments and what the choosers offer, then counts. */
static void
reload_list (TurnoutSegmentsPane *self)
{
  if (self->store == NULL)
    return;
  replace_cancellable (&self->list_cancellable);
  turnout_segments_list_async (self->store, self->list_cancellable, on_list_ready_cb,
                               g_object_ref (self));
  turnout_events_list_async (self->store, self->list_cancellable, on_events_ready_cb,
                             g_object_ref (self));
  turnout_segments_list_tags_async (self->store, self->list_cancellable, on_tags_ready_cb,
                                    g_object_ref (self));
}

static void
on_segment_list_row_selected_cb (TurnoutSegmentsPane *self,
                                 GtkListBoxRow       *row)
{
  TurnoutSavedSegment *saved;

  if (row == NULL || self->reverting)
    return;
  saved = g_object_get_data (G_OBJECT (row), "turnout-saved-segment");
  if (saved == NULL || saved == self->current)
    return;
  /* The list read again after a save or refresh: the same segment, with
   * any edits made since kept. */
  if (self->current != NULL && g_str_equal (turnout_saved_segment_get_name (saved),
                                            turnout_saved_segment_get_name (self->current)))
    {
      g_set_object (&self->current, saved);
      update_actions (self);
      return;
    }
  confirm_then_edit (self, saved, NULL, NULL);
}

static void
on_back_button_clicked_cb (TurnoutSegmentsPane *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_leaflet_folded_changed_cb (TurnoutSegmentsPane *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), adw_leaflet_get_folded (self->leaflet));
}

/* Actions ------------------------------------------------------------------ */

static void
segments_new (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (widget);

  confirm_then_edit (self, NULL, NULL, "");
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

static const char *
preset_title (const char *preset)
{
  if (g_str_equal (preset, "recent"))
    return _("Recent registrants");
  if (g_str_equal (preset, "upcoming"))
    return _("Coming up in the next 30 days");
  if (g_str_equal (preset, "first-time"))
    return _("First-timers");
  if (g_str_equal (preset, "repeat"))
    return _("Repeat fans");
  if (g_str_equal (preset, "lapsed"))
    return _("Lapsed 90 days");
  if (g_str_equal (preset, "cancelled"))
    return _("Cancelled recently");
  return _("All contacts");
}

static void
segments_new_preset (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (widget);
  const char *preset = g_variant_get_string (parameter, NULL);
  g_autoptr(TurnoutSegment) segment = NULL;
  g_autoptr(GError) error = NULL;

  segment = turnout_segment_new_preset (preset, -1, &error);
  if (segment == NULL)
    {
      add_error_toast (self, _("Could not make the segment"), error);
      return;
    }
  confirm_then_edit (self, NULL, segment, preset_title (preset));
}

static void
on_save_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TurnoutSegmentsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSavedSegment) saved = NULL;
  g_autofree char *title = NULL;

  saved = turnout_segments_save_finish (TURNOUT_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), TRUE);
  if (saved == NULL)
    {
      add_error_toast (self, _("Could not save the segment"), error);
      update_actions (self);
      return;
    }
  g_set_object (&self->current, saved);
  set_name_text (self, turnout_saved_segment_get_name (saved));
  self->dirty = FALSE;
  update_actions (self);
  /* TRANSLATORS: %s is a segment's name. */
  title = g_strdup_printf (_("Saved “%s”"), turnout_saved_segment_get_name (saved));
  add_toast (self, title);
  g_free (self->select_name);
  self->select_name = g_strdup (turnout_saved_segment_get_name (saved));
  reload_list (self);
  recount (self);
}

static void
save_as (TurnoutSegmentsPane *self,
         const char          *old_name,
         const char          *name,
         TurnoutSegment      *segment)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "segments.save", FALSE);
  turnout_segments_save_async (self->store, old_name, name, segment, self->cancellable,
                               on_save_ready_cb, g_object_ref (self));
}

static void
segments_save (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (widget);
  g_autoptr(TurnoutSegment) segment = NULL;
  g_autofree char *problem = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));

  segment = turnout_segment_builder_dup_segment (self->builder, &problem);
  if (segment == NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Can’t save yet: %s"), problem);

      add_toast (self, title);
      return;
    }
  save_as (self, self->current != NULL ? turnout_saved_segment_get_name (self->current) : NULL,
           name, segment);
}

static void
segments_rename (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->name_entry), 0, -1);
}

static void
segments_duplicate (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (widget);
  g_autoptr(TurnoutSegment) segment = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *name = NULL;
  const char *base;

  if (self->current == NULL)
    return;
  segment = turnout_segment_builder_dup_segment (self->builder, &problem);
  if (segment == NULL)
    segment = turnout_segment_ref (turnout_saved_segment_get_segment (self->current));
  base = turnout_saved_segment_get_name (self->current);
  /* The first free "X (copy)", "X (copy 2)", … */
  for (guint n = 1; name == NULL || n < 1000; n++)
    {
      gboolean taken = FALSE;

      g_free (name);
      /* TRANSLATORS: the name of a duplicated segment; %s is the original's. */
      name = n == 1 ? g_strdup_printf (_("%s (copy)"), base)
                    : g_strdup_printf (_("%s (copy %u)"), base, n);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->segments)); i++)
        {
          g_autoptr(TurnoutSavedSegment) other =
            g_list_model_get_item (G_LIST_MODEL (self->segments), i);

          taken |= g_str_equal (turnout_saved_segment_get_name (other), name);
        }
      if (!taken)
        break;
    }
  g_clear_object (&self->current);
  save_as (self, NULL, name, segment);
}

static void
on_delete_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TurnoutSegmentsPane) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!turnout_segments_delete_finish (TURNOUT_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        add_error_toast (self, _("Could not delete the segment"), error);
      return;
    }
  add_toast (self, _("Segment deleted"));
  edit (self, NULL, NULL, "");
  reload_list (self);
}

static void
on_delete_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  g_autoptr(TurnoutSegmentsPane) self = user_data;
  const char *name = g_object_get_data (G_OBJECT (dialog), "turnout-name");

  if (!g_str_equal (response, "delete") || self->store == NULL)
    return;
  turnout_segments_delete_async (self->store, name, self->cancellable, on_delete_ready_cb,
                                 g_object_ref (self));
}

static char *
join_users (char **users)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = g_strv_length (users);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        /* TRANSLATORS: between the last two of a list: "A, B and C". */
        g_string_append (text, i == n - 1 ? _(" and ") : ", ");
      g_string_append (text, users[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_users_ready_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TurnoutSegmentsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) users = turnout_segments_dup_users_finish (TURNOUT_STORE (object), result, &error);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  const char *name;
  GtkWidget *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (users == NULL)
    {
      add_error_toast (self, _("Could not delete the segment"), error);
      return;
    }
  if (self->current == NULL)
    return;
  name = turnout_saved_segment_get_name (self->current);
  /* TRANSLATORS: %s is a segment's name. */
  heading = g_strdup_printf (_("Delete “%s”?"), name);
  if (users[0] != NULL)
    {
      g_autofree char *list = join_users (users);

      /* TRANSLATORS: %s lists what uses the segment: "the campaign “Summer
       * Opening” and the automation “Reminder”". */
      body = g_strdup_printf (_("It is used by %s. They will have no audience until you "
                                "choose another segment. Messages already sent are kept."),
                              list);
    }
  else
    body = g_strdup (_("No campaign or automation uses it. This can’t be undone."));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                   body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "turnout-name", g_strdup (name), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_delete_response_cb), g_object_ref (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
segments_delete (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (widget);

  if (self->current == NULL)
    return;
  turnout_segments_dup_users_async (self->store, turnout_saved_segment_get_name (self->current),
                                    self->cancellable, on_users_ready_cb, g_object_ref (self));
}

static void
segments_refresh (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (widget);

  recount (self);
  reload_list (self);
}

/* GObject ------------------------------------------------------------------ */

static void
turnout_segments_pane_dispose (GObject *object)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (object);

  g_clear_handle_id (&self->recount_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->count_cancellable);
  g_cancellable_cancel (self->list_cancellable);
  /* The bin's child is a template child: AdwBin must let go of it before
   * the template does, or it would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_SEGMENTS_PANE);
  for (guint i = 0; self->segments != NULL
                    && i < g_list_model_get_n_items (G_LIST_MODEL (self->segments)); i++)
    {
      g_autoptr(GObject) saved = g_list_model_get_item (G_LIST_MODEL (self->segments), i);

      g_object_set_data (saved, "turnout-pane", NULL);
    }
  g_clear_object (&self->segments);
  g_clear_object (&self->current);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (turnout_segments_pane_parent_class)->dispose (object);
}

static void
turnout_segments_pane_finalize (GObject *object)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->count_cancellable);
  g_clear_object (&self->list_cancellable);
  g_free (self->select_name);

  G_OBJECT_CLASS (turnout_segments_pane_parent_class)->finalize (object);
}

static void
turnout_segments_pane_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (object);

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
turnout_segments_pane_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  TurnoutSegmentsPane *self = TURNOUT_SEGMENTS_PANE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      turnout_segments_pane_set_store (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      turnout_segments_pane_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_segments_pane_class_init (TurnoutSegmentsPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_segments_pane_dispose;
  object_class->finalize = turnout_segments_pane_finalize;
  object_class->get_property = turnout_segments_pane_get_property;
  object_class->set_property = turnout_segments_pane_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TURNOUT_TYPE_SEGMENT_BUILDER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/turnout-segments-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, main_spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, back_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, new_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, segment_list);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, name_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, count_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, count_spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, problem_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, builder);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSegmentsPane, sample_list);
  gtk_widget_class_bind_template_callback (widget_class, on_segment_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_folded_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_name_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_name_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_builder_changed_cb);

  gtk_widget_class_install_action (widget_class, "segments.new", NULL, segments_new);
  gtk_widget_class_install_action (widget_class, "segments.new-preset", "s", segments_new_preset);
  gtk_widget_class_install_action (widget_class, "segments.save", NULL, segments_save);
  gtk_widget_class_install_action (widget_class, "segments.rename", NULL, segments_rename);
  gtk_widget_class_install_action (widget_class, "segments.duplicate", NULL, segments_duplicate);
  gtk_widget_class_install_action (widget_class, "segments.delete", NULL, segments_delete);
  gtk_widget_class_install_action (widget_class, "segments.refresh", NULL, segments_refresh);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "segments.new",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "segments.save",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "segments.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "segments.refresh", NULL);
}

static void
turnout_segments_pane_init (TurnoutSegmentsPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->count_cancellable = g_cancellable_new ();
  self->list_cancellable = g_cancellable_new ();
  self->segments = g_list_store_new (TURNOUT_TYPE_SAVED_SEGMENT);
  gtk_list_box_bind_model (self->segment_list, G_LIST_MODEL (self->segments), create_segment_row,
                           NULL, NULL);
  set_counting (self, FALSE);
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  gtk_spinner_set_spinning (self->main_spinner, TRUE);
  update_actions (self);
}

TurnoutSegmentsPane *
turnout_segments_pane_new (void)
{
  return g_object_new (TURNOUT_TYPE_SEGMENTS_PANE, NULL);
}

TurnoutStore *
turnout_segments_pane_get_store (TurnoutSegmentsPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_SEGMENTS_PANE (self), NULL);

  return self->store;
}

/**
 * turnout_segments_pane_set_store:
 * @store: (nullable): where the segments are kept
 */
void
turnout_segments_pane_set_store (TurnoutSegmentsPane *self,
                                 TurnoutStore        *store)
{
  g_return_if_fail (TURNOUT_IS_SEGMENTS_PANE (self));
  g_return_if_fail (store == NULL || TURNOUT_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  replace_cancellable (&self->cancellable);
  g_list_store_remove_all (self->segments);
  edit (self, NULL, NULL, "");
  reload_list (self);
  update_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

TurnoutSettings *
turnout_segments_pane_get_settings (TurnoutSegmentsPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_SEGMENTS_PANE (self), NULL);

  return self->settings;
}

/**
 * turnout_segments_pane_set_settings:
 * @settings: (nullable): for the currency of amounts
 */
void
turnout_segments_pane_set_settings (TurnoutSegmentsPane *self,
                                    TurnoutSettings     *settings)
{
  g_autofree char *currency = NULL;

  g_return_if_fail (TURNOUT_IS_SEGMENTS_PANE (self));
  g_return_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings));

  if (!g_set_object (&self->settings, settings))
    return;
  currency = dup_currency (self);
  turnout_segment_builder_set_currency (self->builder, currency);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

/**
 * turnout_segments_pane_refresh:
 *
 * Reads the segments, events and tags again and counts (after an import,
 * say, changed who is in them).
 */
void
turnout_segments_pane_refresh (TurnoutSegmentsPane *self)
{
  g_return_if_fail (TURNOUT_IS_SEGMENTS_PANE (self));

  if (self->current != NULL && self->select_name == NULL)
    self->select_name = g_strdup (turnout_saved_segment_get_name (self->current));
  reload_list (self);
  recount (self);
}
