/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-events-pane"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-event-editor.h"
#include "turnout-events.h"
#include "turnout-events-pane.h"
#include "turnout-import.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * The Events pane: the events on the left, newest first, with a search;
 * the event chosen on the right, with its registrations in a column view
 * whose selection the action bar works on (confirm, cancel, mark attended,
 * back to draft) and a popover to register one more contact.
 *
 * Everything the store does happens on a worker. Events are few and are
 * all held; an event's registrations (ten thousand for a big night) are
 * read when it is chosen, and a choice made before they arrive cancels
 * the read. A status change updates the rows shown from what was stored
 * and then reads the event's counts again, so the list never shows a
 * figure the store does not have.
 */

struct _TurnoutEventsPane
{
  AdwBin               parent_instance;

  TurnoutStore        *store;                     /* owned, nullable */
  TurnoutSettings     *settings;                  /* owned, nullable */
  GCancellable        *cancellable;               /* owned: all work for this store */
  GCancellable        *events_cancellable;        /* owned: the list read in flight */
  GCancellable        *registrations_cancellable; /* owned: the registrations read */
  GCancellable        *find_cancellable;          /* owned: the contact search */
  GListStore          *events;                    /* owned: TurnoutEvent */
  GListModel          *registrations;             /* owned: a GListStore, or NULL */
  TurnoutEvent        *event;                     /* owned: the event shown, or NULL */
  GBindingGroup       *event_bindings;            /* owned */
  GSignalGroup        *event_signals;             /* owned */
  GtkCustomFilter     *event_filter;              /* owned */
  GtkCustomFilter     *registration_filter;       /* owned */
  char                *event_query;
  char                *registration_query;
  gint64               select_id;                 /* to select once the list is read */
  guint                busy;                      /* writes in flight */
  gboolean             loaded;

  AdwToastOverlay     *toast_overlay;             /* template child */
  GtkStack            *main_stack;                /* template child */
  GtkSpinner          *main_spinner;              /* template child */
  AdwLeaflet          *leaflet;                   /* template child */
  GtkButton           *back_button;               /* template child */
  GtkSearchEntry      *event_search_entry;        /* template child */
  GtkStack            *event_list_stack;          /* template child */
  GtkListView         *event_list_view;           /* template child */
  GtkSingleSelection  *event_selection;           /* template child */
  GtkFilterListModel  *event_filter_model;        /* template child */
  GtkStack            *detail_stack;              /* template child */
  GtkLabel            *name_label;                /* template child */
  GtkLabel            *when_label;                /* template child */
  GtkLabel            *place_label;               /* template child */
  GtkLabel            *genres_label;              /* template child */
  GtkLabel            *summary_label;             /* template child */
  GtkSearchEntry      *registration_search_entry; /* template child */
  GtkMenuButton       *add_button;                /* template child */
  GtkStack            *registrations_stack;       /* template child */
  GtkSpinner          *registrations_spinner;     /* template child */
  AdwStatusPage       *registrations_error_page;  /* template child */
  GtkColumnView       *registrations_view;        /* template child */
  GtkColumnViewColumn *amount_column;             /* template child */
  GtkMultiSelection   *registration_selection;    /* template child */
  GtkSortListModel    *registration_sort_model;   /* template child */
  GtkFilterListModel  *registration_filter_model; /* template child */
  GtkLabel            *selection_label;           /* template child */
  GtkPopover          *add_popover;               /* template child */
  GtkSearchEntry      *contact_search_entry;      /* template child */
  GtkStack            *contact_stack;             /* template child */
  GtkLabel            *contact_hint_label;        /* template child */
  GtkSingleSelection  *contact_selection;         /* template child */
  GtkDropDown         *status_dropdown;           /* template child */
  GtkEntry            *amount_entry;              /* template child */
  GtkEntry            *ticket_entry;              /* template child */
  GtkLabel            *add_error_label;           /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutEventsPane, turnout_events_pane, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The order of the status drop-down in the Add Registration popover. */
static const TurnoutRegistrationStatus add_statuses[] = {
  TURNOUT_REGISTRATION_REGISTERED,
  TURNOUT_REGISTRATION_DRAFT,
  TURNOUT_REGISTRATION_ATTENDED,
  TURNOUT_REGISTRATION_CANCELLED,
};

static void load_registrations (TurnoutEventsPane *self);

/* Closures of the list item templates ------------------------------------ */

static gboolean
has_text (gpointer    unused,
          const char *text)
{
  return text != NULL && *text != '\0';
}

static gboolean
is_stored (gpointer unused,
           gint64   id)
{
  return id != 0;
}

static char *
existing_registration_label (gpointer                  unused,
                             gint64                    id,
                             TurnoutRegistrationStatus status)
{
  if (id == 0)
    return g_strdup ("");
  /* TRANSLATORS: %s is a status such as "Cancelled". */
  return g_strdup_printf (_("Already registered for this event (%s)"),
                          turnout_registration_status_get_label (status));
}

static GStrv
status_css_classes (gpointer                  unused,
                    TurnoutRegistrationStatus status)
{
  const char *color;

  switch (status)
    {
    case TURNOUT_REGISTRATION_REGISTERED:
      color = "accent";
      break;
    case TURNOUT_REGISTRATION_ATTENDED:
      color = "success";
      break;
    case TURNOUT_REGISTRATION_DRAFT:
      color = "warning";
      break;
    case TURNOUT_REGISTRATION_CANCELLED:
    default:
      color = "dim-label";
      break;
    }
  return g_strdupv ((char *[]) { (char *) color, NULL });
}

/* Helpers ----------------------------------------------------------------- */

static gboolean
transform_has_text (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  g_value_set_boolean (to, has_text (NULL, g_value_get_string (from)));
  return TRUE;
}

static void
add_toast (TurnoutEventsPane *self,
           const char        *message,
           gboolean           problem)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  if (problem)
    {
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_set_timeout (toast, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
replace_cancellable (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
}

static guint
count_selected (TurnoutEventsPane *self)
{
  g_autoptr(GtkBitset) selected =
    gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->registration_selection));

  return (guint) gtk_bitset_get_size (selected);
}

static void
update_actions (TurnoutEventsPane *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_store = self->store != NULL;
  gboolean has_event = has_store && self->event != NULL;
  gboolean can_change = has_event && self->busy == 0 && count_selected (self) > 0;
  TurnoutRegistration *candidate;

  gtk_widget_action_set_enabled (widget, "events.new", has_store);
  gtk_widget_action_set_enabled (widget, "events.edit", has_event);
  gtk_widget_action_set_enabled (widget, "events.delete", has_event);
  gtk_widget_action_set_enabled (widget, "registrations.confirm", can_change);
  gtk_widget_action_set_enabled (widget, "registrations.cancel", can_change);
  gtk_widget_action_set_enabled (widget, "registrations.attend", can_change);
  gtk_widget_action_set_enabled (widget, "registrations.draft", can_change);
  gtk_widget_action_set_enabled (widget, "registrations.new", has_event);
  candidate = gtk_single_selection_get_selected_item (self->contact_selection);
  /* One registration a contact an event: one already there changes status
   * in the list instead. */
  gtk_widget_action_set_enabled (widget, "registrations.add",
                                 has_event && self->busy == 0 && candidate != NULL &&
                                 turnout_registration_get_id (candidate) == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), has_event);
}

