/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-template"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "turnout-template.h"
#include "turnout-templates.h"

/*
 * A message template as the store keeps it: SMS ones have a text and up to
 * ten media URLs (which make it an MMS); email ones a subject, a preheader
 * (the line inboxes show after the subject), an HTML body and a plain-text
 * alternative, generated from the HTML when left empty. The text may hold
 * merge fields (turnout-merge.h); a template with mistakes in them can be
 * kept as a draft, and only sending refuses it.
 *
 * The JSON form is the snapshot a campaign freezes at launch.
 */

struct _TurnoutTemplate
{
  GObject  parent_instance;

  gint64   id;           /* 0 until stored */
  char    *name;
  char    *channel;      /* "sms" or "email" */
  char    *subject;
  char    *preheader;
  char    *body_text;
  char    *body_html;
  GStrv    media_urls;   /* never NULL */
  gint64   updated_at;
};

G_DEFINE_FINAL_TYPE (TurnoutTemplate, turnout_template, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_CHANNEL,
  PROP_SUBJECT,
  PROP_PREHEADER,
  PROP_BODY_TEXT,
  PROP_BODY_HTML,
  PROP_MEDIA_URLS,
  PROP_UPDATED_AT,
  PROP_ICON_NAME,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
turnout_template_finalize (GObject *object)
{
  TurnoutTemplate *self = TURNOUT_TEMPLATE (object);

  g_free (self->name);
  g_free (self->channel);
  g_free (self->subject);
  g_free (self->preheader);
  g_free (self->body_text);
  g_free (self->body_html);
  g_strfreev (self->media_urls);

  G_OBJECT_CLASS (turnout_template_parent_class)->finalize (object);
}

static void
turnout_template_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TurnoutTemplate *self = TURNOUT_TEMPLATE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CHANNEL:
      g_value_set_string (value, self->channel);
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_PREHEADER:
      g_value_set_string (value, self->preheader);
      break;
    case PROP_BODY_TEXT:
      g_value_set_string (value, self->body_text);
      break;
    case PROP_BODY_HTML:
      g_value_set_string (value, self->body_html);
      break;
    case PROP_MEDIA_URLS:
      g_value_set_boxed (value, self->media_urls);
      break;
    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, turnout_template_get_icon_name (self));
      break;
    case PROP_SUMMARY:
      g_value_take_string (value, turnout_template_dup_summary (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_template_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TurnoutTemplate *self = TURNOUT_TEMPLATE (object);

  switch (prop_id)
    {
    case PROP_ID:
      turnout_template_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_NAME:
      turnout_template_set_name (self, g_value_get_string (value));
      break;
    case PROP_CHANNEL:
      /* Construct-only. */
      self->channel = g_strdup (g_strcmp0 (g_value_get_string (value), "email") == 0 ? "email"
                                                                                      : "sms");
      break;
    case PROP_SUBJECT:
      turnout_template_set_subject (self, g_value_get_string (value));
      break;
    case PROP_PREHEADER:
      turnout_template_set_preheader (self, g_value_get_string (value));
      break;
    case PROP_BODY_TEXT:
      turnout_template_set_body_text (self, g_value_get_string (value));
      break;
    case PROP_BODY_HTML:
      turnout_template_set_body_html (self, g_value_get_string (value));
      break;
    case PROP_MEDIA_URLS:
      turnout_template_set_media_urls (self, g_value_get_boxed (value));
      break;
    case PROP_UPDATED_AT:
      turnout_template_set_updated_at (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
turnout_template_class_init (TurnoutTemplateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = turnout_template_finalize;
  object_class->get_property = turnout_template_get_property;
  object_class->set_property = turnout_template_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, "", rw);
  properties[PROP_CHANNEL] =
    g_param_spec_string ("channel", NULL, NULL, "sms",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, "", rw);
  properties[PROP_PREHEADER] = g_param_spec_string ("preheader", NULL, NULL, "", rw);
  properties[PROP_BODY_TEXT] = g_param_spec_string ("body-text", NULL, NULL, "", rw);
  properties[PROP_BODY_HTML] = g_param_spec_string ("body-html", NULL, NULL, "", rw);
  properties[PROP_MEDIA_URLS] = g_param_spec_boxed ("media-urls", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_UPDATED_AT] = g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
turnout_template_init (TurnoutTemplate *self)
{
  self->name = g_strdup ("");
  self->subject = g_strdup ("");
  self->preheader = g_strdup ("");
  self->body_text = g_strdup ("");
  self->body_html = g_strdup ("");
  self->media_urls = g_new0 (char *, 1);
}

/**
 * turnout_template_new:
 * @channel: "sms" or "email"
 */
TurnoutTemplate *
turnout_template_new (const char *channel)
{
  g_return_val_if_fail (g_strcmp0 (channel, "sms") == 0 || g_strcmp0 (channel, "email") == 0,
                        NULL);

  return g_object_new (TURNOUT_TYPE_TEMPLATE, "channel", channel, NULL);
}

/**
 * turnout_template_copy:
 *
 * Returns: (transfer full): a template with the same fields, for editing
 *   without touching the one listed.
 */
TurnoutTemplate *
turnout_template_copy (TurnoutTemplate *self)
{
  TurnoutTemplate *copy;

  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  copy = turnout_template_new (self->channel);
  copy->id = self->id;
  g_free (copy->name);
  copy->name = g_strdup (self->name);
  turnout_template_set_subject (copy, self->subject);
  turnout_template_set_preheader (copy, self->preheader);
  turnout_template_set_body_text (copy, self->body_text);
  turnout_template_set_body_html (copy, self->body_html);
  turnout_template_set_media_urls (copy, (const char * const *) self->media_urls);
  copy->updated_at = self->updated_at;
  return copy;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/**
 * turnout_template_new_from_json:
 *
 * Reads a snapshot written by turnout_template_to_json().
 *
 * Returns: (transfer full): the template, or %NULL with @error set.
 */
TurnoutTemplate *
turnout_template_new_from_json (const char  *json,
                                GError     **error)
{
  static const char * const texts[] = { "name", "subject", "preheader", "body_text", "body_html" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(TurnoutTemplate) self = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new ();
  JsonObject *object;
  JsonArray *media;
  const char *channel;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto invalid;
  object = json_node_get_object (json_parser_get_root (parser));
  channel = member_string (object, "channel");
  if (g_strcmp0 (channel, "sms") != 0 && g_strcmp0 (channel, "email") != 0)
    goto invalid;
  self = turnout_template_new (channel);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      const char *text = member_string (object, texts[i]);

      if (text == NULL)
        goto invalid;
      g_object_set (self, g_str_equal (texts[i], "body_text") ? "body-text"
                          : g_str_equal (texts[i], "body_html") ? "body-html" : texts[i],
                    text, NULL);
    }
  if (!json_object_has_member (object, "media_urls")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "media_urls")))
    goto invalid;
  media = json_object_get_array_member (object, "media_urls");
  for (guint i = 0; i < json_array_get_length (media); i++)
    {
      JsonNode *node = json_array_get_element (media, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        goto invalid;
      g_ptr_array_add (urls, (gpointer) json_node_get_string (node));
    }
  g_ptr_array_add (urls, NULL);
  turnout_template_set_media_urls (self, (const char * const *) urls->pdata);
  if (json_object_has_member (object, "id"))
    self->id = json_object_get_int_member (object, "id");
  return g_steal_pointer (&self);

invalid:
  g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_INVALID,
               _("The saved copy of the template is damaged"));
  return NULL;
}

/**
 * turnout_template_to_json:
 *
 * Returns: (transfer full): the template as compact JSON, the snapshot a
 *   campaign keeps.
 */
char *
turnout_template_to_json (TurnoutTemplate *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, self->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, self->channel);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, self->subject);
  json_builder_set_member_name (builder, "preheader");
  json_builder_add_string_value (builder, self->preheader);
  json_builder_set_member_name (builder, "body_text");
  json_builder_add_string_value (builder, self->body_text);
  json_builder_set_member_name (builder, "body_html");
  json_builder_add_string_value (builder, self->body_html);
  json_builder_set_member_name (builder, "media_urls");
  json_builder_begin_array (builder);
  for (guint i = 0; self->media_urls[i] != NULL; i++)
    json_builder_add_string_value (builder, self->media_urls[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gint64
turnout_template_get_id (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), 0);

  return self->id;
}

void
turnout_template_set_id (TurnoutTemplate *self,
                         gint64           id)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATE (self));

  if (self->id == id)
    return;
  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

static gboolean
replace (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value != NULL ? value : "") == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value != NULL ? value : "");
  return TRUE;
}

