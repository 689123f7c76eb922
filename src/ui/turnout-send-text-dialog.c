/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-send-text-dialog"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "turnout-merge-completion.h"
#include "turnout-merge-highlighter.h"
#include "turnout-outbox.h"
#include "turnout-render.h"
#include "turnout-send-text-dialog.h"
#include "turnout-settings.h"
#include "turnout-smtp-sender.h"
#include "turnout-sms.h"
#include "turnout-store.h"
#include "turnout-template.h"
#include "turnout-templates.h"
#include "turnout-twilio-sender.h"

/*
 * A text by hand to the contacts selected in the Contacts pane: who gets
 * it and who is left out and why, the message with merge fields (rendered
 * for each contact as a template is, so {first_name} works), its length
 * and cost as the first recipient gets it, optional MMS media, and a last
 * question repeating the count and the cost.
 *
 * Each text goes through TurnoutOutbox, one contact after another: written
 * "sending" before the request leaves and its outcome after, so it is in
 * the send log like a campaign's message (with no campaign) and never sent
 * twice. The outbox checks consent and the suppression list again at that
 * moment. Stop lets the text in flight finish and sends no more; closing
 * the window does the same (the outbox sees a request that left through
 * and records its outcome).
 *
 * The same window sends an email by hand (the channel is fixed when it is
 * made): a saved email template, sent with its HTML as designed, or a
 * subject and a plain text written here, merged the same way; the left
 * out are those with no address, no email consent or a suppressed
 * address. It goes through the mail server of Preferences ▸ Email, and
 * each contact's row shows the Message-ID the server took.
 */

typedef struct
{
  gint64            contact_id;
  TurnoutRecipient *recipient;   /* owned; NULL when the contact is gone */
  gboolean          sendable;
  char             *name;        /* owned */
  char             *left_out;    /* owned; why not, for those not sendable */
  AdwActionRow     *row;         /* in the results, once sending started */
  GtkImage         *icon;        /* the row's */
} Entry;

struct _TurnoutSendTextDialog
{
  AdwWindow                parent_instance;

  TurnoutStore            *store;            /* owned */
  gboolean                 email;            /* the channel: email, or SMS */
  TurnoutSettings         *settings;         /* owned, nullable */
  GCancellable            *cancellable;      /* owned; cancelled when the dialog goes */
  GArray                  *contact_ids;      /* gint64, as given */
  GPtrArray               *entries;          /* Entry, in the order given */
  GPtrArray               *media_urls;       /* char*, owned */
  GPtrArray               *media_rows;       /* AdwActionRow, in the order of the URLs */
  GPtrArray               *templates;        /* TurnoutTemplate: the email templates, as
                                              * listed after "None" in template_row */
  TurnoutMergeHighlighter *highlighter;      /* owned */
  TurnoutTemplateRenderer *renderer;         /* owned; for the text as it is, NULL if wrong */
  TurnoutSender           *sender;           /* owned, while sending */
  char                    *sender_name;      /* general.sender_name, for {sender_name} */
  char                    *unsubscribe;      /* what {unsubscribe} says */
  char                   **frozen_media;     /* the media sent, fixed at the question */
  guint                    n_sendable;
  guint                    total_segments;   /* over every sendable contact, as rendered */
  double                   cost;
  guint                    next;             /* the entry sent next */
  guint                    n_sent;
  guint                    n_not_sent;
  guint                    n_done;
  gboolean                 sending;
  gboolean                 stop_requested;
  gboolean                 finished;

  GtkButton               *close_button;     /* template child */
  GtkButton               *send_button;      /* template child */
  GtkButton               *stop_button;      /* template child */
  GtkStack                *stack;            /* template child */
  GtkLabel                *summary_label;    /* template child */
  GtkLabel                *left_out_label;   /* template child */
  GtkSourceView           *text_view;        /* template child */
  GtkLabel                *problem_label;    /* template child */
  GtkLabel                *counter_label;    /* template child */
  GtkLabel                *cost_label;       /* template child */
  AdwPreferencesGroup     *media_group;      /* template child */
  AdwPreferencesGroup     *email_group;      /* template child */
  AdwComboRow             *template_row;     /* template child */
  GtkStringList           *template_names;   /* template child */
  AdwEntryRow             *subject_entry;    /* template child */
  AdwEntryRow             *media_entry;      /* template child */
  GtkLabel                *media_problem_label; /* template child */
  GtkProgressBar          *progress_bar;     /* template child */
  GtkLabel                *status_label;     /* template child */
  GtkListBox              *results_list;     /* template child */
  GtkLabel                *failed_label;     /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutSendTextDialog, turnout_send_text_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  g_clear_pointer (&entry->recipient, turnout_recipient_free);
  g_free (entry->name);
  g_free (entry->left_out);
  g_free (entry);
}

static char *
format_count (guint n)
{
  /* The ' flag groups the digits as the user's locale does: 12,345. */
  return g_strdup_printf ("%'u", n);
}

static gboolean
is_gone (TurnoutSendTextDialog *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

static gboolean
is_mms (TurnoutSendTextDialog *self)
{
  return self->media_urls->len > 0;
}

static Entry *
first_sendable (TurnoutSendTextDialog *self)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->sendable)
        return entry;
    }
  return NULL;
}

static char *
dup_text (TurnoutSendTextDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* The message as @entry's contact gets it, rendered as templates are. */
static TurnoutRendered *
render_all_for (TurnoutSendTextDialog *self,
                Entry                 *entry)
{
  TurnoutMergeValues values = { 0 };

  if (entry != NULL && entry->recipient != NULL)
    turnout_recipient_get_values (entry->recipient, &values);
  values.sender_name = self->sender_name;
  values.unsubscribe = self->unsubscribe;
  return turnout_template_renderer_render (self->renderer, &values);
}

static char *
render_for (TurnoutSendTextDialog *self,
            Entry                 *entry)
{
  g_autoptr(TurnoutRendered) rendered = render_all_for (self, entry);

  return g_steal_pointer (&rendered->text);
}

/* The email template chosen, or NULL when the email is written here. */
static TurnoutTemplate *
get_chosen_template (TurnoutSendTextDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->template_row);

  if (!self->email || selected == 0 || selected == GTK_INVALID_LIST_POSITION
      || selected > self->templates->len)
    return NULL;
  return g_ptr_array_index (self->templates, selected - 1);
}

