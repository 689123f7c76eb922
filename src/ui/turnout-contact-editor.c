/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-contact-editor"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-contact-editor.h"
#include "turnout-contact-details.h"
#include "turnout-phone.h"
#include "turnout-settings.h"
#include "turnout-store.h"

/*
 * The editor of one contact, in a modal window: the fields, the tags, the
 * consent on each channel with its history, the registrations and
 * figures, and the two GDPR actions (export everything about the person,
 * erase them). Loading, saving, erasing and exporting run on workers
 * through TurnoutContactDetails; the window only ever shows and collects.
 *
 * Fields are checked with the rules of the save itself
 * (turnout_contact_details_validate()) when the user leaves the phone,
 * email or time zone row, and all of them when Save is pressed; what the
 * store refuses (a number another contact has) comes back the same way,
 * as a message under the row it concerns.
 */

typedef enum
{
  FIELD_FIRST_NAME,
  FIELD_LAST_NAME,
  FIELD_PHONE,
  FIELD_EMAIL,
  FIELD_CITY,
  FIELD_TIME_ZONE,
  FIELD_NOTES,
  FIELD_TAGS,
  N_FIELDS
} Field;

/* The fields edited as text: all but the tags. */
#define N_TEXT_FIELDS FIELD_TAGS

/* The keys of TurnoutContactDetails' field errors. */
static const char * const field_names[N_FIELDS] = {
  "first_name", "last_name", "phone", "email", "city", "time_zone", "notes", "tags",
};

enum {
  CHANNEL_SMS,
  CHANNEL_EMAIL,
  N_CHANNELS
};

static const char * const channel_names[N_CHANNELS] = { "sms", "email" };

/* In the order of the consent combo rows' models. */
static const char * const consent_statuses[] = { "unknown", "opted_in", "opted_out" };

struct _TurnoutContactEditor
{
  AdwWindow              parent_instance;

  TurnoutStore          *store;                    /* owned */
  TurnoutSettings       *settings;                 /* owned; may be NULL */
  gint64                 contact_id;               /* 0 for a new contact until saved */
  TurnoutContactDetails *details;                  /* owned; as loaded */
  GCancellable          *cancellable;              /* owned; cancelled in dispose */
  GTimeZone             *app_zone;                 /* owned; the application's default */
  GPtrArray             *tags;                     /* char *, the tags shown */
  char                  *shown_texts[N_TEXT_FIELDS]; /* as loaded, to tell an edit */
  GStrv                  shown_tags;
  guint                  shown_consent[N_CHANNELS];
  GHashTable            *errors;                   /* field name → message shown */
  GPtrArray             *history_rows;             /* rows added to history_row */
  GPtrArray             *registration_rows;        /* rows added to registrations_row */
  GtkListStore          *completion_model;         /* owned; every tag name */
  GtkFileChooserNative  *export_chooser;           /* owned while open */
  gboolean               loading;                  /* filling the widgets: not an edit */
  gboolean               loaded;
  gboolean               busy;                     /* a save or an erasure in flight */
  gboolean               closing;                  /* closing for good: ask nothing more */

  GtkWidget             *field_rows[N_FIELDS];
  GtkWidget             *error_rows[N_FIELDS];
  GtkLabel              *error_labels[N_FIELDS];

  AdwToastOverlay       *toast_overlay;            /* template child */
  AdwWindowTitle        *window_title;             /* template child */
  GtkSpinner            *busy_spinner;             /* template child */
  GtkStack              *stack;                    /* template child */
  AdwStatusPage         *error_page;               /* template child */
  AdwPreferencesPage    *page;                     /* template child */
  AdwEntryRow           *first_name_row;           /* template child */
  AdwEntryRow           *last_name_row;            /* template child */
  AdwEntryRow           *phone_row;                /* template child */
  AdwEntryRow           *email_row;                /* template child */
  AdwEntryRow           *city_row;                 /* template child */
  AdwEntryRow           *time_zone_row;            /* template child */
  AdwPreferencesRow     *notes_row;                /* template child */
  GtkTextView           *notes_view;               /* template child */
  AdwPreferencesRow     *tags_row;                 /* template child */
  GtkLabel              *no_tags_label;            /* template child */
  GtkFlowBox            *tags_box;                 /* template child */
  GtkEntry              *tag_entry;                /* template child */
  GtkButton             *add_tag_button;           /* template child */
  AdwComboRow           *sms_consent_row;          /* template child */
  AdwComboRow           *email_consent_row;        /* template child */
  AdwExpanderRow        *history_row;              /* template child */
  GtkLabel              *attended_label;           /* template child */
  GtkLabel              *spend_label;              /* template child */
  GtkLabel              *first_event_label;        /* template child */
  GtkLabel              *last_event_label;         /* template child */
  AdwExpanderRow        *registrations_row;        /* template child */
  AdwPreferencesGroup   *history_group;            /* template child */
  AdwPreferencesGroup   *events_group;             /* template child */
  AdwPreferencesGroup   *data_group;               /* template child */
  AdwPreferencesRow     *first_name_error_row;     /* template child */
  AdwPreferencesRow     *last_name_error_row;      /* template child */
  AdwPreferencesRow     *phone_error_row;          /* template child */
  AdwPreferencesRow     *email_error_row;          /* template child */
  AdwPreferencesRow     *city_error_row;           /* template child */
  AdwPreferencesRow     *time_zone_error_row;      /* template child */
  AdwPreferencesRow     *notes_error_row;          /* template child */
  AdwPreferencesRow     *tags_error_row;           /* template child */
  GtkLabel              *first_name_error_label;   /* template child */
  GtkLabel              *last_name_error_label;    /* template child */
  GtkLabel              *phone_error_label;        /* template child */
  GtkLabel              *email_error_label;        /* template child */
  GtkLabel              *city_error_label;         /* template child */
  GtkLabel              *time_zone_error_label;    /* template child */
  GtkLabel              *notes_error_label;        /* template child */
  GtkLabel              *tags_error_label;         /* template child */
};

G_DEFINE_FINAL_TYPE (TurnoutContactEditor, turnout_contact_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_CONTACT_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SAVED,
  ERASED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Formatting ------------------------------------------------------------- */

static char *
format_time (gint64     unix_time,
             GTimeZone *zone,
             gboolean   with_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);

  /* TRANSLATORS: a date and time, as g_date_time_format() takes it */
  const char *date_time = _("%b %-d, %Y, %H:%M");
  /* TRANSLATORS: a date, as g_date_time_format() takes it */
  const char *date = _("%b %-d, %Y");

  return g_date_time_format (local, with_time ? date_time : date);
}