static char *
dup_currency (TurnoutEventsPane *self)
{
  if (self->settings == NULL)
    return g_strdup ("");
  return turnout_settings_dup_string (self->settings, "general.currency");
}

static void
update_amount_title (TurnoutEventsPane *self)
{
  g_autofree char *currency = dup_currency (self);

  if (*currency != '\0')
    {
      /* TRANSLATORS: a column title, as in "Amount (USD)". */
      g_autofree char *title = g_strdup_printf (_("Amount (%s)"), currency);

      gtk_column_view_column_set_title (self->amount_column, title);
    }
  else
    gtk_column_view_column_set_title (self->amount_column, _("Amount"));
}

static void
update_summary (TurnoutEventsPane *self)
{
  g_autoptr(GString) summary = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *revenue = NULL;
  g_autofree char *currency = NULL;
  guint cancelled, drafts;

  if (self->event == NULL)
    return;

  counts = turnout_event_dup_counts_label (self->event);
  summary = g_string_new (counts);
  cancelled = turnout_event_get_cancelled_count (self->event);
  drafts = turnout_event_get_draft_count (self->event);
  if (cancelled > 0)
    {
      g_string_append (summary, " · ");
      g_string_append_printf (summary, g_dngettext (GETTEXT_PACKAGE, "%u cancelled",
                                                    "%u cancelled", cancelled), cancelled);
    }
  if (drafts > 0)
    {
      g_string_append (summary, " · ");
      g_string_append_printf (summary, g_dngettext (GETTEXT_PACKAGE, "%u draft", "%u drafts",
                                                    drafts), drafts);
    }
  revenue = turnout_format_amount (turnout_event_get_revenue (self->event));
  currency = dup_currency (self);
  g_string_append (summary, " · ");
  /* TRANSLATORS: the money taken, as in "Revenue 1,234.50 USD". */
  g_string_append_printf (summary, _("Revenue %s %s"), revenue, currency);
  g_strchomp (summary->str);
  gtk_label_set_label (self->summary_label, summary->str);
}

static void
update_selection_label (TurnoutEventsPane *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->registration_selection));
  guint selected = count_selected (self);
  g_autofree char *text = NULL;

  if (self->registrations == NULL)
    text = g_strdup ("");
  else if (selected == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u registration", "%u registrations",
                                         shown), shown);
  else
    /* TRANSLATORS: as in "3 of 120 selected". */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u selected",
                                         "%u of %u selected", shown), selected, shown);
  gtk_label_set_label (self->selection_label, text);
}

static void
update_registrations_stack (TurnoutEventsPane *self)
{
  const char *page;

  if (self->registrations == NULL)
    return;
  if (g_list_model_get_n_items (self->registrations) == 0)
    page = "empty";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->registration_filter_model)) == 0 &&
           gtk_filter_list_model_get_pending (self->registration_filter_model) == 0)
    page = "no-results";
  else
    page = "list";
  gtk_stack_set_visible_child_name (self->registrations_stack, page);
  gtk_spinner_set_spinning (self->registrations_spinner, FALSE);
}

