/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-contacts-pane"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-bitset-selection.h"
#include "turnout-contact.h"
#include "turnout-contact-actions.h"
#include "turnout-contact-editor.h"
#include "turnout-contact-list.h"
#include "turnout-contacts-pane.h"
#include "turnout-send-text-dialog.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * The list a promoter lives in: every contact in a column view over a
 * TurnoutContactList, which reads pages of rows on workers as they scroll
 * into view, with search as you type, sorting by the column headers, and
 * actions on the selected rows.
 *
 * Sorting: GTK 4.8 cannot tell which column header was clicked
 * (gtk_column_view_sorter_get_primary_sort_column() is 4.10), but the
 * column view's sorter compares with the sorter of its primary column
 * first, inverted when that column is sorted descending. Each sortable
 * column gets a sorter that only notes its key; comparing two items with
 * the column view's sorter then tells the key and the direction, and the
 * list sorts in SQL. The items are never sorted in memory. A menu sorts
 * too, for the keyboard and for "Date Added", which has no column; it sets
 * the headers to match.
 *
 * Delete can be undone: the rows are hidden at once (the list's pending
 * deletions) and really deleted, on a worker, when the toast goes away or
 * the pane is destroyed.
 */

struct _TurnoutContactsPane
{
  AdwBin                   parent_instance;

  TurnoutStore            *store;              /* owned, nullable */
  TurnoutSettings         *settings;           /* owned, nullable */
  TurnoutContactList      *list;               /* owned */
  TurnoutBitsetSelection  *selection;          /* owned */
  GCancellable            *cancellable;        /* owned; work whose result only the pane shows */
  GPtrArray               *pending_deletes;    /* PendingDelete, each owns itself */
  GtkNativeDialog         *export_chooser;     /* owned, while it is open */
  TurnoutContactSelection *export_selection;   /* owned, while the chooser is open */
  int                      probed_sort;        /* set by the column sorters while probed */
  gboolean                 syncing_headers;    /* the pane, not a click, sets the headers */

  AdwToastOverlay         *toast_overlay;      /* the bin's child */
  GtkSearchEntry          *search_entry;       /* template child */
  GtkSpinner              *spinner;            /* template child */
  GtkLabel                *count_label;        /* template child */
  GtkStack                *stack;              /* template child */
  GtkScrolledWindow       *scrolled_window;    /* template child */
  GtkColumnView           *column_view;        /* template child */
  AdwStatusPage           *no_results_page;    /* template child */
  GtkRevealer             *selection_revealer; /* template child */
  GtkLabel                *selection_label;    /* template child */
  GtkColumnViewColumn     *name_column;        /* template child */
  GtkColumnViewColumn     *phone_column;       /* template child */
  GtkColumnViewColumn     *email_column;       /* template child */
  GtkColumnViewColumn     *events_column;      /* template child */
  GtkColumnViewColumn     *spend_column;       /* template child */
  GtkColumnViewColumn     *last_event_column;  /* template child */
  GtkColumnViewColumn     *sms_consent_column; /* template child */
  GtkColumnViewColumn     *email_consent_column; /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutContactsPane, turnout_contacts_pane, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_SORT_BY,
  PROP_SORT_DESCENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const selection_actions[] = {
  "contacts.add-tag", "contacts.remove-tag", "contacts.suppress", "contacts.export",
  "contacts.delete", "contacts.send-text", "contacts.send-email",
};

static void
add_toast (TurnoutContactsPane *self,
           const char          *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static void
add_error_toast (TurnoutContactsPane *self,
                 const char          *what,
                 const GError        *error)
{
  /* TRANSLATORS: the first %s says what failed, the second why. */
  g_autofree char *message = g_strdup_printf (_("%s: %s"), what, error->message);
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static char *
format_count (guint64 n)
{
  /* The ' flag groups the digits as the user's locale does: 12,345. */
  return g_strdup_printf ("%'" PRIu64, n);
}

static guint
get_n_selected (TurnoutContactsPane *self)
{
  g_autoptr(GtkBitset) selected =
    gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  return (guint) gtk_bitset_get_size (selected);
}

/* The selected rows as ranges of positions, which the list turns into a
 * selection without reading a million ids here. */
static TurnoutContactSelection *
dup_selection (TurnoutContactsPane *self)
{
  g_autoptr(GtkBitset) selected =
    gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (TurnoutContactRange));
  guint64 size = gtk_bitset_get_size (selected);
  GtkBitsetIter iter;
  guint position;

  if (size > 0 &&
      gtk_bitset_get_maximum (selected) - gtk_bitset_get_minimum (selected) + 1 == size)
    {
      TurnoutContactRange all = { gtk_bitset_get_minimum (selected), (guint) size };

      g_array_append_val (ranges, all);
    }
  else if (gtk_bitset_iter_init_first (&iter, selected, &position))
    {
      TurnoutContactRange range = { position, 1 };

      while (gtk_bitset_iter_next (&iter, &position))
        {
          if (position == range.position + range.n_items)
            {
              range.n_items++;
              continue;
            }
          g_array_append_val (ranges, range);
          range.position = position;
          range.n_items = 1;
        }
      g_array_append_val (ranges, range);
    }

  return turnout_contact_list_dup_selection (self->list,
                                             (TurnoutContactRange *) (void *) ranges->data,
                                             ranges->len);
}

static void
update_view (TurnoutContactsPane *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->list));
  gboolean loading = turnout_contact_list_get_loading (self->list);
  g_autofree char *search = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  g_autofree char *count = format_count (n);
  g_autofree char *label = g_strdup_printf (ngettext ("%s contact", "%s contacts", n), count);

