/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-cli"

#include "config.h"

#include <inttypes.h>

#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "turnout-campaigns.h"
#include "turnout-clock.h"
#include "turnout-contacts.h"
#include "turnout-csv.h"
#include "turnout-import.h"
#include "turnout-merge.h"
#include "turnout-segments.h"
#include "turnout-settings.h"
#include "turnout-sms.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-cli.h"
#include "turnout-cli-private.h"

/*
 * turnout-cli: the core without GTK, for power users, cron, tests and
 * benchmarks. Global options come before the command. Exit status: 0 on
 * success, 1 when the command failed, 2 when it was called wrongly.
 * With --json every command prints one JSON object on standard output,
 * errors included ({"ok": false, "error": {...}}).
 */


typedef struct
{
  const char  *name;
  CommandFunc  func;
  const char  *usage;
  const char  *summary;
} Command;

void
turnout_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static const char *
error_code_name (const GError *error)
{
  if (error->domain == TURNOUT_STORE_ERROR)
    {
      switch ((TurnoutStoreError) error->code)
        {
        case TURNOUT_STORE_ERROR_NOT_TURNOUT: return "not-turnout";
        case TURNOUT_STORE_ERROR_CORRUPT: return "corrupt";
        case TURNOUT_STORE_ERROR_TOO_NEW: return "too-new";
        case TURNOUT_STORE_ERROR_IO: return "io";
        case TURNOUT_STORE_ERROR_SQL: return "sql";
        case TURNOUT_STORE_ERROR_CONSTRAINT: return "constraint";
        case TURNOUT_STORE_ERROR_BUSY: return "busy";
        case TURNOUT_STORE_ERROR_MIGRATION: return "migration";
        default: break;
        }
    }
  if (error->domain == TURNOUT_SETTINGS_ERROR)
    return error->code == TURNOUT_SETTINGS_ERROR_UNKNOWN_KEY ? "unknown-key" : "invalid-value";
  if (error->domain == TURNOUT_CONTACTS_ERROR)
    return "not-found";
  if (error->domain == TURNOUT_IMPORT_ERROR || error->domain == TURNOUT_CSV_ERROR)
    return "bad-file";
  if (error->domain == TURNOUT_SEGMENT_ERROR)
    return error->code == TURNOUT_SEGMENT_ERROR_CYCLE ? "cycle"
           : error->code == TURNOUT_SEGMENT_ERROR_NOT_FOUND ? "not-found" : "bad-rules";
  if (error->domain == TURNOUT_TEMPLATE_ERROR)
    return error->code == TURNOUT_TEMPLATE_ERROR_NOT_FOUND ? "not-found"
           : error->code == TURNOUT_TEMPLATE_ERROR_EXISTS ? "exists"
           : error->code == TURNOUT_TEMPLATE_ERROR_IN_USE ? "in-use" : "invalid";
  if (error->domain == TURNOUT_MERGE_ERROR)
    return "merge-field";
  if (error->domain == TURNOUT_CAMPAIGN_ERROR)
    return error->code == TURNOUT_CAMPAIGN_ERROR_NOT_FOUND ? "not-found"
           : error->code == TURNOUT_CAMPAIGN_ERROR_STATE ? "state" : "invalid";
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return "no-such-file";
  return "failed";
}

int
turnout_cli_fail (CliOptions   *options,
      const GError *error,
      int           status)
{
  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, error_code_name (error));
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, error->message);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  g_printerr ("turnout-cli: %s\n", error->message);
  return status;
}

int
turnout_cli_usage_error (CliOptions *options,
             const char *format,
             ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_FAILED, format, args);
  va_end (args);
  return turnout_cli_fail (options, error, EXIT_USAGE);
}

TurnoutStore *
turnout_cli_open_store (CliOptions  *options,
            GError     **error)
{
  return turnout_store_open (options->db_path, error);
}

