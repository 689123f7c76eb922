/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-sms-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "turnout-media-check.h"
#include "turnout-merge-completion.h"
#include "turnout-merge-highlighter.h"
#include "turnout-preview-chooser.h"
#include "turnout-render.h"
#include "turnout-settings.h"
#include "turnout-sms.h"
#include "turnout-sms-editor.h"
#include "turnout-store.h"
#include "turnout-templates.h"

/*
 * The editor of an SMS or MMS template: the message with its merge fields
 * highlighted and completed; the length as the previewed contact will get
 * it (a long name can add a segment), with the characters that force the
 * costly UCS-2 encoding named and a one-click fix for the usual culprits
 * (curly quotes, dashes, ellipses, odd spaces); the media of an MMS, each
 * address checked as Twilio will fetch it, with a thumbnail for pictures;
 * and the message as a chosen contact gets it, blanks pointed out.
 *
 * The editor writes into the template it is given; saving is the pane's.
 */

struct _TurnoutSmsEditor
{
  AdwBin                   parent_instance;

  TurnoutTemplate         *template;        /* owned, nullable */
  TurnoutStore            *store;           /* owned, nullable */
  TurnoutSettings         *settings;        /* owned, nullable */
  TurnoutMergeHighlighter *highlighter;     /* owned */
  TurnoutMediaChecker     *checker;         /* owned */
  GCancellable            *media_cancellable;
  GHashTable              *media;           /* url → TurnoutMediaInfo (owned) once checked */
  GHashTable              *thumbnails;      /* url → GdkTexture */
  GPtrArray               *media_rows;      /* AdwActionRow, in the order of the URLs */
  gboolean                 loading;

  GtkSourceView           *text_view;       /* template child */
  GtkLabel                *problem_label;   /* template child */
  GtkLabel                *counter_label;   /* template child */
  GtkWidget               *ucs2_box;        /* template child */
  GtkLabel                *ucs2_label;      /* template child */
  GtkWidget               *fix_button;      /* template child */
  AdwPreferencesGroup     *media_group;     /* template child */
  AdwEntryRow             *media_entry;     /* template child */
  GtkLabel                *media_problem_label; /* template child */
  TurnoutPreviewChooser   *preview_chooser; /* template child */
  GtkFlowBox              *preview_media;   /* template child */
  GtkLabel                *bubble_label;    /* template child */
  GtkWidget               *blank_box;       /* template child */
  GtkLabel                *blank_label;     /* template child */
  char                    *blank_field;     /* the first field that came out blank */
};

