/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-bitset-selection"

#include "config.h"

#include "turnout-bitset-selection.h"

/*
 * A multiple selection that keeps only the positions selected, never the
 * items. GTK 4.8's GtkMultiSelection asks its model for every item it
 * selects and keeps a reference to each (to follow them when the model
 * changes): selecting all of a million contacts would read a million rows
 * and keep them all, which the paged contact list exists to avoid. Here a
 * change of the model drops the selection of the rows it removes and moves
 * the rest, as GtkMultiSelection does from GTK 4.12 on.
 */

struct _TurnoutBitsetSelection
{
  GObject     parent_instance;

  GListModel *model;      /* owned */
  GtkBitset  *selected;   /* owned */
};

static void turnout_bitset_selection_list_model_init      (GListModelInterface        *iface);
static void turnout_bitset_selection_selection_model_init (GtkSelectionModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TurnoutBitsetSelection, turnout_bitset_selection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      turnout_bitset_selection_list_model_init)
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SELECTION_MODEL,
                                                      turnout_bitset_selection_selection_model_init))

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
turnout_bitset_selection_get_item_type (GListModel *list)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (list);

  return g_list_model_get_item_type (self->model);
}

static guint
turnout_bitset_selection_get_n_items (GListModel *list)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (list);

  return g_list_model_get_n_items (self->model);
}

static gpointer
turnout_bitset_selection_get_item (GListModel *list,
                                   guint       position)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (list);

  return g_list_model_get_item (self->model, position);
}

static void
turnout_bitset_selection_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = turnout_bitset_selection_get_item_type;
  iface->get_n_items = turnout_bitset_selection_get_n_items;
  iface->get_item = turnout_bitset_selection_get_item;
}

static gboolean
turnout_bitset_selection_is_selected (GtkSelectionModel *model,
                                      guint              position)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (model);

  return gtk_bitset_contains (self->selected, position);
}

static GtkBitset *
turnout_bitset_selection_get_selection_in_range (GtkSelectionModel *model,
                                                 guint              position,
                                                 guint              n_items)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (model);
  GtkBitset *range = gtk_bitset_new_range (position, n_items);

  gtk_bitset_intersect (range, self->selected);
  return range;
}

static gboolean
turnout_bitset_selection_set_selection (GtkSelectionModel *model,
                                        GtkBitset         *selected,
                                        GtkBitset         *mask)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (model);
  g_autoptr(GtkBitset) changes = gtk_bitset_copy (self->selected);
  guint n_items = g_list_model_get_n_items (self->model);
  guint min;
  guint max;

  /* The positions of @mask whose state differs from @selected's. */
  gtk_bitset_difference (changes, selected);
  gtk_bitset_intersect (changes, mask);
  if (n_items == 0)
    gtk_bitset_remove_all (changes);
  else
    gtk_bitset_remove_range_closed (changes, n_items, G_MAXUINT);
  if (gtk_bitset_is_empty (changes))
    return TRUE;

  min = gtk_bitset_get_minimum (changes);
  max = gtk_bitset_get_maximum (changes);
  gtk_bitset_difference (self->selected, changes);
  gtk_selection_model_selection_changed (model, min, max - min + 1);
  return TRUE;
}

static gboolean
turnout_bitset_selection_select_all (GtkSelectionModel *model)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (model);
  guint n_items = g_list_model_get_n_items (self->model);
  g_autoptr(GtkBitset) all = gtk_bitset_new_range (0, n_items);

  return turnout_bitset_selection_set_selection (model, all, all);
}

static gboolean
turnout_bitset_selection_unselect_all (GtkSelectionModel *model)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (model);
  guint n_items = g_list_model_get_n_items (self->model);
  g_autoptr(GtkBitset) none = gtk_bitset_new_empty ();
  g_autoptr(GtkBitset) all = gtk_bitset_new_range (0, n_items);

  return turnout_bitset_selection_set_selection (model, none, all);
}

static void
turnout_bitset_selection_selection_model_init (GtkSelectionModelInterface *iface)
{
  iface->is_selected = turnout_bitset_selection_is_selected;
  iface->get_selection_in_range = turnout_bitset_selection_get_selection_in_range;
  iface->set_selection = turnout_bitset_selection_set_selection;
  iface->select_all = turnout_bitset_selection_select_all;
  iface->unselect_all = turnout_bitset_selection_unselect_all;
}

static void
on_model_items_changed_cb (TurnoutBitsetSelection *self,
                           guint                   position,
                           guint                   removed,
                           guint                   added)
{
  gtk_bitset_splice (self->selected, position, removed, added);
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
turnout_bitset_selection_dispose (GObject *object)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (turnout_bitset_selection_parent_class)->dispose (object);
}

static void
turnout_bitset_selection_finalize (GObject *object)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (object);

  gtk_bitset_unref (self->selected);

  G_OBJECT_CLASS (turnout_bitset_selection_parent_class)->finalize (object);
}

static void
turnout_bitset_selection_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_bitset_selection_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  TurnoutBitsetSelection *self = TURNOUT_BITSET_SELECTION (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_object (value);
      g_signal_connect_swapped (self->model, "items-changed",
                                G_CALLBACK (on_model_items_changed_cb), self);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_bitset_selection_class_init (TurnoutBitsetSelectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_bitset_selection_dispose;
  object_class->finalize = turnout_bitset_selection_finalize;
  object_class->get_property = turnout_bitset_selection_get_property;
  object_class->set_property = turnout_bitset_selection_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
turnout_bitset_selection_init (TurnoutBitsetSelection *self)
{
  self->selected = gtk_bitset_new_empty ();
}

/**
 * turnout_bitset_selection_new:
 * @model: (transfer none): the list to select from
 *
 * Returns: (transfer full): a multiple selection over @model
 */
TurnoutBitsetSelection *
turnout_bitset_selection_new (GListModel *model)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  return g_object_new (TURNOUT_TYPE_BITSET_SELECTION, "model", model, NULL);
}

GListModel *
turnout_bitset_selection_get_model (TurnoutBitsetSelection *self)
{
  g_return_val_if_fail (TURNOUT_IS_BITSET_SELECTION (self), NULL);

  return self->model;
}
