/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-render"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-clock.h"
#include "turnout-html-text.h"
#include "turnout-render.h"
#include "turnout-store.h"

/*
 * From a template and a contact to the message that contact gets: who the
 * contact is (read once per recipient with prepared statements, so a
 * preflight over a hundred thousand contacts stays quick), whether the
 * channel may reach them, and the template rendered with their values.
 *
 * The event of a message is the campaign's or automation's; without one,
 * it is the contact's next event they are registered for.
 */

const char *
turnout_exclusion_describe (TurnoutExclusion exclusion)
{
  switch (exclusion)
    {
    case TURNOUT_EXCLUSION_NO_ADDRESS:
      return _("no address for the channel");
    case TURNOUT_EXCLUSION_OPTED_OUT:
      return _("opted out");
    case TURNOUT_EXCLUSION_NO_CONSENT:
      return _("never opted in");
    case TURNOUT_EXCLUSION_SUPPRESSED:
      return _("on the suppression list");
    case TURNOUT_EXCLUSION_NONE:
    default:
      return "";
    }
}

/**
 * turnout_sms_unsubscribe_text:
 *
 * Returns: (transfer full): what {unsubscribe} says in an SMS.
 */
char *
turnout_sms_unsubscribe_text (void)
{
  /* TRANSLATORS: the opt-out line of text messages. Keep STOP in English:
   * it is the keyword carriers and Twilio act on. Use only plain letters
   * (no curly quotes or dashes) so the message stays in the cheap GSM
   * encoding. */
  return g_strdup (_("Reply STOP to opt out"));
}

/**
 * turnout_email_unsubscribe_text:
 * @url: (nullable): the unsubscribe page (setting email.unsubscribe_url)
 * @mailto: (nullable): the unsubscribe address (email.unsubscribe_mailto)
 *
 * Returns: (transfer full): what {unsubscribe} says in an email: the page,
 *   else the address, else a request to reply.
 */
char *
turnout_email_unsubscribe_text (const char *url,
                                const char *mailto)
{
  g_autofree char *page = g_strstrip (g_strdup (url != NULL ? url : ""));
  g_autofree char *address = g_strstrip (g_strdup (mailto != NULL ? mailto : ""));

  if (*page != '\0')
    /* TRANSLATORS: the unsubscribe line of emails; %s is a web address. */
    return g_strdup_printf (_("Unsubscribe: %s"), page);
  if (*address != '\0')
    {
      g_autofree char *link = g_str_has_prefix (address, "mailto:")
                              ? g_strdup (address) : g_strconcat ("mailto:", address, NULL);

      return g_strdup_printf (_("Unsubscribe: %s"), link);
    }
  /* TRANSLATORS: the unsubscribe line of emails when no address is set in
   * Preferences; the List-Unsubscribe header still works. */
  return g_strdup (_("To stop these emails, reply with “unsubscribe”."));
}

void
turnout_recipient_free (TurnoutRecipient *recipient)
{
  if (recipient == NULL)
    return;
  g_free (recipient->first_name);
  g_free (recipient->last_name);
  g_free (recipient->phone);
  g_free (recipient->email);
  g_free (recipient->city);
  g_free (recipient->time_zone);
  g_free (recipient->sms_consent);
  g_free (recipient->email_consent);
  g_free (recipient->event_name);
  g_free (recipient->event_time_zone);
  g_free (recipient->event_venue);
  g_free (recipient);
}

/**
 * turnout_recipient_dup_name:
 *
 * Returns: (transfer full): the contact's name, or their address when they
 *   have no name.
 */
char *
turnout_recipient_dup_name (TurnoutRecipient *recipient)
{
  g_autofree char *name = g_strstrip (g_strdup_printf ("%s %s", recipient->first_name,
                                                       recipient->last_name));

  if (*name != '\0')
    return g_steal_pointer (&name);
  if (recipient->email != NULL)
    return g_strdup (recipient->email);
  if (recipient->phone != NULL)
    return g_strdup (recipient->phone);
  /* TRANSLATORS: a contact with no name, phone or email; %ld is its number. */
  return g_strdup_printf (_("Contact %" PRId64), recipient->contact_id);
}