G_DEFINE_FINAL_TYPE (TurnoutSmsEditor, turnout_sms_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void update_media (TurnoutSmsEditor *self);

static char *
dup_text (TurnoutSmsEditor *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static gboolean
is_mms (TurnoutSmsEditor *self)
{
  return self->template != NULL && turnout_template_get_media_urls (self->template)[0] != NULL;
}

/* The message as the previewed contact gets it; the template's own text
 * while it has mistakes or no contact is chosen. */
static char *
render_preview (TurnoutSmsEditor  *self,
                const char        *text,
                GPtrArray         *blanks)
{
  TurnoutRecipient *recipient = turnout_preview_chooser_get_recipient (self->preview_chooser);
  g_autoptr(TurnoutMergeTemplate) merge = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *unsubscribe = turnout_sms_unsubscribe_text ();
  TurnoutMergeValues values = { 0 };

  merge = turnout_merge_template_new (text, NULL);
  if (merge == NULL)
    return g_strdup (text);
  if (recipient != NULL)
    turnout_recipient_get_values (recipient, &values);
  sender = self->settings != NULL ? turnout_settings_dup_string (self->settings,
                                                                 "general.sender_name")
                                  : NULL;
  values.sender_name = sender;
  values.unsubscribe = unsubscribe;
  return turnout_merge_template_render (merge, &values, blanks);
}

static void
update_counter (TurnoutSmsEditor *self,
                const char       *message)
{
  g_autoptr(TurnoutSmsInfo) info = turnout_sms_info_new (message);
  g_autofree char *counter = NULL;
  g_autofree char *characters = NULL;

  /* TRANSLATORS: the length of a text message in characters. */
  characters = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u character", "%u characters",
                                             info->characters), info->characters);
  if (is_mms (self))
    /* TRANSLATORS: "MMS · 120 characters". */
    counter = g_strdup_printf (_("MMS · %s"), characters);
  else
    {
      g_autofree char *segments = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u segment",
                                                                "%u segments", info->segments),
                                                   info->segments);

      /* TRANSLATORS: "GSM-7 · 54 characters · 1 segment". */
      counter = g_strdup_printf (_("%s · %s · %s"), turnout_sms_encoding_to_string (info->encoding),
                                 characters, segments);
    }
  if (info->too_long)
    {
      g_autofree char *too_long = g_strdup_printf (_("%s — too long: at most %d characters"),
                                                   counter, TURNOUT_SMS_MAX_CHARACTERS);

      g_free (counter);
      counter = g_steal_pointer (&too_long);
    }
  gtk_label_set_text (self->counter_label, counter);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->counter_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, counter, -1);

  if (info->encoding == TURNOUT_SMS_ENCODING_UCS2 && !is_mms (self))
    {
      g_autoptr(GString) list = g_string_new (NULL);
      g_autofree char *template_text = dup_text (self);
      g_autofree char *fixed = NULL;
      guint replaced = 0;
      guint shown = 0;

      for (guint i = 0; i < info->ucs2_characters->len && shown < 5; i++, shown++)
        {
          TurnoutSmsCharacter *c = &g_array_index (info->ucs2_characters, TurnoutSmsCharacter, i);
          char utf8[8] = { 0 };

          g_unichar_to_utf8 (c->character, utf8);
          if (list->len > 0)
            g_string_append (list, ", ");
          /* TRANSLATORS: a character and where it is: "“—” at 19". */
          g_string_append_printf (list, _("“%s” at %u"), utf8, c->position + 1);
        }
      if (info->ucs2_characters->len > shown)
        g_string_append_printf (list, _(" and %u more"), info->ucs2_characters->len - shown);
      {
        /* TRANSLATORS: %s lists characters with their places. */
        g_autofree char *text = g_strdup_printf (_("%s: this message goes as UCS-2, 70 characters "
                                                   "per segment instead of 160."), list->str);

        gtk_label_set_text (self->ucs2_label, text);
      }
      fixed = turnout_sms_replace_with_gsm (template_text, &replaced);
      gtk_widget_set_visible (self->fix_button, replaced > 0);
      gtk_widget_set_visible (self->ucs2_box, TRUE);
    }
  else
    gtk_widget_set_visible (self->ucs2_box, FALSE);
}

static void
update_preview (TurnoutSmsEditor *self)
{
  /* The merge module gives static field names: nothing to free. */
  g_autoptr(GPtrArray) blanks = g_ptr_array_new ();
  g_autofree char *text = dup_text (self);
  g_autofree char *message = render_preview (self, text, blanks);
  g_autofree char *summary = turnout_merge_highlighter_dup_summary (self->highlighter);
  TurnoutRecipient *recipient = turnout_preview_chooser_get_recipient (self->preview_chooser);

  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), summary != NULL);
  gtk_label_set_text (self->problem_label, summary != NULL ? summary : "");
  update_counter (self, message);
  gtk_label_set_text (self->bubble_label, *message != '\0' ? message : _("(empty message)"));

  if (blanks->len > 0 && recipient != NULL)
    {
      g_autofree char *name = turnout_recipient_dup_name (recipient);
      g_autoptr(GString) fields = g_string_new (NULL);
      g_autofree char *text_blank = NULL;

      for (guint i = 0; i < blanks->len; i++)
        g_string_append_printf (fields, "%s{%s}", i > 0 ? ", " : "",
                                (char *) g_ptr_array_index (blanks, i));
      /* TRANSLATORS: %s are merge fields, then a name; keep {first_name|there} as it is. */
      text_blank = g_strdup_printf (_("%s came out blank for %s. Add a fallback, as in "
                                      "{first_name|there}."), fields->str, name);
      gtk_label_set_text (self->blank_label, text_blank);
      g_free (self->blank_field);
      self->blank_field = g_strdup (g_ptr_array_index (blanks, 0));
      gtk_widget_set_visible (self->blank_box, TRUE);
    }
  else
    {
      g_clear_pointer (&self->blank_field, g_free);
      gtk_widget_set_visible (self->blank_box, FALSE);
    }
}