static int
doctor_command (CliOptions  *options,
                int          argc,
                char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(GArray) counts = NULL;
  g_autofree char *integrity = NULL;
  g_autofree char *wal = NULL;
  GStatBuf st;
  gint64 size = 0;
  gboolean healthy;

  if (argc > 1)
    return turnout_cli_usage_error (options, _("“doctor” takes no arguments"));

  store = turnout_cli_open_store (options, &error);
  if (store == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  if ((counts = turnout_store_count_rows (store, NULL, &error)) == NULL ||
      (integrity = turnout_store_check_integrity (store, NULL, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  if (g_stat (turnout_store_get_path (store), &st) == 0)
    size += st.st_size;
  wal = g_strconcat (turnout_store_get_path (store), "-wal", NULL);
  if (g_stat (wal, &st) == 0)
    size += st.st_size;
  healthy = g_strcmp0 (integrity, "ok") == 0;

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, healthy);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, turnout_store_get_path (store));
      json_builder_set_member_name (builder, "schema_version");
      json_builder_add_int_value (builder, turnout_store_get_schema_version (store));
      json_builder_set_member_name (builder, "latest_schema_version");
      json_builder_add_int_value (builder, turnout_store_latest_version ());
      json_builder_set_member_name (builder, "integrity");
      json_builder_add_string_value (builder, integrity);
      json_builder_set_member_name (builder, "size_bytes");
      json_builder_add_int_value (builder, size);
      if (turnout_store_get_backup_path (store) != NULL)
        {
          json_builder_set_member_name (builder, "backup_before_upgrade");
          json_builder_add_string_value (builder, turnout_store_get_backup_path (store));
        }
      json_builder_set_member_name (builder, "tables");
      json_builder_begin_object (builder);
      for (guint i = 0; i < counts->len; i++)
        {
          const TurnoutTableCount *count = &g_array_index (counts, TurnoutTableCount, i);

          json_builder_set_member_name (builder, count->table);
          json_builder_add_int_value (builder, count->rows);
        }
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else
    {
      g_autofree char *size_text = g_format_size (size);

      g_print (_("Database: %s\n"), turnout_store_get_path (store));
      g_print (_("Schema version: %d (this Turnout: %d)\n"),
               turnout_store_get_schema_version (store), turnout_store_latest_version ());
      if (turnout_store_get_backup_path (store) != NULL)
        g_print (_("Upgraded; the file as it was is kept in %s\n"),
                 turnout_store_get_backup_path (store));
      g_print (_("Size: %s\n"), size_text);
      g_print (_("Integrity: %s\n"), integrity);
      g_print (_("Rows:\n"));
      for (guint i = 0; i < counts->len; i++)
        {
          const TurnoutTableCount *count = &g_array_index (counts, TurnoutTableCount, i);

          g_print ("  %-18s %" PRId64 "\n", count->table, count->rows);
        }
    }

  if (!healthy)
    {
      g_printerr (_("turnout-cli: the database is damaged; restore it from a backup\n"));
      return EXIT_FAILED;
    }
  return EXIT_OK;
}

static void
add_setting_json (JsonBuilder              *builder,
                  TurnoutSettings          *settings,
                  const TurnoutSettingSpec *spec,
                  gboolean                  verbose)
{
  g_autofree char *value = turnout_settings_dup_string (settings, spec->key);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, spec->key);
  json_builder_set_member_name (builder, "value");
  json_builder_add_string_value (builder, value);
  json_builder_set_member_name (builder, "default");
  json_builder_add_string_value (builder, spec->default_value);
  json_builder_set_member_name (builder, "is_default");
  json_builder_add_boolean_value (builder, !turnout_settings_is_set (settings, spec->key));
  if (verbose)
    {
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, _(spec->title));
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, _(spec->description));
    }
  json_builder_end_object (builder);
}

static int
print_setting (CliOptions               *options,
               TurnoutSettings          *settings,
               const TurnoutSettingSpec *spec)
{
  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      add_setting_json (builder, settings, spec, FALSE);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else
    {
      g_autofree char *value = turnout_settings_dup_string (settings, spec->key);
      g_print ("%s\n", value);
    }
  return EXIT_OK;
}

