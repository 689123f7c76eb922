/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-preferences-window"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "turnout-preferences-window.h"
#include "turnout-smtp-setup.h"
#include "turnout-twilio-setup.h"
#include "turnout-settings.h"

/*
 * Preferences are generated from the settings registry: one row per
 * setting, of the kind its type needs, in a group per area (the part of the
 * key before the dot), on the page the area belongs to. Values are checked
 * with the registry's own rules before they are stored, and rows follow
 * changes made elsewhere. Secrets never appear here; they live in the
 * keyring.
 */

typedef struct
{
  const char *area;
  const char *page;         /* the name of an AdwPreferencesPage of the template */
  const char *title;
  const char *description;
} AreaInfo;

static const AreaInfo areas[] = {
  { "general", "general", N_("Your Promotion"), NULL },
  { "contacts", "general", N_("Contacts"),
    N_("How phone numbers and times are read when contacts are imported or typed in") },
  { "twilio", "twilio", N_("Twilio Account"),
    N_("Texts are sent through your own Twilio account; you find these values on the Twilio "
       "Console") },
  { "sms", "sending", N_("Text Messages"), NULL },
  { "mms", "sending", N_("Picture Messages"), NULL },
  { "delivery", "sending", N_("Retries and Limits"),
    N_("What happens when a provider is busy, and how often one person may be messaged") },
  { "smtp", "email", N_("Mail Server"),
    N_("Email is sent through your own outgoing mail server") },
  { "email", "email", N_("Footer and Unsubscribe"),
    N_("What every email carries so recipients know who sent it and can opt out") },
  { "background", "background", N_("Background"),
    N_("Campaigns and automations can keep running while the window is closed") },
};

typedef struct _SettingRow SettingRow;

struct _TurnoutPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  TurnoutSettings      *settings;          /* owned; NULL when there is no store */
  gulong                changed_handler;
  GHashTable           *rows;              /* key → SettingRow, owned */

  AdwPreferencesPage   *general_page;      /* template child */
  AdwPreferencesPage   *twilio_page;       /* template child */
  TurnoutTwilioSetup   *twilio_setup;      /* on twilio_page, after its settings */
  AdwPreferencesPage   *email_page;        /* template child */
  TurnoutSmtpSetup     *smtp_setup;        /* on email_page, after the mail server */
  AdwPreferencesPage   *sending_page;      /* template child */
  AdwPreferencesPage   *background_page;   /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutPreferencesWindow, turnout_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

struct _SettingRow
{
  TurnoutPreferencesWindow *self;          /* unowned: the window owns the row */
  const TurnoutSettingSpec *spec;
  GtkWidget                *row;           /* the row in its group */
  GtkWidget                *editor;        /* spin button, switch or text view, if any */
  GtkWidget                *apply_button;  /* of the text view */
  gboolean                  loading;       /* showing a stored value, not an edit */
  gboolean                  writing;       /* a write of this setting is in flight */
  char                     *pending;       /* written once the one in flight is done */
};

static void
setting_row_free (SettingRow *srow)
{
  g_free (srow->pending);
  g_free (srow);
}

/* What a write needs to find its row again: the window may have been
 * closed while the value was stored. */
typedef struct
{
  TurnoutPreferencesWindow *self;          /* owned */
  const char               *key;           /* from the registry */
} Write;

static void
write_free (Write *write)
{
  g_object_unref (write->self);
  g_free (write);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Write, write_free)

static void write_setting (SettingRow *srow,
                           const char *value);

static void
add_toast (TurnoutPreferencesWindow *self,
           const char               *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static void
show_invalid (SettingRow   *srow,
              const GError *error)
{
  const char *message = error->message;
  g_autofree char *prefix = g_strdup_printf ("%s: ", srow->spec->key);
  g_autofree char *sentence = NULL;
  char first[8] = { 0 };

  /* The registry names the key for the command line; here the row, shown in
   * red, does. The rest reads as a sentence. */
  if (g_str_has_prefix (message, prefix))
    message += strlen (prefix);
  if (*message != '\0')
    {
      g_unichar_to_utf8 (g_unichar_toupper (g_utf8_get_char (message)), first);
      message = g_utf8_next_char (message);
    }
  sentence = g_strconcat (first, message, NULL);

  gtk_widget_add_css_class (srow->row, "error");
  gtk_widget_set_tooltip_text (srow->row, sentence);
  add_toast (srow->self, sentence);
}

static void
clear_invalid (SettingRow *srow)
{
  if (!gtk_widget_has_css_class (srow->row, "error"))
    return;

  gtk_widget_remove_css_class (srow->row, "error");
  gtk_widget_set_tooltip_text (srow->row,
                               ADW_IS_ENTRY_ROW (srow->row) ? _(srow->spec->description) : NULL);
}

static void
set_entry_text (AdwEntryRow *entry_row,
                const char  *text)
{
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (entry_row)), text) == 0)
    return;

  /* Turning the apply button off forgets that the text was edited, so a
   * stored value does not offer to be applied again. */
  adw_entry_row_set_show_apply_button (entry_row, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (entry_row), text);
  adw_entry_row_set_show_apply_button (entry_row, TRUE);
}