static void
on_buffer_changed_cb (TurnoutSmsEditor *self)
{
  g_autofree char *text = NULL;

  /* While a template is loaded its text is the buffer's already (and
   * setting it would free the string being inserted). */
  if (self->template == NULL || self->loading)
    return;
  text = dup_text (self);
  turnout_template_set_body_text (self->template, text);
  update_preview (self);
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_preview_chooser_changed_cb (TurnoutSmsEditor *self)
{
  update_preview (self);
}

static void
sms_replace_with_gsm (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TurnoutSmsEditor *self = TURNOUT_SMS_EDITOR (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  g_autofree char *text = dup_text (self);
  g_autofree char *fixed = NULL;
  guint replaced = 0;

  fixed = turnout_sms_replace_with_gsm (text, &replaced);
  if (replaced == 0)
    return;
  /* One user action, so Ctrl+Z brings the old text back (set_text would
   * forget the history). */
  {
    GtkTextIter start, end;

    gtk_text_buffer_begin_user_action (buffer);
    gtk_text_buffer_get_bounds (buffer, &start, &end);
    gtk_text_buffer_delete (buffer, &start, &end);
    gtk_text_buffer_insert (buffer, &start, fixed, -1);
    gtk_text_buffer_end_user_action (buffer);
  }
}

/* Opens a fallback in the first field that came out blank without one:
 * {city} becomes {city|} with the cursor after the bar, for the text to
 * show instead. */
static void
sms_add_fallback (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TurnoutSmsEditor *self = TURNOUT_SMS_EDITOR (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  g_autofree char *text = dup_text (self);
  g_autoptr(GPtrArray) tokens = NULL;

  if (self->blank_field == NULL)
    return;
  tokens = turnout_merge_scan (text);
  for (guint i = 0; i < tokens->len; i++)
    {
      TurnoutMergeToken *token = g_ptr_array_index (tokens, i);
      GtkTextIter at;

      if (token->kind != TURNOUT_MERGE_TOKEN_FIELD || token->fallback != NULL
          || g_strcmp0 (token->field, self->blank_field) != 0)
        continue;
      /* Before the closing brace. */
      gtk_text_buffer_get_iter_at_offset (buffer, &at,
                                          (int) g_utf8_pointer_to_offset (text,
                                                                          text + token->end - 1));
      gtk_text_buffer_begin_user_action (buffer);
      gtk_text_buffer_insert (buffer, &at, "|", 1);
      gtk_text_buffer_end_user_action (buffer);
      gtk_text_buffer_place_cursor (buffer, &at);
      gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
      return;
    }
}

/* Media -------------------------------------------------------------------- */

static void
set_urls (TurnoutSmsEditor   *self,
          const char * const *urls)
{
  turnout_template_set_media_urls (self->template, urls);
  update_media (self);
  update_preview (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_remove_media_clicked_cb (GtkButton        *button,
                            TurnoutSmsEditor *self)
{
  const char *url = g_object_get_data (G_OBJECT (button), "turnout-url");
  const char * const *urls = turnout_template_get_media_urls (self->template);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; urls[i] != NULL; i++)
    if (!g_str_equal (urls[i], url))
      g_ptr_array_add (kept, (gpointer) urls[i]);
  g_ptr_array_add (kept, NULL);
  set_urls (self, (const char * const *) kept->pdata);
  gtk_widget_grab_focus (GTK_WIDGET (self->media_entry));
}

static void
on_thumbnail_ready_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autofree char *url = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  TurnoutSmsEditor *self;

  bytes = turnout_media_checker_fetch_finish (TURNOUT_MEDIA_CHECKER (object), result, &error);
  /* NULL once the editor is gone. */
  self = g_object_get_data (object, "turnout-editor");
  if (self == NULL || bytes == NULL)
    return;
  texture = gdk_texture_new_from_bytes (bytes, NULL);
  if (texture == NULL)
    return;
  g_hash_table_replace (self->thumbnails, g_steal_pointer (&url), g_steal_pointer (&texture));
  update_media (self);
}

static void
on_media_checked_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  TurnoutMediaInfo *info = turnout_media_checker_check_finish (TURNOUT_MEDIA_CHECKER (object),
                                                              result, &error);
  TurnoutSmsEditor *self = g_object_get_data (G_OBJECT (object), "turnout-editor");
  char *url = user_data;

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      turnout_media_info_free (info);
      g_free (url);
      return;
    }
  if (info == NULL)
    {
      info = g_new0 (TurnoutMediaInfo, 1);
      info->url = g_strdup (url);
      info->size = -1;
      /* TRANSLATORS: %s says why a web address could not be reached. */
      info->problem = g_strdup_printf (_("Could not reach the address: %s"), error->message);
    }
  if (info->problem == NULL && info->is_image)
    turnout_media_checker_fetch_async (self->checker, url, self->media_cancellable,
                                       on_thumbnail_ready_cb, g_strdup (url));
  g_hash_table_replace (self->media, url, info);
  update_media (self);
}

static void
check_url (TurnoutSmsEditor *self,
           const char       *url)
{
  if (g_hash_table_contains (self->media, url))
    return;
  turnout_media_checker_check_async (self->checker, url, self->media_cancellable,
                                     on_media_checked_cb, g_strdup (url));
}

static char *
describe_media (TurnoutMediaInfo *info)
{
  g_autofree char *size = NULL;

  if (info == NULL)
    return g_strdup (_("Checking…"));
  if (info->problem != NULL)
    return g_strdup (info->problem);
  if (info->size < 0)
    /* TRANSLATORS: a file type, when its size is not known: "image/png". */
    return g_strdup_printf (_("%s, size not given"), info->content_type);
  size = g_format_size (info->size);
  /* TRANSLATORS: a file type and size: "image/png, 120 kB". */
  return g_strdup_printf (_("%s, %s"), info->content_type, size);
}

/* Rebuilds the media rows and the pictures in the preview, and says when
 * all of it together is over Twilio's 5 MB. */
static void
update_media (TurnoutSmsEditor *self)
{
  const char * const *urls = self->template != NULL ? turnout_template_get_media_urls (self->template)
                                                    : NULL;
  gint64 total = 0;
  guint n = 0;
  GtkWidget *child;

  for (guint i = 0; i < self->media_rows->len; i++)
    adw_preferences_group_remove (self->media_group, g_ptr_array_index (self->media_rows, i));
  g_ptr_array_set_size (self->media_rows, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_media))) != NULL)
    gtk_flow_box_remove (self->preview_media, child);

  for (guint i = 0; urls != NULL && urls[i] != NULL; i++, n++)
    {
      TurnoutMediaInfo *info = g_hash_table_lookup (self->media, urls[i]);
      GdkTexture *texture = g_hash_table_lookup (self->thumbnails, urls[i]);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *title = g_markup_escape_text (urls[i], -1);
      g_autofree char *subtitle = NULL;
      g_autofree char *escaped = NULL;

      check_url (self, urls[i]);
      subtitle = describe_media (info);
      escaped = g_markup_escape_text (subtitle, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
      if (info != NULL && info->problem != NULL)
        gtk_widget_add_css_class (row, "error");
      if (info != NULL && info->size > 0)
        total += info->size;
      if (texture != NULL)
        {
          GtkWidget *thumb = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
          GtkWidget *big = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));

          gtk_widget_set_size_request (thumb, 48, 48);
          gtk_picture_set_content_fit (GTK_PICTURE (thumb), GTK_CONTENT_FIT_COVER);
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), thumb);
          gtk_widget_set_size_request (big, 96, 96);
          gtk_picture_set_content_fit (GTK_PICTURE (big), GTK_CONTENT_FIT_COVER);
          gtk_flow_box_append (self->preview_media, big);
        }
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove"));
      g_object_set_data_full (G_OBJECT (remove), "turnout-url", g_strdup (urls[i]), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_media_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_preferences_group_add (self->media_group, row);
      g_ptr_array_add (self->media_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->preview_media),
                          gtk_widget_get_first_child (GTK_WIDGET (self->preview_media)) != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->media_entry), n < TURNOUT_TEMPLATE_MAX_MEDIA);
  if (total > TURNOUT_MMS_MAX_TOTAL_BYTES)
    {
      g_autofree char *size = g_format_size (total);
      g_autofree char *text = g_strdup_printf (_("The media add up to %s; an MMS can carry at "
                                                 "most 5 MB in all."), size);

      gtk_label_set_text (self->media_problem_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->media_problem_label), TRUE);
    }
  else if (!gtk_widget_get_visible (GTK_WIDGET (self->media_problem_label))
           || g_str_has_prefix (gtk_label_get_text (self->media_problem_label), _("The media add up")))
    gtk_widget_set_visible (GTK_WIDGET (self->media_problem_label), FALSE);
}