static int
config_command (CliOptions  *options,
                int          argc,
                char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutSettings) settings = NULL;
  const TurnoutSettingSpec *spec = NULL;
  const char *verb = argc > 1 ? argv[1] : NULL;
  int wanted;

  if (g_strcmp0 (verb, "list") == 0)
    wanted = 2;
  else if (g_strcmp0 (verb, "get") == 0 || g_strcmp0 (verb, "unset") == 0)
    wanted = 3;
  else if (g_strcmp0 (verb, "set") == 0)
    wanted = 4;
  else
    return turnout_cli_usage_error (options, _("“config” needs one of: list, get KEY, set KEY VALUE, unset KEY"));
  if (argc != wanted)
    return turnout_cli_usage_error (options, _("wrong number of arguments; usage: turnout-cli config %s"),
                        wanted == 2 ? "list" : wanted == 3 ? "get|unset KEY" : "set KEY VALUE");

  /* An unknown key is a mistake of the caller's: say so before opening. */
  if (wanted > 2 && (spec = turnout_setting_spec_lookup (argv[2])) == NULL)
    {
      g_set_error (&error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_UNKNOWN_KEY,
                   _("There is no setting “%s”; “turnout-cli config list” shows them all"),
                   argv[2]);
      return turnout_cli_fail (options, error, EXIT_USAGE);
    }

  if ((store = turnout_cli_open_store (options, &error)) == NULL ||
      (settings = turnout_settings_new (store, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  if (wanted == 2)
    {
      guint n;
      const TurnoutSettingSpec *specs = turnout_setting_specs (&n);

      if (options->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "ok");
          json_builder_add_boolean_value (builder, TRUE);
          json_builder_set_member_name (builder, "settings");
          json_builder_begin_array (builder);
          for (guint i = 0; i < n; i++)
            add_setting_json (builder, settings, &specs[i], TRUE);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
          root = json_builder_get_root (builder);
          turnout_cli_print_json (root);
        }
      else
        for (guint i = 0; i < n; i++)
          {
            g_autofree char *value = turnout_settings_dup_string (settings, specs[i].key);
            g_autofree char *escaped = g_strescape (value, "");
            g_autofree char *shown = *value == '\0' ? g_strdup ("\"\"") : g_steal_pointer (&escaped);

            g_print ("%-30s %s%s\n", specs[i].key, shown,
                     turnout_settings_is_set (settings, specs[i].key) ? "" : _("  (default)"));
          }
      return EXIT_OK;
    }

  if (g_strcmp0 (verb, "set") == 0 || g_strcmp0 (verb, "unset") == 0)
    {
      const char *value = wanted == 4 ? argv[3] : NULL;

      if (!turnout_settings_set (settings, spec->key, value, &error))
        return turnout_cli_fail (options, error,
                     g_error_matches (error, TURNOUT_SETTINGS_ERROR,
                                      TURNOUT_SETTINGS_ERROR_INVALID_VALUE)
                       ? EXIT_USAGE : EXIT_FAILED);
    }

  return print_setting (options, settings, spec);
}


static void
on_import_progress (guint64  done,
                    guint64  total,
                    guint    rows,
                    gpointer user_data)
{
  CliOptions *options = user_data;

  if (!options->json && isatty (STDERR_FILENO) && total > 0)
    g_printerr ("\r%3d%%  %u rows", (int) (done * 100 / total), rows);
}

static int
import_command (CliOptions  *options,
                int          argc,
                char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (_("contacts|registrations FILE"));
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutImportOptions) import_options = NULL;
  g_autoptr(TurnoutImportResult) result = NULL;
  g_autoptr(GFile) file = NULL;
  g_auto(GStrv) maps = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  g_autofree char *region = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *errors_csv = NULL;
  TurnoutImportKind kind;
  const GOptionEntry entries[] = {
    { "region", 0, 0, G_OPTION_ARG_STRING, &region,
      N_("The country of phone numbers written without a country code (default: the "
         "contacts.default_region setting)"), N_("CC") },
    { "map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &maps,
      N_("Read the column HEADER as FIELD (first_name, phone, email, ignore…); repeatable"),
      N_("HEADER=FIELD") },
    { "time-zone", 0, 0, G_OPTION_ARG_STRING, &zone,
      N_("The zone of times written without one"), N_("ZONE") },
    { "errors-csv", 0, 0, G_OPTION_ARG_FILENAME, &errors_csv,
      N_("Write the rows that had problems to this CSV file"), N_("FILE") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse_strv (context, &args, &error))
    return turnout_cli_fail (options, error, EXIT_USAGE);
  if (g_strv_length (args) != 3)
    return turnout_cli_usage_error (options, _("usage: turnout-cli import contacts|registrations FILE "
                                   "[--region CC] [--map HEADER=FIELD]…"));
  if (g_str_equal (args[1], "contacts"))
    kind = TURNOUT_IMPORT_CONTACTS;
  else if (g_str_equal (args[1], "registrations"))
    kind = TURNOUT_IMPORT_REGISTRATIONS;
  else
    return turnout_cli_usage_error (options, _("import what? “%s” is neither contacts nor registrations"),
                        args[1]);

  import_options = turnout_import_options_new (kind);
  if (region != NULL)
    {
      g_autofree char *normalized = turnout_setting_normalize ("contacts.default_region", region,
                                                               &error);
      if (normalized == NULL)
        {
          g_prefix_error (&error, "--region: ");
          return turnout_cli_fail (options, error, EXIT_USAGE);
        }
      turnout_import_options_set_region (import_options, normalized);
    }
  if (zone != NULL)
    {
      g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);

      if (tz == NULL)
        return turnout_cli_usage_error (options, _("--time-zone: “%s” is not a time zone such as "
                                       "Europe/Berlin"), zone);
      turnout_import_options_set_time_zone (import_options, zone);
    }
  for (guint i = 0; maps != NULL && maps[i] != NULL; i++)
    {
      const char *equals = strrchr (maps[i], '=');
      g_autofree char *header = NULL;

      if (equals == NULL || equals == maps[i])
        return turnout_cli_usage_error (options, _("--map “%s”: write it as HEADER=FIELD, such as "
                                       "\"Cell Phone=phone\""), maps[i]);
      header = g_strndup (maps[i], equals - maps[i]);
      if (!turnout_import_options_map (import_options, g_strstrip (header), equals + 1, &error))
        {
          g_prefix_error (&error, "--map %s: ", maps[i]);
          return turnout_cli_fail (options, error, EXIT_USAGE);
        }
    }
  turnout_import_options_set_progress (import_options, on_import_progress, options);

  if ((store = turnout_cli_open_store (options, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  file = g_file_new_for_commandline_arg (args[2]);
  if (kind == TURNOUT_IMPORT_CONTACTS && turnout_import_file_is_vcard (file, NULL))
    result = turnout_import_vcard (store, file, import_options, NULL, &error);
  else
    result = turnout_import_csv (store, file, import_options, NULL, &error);
  if (!options->json && isatty (STDERR_FILENO))
    g_printerr ("\r\033[K");
  if (result == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  if (errors_csv != NULL)
    {
      g_autoptr(GFile) errors_file = g_file_new_for_path (errors_csv);

      if (!turnout_import_result_write_issues_csv (result, errors_file, NULL, &error))
        return turnout_cli_fail (options, error, EXIT_FAILED);
    }

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "created");
      json_builder_add_int_value (builder, result->created);
      json_builder_set_member_name (builder, "merged");
      json_builder_add_int_value (builder, result->merged);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, result->skipped);
      if (kind == TURNOUT_IMPORT_REGISTRATIONS)
        {
          json_builder_set_member_name (builder, "registrations");
          json_builder_add_int_value (builder, result->registrations);
          json_builder_set_member_name (builder, "events_created");
          json_builder_add_int_value (builder, result->events_created);
        }
      if (result->warning != NULL)
        {
          json_builder_set_member_name (builder, "warning");
          json_builder_add_string_value (builder, result->warning);
        }
      json_builder_set_member_name (builder, "error_count");
      json_builder_add_int_value (builder, result->n_issues);
      json_builder_set_member_name (builder, "errors");
      json_builder_begin_array (builder);
      for (guint i = 0; i < result->issues->len; i++)
        {
          TurnoutImportIssue *issue = g_ptr_array_index (result->issues, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "row");
          json_builder_add_int_value (builder, issue->row);
          json_builder_set_member_name (builder, "column");
          if (issue->column != NULL)
            json_builder_add_string_value (builder, issue->column);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "reason");
          json_builder_add_string_value (builder, issue->reason);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
      return EXIT_OK;
    }

  if (result->warning != NULL)
    g_printerr (_("Warning: %s\n"), result->warning);
  g_print (_("%u created, %u merged, %u skipped\n"), result->created, result->merged,
           result->skipped);
  if (kind == TURNOUT_IMPORT_REGISTRATIONS)
    g_print (_("%u registrations, %u new events\n"), result->registrations,
             result->events_created);
  for (guint i = 0; i < result->issues->len && i < 20; i++)
    {
      TurnoutImportIssue *issue = g_ptr_array_index (result->issues, i);

      if (issue->column != NULL)
        g_print (_("Row %u, %s: %s\n"), issue->row, issue->column, issue->reason);
      else
        g_print (_("Row %u: %s\n"), issue->row, issue->reason);
    }
  if (result->n_issues > 20)
    g_print (_("… and %u more problems%s\n"), result->n_issues - 20,
             errors_csv == NULL ? _(" (--errors-csv FILE lists them all)") : "");
  return EXIT_OK;
}

static int
export_command (CliOptions  *options,
                int          argc,
                char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) output = NULL;
  gint64 written;

  gboolean contacts = argc == 3 && g_str_equal (argv[1], "contacts");

  if (argc != 3 || (!contacts && !g_str_equal (argv[1], "registrations")))
    return turnout_cli_usage_error (options, _("usage: turnout-cli export contacts|registrations FILE"));

  if ((store = turnout_cli_open_store (options, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  file = g_file_new_for_commandline_arg (argv[2]);
  /* Written beside and renamed over on success: a failed export never
   * leaves half a file under the name asked for. */
  output = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, &error);
  if (output == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (contacts)
    written = turnout_contacts_export_csv (store, G_OUTPUT_STREAM (output), NULL, NULL, &error);
  else
    written = turnout_registrations_export_csv (store, G_OUTPUT_STREAM (output), 0, NULL, &error);
  if (written < 0)
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (output), abandon, NULL);
      return turnout_cli_fail (options, error, EXIT_FAILED);
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (output), NULL, &error))
    return turnout_cli_fail (options, error, EXIT_FAILED);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "exported");
      json_builder_add_int_value (builder, written);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else if (contacts)
    g_print (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " contact exported\n",
                          "%" PRId64 " contacts exported\n", written), written);
  else
    g_print (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " registration exported\n",
                          "%" PRId64 " registrations exported\n", written), written);
  return EXIT_OK;
}

