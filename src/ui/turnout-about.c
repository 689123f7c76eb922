/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-about"

#include "config.h"

#include <glib/gi18n.h>

#include "turnout-about.h"

/*
 * The About window is filled from the AppStream metainfo, so its name,
 * summary, developer, links and release notes are the ones software centres
 * show. libadwaita 1.2 has no adw_about_window_new_from_appdata() (it came
 * in 1.4, with a libappstream dependency), so this reads the few elements it
 * needs with GMarkup.
 *
 * The metainfo is merged with its translations: a translated element follows
 * the untranslated one with an xml:lang attribute. A translation in one of
 * the user's languages replaces the element before it; others are skipped.
 */

typedef struct
{
  const char *release_notes_version;

  char       *name;
  char       *summary;
  char       *developer_name;
  char       *homepage;
  char       *bugtracker;
  GString    *release_notes;

  GSList     *path;           /* element names, innermost first; owned strings */
  int         skip_depth;     /* > 0 inside an element in a foreign language */
  char       *notes_version;  /* the version of the release whose notes were read */
  gboolean    in_release;     /* inside the <release> whose notes are wanted */
  gboolean    in_notes;       /* inside that release's <description> */
  gsize       block_start;    /* where the last <p> or <li> began in release_notes */
  char      **text_target;    /* the field the current text goes to */
  GString    *text;           /* the text of a simple element being read */
} AppData;

static gboolean
is_user_language (const char *lang)
{
  const char * const *languages = g_get_language_names ();

  for (guint i = 0; languages[i] != NULL; i++)
    if (g_strcmp0 (languages[i], "C") != 0 && g_strcmp0 (languages[i], lang) == 0)
      return TRUE;
  return FALSE;
}

static const char *
parent_name (AppData *data,
             guint    level)
{
  GSList *link = g_slist_nth (data->path, level);

  return link != NULL ? link->data : NULL;
}

static void
parse_start_element (GMarkupParseContext  *context,
                     const char           *element,
                     const char          **names,
                     const char          **values,
                     gpointer              user_data,
                     GError              **error)
{
  AppData *data = user_data;
  const char *lang = NULL;
  const char *type = NULL;
  const char *version = NULL;
  const char *parent = parent_name (data, 0);
  gboolean translated;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], "xml:lang"))
        lang = values[i];
      else if (g_str_equal (names[i], "type"))
        type = values[i];
      else if (g_str_equal (names[i], "version"))
        version = values[i];
    }

  data->path = g_slist_prepend (data->path, g_strdup (element));

  if (data->skip_depth > 0 || (lang != NULL && !is_user_language (lang)))
    {
      data->skip_depth++;
      return;
    }
  translated = lang != NULL;

  if (data->in_notes)
    {
      if (g_str_equal (element, "p") || g_str_equal (element, "li"))
        {
          if (translated)
            g_string_truncate (data->release_notes, data->block_start);
          data->block_start = data->release_notes->len;
        }
      g_string_append_printf (data->release_notes, "<%s>", element);
      return;
    }

  if (g_str_equal (element, "release") && g_strcmp0 (parent, "releases") == 0 &&
      data->notes_version == NULL && version != NULL &&
      (data->release_notes_version == NULL ||
       g_strcmp0 (version, data->release_notes_version) == 0))
    {
      /* Releases are listed newest first. */
      data->notes_version = g_strdup (version);
      data->in_release = TRUE;
    }
  else if (g_str_equal (element, "description") && data->in_release &&
           g_strcmp0 (parent, "release") == 0)
    data->in_notes = TRUE;

  if (g_strcmp0 (parent, "component") == 0)
    {
      if (g_str_equal (element, "name"))
        data->text_target = &data->name;
      else if (g_str_equal (element, "summary"))
        data->text_target = &data->summary;
      else if (g_str_equal (element, "developer_name"))
        data->text_target = &data->developer_name;
      else if (g_str_equal (element, "url") && g_strcmp0 (type, "homepage") == 0)
        data->text_target = &data->homepage;
      else if (g_str_equal (element, "url") && g_strcmp0 (type, "bugtracker") == 0)
        data->text_target = &data->bugtracker;
    }
  else if (g_str_equal (element, "name") && g_strcmp0 (parent, "developer") == 0)
    data->text_target = &data->developer_name;

  /* A translation replaces what was read; otherwise the first one wins. */
  if (data->text_target != NULL && *data->text_target != NULL && !translated)
    data->text_target = NULL;
  if (data->text_target != NULL)
    g_string_truncate (data->text, 0);
}