  gtk_label_set_label (self->count_label, label);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), self->store != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);

  /* While a new search runs, what was shown stays, rather than flashing an
   * empty page between two lists. */
  if (n > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  else if (!loading && *search != '\0')
    {
      g_autofree char *description =
        g_strdup_printf (_("No contact’s name, phone number or email matches “%s”."), search);

      adw_status_page_set_description (self->no_results_page, description);
      gtk_stack_set_visible_child_name (self->stack, "no-results");
    }
  else if (!loading)
    gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
update_selection (TurnoutContactsPane *self)
{
  guint n = get_n_selected (self);
  g_autofree char *count = format_count (n);
  g_autofree char *label = g_strdup_printf (ngettext ("%s contact selected",
                                                      "%s contacts selected", n), count);

  gtk_label_set_label (self->selection_label, label);
  gtk_revealer_set_reveal_child (self->selection_revealer, n > 0);
  for (guint i = 0; i < G_N_ELEMENTS (selection_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), selection_actions[i],
                                   n > 0 && self->store != NULL);
}

static void
on_list_changed_cb (TurnoutContactsPane *self)
{
  update_view (self);
}

static void
on_list_load_failed_cb (TurnoutContactsPane *self,
                        const GError        *error)
{
  add_error_toast (self, _("Could not read contacts"), error);
}

static void
on_selection_changed_cb (TurnoutContactsPane *self)
{
  update_selection (self);
}

static void
on_search_entry_search_changed_cb (TurnoutContactsPane *self)
{
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  turnout_contact_list_set_search_text (self->list,
                                        gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  /* A new search starts at its first result. */
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_lower (vadjustment));
}

static void
on_search_entry_stop_search_cb (TurnoutContactsPane *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* Sorting --------------------------------------------------------------- */

typedef struct
{
  TurnoutContactsPane *self;   /* unowned: the pane owns the column */
  TurnoutContactSort   key;
} SortProbe;

static int
probe_sort_cb (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SortProbe *probe = user_data;

  probe->self->probed_sort = (int) probe->key;
  return -1;
}

static GtkColumnViewColumn *
get_sort_column (TurnoutContactsPane *self,
                 TurnoutContactSort   key)
{
  switch (key)
    {
    case TURNOUT_CONTACT_SORT_NAME:
      return self->name_column;
    case TURNOUT_CONTACT_SORT_PHONE:
      return self->phone_column;
    case TURNOUT_CONTACT_SORT_EMAIL:
      return self->email_column;
    case TURNOUT_CONTACT_SORT_EVENTS_ATTENDED:
      return self->events_column;
    case TURNOUT_CONTACT_SORT_TOTAL_SPEND:
      return self->spend_column;
    case TURNOUT_CONTACT_SORT_LAST_EVENT:
      return self->last_event_column;
    case TURNOUT_CONTACT_SORT_SMS_CONSENT:
      return self->sms_consent_column;
    case TURNOUT_CONTACT_SORT_EMAIL_CONSENT:
      return self->email_consent_column;
    case TURNOUT_CONTACT_SORT_CREATED:
    default:
      return NULL;
    }
}

/* Sorts from the menu (the keyboard's way to sort) and shows it in the
 * headers; "Date Added" has no column, so no header shows an arrow. */
static void
set_sort (TurnoutContactsPane *self,
          TurnoutContactSort   key,
          gboolean             descending)
{
  GtkColumnViewColumn *column = get_sort_column (self, key);

  turnout_contact_list_set_sort (self->list, key, descending);
  self->syncing_headers = TRUE;
  gtk_column_view_sort_by_column (self->column_view, column,
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  self->syncing_headers = FALSE;
}

static void
on_column_view_sorter_changed_cb (TurnoutContactsPane *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  GtkOrdering ordering;

  if (self->syncing_headers)
    return;

  /* Any two different objects do: the column sorters look at neither. */
  self->probed_sort = -1;
  ordering = gtk_sorter_compare (sorter, self, self->list);
  if (self->probed_sort >= 0)
    turnout_contact_list_set_sort (self->list, self->probed_sort,
                                   ordering == GTK_ORDERING_LARGER);
}

static void
on_list_sort_changed_cb (TurnoutContactsPane *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_BY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_DESCENDING]);
}

static void
set_column_sort (TurnoutContactsPane *self,
                 GtkColumnViewColumn *column,
                 TurnoutContactSort   key)
{
  SortProbe *probe = g_new0 (SortProbe, 1);
  g_autoptr(GtkCustomSorter) sorter = NULL;

  probe->self = self;
  probe->key = key;
  sorter = gtk_custom_sorter_new (probe_sort_cb, probe, g_free);
  gtk_column_view_column_set_sorter (column, GTK_SORTER (sorter));
}

/* Tags ------------------------------------------------------------------- */

typedef struct
{
  TurnoutContactsPane     *self;        /* owned */
  TurnoutContactSelection *selection;   /* owned */
  gboolean                 adding;
  GStrv                    tags;        /* owned; the tags there are */
  GtkEditable             *entry;       /* adding */
  GtkLabel                *error_label; /* adding */
  GtkFlowBox              *suggestions; /* adding: existing tags like the name typed */
  GtkDropDown             *drop_down;   /* removing */
} TagDialog;

/* How many existing tags are offered while a name is typed. */
#define MAX_SUGGESTIONS 6

static void
tag_dialog_free (TagDialog *dialog)
{
  g_object_unref (dialog->self);
  turnout_contact_selection_unref (dialog->selection);
  g_strfreev (dialog->tags);
  g_free (dialog);
}

static void
on_tag_changed_cb (TurnoutContactsPane *self,
                   gint64               changed,
                   const GError        *error,
                   gboolean             adding)
{
  g_autofree char *count = NULL;
  g_autofree char *message = NULL;

  if (error != NULL)
    {
      add_error_toast (self, adding ? _("Could not add the tag") : _("Could not remove the tag"),
                       error);
      return;
    }
  count = format_count (changed);
  message = g_strdup_printf (adding ? ngettext ("Tagged %s contact", "Tagged %s contacts", changed)
                                    : ngettext ("Untagged %s contact", "Untagged %s contacts",
                                                changed),
                             count);
  add_toast (self, message);
  turnout_contact_list_refresh (self->list);
}

static void
on_tag_added_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TurnoutContactsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 changed = turnout_contact_actions_add_tag_finish (TURNOUT_STORE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  on_tag_changed_cb (self, changed, error, TRUE);
}

static void
on_tag_removed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TurnoutContactsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 changed = turnout_contact_actions_remove_tag_finish (TURNOUT_STORE (source), result,
                                                              &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  on_tag_changed_cb (self, changed, error, FALSE);
}

static void
on_suggestion_clicked_cb (GtkButton   *button,
                          GtkEditable *entry)
{
  gtk_editable_set_text (entry, gtk_button_get_label (button));
  gtk_editable_set_position (entry, -1);
  gtk_widget_grab_focus (GTK_WIDGET (entry));
}

/* Offers the existing tags whose names contain what was typed (ignoring
 * case), so a tag is not made twice under two spellings. */
static void
update_suggestions (TagDialog  *dialog,
                    const char *text)
{
  g_autofree char *typed = g_utf8_casefold (g_strstrip (g_strdup (text)), -1);
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (dialog->suggestions))) != NULL)
    gtk_flow_box_remove (dialog->suggestions, child);

  for (guint i = 0; dialog->tags[i] != NULL && shown < MAX_SUGGESTIONS; i++)
    {
      g_autofree char *tag = g_utf8_casefold (dialog->tags[i], -1);
      GtkWidget *button;

      if (strstr (tag, typed) == NULL || g_str_equal (tag, typed))
        continue;
      button = gtk_button_new_with_label (dialog->tags[i]);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Use this existing tag"));
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_suggestion_clicked_cb),
                               dialog->entry, 0);
      gtk_flow_box_append (dialog->suggestions, button);
      shown++;
    }
  gtk_widget_set_visible (GTK_WIDGET (dialog->suggestions), shown > 0);
}

