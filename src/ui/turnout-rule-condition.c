/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-rule-condition"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-event.h"
#include "turnout-rule-condition.h"
#include "turnout-rule-group.h"

/*
 * One condition block of the segment builder: "Events attended · is at
 * least · 2". Its widgets are the editable state; building walks them into
 * the rule JSON of turnout-segment.h, loading sets them from it. The
 * operators offered are the ones the core accepts for the field, so the
 * two can't drift apart. The block's widgets are made in code because
 * they differ for every kind of field; the frame is the same for all.
 *
 * Every change emits nothing itself: it tells the builder, which debounces
 * the live count. The block's accessible label is the sentence it reads as
 * ("Events attended is at least 2"), kept up to date.
 */

typedef enum
{
  EDIT_TAGS,
  EDIT_COUNT,
  EDIT_MONEY,
  EDIT_DATE,
  EDIT_EVENT,
  EDIT_UPCOMING,
  EDIT_WINDOW,
  EDIT_TEXT,
  EDIT_CONSENT,
  EDIT_BOOLEAN,
  EDIT_SEGMENT,
} Editor;

struct _TurnoutRuleCondition
{
  AdwBin                 parent_instance;

  TurnoutSegmentBuilder *builder;        /* unowned: outlives its blocks */
  char                  *field;
  Editor                 editor;
  const char * const    *ops;            /* from the core */
  gint64                 event_id;       /* the event chosen, kept while the list loads */
  char                  *segment_name;   /* the same for a segment */
  GDate                  date;
  gboolean               loading;
  gboolean               built;          /* all widgets made */

  GtkWidget             *box;
  GtkWidget             *handle;
  GtkDropDown           *op_dropdown;
  GtkWidget             *value_entry;    /* tags, city, time zone */
  GtkSpinButton         *low_spin;
  GtkLabel              *and_label;
  GtkSpinButton         *high_spin;
  GtkLabel              *unit_label;     /* "days", "days ago" */
  GtkMenuButton         *date_button;
  GtkCalendar           *calendar;
  GtkDropDown           *choice_dropdown;/* consent, yes/no, status */
  GtkDropDown           *event_dropdown;
  GtkDropDown           *segment_dropdown;
};

G_DEFINE_FINAL_TYPE (TurnoutRuleCondition, turnout_rule_condition, ADW_TYPE_BIN)

static const char * const consent_values[] = { "opted_in", "opted_out", "unknown", NULL };
static const char * const status_values[] = {
  "", "registered", "attended", "cancelled", "draft", NULL
};