static guint
find_choice (const TurnoutSettingSpec *spec,
             const char               *value)
{
  for (guint i = 0; spec->choices[i] != NULL; i++)
    if (g_str_equal (spec->choices[i], value))
      return i;
  return 0;
}

static void
load_row (SettingRow *srow)
{
  TurnoutSettings *settings = srow->self->settings;
  const TurnoutSettingSpec *spec = srow->spec;
  g_autofree char *value = NULL;

  if (settings != NULL)
    value = turnout_settings_dup_string (settings, spec->key);
  else
    value = g_strdup (spec->default_value);

  srow->loading = TRUE;

  switch (spec->kind)
    {
    case TURNOUT_SETTING_STRING:
      if (spec->multiline)
        {
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (srow->editor));

          gtk_text_buffer_set_text (buffer, value, -1);
          gtk_text_buffer_set_modified (buffer, FALSE);
        }
      else
        set_entry_text (ADW_ENTRY_ROW (srow->row), value);
      break;

    case TURNOUT_SETTING_INT:
    case TURNOUT_SETTING_DOUBLE:
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (srow->editor), g_ascii_strtod (value, NULL));
      break;

    case TURNOUT_SETTING_BOOLEAN:
      gtk_switch_set_active (GTK_SWITCH (srow->editor), g_str_equal (value, "true"));
      break;

    case TURNOUT_SETTING_CHOICE:
      adw_combo_row_set_selected (ADW_COMBO_ROW (srow->row), find_choice (spec, value));
      break;

    default:
      g_assert_not_reached ();
    }

  clear_invalid (srow);
  gtk_widget_set_sensitive (srow->row, settings != NULL);

  srow->loading = FALSE;
}

static void
on_setting_written_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  TurnoutSettings *settings = TURNOUT_SETTINGS (object);
  g_autoptr(Write) write = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *pending = NULL;
  SettingRow *srow = NULL;
  gboolean ok;

  ok = turnout_settings_set_finish (settings, result, &error);

  if (write->self->rows != NULL)
    srow = g_hash_table_lookup (write->self->rows, write->key);
  if (srow == NULL)
    return;

  srow->writing = FALSE;
  pending = g_steal_pointer (&srow->pending);

  if (!ok)
    {
      g_autofree char *message = g_strdup_printf (_("Could not save “%s”: %s"),
                                                  _(srow->spec->title), error->message);

      add_toast (write->self, message);
    }

  if (pending != NULL && settings == write->self->settings)
    write_setting (srow, pending);
  else if (ok)
    load_row (srow);
}

static void
write_setting (SettingRow *srow,
               const char *value)
{
  TurnoutPreferencesWindow *self = srow->self;
  Write *write;

  if (self->settings == NULL)
    return;

  /* One write per setting at a time, so the last value typed is the one
   * that stays. */
  if (srow->writing)
    {
      g_free (srow->pending);
      srow->pending = g_strdup (value);
      return;
    }

  write = g_new0 (Write, 1);
  write->self = g_object_ref (self);
  write->key = srow->spec->key;
  srow->writing = TRUE;
  turnout_settings_set_async (self->settings, srow->spec->key, value, NULL,
                              on_setting_written_cb, write);
}

static void
apply_value (SettingRow *srow,
             const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  if (srow->loading)
    return;

  normalized = turnout_setting_normalize (srow->spec->key, value, &error);
  if (normalized == NULL)
    {
      show_invalid (srow, error);
      return;
    }

  clear_invalid (srow);
  write_setting (srow, normalized);
}

static void
on_entry_row_apply_cb (AdwEntryRow *entry_row,
                       SettingRow  *srow)
{
  apply_value (srow, gtk_editable_get_text (GTK_EDITABLE (entry_row)));
}

static void
on_entry_row_changed_cb (GtkEditable *editable,
                         SettingRow  *srow)
{
  if (!srow->loading)
    clear_invalid (srow);
}

static void
on_apply_button_clicked_cb (GtkButton  *button,
                            SettingRow *srow)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (srow->editor));
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  apply_value (srow, text);
}