/* What is sent: the chosen template, or one made of what is typed here. */
static TurnoutTemplate *
dup_message_template (TurnoutSendTextDialog *self,
                      const char            *text)
{
  TurnoutTemplate *chosen = get_chosen_template (self);
  TurnoutTemplate *template;

  if (chosen != NULL)
    return turnout_template_copy (chosen);
  template = turnout_template_new (self->email ? "email" : "sms");
  if (self->email)
    turnout_template_set_subject (template,
                                  gtk_editable_get_text (GTK_EDITABLE (self->subject_entry)));
  turnout_template_set_body_text (template, text);
  return template;
}

/* Why @recipient gets no email, as the results list says it. */
static char *
describe_left_out_of_email (TurnoutRecipient *recipient)
{
  if (recipient == NULL)
    return g_strdup (_("Not sent: no longer in your contacts"));
  switch (turnout_recipient_exclusion (recipient, "email"))
    {
    case TURNOUT_EXCLUSION_NO_ADDRESS:
      return g_strdup (_("Not sent: no email address"));
    case TURNOUT_EXCLUSION_SUPPRESSED:
      return g_strdup (_("Not sent: the address is on the suppression list"));
    case TURNOUT_EXCLUSION_OPTED_OUT:
      return g_strdup (_("Not sent: opted out of emails"));
    case TURNOUT_EXCLUSION_NO_CONSENT:
      return g_strdup (_("Not sent: never agreed to get emails; record their consent first"));
    case TURNOUT_EXCLUSION_NONE:
    default:
      return NULL;
    }
}

/* Why @recipient gets no text, as the results list says it. */
static char *
describe_left_out (TurnoutRecipient *recipient,
                   gboolean          email)
{
  if (email)
    return describe_left_out_of_email (recipient);
  if (recipient == NULL)
    return g_strdup (_("Not sent: no longer in your contacts"));
  switch (turnout_recipient_exclusion (recipient, "sms"))
    {
    case TURNOUT_EXCLUSION_NO_ADDRESS:
      return g_strdup (_("Not sent: no phone number"));
    case TURNOUT_EXCLUSION_SUPPRESSED:
      return g_strdup (_("Not sent: the number is on the suppression list"));
    case TURNOUT_EXCLUSION_OPTED_OUT:
      return g_strdup (_("Not sent: opted out of texts"));
    case TURNOUT_EXCLUSION_NO_CONSENT:
      return g_strdup (_("Not sent: never agreed to get texts; record their consent first"));
    case TURNOUT_EXCLUSION_NONE:
    default:
      return NULL;
    }
}

/* Composing ------------------------------------------------------------------ */

/* Why a contact is left out, in a few words, naming what is missing on
 * this channel rather than "no address for the channel". */
static const char *
describe_exclusion (TurnoutSendTextDialog *self,
                    TurnoutExclusion       exclusion)
{
  if (exclusion == TURNOUT_EXCLUSION_NO_ADDRESS)
    return self->email ? _("no email address") : _("no phone number");
  if (exclusion == TURNOUT_EXCLUSION_NO_CONSENT && self->email)
    return _("no email consent");
  return turnout_exclusion_describe (exclusion);
}

/* How many of those left out are named under the summary. */
#define MAX_NAMES_SHOWN 5

/* "3 contacts: 2 will get it; 1 is left out: opted out", and who. */
static void
update_summary (TurnoutSendTextDialog *self)
{
  guint n = self->entries->len;
  guint left_out = n - self->n_sendable;
  guint by_reason[TURNOUT_EXCLUSION_SUPPRESSED + 2] = { 0 };   /* the last: gone */
  guint kinds = 0;
  g_autofree char *count = format_count (n);
  g_autofree char *sendable = format_count (self->n_sendable);
  g_autofree char *contacts = g_strdup_printf (ngettext ("%s contact", "%s contacts", n), count);
  g_autofree char *summary = NULL;
  g_autoptr(GString) reasons = g_string_new (NULL);
  g_autoptr(GString) names = g_string_new (NULL);
  guint shown = 0;

  gtk_widget_set_visible (GTK_WIDGET (self->left_out_label), FALSE);
  if (left_out == 0)
    {
      /* TRANSLATORS: "3 contacts: all will get it". */
      summary = g_strdup_printf (ngettext ("%s: will get it", "%s: all will get it", n), contacts);
      gtk_label_set_text (self->summary_label, summary);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      const char *reason;

      if (entry->sendable)
        continue;
      if (entry->recipient == NULL)
        {
          by_reason[TURNOUT_EXCLUSION_SUPPRESSED + 1]++;
          reason = _("no longer in your contacts");
        }
      else
        {
          TurnoutExclusion exclusion = turnout_recipient_exclusion (entry->recipient,
                                                                    self->email ? "email" : "sms");

          by_reason[exclusion]++;
          reason = describe_exclusion (self, exclusion);
        }
      if (shown < MAX_NAMES_SHOWN)
        {
          if (names->len > 0)
            g_string_append (names, _(", "));
          /* TRANSLATORS: a contact left out and why: "Chloé Ruiz (opted out)". */
          g_string_append_printf (names, _("%s (%s)"), entry->name, reason);
          shown++;
        }
    }
  if (left_out > shown)
    {
      g_autofree char *more = format_count (left_out - shown);

      /* TRANSLATORS: after a list of names: " and 12 more". */
      g_string_append_printf (names, ngettext (" and %s more", " and %s more", left_out - shown),
                              more);
    }
  {
    /* TRANSLATORS: "Left out: Chloé Ruiz (opted out)". */
    g_autofree char *text = g_strdup_printf (_("Left out: %s"), names->str);

    gtk_label_set_text (self->left_out_label, text);
    gtk_widget_set_visible (GTK_WIDGET (self->left_out_label), TRUE);
  }
  for (guint i = 1; i < G_N_ELEMENTS (by_reason); i++)
    kinds += by_reason[i] > 0;
  for (guint i = 1; i < G_N_ELEMENTS (by_reason); i++)
    {
      const char *reason;

      if (by_reason[i] == 0)
        continue;
      reason = i == TURNOUT_EXCLUSION_SUPPRESSED + 1 ? _("no longer in your contacts")
                                                     : describe_exclusion (self, i);
      if (reasons->len > 0)
        g_string_append (reasons, _(", "));
      /* One reason needs no count: "1 is left out: opted out". */
      if (kinds == 1)
        g_string_append (reasons, reason);
      else
        {
          g_autofree char *reason_count = format_count (by_reason[i]);

          /* TRANSLATORS: "2 opted out", in a list of why contacts get no text. */
          g_string_append_printf (reasons, _("%s %s"), reason_count, reason);
        }
    }

  {
    g_autofree char *left_count = format_count (left_out);
    g_autofree char *gets = g_strdup_printf (ngettext ("%s will get it", "%s will get it",
                                                       self->n_sendable), sendable);
    g_autofree char *left = g_strdup_printf (ngettext ("%s is left out: %s",
                                                       "%s are left out: %s", left_out),
                                             left_count, reasons->str);

    /* TRANSLATORS: "3 contacts: 2 will get it; 1 is left out: opted out". */
    summary = g_strdup_printf (_("%s: %s; %s"), contacts, gets, left);
  }
  gtk_label_set_text (self->summary_label, summary);
}