/* Amounts are in minor units (cents) of the currency setting. */
static char *
format_money (gint64      minor,
              const char *currency)
{
  static const struct
  {
    const char *code;
    const char *symbol;
  } symbols[] = {
    { "USD", "$" }, { "EUR", "€" }, { "GBP", "£" }, { "CAD", "CA$" }, { "AUD", "A$" },
    { "NZD", "NZ$" }, { "MXN", "MX$" }, { "BRL", "R$" }, { "INR", "₹" },
  };
  g_autofree char *number = g_strdup_printf ("%'" PRId64 ".%02d", minor / 100,
                                             (int) (minor % 100));

  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    if (g_strcmp0 (currency, symbols[i].code) == 0)
      return g_strconcat (symbols[i].symbol, number, NULL);
  return g_strdup_printf ("%s %s", number, currency);
}

static const char *
consent_label (const char *status)
{
  if (g_strcmp0 (status, "opted_in") == 0)
    return C_("consent", "Opted in");
  if (g_strcmp0 (status, "opted_out") == 0)
    return C_("consent", "Opted out");
  return C_("consent", "Unknown");
}

static const char *
source_label (const char *source)
{
  if (source == NULL)
    return C_("consent source", "source not recorded");
  if (g_str_equal (source, "manual"))
    return C_("consent source", "set by hand");
  if (g_str_equal (source, "form"))
    return C_("consent source", "sign-up form");
  if (g_str_equal (source, "import"))
    return C_("consent source", "import");
  if (g_str_equal (source, "keyword"))
    return C_("consent source", "keyword");
  return source;
}

static const char *
channel_label (const char *channel)
{
  return g_strcmp0 (channel, "sms") == 0 ? _("SMS") : _("Email");
}

static const char *
registration_status_label (const char *status)
{
  if (g_strcmp0 (status, "draft") == 0)
    return C_("registration", "Draft");
  if (g_strcmp0 (status, "cancelled") == 0)
    return C_("registration", "Cancelled");
  if (g_strcmp0 (status, "attended") == 0)
    return C_("registration", "Attended");
  return C_("registration", "Registered");
}

/* Core messages are sentence parts ("the email address is empty"); under
 * a row they stand alone, so a leading word gets its capital. A message
 * that starts with what the user typed ("ana@example.com already belongs
 * to…") keeps it as typed. */
static char *
capitalize (const char *message)
{
  const char *p = message;
  char first[8] = { 0 };

  while (*p != '\0' && *p != ' ' && g_unichar_isalpha (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  if (p == message || *p != ' ')
    return g_strdup (message);
  g_unichar_to_utf8 (g_unichar_totitle (g_utf8_get_char (message)), first);
  return g_strconcat (first, g_utf8_next_char (message), NULL);
}

/* Small helpers ------------------------------------------------------------ */

static void
add_toast (TurnoutContactEditor *self,
           const char           *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static char *
dup_region (TurnoutContactEditor *self)
{
  if (self->settings != NULL)
    return turnout_settings_dup_string (self->settings, "contacts.default_region");
  return g_strdup (turnout_setting_spec_lookup ("contacts.default_region")->default_value);
}

static char *
dup_currency (TurnoutContactEditor *self)
{
  if (self->settings != NULL)
    return turnout_settings_dup_string (self->settings, "general.currency");
  return g_strdup (turnout_setting_spec_lookup ("general.currency")->default_value);
}

static GTimeZone *
create_app_zone (TurnoutContactEditor *self)
{
  g_autofree char *identifier = NULL;
  GTimeZone *zone = NULL;

  if (self->settings != NULL)
    identifier = turnout_settings_dup_string (self->settings, "contacts.default_time_zone");
  if (identifier != NULL && *identifier != '\0')
    zone = g_time_zone_new_identifier (identifier);
  return zone != NULL ? zone : g_time_zone_new_local ();
}

static char *
dup_field_text (TurnoutContactEditor *self,
                Field                 field)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  if (field != FIELD_NOTES)
    return g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->field_rows[field])));

  buffer = gtk_text_view_get_buffer (self->notes_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_field_text (TurnoutContactEditor *self,
                Field                 field,
                const char           *text)
{
  if (field == FIELD_NOTES)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (self->field_rows[field]), text != NULL ? text : "");
}

static GStrv
dup_tags (TurnoutContactEditor *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->tags->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->tags, i));
  return g_strv_builder_end (builder);
}

