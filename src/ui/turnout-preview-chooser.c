/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-preview-chooser"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-contact.h"
#include "turnout-event.h"
#include "turnout-events.h"
#include "turnout-registration.h"
#include "turnout-preview-chooser.h"
#include "turnout-segments.h"
#include "turnout-store.h"

/*
 * Whom a template preview is for: a contact, found by name, email or phone
 * number, and the event the message is about (or the contact's own next
 * event). It starts with the first contact by name, so a preview shows a
 * real person at once, and reads the chosen contact's values on a worker;
 * "changed" says a new recipient is ready.
 */

#define FOUND_LIMIT 12

struct _TurnoutPreviewChooser
{
  AdwBin            parent_instance;

  TurnoutStore     *store;              /* owned, nullable */
  GCancellable     *cancellable;        /* owned: the recipient read */
  GCancellable     *store_cancellable;  /* owned: the first contact and the events */
  GCancellable     *find_cancellable;   /* owned: the search */
  TurnoutRecipient *recipient;          /* owned, nullable */
  GListStore       *events;             /* owned: TurnoutEvent; item 0 unused */
  gint64            contact_id;
  gint64            event_id;

  GtkMenuButton    *contact_button;
  GtkPopover       *popover;
  GtkSearchEntry   *search_entry;
  GtkListBox       *found_list;
  GtkDropDown      *event_dropdown;
};

G_DEFINE_FINAL_TYPE (TurnoutPreviewChooser, turnout_preview_chooser, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
replace_cancellable (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
}

static void
on_recipient_ready_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(TurnoutPreviewChooser) self = user_data;
  g_autoptr(GError) error = NULL;
  TurnoutRecipient *recipient = turnout_recipient_load_finish (TURNOUT_STORE (object), result,
                                                               &error);
  g_autofree char *name = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_pointer (&self->recipient, turnout_recipient_free);
  self->recipient = recipient;
  if (recipient != NULL)
    name = turnout_recipient_dup_name (recipient);
  gtk_menu_button_set_label (self->contact_button,
                             name != NULL ? name : _("Choose a Contact"));
  if (error != NULL)
    g_warning ("Could not read the preview contact: %s", error->message);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
load_recipient (TurnoutPreviewChooser *self)
{
  replace_cancellable (&self->cancellable);
  if (self->store == NULL || self->contact_id <= 0)
    {
      g_clear_pointer (&self->recipient, turnout_recipient_free);
      gtk_menu_button_set_label (self->contact_button, _("Choose a Contact"));
      g_signal_emit (self, signals[CHANGED], 0);
      return;
    }
  turnout_recipient_load_async (self->store, self->contact_id, self->event_id, self->cancellable,
                                on_recipient_ready_cb, g_object_ref (self));
}

static void
on_first_contact_ready_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(TurnoutPreviewChooser) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) contacts = turnout_segments_sample_contacts_finish (TURNOUT_STORE (object),
                                                                            result, &error);
  g_autoptr(TurnoutContact) contact = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (contacts != NULL && g_list_model_get_n_items (contacts) > 0 && self->contact_id == 0)
    {
      contact = g_list_model_get_item (contacts, 0);
      self->contact_id = turnout_contact_get_id (contact);
    }
  load_recipient (self);
}

static void
on_events_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TurnoutPreviewChooser) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) events = turnout_events_list_finish (TURNOUT_STORE (object), result, &error);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || events == NULL)
    return;
  /* The first item stands for "their next event". */
  g_ptr_array_add (items, turnout_event_new ());
  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    g_ptr_array_add (items, g_list_model_get_item (events, i));
  g_list_store_splice (self->events, 0, g_list_model_get_n_items (G_LIST_MODEL (self->events)),
                       items->pdata, items->len);
  for (guint i = 0; i < items->len; i++)
    if (turnout_event_get_id (g_ptr_array_index (items, i)) == self->event_id)
      gtk_drop_down_set_selected (self->event_dropdown, i);
}