static void
set_problem (TurnoutSendTextDialog *self,
             const char            *problem)
{
  gtk_label_set_text (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
}

/* What stops any email before it is written: the mail server and the
 * postal address every email must carry (CAN-SPAM) are set in
 * Preferences, and a missing one would fail each contact in turn. */
static char *
dup_email_setup_problem (TurnoutSendTextDialog *self)
{
  g_autofree char *host = NULL;
  g_autofree char *from = NULL;
  g_autofree char *postal = NULL;

  if (self->settings == NULL)
    return g_strdup (_("Turnout has no settings to find the mail server in"));
  host = turnout_settings_dup_string (self->settings, "smtp.host");
  from = turnout_settings_dup_string (self->settings, "smtp.from_address");
  postal = turnout_settings_dup_string (self->settings, "email.postal_address");
  if (host == NULL || *g_strstrip (host) == '\0')
    return g_strdup (_("No mail server is set up: enter it in Preferences ▸ Email first"));
  if (from == NULL || *g_strstrip (from) == '\0')
    return g_strdup (_("No From address is set: enter it in Preferences ▸ Email first"));
  if (postal == NULL || *g_strstrip (postal) == '\0')
    return g_strdup (_("Every email carries your postal address, and none is set: enter it in "
                       "Preferences ▸ Email first"));
  return NULL;
}

/* The subject as the first recipient gets it, who it comes from, and
 * whether it can be sent. */
static void
update_email_message (TurnoutSendTextDialog *self)
{
  g_autofree char *text = dup_text (self);
  g_autofree char *summary = turnout_merge_highlighter_dup_summary (self->highlighter);
  g_autoptr(TurnoutTemplate) template = dup_message_template (self, text);
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autofree char *subject = g_strstrip (g_strdup (turnout_template_get_subject (template)));
  g_autofree char *problem = NULL;
  g_autofree char *setup_problem = dup_email_setup_problem (self);
  g_autofree char *button = NULL;
  g_autofree char *sendable = format_count (self->n_sendable);
  gboolean has_body;
  Entry *first = first_sendable (self);

  g_clear_pointer (&self->renderer, turnout_template_renderer_free);
  self->renderer = turnout_template_renderer_new (template, &error);
  has_body = *stripped != '\0'
             || (turnout_template_get_body_html (template) != NULL
                 && *turnout_template_get_body_html (template) != '\0');

  if (self->renderer != NULL && *subject != '\0')
    {
      g_autoptr(TurnoutRendered) rendered = render_all_for (self, first);
      g_autofree char *line = NULL;

      if (first != NULL)
        {
          g_autofree char *name = turnout_recipient_dup_name (first->recipient);

          /* TRANSLATORS: "Subject as Ben Ruiz gets it: “Doors at 10, Ben!”". */
          line = g_strdup_printf (_("Subject as %s gets it: “%s”"), name, rendered->subject);
        }
      else
        line = g_strdup_printf (_("Subject: “%s”"), rendered->subject);
      gtk_label_set_text (self->counter_label, line);
      gtk_widget_set_visible (GTK_WIDGET (self->counter_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->counter_label), FALSE);

  if (self->settings != NULL)
    {
      g_autofree char *from = turnout_settings_dup_string (self->settings, "smtp.from_address");
      g_autofree char *host = turnout_settings_dup_string (self->settings, "smtp.host");
      g_autofree char *line = NULL;

      if (from != NULL && *from != '\0' && host != NULL && *host != '\0')
        {
          /* TRANSLATORS: "From tickets@nightowl.example, through smtp.example.com". */
          line = g_strdup_printf (_("From %s, through %s"), from, host);
          gtk_label_set_text (self->cost_label, line);
        }
      gtk_widget_set_visible (GTK_WIDGET (self->cost_label), line != NULL);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->cost_label), FALSE);

  if (self->entries->len > 0 && self->n_sendable == 0)
    problem = g_strdup (_("None of these contacts can get an email: see why above."));
  else if (summary != NULL)
    problem = g_strdup (summary);
  else if (self->renderer == NULL)
    problem = g_strdup (error->message);
  else if (setup_problem != NULL)
    problem = g_steal_pointer (&setup_problem);
  else if (*subject == '\0' && has_body)
    problem = g_strdup (_("Write a subject: an email can’t go without one"));
  set_problem (self, problem);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "send-text.send",
                                 problem == NULL && self->n_sendable > 0 && *subject != '\0'
                                 && has_body);
  /* TRANSLATORS: the Send button of an email: "Send to 2 people". */
  button = g_strdup_printf (ngettext ("_Send to %s person", "_Send to %s people",
                                      self->n_sendable), sendable);
  gtk_button_set_label (self->send_button, button);
}

