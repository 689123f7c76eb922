/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-templates-pane"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-email-editor.h"
#include "turnout-preflight-view.h"
#include "turnout-segments.h"
#include "turnout-settings.h"
#include "turnout-sms-editor.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-templates-pane.h"

/*
 * The Templates pane: the templates on the left with their channel and the
 * start of their text, searchable; the one chosen on the right in the
 * editor of its channel. The editor works on a copy, so the list shows
 * what is stored until Save; leaving a template with changes not saved
 * asks first. Deleting one that an automation or a running campaign uses
 * is refused by the store, which names them.
 */

struct _TurnoutTemplatesPane
{
  AdwBin               parent_instance;

  TurnoutStore        *store;             /* owned, nullable */
  TurnoutSettings     *settings;          /* owned, nullable */
  GCancellable        *cancellable;       /* owned */
  GListStore          *templates;         /* owned: TurnoutTemplate, as stored */
  GtkFilterListModel  *filtered;          /* owned */
  GtkCustomFilter     *filter;            /* owned */
  TurnoutTemplate     *editing;           /* owned: the copy in the editor, or NULL */
  char                *select_name;
  char                *query;
  gboolean             dirty;
  gboolean             setting_name;
  gboolean             reverting;

  AdwToastOverlay     *toast_overlay;     /* template child */
  AdwLeaflet          *leaflet;           /* template child */
  GtkSearchEntry      *search_entry;      /* template child */
  GtkStack            *list_stack;        /* template child */
  AdwStatusPage       *list_status;       /* template child */
  GtkListBox          *template_list;     /* template child */
  GtkStack            *editor_stack;      /* template child */
  GtkButton           *back_button;       /* template child */
  GtkImage            *channel_image;     /* template child */
  GtkEntry            *name_entry;        /* template child */
  GtkStack            *channel_stack;     /* template child */
  TurnoutSmsEditor    *sms_editor;        /* template child */
  TurnoutEmailEditor  *email_editor;      /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutTemplatesPane, turnout_templates_pane, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void reload (TurnoutTemplatesPane *self);

static void
add_toast (TurnoutTemplatesPane *self,
           const char           *title,
           guint                 timeout)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, timeout);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
add_error_toast (TurnoutTemplatesPane *self,
                 const char           *what,
                 const GError         *error)
{
  g_autofree char *title = g_strdup_printf ("%s: %s", what, error->message);

  add_toast (self, title, 0);
}

static void
update_actions (TurnoutTemplatesPane *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_store = self->store != NULL;
  gboolean editing = self->editing != NULL;
  gboolean stored = editing && turnout_template_get_id (self->editing) > 0;

  gtk_widget_action_set_enabled (widget, "templates.new", has_store);
  gtk_widget_action_set_enabled (widget, "templates.save",
                                 has_store && editing && (self->dirty || !stored));
  gtk_widget_action_set_enabled (widget, "templates.rename", has_store && stored);
  gtk_widget_action_set_enabled (widget, "templates.duplicate", has_store && stored);
  gtk_widget_action_set_enabled (widget, "templates.delete", has_store && stored);
  gtk_widget_action_set_enabled (widget, "templates.check", has_store && editing);
}

/* The list ------------------------------------------------------------------ */

static gboolean
filter_template (gpointer item,
                 gpointer user_data)
{
  TurnoutTemplatesPane *self = user_data;
  TurnoutTemplate *template = item;
  g_autofree char *haystack = NULL;
  g_autofree char *folded = NULL;

  if (self->query == NULL || *self->query == '\0')
    return TRUE;
  haystack = g_strjoin ("\n", turnout_template_get_name (template),
                        turnout_template_get_subject (template),
                        turnout_template_get_body_text (template), NULL);
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, self->query) != NULL;
}

