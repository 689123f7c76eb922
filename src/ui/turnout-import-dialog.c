/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-import-dialog.h"
#include "turnout-import.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * Importing a file in four steps: choose what it holds and the file; map
 * its columns, with the first rows shown as they will be stored; the
 * import itself, on a worker with a progress bar and Cancel; and what came
 * of it, with the problems of single rows. Everything that reads the file
 * or the store runs in core on a worker (turnout_import_preview_async(),
 * turnout_import_run_async()); the import is one transaction, so Cancel
 * leaves the store as it was.
 */

#define PREVIEW_ROWS 20
#define MAX_PROBLEMS_SHOWN 1000

struct _TurnoutImportDialog
{
  AdwWindow             parent_instance;

  TurnoutStore         *store;                /* owned */
  TurnoutSettings      *settings;             /* owned, nullable */

  TurnoutImportKind     kind;
  char                 *region;               /* normalized; NULL while the entry is invalid */
  GFile                *file;                 /* owned, nullable */
  TurnoutImportPreview *preview;              /* owned: the last preview that arrived */
  char                 *preview_error;        /* why the last preview failed, or NULL */

  /* What the user chose for each column of the file, starting from the
   * first preview's guesses; NULL until that preview arrived. */
  GStrv                 headers;
  TurnoutField         *columns;
  guint                 n_columns;
  gboolean              can_import;

  GArray               *kind_fields;          /* TurnoutField offered for this kind */
  GtkStringList        *field_labels;         /* owned: their labels, for the dropdowns */
  GPtrArray            *column_rows;          /* AdwActionRow, unowned: the group has them */

  GCancellable         *preview_cancellable;  /* owned while a preview is read */
  gboolean              show_map_when_ready;
  GCancellable         *import_cancellable;   /* owned while importing */
  gboolean              close_when_done;
  guint                 pulse_id;
  TurnoutImportResult  *result;               /* owned, after a successful import */
  GCancellable         *save_cancellable;     /* owned */
  GFile                *problems_file;        /* owned: where the problems were last saved */
  GtkFileChooserNative *chooser;              /* owned while open */
  gboolean              disposed;

  AdwToastOverlay      *toast_overlay;        /* template children */
  AdwWindowTitle       *window_title;
  GtkWidget            *back_button;
  GtkWidget            *import_button;
  GtkWidget            *next_button;
  GtkWidget            *choose_button;
  GtkWidget            *close_button;
  GtkStack             *stack;
  GtkCheckButton       *contacts_check;
  GtkCheckButton       *registrations_check;
  AdwEntryRow          *region_row;
  GtkLabel             *choose_error_label;
  GtkSpinner           *reading_spinner;
  GtkLabel             *file_label;
  GtkWidget            *warning_box;
  GtkLabel             *warning_label;
  GtkWidget            *blocker_box;
  GtkLabel             *blocker_label;
  AdwPreferencesGroup  *columns_group;
  GtkSpinner           *preview_spinner;
  GtkLabel             *preview_label;
  GtkGrid              *preview_grid;
  AdwStatusPage        *progress_page;
  GtkProgressBar       *progress_bar;
  GtkWidget            *cancel_button;
  GtkWidget            *done_box;
  GtkImage             *done_icon;
  GtkLabel             *done_title;
  GtkLabel             *done_counts;
  GtkLabel             *done_details;
  GtkWidget            *done_warning_box;
  GtkLabel             *done_warning_label;
  GtkWidget            *problems_box;
  GtkLabel             *problems_title;
  GtkColumnView        *problems_view;
  GtkLabel             *problems_more_label;
};