gboolean
turnout_cli_parse_id (const char *text,
          gint64     *id)
{
  return g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, id, NULL);
}

static int
contacts_command (CliOptions  *options,
                  int          argc,
                  char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  const char *verb = argc > 1 ? argv[1] : "";
  gint64 id = 0;

  if (g_str_equal (verb, "count") ? argc != 2
      : (g_str_equal (verb, "show") || g_str_equal (verb, "erase")) ? argc != 3
      : TRUE)
    return turnout_cli_usage_error (options, _("usage: turnout-cli contacts count | show ID | erase ID"));
  if (argc == 3 && !turnout_cli_parse_id (argv[2], &id))
    return turnout_cli_usage_error (options, _("“%s” is not a contact id (a whole number)"), argv[2]);

  if ((store = turnout_cli_open_store (options, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  if (g_str_equal (verb, "count"))
    {
      gint64 count = turnout_contacts_count (store, NULL, &error);

      if (count < 0)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      if (options->json)
        g_print ("{\n  \"count\" : %" PRId64 "\n}\n", count);
      else
        g_print ("%" PRId64 "\n", count);
    }
  else if (g_str_equal (verb, "show"))
    {
      g_autofree char *json = turnout_contacts_dup_json (store, id, &error);

      if (json == NULL)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      g_print ("%s\n", json);
    }
  else
    {
      if (!turnout_contacts_erase (store, id, &error))
        return turnout_cli_fail (options, error, EXIT_FAILED);
      if (options->json)
        g_print ("{\n  \"erased\" : %" PRId64 "\n}\n", id);
      else
        g_print (_("Contact %" PRId64 " erased; their phone number and email address "
                   "are kept only as suppressions, so they are never messaged again\n"), id);
    }
  return EXIT_OK;
}

/* Reads the segment the options name: a saved one, a preset or a file. */
static TurnoutSegment *
load_segment (TurnoutStore  *store,
              const char    *name,
              const char    *preset,
              int            days,
              const char    *rules,
              GError       **error)
{
  g_autofree char *text = NULL;
  TurnoutSegment *segment;

  if (name != NULL)
    return turnout_segments_get (store, name, error);
  if (preset != NULL)
    return turnout_segment_new_preset (preset, days, error);
  if (!g_file_get_contents (rules, &text, NULL, error))
    return NULL;
  if ((segment = turnout_segment_new_from_json (text, error)) == NULL)
    g_prefix_error (error, "%s: ", rules);
  return segment;
}

static int
segment_command (CliOptions  *options,
                 int          argc,
                 char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (_("list | count | sample | save"));
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutSegment) segment = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  g_autofree char *name = NULL;
  g_autofree char *preset = NULL;
  g_autofree char *rules = NULL;
  const char *verb;
  int days = -1;
  int limit = 10;
  int n_sources;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("A saved segment"), N_("NAME") },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset,
      N_("A ready-made segment: recent, upcoming, first-time, repeat, lapsed, cancelled or all"),
      N_("PRESET") },
    { "days", 0, 0, G_OPTION_ARG_INT, &days,
      N_("The number of days of a ready-made segment (recent, upcoming, lapsed, cancelled)"),
      N_("N") },
    { "rules", 0, 0, G_OPTION_ARG_FILENAME, &rules,
      N_("A rule tree in a JSON file"), N_("FILE") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit,
      N_("How many contacts “sample” shows (default 10)"), N_("N") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse_strv (context, &args, &error))
    return turnout_cli_fail (options, error, EXIT_USAGE);

  verb = g_strv_length (args) == 2 ? args[1] : "";
  n_sources = (name != NULL) + (preset != NULL) + (rules != NULL);
  if (g_str_equal (verb, "list"))
    {
      if (n_sources != 0)
        return turnout_cli_usage_error (options, _("usage: turnout-cli segment list"));
    }
  else if (g_str_equal (verb, "count") || g_str_equal (verb, "sample"))
    {
      if (n_sources != 1)
        return turnout_cli_usage_error (options, _("usage: turnout-cli segment %s --name NAME | "
                                       "--preset PRESET [--days N] | --rules FILE.json"), verb);
    }
  else if (g_str_equal (verb, "save"))
    {
      if (name == NULL || rules == NULL || preset != NULL)
        return turnout_cli_usage_error (options, _("usage: turnout-cli segment save --name NAME "
                                       "--rules FILE.json"));
    }
  else
    return turnout_cli_usage_error (options, _("usage: turnout-cli segment list | count | sample | save; "
                                   "“turnout-cli segment --help” lists the options"));
  if (days != -1 && preset == NULL)
    return turnout_cli_usage_error (options, _("--days goes with --preset"));
  if (days < -1 || limit < 1)
    return turnout_cli_usage_error (options, _("--days and --limit take a positive number"));

  if ((store = turnout_cli_open_store (options, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  if (g_str_equal (verb, "list"))
    {
      g_auto(GStrv) names = turnout_segments_list (store, &error);

      if (names == NULL)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      if (options->json)
        {
          g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
          g_autoptr(JsonObject) object = json_object_new ();
          JsonArray *array = json_array_new ();

          for (guint i = 0; names[i] != NULL; i++)
            json_array_add_string_element (array, names[i]);
          json_object_set_array_member (object, "segments", array);
          json_node_set_object (root, object);
          turnout_cli_print_json (root);
        }
      else
        for (guint i = 0; names[i] != NULL; i++)
          g_print ("%s\n", names[i]);
      return EXIT_OK;
    }

  if (g_str_equal (verb, "save"))
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonObject) object = json_object_new ();

      if ((segment = load_segment (store, NULL, NULL, -1, rules, &error)) == NULL)
        return turnout_cli_fail (options, error,
                     g_error_matches (error, TURNOUT_SEGMENT_ERROR, TURNOUT_SEGMENT_ERROR_INVALID)
                     || error->domain == G_FILE_ERROR ? EXIT_USAGE : EXIT_FAILED);
      if (!turnout_segments_save (store, name, segment, &error))
        return turnout_cli_fail (options, error, EXIT_FAILED);
      if (options->json)
        {
          json_object_set_string_member (object, "saved", name);
          json_node_set_object (root, object);
          turnout_cli_print_json (root);
        }
      else
        g_print (_("Segment “%s” saved\n"), name);
      return EXIT_OK;
    }

  if ((segment = load_segment (store, name, preset, days, rules, &error)) == NULL)
    return turnout_cli_fail (options, error,
                 name != NULL && g_error_matches (error, TURNOUT_SEGMENT_ERROR,
                                                  TURNOUT_SEGMENT_ERROR_NOT_FOUND)
                 ? EXIT_FAILED : EXIT_USAGE);

  if (g_str_equal (verb, "count"))
    {
      gint64 count = turnout_segments_count (store, segment, NULL, &error);

      if (count < 0)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      if (options->json)
        g_print ("{\n  \"count\" : %" PRId64 "\n}\n", count);
      else
        g_print ("%" PRId64 "\n", count);
    }
  else
    {
      g_autoptr(GArray) ids = turnout_segments_sample (store, segment, limit, NULL, &error);

      if (ids == NULL)
        return turnout_cli_fail (options, error, EXIT_FAILED);
      if (options->json)
        {
          g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
          g_autoptr(JsonObject) object = json_object_new ();
          JsonArray *array = json_array_new ();

          for (guint i = 0; i < ids->len; i++)
            json_array_add_int_element (array, g_array_index (ids, gint64, i));
          json_object_set_array_member (object, "contact_ids", array);
          json_node_set_object (root, object);
          turnout_cli_print_json (root);
        }
      else
        for (guint i = 0; i < ids->len; i++)
          g_print ("%" PRId64 "\n", g_array_index (ids, gint64, i));
    }
  return EXIT_OK;
}

/* Whether a character shows nothing readable on its own in a terminal
 * (spaces, joiners, combining marks): those are listed by code point only. */
static gboolean
is_invisible (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_SPACE_SEPARATOR:
    case G_UNICODE_FORMAT:
    case G_UNICODE_CONTROL:
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
      return TRUE;
    default:
      return FALSE;
    }
}