static void
on_tag_entry_changed_cb (AdwMessageDialog *message_dialog,
                         GtkEditable      *entry)
{
  TagDialog *dialog = g_object_get_data (G_OBJECT (message_dialog), "turnout-tag-dialog");
  const char *text = gtk_editable_get_text (entry);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = turnout_contact_actions_normalize_tag (text, &error);

  update_suggestions (dialog, text);
  adw_message_dialog_set_response_enabled (message_dialog, "apply", name != NULL);
  /* An empty entry needs no explanation. */
  gtk_label_set_label (dialog->error_label, name == NULL && *text != '\0' ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (dialog->error_label), name == NULL && *text != '\0');
  if (name == NULL && *text != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
}

static void
on_tag_dialog_response_cb (AdwMessageDialog *message_dialog,
                           const char       *response)
{
  TagDialog *dialog = g_object_get_data (G_OBJECT (message_dialog), "turnout-tag-dialog");
  TurnoutContactsPane *self = dialog->self;

  if (!g_str_equal (response, "apply") || self->store == NULL)
    return;

  if (dialog->adding)
    turnout_contact_actions_add_tag_async (self->store, dialog->selection,
                                           gtk_editable_get_text (dialog->entry), self->cancellable,
                                           on_tag_added_cb, g_object_ref (self));
  else
    {
      GtkStringObject *item = gtk_drop_down_get_selected_item (dialog->drop_down);

      if (item != NULL)
        turnout_contact_actions_remove_tag_async (self->store, dialog->selection,
                                                  gtk_string_object_get_string (item),
                                                  self->cancellable, on_tag_removed_cb,
                                                  g_object_ref (self));
    }
}

static void
show_tag_dialog (TurnoutContactsPane     *self,
                 TurnoutContactSelection *selection,
                 GStrv                    tags,
                 gboolean                 adding)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  TagDialog *dialog = g_new0 (TagDialog, 1);
  guint n = turnout_contact_selection_get_size (selection);
  g_autofree char *count = format_count (n);
  g_autofree char *body = NULL;
  GtkWidget *message_dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  dialog->self = g_object_ref (self);
  dialog->selection = turnout_contact_selection_ref (selection);
  dialog->adding = adding;
  dialog->tags = g_strdupv (tags);

  if (dialog->adding)
    body = g_strdup_printf (ngettext ("The tag is given to the selected contact; a new name "
                                      "makes a new tag.",
                                      "The tag is given to the %s selected contacts; a new name "
                                      "makes a new tag.", n), count);
  else
    body = g_strdup_printf (ngettext ("The tag is taken off the selected contact.",
                                      "The tag is taken off the %s selected contacts.", n), count);
  message_dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                           dialog->adding ? _("Add Tag") : _("Remove Tag"), body);
  g_object_set_data_full (G_OBJECT (message_dialog), "turnout-tag-dialog", dialog,
                          (GDestroyNotify) tag_dialog_free);

  if (dialog->adding)
    {
      GtkWidget *entry = gtk_entry_new ();
      GtkWidget *error_label = gtk_label_new (NULL);

      gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Tag name, such as VIP or techno"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Tag name"), -1);
      gtk_label_set_wrap (GTK_LABEL (error_label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (error_label), 0);
      gtk_widget_add_css_class (error_label, "error");
      gtk_widget_add_css_class (error_label, "caption");
      gtk_widget_set_visible (error_label, FALSE);
      gtk_box_append (GTK_BOX (box), entry);
      gtk_box_append (GTK_BOX (box), error_label);
      dialog->entry = GTK_EDITABLE (entry);
      dialog->error_label = GTK_LABEL (error_label);
      dialog->suggestions = GTK_FLOW_BOX (gtk_flow_box_new ());
      gtk_flow_box_set_selection_mode (dialog->suggestions, GTK_SELECTION_NONE);
      gtk_flow_box_set_min_children_per_line (dialog->suggestions, 3);
      gtk_flow_box_set_max_children_per_line (dialog->suggestions, 3);
      gtk_accessible_update_property (GTK_ACCESSIBLE (dialog->suggestions),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Existing tags"), -1);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (dialog->suggestions));
      update_suggestions (dialog, "");
      g_signal_connect_object (entry, "changed", G_CALLBACK (on_tag_entry_changed_cb),
                               message_dialog, G_CONNECT_SWAPPED);
    }
  else
    {
      GtkWidget *drop_down = gtk_drop_down_new_from_strings ((const char * const *) tags);

      gtk_drop_down_set_enable_search (GTK_DROP_DOWN (drop_down), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Tag"), -1);
      gtk_box_append (GTK_BOX (box), drop_down);
      dialog->drop_down = GTK_DROP_DOWN (drop_down);
    }
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (message_dialog), box);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (message_dialog),
                                    "cancel", _("_Cancel"),
                                    "apply", dialog->adding ? _("_Add") : _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (message_dialog), "apply",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (message_dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (message_dialog), "cancel");
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (message_dialog), "apply",
                                           !dialog->adding);
  g_signal_connect (message_dialog, "response", G_CALLBACK (on_tag_dialog_response_cb), NULL);

  gtk_window_present (GTK_WINDOW (message_dialog));
  if (dialog->entry != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (dialog->entry));
}

