/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-segment-builder"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-event.h"
#include "turnout-rule-condition.h"
#include "turnout-rule-group.h"
#include "turnout-segment-builder.h"

/*
 * The segment builder: a palette of condition blocks on the left, dragged
 * (or activated with Enter) into the rule tree on the right, whose outer
 * group is the segment. The blocks are the state; the builder turns them
 * into the core's rule tree when asked, and says "changed" on every edit
 * so the pane can count again.
 *
 * It holds the lists the blocks' choosers show (events, tags, saved
 * segments), filled by the pane from the store.
 */

struct _TurnoutSegmentBuilder
{
  AdwBin            parent_instance;

  GListStore       *events;          /* owned: TurnoutEvent */
  GtkStringList    *tags;            /* owned */
  GtkStringList    *segment_names;   /* owned */
  char             *currency;
  TurnoutRuleGroup *root;            /* owned by the widget tree */
  gboolean          loading;         /* no "changed" while a segment is shown */
  GtkListBox       *palette;
};

G_DEFINE_FINAL_TYPE (TurnoutSegmentBuilder, turnout_segment_builder, ADW_TYPE_BIN)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const struct
{
  const char *field;
  const char *label;
  const char *icon;
} catalogue[] = {
  { "tags", N_("Tag or genre"), "bookmark-new-symbolic" },
  { "events_attended", N_("Events attended"), "emblem-ok-symbolic" },
  { "total_spend", N_("Total spend"), "accessories-calculator-symbolic" },
  { "last_event", N_("Last event"), "document-open-recent-symbolic" },
  { "first_event", N_("First event"), "go-first-symbolic" },
  { "registered_for", N_("Registered for"), "x-office-calendar-symbolic" },
  { "attended", N_("Attended"), "x-office-calendar-symbolic" },
  { "upcoming_registration", N_("Upcoming registration"), "alarm-symbolic" },
  { "confirmed_registration", N_("Confirmed a registration"), "object-select-symbolic" },
  { "cancelled_registration", N_("Cancelled a registration"), "edit-clear-symbolic" },
  { "city", N_("City"), "mark-location-symbolic" },
  { "time_zone", N_("Time zone"), "preferences-system-time-symbolic" },
  { "sms_consent", N_("SMS consent"), "mail-send-symbolic" },
  { "email_consent", N_("Email consent"), "mail-unread-symbolic" },
  { "has_phone", N_("Has a phone number"), "phone-symbolic" },
  { "has_email", N_("Has an email address"), "mail-message-new-symbolic" },
  { "created", N_("Contact added"), "contact-new-symbolic" },
  { "in_segment", N_("In segment"), "folder-saved-search-symbolic" },
};

/**
 * turnout_segment_builder_field_label:
 *
 * Returns: the field's name for people, translated.
 */
const char *
turnout_segment_builder_field_label (const char *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (catalogue); i++)
    if (g_str_equal (catalogue[i].field, field))
      return _(catalogue[i].label);
  return field;
}

const char *
turnout_segment_builder_field_icon (const char *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (catalogue); i++)
    if (g_str_equal (catalogue[i].field, field))
      return catalogue[i].icon;
  return "list-add-symbolic";
}

/**
 * turnout_segment_builder_changed:
 *
 * For the blocks: says the rules changed.
 */
void
turnout_segment_builder_changed (TurnoutSegmentBuilder *self)
{
  g_return_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self));

  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static GdkContentProvider *
on_palette_drag_prepare_cb (GtkDragSource *source,
                            double         x,
                            double         y,
                            GtkWidget     *row)
{
  const char *what = g_object_get_data (G_OBJECT (row), "turnout-what");

  return gdk_content_provider_new_typed (G_TYPE_STRING, what);
}

static void
on_palette_drag_begin_cb (GtkDragSource *source,
                          GdkDrag       *drag,
                          GtkWidget     *row)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

