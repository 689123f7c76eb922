/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-email-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <webkit/webkit.h>

#include "turnout-email-editor.h"
#include "turnout-html-text.h"
#include "turnout-merge.h"
#include "turnout-merge-completion.h"
#include "turnout-merge-highlighter.h"
#include "turnout-preview-chooser.h"
#include "turnout-render.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * The editor of an email template: the subject and the preheader (one line
 * each), the HTML body and its plain-text alternative, all with their merge
 * fields highlighted and completed and the first mistake of each named with
 * its place. Beside it, the message as a chosen contact gets it: the line an
 * inbox lists (sender, subject, preheader), the fields that came out blank,
 * and the HTML in a web view at a desktop or a phone width.
 *
 * The web view is a hostile place: templates are pasted from anywhere, and
 * a preview that fetched remote pictures would tell every tracking pixel
 * that the promoter opened the draft. So it runs no JavaScript, follows no
 * link, keeps no cookies (an ephemeral network session), and a content
 * filter blocks every load that is not the page itself or a data: URL until
 * the user switches remote images on — and then only images.
 *
 * The editor writes into the template it is given; saving is the pane's.
 */

/* Rendering is quick, but each web view load costs a trip to the web
 * process: wait for a pause in the typing. */
#define PREVIEW_DELAY_MS 250

typedef enum
{
  PART_SUBJECT,
  PART_PREHEADER,
  PART_HTML,
  PART_TEXT,
  N_PARTS
} Part;

struct _TurnoutEmailEditor
{
  AdwBin                    parent_instance;

  TurnoutTemplate          *template;        /* owned, nullable */
  TurnoutStore             *store;           /* owned, nullable */
  TurnoutSettings          *settings;        /* owned, nullable */
  TurnoutMergeHighlighter  *highlighters[N_PARTS]; /* owned */
  GtkSourceView            *views[N_PARTS];  /* the template children below */
  GtkLabel                 *problems[N_PARTS];
  WebKitWebView            *web_view;        /* child of web_clamp */
  WebKitUserContentManager *content_manager; /* owned */
  GCancellable             *cancellable;     /* owned: the content filters */
  char                     *html;            /* the rendered HTML, for the next load */
  char                     *loaded_html;     /* what the web view was last given */
  char                     *preview_width;   /* "desktop" or "phone" */
  guint                     load_source;
  gboolean                  load_remote_images;
  gboolean                  filters_ready;
  gboolean                  filters_failed;
  gboolean                  load_wanted;
  gboolean                  loading;

  GtkSourceView            *subject_view;    /* template child */
  GtkSourceView            *preheader_view;  /* template child */
  GtkSourceView            *html_view;       /* template child */
  GtkSourceView            *text_view;       /* template child */
  GtkLabel                 *subject_problem; /* template child */
  GtkLabel                 *preheader_problem; /* template child */
  GtkLabel                 *html_problem;    /* template child */
  GtkLabel                 *text_problem;    /* template child */
  GtkWidget                *text_hint;       /* template child */
  TurnoutPreviewChooser    *preview_chooser; /* template child */
  GtkLabel                 *sender_label;    /* template child */
  GtkLabel                 *subject_label;   /* template child */
  GtkLabel                 *preheader_label; /* template child */
  GtkLabel                 *blank_label;     /* template child */
  GtkWidget                *unrendered_label; /* template child */
  AdwClamp                 *web_clamp;       /* template child */
  GtkLabel                 *text_preview;    /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutEmailEditor, turnout_email_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_PREVIEW_WIDTH,
  PROP_LOAD_REMOTE_IMAGES,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Content filters ------------------------------------------------------------ */

typedef enum
{
  FILTER_BLOCK_ALL,
  FILTER_ALLOW_IMAGES,
  N_FILTERS
} FilterKind;

/* WebKit content rules (the Safari content blocker format; its URL filters
 * know no "|", hence one rule per scheme). The page itself is about:blank;
 * data: URLs are part of the message, so they stay. */
#define RULE_BLOCK_ALL \
  "{\"trigger\":{\"url-filter\":\".*\"},\"action\":{\"type\":\"block\"}}," \
  "{\"trigger\":{\"url-filter\":\"^about:\"},\"action\":{\"type\":\"ignore-previous-rules\"}}," \
  "{\"trigger\":{\"url-filter\":\"^data:\"},\"action\":{\"type\":\"ignore-previous-rules\"}}"

static const char * const filter_ids[N_FILTERS] = {
  "turnout-preview-block-all-1",
  "turnout-preview-allow-images-1",
};

static const char * const filter_rules[N_FILTERS] = {
  "[" RULE_BLOCK_ALL "]",
  "[" RULE_BLOCK_ALL ","
  "{\"trigger\":{\"url-filter\":\"^https?://\",\"resource-type\":[\"image\"]},"
  "\"action\":{\"type\":\"ignore-previous-rules\"}}]",
};

/* Compiled once per process and shared by every editor: compiling takes a
 * trip to a WebKit process, and two editors writing the same files at once
 * would race. Main thread only. */
static WebKitUserContentFilterStore *filter_store;
static WebKitUserContentFilter *filters[N_FILTERS];
static GPtrArray *filter_waiters;   /* GTask */
static guint filters_compiling;

static void
on_filter_saved_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  FilterKind kind = GPOINTER_TO_UINT (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  gboolean ready = TRUE;

  WebKitUserContentFilterStore *store = WEBKIT_USER_CONTENT_FILTER_STORE (object);

  filters[kind] = webkit_user_content_filter_store_save_finish (store, result, &error);
  if (filters[kind] == NULL)
    g_warning ("Could not compile the preview’s content filter %s: %s", filter_ids[kind],
               error->message);
  if (--filters_compiling > 0)
    return;

  for (guint i = 0; i < N_FILTERS; i++)
    ready = ready && filters[i] != NULL;
  waiters = g_steal_pointer (&filter_waiters);
  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (ready)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                                 "The preview’s content filters could not be compiled");
    }
}