static Editor
editor_for_field (const char *field)
{
  static const struct { const char *field; Editor editor; } editors[] = {
    { "tags", EDIT_TAGS },
    { "events_attended", EDIT_COUNT },
    { "total_spend", EDIT_MONEY },
    { "first_event", EDIT_DATE },
    { "last_event", EDIT_DATE },
    { "created", EDIT_DATE },
    { "registered_for", EDIT_EVENT },
    { "attended", EDIT_EVENT },
    { "upcoming_registration", EDIT_UPCOMING },
    { "cancelled_registration", EDIT_WINDOW },
    { "confirmed_registration", EDIT_WINDOW },
    { "city", EDIT_TEXT },
    { "time_zone", EDIT_TEXT },
    { "sms_consent", EDIT_CONSENT },
    { "email_consent", EDIT_CONSENT },
    { "has_phone", EDIT_BOOLEAN },
    { "has_email", EDIT_BOOLEAN },
    { "in_segment", EDIT_SEGMENT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (editors); i++)
    if (g_str_equal (editors[i].field, field))
      return editors[i].editor;
  g_return_val_if_reached (EDIT_TEXT);
}

/* How an operator reads for this kind of field. */
static const char *
op_label (Editor      editor,
          const char *op)
{
  if (editor == EDIT_TAGS)
    {
      if (g_str_equal (op, "any"))
        return _("has any of");
      if (g_str_equal (op, "all"))
        return _("has all of");
      return _("has none of");
    }
  if (editor == EDIT_UPCOMING)
    return g_str_equal (op, "any") ? _("at any time") : _("within the next");
  if (editor == EDIT_WINDOW)
    return _("within the last");
  if (g_str_equal (op, "eq") || g_str_equal (op, "is"))
    return _("is");
  if (g_str_equal (op, "ne") || g_str_equal (op, "is_not"))
    return _("is not");
  if (g_str_equal (op, "gte"))
    return _("is at least");
  if (g_str_equal (op, "lte"))
    return _("is at most");
  if (g_str_equal (op, "between"))
    return _("is between");
  if (g_str_equal (op, "before"))
    return _("is before");
  if (g_str_equal (op, "after"))
    return _("is after");
  if (g_str_equal (op, "on"))
    return _("is on");
  if (g_str_equal (op, "within_days"))
    return _("is within the last");
  if (g_str_equal (op, "more_than_days_ago"))
    return _("is more than");
  return op;
}

static const char *
get_op (TurnoutRuleCondition *self)
{
  guint selected = gtk_drop_down_get_selected (self->op_dropdown);

  if (selected == GTK_INVALID_LIST_POSITION || selected >= g_strv_length ((char **) self->ops))
    return self->ops[0];
  return self->ops[selected];
}

static void update (TurnoutRuleCondition *self);

static void
on_changed (TurnoutRuleCondition *self)
{
  if (!self->built)
    return;
  update (self);
  if (!self->loading)
    turnout_segment_builder_changed (self->builder);
}

static char *
format_money (double amount)
{
  return g_strdup_printf ("%.2f", amount);
}

static char *
dup_value_text (TurnoutRuleCondition *self)
{
  const char *op = get_op (self);
  int low = self->low_spin != NULL ? gtk_spin_button_get_value_as_int (self->low_spin) : 0;
  int high = self->high_spin != NULL ? gtk_spin_button_get_value_as_int (self->high_spin) : 0;

  switch (self->editor)
    {
    case EDIT_TAGS:
    case EDIT_TEXT:
      return g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->value_entry)));
    case EDIT_COUNT:
      if (g_str_equal (op, "between"))
        /* TRANSLATORS: a range of numbers, "2 and 5". */
        return g_strdup_printf (_("%d and %d"), low, high);
      return g_strdup_printf ("%d", low);
    case EDIT_MONEY:
      {
        g_autofree char *a = format_money (gtk_spin_button_get_value (self->low_spin));
        g_autofree char *b = format_money (gtk_spin_button_get_value (self->high_spin));

        if (g_str_equal (op, "between"))
          return g_strdup_printf (_("%s and %s"), a, b);
        return g_steal_pointer (&a);
      }
    case EDIT_DATE:
      if (g_str_equal (op, "within_days"))
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", low), low);
      if (g_str_equal (op, "more_than_days_ago"))
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", low),
                                low);
      {
        char text[64];

        /* TRANSLATORS: a date as strftime writes it, such as "15 June 2026". */
        g_date_strftime (text, sizeof text, _("%-d %B %Y"), &self->date);
        return g_strdup (text);
      }
    case EDIT_UPCOMING:
      if (g_str_equal (op, "any"))
        return g_strdup ("");
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", low), low);
    case EDIT_WINDOW:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", low), low);
    case EDIT_CONSENT:
    case EDIT_BOOLEAN:
      {
        GtkStringObject *item = gtk_drop_down_get_selected_item (self->choice_dropdown);

        return g_strdup (item != NULL ? gtk_string_object_get_string (item) : "");
      }
    case EDIT_EVENT:
      {
        TurnoutEvent *event = gtk_drop_down_get_selected_item (self->event_dropdown);
        GtkStringObject *status = self->choice_dropdown != NULL
                                  ? gtk_drop_down_get_selected_item (self->choice_dropdown) : NULL;

        if (event == NULL)
          return g_strdup (_("an event not chosen yet"));
        if (status != NULL && gtk_drop_down_get_selected (self->choice_dropdown) > 0)
          return g_strdup_printf ("%s (%s)", turnout_event_get_name (event),
                                  gtk_string_object_get_string (status));
        return g_strdup (turnout_event_get_name (event));
      }
    case EDIT_SEGMENT:
      return g_strdup (self->segment_name != NULL ? self->segment_name : _("a segment not chosen yet"));
    default:
      g_return_val_if_reached (g_strdup (""));
    }
}

/**
 * turnout_rule_condition_dup_sentence:
 *
 * Returns: (transfer full): the condition in words, as a screen reader
 *   reads it: "Events attended is at least 2".
 */
char *
turnout_rule_condition_dup_sentence (TurnoutRuleCondition *self)
{
  g_autofree char *value = dup_value_text (self);
  const char *label = turnout_segment_builder_field_label (self->field);

  g_return_val_if_fail (TURNOUT_IS_RULE_CONDITION (self), NULL);

  if (self->editor == EDIT_BOOLEAN || self->editor == EDIT_SEGMENT)
    /* TRANSLATORS: a condition such as "Has an email address: yes". */
    return g_strdup_printf (_("%s: %s"), label, value);
  if (*value == '\0')
    return g_strdup_printf ("%s %s", label, op_label (self->editor, get_op (self)));
  /* TRANSLATORS: a condition as a sentence: field, operator, value, such
   * as "Events attended is at least 2". */
  return g_strdup_printf (_("%s %s %s"), label, op_label (self->editor, get_op (self)), value);
}