static void
on_media_entry_apply_cb (TurnoutSmsEditor *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->media_entry))));
  const char * const *urls;
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  if (self->template == NULL || *url == '\0')
    return;
  urls = turnout_template_get_media_urls (self->template);
  if (!turnout_template_check_media_url (url, &error))
    {
      gtk_label_set_text (self->media_problem_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->media_problem_label), TRUE);
      return;
    }
  if (g_strv_contains (urls, url))
    {
      gtk_label_set_text (self->media_problem_label, _("That address is in the list already"));
      gtk_widget_set_visible (GTK_WIDGET (self->media_problem_label), TRUE);
      return;
    }
  for (guint i = 0; urls[i] != NULL; i++)
    g_ptr_array_add (all, (gpointer) urls[i]);
  g_ptr_array_add (all, url);
  g_ptr_array_add (all, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->media_problem_label), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->media_entry), "");
  set_urls (self, (const char * const *) all->pdata);
}

/* GObject ------------------------------------------------------------------- */

static void
turnout_sms_editor_dispose (GObject *object)
{
  TurnoutSmsEditor *self = TURNOUT_SMS_EDITOR (object);

  if (self->media_cancellable != NULL)
    g_cancellable_cancel (self->media_cancellable);
  if (self->checker != NULL)
    g_object_set_data (G_OBJECT (self->checker), "turnout-editor", NULL);
  g_clear_object (&self->highlighter);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_SMS_EDITOR);
  g_clear_object (&self->template);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->checker);
  g_clear_object (&self->media_cancellable);
  g_clear_pointer (&self->media, g_hash_table_unref);
  g_clear_pointer (&self->thumbnails, g_hash_table_unref);
  g_clear_pointer (&self->media_rows, g_ptr_array_unref);
  g_clear_pointer (&self->blank_field, g_free);

  G_OBJECT_CLASS (turnout_sms_editor_parent_class)->dispose (object);
}