static void
ensure_filters_async (GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  gboolean ready = TRUE;

  g_task_set_source_tag (task, ensure_filters_async);
  for (guint i = 0; i < N_FILTERS; i++)
    ready = ready && filters[i] != NULL;
  if (ready)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (filter_waiters == NULL)
    filter_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (filter_waiters, task);
  if (filters_compiling > 0)
    return;

  if (filter_store == NULL)
    {
      g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "turnout",
                                                "preview-filters", NULL);

      filter_store = webkit_user_content_filter_store_new (path);
    }
  for (guint i = 0; i < N_FILTERS; i++)
    if (filters[i] == NULL)
      {
        g_autoptr(GBytes) rules = g_bytes_new_static (filter_rules[i], strlen (filter_rules[i]));

        filters_compiling++;
        webkit_user_content_filter_store_save (filter_store, filter_ids[i], rules, NULL,
                                               on_filter_saved_cb, GUINT_TO_POINTER (i));
      }
}

static gboolean
ensure_filters_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Text ----------------------------------------------------------------------- */

static GtkTextBuffer *
get_buffer (TurnoutEmailEditor *self,
            Part                part)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->views[part]));
}

static char *
dup_part_text (TurnoutEmailEditor *self,
               Part                part)
{
  GtkTextBuffer *buffer = get_buffer (self, part);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static gboolean
is_line_break (gunichar c)
{
  return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

/* The subject and the preheader are one line each (a line break in a
 * header would end it): Enter adds nothing, and pasted lines are joined
 * with a space. The text is changed before it goes in, so undo and the
 * caller's position stay right. */
static void
on_line_insert_text_cb (GtkTextBuffer      *buffer,
                        GtkTextIter        *location,
                        char               *text,
                        int                 length,
                        TurnoutEmailEditor *self)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean has_break = FALSE;
  gboolean has_text = FALSE;
  const char *end = text + (length < 0 ? strlen (text) : (size_t) length);
  GtkTextIter before;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_line_break (c))
        {
          has_text = TRUE;
          g_string_append_unichar (line, c);
        }
      else
        {
          has_break = TRUE;
          if (line->len == 0 || line->str[line->len - 1] != ' ')
            g_string_append_c (line, ' ');
        }
    }
  if (!has_break)
    return;

  g_signal_stop_emission_by_name (buffer, "insert-text");
  if (!has_text)
    return;
  /* No space against a space, nor at either end. */
  before = *location;
  if (line->len > 0 && line->str[line->len - 1] == ' '
      && (gtk_text_iter_is_end (location) || g_unichar_isspace (gtk_text_iter_get_char (location))))
    g_string_truncate (line, line->len - 1);
  if (line->len > 0 && line->str[0] == ' '
      && (!gtk_text_iter_backward_char (&before)
          || g_unichar_isspace (gtk_text_iter_get_char (&before))))
    g_string_erase (line, 0, 1);
  g_signal_handlers_block_by_func (buffer, on_line_insert_text_cb, self);
  /* Revalidates @location for the caller, as the default handler does. */
  gtk_text_buffer_insert (buffer, location, line->str, (int) line->len);
  g_signal_handlers_unblock_by_func (buffer, on_line_insert_text_cb, self);
}