static TurnoutEvent *
find_event (TurnoutEventsPane *self,
            gint64             id,
            guint             *position)
{
  GListModel *model = G_LIST_MODEL (self->event_filter_model);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TurnoutEvent) event = g_list_model_get_item (model, i);

      if (turnout_event_get_id (event) == id)
        {
          if (position != NULL)
            *position = i;
          return event;
        }
    }
  return NULL;
}

/* Reading the events ------------------------------------------------------ */

static void
update_main_stack (TurnoutEventsPane *self)
{
  if (!self->loaded && self->store != NULL)
    return;
  gtk_spinner_set_spinning (self->main_spinner, FALSE);
  gtk_stack_set_visible_child_name (self->main_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->events)) > 0
                                    ? "events" : "empty");
}

static void
select_event (TurnoutEventsPane *self,
              gint64             id)
{
  guint position;

  if (id != 0 && find_event (self, id, &position) != NULL)
    gtk_single_selection_set_selected (self->event_selection, position);
}

static void
on_events_listed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TurnoutEventsPane) self = user_data;
  g_autoptr(GListModel) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gint64 select_id;
  guint n;

  events = turnout_events_list_finish (TURNOUT_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (events == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The events could not be read. %s"),
                                                  error->message);

      add_toast (self, message, TRUE);
      self->loaded = TRUE;
      update_main_stack (self);
      return;
    }

  /* The event shown stays chosen, as read again. */
  select_id = self->select_id != 0 ? self->select_id
            : self->event != NULL ? turnout_event_get_id (self->event) : 0;
  self->select_id = 0;

  n = g_list_model_get_n_items (events);
  items = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (events, i));
  g_list_store_splice (self->events, 0, g_list_model_get_n_items (G_LIST_MODEL (self->events)),
                       items->pdata, items->len);

  self->loaded = TRUE;
  update_main_stack (self);
  select_event (self, select_id);
}

static void
reload_events (TurnoutEventsPane *self,
               gint64             select_id)
{
  if (select_id != 0)
    self->select_id = select_id;

  if (self->store == NULL)
    {
      g_list_store_remove_all (self->events);
      update_main_stack (self);
      return;
    }

  replace_cancellable (&self->events_cancellable);
  if (!self->loaded)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "loading");
      gtk_spinner_set_spinning (self->main_spinner, TRUE);
    }
  turnout_events_list_async (self->store, self->events_cancellable, on_events_listed_cb,
                             g_object_ref (self));
}

static void
on_event_read_again_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(TurnoutEventsPane) self = user_data;
  g_autoptr(TurnoutEvent) fresh = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutEvent *shown;

  fresh = turnout_events_get_finish (TURNOUT_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (fresh == NULL)
    {
      /* Deleted elsewhere: the list says so best by no longer showing it. */
      if (g_error_matches (error, TURNOUT_EVENT_ERROR, TURNOUT_EVENT_ERROR_NOT_FOUND))
        reload_events (self, 0);
      else
        g_warning ("Could not read the event again: %s", error->message);
      return;
    }

  shown = find_event (self, turnout_event_get_id (fresh), NULL);
  if (shown != NULL)
    turnout_event_update_from (shown, fresh);
}

/* Reads the counts of the event again after its registrations changed. */
static void
refresh_event (TurnoutEventsPane *self,
               gint64             id)
{
  if (self->store == NULL)
    return;
  turnout_events_get_async (self->store, id, self->cancellable, on_event_read_again_cb,
                            g_object_ref (self));
}

static gboolean
filter_event (gpointer item,
              gpointer user_data)
{
  TurnoutEventsPane *self = user_data;

  return turnout_event_matches (item, self->event_query);
}

static void
on_event_search_entry_search_changed_cb (TurnoutEventsPane *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->event_search_entry));

  g_free (self->event_query);
  self->event_query = g_strstrip (g_strdup (text));
  gtk_filter_changed (GTK_FILTER (self->event_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
on_event_search_entry_stop_search_cb (TurnoutEventsPane *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->event_search_entry), "");
}

static void
on_event_filter_model_items_changed_cb (TurnoutEventsPane *self)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->event_filter_model)) > 0;

  gtk_stack_set_visible_child_name (self->event_list_stack, any ? "list" : "no-results");
}

/* The event shown ---------------------------------------------------------- */

static void
on_leaflet_folded_changed_cb (TurnoutEventsPane *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), adw_leaflet_get_folded (self->leaflet));
}

static void
on_back_button_clicked_cb (TurnoutEventsPane *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->event_list_view));
}

static void
on_event_list_view_activate_cb (TurnoutEventsPane *self)
{
  /* In a narrow window the list and the event take turns: a click or
   * Enter on an event shows it (the arrow keys only choose). */
  if (self->event != NULL)
    adw_leaflet_set_visible_child_name (self->leaflet, "detail");
}

static void
on_event_selection_selected_item_changed_cb (TurnoutEventsPane *self)
{
  TurnoutEvent *event = gtk_single_selection_get_selected_item (self->event_selection);

  if (event == self->event)
    return;

  g_set_object (&self->event, event);
  g_binding_group_set_source (self->event_bindings, event);
  g_signal_group_set_target (self->event_signals, event);
  gtk_popover_popdown (self->add_popover);

  if (event == NULL)
    {
      replace_cancellable (&self->registrations_cancellable);
      g_clear_object (&self->registrations);
      gtk_filter_list_model_set_model (self->registration_filter_model, NULL);
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
    }
  else
    {
      update_summary (self);
      gtk_stack_set_visible_child_name (self->detail_stack, "event");
      gtk_editable_set_text (GTK_EDITABLE (self->registration_search_entry), "");
      load_registrations (self);
    }
  update_actions (self);
}