static int
sms_command (CliOptions  *options,
             int          argc,
             char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (_("info --text TEXT"));
  g_autoptr(TurnoutSmsInfo) info = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  g_autofree char *text = NULL;
  const GOptionEntry entries[] = {
    /* FILENAME, not STRING: a STRING option is converted from the locale's
     * character set, which fails on any non-ASCII text under LANG=C; the
     * bytes are taken as they are and checked as UTF-8 below. */
    { "text", 0, 0, G_OPTION_ARG_FILENAME, &text, N_("The message body"), N_("TEXT") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse_strv (context, &args, &error))
    return turnout_cli_fail (options, error, EXIT_USAGE);
  if (g_strv_length (args) != 2 || !g_str_equal (args[1], "info") || text == NULL)
    return turnout_cli_usage_error (options, _("usage: turnout-cli sms info --text TEXT"));
  if (!g_utf8_validate (text, -1, NULL))
    return turnout_cli_usage_error (options, _("--text is not valid UTF-8"));

  info = turnout_sms_info_new (text);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "encoding");
      json_builder_add_string_value (builder, turnout_sms_encoding_to_string (info->encoding));
      json_builder_set_member_name (builder, "characters");
      json_builder_add_int_value (builder, info->characters);
      json_builder_set_member_name (builder, "segments");
      json_builder_add_int_value (builder, info->segments);
      json_builder_set_member_name (builder, "ucs2_characters");
      json_builder_begin_array (builder);
      for (guint i = 0; i < info->ucs2_characters->len; i++)
        {
          TurnoutSmsCharacter *found = &g_array_index (info->ucs2_characters,
                                                       TurnoutSmsCharacter, i);
          char utf8[8] = { 0 };
          g_autofree char *code_point = g_strdup_printf ("U+%04X", found->character);

          g_unichar_to_utf8 (found->character, utf8);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "character");
          json_builder_add_string_value (builder, utf8);
          json_builder_set_member_name (builder, "code_point");
          json_builder_add_string_value (builder, code_point);
          json_builder_set_member_name (builder, "position");
          json_builder_add_int_value (builder, found->position);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else
    {
      g_print (_("Encoding: %s\n"), turnout_sms_encoding_to_string (info->encoding));
      g_print (_("Characters: %u\n"), info->characters);
      g_print (info->encoding == TURNOUT_SMS_ENCODING_GSM7 ? _("Septets: %u\n")
                                                           : _("UTF-16 units: %u\n"),
               info->units);
      g_print (_("Segments: %u\n"), info->segments);
      if (info->too_long)
        g_print (_("Too long: Twilio refuses more than %u characters\n"),
                 TURNOUT_SMS_MAX_CHARACTERS);
      if (info->ucs2_characters->len > 0)
        g_print (_("Characters that need UCS-2 (position from 0):\n"));
      for (guint i = 0; i < info->ucs2_characters->len; i++)
        {
          TurnoutSmsCharacter *found = &g_array_index (info->ucs2_characters,
                                                       TurnoutSmsCharacter, i);
          char utf8[8] = { 0 };

          g_unichar_to_utf8 (found->character, utf8);
          if (is_invisible (found->character))
            g_print ("  %u  U+%04X\n", found->position, found->character);
          else
            g_print ("  %u  %s  U+%04X\n", found->position, utf8, found->character);
        }
    }
  return EXIT_OK;
}