static gboolean
has_tag (const char * const *tags,
         const char         *tag)
{
  g_autofree char *key = g_utf8_casefold (tag, -1);

  for (guint i = 0; tags[i] != NULL; i++)
    {
      g_autofree char *other = g_utf8_casefold (tags[i], -1);

      if (g_str_equal (key, other))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_dirty (TurnoutContactEditor *self)
{
  g_auto(GStrv) tags = NULL;

  if (!self->loaded)
    return FALSE;

  for (Field field = 0; field < N_TEXT_FIELDS; field++)
    {
      g_autofree char *text = dup_field_text (self, field);

      if (g_strcmp0 (text, self->shown_texts[field]) != 0)
        return TRUE;
    }

  /* The same tags in another order are no change. */
  tags = dup_tags (self);
  if (g_strv_length (tags) != g_strv_length (self->shown_tags))
    return TRUE;
  for (guint i = 0; tags[i] != NULL; i++)
    if (!has_tag ((const char * const *) self->shown_tags, tags[i]))
      return TRUE;

  return adw_combo_row_get_selected (self->sms_consent_row) != self->shown_consent[CHANNEL_SMS] ||
         adw_combo_row_get_selected (self->email_consent_row) != self->shown_consent[CHANNEL_EMAIL];
}

static void
update_actions (TurnoutContactEditor *self)
{
  gboolean ready = self->loaded && !self->busy;
  gboolean saved_contact = ready && self->contact_id > 0;

  /* Save waits for a change, and for the fields shown in error to be
   * edited: pressing it again would only show the same messages. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save",
                                 ready && g_hash_table_size (self->errors) == 0 &&
                                 is_dirty (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.cancel", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.erase", saved_contact);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.export", saved_contact);

  gtk_widget_set_visible (GTK_WIDGET (self->busy_spinner), self->busy);
  gtk_spinner_set_spinning (self->busy_spinner, self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->page), !self->busy);
}

/* Field errors --------------------------------------------------------------- */

static void
show_field_error (TurnoutContactEditor *self,
                  Field                 field,
                  const char           *message)
{
  g_autofree char *sentence = capitalize (message);
  GtkWidget *row = self->field_rows[field];

  gtk_widget_add_css_class (row, "error");
  gtk_widget_set_tooltip_text (row, sentence);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, sentence,
                                  -1);
  gtk_label_set_text (self->error_labels[field], sentence);
  gtk_widget_set_visible (self->error_rows[field], TRUE);
  g_hash_table_replace (self->errors, (gpointer) field_names[field], g_steal_pointer (&sentence));
}

static void
clear_field_error (TurnoutContactEditor *self,
                   Field                 field)
{
  GtkWidget *row = self->field_rows[field];

  if (!g_hash_table_remove (self->errors, field_names[field]))
    return;

  gtk_widget_remove_css_class (row, "error");
  gtk_widget_set_tooltip_text (row, field == FIELD_TIME_ZONE
                                      ? _("A name such as America/New_York or Europe/Berlin; "
                                          "empty uses the default")
                                      : NULL);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  gtk_widget_set_visible (self->error_rows[field], FALSE);
  gtk_label_set_text (self->error_labels[field], "");
}

static void
clear_field_errors (TurnoutContactEditor *self)
{
  for (Field field = 0; field < N_FIELDS; field++)
    clear_field_error (self, field);
}

/* Shows every error of @errors under its row and takes the keyboard to
 * the first; errors of fields without a row of their own (consent) go
 * into a toast. */
static void
show_field_errors (TurnoutContactEditor *self,
                   GHashTable           *errors)
{
  g_autoptr(GString) others = g_string_new (NULL);
  GHashTableIter iter;
  const char *name, *message;
  GtkWidget *first = NULL;

  for (Field field = 0; field < N_FIELDS; field++)
    {
      message = g_hash_table_lookup (errors, field_names[field]);
      if (message == NULL)
        {
          clear_field_error (self, field);
          continue;
        }
      show_field_error (self, field, message);
      if (first == NULL)
        first = field == FIELD_NOTES ? GTK_WIDGET (self->notes_view)
                                     : field == FIELD_TAGS ? GTK_WIDGET (self->tag_entry)
                                                           : self->field_rows[field];
    }

  g_hash_table_iter_init (&iter, errors);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &message))
    {
      if (g_strv_contains (field_names, name))
        continue;
      if (others->len > 0)
        g_string_append (others, "; ");
      /* TRANSLATORS: a field and what is wrong with it */
      g_string_append_printf (others, _("%s: %s"),
                              turnout_contact_details_field_get_label (name), message);
    }
  if (others->len > 0)
    add_toast (self, others->str);

  if (first != NULL)
    gtk_widget_grab_focus (first);
  update_actions (self);
}

/* The details with the user's edits, for validating and saving. */
static TurnoutContactDetails *
collect_details (TurnoutContactEditor *self)
{
  TurnoutContactDetails *details = turnout_contact_details_copy (self->details);
  char *texts[N_TEXT_FIELDS] = { NULL };
  g_auto(GStrv) tags = dup_tags (self);
  AdwComboRow *combos[N_CHANNELS] = { self->sms_consent_row, self->email_consent_row };

  for (Field field = 0; field < N_TEXT_FIELDS; field++)
    texts[field] = dup_field_text (self, field);

  turnout_contact_details_set_first_name (details, texts[FIELD_FIRST_NAME]);
  turnout_contact_details_set_last_name (details, texts[FIELD_LAST_NAME]);
  turnout_contact_details_set_phone (details, texts[FIELD_PHONE]);
  turnout_contact_details_set_email (details, texts[FIELD_EMAIL]);
  turnout_contact_details_set_city (details, texts[FIELD_CITY]);
  turnout_contact_details_set_time_zone (details, texts[FIELD_TIME_ZONE]);
  turnout_contact_details_set_notes (details, texts[FIELD_NOTES]);
  turnout_contact_details_set_tags (details, (const char * const *) tags);

  /* A consent the user did not touch is left as stored: the save then
   * does not write it, and the history gets nothing. */
  for (guint i = 0; i < N_CHANNELS; i++)
    {
      guint selected = adw_combo_row_get_selected (combos[i]);

      if (selected != self->shown_consent[i] && selected < G_N_ELEMENTS (consent_statuses))
        turnout_contact_details_set_consent (details, channel_names[i], consent_statuses[selected],
                                             "manual");
    }

  for (Field field = 0; field < N_TEXT_FIELDS; field++)
    g_clear_pointer (&texts[field], g_free);
  return details;
}

/* Checks one field by the rules of the save, when the user leaves it. An
 * empty phone or email is not an error yet: the other may be filled in
 * next, and Save says so if neither is. */
static void
validate_field (TurnoutContactEditor *self,
                Field                 field)
{
  g_autoptr(TurnoutContactDetails) details = NULL;
  g_autoptr(GHashTable) errors = NULL;
  g_autofree char *region = NULL;
  g_autofree char *text = NULL;
  const char *message;

  if (!self->loaded || self->loading || self->busy || self->closing)
    return;

  if (field != FIELD_TAGS)
    {
      text = dup_field_text (self, field);
      g_strstrip (text);
      if (*text == '\0')
        {
          clear_field_error (self, field);
          update_actions (self);
          return;
        }
    }

  region = dup_region (self);
  details = collect_details (self);
  errors = turnout_contact_details_validate (details, region);
  message = errors != NULL ? g_hash_table_lookup (errors, field_names[field]) : NULL;
  if (message != NULL)
    show_field_error (self, field, message);
  else
    clear_field_error (self, field);

  /* An accepted number is shown as people of its country write it. */
  if (message == NULL && field == FIELD_PHONE)
    {
      g_autofree char *e164 = turnout_phone_normalize (text, region, NULL);
      g_autofree char *display = e164 != NULL ? turnout_phone_format_display (e164) : NULL;

      if (display != NULL &&
          g_strcmp0 (display, gtk_editable_get_text (GTK_EDITABLE (self->phone_row))) != 0)
        gtk_editable_set_text (GTK_EDITABLE (self->phone_row), display);
    }

  update_actions (self);
}

/* Showing a contact -------------------------------------------------------------- */

/* An empty time zone means the application's: the row's title says which,
 * as the title is what an empty entry row shows. */