G_DEFINE_FINAL_TYPE (TurnoutImportDialog, turnout_import_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_state    (TurnoutImportDialog *self);
static void refresh_preview (TurnoutImportDialog *self,
                             gboolean             show_map);

/* Helpers --------------------------------------------------------------- */

static char *
format_count (guint n)
{
  /* %' groups the digits as the user's locale does: 12,345 or 12.345. */
  return g_strdup_printf ("%'u", n);
}

static const char *
get_page (TurnoutImportDialog *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  return name != NULL ? name : "choose";
}

static void
show_page (TurnoutImportDialog *self,
           const char          *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  update_state (self);
}

static void
add_toast (TurnoutImportDialog *self,
           const char          *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static char *
dup_display_name (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  return g_filename_display_name (name);
}

/* The fields the dropdowns offer for the kind, "Don't import" first. */
static void
load_kind_fields (TurnoutImportDialog *self)
{
  g_array_set_size (self->kind_fields, 0);
  g_clear_object (&self->field_labels);
  self->field_labels = gtk_string_list_new (NULL);
  for (TurnoutField field = 0; field < TURNOUT_N_FIELDS; field++)
    if (turnout_field_is_for (field, self->kind))
      {
        g_array_append_val (self->kind_fields, field);
        gtk_string_list_append (self->field_labels, turnout_field_get_label (field));
      }
}

/* Forgets the columns chosen, so the next preview guesses them again. */
static void
forget_columns (TurnoutImportDialog *self)
{
  g_clear_pointer (&self->headers, g_strfreev);
  g_clear_pointer (&self->columns, g_free);
  self->n_columns = 0;
}

static TurnoutImportOptions *
build_options (TurnoutImportDialog *self)
{
  TurnoutImportOptions *options = turnout_import_options_new (self->kind);

  turnout_import_options_set_region (options, self->region);
  if (self->settings != NULL)
    {
      g_autofree char *zone = turnout_settings_dup_string (self->settings,
                                                           "contacts.default_time_zone");

      if (*zone != '\0')
        turnout_import_options_set_time_zone (options, zone);
    }
  /* Every column as chosen; the columns are only ever chosen from the
   * fields of self->kind, so the mapping can't be refused. */
  for (guint i = 0; self->columns != NULL && i < self->n_columns; i++)
    if (!turnout_import_options_map (options, self->headers[i],
                                     turnout_field_get_id (self->columns[i]), NULL))
      g_warning ("Column %u can't be mapped to %s", i, turnout_field_get_id (self->columns[i]));
  return options;
}

/* The state of buttons and actions ------------------------------------- */

static void
update_blocker (TurnoutImportDialog *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = NULL;

  if (self->preview_error != NULL)
    text = self->preview_error;
  else if (self->preview != NULL && self->preview->is_vcard)
    text = NULL;
  else if (self->columns != NULL &&
           !turnout_import_check_columns (self->kind, self->columns, self->n_columns, &error))
    {
      if (g_error_matches (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NO_IDENTIFIER))
        text = _("Nothing can be imported until a column is read as Phone or Email: rows are "
                 "matched to contacts by their phone number or email address.");
      else if (g_error_matches (error, TURNOUT_IMPORT_ERROR, TURNOUT_IMPORT_ERROR_NO_EVENT))
        text = _("Nothing can be imported until a column is read as Event: each registration "
                 "goes to the event its row names.");
      else
        text = error->message;
    }

  self->can_import = self->columns != NULL && text == NULL && self->region != NULL;
  gtk_label_set_text (self->blocker_label, text != NULL ? text : "");
  gtk_widget_set_visible (self->blocker_box, text != NULL);
  gtk_widget_set_tooltip_text (self->import_button, text);
}

static void
update_state (TurnoutImportDialog *self)
{
  const char *page = get_page (self);
  gboolean on_choose = g_str_equal (page, "choose");
  gboolean on_map = g_str_equal (page, "map");
  gboolean on_done = g_str_equal (page, "done");
  gboolean reading = self->preview_cancellable != NULL;
  gboolean can_go_back = on_map || (on_done && self->result == NULL && self->columns != NULL);
  GtkWidget *next_step = NULL;

  gtk_widget_set_visible (self->back_button, can_go_back);
  gtk_widget_set_visible (self->next_button, on_choose && self->file != NULL);
  gtk_widget_set_visible (self->import_button, on_map);
  gtk_widget_set_visible (self->close_button, on_done);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose-file",
                                 (on_choose || on_map) && self->region != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.next",
                                 on_choose && self->file != NULL && self->region != NULL &&
                                 !reading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.back", can_go_back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.start", on_map && self->can_import);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.save-problems",
                                 on_done && self->result != NULL && self->result->issues->len > 0);

  /* Enter takes the next step: GtkWindow activates its default widget
   * when the focused widget has no use for the key. */
  if (on_choose)
    next_step = self->file != NULL ? self->next_button : self->choose_button;
  else if (on_map)
    next_step = self->import_button;
  else if (on_done)
    next_step = self->close_button;
  gtk_window_set_default_widget (GTK_WINDOW (self), next_step);

  gtk_widget_set_visible (GTK_WIDGET (self->reading_spinner), reading && on_choose);
  gtk_spinner_set_spinning (self->reading_spinner, reading && on_choose);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_spinner), reading && on_map);
  gtk_spinner_set_spinning (self->preview_spinner, reading && on_map);

  if (self->file != NULL)
    {
      g_autofree char *name = dup_display_name (self->file);

      adw_window_title_set_subtitle (self->window_title, name);
    }
  else
    adw_window_title_set_subtitle (self->window_title, NULL);
}

/* The map page ---------------------------------------------------------- */

static const char *
describe_delimiter (char delimiter)
{
  switch (delimiter)
    {
    case ',': return _("comma-separated");
    case ';': return _("semicolon-separated");
    case '\t': return _("tab-separated");
    case '|': return _("separated by “|”");
    default: return _("separated values");
    }
}

static const char *
describe_encoding (TurnoutCsvEncoding encoding)
{
  switch (encoding)
    {
    case TURNOUT_CSV_ENCODING_UTF16: return _("UTF-16");
    case TURNOUT_CSV_ENCODING_WINDOWS_1252: return _("Windows-1252");
    case TURNOUT_CSV_ENCODING_UTF8:
    case TURNOUT_CSV_ENCODING_UTF8_BOM:
    default: return _("UTF-8");
    }
}

static void
show_summary (TurnoutImportDialog *self)
{
  TurnoutImportPreview *preview = self->preview;
  g_autofree char *name = dup_display_name (self->file);
  g_autofree char *summary = NULL;
  g_autoptr(GString) warning = g_string_new (preview->warning);

  if (preview->is_vcard)
    summary = g_strdup_printf (_("“%s” · vCard contacts"), name);
  else
    {
      g_autofree char *n = format_count (preview->n_columns);

      summary = g_strdup_printf (ngettext ("“%s” · %s · %s · %s column",
                                           "“%s” · %s · %s · %s columns", preview->n_columns),
                                 name, describe_delimiter (preview->delimiter),
                                 describe_encoding (preview->encoding), n);
    }
  gtk_label_set_text (self->file_label, summary);

  for (guint i = 0; preview->file_problems != NULL && preview->file_problems[i] != NULL; i++)
    g_string_append_printf (warning, "%s%s", warning->len > 0 ? "\n" : "",
                            preview->file_problems[i]);
  gtk_label_set_text (self->warning_label, warning->str);
  gtk_widget_set_visible (self->warning_box, warning->len > 0);
}