/* The first mistake of a part, with where it is: a column for the one-line
 * parts, a line and a column for the bodies. (The message names the field
 * probably meant.) */
static void
update_problem (TurnoutEmailEditor *self,
                Part                part)
{
  GPtrArray *errors = turnout_merge_highlighter_get_errors (self->highlighters[part]);
  TurnoutMergeToken *first;
  g_autofree char *where = NULL;
  g_autofree char *summary = NULL;

  if (errors->len == 0)
    {
      gtk_label_set_text (self->problems[part], "");
      gtk_widget_set_visible (GTK_WIDGET (self->problems[part]), FALSE);
      return;
    }
  first = g_ptr_array_index (errors, 0);
  if (part == PART_SUBJECT || part == PART_PREHEADER)
    /* TRANSLATORS: where a mistake is in the subject or the preheader,
     * counted in characters from 1. */
    where = g_strdup_printf (_("Column %u"), first->column);
  else
    /* TRANSLATORS: where a mistake is in a template. */
    where = g_strdup_printf (_("Line %u, column %u"), first->line, first->column);
  if (errors->len == 1)
    /* TRANSLATORS: "Line 1, column 4: Unknown field …". */
    summary = g_strdup_printf (_("%s: %s"), where, first->message);
  else
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %s (and %u more mistake)",
                                            "%s: %s (and %u more mistakes)", errors->len - 1),
                               where, first->message, errors->len - 1);
  gtk_label_set_text (self->problems[part], summary);
  gtk_widget_set_visible (GTK_WIDGET (self->problems[part]), TRUE);
}

/* Preview -------------------------------------------------------------------- */

static char *
dup_setting (TurnoutEmailEditor *self,
             const char         *key)
{
  char *value;

  if (self->settings == NULL)
    return g_strdup ("");
  value = turnout_settings_dup_string (self->settings, key);
  return g_strstrip (value != NULL ? value : g_strdup (""));
}

/* What {unsubscribe} says, as the send will say it. */
static char *
dup_email_unsubscribe (TurnoutEmailEditor *self)
{
  g_autofree char *url = dup_setting (self, "email.unsubscribe_url");
  g_autofree char *mailto = dup_setting (self, "email.unsubscribe_mailto");

  return turnout_email_unsubscribe_text (url, mailto);
}

/* The name an inbox shows as the sender: the From name of the SMTP
 * settings, else the promoter's name, else the address. */
static char *
dup_sender (TurnoutEmailEditor *self)
{
  static const char * const keys[] = { "smtp.from_name", "general.sender_name",
                                       "smtp.from_address" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *value = dup_setting (self, keys[i]);

      if (*value != '\0')
        return g_steal_pointer (&value);
    }
  return NULL;
}

/* With no preheader, mail apps show the start of the text instead. */
static char *
dup_inbox_snippet (const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text != NULL ? text : "", " \t\r\n", -1);
  g_autoptr(GString) snippet = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL && g_utf8_strlen (snippet->str, -1) < 140; i++)
    if (*words[i] != '\0')
      g_string_append_printf (snippet, "%s%s", snippet->len > 0 ? " " : "", words[i]);
  return g_string_free (g_steal_pointer (&snippet), FALSE);
}

static void
load_preview (TurnoutEmailEditor *self,
              gboolean            force)
{
  g_clear_handle_id (&self->load_source, g_source_remove);
  if (!self->filters_ready)
    {
      /* Nothing is shown before the filters guard the page. */
      self->load_wanted = TRUE;
      return;
    }
  self->load_wanted = FALSE;
  if (!force && self->loaded_html != NULL && g_strcmp0 (self->loaded_html, self->html) == 0)
    return;
  g_free (self->loaded_html);
  self->loaded_html = g_strdup (self->html != NULL ? self->html : "");
  webkit_web_view_load_html (self->web_view, self->loaded_html, "about:blank");
}

