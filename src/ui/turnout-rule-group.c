/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-rule-group"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-rule-condition.h"
#include "turnout-rule-group.h"

/*
 * A group block of the segment builder: "All of / Any of / None of" over
 * the blocks inside it, conditions and groups, nested to any depth. It is
 * a drop target: a field dragged from the palette becomes a new condition
 * where it is dropped, a block dragged from anywhere moves there, a group
 * only never into itself. What dragging does, the keyboard does too: the
 * "Add Condition" menu of each group, and Move Up/Down (Alt+↑/↓) and
 * Remove on every block.
 */

struct _TurnoutRuleGroup
{
  AdwBin                 parent_instance;

  TurnoutSegmentBuilder *builder;     /* unowned: outlives its blocks */
  gboolean               is_root;

  GtkWidget             *frame;
  GtkDropDown           *match_dropdown;
  GtkWidget             *rules_box;
  GtkWidget             *empty_label;
};

G_DEFINE_FINAL_TYPE (TurnoutRuleGroup, turnout_rule_group, ADW_TYPE_BIN)

static const char * const matches[] = { "all", "any", "none", NULL };

/* The drag's content: the block itself, for a move within the builder. */
GdkContentProvider *
turnout_rule_drag_content (GtkWidget *rule)
{
  GValue value = G_VALUE_INIT;
  GdkContentProvider *content;

  g_value_init (&value, GTK_TYPE_WIDGET);
  g_value_set_object (&value, rule);
  content = gdk_content_provider_new_for_value (&value);
  g_value_unset (&value);
  return content;
}

static void update_accessible (TurnoutRuleGroup *self);

static void
changed (TurnoutRuleGroup *self)
{
  gboolean empty = gtk_widget_get_first_child (self->rules_box) == NULL;

  gtk_widget_set_visible (self->empty_label, empty);
  update_accessible (self);
  turnout_segment_builder_changed (self->builder);
}

const char *
turnout_rule_group_get_match (TurnoutRuleGroup *self)
{
  guint selected;

  g_return_val_if_fail (TURNOUT_IS_RULE_GROUP (self), NULL);

  selected = gtk_drop_down_get_selected (self->match_dropdown);
  return matches[MIN (selected, 2)];
}

void
turnout_rule_group_set_match (TurnoutRuleGroup *self,
                              const char       *match)
{
  g_return_if_fail (TURNOUT_IS_RULE_GROUP (self));

  for (guint i = 0; matches[i] != NULL; i++)
    if (g_strcmp0 (matches[i], match) == 0)
      gtk_drop_down_set_selected (self->match_dropdown, i);
}