/* Shows the value widgets the operator needs and reads the block aloud. */
static void
update (TurnoutRuleCondition *self)
{
  const char *op = get_op (self);
  g_autofree char *sentence = NULL;
  gboolean days = FALSE;

  if (!self->built)
    return;

  switch (self->editor)
    {
    case EDIT_COUNT:
    case EDIT_MONEY:
      gtk_widget_set_visible (GTK_WIDGET (self->and_label), g_str_equal (op, "between"));
      gtk_widget_set_visible (GTK_WIDGET (self->high_spin), g_str_equal (op, "between"));
      break;
    case EDIT_DATE:
      days = g_str_equal (op, "within_days") || g_str_equal (op, "more_than_days_ago");
      gtk_widget_set_visible (GTK_WIDGET (self->low_spin), days);
      gtk_widget_set_visible (GTK_WIDGET (self->unit_label), days);
      gtk_widget_set_visible (GTK_WIDGET (self->date_button), !days);
      gtk_label_set_text (self->unit_label,
                          g_str_equal (op, "more_than_days_ago") ? _("days ago") : _("days"));
      if (!days)
        {
          char text[64];

          g_date_strftime (text, sizeof text, _("%-d %B %Y"), &self->date);
          gtk_menu_button_set_label (self->date_button, text);
        }
      break;
    case EDIT_UPCOMING:
      gtk_widget_set_visible (GTK_WIDGET (self->low_spin), !g_str_equal (op, "any"));
      gtk_widget_set_visible (GTK_WIDGET (self->unit_label), !g_str_equal (op, "any"));
      break;
    case EDIT_EVENT:
      {
        TurnoutEvent *event = gtk_drop_down_get_selected_item (self->event_dropdown);

        if (event != NULL)
          self->event_id = turnout_event_get_id (event);
      }
      break;
    case EDIT_SEGMENT:
      {
        GtkStringObject *item = gtk_drop_down_get_selected_item (self->segment_dropdown);

        if (item != NULL)
          {
            g_free (self->segment_name);
            self->segment_name = g_strdup (gtk_string_object_get_string (item));
          }
      }
      break;
    case EDIT_TAGS:
    case EDIT_WINDOW:
    case EDIT_TEXT:
    case EDIT_CONSENT:
    case EDIT_BOOLEAN:
    default:
      break;
    }

  sentence = turnout_rule_condition_dup_sentence (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, sentence,
                                  -1);
  gtk_widget_set_tooltip_text (self->handle, sentence);
}

/* Widgets ----------------------------------------------------------------- */

static GtkSpinButton *
add_spin (TurnoutRuleCondition *self,
          double                upper,
          int                   digits,
          const char           *accessible_label)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, upper,
                                                                         digits > 0 ? 1 : 1));

  gtk_spin_button_set_digits (spin, digits);
  gtk_spin_button_set_numeric (spin, TRUE);
  gtk_widget_set_valign (GTK_WIDGET (spin), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_label, -1);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (on_changed), self);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (spin));
  return spin;
}

static GtkLabel *
add_label (TurnoutRuleCondition *self,
           const char           *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (self->box), label);
  return GTK_LABEL (label);
}

static GtkDropDown *
add_choice (TurnoutRuleCondition *self,
            const char * const   *labels,
            const char           *accessible_label)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (labels));

  gtk_widget_set_valign (GTK_WIDGET (dropdown), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_label, -1);
  g_signal_connect_swapped (dropdown, "notify::selected", G_CALLBACK (on_changed), self);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (dropdown));
  return dropdown;
}

static void
on_calendar_day_selected_cb (TurnoutRuleCondition *self)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->calendar);

  g_date_set_dmy (&self->date, g_date_time_get_day_of_month (date),
                  g_date_time_get_month (date), g_date_time_get_year (date));
  on_changed (self);
}

static void
calendar_select (TurnoutRuleCondition *self)
{
  g_autoptr(GDateTime) date = g_date_time_new_local (g_date_get_year (&self->date),
                                                     g_date_get_month (&self->date),
                                                     g_date_get_day (&self->date), 12, 0, 0);

  gtk_calendar_select_day (self->calendar, date);
}

/* Tags are typed comma-separated; completion offers known tags for the
 * word being typed and replaces only that word. */
static gboolean
tag_match_func (GtkEntryCompletion *completion,
                const char         *key,
                GtkTreeIter        *iter,
                gpointer            user_data)
{
  g_autofree char *tag = NULL;
  g_autofree char *tag_folded = NULL;
  g_autofree char *word_folded = NULL;
  const char *word = strrchr (key, ',');

  word = word != NULL ? word + 1 : key;
  while (*word == ' ')
    word++;
  if (*word == '\0')
    return FALSE;
  gtk_tree_model_get (gtk_entry_completion_get_model (completion), iter, 0, &tag, -1);
  if (tag == NULL)
    return FALSE;
  tag_folded = g_utf8_casefold (tag, -1);
  word_folded = g_utf8_casefold (word, -1);
  return g_str_has_prefix (tag_folded, word_folded);
}

static gboolean
on_tag_match_selected_cb (GtkEntryCompletion *completion,
                          GtkTreeModel       *model,
                          GtkTreeIter        *iter,
                          gpointer            user_data)
{
  TurnoutRuleCondition *self = user_data;
  GtkEditable *editable = GTK_EDITABLE (self->value_entry);
  const char *text = gtk_editable_get_text (editable);
  const char *comma = strrchr (text, ',');
  g_autofree char *tag = NULL;
  g_autofree char *kept = comma != NULL ? g_strndup (text, comma - text + 1) : g_strdup ("");
  g_autofree char *replaced = NULL;

  gtk_tree_model_get (model, iter, 0, &tag, -1);
  replaced = g_strdup_printf ("%s%s%s, ", kept, comma != NULL ? " " : "", tag);
  gtk_editable_set_text (editable, replaced);
  gtk_editable_set_position (editable, -1);
  return TRUE;
}

static void
refresh_tag_completion (TurnoutRuleCondition *self)
{
  GtkEntryCompletion *completion = gtk_entry_get_completion (GTK_ENTRY (self->value_entry));
  GListModel *tags = turnout_segment_builder_get_tags (self->builder);
  GtkListStore *store = gtk_list_store_new (1, G_TYPE_STRING);

  for (guint i = 0; i < g_list_model_get_n_items (tags); i++)
    {
      g_autoptr(GtkStringObject) tag = g_list_model_get_item (tags, i);

      gtk_list_store_insert_with_values (store, NULL, -1, 0, gtk_string_object_get_string (tag), -1);
    }
  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (store));
  g_object_unref (store);
}