static void
on_search_changed_cb (TurnoutTemplatesPane *self)
{
  g_free (self->query);
  self->query = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  TurnoutTemplate *template = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (turnout_template_get_icon_name (template));
  g_autofree char *title = g_markup_escape_text (turnout_template_get_name (template), -1);
  g_autofree char *summary = turnout_template_dup_summary (template);
  g_autofree char *subtitle = g_markup_escape_text (summary, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  turnout_template_is_email (template) ? _("Email") : _("SMS"),
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  g_object_set_data_full (G_OBJECT (row), "turnout-template", g_object_ref (template),
                          g_object_unref);
  return row;
}

static void
select_row_of (TurnoutTemplatesPane *self,
               const char           *name)
{
  self->reverting = TRUE;
  gtk_list_box_unselect_all (self->template_list);
  for (guint i = 0; name != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->filtered)); i++)
    {
      g_autoptr(TurnoutTemplate) template = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

      if (g_str_equal (turnout_template_get_name (template), name))
        gtk_list_box_select_row (self->template_list,
                                 gtk_list_box_get_row_at_index (self->template_list, i));
    }
  self->reverting = FALSE;
}

/* The editor ---------------------------------------------------------------- */

static void
set_name_text (TurnoutTemplatesPane *self,
               const char           *name)
{
  self->setting_name = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  self->setting_name = FALSE;
}

/* Edits a copy of @template (or a new one of @channel when NULL). */
static void
edit (TurnoutTemplatesPane *self,
      TurnoutTemplate      *template,
      const char           *channel)
{
  g_clear_object (&self->editing);
  if (template != NULL)
    self->editing = turnout_template_copy (template);
  else if (channel != NULL)
    self->editing = turnout_template_new (channel);
  self->dirty = FALSE;
  if (self->editing == NULL)
    {
      gtk_stack_set_visible_child_name (self->editor_stack, "none");
      update_actions (self);
      return;
    }
  set_name_text (self, turnout_template_get_name (self->editing));
  gtk_image_set_from_icon_name (self->channel_image, turnout_template_get_icon_name (self->editing));
  if (turnout_template_is_email (self->editing))
    {
      turnout_email_editor_set_template (self->email_editor, self->editing);
      gtk_stack_set_visible_child_name (self->channel_stack, "email");
    }
  else
    {
      turnout_sms_editor_set_template (self->sms_editor, self->editing);
      gtk_stack_set_visible_child_name (self->channel_stack, "sms");
    }
  gtk_stack_set_visible_child_name (self->editor_stack, "editor");
  update_actions (self);
}

typedef struct
{
  TurnoutTemplatesPane *self;
  TurnoutTemplate      *template;
  char                 *channel;
} PendingEdit;

static void
pending_edit_free (gpointer  data,
                   GClosure *closure)
{
  PendingEdit *pending = data;

  g_object_unref (pending->self);
  g_clear_object (&pending->template);
  g_free (pending->channel);
  g_free (pending);
}