/**
 * turnout_recipient_exclusion:
 * @channel: "sms" or "email"
 *
 * Returns: why the contact gets no message on @channel, or
 *   %TURNOUT_EXCLUSION_NONE.
 */
TurnoutExclusion
turnout_recipient_exclusion (TurnoutRecipient *recipient,
                             const char       *channel)
{
  gboolean email = g_strcmp0 (channel, "email") == 0;
  const char *consent = email ? recipient->email_consent : recipient->sms_consent;

  if ((email ? recipient->email : recipient->phone) == NULL)
    return TURNOUT_EXCLUSION_NO_ADDRESS;
  if (email ? recipient->email_suppressed : recipient->sms_suppressed)
    return TURNOUT_EXCLUSION_SUPPRESSED;
  if (g_strcmp0 (consent, "opted_out") == 0)
    return TURNOUT_EXCLUSION_OPTED_OUT;
  if (g_strcmp0 (consent, "opted_in") != 0)
    return TURNOUT_EXCLUSION_NO_CONSENT;
  return TURNOUT_EXCLUSION_NONE;
}

/**
 * turnout_recipient_get_values:
 *
 * Fills the contact's and event's fields of @values (pointing into
 * @recipient); the sender's name and the unsubscribe text are the
 * caller's.
 */
void
turnout_recipient_get_values (TurnoutRecipient   *recipient,
                              TurnoutMergeValues *values)
{
  values->first_name = recipient->first_name;
  values->last_name = recipient->last_name;
  values->phone = recipient->phone;
  values->email = recipient->email;
  values->city = recipient->city;
  values->event_name = recipient->event_name;
  values->event_starts_at = recipient->event_starts_at;
  values->event_time_zone = recipient->event_time_zone;
  values->event_venue = recipient->event_venue;
}

/* Reading ------------------------------------------------------------------ */

struct _TurnoutRecipientReader
{
  sqlite3_stmt *contact;
  sqlite3_stmt *next_event;    /* NULL when the event is fixed */
  gint64        now;
  gint64        event_id;
  char         *event_name;
  gint64        event_starts_at;
  char         *event_time_zone;
  char         *event_venue;
};

void
turnout_recipient_reader_free (TurnoutRecipientReader *reader)
{
  if (reader == NULL)
    return;
  g_clear_pointer (&reader->contact, turnout_db_cached_release);
  g_clear_pointer (&reader->next_event, turnout_db_cached_release);
  g_free (reader->event_name);
  g_free (reader->event_time_zone);
  g_free (reader->event_venue);
  g_free (reader);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/**
 * turnout_recipient_reader_new:
 * @event_id: the event every message is about, or 0 for each contact's
 *   next event they are registered for (as of @now)
 *
 * Returns: (transfer full): a reader for @db, or %NULL with @error set
 *   (%G_IO_ERROR_NOT_FOUND when there is no event @event_id).
 */
TurnoutRecipientReader *
turnout_recipient_reader_new (sqlite3  *db,
                              gint64    event_id,
                              gint64    now,
                              GError  **error)
{
  g_autoptr(TurnoutRecipientReader) reader = g_new0 (TurnoutRecipientReader, 1);

  reader->now = now;
  reader->event_id = event_id;
  /* Kept prepared with the connection: a reader is made for every claim
   * of the send path. */
  reader->contact = turnout_db_prepare_cached (db,
    "SELECT c.first_name, c.last_name, c.phone, c.email, c.city, c.sms_consent, c.email_consent,"
    " c.phone IS NOT NULL AND EXISTS (SELECT 1 FROM suppressions s"
    "   WHERE s.channel = 'sms' AND s.address = c.phone),"
    " c.email IS NOT NULL AND EXISTS (SELECT 1 FROM suppressions s"
    "   WHERE s.channel = 'email' AND s.address = c.email),"
    " c.time_zone"
    " FROM contacts c WHERE c.id = ?1", error);
  if (reader->contact == NULL)
    return NULL;
  if (event_id == 0)
    {
      reader->next_event = turnout_db_prepare_cached (db,
        "SELECT e.id, e.name, e.starts_at, e.time_zone, e.venue"
        " FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.contact_id = ?1 AND r.status = 'registered' AND e.starts_at > ?2"
        " ORDER BY e.starts_at, e.id LIMIT 1", error);
      if (reader->next_event == NULL)
        return NULL;
    }
  else
    {
      g_autoptr(TurnoutDbCached) event = NULL;
      int rc;

      event = turnout_db_prepare_cached (db, "SELECT name, starts_at, time_zone, venue FROM events"
                                      " WHERE id = ?1", error);
      if (event == NULL)
        return NULL;
      sqlite3_bind_int64 (event, 1, event_id);
      if ((rc = sqlite3_step (event)) != SQLITE_ROW)
        {
          if (rc == SQLITE_DONE)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         _("There is no event %" PRId64 "; it may have been deleted"),
                         event_id);
          else
            turnout_db_set_error (error, db, rc, _("Could not read the event"));
          return NULL;
        }
      reader->event_name = column_text (event, 0);
      reader->event_starts_at = sqlite3_column_int64 (event, 1);
      reader->event_time_zone = column_text (event, 2);
      reader->event_venue = column_text (event, 3);
    }
  return g_steal_pointer (&reader);
}