static void
select_event (TurnoutRuleCondition *self)
{
  GListModel *events = turnout_segment_builder_get_events (self->builder);

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(TurnoutEvent) event = g_list_model_get_item (events, i);

      if (turnout_event_get_id (event) == self->event_id)
        {
          gtk_drop_down_set_selected (self->event_dropdown, i);
          return;
        }
    }
  gtk_drop_down_set_selected (self->event_dropdown, GTK_INVALID_LIST_POSITION);
}

static void
select_segment (TurnoutRuleCondition *self)
{
  GListModel *names = turnout_segment_builder_get_segment_names (self->builder);

  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    {
      g_autoptr(GtkStringObject) name = g_list_model_get_item (names, i);

      if (g_strcmp0 (gtk_string_object_get_string (name), self->segment_name) == 0)
        {
          gtk_drop_down_set_selected (self->segment_dropdown, i);
          return;
        }
    }
  gtk_drop_down_set_selected (self->segment_dropdown, GTK_INVALID_LIST_POSITION);
}

/* The lists behind the choosers are replaced when the store is read again:
 * keep what was chosen, without it counting as an edit. */
static void
on_events_changed_cb (TurnoutRuleCondition *self)
{
  gboolean loading = self->loading;

  self->loading = TRUE;
  select_event (self);
  self->loading = loading;
  update (self);
}

static void
on_segment_names_changed_cb (TurnoutRuleCondition *self)
{
  gboolean loading = self->loading;
  g_autofree char *name = g_strdup (self->segment_name);

  self->loading = TRUE;
  select_segment (self);
  if (gtk_drop_down_get_selected (self->segment_dropdown) == GTK_INVALID_LIST_POSITION)
    {
      g_free (self->segment_name);
      self->segment_name = g_steal_pointer (&name);
    }
  self->loading = loading;
  update (self);
}

static char *
event_label (TurnoutEvent *event)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;

  if (event == NULL)
    return g_strdup ("");
  when = g_date_time_new_from_unix_local (turnout_event_get_starts_at (event));
  /* TRANSLATORS: an event's date in the event chooser, as strftime writes it. */
  date = g_date_time_format (when, _("%-d %b %Y"));
  /* TRANSLATORS: an event in the event chooser: its name and date. */
  return g_strdup_printf (_("%s, %s"), turnout_event_get_name (event), date);
}

/* Event names can be long: shown ellipsized, in full on hover. */
static void
on_event_item_setup_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 30);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
on_event_item_bind_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item)
{
  g_autofree char *text = event_label (gtk_list_item_get_item (item));
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_set_tooltip_text (label, text);
}