static char *
event_label (TurnoutEvent *event)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;

  if (event == NULL || turnout_event_get_id (event) == 0)
    return g_strdup (_("Their next event"));
  when = g_date_time_new_from_unix_local (turnout_event_get_starts_at (event));
  date = g_date_time_format (when, _("%-d %b %Y"));
  return g_strdup_printf (_("%s, %s"), turnout_event_get_name (event), date);
}

static void
on_event_selected_cb (TurnoutPreviewChooser *self)
{
  TurnoutEvent *event = gtk_drop_down_get_selected_item (self->event_dropdown);
  gint64 id = event != NULL ? turnout_event_get_id (event) : 0;

  if (id == self->event_id)
    return;
  self->event_id = id;
  load_recipient (self);
}

static void
on_found_ready_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TurnoutPreviewChooser) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) found = turnout_events_find_contacts_finish (TURNOUT_STORE (object), result,
                                                                     &error);
  GtkWidget *child;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->found_list))) != NULL)
    gtk_list_box_remove (self->found_list, child);
  for (guint i = 0; found != NULL && i < g_list_model_get_n_items (found); i++)
    {
      g_autoptr(TurnoutRegistration) candidate = g_list_model_get_item (found, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_markup_escape_text (turnout_registration_get_contact_name (candidate), -1);
      g_autofree char *detail = g_markup_escape_text (turnout_registration_get_contact_detail (candidate), -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), detail);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "turnout-contact-id",
                         GSIZE_TO_POINTER ((gsize) turnout_registration_get_contact_id (candidate)));
      gtk_list_box_append (self->found_list, row);
    }
}

static void
on_search_changed_cb (TurnoutPreviewChooser *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  replace_cancellable (&self->find_cancellable);
  if (self->store == NULL)
    return;
  turnout_events_find_contacts_async (self->store, 0, query, FOUND_LIMIT, self->find_cancellable,
                                      on_found_ready_cb, g_object_ref (self));
}

static void
on_found_activated_cb (TurnoutPreviewChooser *self,
                       GtkListBoxRow         *row)
{
  gint64 id = (gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "turnout-contact-id"));

  gtk_popover_popdown (self->popover);
  turnout_preview_chooser_set_contact_id (self, id);
}

static void
on_search_activate_cb (TurnoutPreviewChooser *self)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->found_list, 0);

  if (first != NULL)
    on_found_activated_cb (self, first);
}

static void
turnout_preview_chooser_dispose (GObject *object)
{
  TurnoutPreviewChooser *self = TURNOUT_PREVIEW_CHOOSER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->find_cancellable != NULL)
    g_cancellable_cancel (self->find_cancellable);
  if (self->store_cancellable != NULL)
    g_cancellable_cancel (self->store_cancellable);
  g_clear_object (&self->store_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->find_cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->recipient, turnout_recipient_free);
  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (turnout_preview_chooser_parent_class)->dispose (object);
}

