/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-preflight"

#include "config.h"

#include <json-glib/json-glib.h>
#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-delivery.h"
#include "turnout-preflight.h"
#include "turnout-segments.h"
#include "turnout-settings.h"
#include "turnout-sms.h"
#include "turnout-store.h"

/*
 * The preflight renders the message of every contact in the segment, the
 * way the send will, and says before anything leaves: who gets nothing and
 * why, who would see a blank where a name should be, how many segments the
 * SMS take once merged (a long name can push a message into a second
 * segment), which characters forced the expensive UCS-2 encoding, and what
 * it will cost. It also applies, at the campaign's start, the two rules
 * the dispatcher applies at claim time, through the same helpers: who is
 * over the frequency cap (left out) and whose quiet hours the start falls
 * in (their message waits for the morning). Contacts are streamed from the segment's query and read
 * one by one, so a hundred thousand recipients take memory for one.
 */

void
turnout_preflight_report_free (TurnoutPreflightReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->blank_fields, g_hash_table_unref);
  g_clear_pointer (&report->blank_examples, g_ptr_array_unref);
  g_clear_pointer (&report->ucs2_characters, g_hash_table_unref);
  g_free (report->max_segments_example);
  g_free (report->example_name);
  g_free (report->example_text);
  g_free (report);
}

static TurnoutPreflightReport *
report_new (void)
{
  TurnoutPreflightReport *report = g_new0 (TurnoutPreflightReport, 1);

  report->blank_fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  report->blank_examples = g_ptr_array_new_with_free_func (g_free);
  report->ucs2_characters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  report->quiet_start = report->quiet_end = -1;
  report->cap_days = 1;
  return report;
}

static void
count_key (GHashTable *table,
           const char *key)
{
  gpointer value = g_hash_table_lookup (table, key);

  g_hash_table_replace (table, g_strdup (key),
                        GSIZE_TO_POINTER (GPOINTER_TO_SIZE (value) + 1));
}

static double
setting_double (sqlite3    *db,
                const char *key)
{
  g_autofree char *value = turnout_db_dup_setting (db, key);

  return g_ascii_strtod (value, NULL);
}

/* What {unsubscribe} says in an email, from the settings. */
static char *
dup_email_unsubscribe (sqlite3 *db)
{
  g_autofree char *url = turnout_db_dup_setting (db, "email.unsubscribe_url");
  g_autofree char *mailto = turnout_db_dup_setting (db, "email.unsubscribe_mailto");

  return turnout_email_unsubscribe_text (url, mailto);
}

typedef struct
{
  TurnoutPreflightReport  *report;
  TurnoutRecipientReader  *reader;
  TurnoutTemplateRenderer *renderer;
  const char              *channel;
  gboolean                 mms;
  char                    *sender_name;
  char                    *unsubscribe;
  gint                    *done;          /* atomic, for the progress */
  sqlite3_stmt            *recent;        /* the frequency cap's count */
  GHashTable              *zones;         /* the contact's zone id ("" for none) → GTimeZone */
  char                    *default_zone;
  GCancellable            *cancellable;
  GError                  *error;
} Run;

static void
note_blanks (Run              *run,
             TurnoutRecipient *recipient,
             GPtrArray        *blanks)
{
  TurnoutPreflightReport *report = run->report;

  if (blanks->len == 0)
    return;
  report->with_blanks++;
  for (guint i = 0; i < blanks->len; i++)
    count_key (report->blank_fields, g_ptr_array_index (blanks, i));
  if (report->blank_examples->len < TURNOUT_PREFLIGHT_EXAMPLES)
    {
      g_autofree char *name = turnout_recipient_dup_name (recipient);
      g_autoptr(GString) fields = g_string_new (NULL);

      for (guint i = 0; i < blanks->len; i++)
        g_string_append_printf (fields, "%s%s", i > 0 ? ", " : "",
                                (char *) g_ptr_array_index (blanks, i));
      /* TRANSLATORS: a recipient with blank fields: "Ana Ruiz (first_name, city)". */
      g_ptr_array_add (report->blank_examples, g_strdup_printf (_("%s (%s)"), name, fields->str));
    }
}