static void
start_editing (TurnoutTemplatesPane *self,
               TurnoutTemplate      *template,
               const char           *channel)
{
  if (template == NULL)
    {
      self->reverting = TRUE;
      gtk_list_box_unselect_all (self->template_list);
      self->reverting = FALSE;
    }
  edit (self, template, channel);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  if (template == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

static void
on_discard_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        PendingEdit      *pending)
{
  if (g_str_equal (response, "discard"))
    start_editing (pending->self, pending->template, pending->channel);
  else if (pending->self->editing != NULL)
    select_row_of (pending->self, turnout_template_get_id (pending->self->editing) > 0
                                  ? turnout_template_get_name (pending->self->editing) : NULL);
}

/* Changes not saved are only thrown away when the user says so. */
static void
confirm_then_edit (TurnoutTemplatesPane *self,
                   TurnoutTemplate      *template,
                   const char           *channel)
{
  PendingEdit *pending;
  g_autofree char *heading = NULL;
  const char *name;
  GtkWidget *dialog;

  if (!self->dirty)
    {
      start_editing (self, template, channel);
      return;
    }
  pending = g_new0 (PendingEdit, 1);
  pending->self = g_object_ref (self);
  pending->template = template != NULL ? g_object_ref (template) : NULL;
  pending->channel = g_strdup (channel);
  name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  /* TRANSLATORS: %s is a template's name. */
  heading = *name != '\0' ? g_strdup_printf (_("Discard Changes to “%s”?"), name)
                          : g_strdup (_("Discard the New Template?"));
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

static void
on_template_list_row_selected_cb (TurnoutTemplatesPane *self,
                                  GtkListBoxRow        *row)
{
  TurnoutTemplate *template;

  if (row == NULL || self->reverting)
    return;
  template = g_object_get_data (G_OBJECT (row), "turnout-template");
  if (template == NULL
      || (self->editing != NULL
          && turnout_template_get_id (self->editing) == turnout_template_get_id (template)))
    return;
  confirm_then_edit (self, template, NULL);
}

static void
on_editor_changed_cb (TurnoutTemplatesPane *self)
{
  self->dirty = TRUE;
  update_actions (self);
}

static void
on_name_entry_changed_cb (TurnoutTemplatesPane *self)
{
  if (self->setting_name || self->editing == NULL)
    return;
  turnout_template_set_name (self->editing, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  on_editor_changed_cb (self);
}

static void
on_name_entry_activate_cb (TurnoutTemplatesPane *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "templates.save", NULL);
}

static void
on_back_button_clicked_cb (TurnoutTemplatesPane *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_leaflet_folded_changed_cb (TurnoutTemplatesPane *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), adw_leaflet_get_folded (self->leaflet));
}

/* Store work ------------------------------------------------------------- */

static void
on_list_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TurnoutTemplatesPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = turnout_templates_list_finish (TURNOUT_STORE (object), result, &error);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *select = g_steal_pointer (&self->select_name);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (list == NULL)
    {
      add_error_toast (self, _("Could not read the templates"), error);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    g_ptr_array_add (items, g_list_model_get_item (list, i));
  self->reverting = TRUE;
  g_list_store_splice (self->templates, 0, g_list_model_get_n_items (G_LIST_MODEL (self->templates)),
                       items->pdata, items->len);
  self->reverting = FALSE;
  gtk_stack_set_visible_child_name (self->list_stack, items->len > 0 ? "list" : "empty");
  if (select == NULL && self->editing != NULL && turnout_template_get_id (self->editing) > 0)
    select = g_strdup (turnout_template_get_name (self->editing));
  select_row_of (self, select);
}

static void
reload (TurnoutTemplatesPane *self)
{
  if (self->store == NULL)
    return;
  turnout_templates_list_async (self->store, self->cancellable, on_list_ready_cb,
                                g_object_ref (self));
}

static void
on_save_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TurnoutTemplatesPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTemplate) saved = turnout_templates_save_finish (TURNOUT_STORE (object), result,
                                                                    &error);
  g_autofree char *title = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (saved == NULL)
    {
      add_error_toast (self, _("Could not save the template"), error);
      update_actions (self);
      return;
    }
  /* The editor keeps its copy; it now has the stored id and name. */
  if (self->editing != NULL)
    {
      turnout_template_set_id (self->editing, turnout_template_get_id (saved));
      turnout_template_set_updated_at (self->editing, turnout_template_get_updated_at (saved));
      turnout_template_set_name (self->editing, turnout_template_get_name (saved));
      set_name_text (self, turnout_template_get_name (saved));
    }
  self->dirty = FALSE;
  update_actions (self);
  /* TRANSLATORS: %s is a template's name. */
  title = g_strdup_printf (_("Saved “%s”"), turnout_template_get_name (saved));
  add_toast (self, title, 3);
  g_free (self->select_name);
  self->select_name = g_strdup (turnout_template_get_name (saved));
  reload (self);
}