static gboolean
on_load_timeout_cb (gpointer data)
{
  TurnoutEmailEditor *self = data;

  self->load_source = 0;
  load_preview (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* Renders the template for the previewed contact: the inbox line and the
 * blanks at once, the web view at once or after a pause in the typing. */
static void
update_preview (TurnoutEmailEditor *self,
                gboolean            at_once)
{
  TurnoutRecipient *recipient = turnout_preview_chooser_get_recipient (self->preview_chooser);
  TurnoutMergeValues values = { 0 };
  g_autofree char *sender_name = dup_setting (self, "general.sender_name");
  g_autofree char *unsubscribe = dup_email_unsubscribe (self);
  g_autofree char *sender = dup_sender (self);
  g_autofree char *snippet = NULL;
  g_autoptr(TurnoutTemplateRenderer) renderer = NULL;
  g_autoptr(TurnoutRendered) rendered = NULL;

  if (recipient != NULL)
    turnout_recipient_get_values (recipient, &values);
  values.sender_name = sender_name;
  values.unsubscribe = unsubscribe;
  if (self->template != NULL)
    renderer = turnout_template_renderer_new (self->template, NULL);
  if (renderer != NULL)
    rendered = turnout_template_renderer_render (renderer, &values);
  else
    {
      /* With mistakes, the template shows as written: the layout can
       * still be judged while the fields are fixed. */
      const char *text = self->template != NULL ? turnout_template_get_body_text (self->template)
                                                : "";
      g_autofree char *stripped = g_strstrip (g_strdup (text));

      rendered = g_new0 (TurnoutRendered, 1);
      rendered->blank_fields = g_ptr_array_new_with_free_func (g_free);
      if (self->template != NULL)
        {
          rendered->subject = g_strdup (turnout_template_get_subject (self->template));
          rendered->preheader = g_strdup (turnout_template_get_preheader (self->template));
          rendered->html = g_strdup (turnout_template_get_body_html (self->template));
        }
      else
        {
          rendered->subject = g_strdup ("");
          rendered->preheader = g_strdup ("");
          rendered->html = g_strdup ("");
        }
      rendered->text = *stripped != '\0' ? g_strdup (text) : turnout_html_to_text (rendered->html);
    }
  gtk_widget_set_visible (self->unrendered_label, self->template != NULL && renderer == NULL);

  if (sender != NULL)
    {
      gtk_label_set_text (self->sender_label, sender);
      gtk_widget_remove_css_class (GTK_WIDGET (self->sender_label), "dim-label");
    }
  else
    {
      gtk_label_set_text (self->sender_label, _("No sender name — set one in Preferences"));
      gtk_widget_add_css_class (GTK_WIDGET (self->sender_label), "dim-label");
    }
  /* TRANSLATORS: what mail apps list for a message without a subject. */
  gtk_label_set_text (self->subject_label, *rendered->subject != '\0' ? rendered->subject
                                                                      : _("(no subject)"));
  snippet = dup_inbox_snippet (*rendered->preheader != '\0' ? rendered->preheader
                                                            : rendered->text);
  gtk_label_set_text (self->preheader_label, snippet);
  gtk_label_set_text (self->text_preview, rendered->text);

  if (rendered->blank_fields->len > 0 && recipient != NULL)
    {
      g_autofree char *name = turnout_recipient_dup_name (recipient);
      g_autoptr(GString) fields = g_string_new (NULL);
      g_autofree char *text = NULL;

      for (guint i = 0; i < rendered->blank_fields->len; i++)
        g_string_append_printf (fields, "%s{%s}", i > 0 ? ", " : "",
                                (char *) g_ptr_array_index (rendered->blank_fields, i));
      /* TRANSLATORS: %s are merge fields, then a name; keep {first_name|there} as it is. */
      text = g_strdup_printf (_("%s came out blank for %s. Add a fallback, as in "
                                "{first_name|there}."), fields->str, name);
      gtk_label_set_text (self->blank_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->blank_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->blank_label), FALSE);

  g_free (self->html);
  self->html = g_steal_pointer (&rendered->html);
  if (at_once)
    load_preview (self, FALSE);
  else if (g_strcmp0 (self->html, self->loaded_html) != 0)
    {
      g_clear_handle_id (&self->load_source, g_source_remove);
      self->load_source = g_timeout_add (PREVIEW_DELAY_MS, on_load_timeout_cb, self);
    }
}

static void
on_buffer_changed_cb (GtkTextBuffer      *buffer,
                      TurnoutEmailEditor *self)
{
  Part part = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (buffer), "turnout-part"));
  g_autofree char *text = NULL;

  update_problem (self, part);
  if (part == PART_TEXT)
    gtk_widget_set_visible (self->text_hint, gtk_text_buffer_get_char_count (buffer) == 0);
  /* While a template is loaded its text is the buffer's already; writing
   * it back would free the very string being inserted. */
  if (self->template == NULL || self->loading)
    return;

  text = dup_part_text (self, part);
  switch (part)
    {
    case PART_SUBJECT:
      turnout_template_set_subject (self->template, text);
      break;
    case PART_PREHEADER:
      turnout_template_set_preheader (self->template, text);
      break;
    case PART_HTML:
      turnout_template_set_body_html (self->template, text);
      break;
    case PART_TEXT:
    case N_PARTS:
    default:
      turnout_template_set_body_text (self->template, text);
      break;
    }
  update_preview (self, FALSE);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_preview_chooser_changed_cb (TurnoutEmailEditor *self)
{
  update_preview (self, TRUE);
}

static void
on_settings_changed_cb (TurnoutEmailEditor *self)
{
  update_preview (self, TRUE);
}

static void
apply_filter (TurnoutEmailEditor *self)
{
  WebKitSettings *settings = webkit_web_view_get_settings (self->web_view);

  webkit_user_content_manager_remove_all_filters (self->content_manager);
  if (!self->filters_failed)
    webkit_user_content_manager_add_filter (self->content_manager,
                                            filters[self->load_remote_images ? FILTER_ALLOW_IMAGES
                                                                             : FILTER_BLOCK_ALL]);
  webkit_settings_set_auto_load_images (settings, self->load_remote_images);
}

static void
on_filters_ready_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TurnoutEmailEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ensure_filters_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Images stay off through the settings; other remote loads can't
       * be stopped, which was said in the log. */
      self->filters_failed = TRUE;
    }
  self->filters_ready = TRUE;
  apply_filter (self);
  if (self->load_wanted)
    load_preview (self, TRUE);
}