static void
on_column_selected_cb (GtkDropDown         *dropdown,
                       GParamSpec          *pspec,
                       TurnoutImportDialog *self)
{
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dropdown), "turnout-column"));
  guint position = gtk_drop_down_get_selected (dropdown);
  TurnoutField field;

  if (self->columns == NULL || column >= self->n_columns || position >= self->kind_fields->len)
    return;
  field = g_array_index (self->kind_fields, TurnoutField, position);
  if (self->columns[column] == field)
    return;

  self->columns[column] = field;
  update_blocker (self);
  refresh_preview (self, FALSE);
}

static char *
dup_samples (TurnoutImportPreview *preview,
             guint                 column)
{
  g_autoptr(GString) samples = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; i < preview->rows->len && n < 3; i++)
    {
      TurnoutImportPreviewRow *row = g_ptr_array_index (preview->rows, i);
      g_autofree char *value = g_strstrip (g_strdup (row->written[column]));

      if (*value == '\0')
        continue;
      g_string_append_printf (samples, "%s%s", n > 0 ? " · " : "", value);
      n++;
    }
  if (n == 0)
    return g_strdup (_("Empty in the first rows"));
  return g_string_free (g_steal_pointer (&samples), FALSE);
}

static void
build_column_rows (TurnoutImportDialog *self)
{
  TurnoutImportPreview *preview = self->preview;

  for (guint i = 0; i < self->column_rows->len; i++)
    adw_preferences_group_remove (self->columns_group, g_ptr_array_index (self->column_rows, i));
  g_ptr_array_set_size (self->column_rows, 0);

  gtk_widget_set_visible (GTK_WIDGET (self->columns_group), !preview->is_vcard);

  for (guint i = 0; i < self->n_columns; i++)
    {
      g_autofree char *title = NULL;
      g_autofree char *samples = dup_samples (preview, i);
      g_autofree char *name = g_strdup_printf ("column-%u", i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *dropdown;
      guint position = 0;

      title = *self->headers[i] != '\0' ? g_strdup (self->headers[i])
                                        : g_strdup_printf (_("Column %u"), i + 1);
      for (guint j = 0; j < self->kind_fields->len; j++)
        if (g_array_index (self->kind_fields, TurnoutField, j) == self->columns[i])
          position = j;

      /* Headers and values come from the file, never markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), samples);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);

      dropdown = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (self->field_labels)), NULL);
      gtk_widget_set_name (dropdown, name);
      gtk_widget_set_valign (dropdown, GTK_ALIGN_CENTER);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), position);
      gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, samples,
                                      -1);
      g_object_set_data (G_OBJECT (dropdown), "turnout-column", GUINT_TO_POINTER (i));
      g_signal_connect (dropdown, "notify::selected", G_CALLBACK (on_column_selected_cb), self);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row), dropdown);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), dropdown);
      adw_preferences_group_add (self->columns_group, row);
      g_ptr_array_add (self->column_rows, row);
    }
}

/* Consent and status are stored as ids; the preview names them. */
static const char *
display_value (TurnoutField  field,
               const char   *value)
{
  static const struct { const char *id; const char *label; } names[] = {
    { "opted_in", N_("Opted in") },
    { "opted_out", N_("Opted out") },
    { "unknown", N_("Unknown") },
    { "registered", N_("Registered") },
    { "attended", N_("Attended") },
    { "cancelled", N_("Cancelled") },
    { "draft", N_("Draft") },
  };

  if (field != TURNOUT_FIELD_SMS_CONSENT && field != TURNOUT_FIELD_EMAIL_CONSENT &&
      field != TURNOUT_FIELD_STATUS)
    return value;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].id, value))
      return _(names[i].label);
  return value;
}

static GtkWidget *
create_cell_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  /* At least the whole value up to 28 characters (with room for wide
   * letters such as “@” and “m”): the grid scrolls sideways rather than
   * cutting every cell short. */
  gtk_label_set_width_chars (GTK_LABEL (label), MIN (g_utf8_strlen (text, -1) + 2, 30));
  gtk_label_set_max_width_chars (GTK_LABEL (label), 30);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  return label;
}