/* The length, encoding and segments of the text as the first recipient
 * gets it, what all of it costs, and whether it can be sent. */
static void
update_message (TurnoutSendTextDialog *self)
{
  g_autofree char *text = dup_text (self);
  g_autofree char *summary = turnout_merge_highlighter_dup_summary (self->highlighter);
  g_autoptr(TurnoutTemplate) template = turnout_template_new ("sms");
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *first_text = NULL;
  g_autoptr(TurnoutSmsInfo) info = NULL;
  g_autofree char *characters = NULL;
  g_autofree char *counter = NULL;
  g_autofree char *cost = NULL;
  g_autofree char *button = NULL;
  g_autofree char *sendable = format_count (self->n_sendable);
  Entry *first = first_sendable (self);
  gboolean too_long = FALSE;
  g_autofree char *problem = NULL;

  if (self->sending || self->finished)
    return;
  if (self->email)
    {
      update_email_message (self);
      return;
    }

  g_clear_pointer (&self->renderer, turnout_template_renderer_free);
  turnout_template_set_body_text (template, text);
  self->renderer = turnout_template_renderer_new (template, &error);

  self->total_segments = 0;
  if (self->renderer != NULL)
    {
      for (guint i = 0; i < self->entries->len; i++)
        {
          Entry *entry = g_ptr_array_index (self->entries, i);
          g_autofree char *message = NULL;
          g_autoptr(TurnoutSmsInfo) entry_info = NULL;

          if (!entry->sendable)
            continue;
          message = render_for (self, entry);
          entry_info = turnout_sms_info_new (message);
          self->total_segments += entry_info->segments;
          too_long |= entry_info->too_long;
          if (entry == first)
            first_text = g_steal_pointer (&message);
        }
      if (first_text == NULL)
        first_text = render_for (self, NULL);
    }
  else
    first_text = g_strdup (text);

  info = turnout_sms_info_new (first_text);
  /* While a field is wrong, the text as typed is the best guess of its
   * length, rather than a cost of nothing. */
  if (self->renderer == NULL)
    {
      self->total_segments = self->n_sendable * info->segments;
      too_long = info->too_long;
    }
  /* TRANSLATORS: the length of a text message in characters. */
  characters = g_strdup_printf (ngettext ("%u character", "%u characters", info->characters),
                                info->characters);
  if (is_mms (self))
    /* TRANSLATORS: "MMS · 120 characters". */
    counter = g_strdup_printf (_("MMS · %s"), characters);
  else
    {
      g_autofree char *segments = g_strdup_printf (ngettext ("%u segment", "%u segments",
                                                             info->segments), info->segments);

      /* TRANSLATORS: "GSM-7 · 54 characters · 1 segment". */
      counter = g_strdup_printf (_("%s · %s · %s"), turnout_sms_encoding_to_string (info->encoding),
                                 characters, segments);
    }
  if (first != NULL && self->renderer != NULL)
    {
      g_autofree char *name = turnout_recipient_dup_name (first->recipient);
      g_autofree char *as = NULL;

      /* TRANSLATORS: "GSM-7 · 54 characters · 1 segment, as Ana Ruiz gets it". */
      as = g_strdup_printf (_("%s, as %s gets it"), counter, name);
      g_free (counter);
      counter = g_steal_pointer (&as);
    }
  gtk_label_set_text (self->counter_label, counter);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->counter_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, counter, -1);

  if (is_mms (self))
    {
      double price = self->settings != NULL
                     ? turnout_settings_get_double (self->settings, "mms.price_per_message") : 0;
      g_autofree char *messages = g_strdup_printf (ngettext ("%s MMS", "%s MMS", self->n_sendable),
                                                   sendable);

      self->cost = self->n_sendable * price;
      /* TRANSLATORS: "≈ $0.04 in all: 2 MMS at $0.0220 each". */
      cost = g_strdup_printf (_("≈ $%.2f in all: %s at $%.4f each"), self->cost, messages, price);
    }
  else
    {
      double price = self->settings != NULL
                     ? turnout_settings_get_double (self->settings, "sms.price_per_segment") : 0;
      g_autofree char *count = format_count (self->total_segments);
      g_autofree char *segments = g_strdup_printf (ngettext ("%s segment", "%s segments",
                                                             self->total_segments), count);

      self->cost = self->total_segments * price;
      /* TRANSLATORS: "≈ $0.02 in all: 2 segments at $0.0083 each". */
      cost = g_strdup_printf (_("≈ $%.2f in all: %s at $%.4f each"), self->cost, segments, price);
    }
  gtk_label_set_text (self->cost_label, cost);
  gtk_widget_set_visible (GTK_WIDGET (self->cost_label), self->n_sendable > 0);

  stripped = g_strstrip (g_strdup (text));
  if (self->entries->len > 0 && self->n_sendable == 0)
    problem = g_strdup (_("None of these contacts can get a text: see why above."));
  else if (summary != NULL)
    problem = g_strdup (summary);
  else if (self->renderer == NULL)
    problem = g_strdup (error->message);
  else if (too_long)
    problem = g_strdup_printf (_("Too long: Twilio takes at most %u characters"),
                               (guint) TURNOUT_SMS_MAX_CHARACTERS);
  /* Nothing typed yet needs no scolding: Send just waits. */
  set_problem (self, problem);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "send-text.send",
                                 problem == NULL && self->n_sendable > 0
                                 && (*stripped != '\0' || is_mms (self)));
  /* TRANSLATORS: the Send button: "Send to 2 people (≈ $0.02)". */
  button = g_strdup_printf (ngettext ("_Send to %s person (≈ $%.2f)",
                                      "_Send to %s people (≈ $%.2f)", self->n_sendable),
                            sendable, self->cost);
  gtk_button_set_label (self->send_button, button);
}