static void
update_time_zone_hint (TurnoutContactEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->time_zone_row));
  g_autofree char *title = NULL;

  if (*text == '\0')
    {
      g_auto(GStrv) parts = g_strsplit (g_time_zone_get_identifier (self->app_zone), "_", -1);
      g_autofree char *zone = g_strjoinv ("__", parts);

      /* TRANSLATORS: the title of an empty time zone row; keep the mnemonic */
      title = g_strdup_printf (_("_Time Zone (default: %s)"), zone);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->time_zone_row),
                                 title != NULL ? title : _("_Time Zone"));
}

static void
update_consent_subtitle (TurnoutContactEditor *self,
                         guint                 channel)
{
  AdwComboRow *row = channel == CHANNEL_SMS ? self->sms_consent_row : self->email_consent_row;
  g_autofree char *subtitle = NULL;
  const char *status, *source = NULL;
  gint64 at = 0;

  status = turnout_contact_details_get_consent (self->details, channel_names[channel], &at,
                                                &source);

  if (adw_combo_row_get_selected (row) != self->shown_consent[channel])
    subtitle = g_strdup (_("Changed by hand; recorded in the history when you save"));
  else if (at != 0)
    {
      g_autofree char *date = format_time (at, self->app_zone, FALSE);

      /* TRANSLATORS: "since May 1, 2026 · sign-up form" */
      subtitle = g_strdup_printf (_("Since %s · %s"), date, source_label (source));
    }
  else if (g_str_equal (status, "unknown"))
    subtitle = g_strdup (_("Never asked"));
  else
    subtitle = g_strdup (source_label (source));

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
}

static guint
consent_index (const char *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (consent_statuses); i++)
    if (g_strcmp0 (status, consent_statuses[i]) == 0)
      return i;
  return 0;
}

static void
on_remove_tag_clicked_cb (GtkButton            *button,
                          TurnoutContactEditor *self);

static void
rebuild_tag_chips (TurnoutContactEditor *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tags_box))) != NULL)
    gtk_flow_box_remove (self->tags_box, child);

  for (guint i = 0; i < self->tags->len; i++)
    {
      const char *tag = g_ptr_array_index (self->tags, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *button = gtk_button_new ();
      g_autofree char *tooltip = g_strdup_printf (_("Remove “%s”"), tag);

      if (self->details != NULL && turnout_contact_details_is_genre (self->details, tag))
        {
          GtkWidget *icon = gtk_image_new_from_icon_name ("audio-x-generic-symbolic");

          gtk_widget_set_tooltip_text (icon, _("Genre"));
          gtk_box_append (GTK_BOX (box), icon);
        }
      gtk_box_append (GTK_BOX (box), gtk_label_new (tag));
      gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("window-close-symbolic"));
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                      -1);
      g_object_set_data_full (G_OBJECT (button), "turnout-tag", g_strdup (tag), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_remove_tag_clicked_cb), self);

      gtk_flow_box_append (self->tags_box, button);
      /* One tab stop per chip: the button, not the flow box child too. */
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->tags_box), self->tags->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->no_tags_label), self->tags->len == 0);
}

static void
clear_added_rows (AdwExpanderRow *expander,
                  GPtrArray      *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_expander_row_remove (expander, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static GtkWidget *
create_info_row (const char *title,
                 const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  /* Names and sources come from people and files, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static void
show_history (TurnoutContactEditor *self)
{
  GPtrArray *history = turnout_contact_details_get_consent_history (self->details);
  g_autofree char *count = NULL;

  clear_added_rows (self->history_row, self->history_rows);

  for (guint i = 0; i < history->len; i++)
    {
      TurnoutContactConsentChange *change = g_ptr_array_index (history, i);
      g_autofree char *when = format_time (change->changed_at, self->app_zone, TRUE);
      /* TRANSLATORS: a channel and a consent, such as "SMS · Opted out" */
      g_autofree char *title = g_strdup_printf (_("%s · %s"), channel_label (change->channel),
                                                consent_label (change->status));
      /* TRANSLATORS: when and how, such as "May 1, 2026, 14:05 · set by hand" */
      g_autofree char *subtitle = g_strdup_printf (_("%s · %s"), when,
                                                   source_label (change->source));
      GtkWidget *row = create_info_row (title, subtitle);

      adw_expander_row_add_row (self->history_row, row);
      g_ptr_array_add (self->history_rows, row);
    }
  if (history->len == 0)
    {
      GtkWidget *row = create_info_row (_("No consent recorded yet"), NULL);

      adw_expander_row_add_row (self->history_row, row);
      g_ptr_array_add (self->history_rows, row);
    }

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u change", "%u changes", history->len),
                           history->len);
  adw_expander_row_set_subtitle (self->history_row, count);
  /* A short history is shown open; a long one on demand. */
  adw_expander_row_set_expanded (self->history_row, history->len > 0 && history->len <= 6);
}

static void
show_events (TurnoutContactEditor *self)
{
  GPtrArray *registrations = turnout_contact_details_get_registrations (self->details);
  g_autofree char *currency = dup_currency (self);
  g_autofree char *attended = NULL;
  g_autofree char *spend = NULL;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *count = NULL;
  gint64 first_at = turnout_contact_details_get_first_event_at (self->details);
  gint64 last_at = turnout_contact_details_get_last_event_at (self->details);

  attended = g_strdup_printf ("%u", turnout_contact_details_get_events_attended (self->details));
  gtk_label_set_text (self->attended_label, attended);
  spend = format_money (turnout_contact_details_get_total_spend (self->details), currency);
  gtk_label_set_text (self->spend_label, spend);
  first = first_at != 0 ? format_time (first_at, self->app_zone, FALSE) : g_strdup (_("None"));
  gtk_label_set_text (self->first_event_label, first);
  last = last_at != 0 ? format_time (last_at, self->app_zone, FALSE) : g_strdup (_("None"));
  gtk_label_set_text (self->last_event_label, last);

  clear_added_rows (self->registrations_row, self->registration_rows);
  for (guint i = 0; i < registrations->len; i++)
    {
      TurnoutContactRegistration *registration = g_ptr_array_index (registrations, i);
      g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (registration->event_time_zone);
      g_autofree char *when = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *amount = format_money (registration->amount, currency);
      GtkWidget *amount_label = gtk_label_new (amount);
      GtkWidget *row;

      /* A cancelled registration's amount is not in the total spend. */
      if (g_strcmp0 (registration->status, "cancelled") == 0)
        gtk_widget_add_css_class (amount_label, "dim-label");

      /* An event's time is shown where it happens. */
      when = format_time (registration->event_starts_at, zone != NULL ? zone : self->app_zone,
                          TRUE);
      if (registration->ticket_type != NULL && *registration->ticket_type != '\0')
        /* TRANSLATORS: when, the status and the ticket, such as
         * "Jun 20, 2026, 21:00 · Registered · VIP" */
        subtitle = g_strdup_printf (_("%s · %s · %s"), when,
                                    registration_status_label (registration->status),
                                    registration->ticket_type);
      else
        subtitle = g_strdup_printf (_("%s · %s"), when,
                                    registration_status_label (registration->status));
      row = create_info_row (registration->event_name, subtitle);
      gtk_widget_set_valign (amount_label, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), amount_label);
      adw_expander_row_add_row (self->registrations_row, row);
      g_ptr_array_add (self->registration_rows, row);
    }
  if (registrations->len == 0)
    {
      GtkWidget *row = create_info_row (_("No registrations yet"), NULL);

      adw_expander_row_add_row (self->registrations_row, row);
      g_ptr_array_add (self->registration_rows, row);
    }

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u registration", "%u registrations",
                                        registrations->len),
                           registrations->len);
  adw_expander_row_set_subtitle (self->registrations_row, count);
  adw_expander_row_set_expanded (self->registrations_row,
                                 registrations->len > 0 && registrations->len <= 6);
}