static void
clear_grid (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

static void
show_preview (TurnoutImportDialog *self)
{
  TurnoutImportPreview *preview = self->preview;
  GtkWidget *heading;
  g_autofree char *caption = NULL;

  clear_grid (self->preview_grid);

  heading = create_cell_label (_("Row"));
  gtk_widget_add_css_class (heading, "heading");
  gtk_grid_attach (self->preview_grid, heading, 0, 0, 1, 1);
  for (guint f = 0; f < preview->n_fields; f++)
    {
      heading = create_cell_label (turnout_field_get_label (preview->fields[f]));
      gtk_widget_add_css_class (heading, "heading");
      gtk_grid_attach (self->preview_grid, heading, f + 1, 0, 1, 1);
    }

  for (guint r = 0; r < preview->rows->len; r++)
    {
      TurnoutImportPreviewRow *row = g_ptr_array_index (preview->rows, r);
      g_autofree char *number = g_strdup_printf ("%u", row->row);
      GtkWidget *number_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *number_label = create_cell_label (number);

      gtk_widget_add_css_class (number_label, "numeric");
      gtk_widget_add_css_class (number_label, "dim-label");
      gtk_box_append (GTK_BOX (number_box), number_label);
      if (row->skipped || row->row_problem != NULL)
        {
          GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
          g_autofree char *tip = NULL;

          if (row->skipped)
            tip = g_strdup_printf (_("This row will be skipped: %s"),
                                   row->row_problem != NULL ? row->row_problem : "");
          else
            tip = g_strdup (row->row_problem);
          gtk_widget_add_css_class (icon, row->skipped ? "error" : "warning");
          gtk_widget_set_tooltip_text (number_box, tip);
          gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
          gtk_box_append (GTK_BOX (number_box), icon);
        }
      gtk_grid_attach (self->preview_grid, number_box, 0, r + 1, 1, 1);

      for (guint f = 0; f < preview->n_fields; f++)
        {
          TurnoutImportPreviewCell *cell = &row->cells[f];
          const char *text = cell->problem != NULL ? cell->value
                                                   : display_value (preview->fields[f],
                                                                    cell->value);
          GtkWidget *label;

          if (cell->problem != NULL && *text == '\0')
            text = _("(empty)");
          label = create_cell_label (text);
          if (cell->problem != NULL)
            {
              gtk_widget_add_css_class (label, "error");
              gtk_widget_set_tooltip_text (label, cell->problem);
              gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                              GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, cell->problem,
                                              -1);
            }
          else
            {
              if (row->skipped)
                gtk_widget_add_css_class (label, "dim-label");
              /* The whole value, when the cell is too narrow for it. */
              if (g_utf8_strlen (text, -1) > 28)
                gtk_widget_set_tooltip_text (label, text);
            }
          gtk_grid_attach (self->preview_grid, label, f + 1, r + 1, 1, 1);
        }
    }

  if (preview->rows->len == 0)
    caption = g_strdup (_("The file has no rows below its header."));
  else if (preview->more_rows)
    caption = g_strdup_printf (ngettext ("The first row as it will be stored. Values in red have "
                                         "a problem; point at them for the reason.",
                                         "The first %u rows as they will be stored. Values in "
                                         "red have a problem; point at them for the reason.",
                                         preview->rows->len),
                               preview->rows->len);
  else
    caption = g_strdup_printf (ngettext ("The only row, as it will be stored. Values in red have "
                                         "a problem; point at them for the reason.",
                                         "All %u rows as they will be stored. Values in red have "
                                         "a problem; point at them for the reason.",
                                         preview->rows->len),
                               preview->rows->len);
  gtk_label_set_text (self->preview_label, caption);
}

static void
on_preview_ready_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TurnoutImportDialog) self = user_data;
  g_autoptr(TurnoutImportPreview) preview = NULL;
  g_autoptr(GError) error = NULL;
  gboolean first;

  preview = turnout_import_preview_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->disposed)
    return;

  g_clear_object (&self->preview_cancellable);

  if (preview == NULL)
    {
      g_autofree char *name = dup_display_name (self->file);
      g_autofree char *message = g_strdup_printf (_("“%s” could not be read: %s"), name,
                                                  error->message);

      if (self->show_map_when_ready || self->preview == NULL)
        {
          gtk_label_set_text (self->choose_error_label, message);
          gtk_widget_set_visible (GTK_WIDGET (self->choose_error_label), TRUE);
          show_page (self, "choose");
        }
      else
        {
          g_free (self->preview_error);
          self->preview_error = g_steal_pointer (&message);
          update_blocker (self);
          update_state (self);
        }
      return;
    }

  g_clear_pointer (&self->preview_error, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->choose_error_label), FALSE);
  first = self->columns == NULL;
  g_clear_pointer (&self->preview, turnout_import_preview_free);
  self->preview = g_steal_pointer (&preview);
  if (first)
    {
      self->headers = g_strdupv (self->preview->headers);
      self->n_columns = self->preview->n_columns;
      /* Never NULL once read, even for vCards, which have no columns. */
      self->columns = g_new0 (TurnoutField, MAX (self->n_columns, 1));
      if (self->n_columns > 0)
        memcpy (self->columns, self->preview->columns, sizeof (TurnoutField) * self->n_columns);
      build_column_rows (self);
    }
  show_summary (self);
  show_preview (self);
  update_blocker (self);

  if (self->show_map_when_ready)
    {
      self->show_map_when_ready = FALSE;
      show_page (self, "map");
      gtk_widget_grab_focus (self->can_import ? self->import_button : self->back_button);
    }
  else
    update_state (self);
}

static void
refresh_preview (TurnoutImportDialog *self,
                 gboolean             show_map)
{
  g_autoptr(TurnoutImportOptions) options = NULL;

  /* A newer choice supersedes the preview being read. */
  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);

  if (self->file == NULL)
    return;

  self->preview_cancellable = g_cancellable_new ();
  self->show_map_when_ready = show_map;
  options = build_options (self);
  turnout_import_preview_async (self->file, options, PREVIEW_ROWS, self->preview_cancellable,
                                on_preview_ready_cb, g_object_ref (self));
  update_state (self);
}

/* The choose page ------------------------------------------------------- */