const char *
turnout_template_get_name (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  return self->name;
}

void
turnout_template_set_name (TurnoutTemplate *self,
                           const char      *name)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATE (self));

  if (replace (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * turnout_template_get_channel:
 *
 * Returns: "sms" or "email".
 */
const char *
turnout_template_get_channel (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  return self->channel;
}

gboolean
turnout_template_is_email (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), FALSE);

  return g_str_equal (self->channel, "email");
}

const char *
turnout_template_get_subject (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  return self->subject;
}

void
turnout_template_set_subject (TurnoutTemplate *self,
                              const char      *subject)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATE (self));

  if (replace (&self->subject, subject))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBJECT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
    }
}

const char *
turnout_template_get_preheader (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  return self->preheader;
}

void
turnout_template_set_preheader (TurnoutTemplate *self,
                                const char      *preheader)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATE (self));

  if (replace (&self->preheader, preheader))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREHEADER]);
}

const char *
turnout_template_get_body_text (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  return self->body_text;
}

void
turnout_template_set_body_text (TurnoutTemplate *self,
                                const char      *text)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATE (self));

  if (replace (&self->body_text, text))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BODY_TEXT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
    }
}

const char *
turnout_template_get_body_html (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  return self->body_html;
}

void
turnout_template_set_body_html (TurnoutTemplate *self,
                                const char      *html)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATE (self));

  if (replace (&self->body_html, html))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BODY_HTML]);
}