guint
turnout_rule_group_get_n_rules (TurnoutRuleGroup *self)
{
  guint n = 0;

  g_return_val_if_fail (TURNOUT_IS_RULE_GROUP (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (self->rules_box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

/**
 * turnout_rule_group_get_rule:
 *
 * Returns: (transfer none) (nullable): the block at @position.
 */
GtkWidget *
turnout_rule_group_get_rule (TurnoutRuleGroup *self,
                             guint             position)
{
  GtkWidget *child;

  g_return_val_if_fail (TURNOUT_IS_RULE_GROUP (self), NULL);

  for (child = gtk_widget_get_first_child (self->rules_box); child != NULL && position > 0;
       child = gtk_widget_get_next_sibling (child))
    position--;
  return child;
}

/**
 * turnout_rule_group_insert:
 * @rule: a condition or group block, in another group or in none
 * @position: where, -1 for the end
 *
 * Puts @rule into this group, taking it out of where it was.
 */
void
turnout_rule_group_insert (TurnoutRuleGroup *self,
                           GtkWidget        *rule,
                           int               position)
{
  g_autoptr(GtkWidget) keep = g_object_ref (rule);
  GtkWidget *old_group = NULL;
  GtkWidget *sibling = NULL;

  g_return_if_fail (TURNOUT_IS_RULE_GROUP (self));
  g_return_if_fail (TURNOUT_IS_RULE_CONDITION (rule) || TURNOUT_IS_RULE_GROUP (rule));

  if (gtk_widget_get_parent (rule) != NULL)
    {
      old_group = gtk_widget_get_ancestor (gtk_widget_get_parent (rule), TURNOUT_TYPE_RULE_GROUP);
      gtk_box_remove (GTK_BOX (gtk_widget_get_parent (rule)), rule);
    }
  if (position > 0)
    sibling = turnout_rule_group_get_rule (self, position - 1);
  if (position < 0)
    sibling = gtk_widget_get_last_child (self->rules_box);
  gtk_box_insert_child_after (GTK_BOX (self->rules_box), rule, sibling);
  if (old_group != NULL && old_group != GTK_WIDGET (self))
    changed (TURNOUT_RULE_GROUP (old_group));
  changed (self);
}

void
turnout_rule_group_remove (TurnoutRuleGroup *self,
                           GtkWidget        *rule)
{
  GtkWidget *focus;

  g_return_if_fail (TURNOUT_IS_RULE_GROUP (self));
  g_return_if_fail (gtk_widget_get_parent (rule) == self->rules_box);

  /* Keep the keyboard where the user was: on the next block, else the
   * group's own menu. */
  focus = gtk_widget_get_next_sibling (rule);
  if (focus == NULL)
    focus = gtk_widget_get_prev_sibling (rule);
  gtk_box_remove (GTK_BOX (self->rules_box), rule);
  if (focus != NULL)
    gtk_widget_child_focus (focus, GTK_DIR_TAB_FORWARD);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->match_dropdown));
  changed (self);
}

/**
 * turnout_rule_group_move:
 * @delta: -1 to move @rule up one place, 1 down
 *
 * Moves a block among its siblings; past the first or last place it
 * leaves this group for the group around it (the root keeps its blocks).
 */
void
turnout_rule_group_move (TurnoutRuleGroup *self,
                         GtkWidget        *rule,
                         int               delta)
{
  GtkWidget *sibling;
  GtkWidget *outer;

  g_return_if_fail (TURNOUT_IS_RULE_GROUP (self));
  g_return_if_fail (gtk_widget_get_parent (rule) == self->rules_box);

  sibling = delta < 0 ? gtk_widget_get_prev_sibling (rule) : gtk_widget_get_next_sibling (rule);
  if (sibling != NULL)
    {
      if (delta < 0)
        gtk_box_reorder_child_after (GTK_BOX (self->rules_box), rule,
                                     gtk_widget_get_prev_sibling (sibling));
      else
        gtk_box_reorder_child_after (GTK_BOX (self->rules_box), rule, sibling);
    }
  else if ((outer = gtk_widget_get_ancestor (gtk_widget_get_parent (GTK_WIDGET (self)),
                                             TURNOUT_TYPE_RULE_GROUP)) != NULL)
    {
      TurnoutRuleGroup *outer_group = TURNOUT_RULE_GROUP (outer);
      int position = 0;

      for (GtkWidget *child = gtk_widget_get_first_child (outer_group->rules_box);
           child != NULL && child != GTK_WIDGET (self); child = gtk_widget_get_next_sibling (child))
        position++;
      turnout_rule_group_insert (outer_group, rule, delta < 0 ? position : position + 1);
    }
  else
    return;
  gtk_widget_child_focus (rule, GTK_DIR_TAB_FORWARD);
  changed (self);
}

static gboolean
focus_block_cb (gpointer data)
{
  GtkWidget *block = data;
  GtkWidget *scrolled = gtk_widget_get_ancestor (block, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content;
  graphene_rect_t bounds;

  if (gtk_widget_get_root (block) == NULL)
    return G_SOURCE_REMOVE;
  /* By now the block has its place: show all of it, then type into it. */
  content = scrolled != NULL ? gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)) : NULL;
  if (content != NULL && gtk_widget_get_first_child (content) != NULL
      && gtk_widget_compute_bounds (block, gtk_widget_get_first_child (content), &bounds))
    gtk_adjustment_clamp_page (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                               bounds.origin.y, bounds.origin.y + bounds.size.height);
  gtk_widget_child_focus (block, GTK_DIR_TAB_FORWARD);
  return G_SOURCE_REMOVE;
}

/* Moves the keyboard into a block just added, once it is laid out. */
static void
focus_block_later (GtkWidget *block)
{
  g_idle_add_full (G_PRIORITY_LOW, focus_block_cb, g_object_ref (block), g_object_unref);
}

/**
 * turnout_rule_group_add_condition:
 * @field: the condition's field
 *
 * Returns: (transfer none): the new condition, at the end of the group,
 *   with the keyboard in it.
 */
GtkWidget *
turnout_rule_group_add_condition (TurnoutRuleGroup *self,
                                  const char       *field)
{
  GtkWidget *condition;

  g_return_val_if_fail (TURNOUT_IS_RULE_GROUP (self), NULL);

  condition = turnout_rule_condition_new (self->builder, field);
  turnout_rule_group_insert (self, condition, -1);
  gtk_widget_child_focus (condition, GTK_DIR_TAB_FORWARD);
  focus_block_later (condition);
  return condition;
}

/**
 * turnout_rule_group_build:
 * @json: a builder where a value goes (top level or inside an array)
 * @problem: (out) (optional): the first thing to fix, when it fails
 *
 * Adds the group as JSON: {"match": …, "rules": […]}.
 */
gboolean
turnout_rule_group_build (TurnoutRuleGroup  *self,
                          JsonBuilder       *json,
                          char             **problem)
{
  g_return_val_if_fail (TURNOUT_IS_RULE_GROUP (self), FALSE);

  json_builder_begin_object (json);
  if (self->is_root)
    {
      json_builder_set_member_name (json, "version");
      json_builder_add_int_value (json, TURNOUT_SEGMENT_VERSION);
    }
  json_builder_set_member_name (json, "match");
  json_builder_add_string_value (json, turnout_rule_group_get_match (self));
  json_builder_set_member_name (json, "rules");
  json_builder_begin_array (json);
  for (GtkWidget *child = gtk_widget_get_first_child (self->rules_box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gboolean ok = TURNOUT_IS_RULE_GROUP (child)
                    ? turnout_rule_group_build (TURNOUT_RULE_GROUP (child), json, problem)
                    : turnout_rule_condition_build (TURNOUT_RULE_CONDITION (child), json, problem);

      if (!ok)
        return FALSE;
    }
  json_builder_end_array (json);
  json_builder_end_object (json);
  return TRUE;
}

/**
 * turnout_rule_group_load:
 * @object: a group of a rule tree the core has accepted
 *
 * Replaces the group's blocks with those of @object.
 */
void
turnout_rule_group_load (TurnoutRuleGroup *self,
                         JsonObject       *object)
{
  JsonArray *rules = json_object_get_array_member (object, "rules");
  GtkWidget *child;

  g_return_if_fail (TURNOUT_IS_RULE_GROUP (self));

  while ((child = gtk_widget_get_first_child (self->rules_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->rules_box), child);
  turnout_rule_group_set_match (self, json_object_get_string_member (object, "match"));
  for (guint i = 0; i < json_array_get_length (rules); i++)
    {
      JsonObject *rule = json_array_get_object_element (rules, i);
      GtkWidget *block;

      if (json_object_has_member (rule, "match"))
        {
          block = turnout_rule_group_new (self->builder, FALSE);
          turnout_rule_group_load (TURNOUT_RULE_GROUP (block), rule);
        }
      else
        {
          block = turnout_rule_condition_new (self->builder,
                                              json_object_get_string_member (rule, "field"));
          turnout_rule_condition_load (TURNOUT_RULE_CONDITION (block), rule);
        }
      gtk_box_append (GTK_BOX (self->rules_box), block);
    }
  gtk_widget_set_visible (self->empty_label, json_array_get_length (rules) == 0);
}

/**
 * turnout_rule_group_dup_sentence:
 *
 * Returns: (transfer full): what the group's header reads as: "All of
 *   these 3 conditions".
 */
char *
turnout_rule_group_dup_sentence (TurnoutRuleGroup *self)
{
  guint n = turnout_rule_group_get_n_rules (self);
  const char *match = turnout_rule_group_get_match (self);

  if (g_str_equal (match, "any"))
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Any of these %u condition",
                                         "Any of these %u conditions", n), n);
  if (g_str_equal (match, "none"))
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "None of these %u condition",
                                         "None of these %u conditions", n), n);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "All of these %u condition",
                                       "All of these %u conditions", n), n);
}