/**
 * turnout_recipient_reader_read:
 *
 * Returns: (transfer full): the contact with its event, or %NULL with
 *   @error set (%G_IO_ERROR_NOT_FOUND for a contact that is gone).
 */
TurnoutRecipient *
turnout_recipient_reader_read (TurnoutRecipientReader  *reader,
                               gint64                   contact_id,
                               GError                 **error)
{
  g_autoptr(TurnoutRecipient) recipient = g_new0 (TurnoutRecipient, 1);
  sqlite3 *db = sqlite3_db_handle (reader->contact);
  int rc;

  sqlite3_reset (reader->contact);
  sqlite3_bind_int64 (reader->contact, 1, contact_id);
  if ((rc = sqlite3_step (reader->contact)) != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("There is no contact %" PRId64 "; it may have been erased"),
                     contact_id);
      else
        turnout_db_set_error (error, db, rc, _("Could not read the contact"));
      return NULL;
    }
  recipient->contact_id = contact_id;
  recipient->first_name = column_text (reader->contact, 0);
  recipient->last_name = column_text (reader->contact, 1);
  recipient->phone = column_text (reader->contact, 2);
  recipient->email = column_text (reader->contact, 3);
  recipient->city = column_text (reader->contact, 4);
  recipient->sms_consent = column_text (reader->contact, 5);
  recipient->email_consent = column_text (reader->contact, 6);
  recipient->sms_suppressed = sqlite3_column_int (reader->contact, 7) != 0;
  recipient->email_suppressed = sqlite3_column_int (reader->contact, 8) != 0;
  recipient->time_zone = column_text (reader->contact, 9);
  sqlite3_reset (reader->contact);

  if (reader->next_event == NULL)
    {
      recipient->event_id = reader->event_id;
      recipient->event_name = g_strdup (reader->event_name);
      recipient->event_starts_at = reader->event_starts_at;
      recipient->event_time_zone = g_strdup (reader->event_time_zone);
      recipient->event_venue = g_strdup (reader->event_venue);
      return g_steal_pointer (&recipient);
    }
  sqlite3_reset (reader->next_event);
  sqlite3_bind_int64 (reader->next_event, 1, contact_id);
  sqlite3_bind_int64 (reader->next_event, 2, reader->now);
  rc = sqlite3_step (reader->next_event);
  if (rc == SQLITE_ROW)
    {
      recipient->event_id = sqlite3_column_int64 (reader->next_event, 0);
      recipient->event_name = column_text (reader->next_event, 1);
      recipient->event_starts_at = sqlite3_column_int64 (reader->next_event, 2);
      recipient->event_time_zone = column_text (reader->next_event, 3);
      recipient->event_venue = column_text (reader->next_event, 4);
    }
  sqlite3_reset (reader->next_event);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      turnout_db_set_error (error, db, rc, _("Could not read the contact’s next event"));
      return NULL;
    }
  return g_steal_pointer (&recipient);
}

/* Rendering ---------------------------------------------------------------- */

void
turnout_rendered_free (TurnoutRendered *rendered)
{
  if (rendered == NULL)
    return;
  g_free (rendered->subject);
  g_free (rendered->preheader);
  g_free (rendered->text);
  g_free (rendered->html);
  g_clear_pointer (&rendered->blank_fields, g_ptr_array_unref);
  g_free (rendered);
}