typedef struct
{
  TurnoutContactsPane     *self;        /* owned */
  TurnoutContactSelection *selection;   /* owned */
  gboolean                 adding;
} TagsRead;

static void
on_tags_listed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TagsRead *read = user_data;
  g_autoptr(TurnoutContactsPane) self = read->self;
  g_autoptr(TurnoutContactSelection) selection = read->selection;
  gboolean adding = read->adding;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = turnout_contact_actions_list_tags_finish (TURNOUT_STORE (source), result,
                                                                 &error);

  g_free (read);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (tags == NULL)
    add_error_toast (self, _("Could not read tags"), error);
  else if (tags[0] == NULL && !adding)
    add_toast (self, _("There are no tags to remove yet"));
  else
    show_tag_dialog (self, selection, tags, adding);
}

/* Both dialogs start from the tags there are: to remove one, or to offer
 * them while a name is typed. */
static void
read_tags_for_dialog (TurnoutContactsPane *self,
                      gboolean             adding)
{
  TagsRead *read = g_new0 (TagsRead, 1);

  read->self = g_object_ref (self);
  read->selection = dup_selection (self);
  read->adding = adding;
  turnout_contact_actions_list_tags_async (self->store, self->cancellable, on_tags_listed_cb, read);
}

static void
turnout_contacts_pane_add_tag_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  read_tags_for_dialog (TURNOUT_CONTACTS_PANE (widget), TRUE);
}

static void
turnout_contacts_pane_remove_tag_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  read_tags_for_dialog (TURNOUT_CONTACTS_PANE (widget), FALSE);
}

/* Suppress --------------------------------------------------------------- */

typedef struct
{
  TurnoutContactsPane     *self;        /* owned */
  TurnoutContactSelection *selection;   /* owned */
  GtkCheckButton          *sms;
  GtkCheckButton          *email;
} SuppressDialog;

static void
suppress_dialog_free (SuppressDialog *dialog)
{
  g_object_unref (dialog->self);
  turnout_contact_selection_unref (dialog->selection);
  g_free (dialog);
}

static void
on_suppressed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TurnoutContactsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 added = turnout_contact_actions_suppress_finish (TURNOUT_STORE (source), result, &error);
  g_autofree char *count = NULL;
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      add_error_toast (self, _("Could not suppress the contacts"), error);
      return;
    }
  count = format_count (added);
  message = g_strdup_printf (ngettext ("%s address added to the suppression list",
                                       "%s addresses added to the suppression list", added),
                             count);
  add_toast (self, message);
}

static void
on_suppress_channel_toggled_cb (AdwMessageDialog *message_dialog)
{
  SuppressDialog *dialog = g_object_get_data (G_OBJECT (message_dialog),
                                              "turnout-suppress-dialog");

  adw_message_dialog_set_response_enabled (message_dialog, "suppress",
                                           gtk_check_button_get_active (dialog->sms) ||
                                           gtk_check_button_get_active (dialog->email));
}

static void
on_suppress_dialog_response_cb (AdwMessageDialog *message_dialog,
                                const char       *response)
{
  SuppressDialog *dialog = g_object_get_data (G_OBJECT (message_dialog),
                                              "turnout-suppress-dialog");
  TurnoutContactsPane *self = dialog->self;
  TurnoutSuppressChannels channels = 0;

  if (!g_str_equal (response, "suppress") || self->store == NULL)
    return;
  if (gtk_check_button_get_active (dialog->sms))
    channels |= TURNOUT_SUPPRESS_SMS;
  if (gtk_check_button_get_active (dialog->email))
    channels |= TURNOUT_SUPPRESS_EMAIL;
  turnout_contact_actions_suppress_async (self->store, dialog->selection, channels,
                                          self->cancellable, on_suppressed_cb,
                                          g_object_ref (self));
}