static void
save (TurnoutTemplatesPane *self,
      TurnoutTemplate      *template)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "templates.save", FALSE);
  turnout_templates_save_async (self->store, template, self->cancellable, on_save_ready_cb,
                                g_object_ref (self));
}

static void
on_delete_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TurnoutTemplatesPane) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!turnout_templates_delete_finish (TURNOUT_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        add_error_toast (self, _("Could not delete the template"), error);
      return;
    }
  add_toast (self, _("Template deleted"), 3);
  edit (self, NULL, NULL);
  reload (self);
}

static void
on_delete_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  g_autoptr(TurnoutTemplatesPane) self = user_data;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "turnout-id"));

  if (!g_str_equal (response, "delete") || self->store == NULL)
    return;
  turnout_templates_delete_async (self->store, id, self->cancellable, on_delete_ready_cb,
                                  g_object_ref (self));
}

/* Actions ------------------------------------------------------------------- */

static void
templates_new (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (widget);
  const char *channel = parameter != NULL ? g_variant_get_string (parameter, NULL) : "sms";

  confirm_then_edit (self, NULL, g_str_equal (channel, "email") ? "email" : "sms");
}

static void
templates_save (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (widget);

  if (self->editing != NULL)
    save (self, self->editing);
}

static void
templates_rename (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->name_entry), 0, -1);
}

static void
templates_duplicate (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (widget);
  g_autoptr(TurnoutTemplate) copy = NULL;
  g_autofree char *name = NULL;

  if (self->editing == NULL)
    return;
  copy = turnout_template_copy (self->editing);
  turnout_template_set_id (copy, 0);
  /* The first free "X (copy)", "X (copy 2)", … */
  for (guint n = 1; n < 1000; n++)
    {
      gboolean taken = FALSE;

      g_free (name);
      /* TRANSLATORS: the name of a duplicated template; %s is the original's. */
      name = n == 1 ? g_strdup_printf (_("%s (copy)"), turnout_template_get_name (self->editing))
                    : g_strdup_printf (_("%s (copy %u)"), turnout_template_get_name (self->editing), n);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->templates)); i++)
        {
          g_autoptr(TurnoutTemplate) other = g_list_model_get_item (G_LIST_MODEL (self->templates), i);

          taken |= g_str_equal (turnout_template_get_name (other), name);
        }
      if (!taken)
        break;
    }
  turnout_template_set_name (copy, name);
  edit (self, copy, NULL);
  save (self, self->editing);
}