/* Only the page the editor hands over is shown: a click on a link, a
 * redirect by <meta refresh>, a form or a new window all stay put. */
static gboolean
on_decide_policy_cb (WebKitWebView            *web_view,
                     WebKitPolicyDecision     *decision,
                     WebKitPolicyDecisionType  type,
                     TurnoutEmailEditor       *self)
{
  WebKitNavigationPolicyDecision *navigation;
  WebKitNavigationAction *action;
  WebKitURIRequest *request;

  switch (type)
    {
    case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
      navigation = WEBKIT_NAVIGATION_POLICY_DECISION (decision);
      action = webkit_navigation_policy_decision_get_navigation_action (navigation);
      request = webkit_navigation_action_get_request (action);
      if (webkit_navigation_action_get_navigation_type (action) == WEBKIT_NAVIGATION_TYPE_OTHER
          && !webkit_navigation_action_is_user_gesture (action)
          && g_strcmp0 (webkit_uri_request_get_uri (request), "about:blank") == 0)
        webkit_policy_decision_use (decision);
      else
        webkit_policy_decision_ignore (decision);
      return TRUE;
    case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION:
      webkit_policy_decision_ignore (decision);
      return TRUE;
    case WEBKIT_POLICY_DECISION_TYPE_RESPONSE:
    default:
      return FALSE;
    }
}

/* The page's menu keeps copying; reloading, opening links or pictures
 * and going back have no place in a preview. */
static gboolean
on_context_menu_cb (WebKitWebView       *web_view,
                    WebKitContextMenu   *menu,
                    WebKitHitTestResult *hit,
                    TurnoutEmailEditor  *self)
{
  GList *items = g_list_copy (webkit_context_menu_get_items (menu));

  for (GList *l = items; l != NULL; l = l->next)
    {
      WebKitContextMenuItem *item = l->data;

      switch (webkit_context_menu_item_get_stock_action (item))
        {
        case WEBKIT_CONTEXT_MENU_ACTION_COPY:
        case WEBKIT_CONTEXT_MENU_ACTION_SELECT_ALL:
        case WEBKIT_CONTEXT_MENU_ACTION_COPY_LINK_TO_CLIPBOARD:
        case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_URL_TO_CLIPBOARD:
          break;
        default:
          webkit_context_menu_remove (menu, item);
        }
    }
  g_list_free (items);
  return webkit_context_menu_get_n_items (menu) == 0;
}