static void
note_sms (Run              *run,
          TurnoutRecipient *recipient,
          const char       *text)
{
  TurnoutPreflightReport *report = run->report;
  g_autoptr(TurnoutSmsInfo) info = turnout_sms_info_new (text);
  g_autoptr(GHashTable) seen = NULL;

  if (run->mms)
    {
      report->mms++;
      return;
    }
  report->total_segments += info->segments;
  if (info->segments > report->max_segments)
    {
      report->max_segments = info->segments;
      g_free (report->max_segments_example);
      report->max_segments_example = turnout_recipient_dup_name (recipient);
    }
  if (info->encoding != TURNOUT_SMS_ENCODING_UCS2)
    return;
  report->ucs2_recipients++;
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < info->ucs2_characters->len; i++)
    {
      TurnoutSmsCharacter *character = &g_array_index (info->ucs2_characters, TurnoutSmsCharacter, i);
      char utf8[8] = { 0 };

      g_unichar_to_utf8 (character->character, utf8);
      if (g_hash_table_add (seen, g_strdup (utf8)))
        count_key (report->ucs2_characters, utf8);
    }
}

/* The contact the "Send a Test" of the campaign dialog renders for: the
 * first who would get the message, else the first in the segment. */
static void
note_example (Run              *run,
              TurnoutRecipient *recipient,
              gboolean          sendable,
              TurnoutRendered  *rendered)
{
  TurnoutPreflightReport *report = run->report;
  g_autoptr(TurnoutRendered) own = NULL;

  if (report->example_text != NULL && (report->example_sendable || !sendable))
    return;
  if (rendered == NULL)
    {
      TurnoutMergeValues values = { 0 };

      turnout_recipient_get_values (recipient, &values);
      values.sender_name = run->sender_name;
      values.unsubscribe = run->unsubscribe;
      rendered = own = turnout_template_renderer_render (run->renderer, &values);
    }
  g_free (report->example_name);
  g_free (report->example_text);
  report->example_contact_id = recipient->contact_id;
  report->example_name = turnout_recipient_dup_name (recipient);
  report->example_text = g_strdup (rendered->text);
  report->example_sendable = sendable;
}

static gboolean
is_over_cap (Run    *run,
             gint64  contact_id)
{
  TurnoutPreflightReport *report = run->report;

  if (report->cap_messages == 0)
    return FALSE;
  return turnout_count_recent_messages (run->recent, contact_id,
                                        report->starts_at - (gint64) report->cap_days * 86400)
         >= report->cap_messages;
}

static gboolean
is_quiet (Run              *run,
          TurnoutRecipient *recipient)
{
  TurnoutPreflightReport *report = run->report;
  const char *key = recipient->time_zone != NULL ? recipient->time_zone : "";
  GTimeZone *zone;

  if (report->quiet_start < 0)
    return FALSE;
  /* Zones are few and parsing one is not cheap: each once per run. */
  if ((zone = g_hash_table_lookup (run->zones, key)) == NULL)
    {
      zone = turnout_recipient_time_zone (recipient->time_zone, run->default_zone);
      g_hash_table_insert (run->zones, g_strdup (key), zone);
    }
  return turnout_quiet_hours_end (report->quiet_start, report->quiet_end, zone,
                                  report->starts_at) > 0;
}

static gboolean
visit (gint64   contact_id,
       gpointer user_data)
{
  Run *run = user_data;
  TurnoutPreflightReport *report = run->report;
  g_autoptr(TurnoutRecipient) recipient = NULL;
  g_autoptr(TurnoutRendered) rendered = NULL;
  TurnoutMergeValues values = { 0 };
  TurnoutExclusion exclusion;

  if (g_cancellable_set_error_if_cancelled (run->cancellable, &run->error))
    return FALSE;
  g_atomic_int_inc (run->done);
  report->recipients++;
  recipient = turnout_recipient_reader_read (run->reader, contact_id, &run->error);
  if (recipient == NULL)
    return FALSE;
  exclusion = turnout_recipient_exclusion (recipient, run->channel);
  if (exclusion != TURNOUT_EXCLUSION_NONE)
    {
      report->excluded[exclusion]++;
      note_example (run, recipient, FALSE, NULL);
      return TRUE;
    }
  /* In the dispatcher's order: the cap skips the message; quiet hours
   * only delay it, so the contact still gets it and is counted sendable. */
  if (is_over_cap (run, contact_id))
    {
      report->over_cap++;
      note_example (run, recipient, FALSE, NULL);
      return TRUE;
    }
  report->sendable++;
  if (is_quiet (run, recipient))
    report->quiet_hours++;
  turnout_recipient_get_values (recipient, &values);
  values.sender_name = run->sender_name;
  values.unsubscribe = run->unsubscribe;
  rendered = turnout_template_renderer_render (run->renderer, &values);
  note_example (run, recipient, TRUE, rendered);
  note_blanks (run, recipient, rendered->blank_fields);
  if (g_str_equal (run->channel, "sms"))
    note_sms (run, recipient, rendered->text);
  return TRUE;
}