static void
on_event_notify_cb (TurnoutEventsPane *self)
{
  /* Counts and revenue change after a status change is read back. */
  update_summary (self);
}

/* Registrations ------------------------------------------------------------ */

static void
on_registrations_listed_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(TurnoutEventsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  GListModel *registrations;

  registrations = turnout_events_list_registrations_finish (TURNOUT_STORE (source), result,
                                                            &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (registrations == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->registrations_error_page, escaped);
      gtk_stack_set_visible_child_name (self->registrations_stack, "error");
      gtk_spinner_set_spinning (self->registrations_spinner, FALSE);
      return;
    }

  g_clear_object (&self->registrations);
  self->registrations = registrations;
  gtk_filter_list_model_set_model (self->registration_filter_model, registrations);
  update_registrations_stack (self);
  update_selection_label (self);
  update_actions (self);
}

static void
load_registrations (TurnoutEventsPane *self)
{
  replace_cancellable (&self->registrations_cancellable);
  g_clear_object (&self->registrations);
  gtk_filter_list_model_set_model (self->registration_filter_model, NULL);
  gtk_stack_set_visible_child_name (self->registrations_stack, "loading");
  gtk_spinner_set_spinning (self->registrations_spinner, TRUE);

  if (self->store == NULL || self->event == NULL)
    return;
  turnout_events_list_registrations_async (self->store, turnout_event_get_id (self->event),
                                           self->registrations_cancellable,
                                           on_registrations_listed_cb, g_object_ref (self));
}

static gboolean
filter_registration (gpointer item,
                     gpointer user_data)
{
  TurnoutEventsPane *self = user_data;

  return turnout_registration_matches (item, self->registration_query);
}

static void
on_registration_search_entry_search_changed_cb (TurnoutEventsPane *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->registration_search_entry));

  g_free (self->registration_query);
  self->registration_query = g_strstrip (g_strdup (text));
  gtk_filter_changed (GTK_FILTER (self->registration_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
on_registration_search_entry_stop_search_cb (TurnoutEventsPane *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->registration_search_entry), "");
}

static void
on_registration_filter_model_items_changed_cb (TurnoutEventsPane *self)
{
  update_registrations_stack (self);
}

static void
on_registration_selection_changed_cb (TurnoutEventsPane *self)
{
  update_selection_label (self);
  update_actions (self);
}

/* Changing the status of the selected registrations ------------------------ */

typedef struct
{
  TurnoutEventsPane         *self;          /* owned */
  GPtrArray                 *registrations; /* owned: TurnoutRegistration, as shown */
  TurnoutRegistrationStatus  status;
  gint64                     event_id;
} StatusChange;

static void
status_change_free (StatusChange *change)
{
  g_object_unref (change->self);
  g_ptr_array_unref (change->registrations);
  g_free (change);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StatusChange, status_change_free)

static char *
describe_change (TurnoutRegistrationStatus status,
                 guint                     n)
{
  switch (status)
    {
    case TURNOUT_REGISTRATION_REGISTERED:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u registration confirmed",
                                           "%u registrations confirmed", n), n);
    case TURNOUT_REGISTRATION_CANCELLED:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u registration cancelled",
                                           "%u registrations cancelled", n), n);
    case TURNOUT_REGISTRATION_ATTENDED:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u registration marked attended",
                                           "%u registrations marked attended", n), n);
    case TURNOUT_REGISTRATION_DRAFT:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u registration back to draft",
                                           "%u registrations back to draft", n), n);
    }
}

static void
on_status_changed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(StatusChange) change = user_data;
  TurnoutEventsPane *self = change->self;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree gint64 *ids = NULL;
  guint changed = 0;

  stored = turnout_events_set_status_finish (TURNOUT_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy--;
  update_actions (self);

  if (stored == NULL)
    {
      message = g_strdup_printf (_("The registrations were not changed. %s"), error->message);
      add_toast (self, message, TRUE);
      return;
    }

  ids = g_new (gint64, MAX (stored->len, 1));
  by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < stored->len; i++)
    {
      TurnoutRegistration *registration = g_ptr_array_index (stored, i);

      ids[i] = turnout_registration_get_id (registration);
      g_hash_table_insert (by_id, &ids[i], registration);
    }
  for (guint i = 0; i < change->registrations->len; i++)
    {
      TurnoutRegistration *shown = g_ptr_array_index (change->registrations, i);
      gint64 id = turnout_registration_get_id (shown);
      TurnoutRegistration *fresh = g_hash_table_lookup (by_id, &id);

      if (fresh == NULL)
        continue;
      if (turnout_registration_get_status (shown) != turnout_registration_get_status (fresh))
        changed++;
      turnout_registration_update_from (shown, fresh);
    }

  message = describe_change (change->status, changed);
  add_toast (self, message, FALSE);
  refresh_event (self, change->event_id);
}