static void
templates_delete (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->editing == NULL || turnout_template_get_id (self->editing) == 0)
    return;
  /* TRANSLATORS: %s is a template's name. */
  heading = g_strdup_printf (_("Delete “%s”?"), turnout_template_get_name (self->editing));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading,
                                   _("Campaigns already sent keep their own copy of it. This "
                                     "can’t be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "turnout-id",
                     GSIZE_TO_POINTER ((gsize) turnout_template_get_id (self->editing)));
  g_signal_connect (dialog, "response", G_CALLBACK (on_delete_response_cb), g_object_ref (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The check against a segment: a window with the segments to choose from
 * (the ready-made ones, then the saved ones) and the preflight of the
 * template as it is in the editor, saved or not. */

static const struct
{
  const char *id;
  const char *label;
} check_presets[] = {
  { "all", N_("All contacts") },
  { "recent", N_("Recent registrants (30 days)") },
  { "upcoming", N_("Upcoming (next 30 days)") },
  { "first-time", N_("First-timers") },
  { "repeat", N_("Repeat fans (3+ events)") },
  { "lapsed", N_("Lapsed (90 days)") },
  { "cancelled", N_("Cancelled (last 30 days)") },
};

static void
on_check_segment_selected_cb (GtkDropDown *dropdown,
                              GParamSpec  *pspec,
                              GtkWidget   *window)
{
  TurnoutPreflightView *view = g_object_get_data (G_OBJECT (window), "turnout-view");
  TurnoutTemplate *template = g_object_get_data (G_OBJECT (window), "turnout-template");
  GListModel *saved = g_object_get_data (G_OBJECT (window), "turnout-segments");
  guint selected = gtk_drop_down_get_selected (dropdown);
  g_autoptr(TurnoutSegment) segment = NULL;

  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  if (selected < G_N_ELEMENTS (check_presets))
    segment = turnout_segment_new_preset (check_presets[selected].id, -1, NULL);
  else if (saved != NULL && selected - G_N_ELEMENTS (check_presets) < g_list_model_get_n_items (saved))
    {
      g_autoptr(TurnoutSavedSegment) item =
        g_list_model_get_item (saved, selected - G_N_ELEMENTS (check_presets));

      segment = turnout_segment_ref (turnout_saved_segment_get_segment (item));
    }
  if (segment != NULL)
    turnout_preflight_view_run (view, template, segment, 0);
}

static void
on_check_segments_ready_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GtkWidget) window = user_data;
  g_autoptr(GListModel) saved = turnout_segments_list_finish (TURNOUT_STORE (object), result, NULL);
  GtkDropDown *dropdown = g_object_get_data (G_OBJECT (window), "turnout-dropdown");
  GtkStringList *labels = GTK_STRING_LIST (gtk_drop_down_get_model (dropdown));

  if (saved == NULL || gtk_widget_in_destruction (window))
    return;
  g_object_set_data_full (G_OBJECT (window), "turnout-segments", g_object_ref (saved),
                          g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (saved); i++)
    {
      g_autoptr(TurnoutSavedSegment) item = g_list_model_get_item (saved, i);

      gtk_string_list_append (labels, turnout_saved_segment_get_name (item));
    }
}

static void
templates_check (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (widget);
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autofree char *title = NULL;
  GtkWidget *window, *toolbar, *header, *box, *dropdown, *view, *scrolled, *label;
  GtkEventController *shortcuts;

  if (self->editing == NULL || self->store == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (check_presets); i++)
    gtk_string_list_append (labels, _(check_presets[i].label));

  window = adw_window_new ();
  /* TRANSLATORS: the title of the preflight window; %s is a template's name. */
  title = g_strdup_printf (_("Check “%s”"), turnout_template_get_name (self->editing));
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (gtk_widget_get_root (widget)));
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 640);
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (window, shortcuts);

  toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (toolbar), header);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 18);
  label = gtk_label_new_with_mnemonic (_("Send to _segment"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (labels)), NULL);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), dropdown);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), GTK_INVALID_LIST_POSITION);
  gtk_box_append (GTK_BOX (box), dropdown);
  view = turnout_preflight_view_new ();
  turnout_preflight_view_set_store (TURNOUT_PREFLIGHT_VIEW (view), self->store);
  gtk_box_append (GTK_BOX (box), view);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_box_append (GTK_BOX (toolbar), scrolled);
  adw_window_set_content (ADW_WINDOW (window), toolbar);

  g_object_set_data (G_OBJECT (window), "turnout-view", view);
  g_object_set_data (G_OBJECT (window), "turnout-dropdown", dropdown);
  g_object_set_data_full (G_OBJECT (window), "turnout-template",
                          turnout_template_copy (self->editing), g_object_unref);
  g_signal_connect (dropdown, "notify::selected", G_CALLBACK (on_check_segment_selected_cb),
                    window);
  turnout_segments_list_async (self->store, self->cancellable, on_check_segments_ready_cb,
                               g_object_ref (window));
  gtk_window_present (GTK_WINDOW (window));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 0);
  gtk_widget_grab_focus (dropdown);
}

static void
templates_search (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* GObject ------------------------------------------------------------------- */

static void
turnout_templates_pane_dispose (GObject *object)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_TEMPLATES_PANE);
  g_clear_object (&self->editing);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->templates);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (turnout_templates_pane_parent_class)->dispose (object);
}