static void
turnout_preview_chooser_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TurnoutPreviewChooser *self = TURNOUT_PREVIEW_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_preview_chooser_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TurnoutPreviewChooser *self = TURNOUT_PREVIEW_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      turnout_preview_chooser_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_preview_chooser_class_init (TurnoutPreviewChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_preview_chooser_dispose;
  object_class->get_property = turnout_preview_chooser_get_property;
  object_class->set_property = turnout_preview_chooser_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TurnoutPreviewChooser::changed:
   *
   * Another recipient is ready (or none is, when there are no contacts).
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
turnout_preview_chooser_init (TurnoutPreviewChooser *self)
{
  GtkWidget *box, *popover_box, *scrolled, *label;
  GtkExpression *expression;

  self->cancellable = g_cancellable_new ();
  self->find_cancellable = g_cancellable_new ();
  self->events = g_list_store_new (TURNOUT_TYPE_EVENT);

  /* Stacked, so a narrow preview column still fits it. */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  adw_bin_set_child (ADW_BIN (self), box);
  label = gtk_label_new (_("For this contact and event:"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);

  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text", _("Name, email or phone"), NULL);
  g_signal_connect_swapped (self->search_entry, "search-changed",
                            G_CALLBACK (on_search_changed_cb), self);
  g_signal_connect_swapped (self->search_entry, "activate", G_CALLBACK (on_search_activate_cb),
                            self);
  self->found_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->found_list), "boxed-list");
  gtk_list_box_set_placeholder (self->found_list,
                                gtk_label_new (_("Type to find a contact")));
  g_signal_connect_swapped (self->found_list, "row-activated", G_CALLBACK (on_found_activated_cb),
                            self);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->found_list));
  popover_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_size_request (popover_box, 320, -1);
  gtk_box_append (GTK_BOX (popover_box), GTK_WIDGET (self->search_entry));
  gtk_box_append (GTK_BOX (popover_box), scrolled);
  self->popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->popover, popover_box);
  gtk_popover_set_default_widget (self->popover, GTK_WIDGET (self->search_entry));

  self->contact_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_label (self->contact_button, _("Choose a Contact"));
  gtk_menu_button_set_popover (self->contact_button, GTK_WIDGET (self->popover));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->contact_button),
                               _("The contact whose message is shown"));
  gtk_widget_set_halign (GTK_WIDGET (self->contact_button), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->contact_button));

  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (event_label), NULL, NULL);
  self->event_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, expression));
  gtk_drop_down_set_model (self->event_dropdown, G_LIST_MODEL (self->events));
  gtk_drop_down_set_enable_search (self->event_dropdown, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->event_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("The event of the preview"), -1);
  g_signal_connect_swapped (self->event_dropdown, "notify::selected",
                            G_CALLBACK (on_event_selected_cb), self);
  gtk_widget_set_halign (GTK_WIDGET (self->event_dropdown), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->event_dropdown));
}

GtkWidget *
turnout_preview_chooser_new (void)
{
  return g_object_new (TURNOUT_TYPE_PREVIEW_CHOOSER, NULL);
}

void
turnout_preview_chooser_set_store (TurnoutPreviewChooser *self,
                                   TurnoutStore          *store)
{
  g_autoptr(TurnoutSegment) everyone = NULL;

  g_return_if_fail (TURNOUT_IS_PREVIEW_CHOOSER (self));

  if (!g_set_object (&self->store, store))
    return;
  self->contact_id = 0;
  self->event_id = 0;
  g_list_store_remove_all (self->events);
  replace_cancellable (&self->cancellable);
  replace_cancellable (&self->store_cancellable);
  if (store != NULL)
    {
      everyone = turnout_segment_new_preset ("all", -1, NULL);
      turnout_segments_sample_contacts_async (store, everyone, 1, NULL, self->store_cancellable,
                                              on_first_contact_ready_cb, g_object_ref (self));
      turnout_events_list_async (store, self->store_cancellable, on_events_ready_cb,
                                 g_object_ref (self));
    }
  else
    load_recipient (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/**
 * turnout_preview_chooser_set_contact_id:
 *
 * Previews for the contact @contact_id (read on a worker; "changed" follows).
 */
void
turnout_preview_chooser_set_contact_id (TurnoutPreviewChooser *self,
                                        gint64                 contact_id)
{
  g_return_if_fail (TURNOUT_IS_PREVIEW_CHOOSER (self));

  self->contact_id = contact_id;
  load_recipient (self);
}

/**
 * turnout_preview_chooser_get_recipient:
 *
 * Returns: (transfer none) (nullable): the contact previewed, with the
 *   event, or %NULL before one is read.
 */
TurnoutRecipient *
turnout_preview_chooser_get_recipient (TurnoutPreviewChooser *self)
{
  g_return_val_if_fail (TURNOUT_IS_PREVIEW_CHOOSER (self), NULL);

  return self->recipient;
}