/* Enter (or a click) on a palette block adds it to the end of the segment. */
static void
on_palette_row_activated_cb (TurnoutSegmentBuilder *self,
                             GtkListBoxRow         *row)
{
  const char *what = g_object_get_data (G_OBJECT (row), "turnout-what");

  if (g_str_equal (what, "group"))
    gtk_widget_activate_action (GTK_WIDGET (self->root), "group.add-group", NULL);
  else
    turnout_rule_group_add_condition (self->root, what + strlen ("condition:"));
}

static void
add_palette_row (TurnoutSegmentBuilder *self,
                 const char            *what,
                 const char            *label,
                 const char            *icon)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkDragSource *drag = gtk_drag_source_new ();
  g_autofree char *description = NULL;

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon));
  gtk_box_append (GTK_BOX (box), gtk_label_new (label));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "turnout-what", g_strdup (what), g_free);
  description = g_strdup_printf (_("Drag “%s” into the rules, or press Enter to add it"), label);
  gtk_widget_set_tooltip_text (row, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  g_signal_connect (drag, "prepare", G_CALLBACK (on_palette_drag_prepare_cb), row);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_palette_drag_begin_cb), row);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (drag));
  gtk_list_box_append (self->palette, row);
}

static void
turnout_segment_builder_dispose (GObject *object)
{
  TurnoutSegmentBuilder *self = TURNOUT_SEGMENT_BUILDER (object);

  /* The blocks refer to the lists: they go first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_object (&self->events);
  g_clear_object (&self->tags);
  g_clear_object (&self->segment_names);
  g_clear_pointer (&self->currency, g_free);

  G_OBJECT_CLASS (turnout_segment_builder_parent_class)->dispose (object);
}

static void
turnout_segment_builder_class_init (TurnoutSegmentBuilderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_segment_builder_dispose;

  /**
   * TurnoutSegmentBuilder::changed:
   *
   * The user changed the rules (not emitted by turnout_segment_builder_set_segment()).
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
turnout_segment_builder_init (TurnoutSegmentBuilder *self)
{
  GtkWidget *paned, *side, *title, *scrolled, *rules_scrolled;

  self->events = g_list_store_new (TURNOUT_TYPE_EVENT);
  self->tags = gtk_string_list_new (NULL);
  self->segment_names = gtk_string_list_new (NULL);

  paned = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  adw_bin_set_child (ADW_BIN (self), paned);

  side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (side, "turnout-palette");
  title = gtk_label_new (_("Conditions"));
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_margin_start (title, 12);
  gtk_widget_set_margin_top (title, 12);
  gtk_widget_set_margin_bottom (title, 6);
  gtk_box_append (GTK_BOX (side), title);
  self->palette = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->palette, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->palette), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->palette), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Conditions to add"), -1);
  g_signal_connect_swapped (self->palette, "row-activated",
                            G_CALLBACK (on_palette_row_activated_cb), self);
  for (guint i = 0; i < G_N_ELEMENTS (catalogue); i++)
    {
      g_autofree char *what = g_strconcat ("condition:", catalogue[i].field, NULL);

      add_palette_row (self, what, _(catalogue[i].label), catalogue[i].icon);
    }
  add_palette_row (self, "group", _("Group of conditions"), "view-list-symbolic");
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->palette));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (side), scrolled);
  gtk_box_append (GTK_BOX (paned), side);
  gtk_box_append (GTK_BOX (paned), gtk_separator_new (GTK_ORIENTATION_VERTICAL));

  self->root = TURNOUT_RULE_GROUP (turnout_rule_group_new (self, TRUE));
  gtk_widget_set_margin_start (GTK_WIDGET (self->root), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->root), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->root), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->root), 12);
  rules_scrolled = gtk_scrolled_window_new ();
  /* Blocks fit the width; a long tree scrolls down, never sideways. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (rules_scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (rules_scrolled), GTK_WIDGET (self->root));
  gtk_widget_set_hexpand (rules_scrolled, TRUE);
  gtk_widget_set_vexpand (rules_scrolled, TRUE);
  gtk_box_append (GTK_BOX (paned), rules_scrolled);
}

GtkWidget *
turnout_segment_builder_new (void)
{
  return g_object_new (TURNOUT_TYPE_SEGMENT_BUILDER, NULL);
}

/**
 * turnout_segment_builder_set_segment:
 * @segment: (nullable): the rules to show; %NULL for none (everyone)
 */
void
turnout_segment_builder_set_segment (TurnoutSegmentBuilder *self,
                                     TurnoutSegment        *segment)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  g_return_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self));

  json = segment != NULL ? turnout_segment_to_json (segment)
                         : g_strdup ("{\"version\":1,\"match\":\"all\",\"rules\":[]}");
  root = json_from_string (json, NULL);
  self->loading = TRUE;
  turnout_rule_group_load (self->root, json_node_get_object (root));
  self->loading = FALSE;
}