static void
turnout_contacts_pane_suppress_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  SuppressDialog *dialog = g_new0 (SuppressDialog, 1);
  guint n;
  g_autofree char *count = NULL;
  g_autofree char *heading = NULL;
  GtkWidget *message_dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *sms = gtk_check_button_new_with_mnemonic (_("_Text messages to their phone numbers"));
  GtkWidget *email = gtk_check_button_new_with_mnemonic (_("_Emails to their addresses"));

  dialog->self = g_object_ref (self);
  dialog->selection = dup_selection (self);
  dialog->sms = GTK_CHECK_BUTTON (sms);
  dialog->email = GTK_CHECK_BUTTON (email);
  n = turnout_contact_selection_get_size (dialog->selection);
  count = format_count (n);
  heading = g_strdup_printf (ngettext ("Suppress %s Contact?", "Suppress %s Contacts?", n), count);

  message_dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                           heading,
                                           _("Their addresses go on the suppression list: Turnout "
                                             "will never message them on these channels again, "
                                             "even if they are imported again or opt in. Only "
                                             "removing an address from the suppression list "
                                             "undoes this."));
  g_object_set_data_full (G_OBJECT (message_dialog), "turnout-suppress-dialog", dialog,
                          (GDestroyNotify) suppress_dialog_free);

  gtk_check_button_set_active (GTK_CHECK_BUTTON (sms), TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (email), TRUE);
  g_signal_connect_object (sms, "toggled", G_CALLBACK (on_suppress_channel_toggled_cb),
                           message_dialog, G_CONNECT_SWAPPED);
  g_signal_connect_object (email, "toggled", G_CALLBACK (on_suppress_channel_toggled_cb),
                           message_dialog, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), sms);
  gtk_box_append (GTK_BOX (box), email);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (message_dialog), box);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (message_dialog),
                                    "cancel", _("_Cancel"),
                                    "suppress", _("_Suppress"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (message_dialog), "suppress",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (message_dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (message_dialog), "cancel");
  g_signal_connect (message_dialog, "response", G_CALLBACK (on_suppress_dialog_response_cb), NULL);

  gtk_window_present (GTK_WINDOW (message_dialog));
}

/* Export ----------------------------------------------------------------- */

typedef struct
{
  TurnoutContactsPane *self;   /* owned */
  char                *name;   /* the file's name, to show */
} Export;

static void
on_exported_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Export *export = user_data;
  g_autoptr(TurnoutContactsPane) self = export->self;
  g_autofree char *name = export->name;
  g_autoptr(GError) error = NULL;
  gint64 written = turnout_contact_actions_export_finish (TURNOUT_STORE (source), result, &error);
  g_autofree char *count = NULL;
  g_autofree char *message = NULL;

  g_free (export);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Could not export to “%s”"), name);

      add_error_toast (self, what, error);
      return;
    }
  count = format_count (written);
  message = g_strdup_printf (ngettext ("Exported %s contact to “%s”",
                                       "Exported %s contacts to “%s”", written), count, name);
  add_toast (self, message);
}

static void
on_export_chooser_response_cb (TurnoutContactsPane *self,
                               int                  response)
{
  g_autoptr(GtkNativeDialog) chooser = g_steal_pointer (&self->export_chooser);
  g_autoptr(TurnoutContactSelection) selection = g_steal_pointer (&self->export_selection);
  g_autoptr(GFile) file = NULL;
  Export *export;

  gtk_native_dialog_destroy (chooser);
  if (response != GTK_RESPONSE_ACCEPT || self->store == NULL)
    return;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file == NULL)
    return;

  export = g_new0 (Export, 1);
  export->self = g_object_ref (self);
  export->name = g_file_get_basename (file);
  turnout_contact_actions_export_async (self->store, selection, file, self->cancellable,
                                        on_exported_cb, export);
}

static void
turnout_contacts_pane_export_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  if (self->export_chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Export Contacts"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* TRANSLATORS: the suggested name of an exported file */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("contacts.csv"));
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_chooser_response_cb), self,
                           G_CONNECT_SWAPPED);

  self->export_chooser = GTK_NATIVE_DIALOG (chooser);
  /* What is selected now is exported, whatever happens while the file is
   * chosen. */
  self->export_selection = dup_selection (self);
  gtk_native_dialog_show (self->export_chooser);
}

/* Delete with undo ------------------------------------------------------- */

typedef struct
{
  GWeakRef            pane;
  TurnoutStore       *store;   /* owned */
  TurnoutContactList *list;    /* owned */
  GArray             *ids;     /* owned */
  AdwToast           *toast;   /* owned */
} PendingDelete;

static void
pending_delete_free (PendingDelete *pending)
{
  g_weak_ref_clear (&pending->pane);
  g_object_unref (pending->store);
  g_object_unref (pending->list);
  g_array_unref (pending->ids);
  g_clear_object (&pending->toast);
  g_free (pending);
}

/* The toast is done with: its signals must not reach @pending again. */
static void
pending_delete_settle (PendingDelete *pending)
{
  g_autoptr(TurnoutContactsPane) self = g_weak_ref_get (&pending->pane);

  g_signal_handlers_disconnect_by_data (pending->toast, pending);
  if (self != NULL && self->pending_deletes != NULL)
    g_ptr_array_remove (self->pending_deletes, pending);
}