static const Command commands[] = {
  { "doctor", doctor_command, "doctor",
    N_("Check the database: path, schema version, integrity and rows per table") },
  { "config", config_command, "config list | get KEY | set KEY VALUE | unset KEY",
    N_("Show or change the settings kept in the database") },
  { "import", import_command, "import contacts|registrations FILE [OPTION…]",
    N_("Import a CSV (or vCard) file; “import contacts --help” lists the options") },
  { "export", export_command, "export contacts|registrations FILE",
    N_("Write all contacts or registrations to a CSV file in Turnout’s own columns") },
  { "contacts", contacts_command, "contacts count | show ID | erase ID",
    N_("Count contacts, show everything about one (JSON), or erase one for good") },
  { "segment", segment_command, "segment list | count | sample | save [OPTION…]",
    N_("List or save segments; count a segment’s contacts or show some of their ids") },
  { "campaign", turnout_cli_campaign_command,
    "campaign create [OPTION…] | send ID [--wait] | status ID | pause ID | resume ID | cancel ID",
    N_("Create and send a campaign, show how far it is, or pause, resume or cancel it") },
  { "template", turnout_cli_template_command,
    "template list | create | render | check [OPTION…]",
    N_("List or create templates; render one for a contact, or check it against a segment") },
  { "sms", sms_command, "sms info --text TEXT",
    N_("Show how an SMS text is encoded and how many segments it costs") },
  { "send", turnout_cli_send_command,
    "send sms --to NUMBER --text TEXT [--media URL]… [--contact ID]",
    N_("Send one text now, once, unless the number is suppressed or the contact said no") },
  { "send", turnout_cli_send_command,
    "send email --to ADDRESS --template NAME [--contact ID]",
    N_("Send one email from a template now, once, unless the address is suppressed or the "
       "contact said no") },
  { "smtp", turnout_cli_smtp_command, "smtp test",
    N_("Test the mail server settings: connect, encrypt, sign in; says which step failed") },
  { "poll", turnout_cli_poll_command, "poll",
    N_("Ask Twilio once which texts arrived, and act on replies such as STOP and START") },
};