/**
 * turnout_segment_builder_dup_segment:
 * @problem: (out) (optional): what to fix first, when the rules are not
 *   complete ("Choose the event for “Attended”")
 *
 * Returns: (transfer full) (nullable): the rules as they stand.
 */
TurnoutSegment *
turnout_segment_builder_dup_segment (TurnoutSegmentBuilder  *self,
                                     char                  **problem)
{
  g_autoptr(JsonBuilder) json = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  TurnoutSegment *segment;

  g_return_val_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self), NULL);

  if (!turnout_rule_group_build (self->root, json, problem))
    return NULL;
  root = json_builder_get_root (json);
  text = json_to_string (root, FALSE);
  segment = turnout_segment_new_from_json (text, &error);
  if (segment == NULL && problem != NULL)
    *problem = g_strdup (error->message);
  return segment;
}

/**
 * turnout_segment_builder_get_events:
 *
 * Returns: (transfer none): the events the event choosers offer.
 */
GListModel *
turnout_segment_builder_get_events (TurnoutSegmentBuilder *self)
{
  g_return_val_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self), NULL);

  return G_LIST_MODEL (self->events);
}

/**
 * turnout_segment_builder_set_events:
 * @events: a #GListModel of #TurnoutEvent
 */
void
turnout_segment_builder_set_events (TurnoutSegmentBuilder *self,
                                    GListModel            *events)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self));

  for (guint i = 0; events != NULL && i < g_list_model_get_n_items (events); i++)
    g_ptr_array_add (items, g_list_model_get_item (events, i));
  g_list_store_splice (self->events, 0, g_list_model_get_n_items (G_LIST_MODEL (self->events)),
                       items->pdata, items->len);
}

GListModel *
turnout_segment_builder_get_tags (TurnoutSegmentBuilder *self)
{
  g_return_val_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self), NULL);

  return G_LIST_MODEL (self->tags);
}

void
turnout_segment_builder_set_tags (TurnoutSegmentBuilder *self,
                                  const char * const    *tags)
{
  g_return_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self));

  gtk_string_list_splice (self->tags, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tags)),
                          tags);
}

GListModel *
turnout_segment_builder_get_segment_names (TurnoutSegmentBuilder *self)
{
  g_return_val_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self), NULL);

  return G_LIST_MODEL (self->segment_names);
}

void
turnout_segment_builder_set_segment_names (TurnoutSegmentBuilder *self,
                                           const char * const    *names)
{
  g_return_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self));

  gtk_string_list_splice (self->segment_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->segment_names)), names);
}

const char *
turnout_segment_builder_get_currency (TurnoutSegmentBuilder *self)
{
  g_return_val_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self), NULL);

  return self->currency;
}

/**
 * turnout_segment_builder_set_currency:
 * @currency: (nullable): the code shown beside amounts ("EUR")
 *
 * Applies to blocks made from now on.
 */
void
turnout_segment_builder_set_currency (TurnoutSegmentBuilder *self,
                                      const char            *currency)
{
  g_return_if_fail (TURNOUT_IS_SEGMENT_BUILDER (self));

  g_free (self->currency);
  self->currency = g_strdup (currency);
}