/* Drag and drop ------------------------------------------------------------- */

/* Where a drop at @y lands: before the first block whose middle is below. */
static int
drop_position (TurnoutRuleGroup *self,
               double            y)
{
  int position = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (self->rules_box); child != NULL;
       child = gtk_widget_get_next_sibling (child), position++)
    {
      graphene_rect_t bounds;

      if (gtk_widget_compute_bounds (child, GTK_WIDGET (self), &bounds)
          && y < bounds.origin.y + bounds.size.height / 2)
        return position;
    }
  return -1;
}

static gboolean
on_drop_cb (GtkDropTarget    *target,
            const GValue     *value,
            double            x,
            double            y,
            TurnoutRuleGroup *self)
{
  int position = drop_position (self, y);

  if (G_VALUE_HOLDS_STRING (value))
    {
      const char *what = g_value_get_string (value);
      GtkWidget *block;

      if (g_str_equal (what, "group"))
        block = turnout_rule_group_new (self->builder, FALSE);
      else if (g_str_has_prefix (what, "condition:")
               && turnout_segment_list_ops (what + strlen ("condition:")) != NULL)
        block = turnout_rule_condition_new (self->builder, what + strlen ("condition:"));
      else
        return FALSE;
      turnout_rule_group_insert (self, block, position);
      gtk_widget_child_focus (block, GTK_DIR_TAB_FORWARD);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, GTK_TYPE_WIDGET))
    {
      GtkWidget *block = g_value_get_object (value);

      if (!TURNOUT_IS_RULE_CONDITION (block) && !TURNOUT_IS_RULE_GROUP (block))
        return FALSE;
      /* A group can't go inside itself. */
      if (block == GTK_WIDGET (self) || gtk_widget_is_ancestor (GTK_WIDGET (self), block))
        return FALSE;
      /* Dropped below itself in its own group: the place counts without it. */
      if (gtk_widget_get_parent (block) == self->rules_box && position >= 0)
        {
          int current = 0;

          for (GtkWidget *child = gtk_widget_get_first_child (self->rules_box);
               child != NULL && child != block; child = gtk_widget_get_next_sibling (child))
            current++;
          if (position > current)
            position--;
        }
      turnout_rule_group_insert (self, block, position);
      return TRUE;
    }
  return FALSE;
}