static TurnoutPreflightReport *
run_on_db (sqlite3          *db,
           TurnoutTemplate  *template,
           TurnoutSegment   *segment,
           gint64            event_id,
           gint64            now,
           gint64            starts_at,
           gint             *done,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autoptr(TurnoutPreflightReport) report = report_new ();
  g_autoptr(TurnoutTemplateRenderer) renderer = NULL;
  g_autoptr(TurnoutRecipientReader) reader = NULL;
  g_autoptr(TurnoutDbCached) recent = NULL;
  g_autoptr(GHashTable) zones = NULL;
  g_autofree char *cap = NULL;
  g_autofree char *quiet = NULL;
  Run run = { 0 };
  gboolean ok;

  if ((renderer = turnout_template_renderer_new (template, error)) == NULL
      || (reader = turnout_recipient_reader_new (db, event_id, now, error)) == NULL)
    return NULL;
  run.report = report;
  run.reader = reader;
  run.renderer = renderer;
  run.channel = turnout_template_get_channel (template);
  run.mms = !turnout_template_is_email (template)
            && turnout_template_get_media_urls (template)[0] != NULL;
  run.sender_name = turnout_db_dup_setting (db, "general.sender_name");
  run.unsubscribe = turnout_template_is_email (template) ? dup_email_unsubscribe (db)
                                                          : turnout_sms_unsubscribe_text ();
  run.done = done;
  run.cancellable = cancellable;
  report->price_per_segment = setting_double (db, "sms.price_per_segment");
  report->price_per_mms = setting_double (db, "mms.price_per_message");

  /* The rules as the dispatcher takes them from the settings (see
   * turnout_dispatcher_apply_settings()): quiet hours for texts only. */
  report->starts_at = starts_at > 0 ? starts_at : now;
  cap = turnout_db_dup_setting (db, "delivery.frequency_cap");
  turnout_frequency_cap_parse (cap, &report->cap_messages, &report->cap_days);
  if (report->cap_messages > 0
      && (recent = turnout_db_prepare_count_recent (db, error)) == NULL)
    return NULL;
  if (g_str_equal (run.channel, "sms"))
    {
      quiet = turnout_db_dup_setting (db, "sms.quiet_hours");
      /* The setting is checked when stored; anything else sends at any hour, as
       * nothing could be promised. */
      if (!turnout_quiet_hours_parse (quiet, &report->quiet_start, &report->quiet_end, NULL))
        report->quiet_start = report->quiet_end = -1;
    }
  zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify) g_time_zone_unref);
  run.recent = recent;
  run.zones = zones;
  run.default_zone = turnout_db_dup_setting (db, "contacts.default_time_zone");

  ok = turnout_db_segment_foreach_id (db, segment, now, visit, &run, cancellable, error);
  g_free (run.sender_name);
  g_free (run.unsubscribe);
  g_free (run.default_zone);
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return NULL;
    }
  if (!ok)
    return NULL;
  if (!turnout_template_is_email (template))
    report->cost = run.mms ? report->mms * report->price_per_mms
                           : report->total_segments * report->price_per_segment;
  return g_steal_pointer (&report);
}

static int
on_progress_check_cancelled (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

/**
 * turnout_preflight_run:
 * @event_id: the event the messages are about, or 0 for each contact's
 *   next registered event
 *
 * Blocks; see turnout_preflight_run_async().
 */
TurnoutPreflightReport *
turnout_preflight_run (TurnoutStore     *store,
                       TurnoutTemplate  *template,
                       TurnoutSegment   *segment,
                       gint64            event_id,
                       GCancellable     *cancellable,
                       GError          **error)
{
  TurnoutPreflightReport *report;
  gint done = 0;
  sqlite3 *db;

  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (template), NULL);
  g_return_val_if_fail (segment != NULL, NULL);

  if ((db = turnout_store_acquire (store, error)) == NULL)
    return NULL;
  if (cancellable != NULL)
    sqlite3_progress_handler (db, 1000, on_progress_check_cancelled, cancellable);
  report = run_on_db (db, template, segment, event_id,
                      turnout_clock_get_unix (turnout_clock_get_default ()), 0, &done, cancellable,
                      error);
  sqlite3_progress_handler (db, 0, NULL, NULL);
  turnout_store_release (store, db);
  return report;
}

typedef struct
{
  TurnoutTemplate          *template;
  TurnoutSegment           *segment;
  gint64                    event_id;
  gint64                    now;
  gint64                    starts_at;
  gint                      done;
  TurnoutPreflightProgress  progress;
  gpointer                  progress_data;
  GSource                  *progress_source;
  gint64                    reported;
} PreflightData;