struct _TurnoutTemplateRenderer
{
  gboolean              email;
  TurnoutMergeTemplate *subject;
  TurnoutMergeTemplate *preheader;
  TurnoutMergeTemplate *text;      /* NULL for an email without its own text */
  TurnoutMergeTemplate *html;
};

void
turnout_template_renderer_free (TurnoutTemplateRenderer *renderer)
{
  if (renderer == NULL)
    return;
  g_clear_pointer (&renderer->subject, turnout_merge_template_unref);
  g_clear_pointer (&renderer->preheader, turnout_merge_template_unref);
  g_clear_pointer (&renderer->text, turnout_merge_template_unref);
  g_clear_pointer (&renderer->html, turnout_merge_template_unref);
  g_free (renderer);
}

static gboolean
parse_part (const char             *text,
            gboolean                markup,
            const char             *part,
            TurnoutMergeTemplate  **out,
            GError                **error)
{
  g_autoptr(GError) local_error = NULL;

  *out = turnout_merge_template_new_full (text, markup, &local_error);
  if (*out != NULL)
    return TRUE;
  /* TRANSLATORS: %s is a part of a template ("the subject"), then what is
   * wrong in it and where. */
  g_set_error (error, local_error->domain, local_error->code, _("In %s: %s"), part,
               local_error->message);
  return FALSE;
}

/**
 * turnout_template_renderer_new:
 *
 * Returns: (transfer full): a renderer, or %NULL with @error set at the
 *   first mistake in the template's merge fields (which part, line and
 *   column).
 */
TurnoutTemplateRenderer *
turnout_template_renderer_new (TurnoutTemplate  *template,
                               GError          **error)
{
  g_autoptr(TurnoutTemplateRenderer) renderer = g_new0 (TurnoutTemplateRenderer, 1);
  const char *text = turnout_template_get_body_text (template);

  renderer->email = turnout_template_is_email (template);
  if (!renderer->email)
    {
      if (!parse_part (text, FALSE, _("the message"), &renderer->text, error))
        return NULL;
      return g_steal_pointer (&renderer);
    }
  if (!parse_part (turnout_template_get_subject (template), FALSE, _("the subject"),
                   &renderer->subject, error)
      || !parse_part (turnout_template_get_preheader (template), FALSE, _("the preheader"),
                      &renderer->preheader, error)
      || !parse_part (turnout_template_get_body_html (template), TRUE, _("the HTML"),
                      &renderer->html, error))
    return NULL;
  {
    g_autofree char *stripped = g_strstrip (g_strdup (text));

    if (*stripped != '\0'
        && !parse_part (text, FALSE, _("the plain text"), &renderer->text, error))
      return NULL;
  }
  return g_steal_pointer (&renderer);
}

/* Values go into HTML as text: "Tom & Jerry" must not become markup. */
static char *
escape (const char *value)
{
  return value != NULL ? g_markup_escape_text (value, -1) : NULL;
}

/* The unsubscribe text as HTML: escaped, its addresses made links. */
static char *
linkify (const char *text)
{
  g_auto(GStrv) words = NULL;
  GString *html;

  if (text == NULL)
    return NULL;
  html = g_string_new (NULL);
  words = g_strsplit (text, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *escaped = g_markup_escape_text (words[i], -1);

      if (i > 0)
        g_string_append_c (html, ' ');
      if (g_str_has_prefix (words[i], "https://") || g_str_has_prefix (words[i], "http://"))
        g_string_append_printf (html, "<a href=\"%s\">%s</a>", escaped, escaped);
      else if (g_str_has_prefix (words[i], "mailto:"))
        g_string_append_printf (html, "<a href=\"%s\">%s</a>", escaped,
                                escaped + strlen ("mailto:"));
      else
        g_string_append (html, escaped);
    }
  return g_string_free (html, FALSE);
}

static void
add_blanks (GPtrArray *all,
            GPtrArray *more)
{
  for (guint i = 0; i < more->len; i++)
    if (!g_ptr_array_find_with_equal_func (all, g_ptr_array_index (more, i), g_str_equal, NULL))
      g_ptr_array_add (all, g_strdup (g_ptr_array_index (more, i)));
}