static void
build_value_widgets (TurnoutRuleCondition *self)
{
  const char *label = turnout_segment_builder_field_label (self->field);

  switch (self->editor)
    {
    case EDIT_TAGS:
    case EDIT_TEXT:
      self->value_entry = gtk_entry_new ();
      gtk_widget_set_valign (self->value_entry, GTK_ALIGN_CENTER);
      gtk_widget_set_hexpand (self->value_entry, TRUE);
      gtk_editable_set_width_chars (GTK_EDITABLE (self->value_entry), 14);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->value_entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      if (self->editor == EDIT_TAGS)
        {
          GtkEntryCompletion *completion = gtk_entry_completion_new ();

          gtk_entry_completion_set_text_column (completion, 0);
          gtk_entry_completion_set_match_func (completion, tag_match_func, NULL, NULL);
          g_signal_connect (completion, "match-selected", G_CALLBACK (on_tag_match_selected_cb),
                            self);
          gtk_entry_set_completion (GTK_ENTRY (self->value_entry), completion);
          g_object_unref (completion);
          gtk_entry_set_placeholder_text (GTK_ENTRY (self->value_entry),
                                          _("techno, house, VIP"));
          refresh_tag_completion (self);
          g_signal_connect_object (turnout_segment_builder_get_tags (self->builder),
                                   "items-changed", G_CALLBACK (refresh_tag_completion), self,
                                   G_CONNECT_SWAPPED);
        }
      else
        gtk_entry_set_placeholder_text (GTK_ENTRY (self->value_entry),
                                        g_str_equal (self->field, "time_zone")
                                        ? _("Europe/London") : _("City"));
      g_signal_connect_swapped (self->value_entry, "changed", G_CALLBACK (on_changed), self);
      gtk_box_append (GTK_BOX (self->box), self->value_entry);
      break;

    case EDIT_COUNT:
    case EDIT_MONEY:
      {
        int digits = self->editor == EDIT_MONEY ? 2 : 0;
        double upper = self->editor == EDIT_MONEY ? 1e9 : 100000;

        self->low_spin = add_spin (self, upper, digits, label);
        /* TRANSLATORS: between two numbers, "between 2 and 5". */
        self->and_label = add_label (self, _("and"));
        self->high_spin = add_spin (self, upper, digits, _("Upper bound"));
        gtk_spin_button_set_value (self->low_spin, self->editor == EDIT_MONEY ? 0 : 1);
        gtk_spin_button_set_value (self->high_spin, self->editor == EDIT_MONEY ? 100 : 5);
        if (self->editor == EDIT_MONEY)
          {
            const char *currency = turnout_segment_builder_get_currency (self->builder);

            if (currency != NULL)
              add_label (self, currency);
          }
      }
      break;

    case EDIT_DATE:
      {
        GtkWidget *popover = gtk_popover_new ();

        self->calendar = GTK_CALENDAR (gtk_calendar_new ());
        gtk_popover_set_child (GTK_POPOVER (popover), GTK_WIDGET (self->calendar));
        self->date_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
        gtk_menu_button_set_popover (self->date_button, popover);
        gtk_widget_set_valign (GTK_WIDGET (self->date_button), GTK_ALIGN_CENTER);
        gtk_accessible_update_property (GTK_ACCESSIBLE (self->date_button),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Date"), -1);
        gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->date_button));
        calendar_select (self);
        g_signal_connect_swapped (self->calendar, "day-selected",
                                  G_CALLBACK (on_calendar_day_selected_cb), self);
        self->low_spin = add_spin (self, 100000, 0, _("Number of days"));
        gtk_spin_button_set_value (self->low_spin, 90);
        self->unit_label = add_label (self, _("days"));
      }
      break;

    case EDIT_UPCOMING:
    case EDIT_WINDOW:
      self->low_spin = add_spin (self, 100000, 0, _("Number of days"));
      gtk_spin_button_set_value (self->low_spin, 30);
      self->unit_label = add_label (self, _("days"));
      break;

    case EDIT_CONSENT:
      {
        const char *labels[] = { _("opted in"), _("opted out"), _("not asked yet"), NULL };

        self->choice_dropdown = add_choice (self, labels, label);
      }
      break;

    case EDIT_BOOLEAN:
      {
        const char *labels[] = { _("yes"), _("no"), NULL };

        self->choice_dropdown = add_choice (self, labels, label);
      }
      break;

    case EDIT_EVENT:
      {
        GtkExpression *expression;
        GtkListItemFactory *factory;

        /* The expression is what the search matches. */
        expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                  G_CALLBACK (event_label), NULL, NULL);
        self->event_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, expression));
        factory = gtk_signal_list_item_factory_new ();
        g_signal_connect (factory, "setup", G_CALLBACK (on_event_item_setup_cb), NULL);
        g_signal_connect (factory, "bind", G_CALLBACK (on_event_item_bind_cb), NULL);
        gtk_drop_down_set_factory (self->event_dropdown, factory);
        g_object_unref (factory);
        gtk_drop_down_set_enable_search (self->event_dropdown, TRUE);
        gtk_widget_add_css_class (GTK_WIDGET (self->event_dropdown), "turnout-event-chooser");
        gtk_drop_down_set_model (self->event_dropdown,
                                 turnout_segment_builder_get_events (self->builder));
        gtk_drop_down_set_selected (self->event_dropdown, GTK_INVALID_LIST_POSITION);
        gtk_widget_set_valign (GTK_WIDGET (self->event_dropdown), GTK_ALIGN_CENTER);
        gtk_accessible_update_property (GTK_ACCESSIBLE (self->event_dropdown),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Event"), -1);
        g_signal_connect_swapped (self->event_dropdown, "notify::selected",
                                  G_CALLBACK (on_changed), self);
        g_signal_connect_object (turnout_segment_builder_get_events (self->builder),
                                 "items-changed", G_CALLBACK (on_events_changed_cb), self,
                                 G_CONNECT_SWAPPED);
        gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->event_dropdown));
        if (g_str_equal (self->field, "registered_for"))
          {
            const char *labels[] = {
              _("with any status"), _("registered"), _("attended"), _("cancelled"), _("draft"),
              NULL
            };

            self->choice_dropdown = add_choice (self, labels, _("Registration status"));
          }
      }
      break;

    case EDIT_SEGMENT:
      self->segment_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
      gtk_drop_down_set_model (self->segment_dropdown,
                               turnout_segment_builder_get_segment_names (self->builder));
      gtk_drop_down_set_selected (self->segment_dropdown, GTK_INVALID_LIST_POSITION);
      gtk_widget_set_valign (GTK_WIDGET (self->segment_dropdown), GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->segment_dropdown),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Segment"), -1);
      g_signal_connect_swapped (self->segment_dropdown, "notify::selected",
                                G_CALLBACK (on_changed), self);
      g_signal_connect_object (turnout_segment_builder_get_segment_names (self->builder),
                               "items-changed", G_CALLBACK (on_segment_names_changed_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->segment_dropdown));
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Building and loading ------------------------------------------------------ */

static void
add_amount (JsonBuilder *json,
            double       value)
{
  json_builder_add_int_value (json, (gint64) (value * 100.0 + 0.5));
}

/**
 * turnout_rule_condition_build:
 * @json: a builder inside an array
 * @problem: (out) (optional): what is missing, for the user, when it fails
 *
 * Adds the condition as the JSON object turnout-segment.h defines.
 *
 * Returns: %FALSE, adding nothing, when a value is missing or wrong.
 */