static void
on_buffer_changed_cb (TurnoutSendTextDialog *self)
{
  update_message (self);
}

static void
on_subject_changed_cb (TurnoutSendTextDialog *self)
{
  if (self->entries != NULL)
    update_message (self);
}

/* A template shows its subject and text, not to be changed here: it goes
 * with its HTML part, which a change to the text would leave behind. */
static void
on_template_selected_cb (TurnoutSendTextDialog *self)
{
  TurnoutTemplate *template;
  GtkTextBuffer *buffer;
  gboolean own;

  if (self->entries == NULL || !self->email || self->sending || self->finished)
    return;
  template = get_chosen_template (self);
  own = template == NULL;
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  if (!own)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->subject_entry),
                             turnout_template_get_subject (template));
      gtk_text_buffer_set_text (buffer, turnout_template_get_body_text (template) != NULL
                                        ? turnout_template_get_body_text (template) : "", -1);
    }
  else if (!gtk_widget_get_sensitive (GTK_WIDGET (self->subject_entry)))
    {
      /* Back to writing: start from nothing rather than a template's text. */
      gtk_editable_set_text (GTK_EDITABLE (self->subject_entry), "");
      gtk_text_buffer_set_text (buffer, "", -1);
    }
  /* Insensitive rather than merely read-only: an entry row that can't be
   * edited still shows its pencil. The focus leaves it first, as GTK
   * complains about a focused entry made insensitive. */
  if (!own)
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->subject_entry)))
        gtk_widget_grab_focus (GTK_WIDGET (self->template_row));
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->subject_entry), own);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->text_view), own);
  adw_preferences_group_set_description (self->email_group,
                                         own ? _("Send a saved email template as designed, or "
                                                 "write a plain-text email here.")
                                             : _("The template’s subject and text as saved, sent "
                                                 "with its HTML part; change them in Templates."));
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (self->text_view), own);
  update_message (self);
}

static void
on_templates_loaded_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(TurnoutSendTextDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = turnout_templates_list_finish (TURNOUT_STORE (source), result,
                                                              &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_gone (self))
    return;
  if (list == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the templates: %s"),
                                               error->message);

      adw_preferences_group_set_description (self->email_group, text);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(TurnoutTemplate) template = g_list_model_get_item (list, i);

      if (!turnout_template_is_email (template))
        continue;
      gtk_string_list_append (self->template_names, turnout_template_get_name (template));
      g_ptr_array_add (self->templates, g_steal_pointer (&template));
    }
}

/* Media --------------------------------------------------------------------- */

static void update_media (TurnoutSendTextDialog *self);

static void
on_remove_media_clicked_cb (GtkButton             *button,
                            TurnoutSendTextDialog *self)
{
  const char *url = g_object_get_data (G_OBJECT (button), "turnout-url");
  guint index;

  if (g_ptr_array_find_with_equal_func (self->media_urls, url, g_str_equal, &index))
    g_ptr_array_remove_index (self->media_urls, index);
  update_media (self);
  update_message (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->media_entry));
}

static void
update_media (TurnoutSendTextDialog *self)
{
  for (guint i = 0; i < self->media_rows->len; i++)
    adw_preferences_group_remove (self->media_group, g_ptr_array_index (self->media_rows, i));
  g_ptr_array_set_size (self->media_rows, 0);

  for (guint i = 0; i < self->media_urls->len; i++)
    {
      const char *url = g_ptr_array_index (self->media_urls, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), url);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
      gtk_widget_set_tooltip_text (row, url);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Remove this address"), -1);
      g_object_set_data_full (G_OBJECT (remove), "turnout-url", g_strdup (url), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_media_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_preferences_group_add (self->media_group, row);
      g_ptr_array_add (self->media_rows, row);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->media_entry),
                            self->media_urls->len < TURNOUT_TEMPLATE_MAX_MEDIA);
}

static void
set_media_problem (TurnoutSendTextDialog *self,
                   const char            *problem)
{
  gtk_label_set_text (self->media_problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->media_problem_label), problem != NULL);
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->media_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->media_entry), "error");
}

static void
on_media_entry_apply_cb (TurnoutSendTextDialog *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->media_entry))));
  g_autoptr(GError) error = NULL;

  if (*url == '\0')
    return;
  if (self->media_urls->len >= TURNOUT_TEMPLATE_MAX_MEDIA)
    {
      g_autofree char *full = g_strdup_printf (_("A message carries at most %d pictures or files"),
                                               TURNOUT_TEMPLATE_MAX_MEDIA);

      set_media_problem (self, full);
      return;
    }
  if (!turnout_template_check_media_url (url, &error))
    {
      set_media_problem (self, error->message);
      return;
    }
  if (g_ptr_array_find_with_equal_func (self->media_urls, url, g_str_equal, NULL))
    {
      set_media_problem (self, _("That address is in the list already"));
      return;
    }
  g_ptr_array_add (self->media_urls, g_steal_pointer (&url));
  set_media_problem (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->media_entry), "");
  update_media (self);
  update_message (self);
}

/* Loading the contacts ---------------------------------------------------- */

static void load_next (TurnoutSendTextDialog *self);

static void
on_recipient_loaded_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(TurnoutSendTextDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  TurnoutRecipient *recipient = turnout_recipient_load_finish (TURNOUT_STORE (source), result,
                                                               &error);
  Entry *entry;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_gone (self))
    {
      g_clear_pointer (&recipient, turnout_recipient_free);
      return;
    }
  if (recipient == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the contacts: %s"),
                                                  error->message);

      gtk_label_set_text (self->failed_label, message);
      gtk_stack_set_visible_child_name (self->stack, "failed");
      return;
    }

  entry = g_new0 (Entry, 1);
  entry->contact_id = g_array_index (self->contact_ids, gint64, self->entries->len);
  entry->recipient = recipient;
  if (recipient != NULL)
    entry->name = turnout_recipient_dup_name (recipient);
  else
    /* TRANSLATORS: a contact erased while the dialog was opening. */
    entry->name = g_strdup_printf (_("Contact %" PRId64), entry->contact_id);
  entry->left_out = describe_left_out (recipient, self->email);
  entry->sendable = entry->left_out == NULL;
  self->n_sendable += entry->sendable;
  g_ptr_array_add (self->entries, entry);
  load_next (self);
}