static void
preflight_data_free (gpointer data)
{
  PreflightData *preflight = data;

  if (preflight->progress_source != NULL)
    {
      g_source_destroy (preflight->progress_source);
      g_source_unref (preflight->progress_source);
    }
  g_object_unref (preflight->template);
  turnout_segment_unref (preflight->segment);
  g_free (preflight);
}

static void
preflight_worker (GTask        *task,
                  sqlite3      *db,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PreflightData *preflight = task_data;
  GError *error = NULL;
  TurnoutPreflightReport *report;

  report = run_on_db (db, preflight->template, preflight->segment, preflight->event_id,
                      preflight->now, preflight->starts_at, &preflight->done, cancellable,
                      &error);
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) turnout_preflight_report_free);
}

static gboolean
on_progress_tick_cb (gpointer user_data)
{
  PreflightData *preflight = user_data;
  gint64 done = g_atomic_int_get (&preflight->done);

  if (done != preflight->reported)
    {
      preflight->reported = done;
      preflight->progress (done, preflight->progress_data);
    }
  return G_SOURCE_CONTINUE;
}

static void
on_preflight_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  PreflightData *preflight = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  TurnoutPreflightReport *report;

  /* No progress after the result. */
  if (preflight->progress_source != NULL)
    {
      g_source_destroy (preflight->progress_source);
      g_clear_pointer (&preflight->progress_source, g_source_unref);
    }
  report = g_task_propagate_pointer (G_TASK (result), &error);
  if (report == NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, report, (GDestroyNotify) turnout_preflight_report_free);
}

/**
 * turnout_preflight_run_async:
 * @event_id: the event the messages are about, or 0 for each contact's
 *   next registered event
 * @progress: (nullable): told how many recipients were looked at, a few
 *   times a second; @progress_data must stay valid until @callback runs
 *
 * Renders the message of every contact of @segment on a worker and counts
 * what the send would do, for a campaign starting now. A template with
 * mistakes in its merge fields fails with the first one.
 */
void
turnout_preflight_run_async (TurnoutStore             *store,
                             TurnoutTemplate          *template,
                             TurnoutSegment           *segment,
                             gint64                    event_id,
                             TurnoutPreflightProgress  progress,
                             gpointer                  progress_data,
                             GCancellable             *cancellable,
                             GAsyncReadyCallback       callback,
                             gpointer                  user_data)
{
  turnout_preflight_run_at_async (store, template, segment, event_id, 0, progress, progress_data,
                                  cancellable, callback, user_data);
}

/**
 * turnout_preflight_run_at_async:
 * @starts_at: when the campaign starts (Unix seconds), or 0 for now
 *
 * Like turnout_preflight_run_async(), with the frequency cap and the quiet
 * hours judged at @starts_at. Finish with turnout_preflight_run_finish().
 */
void
turnout_preflight_run_at_async (TurnoutStore             *store,
                                TurnoutTemplate          *template,
                                TurnoutSegment           *segment,
                                gint64                    event_id,
                                gint64                    starts_at,
                                TurnoutPreflightProgress  progress,
                                gpointer                  progress_data,
                                GCancellable             *cancellable,
                                GAsyncReadyCallback       callback,
                                gpointer                  user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  PreflightData *preflight;

  g_return_if_fail (TURNOUT_IS_STORE (store));
  g_return_if_fail (TURNOUT_IS_TEMPLATE (template));
  g_return_if_fail (segment != NULL);

  outer = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (outer, turnout_preflight_run_async);

  preflight = g_new0 (PreflightData, 1);
  /* A copy: the editor may change its template while this runs. */
  preflight->template = turnout_template_copy (template);
  preflight->segment = turnout_segment_ref (segment);
  preflight->event_id = event_id;
  preflight->now = turnout_clock_get_unix (turnout_clock_get_default ());
  preflight->starts_at = starts_at;
  preflight->progress = progress;
  preflight->progress_data = progress_data;
  if (progress != NULL)
    {
      preflight->progress_source = g_timeout_source_new (200);
      g_source_set_callback (preflight->progress_source, on_progress_tick_cb, preflight, NULL);
      g_source_attach (preflight->progress_source, g_main_context_get_thread_default ());
    }
  inner = g_task_new (store, cancellable, on_preflight_done_cb, g_steal_pointer (&outer));
  g_task_set_task_data (inner, preflight, preflight_data_free);
  turnout_store_run_in_thread (store, inner, preflight_worker);
}

/**
 * turnout_preflight_run_finish:
 *
 * Returns: (transfer full): the report, or %NULL with @error set.
 */