static void
change_status (TurnoutEventsPane         *self,
               TurnoutRegistrationStatus  status)
{
  GtkSelectionModel *model = GTK_SELECTION_MODEL (self->registration_selection);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (model);
  g_autoptr(GArray) ids = NULL;
  StatusChange *change;
  GtkBitsetIter iter;
  guint position;

  if (self->store == NULL || self->event == NULL || gtk_bitset_is_empty (selected))
    return;

  change = g_new0 (StatusChange, 1);
  change->self = g_object_ref (self);
  change->registrations = g_ptr_array_new_with_free_func (g_object_unref);
  change->status = status;
  change->event_id = turnout_event_get_id (self->event);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      TurnoutRegistration *registration = g_list_model_get_item (G_LIST_MODEL (model), position);
      gint64 id = turnout_registration_get_id (registration);

      g_ptr_array_add (change->registrations, registration);
      g_array_append_val (ids, id);
    }

  self->busy++;
  update_actions (self);
  turnout_events_set_status_async (self->store, (const gint64 *) ids->data, ids->len, status,
                                   self->cancellable, on_status_changed_cb, change);
}

static void
turnout_events_pane_confirm_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  change_status (TURNOUT_EVENTS_PANE (widget), TURNOUT_REGISTRATION_REGISTERED);
}

static void
turnout_events_pane_cancel_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  change_status (TURNOUT_EVENTS_PANE (widget), TURNOUT_REGISTRATION_CANCELLED);
}

static void
turnout_events_pane_draft_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  change_status (TURNOUT_EVENTS_PANE (widget), TURNOUT_REGISTRATION_DRAFT);
}

static void
on_attend_dialog_response_cb (TurnoutEventsPane *self,
                              const char        *response)
{
  if (g_strcmp0 (response, "attend") == 0)
    change_status (self, TURNOUT_REGISTRATION_ATTENDED);
}

static void
turnout_events_pane_attend_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (widget);
  gint64 now = turnout_clock_get_unix (turnout_clock_get_default ());
  g_autofree char *when = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  guint n;

  if (self->event == NULL)
    return;
  if (turnout_event_has_started (self->event, now))
    {
      change_status (self, TURNOUT_REGISTRATION_ATTENDED);
      return;
    }

  /* Before the doors open, "attended" is most likely a slip of the hand. */
  n = count_selected (self);
  when = turnout_event_dup_when_label (self->event);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "“%s” has not started yet: it starts %s. Mark %u "
                                       "registration as attended anyway?",
                                       "“%s” has not started yet: it starts %s. Mark %u "
                                       "registrations as attended anyway?", n),
                          turnout_event_get_name (self->event), when, n);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                       _("Mark as Attended Before the Event?"),
                                                       body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "attend", _("_Mark Attended"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "attend", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_attend_dialog_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Adding a registration ------------------------------------------------------ */

static void
show_add_error (TurnoutEventsPane *self,
                const char        *message)
{
  gtk_label_set_label (self->add_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->add_error_label), message != NULL);
}

static void
on_add_popover_show_cb (TurnoutEventsPane *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->contact_search_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->amount_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->ticket_entry), "");
  gtk_drop_down_set_selected (self->status_dropdown, 0);
  gtk_single_selection_set_model (self->contact_selection, NULL);
  gtk_label_set_label (self->contact_hint_label,
                       _("Type a name, an email address or a phone number."));
  gtk_stack_set_visible_child_name (self->contact_stack, "hint");
  show_add_error (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->contact_search_entry));
  update_actions (self);
}

static void
on_contacts_found_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TurnoutEventsPane) self = user_data;
  g_autoptr(GListModel) found = NULL;
  g_autoptr(GError) error = NULL;

  found = turnout_events_find_contacts_finish (TURNOUT_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (found == NULL)
    {
      gtk_label_set_label (self->contact_hint_label, error->message);
      gtk_stack_set_visible_child_name (self->contact_stack, "hint");
      return;
    }

  gtk_single_selection_set_model (self->contact_selection, found);
  if (g_list_model_get_n_items (found) == 0)
    {
      g_autofree char *hint = g_strdup_printf (_("No contact matches “%s”. Add them in Contacts "
                                                 "first."),
                                               gtk_editable_get_text (GTK_EDITABLE (
                                                 self->contact_search_entry)));

      gtk_label_set_label (self->contact_hint_label, hint);
      gtk_stack_set_visible_child_name (self->contact_stack, "hint");
    }
  else
    gtk_stack_set_visible_child_name (self->contact_stack, "list");
  update_actions (self);
}

static void
on_contact_search_entry_search_changed_cb (TurnoutEventsPane *self)
{
  g_autofree char *query =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->contact_search_entry))));

  replace_cancellable (&self->find_cancellable);
  show_add_error (self, NULL);
  if (*query == '\0' || self->store == NULL || self->event == NULL)
    {
      gtk_single_selection_set_model (self->contact_selection, NULL);
      gtk_label_set_label (self->contact_hint_label,
                           _("Type a name, an email address or a phone number."));
      gtk_stack_set_visible_child_name (self->contact_stack, "hint");
      update_actions (self);
      return;
    }
  turnout_events_find_contacts_async (self->store, turnout_event_get_id (self->event), query, 50,
                                      self->find_cancellable, on_contacts_found_cb,
                                      g_object_ref (self));
}