static void
load_next (TurnoutSendTextDialog *self)
{
  if (self->entries->len < self->contact_ids->len)
    {
      turnout_recipient_load_async (self->store,
                                    g_array_index (self->contact_ids, gint64, self->entries->len),
                                    0, self->cancellable, on_recipient_loaded_cb,
                                    g_object_ref (self));
      return;
    }
  update_summary (self);
  update_message (self);
  gtk_stack_set_visible_child_name (self->stack, "compose");
  gtk_widget_grab_focus (self->email ? GTK_WIDGET (self->subject_entry)
                                     : GTK_WIDGET (self->text_view));
}

/* Sending -------------------------------------------------------------------- */

static void
set_row_outcome (Entry      *entry,
                 const char *icon_name,
                 const char *style,
                 const char *text)
{
  adw_action_row_set_subtitle (entry->row, text);
  gtk_image_set_from_icon_name (entry->icon, icon_name);
  gtk_widget_remove_css_class (GTK_WIDGET (entry->icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (entry->icon), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (entry->icon), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (entry->icon), style);
}

static void
update_progress (TurnoutSendTextDialog *self)
{
  g_autofree char *done = format_count (self->n_done);
  g_autofree char *total = format_count (self->n_sendable);
  g_autofree char *text = NULL;

  if (self->finished)
    {
      g_autofree char *sent = format_count (self->n_sent);
      g_autofree char *not_sent = format_count (self->entries->len - self->n_sent);

      /* TRANSLATORS: "1 sent, 1 not sent". */
      text = g_strdup_printf (ngettext ("%s sent, %s not sent", "%s sent, %s not sent",
                                        self->n_sent), sent, not_sent);
      if (self->stop_requested && self->n_done < self->n_sendable)
        {
          g_autofree char *stopped = g_strdup_printf (_("Stopped: %s"), text);

          g_free (text);
          text = g_steal_pointer (&stopped);
        }
    }
  else if (self->stop_requested)
    text = g_strdup (self->email ? _("Stopping after the email being sent…")
                                 : _("Stopping after the text being sent…"));
  else
    /* TRANSLATORS: "Sending 1 of 2…". */
    text = g_strdup_printf (_("Sending %s of %s…"), done, total);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 self->n_sendable > 0 ? (double) self->n_done / self->n_sendable
                                                      : 1.0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text, -1);
}

static void
finish_sending (TurnoutSendTextDialog *self)
{
  self->sending = FALSE;
  self->finished = TRUE;
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->sendable && i >= self->next)
        set_row_outcome (entry, "media-playback-stop-symbolic", "dim-label",
                         _("Not sent: stopped before its turn"));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), FALSE);
  gtk_button_set_label (self->close_button, _("_Close"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "send-text.stop", FALSE);
  update_progress (self);
  g_signal_emit (self, signals[FINISHED], 0, self->n_sent);
}

static void send_next (TurnoutSendTextDialog *self);

static void
on_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TurnoutSendTextDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutOutboxResult) outcome = turnout_outbox_send_finish (TURNOUT_STORE (source),
                                                                       result, &error);
  Entry *entry;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_gone (self))
    return;
  entry = g_ptr_array_index (self->entries, self->next);
  self->next++;
  self->n_done++;
  if (outcome == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Not sent: %s"), error->message);

      set_row_outcome (entry, "action-unavailable-symbolic", "error", text);
    }
  else if (g_strcmp0 (outcome->state, "sent") == 0)
    {
      /* TRANSLATORS: "Sent · SM0123…", with the id Twilio gave the message,
       * or the Message-ID of an email. */
      g_autofree char *text = g_strdup_printf (_("Sent · %s"), outcome->provider_id);

      self->n_sent++;
      set_row_outcome (entry, "emblem-ok-symbolic", "success", text);
    }
  else
    set_row_outcome (entry, "dialog-warning-symbolic", "error",
                     outcome->message != NULL ? outcome->message : _("Not sent"));
  update_progress (self);
  send_next (self);
}

static void
send_next (TurnoutSendTextDialog *self)
{
  Entry *entry;
  g_autofree char *text = NULL;

  while (self->next < self->entries->len
         && !((Entry *) g_ptr_array_index (self->entries, self->next))->sendable)
    self->next++;
  if (self->next >= self->entries->len || self->stop_requested)
    {
      finish_sending (self);
      return;
    }
  entry = g_ptr_array_index (self->entries, self->next);
  set_row_outcome (entry, "mail-send-symbolic", "dim-label", _("Sending…"));
  if (self->email)
    {
      g_autoptr(TurnoutRendered) rendered = render_all_for (self, entry);
      TurnoutOutgoing email = {
        .subject = rendered->subject,
        .text = rendered->text,
        .html = rendered->html != NULL && *rendered->html != '\0' ? rendered->html : NULL,
        .preheader = rendered->preheader,
      };

      /* No address given: the outbox mails the contact's address as stored
       * when the email leaves, checked again for consent and suppression,
       * and names them in To. */
      turnout_outbox_send_email_async (self->store, self->sender, entry->contact_id, NULL, &email,
                                       self->cancellable, on_sent_cb, g_object_ref (self));
      return;
    }
  text = render_for (self, entry);
  /* No number given: the outbox texts the contact's phone as stored when
   * the text leaves, checked again for consent and suppression then. */
  turnout_outbox_send_async (self->store, self->sender, entry->contact_id, NULL,
                             text, (const char * const *) self->frozen_media, self->cancellable,
                             on_sent_cb, g_object_ref (self));
}