gboolean
turnout_rule_condition_build (TurnoutRuleCondition  *self,
                              JsonBuilder           *json,
                              char                 **problem)
{
  const char *op = get_op (self);
  const char *label = turnout_segment_builder_field_label (self->field);
  g_autofree char *text = NULL;

  g_return_val_if_fail (TURNOUT_IS_RULE_CONDITION (self), FALSE);

  /* Check first, so a failure adds nothing. */
  if (self->value_entry != NULL)
    {
      text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->value_entry))));
      if (self->editor == EDIT_TAGS)
        {
          g_auto(GStrv) parts = g_strsplit (text, ",", -1);
          gboolean any = FALSE;

          for (guint i = 0; parts[i] != NULL; i++)
            any |= *g_strstrip (parts[i]) != '\0';
          if (!any)
            {
              if (problem != NULL)
                *problem = g_strdup (_("Type at least one tag or genre"));
              return FALSE;
            }
        }
      else if (*text == '\0')
        {
          if (problem != NULL)
            /* TRANSLATORS: %s is a condition such as "City". */
            *problem = g_strdup_printf (_("Fill in “%s”"), label);
          return FALSE;
        }
    }
  if (self->editor == EDIT_EVENT && self->event_id <= 0)
    {
      if (problem != NULL)
        *problem = g_strdup_printf (_("Choose the event for “%s”"), label);
      return FALSE;
    }
  if (self->editor == EDIT_SEGMENT && self->segment_name == NULL)
    {
      if (problem != NULL)
        *problem = g_strdup (_("Choose the segment for “In segment”"));
      return FALSE;
    }
  if ((self->editor == EDIT_COUNT || self->editor == EDIT_MONEY) && g_str_equal (op, "between")
      && gtk_spin_button_get_value (self->low_spin) > gtk_spin_button_get_value (self->high_spin))
    {
      if (problem != NULL)
        *problem = g_strdup_printf (_("In “%s”, the first number is larger than the second"),
                                    label);
      return FALSE;
    }

  json_builder_begin_object (json);
  json_builder_set_member_name (json, "field");
  json_builder_add_string_value (json, self->field);
  json_builder_set_member_name (json, "op");
  json_builder_add_string_value (json, op);

  switch (self->editor)
    {
    case EDIT_TAGS:
      {
        g_auto(GStrv) parts = g_strsplit (text, ",", -1);

        json_builder_set_member_name (json, "value");
        json_builder_begin_array (json);
        for (guint i = 0; parts[i] != NULL; i++)
          if (*g_strstrip (parts[i]) != '\0')
            json_builder_add_string_value (json, parts[i]);
        json_builder_end_array (json);
      }
      break;
    case EDIT_TEXT:
      json_builder_set_member_name (json, "value");
      json_builder_add_string_value (json, text);
      break;
    case EDIT_COUNT:
    case EDIT_MONEY:
      json_builder_set_member_name (json, "value");
      if (g_str_equal (op, "between"))
        json_builder_begin_array (json);
      if (self->editor == EDIT_MONEY)
        add_amount (json, gtk_spin_button_get_value (self->low_spin));
      else
        json_builder_add_int_value (json, gtk_spin_button_get_value_as_int (self->low_spin));
      if (g_str_equal (op, "between"))
        {
          if (self->editor == EDIT_MONEY)
            add_amount (json, gtk_spin_button_get_value (self->high_spin));
          else
            json_builder_add_int_value (json, gtk_spin_button_get_value_as_int (self->high_spin));
          json_builder_end_array (json);
        }
      break;
    case EDIT_DATE:
      json_builder_set_member_name (json, "value");
      if (g_str_equal (op, "within_days") || g_str_equal (op, "more_than_days_ago"))
        json_builder_add_int_value (json, gtk_spin_button_get_value_as_int (self->low_spin));
      else
        {
          g_autofree char *date = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&self->date),
                                                   g_date_get_month (&self->date),
                                                   g_date_get_day (&self->date));
          json_builder_add_string_value (json, date);
        }
      break;
    case EDIT_UPCOMING:
      if (g_str_equal (op, "any"))
        break;
      G_GNUC_FALLTHROUGH;
    case EDIT_WINDOW:
      json_builder_set_member_name (json, "value");
      json_builder_add_int_value (json, gtk_spin_button_get_value_as_int (self->low_spin));
      break;
    case EDIT_CONSENT:
      json_builder_set_member_name (json, "value");
      json_builder_add_string_value (json, consent_values[MIN (gtk_drop_down_get_selected (self->choice_dropdown), 2)]);
      break;
    case EDIT_BOOLEAN:
      json_builder_set_member_name (json, "value");
      json_builder_add_boolean_value (json, gtk_drop_down_get_selected (self->choice_dropdown) != 1);
      break;
    case EDIT_EVENT:
      json_builder_set_member_name (json, "value");
      json_builder_add_int_value (json, self->event_id);
      if (self->choice_dropdown != NULL)
        {
          guint status = gtk_drop_down_get_selected (self->choice_dropdown);

          if (status > 0 && status < g_strv_length ((char **) status_values))
            {
              json_builder_set_member_name (json, "status");
              json_builder_add_string_value (json, status_values[status]);
            }
        }
      break;
    case EDIT_SEGMENT:
      json_builder_set_member_name (json, "value");
      json_builder_add_string_value (json, self->segment_name);
      break;
    default:
      g_assert_not_reached ();
    }
  json_builder_end_object (json);
  return TRUE;
}