static void
on_contact_selection_selected_item_changed_cb (TurnoutEventsPane *self)
{
  update_actions (self);
}

static void
on_amount_entry_changed_cb (TurnoutEventsPane *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->amount_entry), "error");
  show_add_error (self, NULL);
}

static void
on_add_entry_activate_cb (TurnoutEventsPane *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "registrations.add", NULL);
}

static void
on_registration_added_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(TurnoutEventsPane) self = user_data;
  g_autoptr(TurnoutRegistration) added = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  added = turnout_events_add_registration_finish (TURNOUT_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy--;
  update_actions (self);
  if (added == NULL)
    {
      show_add_error (self, error->message);
      return;
    }

  if (self->event != NULL && self->registrations != NULL &&
      turnout_event_get_id (self->event) == turnout_registration_get_event_id (added))
    {
      g_list_store_append (G_LIST_STORE (self->registrations), added);
      update_registrations_stack (self);
    }
  gtk_popover_popdown (self->add_popover);
  /* TRANSLATORS: %s is a person's name. */
  message = g_strdup_printf (_("%s registered"), turnout_registration_get_contact_name (added));
  add_toast (self, message, FALSE);
  refresh_event (self, turnout_registration_get_event_id (added));
}

static void
turnout_events_pane_add_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (widget);
  TurnoutRegistration *candidate = gtk_single_selection_get_selected_item (self->contact_selection);
  g_autoptr(GError) error = NULL;
  g_autofree char *amount_text = NULL;
  guint status = gtk_drop_down_get_selected (self->status_dropdown);
  gint64 amount = 0;

  if (candidate == NULL || self->store == NULL || self->busy > 0)
    return;

  amount_text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->amount_entry))));
  if (!turnout_parse_amount (amount_text, &amount, &error))
    {
      /* TRANSLATORS: %s says what is wrong with the amount typed. */
      g_autofree char *message = g_strdup_printf (_("Amount: %s"), error->message);

      gtk_widget_add_css_class (GTK_WIDGET (self->amount_entry), "error");
      show_add_error (self, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->amount_entry));
      return;
    }

  turnout_registration_set_amount (candidate, amount);
  turnout_registration_set_status (candidate, add_statuses[MIN (status,
                                                                G_N_ELEMENTS (add_statuses) - 1)]);
  turnout_registration_set_ticket_type (candidate,
                                        gtk_editable_get_text (GTK_EDITABLE (self->ticket_entry)));
  show_add_error (self, NULL);
  self->busy++;
  update_actions (self);
  turnout_events_add_registration_async (self->store, candidate, self->cancellable,
                                         on_registration_added_cb, g_object_ref (self));
}

static void
turnout_events_pane_new_registration_action (GtkWidget  *widget,
                                             const char *action_name,
                                             GVariant   *parameter)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (widget);

  if (self->event != NULL)
    gtk_menu_button_popup (self->add_button);
}

/* Events: new, edit, delete ------------------------------------------------- */

static void
on_editor_saved_cb (TurnoutEventsPane *self,
                    gint64             id)
{
  reload_events (self, id);
}

static void
open_editor (TurnoutEventsPane *self,
             TurnoutEvent      *event)
{
  TurnoutEventEditor *editor;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->store == NULL)
    return;
  editor = turnout_event_editor_new (self->store, self->settings, event);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (root));
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_editor_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
turnout_events_pane_new_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  open_editor (TURNOUT_EVENTS_PANE (widget), NULL);
}

static void
turnout_events_pane_edit_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (widget);

  if (self->event != NULL)
    open_editor (self, self->event);
}

typedef struct
{
  TurnoutEventsPane *self;   /* owned */
  char              *name;
} Deletion;

static void
deletion_free (Deletion *deletion)
{
  g_object_unref (deletion->self);
  g_free (deletion->name);
  g_free (deletion);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Deletion, deletion_free)

static void
on_event_deleted_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(Deletion) deletion = user_data;
  TurnoutEventsPane *self = deletion->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!turnout_events_delete_finish (TURNOUT_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->busy--;
      update_actions (self);
      message = g_strdup_printf (_("“%s” was not deleted. %s"), deletion->name, error->message);
      add_toast (self, message, TRUE);
      reload_events (self, 0);
      return;
    }

  self->busy--;
  message = g_strdup_printf (_("“%s” was deleted"), deletion->name);
  add_toast (self, message, FALSE);
  reload_events (self, 0);
}

static void
on_delete_dialog_response_cb (AdwMessageDialog *dialog,
                              const char       *response,
                              TurnoutEventsPane *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "event-id"));
  Deletion *deletion;

  if (g_strcmp0 (response, "delete") != 0 || self->store == NULL)
    return;

  deletion = g_new0 (Deletion, 1);
  deletion->self = g_object_ref (self);
  deletion->name = g_strdup (g_object_get_data (G_OBJECT (dialog), "event-name"));
  self->busy++;
  update_actions (self);
  turnout_events_delete_async (self->store, id, self->cancellable, on_event_deleted_cb, deletion);
}