static void
on_smtp_sender_ready_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(TurnoutSendTextDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSmtpSender) sender = turnout_smtp_sender_new_from_settings_finish (result,
                                                                                      &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_gone (self))
    return;
  if (sender == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Not sent: the mail server is not set up: %s"),
                                               error->message);

      gtk_label_set_text (self->status_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
      self->stop_requested = TRUE;
      finish_sending (self);
      return;
    }
  self->sender = TURNOUT_SENDER (g_steal_pointer (&sender));
  send_next (self);
}

static void
on_sender_ready_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TurnoutSendTextDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutTwilioSender) sender = turnout_twilio_sender_new_from_settings_finish (result,
                                                                                          &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_gone (self))
    return;
  if (sender == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Not sent: Twilio is not set up: %s"),
                                               error->message);

      gtk_label_set_text (self->status_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
      self->stop_requested = TRUE;
      finish_sending (self);
      return;
    }
  self->sender = TURNOUT_SENDER (g_steal_pointer (&sender));
  send_next (self);
}

static void
start_sending (TurnoutSendTextDialog *self)
{
  self->sending = TRUE;
  self->next = 0;
  self->frozen_media = g_new0 (char *, self->media_urls->len + 1);
  for (guint i = 0; i < self->media_urls->len; i++)
    self->frozen_media[i] = g_strdup (g_ptr_array_index (self->media_urls, i));

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry->name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->results_list, row);
      entry->row = ADW_ACTION_ROW (row);
      entry->icon = GTK_IMAGE (icon);
      if (entry->sendable)
        set_row_outcome (entry, "content-loading-symbolic", "dim-label", _("Waiting"));
      else
        set_row_outcome (entry, "action-unavailable-symbolic", "dim-label", entry->left_out);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "send-text.send", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "send-text.stop", TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->send_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), TRUE);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  update_progress (self);

  if (self->settings == NULL)
    {
      gtk_label_set_text (self->status_label,
                          self->email ? _("Not sent: Turnout has no settings to find the mail "
                                          "server in")
                                      : _("Not sent: Turnout has no settings to find Twilio in"));
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
      self->stop_requested = TRUE;
      finish_sending (self);
      return;
    }
  if (self->email)
    turnout_smtp_sender_new_from_settings_async (self->settings, self->cancellable,
                                                 on_smtp_sender_ready_cb, g_object_ref (self));
  else
    turnout_twilio_sender_new_from_settings_async (self->settings, self->cancellable,
                                                   on_sender_ready_cb, g_object_ref (self));
}

static void
on_confirm_response_cb (AdwMessageDialog      *question,
                        const char            *response,
                        TurnoutSendTextDialog *self)
{
  if (g_str_equal (response, "send") && !self->sending && !self->finished)
    start_sending (self);
}

/* The last question before emails go: how many, and how many are left out. */
static void
ask_email (TurnoutSendTextDialog  *self,
           const char             *count,
           guint                   left_out,
           char                  **heading,
           char                  **body,
           char                  **send_label)
{
  *heading = g_strdup_printf (ngettext ("Send %s Email?", "Send %s Emails?", self->n_sendable),
                              count);
  if (left_out > 0)
    {
      g_autofree char *left = format_count (left_out);

      /* TRANSLATORS: "1 contact gets this email now. 1 is left out, as listed." */
      *body = g_strdup_printf (ngettext ("%s contact gets this email now. "
                                         "%s is left out, as listed.",
                                         "%s contacts get this email now. "
                                         "%s are left out, as listed.", self->n_sendable),
                               count, left);
    }
  else
    *body = g_strdup_printf (ngettext ("%s contact gets this email now.",
                                       "%s contacts get this email now.", self->n_sendable),
                             count);
  *send_label = g_strdup_printf (ngettext ("_Send %s Email", "_Send %s Emails", self->n_sendable),
                                 count);
}

static void
turnout_send_text_dialog_send_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  TurnoutSendTextDialog *self = TURNOUT_SEND_TEXT_DIALOG (widget);
  g_autofree char *count = format_count (self->n_sendable);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *send_label = NULL;
  guint left_out = self->entries->len - self->n_sendable;
  GtkWidget *question;

  if (self->sending || self->finished)
    return;
  if (self->email)
    ask_email (self, count, left_out, &heading, &body, &send_label);
  else
    {
      heading = g_strdup_printf (ngettext ("Send %s Text?", "Send %s Texts?", self->n_sendable),
                                 count);
      if (left_out > 0)
        {
          g_autofree char *left = format_count (left_out);

          /* TRANSLATORS: "2 contacts get this text now, for about $0.02. 1 is left out." */
          body = g_strdup_printf (ngettext ("%s contact gets this text now, for about $%.2f. "
                                            "%s is left out, as listed.",
                                            "%s contacts get this text now, for about $%.2f. "
                                            "%s are left out, as listed.", self->n_sendable),
                                  count, self->cost, left);
        }
      else
        body = g_strdup_printf (ngettext ("%s contact gets this text now, for about $%.2f.",
                                          "%s contacts get this text now, for about $%.2f.",
                                          self->n_sendable),
                                count, self->cost);
      send_label = g_strdup_printf (ngettext ("_Send %s Text", "_Send %s Texts",
                                              self->n_sendable), count);
    }

  question = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (question),
                                    "cancel", _("_Cancel"),
                                    "send", send_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (question), "send",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (question), "send");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (question), "cancel");
  g_signal_connect_object (question, "response", G_CALLBACK (on_confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (question));
}

static void
turnout_send_text_dialog_stop_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  TurnoutSendTextDialog *self = TURNOUT_SEND_TEXT_DIALOG (widget);

  if (!self->sending)
    return;
  self->stop_requested = TRUE;
  gtk_widget_action_set_enabled (widget, "send-text.stop", FALSE);
  update_progress (self);
}

/* GObject ------------------------------------------------------------------ */