/**
 * turnout_template_renderer_render:
 *
 * Returns: (transfer full): the message for @values.
 */
TurnoutRendered *
turnout_template_renderer_render (TurnoutTemplateRenderer  *renderer,
                                  const TurnoutMergeValues *values)
{
  TurnoutRendered *rendered = g_new0 (TurnoutRendered, 1);
  /* The merge module gives static field names: nothing to free. */
  g_autoptr(GPtrArray) blanks = g_ptr_array_new ();

  rendered->blank_fields = g_ptr_array_new_with_free_func (g_free);
  if (!renderer->email)
    {
      rendered->subject = g_strdup ("");
      rendered->preheader = g_strdup ("");
      rendered->html = g_strdup ("");
      rendered->text = turnout_merge_template_render (renderer->text, values, blanks);
      add_blanks (rendered->blank_fields, blanks);
      return rendered;
    }

  rendered->subject = turnout_merge_template_render (renderer->subject, values, blanks);
  add_blanks (rendered->blank_fields, blanks);
  g_ptr_array_set_size (blanks, 0);
  rendered->preheader = turnout_merge_template_render (renderer->preheader, values, blanks);
  add_blanks (rendered->blank_fields, blanks);
  g_ptr_array_set_size (blanks, 0);
  {
    g_autofree char *first = escape (values->first_name);
    g_autofree char *last = escape (values->last_name);
    g_autofree char *phone = escape (values->phone);
    g_autofree char *email = escape (values->email);
    g_autofree char *city = escape (values->city);
    g_autofree char *event = escape (values->event_name);
    g_autofree char *venue = escape (values->event_venue);
    g_autofree char *sender = escape (values->sender_name);
    g_autofree char *unsubscribe = linkify (values->unsubscribe);
    TurnoutMergeValues html_values = *values;

    html_values.unsubscribe = unsubscribe;
    html_values.first_name = first;
    html_values.last_name = last;
    html_values.phone = phone;
    html_values.email = email;
    html_values.city = city;
    html_values.event_name = event;
    html_values.event_venue = venue;
    html_values.sender_name = sender;
    rendered->html = turnout_merge_template_render (renderer->html, &html_values, blanks);
  }
  add_blanks (rendered->blank_fields, blanks);
  g_ptr_array_set_size (blanks, 0);
  if (renderer->text != NULL)
    {
      rendered->text = turnout_merge_template_render (renderer->text, values, blanks);
      add_blanks (rendered->blank_fields, blanks);
    }
  else
    rendered->text = turnout_html_to_text (rendered->html);
  return rendered;
}

typedef struct
{
  gint64 contact_id;
  gint64 event_id;
  gint64 now;
} LoadData;

static void
load_worker (GTask        *task,
             sqlite3      *db,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *load = task_data;
  g_autoptr(TurnoutRecipientReader) reader = NULL;
  GError *error = NULL;
  TurnoutRecipient *recipient = NULL;

  reader = turnout_recipient_reader_new (db, load->event_id, load->now, &error);
  if (reader != NULL)
    recipient = turnout_recipient_reader_read (reader, load->contact_id, &error);
  if (recipient == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, recipient, (GDestroyNotify) turnout_recipient_free);
}

/**
 * turnout_recipient_load_async:
 * @event_id: the event the message is about, or 0 for the contact's next
 *   registered event
 *
 * Reads a contact as a template sees it, on a worker (for previews).
 */
void
turnout_recipient_load_async (TurnoutStore        *store,
                              gint64               contact_id,
                              gint64               event_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *load = g_new0 (LoadData, 1);

  load->contact_id = contact_id;
  load->event_id = event_id;
  load->now = turnout_clock_get_unix (turnout_clock_get_default ());
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_recipient_load_async);
  g_task_set_task_data (task, load, g_free);
  turnout_store_run_in_thread (store, task, load_worker);
}

/**
 * turnout_recipient_load_finish:
 *
 * Returns: (transfer full): the recipient, or %NULL with @error set.
 */
TurnoutRecipient *
turnout_recipient_load_finish (TurnoutStore  *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