static void
update_width (TurnoutEmailEditor *self)
{
  int width = g_strcmp0 (self->preview_width, "phone") == 0 ? TURNOUT_EMAIL_PREVIEW_PHONE_WIDTH
                                                              : TURNOUT_EMAIL_PREVIEW_DESKTOP_WIDTH;

  /* Exactly this wide: the request keeps it from getting narrower (the
   * desk scrolls instead), the clamp from getting wider (a web view's
   * natural width is the last width its page was laid out at). */
  gtk_widget_set_size_request (GTK_WIDGET (self->web_view), width, -1);
  adw_clamp_set_maximum_size (self->web_clamp, width);
  adw_clamp_set_tightening_threshold (self->web_clamp, width);
}

static void
set_preview_width (TurnoutEmailEditor *self,
                   const char         *width)
{
  const char *value = g_strcmp0 (width, "phone") == 0 ? "phone" : "desktop";

  if (g_strcmp0 (self->preview_width, value) == 0)
    return;
  g_free (self->preview_width);
  self->preview_width = g_strdup (value);
  update_width (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW_WIDTH]);
}

static void
set_load_remote_images (TurnoutEmailEditor *self,
                        gboolean            load)
{
  load = !!load;
  if (self->load_remote_images == load)
    return;
  self->load_remote_images = load;
  if (self->filters_ready)
    {
      apply_filter (self);
      load_preview (self, TRUE);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD_REMOTE_IMAGES]);
}

static void
email_fill_text (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TurnoutEmailEditor *self = TURNOUT_EMAIL_EDITOR (widget);
  GtkTextBuffer *buffer = get_buffer (self, PART_TEXT);
  g_autofree char *html = dup_part_text (self, PART_HTML);
  g_autofree char *text = turnout_html_to_text (html);
  GtkTextIter start, end;

  /* One user action, so Ctrl+Z brings back what was there (set_text()
   * would not be undoable). The merge fields of the HTML stay fields. */
  g_signal_handlers_block_by_func (buffer, on_buffer_changed_cb, self);
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_insert (buffer, &start, text, -1);
  gtk_text_buffer_end_user_action (buffer);
  g_signal_handlers_unblock_by_func (buffer, on_buffer_changed_cb, self);
  /* One change, not an empty text and then a full one. */
  on_buffer_changed_cb (buffer, self);
  gtk_widget_grab_focus (GTK_WIDGET (self->views[PART_TEXT]));
}

static void
update_style_scheme (TurnoutEmailEditor *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (schemes, adw_style_manager_get_dark (manager)
                                                                ? "Adwaita-dark" : "Adwaita");
  for (guint i = 0; i < N_PARTS; i++)
    gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (get_buffer (self, i)), scheme);
}

/* GObject -------------------------------------------------------------------- */

static void
turnout_email_editor_dispose (GObject *object)
{
  TurnoutEmailEditor *self = TURNOUT_EMAIL_EDITOR (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->load_source, g_source_remove);
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->web_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->web_view, self);
      /* A load still under way would otherwise finish into a dead view. */
      webkit_web_view_stop_loading (self->web_view);
      self->web_view = NULL;
    }
  for (guint i = 0; i < N_PARTS; i++)
    {
      if (self->views[i] != NULL)
        g_signal_handlers_disconnect_by_data (get_buffer (self, i), self);
      g_clear_object (&self->highlighters[i]);
      self->views[i] = NULL;
    }
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_EMAIL_EDITOR);
  g_clear_object (&self->template);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->content_manager);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (turnout_email_editor_parent_class)->dispose (object);
}

static void
turnout_email_editor_finalize (GObject *object)
{
  TurnoutEmailEditor *self = TURNOUT_EMAIL_EDITOR (object);

  g_free (self->html);
  g_free (self->loaded_html);
  g_free (self->preview_width);

  G_OBJECT_CLASS (turnout_email_editor_parent_class)->finalize (object);
}