TurnoutPreflightReport *
turnout_preflight_run_finish (TurnoutStore  *store,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == turnout_preflight_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
add_counts (JsonBuilder *builder,
            GHashTable  *table)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (table), (GCompareFunc) g_strcmp0);

  json_builder_begin_object (builder);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      json_builder_set_member_name (builder, l->data);
      json_builder_add_int_value (builder, GPOINTER_TO_SIZE (g_hash_table_lookup (table, l->data)));
    }
  json_builder_end_object (builder);
}

/**
 * turnout_preflight_report_to_json:
 *
 * Returns: (transfer full): the report as pretty JSON, for `turnout-cli
 *   template check --json`.
 */
char *
turnout_preflight_report_to_json (TurnoutPreflightReport *report)
{
  static const char * const exclusions[] = {
    NULL, "no_address", "opted_out", "no_consent", "suppressed"
  };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recipients");
  json_builder_add_int_value (builder, report->recipients);
  json_builder_set_member_name (builder, "sendable");
  json_builder_add_int_value (builder, report->sendable);
  json_builder_set_member_name (builder, "excluded");
  json_builder_begin_object (builder);
  for (guint i = 1; i < G_N_ELEMENTS (exclusions); i++)
    {
      json_builder_set_member_name (builder, exclusions[i]);
      json_builder_add_int_value (builder, report->excluded[i]);
    }
  json_builder_set_member_name (builder, "frequency_cap");
  json_builder_add_int_value (builder, report->over_cap);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "waits_for_quiet_hours");
  json_builder_add_int_value (builder, report->quiet_hours);
  json_builder_set_member_name (builder, "starts_at");
  json_builder_add_int_value (builder, report->starts_at);
  json_builder_set_member_name (builder, "frequency_cap_setting");
  if (report->cap_messages > 0)
    {
      g_autofree char *cap = g_strdup_printf ("%u/%u", report->cap_messages, report->cap_days);

      json_builder_add_string_value (builder, cap);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "quiet_hours_setting");
  if (report->quiet_start >= 0)
    {
      g_autofree char *quiet = g_strdup_printf ("%02d:%02d-%02d:%02d", report->quiet_start / 60,
                                                report->quiet_start % 60, report->quiet_end / 60,
                                                report->quiet_end % 60);

      json_builder_add_string_value (builder, quiet);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "with_blanks");
  json_builder_add_int_value (builder, report->with_blanks);
  json_builder_set_member_name (builder, "blank_fields");
  add_counts (builder, report->blank_fields);
  json_builder_set_member_name (builder, "blank_examples");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->blank_examples->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (report->blank_examples, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "total_segments");
  json_builder_add_int_value (builder, report->total_segments);
  json_builder_set_member_name (builder, "max_segments");
  json_builder_add_int_value (builder, report->max_segments);
  json_builder_set_member_name (builder, "ucs2_recipients");
  json_builder_add_int_value (builder, report->ucs2_recipients);
  json_builder_set_member_name (builder, "ucs2_characters");
  add_counts (builder, report->ucs2_characters);
  json_builder_set_member_name (builder, "mms");
  json_builder_add_int_value (builder, report->mms);
  json_builder_set_member_name (builder, "estimated_cost");
  json_builder_add_double_value (builder, report->cost);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/**
 * turnout_preflight_report_describe_cap:
 *
 * Returns: (transfer full): the cap the report applied, as a sentence
 *   fragment: "at most 3 messages to one person in 7 days"; "" for none.
 */
char *
turnout_preflight_report_describe_cap (TurnoutPreflightReport *report)
{
  if (report->cap_messages == 0)
    return g_strdup ("");
  /* TRANSLATORS: the frequency cap; the second %u is a number of days. */
  return g_strdup_printf (g_dngettext (NULL, "at most %u message to one person in %u days",
                                       "at most %u messages to one person in %u days",
                                       report->cap_messages),
                          report->cap_messages, report->cap_days);
}

/**
 * turnout_preflight_report_describe_quiet_hours:
 *
 * Returns: (transfer full): the quiet hours the report applied, such as
 *   "21:00–08:00"; "" for none.
 */
char *
turnout_preflight_report_describe_quiet_hours (TurnoutPreflightReport *report)
{
  if (report->quiet_start < 0)
    return g_strdup ("");
  /* TRANSLATORS: quiet hours, from a time of day to another. */
  return g_strdup_printf (_("%02d:%02d–%02d:%02d"), report->quiet_start / 60,
                          report->quiet_start % 60, report->quiet_end / 60,
                          report->quiet_end % 60);
}