static void
on_text_buffer_modified_changed_cb (GtkTextBuffer *buffer,
                                    SettingRow    *srow)
{
  gtk_widget_set_sensitive (srow->apply_button, gtk_text_buffer_get_modified (buffer));
  if (!srow->loading)
    clear_invalid (srow);
}

static void
on_spin_button_value_changed_cb (GtkSpinButton *spin_button,
                                 SettingRow    *srow)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  apply_value (srow, g_ascii_dtostr (buffer, sizeof buffer,
                                     gtk_spin_button_get_value (spin_button)));
}

static void
on_switch_active_changed_cb (GtkSwitch  *switch_,
                             GParamSpec *pspec,
                             SettingRow *srow)
{
  apply_value (srow, gtk_switch_get_active (switch_) ? "true" : "false");
}

static void
on_combo_row_selected_changed_cb (AdwComboRow *combo_row,
                                  GParamSpec  *pspec,
                                  SettingRow  *srow)
{
  guint selected = adw_combo_row_get_selected (combo_row);

  if (selected < g_strv_length ((GStrv) srow->spec->choices))
    apply_value (srow, srow->spec->choices[selected]);
}

static void
on_settings_changed_cb (TurnoutSettings          *settings,
                        const char               *key,
                        TurnoutPreferencesWindow *self)
{
  SettingRow *srow = g_hash_table_lookup (self->rows, key);

  /* A row being written shows the stored value once the write is done. */
  if (srow != NULL && !srow->writing)
    load_row (srow);
}

static GtkWidget *
create_entry_row (SettingRow *srow)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _(srow->spec->description));
  g_signal_connect (row, "apply", G_CALLBACK (on_entry_row_apply_cb), srow);
  g_signal_connect (row, "changed", G_CALLBACK (on_entry_row_changed_cb), srow);

  return row;
}

/* A text view for a value of several lines, such as a postal address. */
static GtkWidget *
create_multiline_row (SettingRow *srow)
{
  GtkWidget *row = g_object_new (ADW_TYPE_PREFERENCES_ROW,
                                 "activatable", FALSE,
                                 "selectable", FALSE,
                                 NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_label_new (_(srow->spec->title));
  GtkWidget *subtitle = gtk_label_new (_(srow->spec->description));
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *text_view = gtk_text_view_new ();
  GtkWidget *apply_button = gtk_button_new_with_mnemonic (_("_Apply"));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));

  gtk_widget_add_css_class (row, "turnout-multiline-row");
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_widget_add_css_class (subtitle, "subtitle");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), subtitle);

  gtk_widget_set_valign (apply_button, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (apply_button, FALSE);
  g_signal_connect (apply_button, "clicked", G_CALLBACK (on_apply_button_clicked_cb), srow);

  gtk_box_append (GTK_BOX (header), labels);
  gtk_box_append (GTK_BOX (header), apply_button);

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_widget_set_size_request (text_view, -1, 96);
  gtk_accessible_update_property (GTK_ACCESSIBLE (text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(srow->spec->title),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _(srow->spec->description),
                                  -1);
  gtk_frame_set_child (GTK_FRAME (frame), text_view);
  g_signal_connect (buffer, "modified-changed",
                    G_CALLBACK (on_text_buffer_modified_changed_cb), srow);

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), frame);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  srow->editor = text_view;
  srow->apply_button = apply_button;
  return row;
}

/* A step that suits the size of the default: 1 message per second, but a
 * tenth of a cent for a price of 0.0083. */
static double
step_for (const TurnoutSettingSpec *spec)
{
  double value = g_ascii_strtod (spec->default_value, NULL);

  if (spec->kind == TURNOUT_SETTING_INT || value <= 0)
    return 1;
  return MAX (pow (10, floor (log10 (value))), 0.0001);
}

/* Up to the four digits a price needs, without trailing zeros: 1, 0.022,
 * 0.0083, in the user's locale like the spin button's own parsing. */
static gboolean
on_spin_button_output_cb (GtkSpinButton *spin_button,
                          SettingRow    *srow)
{
  double value = gtk_spin_button_get_value (spin_button);
  guint digits = gtk_spin_button_get_digits (spin_button);
  g_autofree char *text = NULL;
  guint shown = 0;

  while (shown < digits && fabs (value * pow (10, shown) - round (value * pow (10, shown))) > 1e-6)
    shown++;

  text = g_strdup_printf ("%.*f", (int) shown, value);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin_button)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin_button), text);

  return TRUE;
}