static void
parse_end_element (GMarkupParseContext  *context,
                   const char           *element,
                   gpointer              user_data,
                   GError              **error)
{
  AppData *data = user_data;

  g_free (data->path->data);
  data->path = g_slist_delete_link (data->path, data->path);

  if (data->skip_depth > 0)
    {
      data->skip_depth--;
      return;
    }

  if (data->in_notes)
    {
      if (g_str_equal (element, "description") && g_strcmp0 (parent_name (data, 0), "release") == 0)
        data->in_notes = FALSE;
      else
        g_string_append_printf (data->release_notes, "</%s>", element);
      return;
    }

  if (g_str_equal (element, "release"))
    data->in_release = FALSE;

  if (data->text_target != NULL)
    {
      g_free (*data->text_target);
      *data->text_target = g_strdup (g_strstrip (data->text->str));
      data->text_target = NULL;
    }
}

static void
parse_text (GMarkupParseContext  *context,
            const char           *text,
            gsize                 len,
            gpointer              user_data,
            GError              **error)
{
  AppData *data = user_data;

  if (data->skip_depth > 0)
    return;

  if (data->in_notes)
    {
      g_autofree char *escaped = g_markup_escape_text (text, len);

      g_string_append (data->release_notes, escaped);
    }
  else if (data->text_target != NULL)
    g_string_append_len (data->text, text, len);
}

static const GMarkupParser appdata_parser = {
  .start_element = parse_start_element,
  .end_element = parse_end_element,
  .text = parse_text,
};

static void
app_data_clear (AppData *data)
{
  g_free (data->name);
  g_free (data->summary);
  g_free (data->developer_name);
  g_free (data->homepage);
  g_free (data->bugtracker);
  g_free (data->notes_version);
  g_string_free (data->release_notes, TRUE);
  g_string_free (data->text, TRUE);
  g_slist_free_full (data->path, g_free);
}

/**
 * turnout_about_window_new_from_resource:
 * @resource_path: the metainfo file in the resources
 * @release_notes_version: (nullable): the release whose notes to show;
 *   %NULL for the newest
 *
 * Creates an About window for the running version from the metainfo; the
 * name, icon and version come from the build.
 *
 * Returns: (transfer floating): a new #AdwAboutWindow
 */
GtkWidget *
turnout_about_window_new_from_resource (const char *resource_path,
                                        const char *release_notes_version)
{
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  AppData data = {
    .release_notes_version = release_notes_version,
    .release_notes = g_string_new (NULL),
    .text = g_string_new (NULL),
  };
  /* TRANSLATORS: Your names, one per line, shown in the About window */
  const char *credits = _("translator-credits");
  GtkWidget *about;
  const char *contents;
  gsize len;

  bytes = g_resources_lookup_data (resource_path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes != NULL)
    {
      contents = g_bytes_get_data (bytes, &len);
      context = g_markup_parse_context_new (&appdata_parser, G_MARKUP_PREFIX_ERROR_POSITION,
                                            &data, NULL);
      if (!g_markup_parse_context_parse (context, contents, len, &error) ||
          !g_markup_parse_context_end_parse (context, &error))
        g_warning ("Could not read %s: %s", resource_path, error->message);
    }
  else
    g_warning ("Could not read %s: %s", resource_path, error->message);

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application-name", data.name != NULL ? data.name : "Turnout",
                        "application-icon", APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "comments", data.summary,
                        "developer-name", data.developer_name,
                        "website", data.homepage,
                        "issue-url", data.bugtracker,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        NULL);
  if (!g_str_equal (credits, "translator-credits"))
    adw_about_window_set_translator_credits (ADW_ABOUT_WINDOW (about), credits);
  if (data.release_notes->len > 0)
    g_object_set (about,
                  "release-notes", data.release_notes->str,
                  "release-notes-version", data.notes_version,
                  NULL);

  app_data_clear (&data);
  return about;
}