static void
show_details (TurnoutContactEditor *self)
{
  TurnoutContactDetails *details = self->details;
  const char * const *tags = turnout_contact_details_get_tags (details);
  const char *phone = turnout_contact_details_get_phone (details);
  g_autofree char *phone_text = phone != NULL ? turnout_phone_format_display (phone) : NULL;
  g_autofree char *name = NULL;
  AdwComboRow *combos[N_CHANNELS] = { self->sms_consent_row, self->email_consent_row };

  self->loading = TRUE;

  set_field_text (self, FIELD_FIRST_NAME, turnout_contact_details_get_first_name (details));
  set_field_text (self, FIELD_LAST_NAME, turnout_contact_details_get_last_name (details));
  set_field_text (self, FIELD_PHONE, phone_text);
  set_field_text (self, FIELD_EMAIL, turnout_contact_details_get_email (details));
  set_field_text (self, FIELD_CITY, turnout_contact_details_get_city (details));
  set_field_text (self, FIELD_TIME_ZONE, turnout_contact_details_get_time_zone (details));
  set_field_text (self, FIELD_NOTES, turnout_contact_details_get_notes (details));
  for (Field field = 0; field < N_TEXT_FIELDS; field++)
    {
      g_free (self->shown_texts[field]);
      self->shown_texts[field] = dup_field_text (self, field);
    }
  update_time_zone_hint (self);

  g_ptr_array_set_size (self->tags, 0);
  for (guint i = 0; tags[i] != NULL; i++)
    g_ptr_array_add (self->tags, g_strdup (tags[i]));
  g_strfreev (self->shown_tags);
  self->shown_tags = g_strdupv ((GStrv) tags);
  rebuild_tag_chips (self);

  for (guint i = 0; i < N_CHANNELS; i++)
    {
      self->shown_consent[i] =
        consent_index (turnout_contact_details_get_consent (details, channel_names[i], NULL, NULL));
      adw_combo_row_set_selected (combos[i], self->shown_consent[i]);
      update_consent_subtitle (self, i);
    }

  show_history (self);
  show_events (self);

  /* A contact not saved yet has no history or events yet, and nothing to
   * export or erase. */
  gtk_widget_set_visible (GTK_WIDGET (self->history_group), self->contact_id > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->events_group), self->contact_id > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->data_group), self->contact_id > 0);

  name = self->contact_id > 0 ? turnout_contact_details_dup_display_name (details)
                              : g_strdup (_("New Contact"));
  adw_window_title_set_title (self->window_title, name);
  gtk_window_set_title (GTK_WINDOW (self), name);

  clear_field_errors (self);
  self->loading = FALSE;
  self->loaded = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "editor");
  update_actions (self);
}

/* Loading ---------------------------------------------------------------------- */

static void
on_details_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TurnoutContactEditor) self = user_data;
  g_autoptr(TurnoutContactDetails) details = NULL;
  g_autoptr(GError) error = NULL;

  details = turnout_contact_details_load_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (details == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->error_page, escaped);
      adw_window_title_set_title (self->window_title, _("Contact"));
      gtk_stack_set_visible_child_name (self->stack, "error");
      update_actions (self);
      return;
    }

  g_set_object (&self->details, details);
  show_details (self);
}

static void
on_tags_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TurnoutContactEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  names = turnout_contact_details_list_tags_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Completion is a help: without it, tags are still typed in full. */
  if (names == NULL)
    {
      g_warning ("Could not read the tags for completion: %s", error->message);
      return;
    }

  gtk_list_store_clear (self->completion_model);
  for (guint i = 0; names[i] != NULL; i++)
    gtk_list_store_insert_with_values (self->completion_model, NULL, -1, 0, names[i], -1);
}

/* Edits ------------------------------------------------------------------------ */

static Field
find_field (TurnoutContactEditor *self,
            GtkWidget            *row)
{
  for (Field field = 0; field < N_FIELDS; field++)
    if (self->field_rows[field] == row)
      return field;
  g_return_val_if_reached (FIELD_FIRST_NAME);
}

static void
on_field_changed_cb (TurnoutContactEditor *self,
                     GtkWidget            *emitter)
{
  Field field;

  if (self->loading)
    return;

  field = GTK_IS_TEXT_BUFFER (emitter) ? FIELD_NOTES : find_field (self, emitter);
  clear_field_error (self, field);
  if (field == FIELD_TIME_ZONE)
    update_time_zone_hint (self);
  update_actions (self);
}

static void
on_entry_row_changed_cb (GtkEditable          *editable,
                         TurnoutContactEditor *self)
{
  on_field_changed_cb (self, GTK_WIDGET (editable));
}

static void
on_notes_changed_cb (GtkTextBuffer        *buffer,
                     TurnoutContactEditor *self)
{
  on_field_changed_cb (self, (GtkWidget *) buffer);
}

static void
on_entry_row_activated_cb (AdwEntryRow          *row,
                           TurnoutContactEditor *self)
{
  validate_field (self, find_field (self, GTK_WIDGET (row)));
}

static void
on_focus_leave_cb (GtkEventControllerFocus *controller,
                   TurnoutContactEditor    *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  validate_field (self, find_field (self, row));
}

static void
on_consent_selected_cb (AdwComboRow          *row,
                        GParamSpec           *pspec,
                        TurnoutContactEditor *self)
{
  if (self->loading || self->details == NULL)
    return;

  update_consent_subtitle (self, row == self->sms_consent_row ? CHANNEL_SMS : CHANNEL_EMAIL);
  update_actions (self);
}