static void
turnout_events_pane_delete_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (widget);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  guint n;

  if (self->event == NULL)
    return;

  n = turnout_event_get_n_registrations (self->event);
  heading = g_strdup_printf (_("Delete “%s”?"), turnout_event_get_name (self->event));
  if (n == 0)
    body = g_strdup (_("The event has no registrations. This cannot be undone."));
  else
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Its %u registration is deleted with it, and the "
                                         "contact’s attendance and spend no longer count it. "
                                         "The contact stays. This cannot be undone.",
                                         "Its %u registrations are deleted with it, and the "
                                         "contacts’ attendance and spend no longer count them. "
                                         "The contacts stay. This cannot be undone.", n), n);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                       heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  /* The event may be chosen differently by the time the answer comes. */
  g_object_set_data (G_OBJECT (dialog), "event-id",
                     GSIZE_TO_POINTER (turnout_event_get_id (self->event)));
  g_object_set_data_full (G_OBJECT (dialog), "event-name",
                          g_strdup (turnout_event_get_name (self->event)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_dialog_response_cb), self,
                           0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Focus ------------------------------------------------------------------- */

static void
turnout_events_pane_search_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (widget);

  if (self->event != NULL && g_str_equal (action_name, "registrations.search"))
    gtk_widget_grab_focus (GTK_WIDGET (self->registration_search_entry));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->event_search_entry));
}

/* GObject ------------------------------------------------------------------ */

static void
on_settings_changed_cb (TurnoutEventsPane *self)
{
  update_amount_title (self);
  update_summary (self);
}

static void
turnout_events_pane_dispose (GObject *object)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (object);
  GCancellable **cancellables[] = {
    &self->cancellable, &self->events_cancellable, &self->registrations_cancellable,
    &self->find_cancellable,
  };

  for (guint i = 0; i < G_N_ELEMENTS (cancellables); i++)
    {
      if (*cancellables[i] != NULL)
        g_cancellable_cancel (*cancellables[i]);
      g_clear_object (cancellables[i]);
    }

  if (self->event_bindings != NULL)
    g_binding_group_set_source (self->event_bindings, NULL);
  if (self->event_signals != NULL)
    g_signal_group_set_target (self->event_signals, NULL);
  /* The bin's child is a template child: AdwBin must let go of it before
   * the template does, or it would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_EVENTS_PANE);

  g_clear_object (&self->event_bindings);
  g_clear_object (&self->event_signals);
  g_clear_object (&self->event_filter);
  g_clear_object (&self->registration_filter);
  g_clear_object (&self->event);
  g_clear_object (&self->registrations);
  g_clear_object (&self->events);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (turnout_events_pane_parent_class)->dispose (object);
}

static void
turnout_events_pane_finalize (GObject *object)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (object);

  g_free (self->event_query);
  g_free (self->registration_query);

  G_OBJECT_CLASS (turnout_events_pane_parent_class)->finalize (object);
}

static void
turnout_events_pane_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (object);

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
turnout_events_pane_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TurnoutEventsPane *self = TURNOUT_EVENTS_PANE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      turnout_events_pane_set_store (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      turnout_events_pane_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_events_pane_class_init (TurnoutEventsPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_events_pane_dispose;
  object_class->finalize = turnout_events_pane_finalize;
  object_class->get_property = turnout_events_pane_get_property;
  object_class->set_property = turnout_events_pane_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The list item templates name these types. */
  g_type_ensure (TURNOUT_TYPE_EVENT);
  g_type_ensure (TURNOUT_TYPE_REGISTRATION);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/"
                                               "turnout-events-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, main_spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, back_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, event_search_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, event_list_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, event_list_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, event_selection);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, event_filter_model);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, name_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, when_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, place_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, genres_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane,
                                        registration_search_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, add_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, registrations_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, registrations_spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane,
                                        registrations_error_page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, registrations_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, amount_column);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, registration_selection);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, registration_sort_model);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane,
                                        registration_filter_model);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, selection_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, add_popover);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, contact_search_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, contact_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, contact_hint_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, contact_selection);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, amount_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, ticket_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEventsPane, add_error_label);
  gtk_widget_class_bind_template_callback (widget_class, has_text);
  gtk_widget_class_bind_template_callback (widget_class, is_stored);
  gtk_widget_class_bind_template_callback (widget_class, existing_registration_label);
  gtk_widget_class_bind_template_callback (widget_class, status_css_classes);
  gtk_widget_class_bind_template_callback (widget_class, on_event_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_event_search_entry_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_event_filter_model_items_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_event_selection_selected_item_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_registration_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_registration_search_entry_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_registration_filter_model_items_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_registration_selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_add_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_contact_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_contact_selection_selected_item_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_amount_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_folded_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_event_list_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_add_entry_activate_cb);

  gtk_widget_class_install_action (widget_class, "events.new", NULL,
                                   turnout_events_pane_new_action);
  gtk_widget_class_install_action (widget_class, "events.edit", NULL,
                                   turnout_events_pane_edit_action);
  gtk_widget_class_install_action (widget_class, "events.delete", NULL,
                                   turnout_events_pane_delete_action);
  gtk_widget_class_install_action (widget_class, "events.search", NULL,
                                   turnout_events_pane_search_action);
  gtk_widget_class_install_action (widget_class, "registrations.search", NULL,
                                   turnout_events_pane_search_action);
  gtk_widget_class_install_action (widget_class, "registrations.confirm", NULL,
                                   turnout_events_pane_confirm_action);
  gtk_widget_class_install_action (widget_class, "registrations.cancel", NULL,
                                   turnout_events_pane_cancel_action);
  gtk_widget_class_install_action (widget_class, "registrations.attend", NULL,
                                   turnout_events_pane_attend_action);
  gtk_widget_class_install_action (widget_class, "registrations.draft", NULL,
                                   turnout_events_pane_draft_action);
  gtk_widget_class_install_action (widget_class, "registrations.new", NULL,
                                   turnout_events_pane_new_registration_action);
  gtk_widget_class_install_action (widget_class, "registrations.add", NULL,
                                   turnout_events_pane_add_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "events.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "events.edit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "registrations.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "events.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "registrations.confirm", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_x,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "registrations.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "registrations.attend", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "registrations.draft", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "registrations.new", NULL);
}