static GdkDragAction
on_drop_enter_cb (GtkDropTarget    *target,
                  double            x,
                  double            y,
                  TurnoutRuleGroup *self)
{
  gtk_widget_add_css_class (self->frame, "turnout-drop-here");
  return GDK_ACTION_MOVE | GDK_ACTION_COPY;
}

static void
on_drop_leave_cb (GtkDropTarget    *target,
                  TurnoutRuleGroup *self)
{
  gtk_widget_remove_css_class (self->frame, "turnout-drop-here");
}

static GdkContentProvider *
on_drag_prepare_cb (GtkDragSource    *source,
                    double            x,
                    double            y,
                    TurnoutRuleGroup *self)
{
  return turnout_rule_drag_content (GTK_WIDGET (self));
}

static void
on_drag_begin_cb (GtkDragSource    *source,
                  GdkDrag          *drag,
                  TurnoutRuleGroup *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

/* Actions ------------------------------------------------------------------- */

static void
group_add_condition (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  turnout_rule_group_add_condition (TURNOUT_RULE_GROUP (widget),
                                    g_variant_get_string (parameter, NULL));
}

static void
group_add_group (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TurnoutRuleGroup *self = TURNOUT_RULE_GROUP (widget);
  GtkWidget *group = turnout_rule_group_new (self->builder, FALSE);

  turnout_rule_group_insert (self, group, -1);
  gtk_widget_grab_focus (GTK_WIDGET (TURNOUT_RULE_GROUP (group)->match_dropdown));
  focus_block_later (group);
}

static void
rule_move (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  GtkWidget *outer = gtk_widget_get_ancestor (gtk_widget_get_parent (widget),
                                              TURNOUT_TYPE_RULE_GROUP);

  if (outer != NULL)
    turnout_rule_group_move (TURNOUT_RULE_GROUP (outer), widget,
                             g_str_equal (action_name, "rule.move-up") ? -1 : 1);
}

static void
rule_remove (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GtkWidget *outer = gtk_widget_get_ancestor (gtk_widget_get_parent (widget),
                                              TURNOUT_TYPE_RULE_GROUP);

  if (outer != NULL)
    turnout_rule_group_remove (TURNOUT_RULE_GROUP (outer), widget);
}

static void
update_accessible (TurnoutRuleGroup *self)
{
  g_autofree char *sentence = turnout_rule_group_dup_sentence (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, sentence,
                                  -1);
}

static void
on_match_changed_cb (TurnoutRuleGroup *self)
{
  update_accessible (self);
  turnout_segment_builder_changed (self->builder);
}

static void
turnout_rule_group_class_init (TurnoutRuleGroupClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "group.add-condition", "s", group_add_condition);
  gtk_widget_class_install_action (widget_class, "group.add-group", NULL, group_add_group);
  gtk_widget_class_install_action (widget_class, "rule.move-up", NULL, rule_move);
  gtk_widget_class_install_action (widget_class, "rule.move-down", NULL, rule_move);
  gtk_widget_class_install_action (widget_class, "rule.remove", NULL, rule_remove);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "rule.move-up",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK,
                                       "rule.move-down", NULL);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_css_name (widget_class, "turnout-rule-group");
}