static void
on_kind_toggled_cb (TurnoutImportDialog *self,
                    GtkCheckButton      *check)
{
  TurnoutImportKind kind = gtk_check_button_get_active (self->registrations_check)
                           ? TURNOUT_IMPORT_REGISTRATIONS : TURNOUT_IMPORT_CONTACTS;

  if (kind == self->kind)
    return;
  self->kind = kind;
  /* A preview being read is for the other kind. */
  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  load_kind_fields (self);
  /* Other fields are offered: guess the columns again. */
  forget_columns (self);
  update_blocker (self);
  update_state (self);
}

/* "contacts.default_region: a region is…" → "A region is…": the registry
 * names the key for the command line; here the row in red does. */
static char *
dup_sentence (const char *message)
{
  const char *prefix = "contacts.default_region: ";
  char first[8] = { 0 };

  if (g_str_has_prefix (message, prefix))
    message += strlen (prefix);
  if (*message == '\0')
    return g_strdup (message);
  g_unichar_to_utf8 (g_unichar_toupper (g_utf8_get_char (message)), first);
  return g_strconcat (first, g_utf8_next_char (message), NULL);
}

static void
on_region_changed_cb (TurnoutImportDialog *self,
                      GtkEditable         *editable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = turnout_setting_normalize ("contacts.default_region",
                                                           gtk_editable_get_text (editable),
                                                           &error);

  g_free (self->region);
  self->region = g_steal_pointer (&normalized);
  if (self->region == NULL)
    {
      g_autofree char *sentence = dup_sentence (error->message);

      gtk_widget_add_css_class (GTK_WIDGET (self->region_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->region_row), sentence);
      gtk_label_set_text (self->choose_error_label, sentence);
      gtk_widget_set_visible (GTK_WIDGET (self->choose_error_label), TRUE);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->region_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->region_row), NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->choose_error_label), FALSE);
    }
  update_blocker (self);
  update_state (self);
}

static void
on_region_activated_cb (TurnoutImportDialog *self,
                        AdwEntryRow         *row)
{
  gtk_widget_activate_default (GTK_WIDGET (self));
}

static void
on_open_response_cb (GtkNativeDialog     *chooser,
                     int                  response,
                     TurnoutImportDialog *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);

  if (file != NULL)
    turnout_import_dialog_set_file (self, file);
}

static void
add_filter (GtkFileChooser      *chooser,
            const char          *name,
            const char * const  *suffixes,
            const char * const  *mime_types)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; suffixes != NULL && suffixes[i] != NULL; i++)
    gtk_file_filter_add_suffix (filter, suffixes[i]);
  for (guint i = 0; mime_types != NULL && mime_types[i] != NULL; i++)
    gtk_file_filter_add_mime_type (filter, mime_types[i]);
  if (suffixes == NULL && mime_types == NULL)
    gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (widget);
  const char * const csv[] = { "csv", "txt", NULL };
  const char * const csv_types[] = { "text/csv", NULL };
  const char * const tsv[] = { "tsv", "tab", NULL };
  const char * const tsv_types[] = { "text/tab-separated-values", NULL };
  const char * const vcard[] = { "vcf", "vcard", NULL };
  const char * const vcard_types[] = { "text/vcard", "text/x-vcard", "text/directory", NULL };
  const char * const any[] = { "csv", "txt", "tsv", "tab", "vcf", "vcard", NULL };
  const char * const any_types[] = { "text/csv", "text/tab-separated-values", "text/vcard",
                                     "text/x-vcard", NULL };

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Choose a File to Import"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  add_filter (GTK_FILE_CHOOSER (self->chooser), _("CSV, TSV and vCard files"), any, any_types);
  add_filter (GTK_FILE_CHOOSER (self->chooser), _("CSV files"), csv, csv_types);
  add_filter (GTK_FILE_CHOOSER (self->chooser), _("TSV files"), tsv, tsv_types);
  add_filter (GTK_FILE_CHOOSER (self->chooser), _("vCard files"), vcard, vcard_types);
  add_filter (GTK_FILE_CHOOSER (self->chooser), _("All files"), NULL, NULL);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (widget);

  if (self->file == NULL || self->region == NULL)
    return;
  /* The region may have changed: read the rows again. */
  refresh_preview (self, TRUE);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (widget);

  if (g_str_equal (get_page (self), "done"))
    show_page (self, "map");
  else
    show_page (self, "choose");
}

/* Importing ------------------------------------------------------------- */