static void
on_deleted_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  PendingDelete *pending = user_data;
  g_autoptr(TurnoutContactsPane) self = g_weak_ref_get (&pending->pane);
  g_autoptr(GError) error = NULL;

  turnout_contact_actions_delete_finish (TURNOUT_STORE (source), result, &error);
  /* Deleted, the ids need hiding no more; not deleted, the rows come back. */
  turnout_contact_list_remove_pending_deletion (pending->list, pending->ids);
  if (error != NULL && self != NULL)
    add_error_toast (self, _("Could not delete the contacts"), error);
  else if (error != NULL)
    g_warning ("Could not delete %u contacts: %s", pending->ids->len, error->message);
  pending_delete_free (pending);
}

/* Deletes for real. Not cancellable: the user was told the rows are
 * deleted, and one transaction does all of it or nothing. */
static void
commit_delete (PendingDelete *pending)
{
  g_autoptr(TurnoutContactSelection) selection = NULL;

  pending_delete_settle (pending);
  selection = turnout_contact_selection_new_for_ids ((gint64 *) (void *) pending->ids->data,
                                                     pending->ids->len);
  turnout_contact_actions_delete_async (pending->store, selection, NULL, on_deleted_cb, pending);
}

static void
on_delete_toast_button_clicked_cb (AdwToast      *toast,
                                   PendingDelete *pending)
{
  pending_delete_settle (pending);
  turnout_contact_list_remove_pending_deletion (pending->list, pending->ids);
  pending_delete_free (pending);
}

static void
on_delete_toast_dismissed_cb (AdwToast      *toast,
                              PendingDelete *pending)
{
  commit_delete (pending);
}

static void
on_delete_resolved_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(TurnoutContactsPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = turnout_contact_selection_resolve_finish (result, &error);
  g_autofree char *count = NULL;
  g_autofree char *title = NULL;
  PendingDelete *pending;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ids == NULL)
    {
      add_error_toast (self, _("Could not delete the contacts"), error);
      return;
    }
  if (ids->len == 0 || self->store == NULL)
    return;

  pending = g_new0 (PendingDelete, 1);
  g_weak_ref_init (&pending->pane, self);
  pending->store = g_object_ref (self->store);
  pending->list = g_object_ref (self->list);
  pending->ids = g_array_ref (ids);
  g_ptr_array_add (self->pending_deletes, pending);
  turnout_contact_list_add_pending_deletion (self->list, ids);

  count = format_count (ids->len);
  title = g_strdup_printf (ngettext ("%s contact deleted", "%s contacts deleted", ids->len),
                           count);
  pending->toast = adw_toast_new (title);
  adw_toast_set_button_label (pending->toast, _("_Undo"));
  g_signal_connect (pending->toast, "button-clicked",
                    G_CALLBACK (on_delete_toast_button_clicked_cb), pending);
  g_signal_connect (pending->toast, "dismissed", G_CALLBACK (on_delete_toast_dismissed_cb),
                    pending);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (pending->toast));
}

static void
turnout_contacts_pane_delete_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (widget);
  g_autoptr(TurnoutContactSelection) selection = dup_selection (self);

  turnout_contact_selection_resolve_async (selection, self->store, self->cancellable,
                                           on_delete_resolved_cb, g_object_ref (self));
}

/* Send a text or an email ----------------------------------------------- */

static void
on_send_text_finished_cb (TurnoutContactsPane *self)
{
  /* A provider's opt-out changes a contact's consent, which the list shows. */
  turnout_contact_list_refresh (self->list);
}

/* Opens the window that texts or emails (@channel) the contacts resolved. */
static void
open_send_dialog (TurnoutContactsPane *self,
                  GAsyncResult        *result,
                  const char          *channel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = turnout_contact_selection_resolve_finish (result, &error);
  GtkRoot *root;
  TurnoutSendTextDialog *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ids == NULL)
    {
      add_error_toast (self, _("Could not read the selected contacts"), error);
      return;
    }
  if (ids->len == 0 || self->store == NULL)
    return;
  if (ids->len > TURNOUT_SEND_TEXT_MAX_RECIPIENTS)
    {
      g_autofree char *count = format_count (ids->len);
      g_autofree char *most = format_count (TURNOUT_SEND_TEXT_MAX_RECIPIENTS);
      g_autofree char *message =
        g_str_equal (channel, "email")
        ? g_strdup_printf (_("%s contacts are selected: an email by hand goes to at most %s. "
                             "Make a campaign for more; it sends at the right pace and can be "
                             "paused."), count, most)
        : g_strdup_printf (_("%s contacts are selected: a text by hand goes to at most %s. Make a "
                             "campaign for more; it sends at the right pace and can be paused."),
                           count, most);

      add_toast (self, message);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = turnout_send_text_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         self->store, self->settings, channel,
                                         (const gint64 *) (void *) ids->data, ids->len);
  g_signal_connect_object (dialog, "finished", G_CALLBACK (on_send_text_finished_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_send_text_resolved_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(TurnoutContactsPane) self = user_data;

  open_send_dialog (self, result, "sms");
}

static void
on_send_email_resolved_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(TurnoutContactsPane) self = user_data;

  open_send_dialog (self, result, "email");
}

static void
turnout_contacts_pane_send_text_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (widget);
  g_autoptr(TurnoutContactSelection) selection = NULL;

  if (self->store == NULL || get_n_selected (self) == 0)
    return;
  selection = dup_selection (self);
  turnout_contact_selection_resolve_async (selection, self->store, self->cancellable,
                                           on_send_text_resolved_cb, g_object_ref (self));
}

static void
turnout_contacts_pane_send_email_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (widget);
  g_autoptr(TurnoutContactSelection) selection = NULL;

  if (self->store == NULL || get_n_selected (self) == 0)
    return;
  selection = dup_selection (self);
  turnout_contact_selection_resolve_async (selection, self->store, self->cancellable,
                                           on_send_email_resolved_cb, g_object_ref (self));
}