static char *
dup_commands_summary (void)
{
  GString *text = g_string_new (_("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "\n  %-52s %s", commands[i].usage, _(commands[i].summary));
  return g_string_free (text, FALSE);
}

/**
 * turnout_cli_run:
 *
 * Runs turnout-cli with @argv (not modified).
 *
 * Returns: the exit status.
 */
int
turnout_cli_run (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = dup_commands_summary ();
  g_auto(GStrv) args = g_new0 (char *, argc + 1);
  CliOptions options = { 0 };
  gboolean version = FALSE;
  int n_args;
  int status = EXIT_USAGE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &options.db_path,
      N_("The database file (default: $TURNOUT_DB, else turnout.db in your data folder)"),
      N_("PATH") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json,
      N_("Print machine-readable JSON"), NULL },
    { "now", 0, 0, G_OPTION_ARG_STRING, &options.now,
      N_("Act as if it were this moment (ISO 8601); the clock runs on from there"),
      N_("ISO8601") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  context = g_option_context_new (_("COMMAND [ARGUMENTS…]"));
  g_option_context_set_summary (context, _("Turnout without the window: check the database, "
                                           "change settings, and more."));
  g_option_context_set_description (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* Options end at the command: what follows belongs to it. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse_strv (context, &args, &error))
    {
      status = turnout_cli_fail (&options, error, EXIT_USAGE);
      goto out;
    }
  n_args = g_strv_length (args);

  if (version)
    {
      g_print ("turnout-cli %s\n", PACKAGE_VERSION);
      status = EXIT_OK;
      goto out;
    }

  if (options.now != NULL)
    {
      g_autoptr(GDateTime) start = turnout_parse_instant (options.now, &error);
      g_autoptr(TurnoutClock) clock = NULL;

      if (start == NULL)
        {
          g_prefix_error (&error, "--now: ");
          status = turnout_cli_fail (&options, error, EXIT_USAGE);
          goto out;
        }
      clock = turnout_clock_new_starting (start);
      turnout_clock_set_default (clock);
    }

  if (n_args < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      goto out;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (args[1], commands[i].name) == 0)
      {
        status = commands[i].func (&options, n_args - 1, args + 1);
        goto out;
      }

  status = turnout_cli_usage_error (&options, _("unknown command “%s”; “turnout-cli --help” lists them"),
                        args[1]);

out:
  turnout_clock_set_default (NULL);
  g_free (options.db_path);
  g_free (options.now);
  return status;
}