static void
add_tag (TurnoutContactEditor *self,
         const char           *text)
{
  g_autofree char *tag = g_strstrip (g_strdup (text));
  g_auto(GStrv) tags = dup_tags (self);

  if (*tag == '\0' || !self->loaded)
    return;

  if (!has_tag ((const char * const *) tags, tag))
    {
      g_ptr_array_add (self->tags, g_steal_pointer (&tag));
      rebuild_tag_chips (self);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->tag_entry), "");
  validate_field (self, FIELD_TAGS);
}

static void
on_remove_tag_clicked_cb (GtkButton            *button,
                          TurnoutContactEditor *self)
{
  const char *tag = g_object_get_data (G_OBJECT (button), "turnout-tag");

  for (guint i = 0; i < self->tags->len; i++)
    if (g_str_equal (g_ptr_array_index (self->tags, i), tag))
      {
        g_ptr_array_remove_index (self->tags, i);
        break;
      }
  /* The chip goes away with the focus on it: leave the keyboard in the
   * entry that adds tags. */
  gtk_widget_grab_focus (GTK_WIDGET (self->tag_entry));
  rebuild_tag_chips (self);
  validate_field (self, FIELD_TAGS);
}

static void
on_tag_entry_activate_cb (GtkEntry             *entry,
                          TurnoutContactEditor *self)
{
  add_tag (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_add_tag_clicked_cb (GtkButton            *button,
                       TurnoutContactEditor *self)
{
  add_tag (self, gtk_editable_get_text (GTK_EDITABLE (self->tag_entry)));
}

/* Offers the tags whose name starts with what is typed (@key comes
 * normalized and case-folded), except those the contact already has. */
static gboolean
match_tag (GtkEntryCompletion *completion,
           const char         *key,
           GtkTreeIter        *iter,
           gpointer            user_data)
{
  TurnoutContactEditor *self = user_data;
  g_autofree char *name = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *folded = NULL;
  g_auto(GStrv) tags = NULL;

  gtk_tree_model_get (gtk_entry_completion_get_model (completion), iter, 0, &name, -1);
  if (name == NULL)
    return FALSE;
  tags = dup_tags (self);
  if (has_tag ((const char * const *) tags, name))
    return FALSE;
  normalized = g_utf8_normalize (name, -1, G_NORMALIZE_ALL);
  folded = g_utf8_casefold (normalized, -1);
  return g_str_has_prefix (folded, key);
}

static gboolean
on_completion_match_selected_cb (GtkEntryCompletion   *completion,
                                 GtkTreeModel         *model,
                                 GtkTreeIter          *iter,
                                 TurnoutContactEditor *self)
{
  g_autofree char *name = NULL;

  gtk_tree_model_get (model, iter, 0, &name, -1);
  add_tag (self, name);
  return TRUE;
}

/* Saving --------------------------------------------------------------------------- */

static void
close_for_good (TurnoutContactEditor *self)
{
  self->closing = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_details_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TurnoutContactEditor) self = user_data;
  g_autoptr(TurnoutContactDetails) saved = NULL;
  g_autoptr(GHashTable) field_errors = NULL;
  g_autoptr(GError) error = NULL;

  saved = turnout_contact_details_save_finish (result, &field_errors, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  if (saved == NULL)
    {
      if (field_errors != NULL)
        show_field_errors (self, field_errors);
      else
        add_toast (self, error->message);
      update_actions (self);
      return;
    }

  g_set_object (&self->details, saved);
  if (self->contact_id != turnout_contact_details_get_id (saved))
    {
      self->contact_id = turnout_contact_details_get_id (saved);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTACT_ID]);
    }
  g_signal_emit (self, signals[SAVED], 0, self->contact_id);
  close_for_good (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (widget);
  g_autoptr(TurnoutContactDetails) details = NULL;
  g_autoptr(GHashTable) errors = NULL;
  g_autofree char *region = NULL;

  if (!self->loaded || self->busy)
    return;

  region = dup_region (self);
  details = collect_details (self);
  errors = turnout_contact_details_validate (details, region);
  if (errors != NULL)
    {
      show_field_errors (self, errors);
      return;
    }

  self->busy = TRUE;
  update_actions (self);
  turnout_contact_details_save_async (self->store, details, region, self->cancellable,
                                      on_details_saved_cb, g_object_ref (self));
}

/* Cancelling --------------------------------------------------------------------- */

static void
on_discard_response_cb (AdwMessageDialog     *dialog,
                        const char           *response,
                        TurnoutContactEditor *self)
{
  if (g_str_equal (response, "discard"))
    close_for_good (self);
}

static void
ask_discard (TurnoutContactEditor *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Discard Changes?"),
                                   _("The changes to this contact have not been saved. If you "
                                     "discard them, they are lost."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep Editing"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (widget);

  if (self->busy)
    return;
  if (is_dirty (self))
    ask_discard (self);
  else
    close_for_good (self);
}

static gboolean
turnout_contact_editor_close_request (GtkWindow *window)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (window);

  if (self->closing)
    return FALSE;
  /* A save or an erasure finishes before the window goes. */
  if (self->busy)
    return TRUE;
  if (is_dirty (self))
    {
      ask_discard (self);
      return TRUE;
    }
  return FALSE;
}

/* GDPR ---------------------------------------------------------------------- */

static void
on_contact_erased_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TurnoutContactEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!turnout_contact_details_erase_finish (result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The contact was not erased: %s"),
                                                  error->message);

      add_toast (self, message);
      update_actions (self);
      return;
    }

  g_signal_emit (self, signals[ERASED], 0, self->contact_id);
  close_for_good (self);
}

static void
on_erase_response_cb (AdwMessageDialog     *dialog,
                      const char           *response,
                      TurnoutContactEditor *self)
{
  if (!g_str_equal (response, "erase") || self->busy || self->contact_id <= 0)
    return;

  self->busy = TRUE;
  update_actions (self);
  turnout_contact_details_erase_async (self->store, self->contact_id, self->cancellable,
                                       on_contact_erased_cb, g_object_ref (self));
}

static void
erase_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (widget);
  g_autofree char *name = NULL;
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (!self->loaded || self->busy || self->contact_id <= 0)
    return;

  name = turnout_contact_details_dup_display_name (self->details);
  /* TRANSLATORS: the question before a GDPR erasure, such as "Erase Ana Ruiz?" */
  heading = g_strdup_printf (_("Erase %s?"), name);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Everything stored about this person is removed for good: "
                                     "name, city, notes, tags, consent history, registrations, "
                                     "and their address in the send log. Their phone number and "
                                     "email address are kept only as suppressions, so they are "
                                     "never messaged again, even if they are imported anew. This "
                                     "cannot be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "erase", _("_Erase"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "erase",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_erase_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* What an export needs to report on: the editor may close meanwhile. */