static void
turnout_send_text_dialog_dispose (GObject *object)
{
  TurnoutSendTextDialog *self = TURNOUT_SEND_TEXT_DIALOG (object);

  /* A text in flight is seen through by the outbox and its outcome
   * written; nothing more starts. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->highlighter);
  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_SEND_TEXT_DIALOG);
  g_clear_pointer (&self->media_rows, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_clear_pointer (&self->renderer, turnout_template_renderer_free);
  g_clear_object (&self->sender);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (turnout_send_text_dialog_parent_class)->dispose (object);
}

static void
turnout_send_text_dialog_finalize (GObject *object)
{
  TurnoutSendTextDialog *self = TURNOUT_SEND_TEXT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->contact_ids, g_array_unref);
  g_clear_pointer (&self->media_urls, g_ptr_array_unref);
  g_clear_pointer (&self->frozen_media, g_strfreev);
  g_free (self->sender_name);
  g_free (self->unsubscribe);

  G_OBJECT_CLASS (turnout_send_text_dialog_parent_class)->finalize (object);
}

static void
turnout_send_text_dialog_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  TurnoutSendTextDialog *self = TURNOUT_SEND_TEXT_DIALOG (object);

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
turnout_send_text_dialog_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  TurnoutSendTextDialog *self = TURNOUT_SEND_TEXT_DIALOG (object);

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
turnout_send_text_dialog_class_init (TurnoutSendTextDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = turnout_send_text_dialog_dispose;
  object_class->finalize = turnout_send_text_dialog_finalize;
  object_class->get_property = turnout_send_text_dialog_get_property;
  object_class->set_property = turnout_send_text_dialog_set_property;

  /**
   * TurnoutSendTextDialog:store:
   *
   * The store the contacts are read from and the texts logged in.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TURNOUT_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  /**
   * TurnoutSendTextDialog:settings:
   *
   * Where the Twilio account, the prices and the sender's name are found;
   * without them nothing can be sent.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TURNOUT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TurnoutSendTextDialog::finished:
   * @n_sent: how many texts were sent
   *
   * Sending ended, done or stopped; the consent of a contact may have
   * changed (a provider's opt-out).
   */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/"
                                               "turnout-send-text-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, close_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, send_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, stop_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, left_out_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, text_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, problem_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, counter_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, cost_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, media_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, media_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, media_problem_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, email_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, template_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, template_names);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, subject_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, results_list);
  gtk_widget_class_bind_template_child (widget_class, TurnoutSendTextDialog, failed_label);
  gtk_widget_class_bind_template_callback (widget_class, on_media_entry_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_subject_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_template_selected_cb);

  gtk_widget_class_install_action (widget_class, "send-text.send", NULL,
                                   turnout_send_text_dialog_send_action);
  gtk_widget_class_install_action (widget_class, "send-text.stop", NULL,
                                   turnout_send_text_dialog_stop_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "send-text.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "send-text.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
turnout_send_text_dialog_init (TurnoutSendTextDialog *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->contact_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->media_urls = g_ptr_array_new_with_free_func (g_free);
  self->media_rows = g_ptr_array_new ();
  self->templates = g_ptr_array_new_with_free_func (g_object_unref);
  self->unsubscribe = turnout_sms_unsubscribe_text ();

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  self->highlighter = turnout_merge_highlighter_new (GTK_TEXT_VIEW (self->text_view));
  turnout_merge_completion_attach (self->text_view);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (on_buffer_changed_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "send-text.send", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "send-text.stop", FALSE);
}

/* Words and parts that are only about texts, changed for an email. */
static void
set_up_for_email (TurnoutSendTextDialog *self)
{
  g_autofree char *url = NULL;
  g_autofree char *mailto = NULL;

  self->email = TRUE;
  gtk_window_set_title (GTK_WINDOW (self), _("Send Email"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->send_button), _("Send the email (Ctrl+Return)"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->stop_button),
                               _("Send no more emails once the one on its way is sent"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Emails sent"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->results_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("What happened to each email"),
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->counter_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Subject as sent"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cost_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sender"), -1);
  gtk_widget_set_visible (GTK_WIDGET (self->media_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->email_group), TRUE);

  /* {unsubscribe} in an email says how to, as campaigns render it. */
  g_free (self->unsubscribe);
  url = self->settings != NULL
        ? turnout_settings_dup_string (self->settings, "email.unsubscribe_url") : NULL;
  mailto = self->settings != NULL
           ? turnout_settings_dup_string (self->settings, "email.unsubscribe_mailto") : NULL;
  self->unsubscribe = turnout_email_unsubscribe_text (url, mailto);

  turnout_templates_list_async (self->store, self->cancellable, on_templates_loaded_cb,
                                g_object_ref (self));
}

/**
 * turnout_send_text_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @settings: (nullable): where Twilio, the mail server and the prices are set
 * @channel: "sms" for a text, "email" for an email
 * @contact_ids: (array length=n_contact_ids): the contacts to message, at
 *   most %TURNOUT_SEND_TEXT_MAX_RECIPIENTS
 *
 * Returns: (transfer none): the dialog, not yet shown; it reads the
 *   contacts (and for an email, the email templates) on a worker once made.
 */
TurnoutSendTextDialog *
turnout_send_text_dialog_new (GtkWindow       *parent,
                              TurnoutStore    *store,
                              TurnoutSettings *settings,
                              const char      *channel,
                              const gint64    *contact_ids,
                              guint            n_contact_ids)
{
  TurnoutSendTextDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (contact_ids != NULL || n_contact_ids == 0, NULL);
  g_return_val_if_fail (g_strcmp0 (channel, "sms") == 0 || g_strcmp0 (channel, "email") == 0,
                        NULL);

  self = g_object_new (TURNOUT_TYPE_SEND_TEXT_DIALOG,
                       "store", store,
                       "settings", settings,
                       "transient-for", parent,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       NULL);
  if (settings != NULL)
    self->sender_name = turnout_settings_dup_string (settings, "general.sender_name");
  if (g_str_equal (channel, "email"))
    set_up_for_email (self);
  g_array_append_vals (self->contact_ids, contact_ids,
                       MIN (n_contact_ids, TURNOUT_SEND_TEXT_MAX_RECIPIENTS));
  load_next (self);
  return self;
}