static void
turnout_events_pane_init (TurnoutEventsPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->events = g_list_store_new (TURNOUT_TYPE_EVENT);

  self->event_filter = gtk_custom_filter_new (filter_event, self, NULL);
  gtk_filter_list_model_set_filter (self->event_filter_model, GTK_FILTER (self->event_filter));
  gtk_filter_list_model_set_model (self->event_filter_model, G_LIST_MODEL (self->events));

  self->registration_filter = gtk_custom_filter_new (filter_registration, self, NULL);
  gtk_filter_list_model_set_filter (self->registration_filter_model,
                                    GTK_FILTER (self->registration_filter));
  gtk_sort_list_model_set_sorter (self->registration_sort_model,
                                  gtk_column_view_get_sorter (self->registrations_view));

  /* Typing in a list searches it. */
  gtk_search_entry_set_key_capture_widget (self->event_search_entry,
                                           GTK_WIDGET (self->event_list_view));
  gtk_search_entry_set_key_capture_widget (self->registration_search_entry,
                                           GTK_WIDGET (self->registrations_view));

  self->event_bindings = g_binding_group_new ();
  g_binding_group_bind (self->event_bindings, "name", self->name_label, "label",
                        G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->event_bindings, "when-label", self->when_label, "label",
                        G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->event_bindings, "place-label", self->place_label, "label",
                        G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->event_bindings, "genres-label", self->genres_label, "label",
                        G_BINDING_SYNC_CREATE);
  /* A line with nothing to say takes no room. */
  g_binding_group_bind_full (self->event_bindings, "place-label", self->place_label, "visible",
                             G_BINDING_SYNC_CREATE, transform_has_text, NULL, NULL, NULL);
  g_binding_group_bind_full (self->event_bindings, "genres-label", self->genres_label, "visible",
                             G_BINDING_SYNC_CREATE, transform_has_text, NULL, NULL, NULL);

  self->event_signals = g_signal_group_new (TURNOUT_TYPE_EVENT);
  g_signal_group_connect_swapped (self->event_signals, "notify::counts-label",
                                  G_CALLBACK (on_event_notify_cb), self);
  g_signal_group_connect_swapped (self->event_signals, "notify::revenue",
                                  G_CALLBACK (on_event_notify_cb), self);

  update_amount_title (self);
  update_main_stack (self);
  update_actions (self);
}

/**
 * turnout_events_pane_new:
 *
 * Returns: (transfer full): a pane with no store: set #TurnoutEventsPane:store.
 */
TurnoutEventsPane *
turnout_events_pane_new (void)
{
  return g_object_new (TURNOUT_TYPE_EVENTS_PANE, NULL);
}

TurnoutStore *
turnout_events_pane_get_store (TurnoutEventsPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENTS_PANE (self), NULL);

  return self->store;
}

/**
 * turnout_events_pane_set_store:
 * @store: (nullable): the store to show the events of
 *
 * Shows the events of @store, read on a worker; work still running for
 * the previous store is cancelled.
 */
void
turnout_events_pane_set_store (TurnoutEventsPane *self,
                               TurnoutStore      *store)
{
  g_return_if_fail (TURNOUT_IS_EVENTS_PANE (self));
  g_return_if_fail (store == NULL || TURNOUT_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  replace_cancellable (&self->cancellable);
  self->busy = 0;
  self->loaded = FALSE;
  g_list_store_remove_all (self->events);
  reload_events (self, 0);
  update_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

TurnoutSettings *
turnout_events_pane_get_settings (TurnoutEventsPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_EVENTS_PANE (self), NULL);

  return self->settings;
}

/**
 * turnout_events_pane_set_settings:
 * @settings: (nullable): for the currency and the time zone of new events
 */
void
turnout_events_pane_set_settings (TurnoutEventsPane *self,
                                  TurnoutSettings   *settings)
{
  g_return_if_fail (TURNOUT_IS_EVENTS_PANE (self));
  g_return_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    g_signal_connect_object (settings, "changed::general.currency",
                             G_CALLBACK (on_settings_changed_cb), self, G_CONNECT_SWAPPED);

  on_settings_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

/**
 * turnout_events_pane_refresh:
 *
 * Reads the events again, keeping the one selected: after an import
 * created events or registrations behind the pane's back.
 */
void
turnout_events_pane_refresh (TurnoutEventsPane *self)
{
  g_return_if_fail (TURNOUT_IS_EVENTS_PANE (self));

  reload_events (self, 0);
}