/**
 * turnout_template_get_media_urls:
 *
 * Returns: (transfer none): the MMS media URLs; empty for a plain SMS.
 */
const char * const *
turnout_template_get_media_urls (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  return (const char * const *) self->media_urls;
}

void
turnout_template_set_media_urls (TurnoutTemplate    *self,
                                 const char * const *urls)
{
  static const char * const none[] = { NULL };

  g_return_if_fail (TURNOUT_IS_TEMPLATE (self));

  if (urls == NULL)
    urls = none;
  if (g_strv_equal (urls, (const char * const *) self->media_urls))
    return;
  g_strfreev (self->media_urls);
  self->media_urls = g_strdupv ((char **) urls);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEDIA_URLS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

gint64
turnout_template_get_updated_at (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), 0);

  return self->updated_at;
}

void
turnout_template_set_updated_at (TurnoutTemplate *self,
                                 gint64           updated_at)
{
  g_return_if_fail (TURNOUT_IS_TEMPLATE (self));

  if (self->updated_at == updated_at)
    return;
  self->updated_at = updated_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED_AT]);
}

/**
 * turnout_template_get_icon_name:
 *
 * Returns: the symbolic icon of its channel, for lists.
 */
const char *
turnout_template_get_icon_name (TurnoutTemplate *self)
{
  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  if (turnout_template_is_email (self))
    return "mail-unread-symbolic";
  return self->media_urls[0] != NULL ? "image-x-generic-symbolic" : "phone-symbolic";
}

/**
 * turnout_template_dup_summary:
 *
 * Returns: (transfer full): a line for lists: the channel and the start of
 *   the subject or message.
 */
char *
turnout_template_dup_summary (TurnoutTemplate *self)
{
  g_autofree char *flat = NULL;
  const char *text;
  const char *kind;

  g_return_val_if_fail (TURNOUT_IS_TEMPLATE (self), NULL);

  if (turnout_template_is_email (self))
    {
      kind = _("Email");
      text = self->subject;
    }
  else
    {
      kind = self->media_urls[0] != NULL ? _("MMS") : _("SMS");
      text = self->body_text;
    }
  flat = g_strdelimit (g_strstrip (g_strdup (text)), "\r\n\t", ' ');
  if (g_utf8_strlen (flat, -1) > 60)
    {
      g_autofree char *cut = g_utf8_substring (flat, 0, 59);

      g_free (flat);
      flat = g_strconcat (cut, "…", NULL);
    }
  if (*flat == '\0')
    return g_strdup (kind);
  /* TRANSLATORS: a template in a list: its channel and the start of its
   * text, such as "SMS · Hi Ana, doors at 10…". */
  return g_strdup_printf (_("%s · %s"), kind, flat);
}

/**
 * turnout_template_check_media_url:
 *
 * Checks that @url can be an MMS media URL: an https address with a host.
 * Whether it answers, and with what, is checked over the network elsewhere.
 */
gboolean
turnout_template_check_media_url (const char  *url,
                                  GError     **error)
{
  g_autoptr(GUri) uri = NULL;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, TURNOUT_TEMPLATE_ERROR, TURNOUT_TEMPLATE_ERROR_INVALID,
                   _("“%s” is not an https address; Twilio fetches media from public https "
                     "addresses only"), url);
      return FALSE;
    }
  return TRUE;
}
