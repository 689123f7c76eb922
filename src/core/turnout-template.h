/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TURNOUT_TEMPLATE_MAX_MEDIA 10

#define TURNOUT_TYPE_TEMPLATE (turnout_template_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutTemplate, turnout_template, TURNOUT, TEMPLATE, GObject)

TurnoutTemplate    *turnout_template_new             (const char         *channel);
TurnoutTemplate    *turnout_template_copy            (TurnoutTemplate    *self);
TurnoutTemplate    *turnout_template_new_from_json   (const char         *json,
                                                      GError            **error);
char               *turnout_template_to_json         (TurnoutTemplate    *self);
gint64              turnout_template_get_id          (TurnoutTemplate    *self);
void                turnout_template_set_id          (TurnoutTemplate    *self,
                                                      gint64              id);
const char         *turnout_template_get_name        (TurnoutTemplate    *self);
void                turnout_template_set_name        (TurnoutTemplate    *self,
                                                      const char         *name);
const char         *turnout_template_get_channel     (TurnoutTemplate    *self);
gboolean            turnout_template_is_email        (TurnoutTemplate    *self);
const char         *turnout_template_get_subject     (TurnoutTemplate    *self);
void                turnout_template_set_subject     (TurnoutTemplate    *self,
                                                      const char         *subject);
const char         *turnout_template_get_preheader   (TurnoutTemplate    *self);
void                turnout_template_set_preheader   (TurnoutTemplate    *self,
                                                      const char         *preheader);
const char         *turnout_template_get_body_text   (TurnoutTemplate    *self);
void                turnout_template_set_body_text   (TurnoutTemplate    *self,
                                                      const char         *text);
const char         *turnout_template_get_body_html   (TurnoutTemplate    *self);
void                turnout_template_set_body_html   (TurnoutTemplate    *self,
                                                      const char         *html);
const char * const *turnout_template_get_media_urls  (TurnoutTemplate    *self);
void                turnout_template_set_media_urls  (TurnoutTemplate    *self,
                                                      const char * const *urls);
gint64              turnout_template_get_updated_at  (TurnoutTemplate    *self);
void                turnout_template_set_updated_at  (TurnoutTemplate    *self,
                                                      gint64              updated_at);
const char         *turnout_template_get_icon_name   (TurnoutTemplate    *self);
char               *turnout_template_dup_summary     (TurnoutTemplate    *self);
gboolean            turnout_template_check_media_url (const char         *url,
                                                      GError            **error);

G_END_DECLS
