/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-cli"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-preflight.h"
#include "turnout-render.h"
#include "turnout-segments.h"
#include "turnout-settings.h"
#include "turnout-sms.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-cli-private.h"

/*
 * turnout-cli template list | create | render | check: templates from the
 * command line, the same core the Templates pane uses.
 */

static int
list_templates (CliOptions   *options,
                TurnoutStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) templates = turnout_templates_list (store, &error);

  if (templates == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "templates");
      json_builder_begin_array (builder);
      for (guint i = 0; i < g_list_model_get_n_items (templates); i++)
        {
          g_autoptr(TurnoutTemplate) template = g_list_model_get_item (templates, i);
          const char * const *urls = turnout_template_get_media_urls (template);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, turnout_template_get_id (template));
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, turnout_template_get_name (template));
          json_builder_set_member_name (builder, "channel");
          json_builder_add_string_value (builder, turnout_template_get_channel (template));
          json_builder_set_member_name (builder, "subject");
          json_builder_add_string_value (builder, turnout_template_get_subject (template));
          json_builder_set_member_name (builder, "media_urls");
          json_builder_begin_array (builder);
          for (guint j = 0; urls[j] != NULL; j++)
            json_builder_add_string_value (builder, urls[j]);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
      return EXIT_OK;
    }
  for (guint i = 0; i < g_list_model_get_n_items (templates); i++)
    {
      g_autoptr(TurnoutTemplate) template = g_list_model_get_item (templates, i);
      g_autofree char *summary = turnout_template_dup_summary (template);

      g_print ("%s\t%s\n", turnout_template_get_name (template), summary);
    }
  return EXIT_OK;
}

static char *
read_file (const char  *path,
           GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  if (!g_utf8_validate_len (contents, length, NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("%s: not UTF-8 text"), path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

/* Says on standard error when a draft has mistakes: it is saved, but no
 * send will take it until they are fixed. */
static void
warn_mistakes (TurnoutTemplate *template)
{
  g_autoptr(TurnoutTemplateRenderer) renderer = NULL;
  g_autoptr(GError) error = NULL;

  renderer = turnout_template_renderer_new (template, &error);
  if (renderer == NULL)
    g_printerr (_("turnout-cli: warning: %s. The template is saved as a draft; it can’t be sent "
                  "until this is fixed.\n"), error->message);
}

static int
create_template (CliOptions    *options,
                 TurnoutStore  *store,
                 const char    *name,
                 const char    *channel,
                 const char    *text,
                 const char    *subject,
                 const char    *preheader,
                 const char    *html_path,
                 char         **media)
{
  g_autoptr(TurnoutTemplate) template = NULL;
  g_autoptr(TurnoutTemplate) saved = NULL;
  g_autoptr(GError) error = NULL;
  gboolean email = g_strcmp0 (channel, "email") == 0;

  if (g_strcmp0 (channel, "sms") != 0 && !email)
    return turnout_cli_usage_error (options, _("--channel is sms or email"));
  if (email && (subject == NULL || html_path == NULL || media != NULL))
    return turnout_cli_usage_error (options, _("usage: turnout-cli template create --name NAME "
                                               "--channel email --subject S --html FILE "
                                               "[--text FILE] [--preheader P]"));
  if (!email && (text == NULL || subject != NULL || html_path != NULL || preheader != NULL))
    return turnout_cli_usage_error (options, _("usage: turnout-cli template create --name NAME "
                                               "--channel sms --text TEXT [--media URL]…"));

  template = turnout_template_new (channel);
  turnout_template_set_name (template, name);
  if (email)
    {
      g_autofree char *html = read_file (html_path, &error);
      g_autofree char *plain = NULL;

      if (html == NULL)
        return turnout_cli_fail (options, error, EXIT_USAGE);
      if (text != NULL && (plain = read_file (text, &error)) == NULL)
        return turnout_cli_fail (options, error, EXIT_USAGE);
      turnout_template_set_subject (template, subject);
      turnout_template_set_preheader (template, preheader);
      turnout_template_set_body_html (template, html);
      turnout_template_set_body_text (template, plain);
    }
  else
    {
      turnout_template_set_body_text (template, text);
      turnout_template_set_media_urls (template, (const char * const *) media);
    }
  saved = turnout_templates_save (store, template, &error);
  if (saved == NULL)
    return turnout_cli_fail (options, error,
                             g_error_matches (error, TURNOUT_TEMPLATE_ERROR,
                                              TURNOUT_TEMPLATE_ERROR_INVALID)
                             ? EXIT_USAGE : EXIT_FAILED);
  warn_mistakes (saved);
  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, turnout_template_get_id (saved));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else
    g_print (_("Template “%s” saved (id %" PRId64 ")\n"),
             turnout_template_get_name (saved), turnout_template_get_id (saved));
  return EXIT_OK;
}

/* A setting's value as the store keeps it, else its default. */
static char *
dup_setting (TurnoutStore *store,
             const char   *key)
{
  g_autoptr(TurnoutSettings) settings = turnout_settings_new (store, NULL);

  if (settings == NULL)
    return g_strdup (turnout_setting_spec_lookup (key)->default_value);
  return turnout_settings_dup_string (settings, key);
}

static char *
dup_email_unsubscribe (TurnoutStore *store)
{
  g_autofree char *url = dup_setting (store, "email.unsubscribe_url");
  g_autofree char *mailto = dup_setting (store, "email.unsubscribe_mailto");

  return turnout_email_unsubscribe_text (url, mailto);
}

typedef struct
{
  gint64            contact_id;
  gint64            event_id;
  TurnoutRecipient *recipient;
  GError           *error;
} LoadWait;

static void
on_recipient_loaded_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  LoadWait *wait = user_data;

  wait->recipient = turnout_recipient_load_finish (TURNOUT_STORE (object), result, &wait->error);
  if (wait->recipient == NULL && wait->error == NULL)
    wait->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "no recipient");
}

