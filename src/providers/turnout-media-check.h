/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Twilio's limits for MMS media (notes/twilio.md §8.2). */
#define TURNOUT_MMS_MAX_TOTAL_BYTES    (5 * 1024 * 1024)
#define TURNOUT_MMS_MAX_OTHER_BYTES    (500 * 1024)

/**
 * TurnoutMediaInfo:
 * @url: the address checked
 * @status: the HTTP status, 0 when no answer came
 * @content_type: (nullable): the Content-Type, without parameters
 * @size: the Content-Length, or -1 when the server did not say
 * @is_image: a JPEG, PNG or GIF, which carriers show inline
 * @problem: (nullable): what is wrong, in words for the user; %NULL when
 *   Twilio will take the file
 */
typedef struct
{
  char   *url;
  guint   status;
  char   *content_type;
  gint64  size;
  gboolean is_image;
  char   *problem;
} TurnoutMediaInfo;

void turnout_media_info_free (TurnoutMediaInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutMediaInfo, turnout_media_info_free)

#define TURNOUT_TYPE_MEDIA_CHECKER (turnout_media_checker_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutMediaChecker, turnout_media_checker, TURNOUT, MEDIA_CHECKER, GObject)

TurnoutMediaChecker *turnout_media_checker_new          (void);
void                 turnout_media_checker_check_async  (TurnoutMediaChecker  *self,
                                                         const char           *url,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
TurnoutMediaInfo    *turnout_media_checker_check_finish (TurnoutMediaChecker  *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void                 turnout_media_checker_fetch_async  (TurnoutMediaChecker  *self,
                                                         const char           *url,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GBytes              *turnout_media_checker_fetch_finish (TurnoutMediaChecker  *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