static gboolean
pulse_cb (gpointer user_data)
{
  TurnoutImportDialog *self = user_data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
on_import_progress_cb (guint64  bytes_done,
                       guint64  bytes_total,
                       guint    rows,
                       gpointer user_data)
{
  TurnoutImportDialog *self = user_data;
  g_autofree char *count = format_count (rows);
  g_autofree char *text = g_strdup_printf (ngettext ("%s row", "%s rows", rows), count);

  /* Progress after Cancel would read as if the import went on. */
  if (self->disposed || g_cancellable_is_cancelled (self->import_cancellable))
    return;

  g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (bytes_total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   CLAMP ((double) bytes_done / bytes_total, 0.0, 1.0));
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
show_outcome (TurnoutImportDialog *self,
              const char          *icon_name,
              const char          *title,
              const char          *counts,
              const char          *details)
{
  gtk_image_set_from_icon_name (self->done_icon, icon_name);
  gtk_label_set_text (self->done_title, title);
  gtk_label_set_text (self->done_counts, counts);
  gtk_label_set_text (self->done_details, details != NULL ? details : "");
  gtk_widget_set_visible (GTK_WIDGET (self->done_details), details != NULL && *details != '\0');
}

static void
show_problems (TurnoutImportDialog *self)
{
  TurnoutImportResult *result = self->result;
  g_autoptr(GtkStringList) packed = gtk_string_list_new (NULL);
  g_autoptr(GtkNoSelection) selection = NULL;
  g_autofree char *count = format_count (result->n_issues);
  g_autofree char *title = g_strdup_printf (ngettext ("%s Problem", "%s Problems",
                                                      result->n_issues), count);
  guint shown = MIN (result->issues->len, MAX_PROBLEMS_SHOWN);

  /* The column view shows rows of three values; each item carries them in
   * one string that the factories in the template take apart. */
  for (guint i = 0; i < shown; i++)
    {
      TurnoutImportIssue *issue = g_ptr_array_index (result->issues, i);
      g_autofree char *item = g_strdup_printf ("%u\x1f%s\x1f%s", issue->row,
                                               issue->column != NULL ? issue->column : "",
                                               issue->reason);

      gtk_string_list_append (packed, item);
    }
  selection = gtk_no_selection_new (G_LIST_MODEL (g_steal_pointer (&packed)));
  gtk_column_view_set_model (self->problems_view, GTK_SELECTION_MODEL (selection));

  gtk_label_set_text (self->problems_title, title);
  gtk_widget_set_visible (self->problems_box, result->n_issues > 0);
  if (result->n_issues > shown)
    {
      g_autofree char *more = format_count (result->n_issues - shown);
      g_autofree char *kept = format_count (result->issues->len);
      g_autofree char *first = g_strdup_printf (ngettext ("… and %s more problem.",
                                                          "… and %s more problems.",
                                                          result->n_issues - shown),
                                                more);
      g_autofree char *text = NULL;

      /* The import keeps a bounded number of problems; say so when it
       * dropped some. */
      if (result->n_issues > result->issues->len)
        text = g_strdup_printf (_("%s Save Problems as CSV writes the first %s."), first, kept);
      else
        text = g_strdup_printf (_("%s Save Problems as CSV writes them all."), first);
      gtk_label_set_text (self->problems_more_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->problems_more_label), result->n_issues > shown);
}

static void
show_result (TurnoutImportDialog *self)
{
  TurnoutImportResult *result = self->result;
  g_autofree char *created = format_count (result->created);
  g_autofree char *merged = format_count (result->merged);
  g_autofree char *skipped = format_count (result->skipped);
  g_autofree char *counts = g_strdup_printf (_("%s created · %s merged · %s skipped"), created,
                                             merged, skipped);
  g_autofree char *details = NULL;

  if (self->kind == TURNOUT_IMPORT_REGISTRATIONS)
    {
      g_autofree char *registrations = format_count (result->registrations);
      g_autofree char *events = format_count (result->events_created);
      g_autofree char *first = g_strdup_printf (ngettext ("%s registration",
                                                          "%s registrations",
                                                          result->registrations),
                                                registrations);
      g_autofree char *second = g_strdup_printf (ngettext ("%s new event", "%s new events",
                                                           result->events_created),
                                                 events);

      details = g_strconcat (first, " · ", second, NULL);
    }
  show_outcome (self, "emblem-ok-symbolic", _("Import Finished"), counts, details);

  gtk_label_set_text (self->done_warning_label, result->warning != NULL ? result->warning : "");
  gtk_widget_set_visible (self->done_warning_box, result->warning != NULL);
  show_problems (self);
}

static void
on_import_done_cb (GObject      *source,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(TurnoutImportDialog) self = user_data;
  g_autoptr(TurnoutImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = turnout_import_run_finish (res, &error);
  g_clear_object (&self->import_cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);

  /* Whatever became of the window, the contacts changed. */
  if (result != NULL)
    g_signal_emit (self, signals[IMPORTED], 0, result);

  if (self->disposed)
    return;
  if (self->close_when_done)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  gtk_widget_set_sensitive (self->cancel_button, TRUE);
  gtk_widget_set_visible (self->done_warning_box, FALSE);
  gtk_widget_set_visible (self->problems_box, FALSE);
  if (result != NULL)
    {
      g_clear_pointer (&self->result, turnout_import_result_free);
      self->result = g_steal_pointer (&result);
      show_result (self);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_outcome (self, "process-stop-symbolic", _("Import Cancelled"),
                  _("Nothing was imported"),
                  _("Your contacts and events are as they were before."));
  else
    {
      g_autofree char *details = g_strdup_printf (_("Nothing was imported: %s"), error->message);

      show_outcome (self, "dialog-error-symbolic", _("Import Failed"), details, NULL);
    }
  /* Without a list of problems, the outcome sits in the middle. */
  gtk_widget_set_valign (self->done_box, gtk_widget_get_visible (self->problems_box)
                                           ? GTK_ALIGN_FILL : GTK_ALIGN_CENTER);
  show_page (self, "done");
  gtk_widget_grab_focus (self->close_button);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (widget);
  g_autoptr(TurnoutImportOptions) options = NULL;
  g_autofree char *name = NULL;

  if (!self->can_import || self->file == NULL || self->import_cancellable != NULL)
    return;

  /* A preview still being read is of no use any more. */
  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);

  options = build_options (self);
  /* turnout_import_run_async() calls this on the main thread. */
  turnout_import_options_set_progress (options, on_import_progress_cb, self);
  self->import_cancellable = g_cancellable_new ();

  name = dup_display_name (self->file);
  adw_status_page_set_description (self->progress_page, name);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Reading the file…"));
  gtk_widget_set_sensitive (self->cancel_button, TRUE);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  self->pulse_id = g_timeout_add (100, pulse_cb, self);
  show_page (self, "progress");
  gtk_widget_grab_focus (self->cancel_button);

  turnout_import_run_async (self->store, self->file, options, self->import_cancellable,
                            on_import_done_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (widget);

  if (self->import_cancellable == NULL)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  g_cancellable_cancel (self->import_cancellable);
  gtk_progress_bar_set_text (self->progress_bar, _("Cancelling…"));
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
}

static gboolean
on_close_request_cb (GtkWindow *window)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (window);

  if (self->import_cancellable == NULL)
    return FALSE;

  /* The window goes at once; the dialog stays until the worker has rolled
   * back (or, too late to cancel, committed and said so with "imported"). */
  g_cancellable_cancel (self->import_cancellable);
  self->close_when_done = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  return TRUE;
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* Saving the problems ---------------------------------------------------- */

static void
on_problems_saved_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TurnoutImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;

  if (!turnout_import_result_write_issues_csv_finish (result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->disposed)
    return;

  if (error != NULL)
    message = g_strdup_printf (_("Could not save the problems: %s"), error->message);
  else
    {
      name = dup_display_name (self->problems_file);
      message = g_strdup_printf (_("Problems saved to “%s”"), name);
    }
  add_toast (self, message);
}

static void
on_save_response_cb (GtkNativeDialog     *chooser,
                     int                  response,
                     TurnoutImportDialog *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);

  if (file != NULL)
    turnout_import_dialog_save_problems (self, file);
}

static void
save_problems_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (widget);
  const char * const csv[] = { "csv", NULL };
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  char *dot;

  if (self->chooser != NULL || self->result == NULL || self->file == NULL)
    return;

  base = dup_display_name (self->file);
  if ((dot = strrchr (base, '.')) != NULL && dot != base)
    *dot = '\0';
  /* Translators: the name offered for the saved problems of "guests.csv". */
  name = g_strdup_printf (_("%s problems.csv"), base);

  self->chooser = gtk_file_chooser_native_new (_("Save Problems as CSV"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  add_filter (GTK_FILE_CHOOSER (self->chooser), _("CSV files"), csv, NULL);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* The problems list's factories: "row\x1fcolumn\x1freason" ------------ */

static char *
dup_issue_part (const char *packed,
                guint       part)
{
  g_auto(GStrv) parts = g_strsplit (packed != NULL ? packed : "", "\x1f", 3);

  if (g_strv_length (parts) <= part)
    return g_strdup ("");
  return g_strdup (parts[part]);
}

static char *
issue_row_text (gpointer    item,
                const char *packed)
{
  g_autofree char *row = dup_issue_part (packed, 0);

  /* Row 0: a part of a vCard file that is no card. */
  return g_str_equal (row, "0") ? g_strdup ("—") : g_steal_pointer (&row);
}

static char *
issue_column_text (gpointer    item,
                   const char *packed)
{
  g_autofree char *column = dup_issue_part (packed, 1);
  TurnoutField field = turnout_field_from_id (column);

  if (*column == '\0')
    return g_strdup (_("Whole row"));
  /* A problem of a field with no column ("the row names no event"). */
  if (field != TURNOUT_N_FIELDS)
    return g_strdup (turnout_field_get_label (field));
  return g_steal_pointer (&column);
}

static char *
issue_reason_text (gpointer    item,
                   const char *packed)
{
  return dup_issue_part (packed, 2);
}

/* The class ------------------------------------------------------------- */

static void
turnout_import_dialog_constructed (GObject *object)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (object);
  g_autofree char *region = NULL;

  G_OBJECT_CLASS (turnout_import_dialog_parent_class)->constructed (object);

  if (self->settings != NULL)
    region = turnout_settings_dup_string (self->settings, "contacts.default_region");
  else
    region = g_strdup (turnout_setting_spec_lookup ("contacts.default_region")->default_value);
  gtk_editable_set_text (GTK_EDITABLE (self->region_row), region);
  on_region_changed_cb (self, GTK_EDITABLE (self->region_row));
}

static void
turnout_import_dialog_dispose (GObject *object)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (object);

  self->disposed = TRUE;
  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  if (self->import_cancellable != NULL)
    g_cancellable_cancel (self->import_cancellable);
  g_clear_object (&self->import_cancellable);
  if (self->save_cancellable != NULL)
    g_cancellable_cancel (self->save_cancellable);
  g_clear_object (&self->save_cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->file);
  g_clear_object (&self->problems_file);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_IMPORT_DIALOG);

  /* After the template: the rows are gone with their group. */
  if (self->column_rows != NULL)
    g_ptr_array_set_size (self->column_rows, 0);
  g_clear_object (&self->field_labels);

  G_OBJECT_CLASS (turnout_import_dialog_parent_class)->dispose (object);
}

static void
turnout_import_dialog_finalize (GObject *object)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (object);

  g_free (self->region);
  g_clear_pointer (&self->preview, turnout_import_preview_free);
  g_free (self->preview_error);
  g_clear_pointer (&self->result, turnout_import_result_free);
  forget_columns (self);
  g_array_unref (self->kind_fields);
  g_ptr_array_unref (self->column_rows);

  G_OBJECT_CLASS (turnout_import_dialog_parent_class)->finalize (object);
}

static void
turnout_import_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (object);

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
turnout_import_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  TurnoutImportDialog *self = TURNOUT_IMPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;

    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_import_dialog_class_init (TurnoutImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = turnout_import_dialog_constructed;
  object_class->dispose = turnout_import_dialog_dispose;
  object_class->finalize = turnout_import_dialog_finalize;
  object_class->get_property = turnout_import_dialog_get_property;
  object_class->set_property = turnout_import_dialog_set_property;
  window_class->close_request = on_close_request_cb;

  /**
   * TurnoutImportDialog:store:
   *
   * Where the file is imported.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TURNOUT_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TurnoutImportDialog:settings: (nullable)
   *
   * Where the default phone region and time zone come from; %NULL uses
   * the defaults of the settings registry.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         TURNOUT_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TurnoutImportDialog::imported:
   * @result: what was imported
   *
   * Emitted on the main thread when an import has been stored, so lists
   * of contacts and events can refresh.
   */
  signals[IMPORTED] =
    g_signal_new ("imported",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  TURNOUT_TYPE_IMPORT_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/"
                                               "turnout-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, back_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, next_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, choose_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, close_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, contacts_check);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, registrations_check);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, region_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, choose_error_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, reading_spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, file_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, warning_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, warning_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, blocker_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, blocker_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, columns_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, preview_spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, preview_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, preview_grid);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, progress_page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, done_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, done_icon);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, done_title);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, done_counts);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, done_details);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, done_warning_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, done_warning_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, problems_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, problems_title);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, problems_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutImportDialog, problems_more_label);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_region_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_region_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, issue_row_text);
  gtk_widget_class_bind_template_callback (widget_class, issue_column_text);
  gtk_widget_class_bind_template_callback (widget_class, issue_reason_text);

  gtk_widget_class_install_action (widget_class, "import.choose-file", NULL, choose_file_action);
  gtk_widget_class_install_action (widget_class, "import.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "import.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "import.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "import.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "import.save-problems", NULL,
                                   save_problems_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "import.choose-file", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "import.save-problems", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "import.cancel", NULL);
}

static void
turnout_import_dialog_init (TurnoutImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->kind = TURNOUT_IMPORT_CONTACTS;
  self->kind_fields = g_array_new (FALSE, FALSE, sizeof (TurnoutField));
  self->column_rows = g_ptr_array_new ();
  self->save_cancellable = g_cancellable_new ();
  load_kind_fields (self);
  update_state (self);
}

/**
 * turnout_import_dialog_new:
 * @store: where to import
 * @settings: (nullable): the settings of @store, for the default phone
 *   region and time zone
 *
 * Returns: (transfer full): a new Import dialog; make it transient for the
 *   main window and present it.
 */
TurnoutImportDialog *
turnout_import_dialog_new (TurnoutStore    *store,
                           TurnoutSettings *settings)
{
  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings), NULL);

  return g_object_new (TURNOUT_TYPE_IMPORT_DIALOG,
                       "store", store,
                       "settings", settings,
                       NULL);
}