static GtkWidget *
create_number_row (SettingRow *srow)
{
  const TurnoutSettingSpec *spec = srow->spec;
  double step = step_for (spec);
  GtkAdjustment *adjustment = gtk_adjustment_new (spec->min, spec->min, spec->max,
                                                  step, step * 10, 0);
  GtkWidget *spin_button =
    gtk_spin_button_new (adjustment, 0, spec->kind == TURNOUT_SETTING_DOUBLE ? 4 : 0);
  GtkWidget *row = adw_action_row_new ();

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(spec->description));
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin_button), TRUE);
  gtk_widget_set_valign (spin_button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(spec->title),
                                  -1);
  g_signal_connect (spin_button, "value-changed",
                    G_CALLBACK (on_spin_button_value_changed_cb), srow);
  if (spec->kind == TURNOUT_SETTING_DOUBLE)
    g_signal_connect (spin_button, "output", G_CALLBACK (on_spin_button_output_cb), srow);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin_button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin_button);

  srow->editor = spin_button;
  return row;
}

static GtkWidget *
create_switch_row (SettingRow *srow)
{
  GtkWidget *switch_ = gtk_switch_new ();
  GtkWidget *row = adw_action_row_new ();

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(srow->spec->description));
  gtk_widget_set_valign (switch_, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (switch_),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(srow->spec->title),
                                  -1);
  g_signal_connect (switch_, "notify::active", G_CALLBACK (on_switch_active_changed_cb), srow);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), switch_);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), switch_);

  srow->editor = switch_;
  return row;
}

static GtkWidget *
create_combo_row (SettingRow *srow)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GtkWidget *row = adw_combo_row_new ();

  for (guint i = 0; srow->spec->choices[i] != NULL; i++)
    gtk_string_list_append (labels, srow->spec->choice_labels != NULL
                                      ? _(srow->spec->choice_labels[i])
                                      : srow->spec->choices[i]);

  gtk_widget_add_css_class (row, "turnout-choice-row");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(srow->spec->description));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
  g_signal_connect (row, "notify::selected", G_CALLBACK (on_combo_row_selected_changed_cb), srow);

  return row;
}

static AdwPreferencesPage *
get_page (TurnoutPreferencesWindow *self,
          const char               *name)
{
  AdwPreferencesPage *pages[] = {
    self->general_page,
    self->twilio_page,
    self->email_page,
    self->sending_page,
    self->background_page,
  };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    if (g_strcmp0 (adw_preferences_page_get_name (pages[i]), name) == 0)
      return pages[i];
  return self->general_page;
}

static AdwPreferencesGroup *
ensure_group (TurnoutPreferencesWindow *self,
              GHashTable               *groups,
              const char               *area)
{
  AdwPreferencesGroup *group = g_hash_table_lookup (groups, area);
  const AreaInfo *info = NULL;

  if (group != NULL)
    return group;

  for (guint i = 0; i < G_N_ELEMENTS (areas); i++)
    if (g_str_equal (areas[i].area, area))
      info = &areas[i];

  /* The mail server's password and connection test go right under its
   * settings, before the footer's. */
  if (g_str_equal (area, "email") && self->smtp_setup != NULL
      && gtk_widget_get_parent (GTK_WIDGET (self->smtp_setup)) == NULL)
    adw_preferences_page_add (self->email_page, ADW_PREFERENCES_GROUP (self->smtp_setup));

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  /* An area without an entry above still gets its group, on General. */
  adw_preferences_group_set_title (group, info != NULL ? _(info->title) : area);
  if (info != NULL && info->description != NULL)
    adw_preferences_group_set_description (group, _(info->description));
  adw_preferences_page_add (get_page (self, info != NULL ? info->page : NULL), group);

  g_hash_table_insert (groups, g_strdup (area), group);
  return group;
}

static void
build_rows (TurnoutPreferencesWindow *self)
{
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const TurnoutSettingSpec *specs;
  guint n_specs;

  specs = turnout_setting_specs (&n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      const TurnoutSettingSpec *spec = &specs[i];
      g_autofree char *area = turnout_setting_spec_dup_area (spec);
      SettingRow *srow = g_new0 (SettingRow, 1);

      srow->self = self;
      srow->spec = spec;

      switch (spec->kind)
        {
        case TURNOUT_SETTING_STRING:
          srow->row = spec->multiline ? create_multiline_row (srow) : create_entry_row (srow);
          break;

        case TURNOUT_SETTING_INT:
        case TURNOUT_SETTING_DOUBLE:
          srow->row = create_number_row (srow);
          break;

        case TURNOUT_SETTING_BOOLEAN:
          srow->row = create_switch_row (srow);
          break;

        case TURNOUT_SETTING_CHOICE:
          srow->row = create_combo_row (srow);
          break;

        default:
          g_assert_not_reached ();
        }

      /* Values come from the registry and the user, never markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (srow->row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (srow->row), _(spec->title));
      /* The key names the row, for tests and the inspector. */
      gtk_widget_set_name (srow->row, spec->key);

      adw_preferences_group_add (ensure_group (self, groups, area), srow->row);
      g_hash_table_insert (self->rows, (gpointer) spec->key, srow);
    }
}