static guint
index_of (const char * const *values,
          const char         *value)
{
  for (guint i = 0; values[i] != NULL; i++)
    if (g_strcmp0 (values[i], value) == 0)
      return i;
  return 0;
}

static void
load_date (TurnoutRuleCondition *self,
           const char           *text)
{
  int y, m, d;

  if (text != NULL && sscanf (text, "%d-%d-%d", &y, &m, &d) == 3 && g_date_valid_dmy (d, m, y))
    {
      g_date_set_dmy (&self->date, d, m, y);
      calendar_select (self);
    }
}

/**
 * turnout_rule_condition_load:
 * @object: a condition of a rule tree the core has accepted
 *
 * Sets the block's widgets from @object, without counting as an edit.
 */
void
turnout_rule_condition_load (TurnoutRuleCondition *self,
                             JsonObject           *object)
{
  JsonNode *value = json_object_get_member (object, "value");
  const char *op = json_object_get_string_member (object, "op");

  g_return_if_fail (TURNOUT_IS_RULE_CONDITION (self));

  self->loading = TRUE;
  gtk_drop_down_set_selected (self->op_dropdown, index_of (self->ops, op));
  switch (self->editor)
    {
    case EDIT_TAGS:
      {
        JsonArray *tags = json_node_get_array (value);
        g_autoptr(GString) text = g_string_new (NULL);

        for (guint i = 0; i < json_array_get_length (tags); i++)
          g_string_append_printf (text, "%s%s", i > 0 ? ", " : "",
                                  json_array_get_string_element (tags, i));
        gtk_editable_set_text (GTK_EDITABLE (self->value_entry), text->str);
      }
      break;
    case EDIT_TEXT:
      gtk_editable_set_text (GTK_EDITABLE (self->value_entry), json_node_get_string (value));
      break;
    case EDIT_COUNT:
    case EDIT_MONEY:
      {
        double scale = self->editor == EDIT_MONEY ? 100.0 : 1.0;

        if (JSON_NODE_HOLDS_ARRAY (value))
          {
            JsonArray *range = json_node_get_array (value);

            gtk_spin_button_set_value (self->low_spin,
                                       json_array_get_int_element (range, 0) / scale);
            gtk_spin_button_set_value (self->high_spin,
                                       json_array_get_int_element (range, 1) / scale);
          }
        else
          gtk_spin_button_set_value (self->low_spin, json_node_get_int (value) / scale);
      }
      break;
    case EDIT_DATE:
      if (json_node_get_value_type (value) == G_TYPE_STRING)
        load_date (self, json_node_get_string (value));
      else
        gtk_spin_button_set_value (self->low_spin, json_node_get_int (value));
      break;
    case EDIT_UPCOMING:
    case EDIT_WINDOW:
      if (value != NULL)
        gtk_spin_button_set_value (self->low_spin, json_node_get_int (value));
      break;
    case EDIT_CONSENT:
      gtk_drop_down_set_selected (self->choice_dropdown,
                                  index_of (consent_values, json_node_get_string (value)));
      break;
    case EDIT_BOOLEAN:
      gtk_drop_down_set_selected (self->choice_dropdown, json_node_get_boolean (value) ? 0 : 1);
      break;
    case EDIT_EVENT:
      self->event_id = json_node_get_int (value);
      select_event (self);
      if (self->choice_dropdown != NULL)
        gtk_drop_down_set_selected (self->choice_dropdown,
                                    index_of (status_values,
                                              json_object_get_string_member_with_default (object,
                                                                                          "status",
                                                                                          "")));
      break;
    case EDIT_SEGMENT:
      g_free (self->segment_name);
      self->segment_name = g_strdup (json_node_get_string (value));
      on_segment_names_changed_cb (self);
      break;
    default:
      g_assert_not_reached ();
    }
  self->loading = FALSE;
  update (self);
}

/* The block ----------------------------------------------------------------- */

static void
rule_move_up (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  GtkWidget *group = gtk_widget_get_ancestor (gtk_widget_get_parent (widget),
                                              TURNOUT_TYPE_RULE_GROUP);

  turnout_rule_group_move (TURNOUT_RULE_GROUP (group), widget,
                           g_str_equal (action_name, "rule.move-up") ? -1 : 1);
}

static void
rule_remove (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GtkWidget *group = gtk_widget_get_ancestor (gtk_widget_get_parent (widget),
                                              TURNOUT_TYPE_RULE_GROUP);

  turnout_rule_group_remove (TURNOUT_RULE_GROUP (group), widget);
}

static GdkContentProvider *
on_drag_prepare_cb (GtkDragSource        *source,
                    double                x,
                    double                y,
                    TurnoutRuleCondition *self)
{
  return turnout_rule_drag_content (GTK_WIDGET (self));
}