typedef struct
{
  TurnoutContactEditor *self;  /* owned */
  GFile                *file;  /* owned */
} Export;

static void
export_free (Export *export)
{
  g_object_unref (export->self);
  g_object_unref (export->file);
  g_free (export);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Export, export_free)

static void
on_contact_exported_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(Export) export = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!turnout_contact_details_export_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("The data was not exported: %s"), error->message);
    }
  else
    {
      g_autofree char *basename = g_file_get_basename (export->file);

      /* TRANSLATORS: after a GDPR export, such as "Saved “Ana Ruiz.json”" */
      message = g_strdup_printf (_("Saved “%s”"), basename);
    }
  add_toast (export->self, message);
}

static void
on_export_chooser_response_cb (GtkNativeDialog      *chooser,
                               int                   response,
                               TurnoutContactEditor *self)
{
  g_autoptr(GFile) file = NULL;
  Export *export;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->export_chooser);

  if (file == NULL || self->contact_id <= 0)
    return;

  export = g_new0 (Export, 1);
  export->self = g_object_ref (self);
  export->file = g_object_ref (file);
  turnout_contact_details_export_async (self->store, self->contact_id, file, self->cancellable,
                                        on_contact_exported_cb, export);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (widget);
  g_autofree char *name = NULL;
  g_autofree char *file_name = NULL;

  if (!self->loaded || self->busy || self->contact_id <= 0 || self->export_chooser != NULL)
    return;

  name = turnout_contact_details_dup_display_name (self->details);
  g_strdelimit (name, "/\\:", '-');
  file_name = g_strdup_printf ("%s.json", name);

  self->export_chooser = gtk_file_chooser_native_new (_("Export Contact Data"), GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->export_chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), file_name);
  g_signal_connect (self->export_chooser, "response",
                    G_CALLBACK (on_export_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

/* The object ------------------------------------------------------------------ */

static void
turnout_contact_editor_constructed (GObject *object)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (object);

  G_OBJECT_CLASS (turnout_contact_editor_parent_class)->constructed (object);

  g_return_if_fail (TURNOUT_IS_STORE (self->store));

  self->app_zone = create_app_zone (self);
  update_time_zone_hint (self);

  if (self->contact_id > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      turnout_contact_details_load_async (self->store, self->contact_id, self->cancellable,
                                          on_details_loaded_cb, g_object_ref (self));
    }
  else
    {
      self->details = turnout_contact_details_new ();
      show_details (self);
    }

  turnout_contact_details_list_tags_async (self->store, self->cancellable, on_tags_listed_cb,
                                           g_object_ref (self));
  update_actions (self);
}

static void
turnout_contact_editor_dispose (GObject *object)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (object);

  /* Tearing the rows down moves the focus out of them: that is not the
   * user leaving a field to be checked. */
  self->loaded = FALSE;
  g_cancellable_cancel (self->cancellable);
  if (self->export_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
  g_clear_object (&self->export_chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), TURNOUT_TYPE_CONTACT_EDITOR);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->details);
  g_clear_object (&self->completion_model);

  G_OBJECT_CLASS (turnout_contact_editor_parent_class)->dispose (object);
}

static void
turnout_contact_editor_finalize (GObject *object)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->app_zone, g_time_zone_unref);
  g_ptr_array_unref (self->tags);
  for (Field field = 0; field < N_TEXT_FIELDS; field++)
    g_free (self->shown_texts[field]);
  g_strfreev (self->shown_tags);
  g_hash_table_unref (self->errors);
  g_ptr_array_unref (self->history_rows);
  g_ptr_array_unref (self->registration_rows);

  G_OBJECT_CLASS (turnout_contact_editor_parent_class)->finalize (object);
}