static void
turnout_rule_group_init (TurnoutRuleGroup *self)
{
}

static GMenuModel *
add_menu (void)
{
  GMenu *menu = g_menu_new ();
  GMenu *conditions = g_menu_new ();
  const char * const *fields = turnout_segment_list_fields ();

  for (guint i = 0; fields[i] != NULL; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (turnout_segment_builder_field_label (fields[i]),
                                                   NULL);

      g_menu_item_set_action_and_target (item, "group.add-condition", "s", fields[i]);
      g_menu_append_item (conditions, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (conditions));
  g_menu_append (menu, _("Group of Conditions"), "group.add-group");
  g_object_unref (conditions);
  return G_MENU_MODEL (menu);
}

/**
 * turnout_rule_group_new:
 * @is_root: whether this is the segment's outermost group, which has no
 *   handle and can't be moved or removed
 */
GtkWidget *
turnout_rule_group_new (TurnoutSegmentBuilder *builder,
                        gboolean               is_root)
{
  const char *match_labels[] = { _("All of"), _("Any of"), _("None of"), NULL };
  g_autoptr(GMenuModel) menu = add_menu ();
  TurnoutRuleGroup *self;
  GtkDropTarget *target;
  GtkWidget *header, *label, *add_button;
  GType types[] = { G_TYPE_STRING, GTK_TYPE_WIDGET };

  g_return_val_if_fail (TURNOUT_IS_SEGMENT_BUILDER (builder), NULL);

  self = g_object_new (TURNOUT_TYPE_RULE_GROUP, NULL);
  self->builder = builder;
  self->is_root = is_root;

  self->frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->frame, "turnout-rule-group");
  if (is_root)
    gtk_widget_add_css_class (self->frame, "turnout-rule-root");
  adw_bin_set_child (ADW_BIN (self), self->frame);

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (self->frame), header);
  if (!is_root)
    {
      GtkWidget *handle = gtk_image_new_from_icon_name ("list-drag-handle-symbolic");
      GtkDragSource *drag = gtk_drag_source_new ();

      gtk_widget_add_css_class (handle, "dim-label");
      gtk_widget_set_cursor_from_name (handle, "grab");
      gtk_widget_set_tooltip_text (handle, _("Drag to move the group"));
      gtk_drag_source_set_actions (drag, GDK_ACTION_MOVE);
      g_signal_connect (drag, "prepare", G_CALLBACK (on_drag_prepare_cb), self);
      g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin_cb), self);
      gtk_widget_add_controller (handle, GTK_EVENT_CONTROLLER (drag));
      gtk_box_append (GTK_BOX (header), handle);
    }
  self->match_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (match_labels));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->match_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Match"), -1);
  g_signal_connect_swapped (self->match_dropdown, "notify::selected",
                            G_CALLBACK (on_match_changed_cb), self);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->match_dropdown));
  label = gtk_label_new (is_root ? _("these conditions match") : _("these"));
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (header), label);

  add_button = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (add_button), _("_Add Condition"));
  gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (add_button), TRUE);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (add_button), menu);
  gtk_widget_set_hexpand (add_button, TRUE);
  gtk_widget_set_halign (add_button, GTK_ALIGN_END);
  gtk_widget_add_css_class (add_button, "flat");
  gtk_box_append (GTK_BOX (header), add_button);
  if (!is_root)
    {
      GMenu *block_menu = g_menu_new ();
      GtkWidget *more = gtk_menu_button_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");

      g_menu_append (block_menu, _("Move _Up"), "rule.move-up");
      g_menu_append (block_menu, _("Move _Down"), "rule.move-down");
      g_menu_append (block_menu, _("_Remove Group"), "rule.remove");
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (more), G_MENU_MODEL (block_menu));
      gtk_widget_add_css_class (more, "flat");
      gtk_widget_set_tooltip_text (more, _("Move or Remove"));
      gtk_box_append (GTK_BOX (header), more);
      g_object_unref (block_menu);

      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "rule.remove");
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_add_css_class (remove, "circular");
      gtk_widget_set_tooltip_text (remove, _("Remove Group"));
      gtk_box_append (GTK_BOX (header), remove);
    }

  self->rules_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->rules_box, "turnout-rule-list");
  gtk_box_append (GTK_BOX (self->frame), self->rules_box);
  self->empty_label = gtk_label_new (is_root
                                     ? _("Drag conditions here from the list on the left, or use Add Condition. With no conditions, the segment is everyone.")
                                     : _("Drag conditions into this group, or use Add Condition."));
  gtk_label_set_wrap (GTK_LABEL (self->empty_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->empty_label), 0);
  gtk_widget_add_css_class (self->empty_label, "dim-label");
  gtk_widget_add_css_class (self->empty_label, "turnout-rule-empty");
  gtk_box_append (GTK_BOX (self->frame), self->empty_label);

  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_MOVE | GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect (target, "drop", G_CALLBACK (on_drop_cb), self);
  g_signal_connect (target, "enter", G_CALLBACK (on_drop_enter_cb), self);
  g_signal_connect (target, "leave", G_CALLBACK (on_drop_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  update_accessible (self);
  return GTK_WIDGET (self);
}