/**
 * turnout_import_dialog_get_store:
 *
 * Returns: (transfer none): the store imported into
 */
TurnoutStore *
turnout_import_dialog_get_store (TurnoutImportDialog *self)
{
  g_return_val_if_fail (TURNOUT_IS_IMPORT_DIALOG (self), NULL);

  return self->store;
}

/**
 * turnout_import_dialog_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings
 */
TurnoutSettings *
turnout_import_dialog_get_settings (TurnoutImportDialog *self)
{
  g_return_val_if_fail (TURNOUT_IS_IMPORT_DIALOG (self), NULL);

  return self->settings;
}

/**
 * turnout_import_dialog_set_file:
 * @file: the file to import
 *
 * Does what choosing @file in the file chooser does: reads its first rows
 * on a worker and, when they could be read, shows the columns and the
 * preview; else says on the first page why not. Tests call it instead of
 * driving the file chooser.
 */
void
turnout_import_dialog_set_file (TurnoutImportDialog *self,
                                GFile               *file)
{
  g_return_if_fail (TURNOUT_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->import_cancellable != NULL)
    return;

  g_set_object (&self->file, file);
  forget_columns (self);
  g_clear_pointer (&self->preview, turnout_import_preview_free);
  g_clear_pointer (&self->preview_error, g_free);
  g_clear_pointer (&self->result, turnout_import_result_free);
  gtk_widget_set_visible (GTK_WIDGET (self->choose_error_label), FALSE);
  if (!g_str_equal (get_page (self), "choose"))
    show_page (self, "choose");
  refresh_preview (self, TRUE);
}

/**
 * turnout_import_dialog_save_problems:
 * @file: where to write
 *
 * Writes the problems of the finished import as CSV on a worker, as Save
 * Problems as CSV does with the file chosen, and says in a toast how that
 * went.
 */
void
turnout_import_dialog_save_problems (TurnoutImportDialog *self,
                                     GFile               *file)
{
  g_return_if_fail (TURNOUT_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->result != NULL);

  g_set_object (&self->problems_file, file);
  turnout_import_result_write_issues_csv_async (self->result, file, self->save_cancellable,
                                                on_problems_saved_cb, g_object_ref (self));
}
