/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-template.h"

G_BEGIN_DECLS

/* The widths of the preview, in CSS pixels: a desktop mail reader's
 * message column and a common phone screen. */
#define TURNOUT_EMAIL_PREVIEW_DESKTOP_WIDTH 680
#define TURNOUT_EMAIL_PREVIEW_PHONE_WIDTH   375

#define TURNOUT_TYPE_EMAIL_EDITOR (turnout_email_editor_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutEmailEditor, turnout_email_editor, TURNOUT, EMAIL_EDITOR, AdwBin)

GtkWidget  *turnout_email_editor_new                 (void);
void        turnout_email_editor_set_template        (TurnoutEmailEditor *self,
                                                      TurnoutTemplate    *template);
const char *turnout_email_editor_get_inbox_subject   (TurnoutEmailEditor *self);
const char *turnout_email_editor_get_inbox_preheader (TurnoutEmailEditor *self);
const char *turnout_email_editor_get_preview_html    (TurnoutEmailEditor *self);
void        turnout_email_editor_grab_subject_focus  (TurnoutEmailEditor *self);

G_END_DECLS