static void
turnout_contact_editor_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_CONTACT_ID:
      g_value_set_int64 (value, self->contact_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_contact_editor_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TurnoutContactEditor *self = TURNOUT_CONTACT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_CONTACT_ID:
      self->contact_id = g_value_get_int64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_contact_editor_class_init (TurnoutContactEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = turnout_contact_editor_constructed;
  object_class->dispose = turnout_contact_editor_dispose;
  object_class->finalize = turnout_contact_editor_finalize;
  object_class->get_property = turnout_contact_editor_get_property;
  object_class->set_property = turnout_contact_editor_set_property;
  window_class->close_request = turnout_contact_editor_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TURNOUT_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         TURNOUT_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  /**
   * TurnoutContactEditor:contact-id:
   *
   * The contact edited; 0 for a new one until it is saved.
   */
  properties[PROP_CONTACT_ID] =
    g_param_spec_int64 ("contact-id", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TurnoutContactEditor::saved:
   * @contact_id: the contact, new or edited
   *
   * Emitted when the contact was stored, just before the editor closes.
   */
  signals[SAVED] = g_signal_new ("saved",
                                 G_TYPE_FROM_CLASS (klass),
                                 G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * TurnoutContactEditor::erased:
   * @contact_id: the contact that no longer exists
   *
   * Emitted when the contact was erased, just before the editor closes.
   */
  signals[ERASED] = g_signal_new ("erased",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "editor.erase", NULL, erase_action);
  gtk_widget_class_install_action (widget_class, "editor.export", NULL, export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/turnoutapp/Turnout/ui/"
                                               "turnout-contact-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, error_page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, page);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, first_name_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, last_name_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, phone_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, email_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, city_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, time_zone_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, notes_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, notes_view);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, tags_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, no_tags_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, tags_box);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, tag_entry);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, add_tag_button);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, sms_consent_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, email_consent_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, history_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, attended_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, spend_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, first_event_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, last_event_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, registrations_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, history_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, events_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, data_group);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, first_name_error_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, last_name_error_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, phone_error_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, email_error_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, city_error_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, time_zone_error_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, notes_error_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, tags_error_row);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor,
                                        first_name_error_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor,
                                        last_name_error_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, phone_error_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, email_error_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, city_error_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor,
                                        time_zone_error_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, notes_error_label);
  gtk_widget_class_bind_template_child (widget_class, TurnoutContactEditor, tags_error_label);
}

static void
turnout_contact_editor_init (TurnoutContactEditor *self)
{
  AdwEntryRow *validated_rows[3];
  GtkEntryCompletion *completion;

  gtk_widget_init_template (GTK_WIDGET (self));

  validated_rows[0] = self->phone_row;
  validated_rows[1] = self->email_row;
  validated_rows[2] = self->time_zone_row;

  self->cancellable = g_cancellable_new ();
  self->tags = g_ptr_array_new_with_free_func (g_free);
  self->shown_tags = g_new0 (char *, 1);
  self->errors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  self->history_rows = g_ptr_array_new ();
  self->registration_rows = g_ptr_array_new ();

  self->field_rows[FIELD_FIRST_NAME] = GTK_WIDGET (self->first_name_row);
  self->field_rows[FIELD_LAST_NAME] = GTK_WIDGET (self->last_name_row);
  self->field_rows[FIELD_PHONE] = GTK_WIDGET (self->phone_row);
  self->field_rows[FIELD_EMAIL] = GTK_WIDGET (self->email_row);
  self->field_rows[FIELD_CITY] = GTK_WIDGET (self->city_row);
  self->field_rows[FIELD_TIME_ZONE] = GTK_WIDGET (self->time_zone_row);
  self->field_rows[FIELD_NOTES] = GTK_WIDGET (self->notes_row);
  self->field_rows[FIELD_TAGS] = GTK_WIDGET (self->tags_row);
  self->error_rows[FIELD_FIRST_NAME] = GTK_WIDGET (self->first_name_error_row);
  self->error_rows[FIELD_LAST_NAME] = GTK_WIDGET (self->last_name_error_row);
  self->error_rows[FIELD_PHONE] = GTK_WIDGET (self->phone_error_row);
  self->error_rows[FIELD_EMAIL] = GTK_WIDGET (self->email_error_row);
  self->error_rows[FIELD_CITY] = GTK_WIDGET (self->city_error_row);
  self->error_rows[FIELD_TIME_ZONE] = GTK_WIDGET (self->time_zone_error_row);
  self->error_rows[FIELD_NOTES] = GTK_WIDGET (self->notes_error_row);
  self->error_rows[FIELD_TAGS] = GTK_WIDGET (self->tags_error_row);
  self->error_labels[FIELD_FIRST_NAME] = self->first_name_error_label;
  self->error_labels[FIELD_LAST_NAME] = self->last_name_error_label;
  self->error_labels[FIELD_PHONE] = self->phone_error_label;
  self->error_labels[FIELD_EMAIL] = self->email_error_label;
  self->error_labels[FIELD_CITY] = self->city_error_label;
  self->error_labels[FIELD_TIME_ZONE] = self->time_zone_error_label;
  self->error_labels[FIELD_NOTES] = self->notes_error_label;
  self->error_labels[FIELD_TAGS] = self->tags_error_label;

  for (Field field = 0; field < N_TEXT_FIELDS; field++)
    if (field != FIELD_NOTES)
      g_signal_connect (self->field_rows[field], "changed",
                        G_CALLBACK (on_entry_row_changed_cb), self);
  g_signal_connect (gtk_text_view_get_buffer (self->notes_view), "changed",
                    G_CALLBACK (on_notes_changed_cb), self);

  /* The fields with rules are checked when the user is done with them:
   * on Enter, or when the keyboard moves on. */
  for (guint i = 0; i < G_N_ELEMENTS (validated_rows); i++)
    {
      GtkEventController *focus = gtk_event_controller_focus_new ();

      g_signal_connect (focus, "leave", G_CALLBACK (on_focus_leave_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (validated_rows[i]), focus);
      g_signal_connect (validated_rows[i], "entry-activated",
                        G_CALLBACK (on_entry_row_activated_cb), self);
    }

  g_signal_connect (self->sms_consent_row, "notify::selected",
                    G_CALLBACK (on_consent_selected_cb), self);
  g_signal_connect (self->email_consent_row, "notify::selected",
                    G_CALLBACK (on_consent_selected_cb), self);

  /* GtkEntryCompletion is what GTK 4.8 has for completing an entry. */
  self->completion_model = gtk_list_store_new (1, G_TYPE_STRING);
  completion = gtk_entry_completion_new ();
  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (self->completion_model));
  gtk_entry_completion_set_text_column (completion, 0);
  gtk_entry_completion_set_minimum_key_length (completion, 1);
  gtk_entry_completion_set_inline_completion (completion, TRUE);
  gtk_entry_completion_set_match_func (completion, match_tag, self, NULL);
  g_signal_connect (completion, "match-selected",
                    G_CALLBACK (on_completion_match_selected_cb), self);
  gtk_entry_set_completion (self->tag_entry, completion);
  g_object_unref (completion);
  g_signal_connect (self->tag_entry, "activate", G_CALLBACK (on_tag_entry_activate_cb), self);
  g_signal_connect (self->add_tag_button, "clicked", G_CALLBACK (on_add_tag_clicked_cb), self);
}

/**
 * turnout_contact_editor_new:
 * @store: the store the contact lives in
 * @settings: (nullable): the settings (default phone region, time zone,
 *   currency); %NULL for their defaults
 * @contact_id: the contact to edit, or 0 for a new contact
 *
 * Returns: (transfer full): a modal editor; set its transient parent and
 *   present it. It loads the contact itself, and closes after a save or an
 *   erasure (see #TurnoutContactEditor::saved and ::erased).
 */
TurnoutContactEditor *
turnout_contact_editor_new (TurnoutStore    *store,
                            TurnoutSettings *settings,
                            gint64           contact_id)
{
  g_return_val_if_fail (TURNOUT_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || TURNOUT_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (contact_id >= 0, NULL);

  return g_object_new (TURNOUT_TYPE_CONTACT_EDITOR,
                       "store", store,
                       "settings", settings,
                       "contact-id", contact_id,
                       NULL);
}

TurnoutStore *
turnout_contact_editor_get_store (TurnoutContactEditor *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_EDITOR (self), NULL);

  return self->store;
}

/**
 * turnout_contact_editor_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings the editor reads
 */
TurnoutSettings *
turnout_contact_editor_get_settings (TurnoutContactEditor *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_EDITOR (self), NULL);

  return self->settings;
}

/**
 * turnout_contact_editor_get_contact_id:
 *
 * Returns: the contact edited; 0 while a new contact is not saved
 */
gint64
turnout_contact_editor_get_contact_id (TurnoutContactEditor *self)
{
  g_return_val_if_fail (TURNOUT_IS_CONTACT_EDITOR (self), 0);

  return self->contact_id;
}