static void
turnout_email_editor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TurnoutEmailEditor *self = TURNOUT_EMAIL_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_PREVIEW_WIDTH:
      g_value_set_string (value, self->preview_width);
      break;
    case PROP_LOAD_REMOTE_IMAGES:
      g_value_set_boolean (value, self->load_remote_images);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_email_editor_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TurnoutEmailEditor *self = TURNOUT_EMAIL_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      if (g_set_object (&self->store, g_value_get_object (value)))
        {
          turnout_preview_chooser_set_store (self->preview_chooser, self->store);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_SETTINGS:
      if (self->settings != NULL)
        g_signal_handlers_disconnect_by_data (self->settings, self);
      if (g_set_object (&self->settings, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      if (self->settings != NULL)
        g_signal_connect_swapped (self->settings, "changed", G_CALLBACK (on_settings_changed_cb),
                                  self);
      update_preview (self, TRUE);
      break;
    case PROP_PREVIEW_WIDTH:
      set_preview_width (self, g_value_get_string (value));
      break;
    case PROP_LOAD_REMOTE_IMAGES:
      set_load_remote_images (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_email_editor_class_init (TurnoutEmailEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_email_editor_dispose;
  object_class->finalize = turnout_email_editor_finalize;
  object_class->get_property = turnout_email_editor_get_property;
  object_class->set_property = turnout_email_editor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TurnoutEmailEditor:preview-width:
   *
   * "desktop" or "phone": the width the preview lays the message out at.
   */
  properties[PROP_PREVIEW_WIDTH] =
    g_param_spec_string ("preview-width", NULL, NULL, "desktop",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TurnoutEmailEditor:load-remote-images:
   *
   * Whether the preview fetches the message's remote images. Nothing else
   * remote is ever fetched.
   */
  properties[PROP_LOAD_REMOTE_IMAGES] =
    g_param_spec_boolean ("load-remote-images", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TurnoutEmailEditor::changed:
   *
   * The user changed the template.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (TURNOUT_TYPE_PREVIEW_CHOOSER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/turnoutapp/Turnout/ui/"
                                                             "turnout-email-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, subject_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, preheader_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, html_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, text_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, subject_problem);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, preheader_problem);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, html_problem);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, text_problem);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, text_hint);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, preview_chooser);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, sender_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, subject_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, preheader_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, blank_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, unrendered_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, web_clamp);
  gtk_widget_class_bind_template_child (widget_class, TurnoutEmailEditor, text_preview);
  gtk_widget_class_bind_template_callback (widget_class, on_preview_chooser_changed_cb);

  gtk_widget_class_install_action (widget_class, "email.fill-text", NULL, email_fill_text);
  gtk_widget_class_install_property_action (widget_class, "email.preview-width",
                                            "preview-width");
  gtk_widget_class_install_property_action (widget_class, "email.load-remote-images",
                                            "load-remote-images");
}

static void
turnout_email_editor_init (TurnoutEmailEditor *self)
{
  static WebKitNetworkSession *session;
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  g_autoptr(WebKitSettings) web_settings = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->preview_width = g_strdup ("desktop");
  self->cancellable = g_cancellable_new ();
  self->views[PART_SUBJECT] = self->subject_view;
  self->views[PART_PREHEADER] = self->preheader_view;
  self->views[PART_HTML] = self->html_view;
  self->views[PART_TEXT] = self->text_view;
  self->problems[PART_SUBJECT] = self->subject_problem;
  self->problems[PART_PREHEADER] = self->preheader_problem;
  self->problems[PART_HTML] = self->html_problem;
  self->problems[PART_TEXT] = self->text_problem;

  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (get_buffer (self, PART_HTML)),
                                  gtk_source_language_manager_get_language (languages, "html"));
  for (guint i = 0; i < N_PARTS; i++)
    {
      GtkTextBuffer *buffer = get_buffer (self, i);

      self->highlighters[i] = turnout_merge_highlighter_new (GTK_TEXT_VIEW (self->views[i]));
      turnout_merge_completion_attach (self->views[i]);
      g_object_set_data (G_OBJECT (buffer), "turnout-part", GUINT_TO_POINTER (i));
      g_signal_connect (buffer, "changed", G_CALLBACK (on_buffer_changed_cb), self);
      if (i == PART_SUBJECT || i == PART_PREHEADER)
        g_signal_connect (buffer, "insert-text", G_CALLBACK (on_line_insert_text_cb), self);
    }
  update_style_scheme (self);
  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::dark",
                            G_CALLBACK (update_style_scheme), self);

  /* One session for every preview, kept in memory only: a tracking
   * pixel the user lets load leaves no cookie behind. */
  if (session == NULL)
    session = webkit_network_session_new_ephemeral ();
  web_settings = webkit_settings_new ();
  webkit_settings_set_enable_javascript (web_settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (web_settings, FALSE);
  webkit_settings_set_auto_load_images (web_settings, FALSE);
  webkit_settings_set_enable_html5_local_storage (web_settings, FALSE);
  webkit_settings_set_enable_html5_database (web_settings, FALSE);
  webkit_settings_set_enable_developer_extras (web_settings, FALSE);
  self->content_manager = webkit_user_content_manager_new ();
  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "network-session", session,
                                 "settings", web_settings,
                                 "user-content-manager", self->content_manager,
                                 "vexpand", TRUE,
                                 NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->web_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The message as the contact gets it"), -1);
  g_signal_connect (self->web_view, "decide-policy", G_CALLBACK (on_decide_policy_cb), self);
  g_signal_connect (self->web_view, "context-menu", G_CALLBACK (on_context_menu_cb), self);
  gtk_widget_add_css_class (GTK_WIDGET (self->web_view), "turnout-email-page");
  gtk_widget_set_margin_top (GTK_WIDGET (self->web_view), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->web_view), 12);
  adw_clamp_set_child (self->web_clamp, GTK_WIDGET (self->web_view));
  update_width (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "email.fill-text", FALSE);
  ensure_filters_async (self->cancellable, on_filters_ready_cb, g_object_ref (self));
  update_preview (self, TRUE);
}

GtkWidget *
turnout_email_editor_new (void)
{
  return g_object_new (TURNOUT_TYPE_EMAIL_EDITOR, NULL);
}

/**
 * turnout_email_editor_set_template:
 * @template: (nullable): an email template to edit, in place
 *
 * Shows @template; the user's edits are written into it and announced
 * with #TurnoutEmailEditor::changed (loading it is not an edit).
 */
void
turnout_email_editor_set_template (TurnoutEmailEditor *self,
                                   TurnoutTemplate    *template)
{
  char *texts[N_PARTS] = { NULL, };

  g_return_if_fail (TURNOUT_IS_EMAIL_EDITOR (self));
  g_return_if_fail (template == NULL || TURNOUT_IS_TEMPLATE (template));

  g_set_object (&self->template, template);
  if (template != NULL)
    {
      /* Copies: the buffers' signals must never see the template's own
       * strings change under them. */
      texts[PART_SUBJECT] = g_strdup (turnout_template_get_subject (template));
      texts[PART_PREHEADER] = g_strdup (turnout_template_get_preheader (template));
      texts[PART_HTML] = g_strdup (turnout_template_get_body_html (template));
      texts[PART_TEXT] = g_strdup (turnout_template_get_body_text (template));
    }
  self->loading = TRUE;
  for (guint i = 0; i < N_PARTS; i++)
    {
      GtkTextBuffer *buffer = get_buffer (self, i);

      /* Undo can't go back into the previous template. */
      gtk_text_buffer_begin_irreversible_action (buffer);
      gtk_text_buffer_set_text (buffer, texts[i] != NULL ? texts[i] : "", -1);
      gtk_text_buffer_end_irreversible_action (buffer);
      g_free (texts[i]);
    }
  self->loading = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "email.fill-text", template != NULL);
  update_preview (self, TRUE);
}

/**
 * turnout_email_editor_get_inbox_subject:
 *
 * Returns: the subject as the preview's inbox line shows it.
 */
const char *
turnout_email_editor_get_inbox_subject (TurnoutEmailEditor *self)
{
  g_return_val_if_fail (TURNOUT_IS_EMAIL_EDITOR (self), NULL);

  return gtk_label_get_text (self->subject_label);
}

/**
 * turnout_email_editor_get_inbox_preheader:
 *
 * Returns: the preheader (or the start of the text) as the inbox line
 *   shows it.
 */
const char *
turnout_email_editor_get_inbox_preheader (TurnoutEmailEditor *self)
{
  g_return_val_if_fail (TURNOUT_IS_EMAIL_EDITOR (self), NULL);

  return gtk_label_get_text (self->preheader_label);
}

/**
 * turnout_email_editor_get_preview_html:
 *
 * Returns: (nullable): the HTML the web view was last given to load;
 *   %NULL before the first load.
 */
const char *
turnout_email_editor_get_preview_html (TurnoutEmailEditor *self)
{
  g_return_val_if_fail (TURNOUT_IS_EMAIL_EDITOR (self), NULL);

  return self->loaded_html;
}

void
turnout_email_editor_grab_subject_focus (TurnoutEmailEditor *self)
{
  g_return_if_fail (TURNOUT_IS_EMAIL_EDITOR (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->subject_view));
}