static void
turnout_templates_pane_finalize (GObject *object)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (object);

  g_free (self->select_name);
  g_free (self->query);

  G_OBJECT_CLASS (turnout_templates_pane_parent_class)->finalize (object);
}

static void
turnout_templates_pane_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (object);

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
turnout_templates_pane_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TurnoutTemplatesPane *self = TURNOUT_TEMPLATES_PANE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      turnout_templates_pane_set_store (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      turnout_templates_pane_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_templates_pane_class_init (TurnoutTemplatesPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_templates_pane_dispose;
  object_class->finalize = turnout_templates_pane_finalize;
  object_class->get_property = turnout_templates_pane_get_property;
  object_class->set_property = turnout_templates_pane_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TURNOUT_TYPE_SMS_EDITOR);
  g_type_ensure (TURNOUT_TYPE_EMAIL_EDITOR);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/turnout-templates-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, list_status);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, template_list);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, editor_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, back_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, channel_image);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, name_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, channel_stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, sms_editor);
  gtk_widget_class_bind_template_child (widget_class, TurnoutTemplatesPane, email_editor);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_template_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_editor_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_name_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_name_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_folded_changed_cb);

  gtk_widget_class_install_action (widget_class, "templates.new", "s", templates_new);
  gtk_widget_class_install_action (widget_class, "templates.save", NULL, templates_save);
  gtk_widget_class_install_action (widget_class, "templates.rename", NULL, templates_rename);
  gtk_widget_class_install_action (widget_class, "templates.duplicate", NULL, templates_duplicate);
  gtk_widget_class_install_action (widget_class, "templates.delete", NULL, templates_delete);
  gtk_widget_class_install_action (widget_class, "templates.search", NULL, templates_search);
  gtk_widget_class_install_action (widget_class, "templates.check", NULL, templates_check);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "templates.check",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "templates.new",
                                       "s", "sms");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "templates.new", "s", "email");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "templates.save",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "templates.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "templates.search", NULL);
}

static void
turnout_templates_pane_init (TurnoutTemplatesPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->templates = g_list_store_new (TURNOUT_TYPE_TEMPLATE);
  self->filter = gtk_custom_filter_new (filter_template, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->templates)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  gtk_list_box_bind_model (self->template_list, G_LIST_MODEL (self->filtered), create_row, NULL,
                           NULL);
  adw_status_page_set_description (self->list_status,
                                   _("Make one with the + button: an SMS with merge fields, or an "
                                     "email."));
  edit (self, NULL, NULL);
}

TurnoutTemplatesPane *
turnout_templates_pane_new (void)
{
  return g_object_new (TURNOUT_TYPE_TEMPLATES_PANE, NULL);
}

TurnoutStore *
turnout_templates_pane_get_store (TurnoutTemplatesPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATES_PANE (self), NULL);

  return self->store;
}

void
turnout_templates_pane_set_store (TurnoutTemplatesPane *self,
                                  TurnoutStore         *store)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATES_PANE (self));

  if (!g_set_object (&self->store, store))
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_list_store_remove_all (self->templates);
  edit (self, NULL, NULL);
  g_object_set (self->sms_editor, "store", store, NULL);
  g_object_set (self->email_editor, "store", store, NULL);
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

TurnoutSettings *
turnout_templates_pane_get_settings (TurnoutTemplatesPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATES_PANE (self), NULL);

  return self->settings;
}

void
turnout_templates_pane_set_settings (TurnoutTemplatesPane *self,
                                     TurnoutSettings      *settings)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATES_PANE (self));

  if (!g_set_object (&self->settings, settings))
    return;
  g_object_set (self->sms_editor, "settings", settings, NULL);
  g_object_set (self->email_editor, "settings", settings, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

/**
 * turnout_templates_pane_refresh:
 *
 * Reads the templates again.
 */
void
turnout_templates_pane_refresh (TurnoutTemplatesPane *self)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATES_PANE (self));

  reload (self);
}