/* Other actions ---------------------------------------------------------- */

static void
turnout_contacts_pane_search_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
turnout_contacts_pane_select_all_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (widget);

  gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
}

/* GObject ----------------------------------------------------------------- */

static void
turnout_contacts_pane_dispose (GObject *object)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (object);

  /* Deletes still undoable happen now: the toast that offered the undo
   * goes with the pane. */
  if (self->pending_deletes != NULL)
    {
      g_autoptr(GPtrArray) pending = g_steal_pointer (&self->pending_deletes);

      for (guint i = 0; i < pending->len; i++)
        commit_delete (g_ptr_array_index (pending, i));
    }

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->export_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->export_chooser, self);
      gtk_native_dialog_destroy (self->export_chooser);
      g_clear_object (&self->export_chooser);
    }
  g_clear_pointer (&self->export_selection, turnout_contact_selection_unref);

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);

  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_CONTACTS_PANE);
  self->toast_overlay = NULL;

  g_clear_object (&self->selection);
  g_clear_object (&self->list);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (turnout_contacts_pane_parent_class)->dispose (object);
}

static void
turnout_contacts_pane_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    /* The action state is read while the template is built, before the
     * list is, and while it is torn down, after. */
    case PROP_SORT_BY:
      {
        g_autoptr(GEnumClass) keys = g_type_class_ref (TURNOUT_TYPE_CONTACT_SORT);
        TurnoutContactSort key = self->list != NULL ? turnout_contact_list_get_sort_key (self->list)
                                                    : TURNOUT_CONTACT_SORT_NAME;

        g_value_set_string (value, g_enum_get_value (keys, key)->value_nick);
      }
      break;
    case PROP_SORT_DESCENDING:
      g_value_set_boolean (value, self->list != NULL &&
                                  turnout_contact_list_get_sort_descending (self->list));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_contacts_pane_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  TurnoutContactsPane *self = TURNOUT_CONTACTS_PANE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      turnout_contacts_pane_set_store (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      turnout_contacts_pane_set_settings (self, g_value_get_object (value));
      break;
    case PROP_SORT_BY:
      {
        g_autoptr(GEnumClass) keys = g_type_class_ref (TURNOUT_TYPE_CONTACT_SORT);
        GEnumValue *key = g_enum_get_value_by_nick (keys, g_value_get_string (value));

        if (key != NULL && self->list != NULL)
          set_sort (self, key->value, turnout_contact_list_get_sort_descending (self->list));
      }
      break;
    case PROP_SORT_DESCENDING:
      if (self->list != NULL)
        set_sort (self, turnout_contact_list_get_sort_key (self->list),
                  g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_editor_changed_cb (TurnoutContactsPane *self)
{
  turnout_contact_list_refresh (self->list);
}

/* Opens the editor over the window: for a contact, or for a new one. */
static void
open_editor (TurnoutContactsPane *self,
             gint64               contact_id)
{
  TurnoutContactEditor *editor;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->store == NULL)
    return;

  editor = turnout_contact_editor_new (self->store, self->settings, contact_id);
  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (root));
      gtk_window_set_application (GTK_WINDOW (editor),
                                  gtk_window_get_application (GTK_WINDOW (root)));
    }
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_editor_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (editor, "erased", G_CALLBACK (on_editor_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
on_column_view_activate_cb (TurnoutContactsPane *self,
                            guint                position)
{
  g_autoptr(TurnoutContact) contact = g_list_model_get_item (G_LIST_MODEL (self->list), position);
  gint64 id;

  /* A row still being read has no id yet; its page arrives in a moment. */
  if (contact == NULL || (id = turnout_contact_get_id (contact)) <= 0)
    return;
  open_editor (self, id);
}

static void
turnout_contacts_pane_new_contact_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *parameter)
{
  open_editor (TURNOUT_CONTACTS_PANE (widget), 0);
}

static void
turnout_contacts_pane_class_init (TurnoutContactsPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_contacts_pane_dispose;
  object_class->get_property = turnout_contacts_pane_get_property;
  object_class->set_property = turnout_contacts_pane_set_property;

  /**
   * TurnoutContactsPane:store:
   *
   * The store whose contacts are listed; %NULL lists none.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TurnoutContactsPane:settings:
   *
   * The settings of the store: the region of phone numbers searched
   * without a country code, and the currency of the spend.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TurnoutContactsPane:sort-by:
   *
   * What the contacts are sorted by, as the nick of a #TurnoutContactSort
   * ("name", "total-spend", "created"…), whether set here, from the menu or
   * by clicking a column header.
   */
  properties[PROP_SORT_BY] =
    g_param_spec_string ("sort-by", NULL, NULL, "name",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_DESCENDING] =
    g_param_spec_boolean ("sort-descending", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The row templates name it. */
  g_type_ensure (TURNOUT_TYPE_CONTACT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/"
                                               "turnout-contacts-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, count_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, column_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, no_results_page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, selection_revealer);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, selection_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, name_column);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, phone_column);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, email_column);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, events_column);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, spend_column);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, last_event_column);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, sms_consent_column);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactsPane, email_consent_column);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate_cb);

  gtk_widget_class_install_property_action (widget_class, "contacts.sort-by", "sort-by");
  gtk_widget_class_install_property_action (widget_class, "contacts.sort-descending",
                                            "sort-descending");
  gtk_widget_class_install_action (widget_class, "contacts.search", NULL,
                                   turnout_contacts_pane_search_action);
  gtk_widget_class_install_action (widget_class, "contacts.select-all", NULL,
                                   turnout_contacts_pane_select_all_action);
  gtk_widget_class_install_action (widget_class, "contacts.add-tag", NULL,
                                   turnout_contacts_pane_add_tag_action);
  gtk_widget_class_install_action (widget_class, "contacts.remove-tag", NULL,
                                   turnout_contacts_pane_remove_tag_action);
  gtk_widget_class_install_action (widget_class, "contacts.suppress", NULL,
                                   turnout_contacts_pane_suppress_action);
  gtk_widget_class_install_action (widget_class, "contacts.export", NULL,
                                   turnout_contacts_pane_export_action);
  gtk_widget_class_install_action (widget_class, "contacts.delete", NULL,
                                   turnout_contacts_pane_delete_action);
  gtk_widget_class_install_action (widget_class, "contacts.new", NULL,
                                   turnout_contacts_pane_new_contact_action);
  gtk_widget_class_install_action (widget_class, "contacts.send-text", NULL,
                                   turnout_contacts_pane_send_text_action);
  gtk_widget_class_install_action (widget_class, "contacts.send-email", NULL,
                                   turnout_contacts_pane_send_email_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "contacts.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "contacts.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK,
                                       "contacts.select-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "contacts.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0,
                                       "contacts.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "contacts.send-text", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "contacts.send-email", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0,
                                       "contacts.delete", NULL);
}

static void
turnout_contacts_pane_init (TurnoutContactsPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Not a template child: AdwBin unparents its child itself, and would find
   * it gone if the template had done so first. */
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  self->cancellable = g_cancellable_new ();
  self->pending_deletes = g_ptr_array_new ();

  self->list = turnout_contact_list_new (NULL, NULL);
  g_signal_connect_swapped (self->list, "notify::n-items", G_CALLBACK (on_list_changed_cb), self);
  g_signal_connect_swapped (self->list, "notify::loading", G_CALLBACK (on_list_changed_cb), self);
  g_signal_connect_swapped (self->list, "load-failed", G_CALLBACK (on_list_load_failed_cb), self);
  g_signal_connect_swapped (self->list, "notify::sort-key", G_CALLBACK (on_list_sort_changed_cb),
                            self);
  g_signal_connect_swapped (self->list, "notify::sort-descending",
                            G_CALLBACK (on_list_sort_changed_cb), self);

  /* Not a GtkMultiSelection: on GTK 4.8 it reads and keeps every item it
   * selects (see turnout-bitset-selection.c). */
  self->selection = turnout_bitset_selection_new (G_LIST_MODEL (self->list));
  g_signal_connect_swapped (self->selection, "selection-changed",
                            G_CALLBACK (on_selection_changed_cb), self);
  /* A new search or sort drops the selection without saying so. */
  g_signal_connect_swapped (self->selection, "items-changed",
                            G_CALLBACK (on_selection_changed_cb), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  set_column_sort (self, self->name_column, TURNOUT_CONTACT_SORT_NAME);
  set_column_sort (self, self->phone_column, TURNOUT_CONTACT_SORT_PHONE);
  set_column_sort (self, self->email_column, TURNOUT_CONTACT_SORT_EMAIL);
  set_column_sort (self, self->events_column, TURNOUT_CONTACT_SORT_EVENTS_ATTENDED);
  set_column_sort (self, self->spend_column, TURNOUT_CONTACT_SORT_TOTAL_SPEND);
  set_column_sort (self, self->last_event_column, TURNOUT_CONTACT_SORT_LAST_EVENT);
  set_column_sort (self, self->sms_consent_column, TURNOUT_CONTACT_SORT_SMS_CONSENT);
  set_column_sort (self, self->email_consent_column, TURNOUT_CONTACT_SORT_EMAIL_CONSENT);
  g_signal_connect_swapped (gtk_column_view_get_sorter (self->column_view), "changed",
                            G_CALLBACK (on_column_view_sorter_changed_cb), self);
  set_sort (self, TURNOUT_CONTACT_SORT_NAME, FALSE);

  update_view (self);
  update_selection (self);
}

/**
 * turnout_contacts_pane_new:
 *
 * Returns: (transfer floating): a contacts pane with no store; set
 *   #TurnoutContactsPane:store and #TurnoutContactsPane:settings
 */
GtkWidget *
turnout_contacts_pane_new (void)
{
  return g_object_new (TURNOUT_TYPE_CONTACTS_PANE, NULL);
}

TurnoutStore *
turnout_contacts_pane_get_store (TurnoutContactsPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACTS_PANE (self), NULL);

  return self->store;
}

void
turnout_contacts_pane_set_store (TurnoutContactsPane *self,
                                 TurnoutStore        *store)
{
  g_return_if_fail (TURNOUT_IS_CONTACTS_PANE (self));
  g_return_if_fail (store == NULL || TURNOUT_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  turnout_contact_list_set_store (self->list, store);
  update_view (self);
  update_selection (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

TurnoutSettings *
turnout_contacts_pane_get_settings (TurnoutContactsPane *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACTS_PANE (self), NULL);

  return self->settings;
}

void
turnout_contacts_pane_set_settings (TurnoutContactsPane *self,
                                    TurnoutSettings     *settings)
{
  g_return_if_fail (TURNOUT_IS_CONTACTS_PANE (self));
  g_return_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings));

  if (!g_set_object (&self->settings, settings))
    return;
  turnout_contact_list_set_settings (self->list, settings);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

/**
 * turnout_contacts_pane_refresh:
 *
 * Reads the contacts again after something else changed them, such as an
 * import; the rows shown stay where they are when their number is the same.
 */
void
turnout_contacts_pane_refresh (TurnoutContactsPane *self)
{
  g_return_if_fail (TURNOUT_IS_CONTACTS_PANE (self));

  turnout_contact_list_refresh (self->list);
}