static void
load_rows (TurnoutPreferencesWindow *self)
{
  GHashTableIter iter;
  SettingRow *srow;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &srow))
    load_row (srow);
}

static void
turnout_preferences_window_dispose (GObject *object)
{
  TurnoutPreferencesWindow *self = TURNOUT_PREFERENCES_WINDOW (object);

  if (self->settings != NULL)
    g_clear_signal_handler (&self->changed_handler, self->settings);
  g_clear_object (&self->settings);
  if (self->twilio_setup != NULL)
    turnout_twilio_setup_set_settings (self->twilio_setup, NULL);
  self->twilio_setup = NULL;
  if (self->smtp_setup != NULL)
    turnout_smtp_setup_set_settings (self->smtp_setup, NULL);
  self->smtp_setup = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_PREFERENCES_WINDOW);

  /* After the template: the rows' widgets are gone, so nothing calls back. */
  g_clear_pointer (&self->rows, g_hash_table_unref);

  G_OBJECT_CLASS (turnout_preferences_window_parent_class)->dispose (object);
}

static void
turnout_preferences_window_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  TurnoutPreferencesWindow *self = TURNOUT_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_preferences_window_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  TurnoutPreferencesWindow *self = TURNOUT_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      turnout_preferences_window_set_settings (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_preferences_window_class_init (TurnoutPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_preferences_window_dispose;
  object_class->get_property = turnout_preferences_window_get_property;
  object_class->set_property = turnout_preferences_window_set_property;

  /**
   * TurnoutPreferencesWindow:settings:
   *
   * The settings edited; %NULL shows the defaults, insensitive.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         TURNOUT_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/"
                                               "turnout-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreferencesWindow, general_page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreferencesWindow, twilio_page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreferencesWindow, email_page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreferencesWindow, sending_page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutPreferencesWindow, background_page);
}

static void
turnout_preferences_window_init (TurnoutPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) setting_row_free);
  self->smtp_setup = TURNOUT_SMTP_SETUP (turnout_smtp_setup_new ());
  build_rows (self);
  /* The secret and the connection check, below the account's settings. */
  self->twilio_setup = TURNOUT_TWILIO_SETUP (turnout_twilio_setup_new ());
  adw_preferences_page_add (self->twilio_page, ADW_PREFERENCES_GROUP (self->twilio_setup));
  if (gtk_widget_get_parent (GTK_WIDGET (self->smtp_setup)) == NULL)
    adw_preferences_page_add (self->email_page, ADW_PREFERENCES_GROUP (self->smtp_setup));
  load_rows (self);
}

/**
 * turnout_preferences_window_new:
 * @settings: (nullable): the settings to edit; %NULL when the store could
 *   not be opened
 *
 * Returns: (transfer full): a new Preferences window
 */
TurnoutPreferencesWindow *
turnout_preferences_window_new (TurnoutSettings *settings)
{
  g_return_val_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings), NULL);

  return g_object_new (TURNOUT_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}

/**
 * turnout_preferences_window_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings edited
 */
TurnoutSettings *
turnout_preferences_window_get_settings (TurnoutPreferencesWindow *self)
{
  g_return_val_if_fail (TURNOUT_IS_PREFERENCES_WINDOW (self), NULL);

  return self->settings;
}

/**
 * turnout_preferences_window_set_settings:
 * @settings: (nullable): the settings to edit
 *
 * Shows the values of @settings and stores edits there; %NULL shows the
 * defaults and makes the rows insensitive.
 */
void
turnout_preferences_window_set_settings (TurnoutPreferencesWindow *self,
                                         TurnoutSettings          *settings)
{
  g_return_if_fail (TURNOUT_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;

  if (self->settings != NULL)
    g_clear_signal_handler (&self->changed_handler, self->settings);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    self->changed_handler = g_signal_connect_object (settings, "changed",
                                                     G_CALLBACK (on_settings_changed_cb), self,
                                                     0);

  load_rows (self);
  turnout_twilio_setup_set_settings (self->twilio_setup, settings);
  turnout_smtp_setup_set_settings (self->smtp_setup, settings);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}