static void
on_drag_begin_cb (GtkDragSource        *source,
                  GdkDrag              *drag,
                  TurnoutRuleCondition *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static void
turnout_rule_condition_dispose (GObject *object)
{
  TurnoutRuleCondition *self = TURNOUT_RULE_CONDITION (object);

  g_clear_pointer (&self->field, g_free);
  g_clear_pointer (&self->segment_name, g_free);

  G_OBJECT_CLASS (turnout_rule_condition_parent_class)->dispose (object);
}

static void
turnout_rule_condition_class_init (TurnoutRuleConditionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_rule_condition_dispose;

  gtk_widget_class_install_action (widget_class, "rule.move-up", NULL, rule_move_up);
  gtk_widget_class_install_action (widget_class, "rule.move-down", NULL, rule_move_up);
  gtk_widget_class_install_action (widget_class, "rule.remove", NULL, rule_remove);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "rule.move-up",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK,
                                       "rule.move-down", NULL);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_css_name (widget_class, "turnout-rule-condition");
}

static void
turnout_rule_condition_init (TurnoutRuleCondition *self)
{
  g_date_clear (&self->date, 1);
}

static GMenuModel *
block_menu (void)
{
  GMenu *menu = g_menu_new ();

  g_menu_append (menu, _("Move _Up"), "rule.move-up");
  g_menu_append (menu, _("Move _Down"), "rule.move-down");
  g_menu_append (menu, _("_Remove"), "rule.remove");
  return G_MENU_MODEL (menu);
}

/**
 * turnout_rule_condition_new:
 * @builder: the builder the block belongs to (for its choosers' lists)
 * @field: a field of turnout_segment_list_fields()
 */
GtkWidget *
turnout_rule_condition_new (TurnoutSegmentBuilder *builder,
                            const char            *field)
{
  TurnoutRuleCondition *self;
  g_autoptr(GtkStringList) op_labels = gtk_string_list_new (NULL);
  g_autoptr(GMenuModel) menu = block_menu ();
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  GtkDragSource *drag;
  GtkWidget *frame, *header, *title, *menu_button, *remove;

  g_return_val_if_fail (TURNOUT_IS_SEGMENT_BUILDER (builder), NULL);
  g_return_val_if_fail (turnout_segment_list_ops (field) != NULL, NULL);

  self = g_object_new (TURNOUT_TYPE_RULE_CONDITION, NULL);
  self->builder = builder;
  self->field = g_strdup (field);
  self->editor = editor_for_field (field);
  self->ops = turnout_segment_list_ops (field);
  g_date_set_dmy (&self->date, g_date_time_get_day_of_month (today),
                  g_date_time_get_month (today), g_date_time_get_year (today));

  /* Two rows, so a block fits a narrow window: what it is (with its
   * handle and buttons), then the comparison and the value. */
  frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_add_css_class (frame, "card");
  gtk_widget_add_css_class (frame, "turnout-rule-block");
  adw_bin_set_child (ADW_BIN (self), frame);
  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (frame), header);
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (self->box, 22);
  gtk_box_append (GTK_BOX (frame), self->box);

  /* The handle is what is dragged; the rest of the block stays usable for
   * selecting text and spinning numbers. */
  self->handle = gtk_image_new_from_icon_name ("list-drag-handle-symbolic");
  gtk_widget_add_css_class (self->handle, "dim-label");
  gtk_widget_set_cursor_from_name (self->handle, "grab");
  drag = gtk_drag_source_new ();
  gtk_drag_source_set_actions (drag, GDK_ACTION_MOVE);
  g_signal_connect (drag, "prepare", G_CALLBACK (on_drag_prepare_cb), self);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin_cb), self);
  gtk_widget_add_controller (self->handle, GTK_EVENT_CONTROLLER (drag));
  gtk_box_append (GTK_BOX (header), self->handle);

  title = gtk_label_new (turnout_segment_builder_field_label (field));
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (header), title);

  menu_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), menu);
  gtk_widget_add_css_class (menu_button, "flat");
  gtk_widget_set_valign (menu_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (menu_button, _("Move or Remove (Alt+↑, Alt+↓)"));
  gtk_box_append (GTK_BOX (header), menu_button);

  remove = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "rule.remove");
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove Condition"));
  gtk_box_append (GTK_BOX (header), remove);

  for (guint i = 0; self->ops[i] != NULL; i++)
    gtk_string_list_append (op_labels, op_label (self->editor, self->ops[i]));
  self->op_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (op_labels)),
                                                        NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->op_dropdown), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->op_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comparison"), -1);
  /* One operator (such as “is” for yes/no fields) needs no choice. */
  gtk_widget_set_visible (GTK_WIDGET (self->op_dropdown), g_strv_length ((char **) self->ops) > 1);
  if (self->editor == EDIT_DATE)
    gtk_drop_down_set_selected (self->op_dropdown, index_of (self->ops, "within_days"));
  if (self->editor == EDIT_COUNT || self->editor == EDIT_MONEY)
    gtk_drop_down_set_selected (self->op_dropdown, index_of (self->ops, "gte"));
  g_signal_connect_swapped (self->op_dropdown, "notify::selected", G_CALLBACK (on_changed), self);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->op_dropdown));

  build_value_widgets (self);
  self->built = TRUE;

  update (self);
  return GTK_WIDGET (self);
}

const char *
turnout_rule_condition_get_field (TurnoutRuleCondition *self)
{
  g_return_val_if_fail (TURNOUT_IS_RULE_CONDITION (self), NULL);

  return self->field;
}