static void
turnout_sms_editor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TurnoutSmsEditor *self = TURNOUT_SMS_EDITOR (object);

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
turnout_sms_editor_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TurnoutSmsEditor *self = TURNOUT_SMS_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      if (g_set_object (&self->store, g_value_get_object (value)))
        turnout_preview_chooser_set_store (self->preview_chooser, self->store);
      break;
    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_sms_editor_class_init (TurnoutSmsEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_sms_editor_dispose;
  object_class->get_property = turnout_sms_editor_get_property;
  object_class->set_property = turnout_sms_editor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TurnoutSmsEditor::changed:
   *
   * The user changed the template.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (TURNOUT_TYPE_PREVIEW_CHOOSER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/turnout-sms-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, text_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, problem_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, counter_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, ucs2_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, ucs2_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, fix_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, media_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, media_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, media_problem_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, preview_chooser);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, preview_media);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, bubble_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, blank_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSmsEditor, blank_label);
  gtk_widget_class_bind_template_callback (widget_class, on_media_entry_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_preview_chooser_changed_cb);

  gtk_widget_class_install_action (widget_class, "sms.replace-with-gsm", NULL,
                                   sms_replace_with_gsm);
  gtk_widget_class_install_action (widget_class, "sms.add-fallback", NULL, sms_add_fallback);
}

static void
turnout_sms_editor_init (TurnoutSmsEditor *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->checker = turnout_media_checker_new ();
  g_object_set_data (G_OBJECT (self->checker), "turnout-editor", self);
  self->media_cancellable = g_cancellable_new ();
  self->media = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) turnout_media_info_free);
  self->thumbnails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->media_rows = g_ptr_array_new ();

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  self->highlighter = turnout_merge_highlighter_new (GTK_TEXT_VIEW (self->text_view));
  turnout_merge_completion_attach (self->text_view);
  g_signal_connect_swapped (buffer, "changed", G_CALLBACK (on_buffer_changed_cb), self);
  update_preview (self);
}

GtkWidget *
turnout_sms_editor_new (void)
{
  return g_object_new (TURNOUT_TYPE_SMS_EDITOR, NULL);
}

/**
 * turnout_sms_editor_set_template:
 * @template: (nullable): the template to edit, in place
 */
void
turnout_sms_editor_set_template (TurnoutSmsEditor *self,
                                 TurnoutTemplate  *template)
{
  GtkTextBuffer *buffer;
  g_autofree char *text = NULL;

  g_return_if_fail (TURNOUT_IS_SMS_EDITOR (self));

  g_set_object (&self->template, template);
  text = g_strdup (template != NULL ? turnout_template_get_body_text (template) : "");
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  self->loading = TRUE;
  gtk_text_buffer_begin_irreversible_action (buffer);
  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_end_irreversible_action (buffer);
  self->loading = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->media_problem_label), FALSE);
  update_media (self);
  update_preview (self);
}

/**
 * turnout_sms_editor_get_bubble_text:
 *
 * Returns: the message as the preview shows it (for tests and the pane).
 */
const char *
turnout_sms_editor_get_bubble_text (TurnoutSmsEditor *self)
{
  g_return_val_if_fail (TURNOUT_IS_SMS_EDITOR (self), NULL);

  return gtk_label_get_text (self->bubble_label);
}

const char *
turnout_sms_editor_get_counter_text (TurnoutSmsEditor *self)
{
  g_return_val_if_fail (TURNOUT_IS_SMS_EDITOR (self), NULL);

  return gtk_label_get_text (self->counter_label);
}

void
turnout_sms_editor_grab_text_focus (TurnoutSmsEditor *self)
{
  g_return_if_fail (TURNOUT_IS_SMS_EDITOR (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}