static int
render_template (CliOptions   *options,
                 TurnoutStore *store,
                 const char   *name,
                 gint64        contact_id,
                 gint64        event_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTemplate) template = turnout_templates_get (store, name, &error);
  g_autoptr(TurnoutTemplateRenderer) renderer = NULL;
  g_autoptr(TurnoutRecipient) recipient = NULL;
  g_autoptr(TurnoutRendered) rendered = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *unsubscribe = NULL;
  TurnoutMergeValues values = { 0 };
  LoadWait wait = { contact_id, event_id, NULL, NULL };

  if (template == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if ((renderer = turnout_template_renderer_new (template, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  /* The worker's answer comes back through the main context. */
  turnout_recipient_load_async (store, contact_id, event_id, NULL, on_recipient_loaded_cb, &wait);
  while (wait.recipient == NULL && wait.error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (wait.recipient == NULL)
    {
      error = wait.error;
      return turnout_cli_fail (options, error, EXIT_FAILED);
    }
  recipient = wait.recipient;

  sender = dup_setting (store, "general.sender_name");
  unsubscribe = turnout_template_is_email (template) ? dup_email_unsubscribe (store)
                                                     : turnout_sms_unsubscribe_text ();
  turnout_recipient_get_values (recipient, &values);
  values.sender_name = sender;
  values.unsubscribe = unsubscribe;
  rendered = turnout_template_renderer_render (renderer, &values);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      if (turnout_template_is_email (template))
        {
          json_builder_set_member_name (builder, "subject");
          json_builder_add_string_value (builder, rendered->subject);
          json_builder_set_member_name (builder, "preheader");
          json_builder_add_string_value (builder, rendered->preheader);
        }
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, rendered->text);
      if (turnout_template_is_email (template))
        {
          json_builder_set_member_name (builder, "html");
          json_builder_add_string_value (builder, rendered->html);
        }
      else
        {
          g_autoptr(TurnoutSmsInfo) info = turnout_sms_info_new (rendered->text);

          json_builder_set_member_name (builder, "encoding");
          json_builder_add_string_value (builder, turnout_sms_encoding_to_string (info->encoding));
          json_builder_set_member_name (builder, "segments");
          json_builder_add_int_value (builder, info->segments);
        }
      json_builder_set_member_name (builder, "blank_fields");
      json_builder_begin_array (builder);
      for (guint i = 0; i < rendered->blank_fields->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (rendered->blank_fields, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
      return EXIT_OK;
    }
  if (turnout_template_is_email (template))
    /* TRANSLATORS: the first line of a rendered email, then its text. */
    g_print (_("Subject: %s\n\n%s\n"), rendered->subject, rendered->text);
  else
    g_print ("%s\n", rendered->text);
  for (guint i = 0; i < rendered->blank_fields->len; i++)
    g_printerr (_("turnout-cli: warning: {%s} is blank for this contact; add a fallback such as "
                  "{%s|…}\n"), (char *) g_ptr_array_index (rendered->blank_fields, i),
                (char *) g_ptr_array_index (rendered->blank_fields, i));
  return EXIT_OK;
}

/**
 * turnout_cli_find_segment:
 *
 * Returns: (transfer full): the saved segment called @name, else the
 *   ready-made one whose id @name is, or %NULL with @error set.
 */
TurnoutSegment *
turnout_cli_find_segment (TurnoutStore  *store,
                          const char    *name,
                          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  TurnoutSegment *segment = turnout_segments_get (store, name, &local_error);

  if (segment != NULL)
    return segment;
  if (!g_error_matches (local_error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_NOT_FOUND)
      || !g_strv_contains (turnout_segment_list_presets (), name))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return turnout_segment_new_preset (name, -1, error);
}

static void
print_counts (const char *title,
              GHashTable *table)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (table), (GCompareFunc) g_strcmp0);

  if (keys == NULL)
    return;
  g_print ("%s\n", title);
  for (GList *l = keys; l != NULL; l = l->next)
    g_print ("  %s\t%" G_GSIZE_FORMAT "\n", (char *) l->data,
             GPOINTER_TO_SIZE (g_hash_table_lookup (table, l->data)));
}

static int
check_template (CliOptions   *options,
                TurnoutStore *store,
                const char   *name,
                const char   *segment_name,
                gint64        event_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTemplate) template = turnout_templates_get (store, name, &error);
  g_autoptr(TurnoutSegment) segment = NULL;
  g_autoptr(TurnoutPreflightReport) report = NULL;

  if (template == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if ((segment = turnout_cli_find_segment (store, segment_name, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  report = turnout_preflight_run (store, template, segment, event_id, NULL, &error);
  if (report == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  if (options->json)
    {
      g_autofree char *json = turnout_preflight_report_to_json (report);

      g_print ("%s\n", json);
      return EXIT_OK;
    }
  g_print (_("Contacts in the segment: %" PRId64 "\n"), report->recipients);
  g_print (_("Would get the message: %" PRId64 "\n"), report->sendable);
  for (int i = TURNOUT_EXCLUSION_NO_ADDRESS; i <= TURNOUT_EXCLUSION_SUPPRESSED; i++)
    if (report->excluded[i] > 0)
      /* TRANSLATORS: "Left out, opted out: 12". */
      g_print (_("Left out, %s: %" PRId64 "\n"), turnout_exclusion_describe (i),
               report->excluded[i]);
  if (report->over_cap > 0)
    {
      g_autofree char *cap = turnout_preflight_report_describe_cap (report);

      /* TRANSLATORS: "Left out, over the frequency cap (at most 3 messages
       * to one person in 7 days): 12". */
      g_print (_("Left out, over the frequency cap (%s): %" PRId64 "\n"), cap,
               report->over_cap);
    }
  if (report->quiet_hours > 0)
    {
      g_autofree char *quiet = turnout_preflight_report_describe_quiet_hours (report);

      /* TRANSLATORS: "Waits for quiet hours (21:00–08:00) to end: 40". */
      g_print (_("Waits for quiet hours (%s) to end: %" PRId64 "\n"), quiet,
               report->quiet_hours);
    }
  g_print (_("With a blank field: %" PRId64 "\n"), report->with_blanks);
  print_counts (_("Blank fields:"), report->blank_fields);
  for (guint i = 0; i < report->blank_examples->len; i++)
    g_print ("  %s\n", (char *) g_ptr_array_index (report->blank_examples, i));
  if (!turnout_template_is_email (template))
    {
      if (report->mms > 0)
        g_print (_("MMS messages: %" PRId64 "\n"), report->mms);
      else
        {
          g_print (_("Segments in all: %" PRId64 "\n"), report->total_segments);
          g_print (_("Most segments in one message: %u\n"), report->max_segments);
          g_print (_("Sent as UCS-2: %" PRId64 "\n"), report->ucs2_recipients);
          print_counts (_("Characters that forced UCS-2:"), report->ucs2_characters);
        }
      g_print (_("Estimated cost: $%.2f\n"), report->cost);
    }
  return EXIT_OK;
}

int
turnout_cli_template_command (CliOptions  *options,
                              int          argc,
                              char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (_("list | create | render | check"));
  g_autoptr(TurnoutStore) store = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  g_auto(GStrv) media = NULL;
  g_autofree char *name = NULL;
  g_autofree char *template_name = NULL;
  g_autofree char *channel = NULL;
  g_autofree char *text = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *preheader = NULL;
  g_autofree char *html = NULL;
  g_autofree char *segment = NULL;
  gint64 contact_id = 0, event_id = 0;
  const char *verb;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_FILENAME, &name, N_("The new template’s name"), N_("NAME") },
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("sms or email"), N_("CHANNEL") },
    { "text", 0, 0, G_OPTION_ARG_FILENAME, &text,
      N_("SMS: the message; email: a file with the plain-text part"), N_("TEXT") },
    { "media", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &media,
      N_("An https address of a picture for an MMS (up to 10)"), N_("URL") },
    { "subject", 0, 0, G_OPTION_ARG_FILENAME, &subject, N_("The email’s subject"), N_("TEXT") },
    { "preheader", 0, 0, G_OPTION_ARG_FILENAME, &preheader,
      N_("The line inboxes show after the subject"), N_("TEXT") },
    { "html", 0, 0, G_OPTION_ARG_FILENAME, &html, N_("A file with the email’s HTML"), N_("FILE") },
    { "template", 0, 0, G_OPTION_ARG_FILENAME, &template_name, N_("A template’s name"),
      N_("NAME") },
    { "contact", 0, 0, G_OPTION_ARG_INT64, &contact_id, N_("The contact to render for"),
      N_("ID") },
    { "event", 0, 0, G_OPTION_ARG_INT64, &event_id,
      N_("The event of the message (default: each contact’s next event)"), N_("ID") },
    { "segment", 0, 0, G_OPTION_ARG_FILENAME, &segment,
      N_("A saved segment, or a ready-made one: recent, upcoming, first-time, repeat, lapsed, "
         "cancelled, all"), N_("NAME") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse_strv (context, &args, &error))
    return turnout_cli_fail (options, error, EXIT_USAGE);
  /* Read as bytes and checked here: GLib would refuse any non-ASCII
   * argument under LANG=C, and a promoter's text is rarely ASCII. */
  {
    const char *texts[] = { name, text, subject, preheader, template_name, segment };

    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      if (texts[i] != NULL && !g_utf8_validate (texts[i], -1, NULL))
        return turnout_cli_usage_error (options, _("“%s” is not UTF-8 text"), texts[i]);
    for (guint i = 0; media != NULL && media[i] != NULL; i++)
      if (!g_utf8_validate (media[i], -1, NULL))
        return turnout_cli_usage_error (options, _("“%s” is not UTF-8 text"), media[i]);
  }
  verb = g_strv_length (args) == 2 ? args[1] : "";
  if (event_id < 0 || contact_id < 0)
    return turnout_cli_usage_error (options, _("--contact and --event take a positive number"));

  if (g_str_equal (verb, "list"))
    {
      if ((store = turnout_cli_open_store (options, &error)) == NULL)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      return list_templates (options, store);
    }
  if (g_str_equal (verb, "create"))
    {
      if (name == NULL || channel == NULL)
        return turnout_cli_usage_error (options, _("usage: turnout-cli template create --name NAME "
                                                   "--channel sms|email …"));
      if ((store = turnout_cli_open_store (options, &error)) == NULL)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      return create_template (options, store, name, channel, text, subject, preheader, html,
                              media);
    }
  if (g_str_equal (verb, "render"))
    {
      if (template_name == NULL || contact_id == 0)
        return turnout_cli_usage_error (options, _("usage: turnout-cli template render --template "
                                                   "NAME --contact ID [--event ID]"));
      if ((store = turnout_cli_open_store (options, &error)) == NULL)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      return render_template (options, store, template_name, contact_id, event_id);
    }
  if (g_str_equal (verb, "check"))
    {
      if (template_name == NULL || segment == NULL)
        return turnout_cli_usage_error (options, _("usage: turnout-cli template check --template "
                                                   "NAME --segment NAME [--event ID]"));
      if ((store = turnout_cli_open_store (options, &error)) == NULL)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      return check_template (options, store, template_name, segment, event_id);
    }
  return turnout_cli_usage_error (options, _("usage: turnout-cli template list | create | render | "
                                             "check; “turnout-cli template --help” lists the "
                                             "options"));
}
