/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-media-check"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "turnout-media-check.h"

/*
 * Checks an MMS media address the way Twilio will use it: Twilio fetches
 * each MediaUrl itself and goes by its Content-Type and size, so a file
 * that is not there, of a type it refuses, or too big makes the message
 * fail for every recipient. A HEAD request says all of that without
 * downloading the file; servers that refuse HEAD are asked for the first
 * byte instead. Everything is asynchronous on one libsoup session, so the
 * editor never waits.
 */

/* Beyond JPEG, PNG and GIF, the types Twilio accepts (up to 500 KB). */
static const char * const other_types[] = {
  "audio/basic", "audio/L24", "audio/mp4", "audio/mpeg", "audio/ogg", "audio/vnd.rn-realaudio",
  "audio/vnd.wave", "audio/3gpp", "audio/3gpp2", "audio/ac3", "audio/webm", "audio/amr-nb",
  "audio/amr", "video/mpeg", "video/mp4", "video/quicktime", "video/webm", "video/3gpp",
  "video/3gpp2", "video/3gpp-tt", "video/H261", "video/H263", "video/H263-1998",
  "video/H263-2000", "video/H264", "image/bmp", "image/tiff", "image/webp", "text/vcard",
  "text/x-vcard", "text/csv", "text/rtf", "text/richtext", "text/calendar", "text/directory",
  "application/pdf", "application/vcard", "application/vnd.apple.pkpass", NULL
};

static const char * const image_types[] = { "image/jpeg", "image/jpg", "image/png", "image/gif", NULL };

/* Images are shown as thumbnails: no need for more than this. */
#define MAX_FETCH_BYTES TURNOUT_MMS_MAX_TOTAL_BYTES

struct _TurnoutMediaChecker
{
  GObject      parent_instance;

  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (TurnoutMediaChecker, turnout_media_checker, G_TYPE_OBJECT)

void
turnout_media_info_free (TurnoutMediaInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->url);
  g_free (info->content_type);
  g_free (info->problem);
  g_free (info);
}

static void
turnout_media_checker_dispose (GObject *object)
{
  TurnoutMediaChecker *self = TURNOUT_MEDIA_CHECKER (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (turnout_media_checker_parent_class)->dispose (object);
}

static void
turnout_media_checker_class_init (TurnoutMediaCheckerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = turnout_media_checker_dispose;
}

static void
turnout_media_checker_init (TurnoutMediaChecker *self)
{
  self->session = soup_session_new_with_options ("timeout", 20, "idle-timeout", 30,
                                                 "user-agent", "Turnout/" PACKAGE_VERSION, NULL);
}

TurnoutMediaChecker *
turnout_media_checker_new (void)
{
  return g_object_new (TURNOUT_TYPE_MEDIA_CHECKER, NULL);
}

static char *
format_size (gint64 bytes)
{
  return g_format_size_full ((guint64) bytes, G_FORMAT_SIZE_DEFAULT);
}

/* Says what Twilio will make of a file of this type and size. */
static void
judge (TurnoutMediaInfo *info)
{
  g_autofree char *size = NULL;

  if (info->status < 200 || info->status >= 300)
    {
      /* TRANSLATORS: %u is an HTTP status such as 404, %s its reason. */
      info->problem = g_strdup_printf (_("The address answered %u %s: Twilio can’t fetch the "
                                         "file"), info->status,
                                       soup_status_get_phrase (info->status));
      return;
    }
  if (info->content_type == NULL)
    {
      info->problem = g_strdup (_("The server does not say what kind of file this is; Twilio "
                                  "needs a Content-Type"));
      return;
    }
  info->is_image = g_strv_contains (image_types, info->content_type);
  if (!info->is_image && !g_strv_contains (other_types, info->content_type))
    {
      /* TRANSLATORS: %s is a file type such as "text/html". */
      info->problem = g_strdup_printf (_("Twilio doesn’t send files of type %s; use a JPEG, PNG "
                                         "or GIF image"), info->content_type);
      return;
    }
  if (info->size < 0)
    return;
  size = format_size (info->size);
  if (info->is_image && info->size > TURNOUT_MMS_MAX_TOTAL_BYTES)
    info->problem = g_strdup_printf (_("The image is %s; an MMS can carry at most 5 MB"), size);
  else if (!info->is_image && info->size > TURNOUT_MMS_MAX_OTHER_BYTES)
    info->problem = g_strdup_printf (_("The file is %s; files other than JPEG, PNG and GIF may be "
                                       "at most 500 kB"), size);
}

static TurnoutMediaInfo *
info_from_message (const char  *url,
                   SoupMessage *message)
{
  TurnoutMediaInfo *info = g_new0 (TurnoutMediaInfo, 1);
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  const char *range;
  const char *type;

  info->url = g_strdup (url);
  info->status = soup_message_get_status (message);
  type = soup_message_headers_get_content_type (headers, NULL);
  info->content_type = type != NULL ? g_ascii_strdown (type, -1) : NULL;
  info->size = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    info->size = -1;
  /* A ranged answer gives the whole size after the slash: "bytes 0-0/12345". */
  range = soup_message_headers_get_one (headers, "Content-Range");
  if (info->status == SOUP_STATUS_PARTIAL_CONTENT)
    {
      const char *slash = range != NULL ? strrchr (range, '/') : NULL;

      info->status = SOUP_STATUS_OK;
      info->size = slash != NULL && g_ascii_isdigit (slash[1]) ? g_ascii_strtoll (slash + 1, NULL, 10)
                                                                : -1;
    }
  judge (info);
  return info;
}

static void
on_range_ready_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result,
                                                               &error);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);

  if (bytes == NULL && soup_message_get_status (message) == 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, info_from_message (g_task_get_task_data (task), message),
                           (GDestroyNotify) turnout_media_info_free);
}

static void
on_head_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result,
                                                               &error);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  guint status = soup_message_get_status (message);

  if (bytes == NULL && status == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Some servers refuse HEAD: ask for the first byte, which tells the
   * type and the whole size. */
  if (status == SOUP_STATUS_METHOD_NOT_ALLOWED || status == SOUP_STATUS_NOT_IMPLEMENTED
      || status == SOUP_STATUS_FORBIDDEN)
    {
      g_autoptr(SoupMessage) get = soup_message_new (SOUP_METHOD_GET, g_task_get_task_data (task));

      soup_message_headers_set_range (soup_message_get_request_headers (get), 0, 0);
      soup_session_send_and_read_async (SOUP_SESSION (object), get, G_PRIORITY_DEFAULT,
                                        g_task_get_cancellable (task), on_range_ready_cb,
                                        g_object_ref (task));
      return;
    }
  g_task_return_pointer (task, info_from_message (g_task_get_task_data (task), message),
                         (GDestroyNotify) turnout_media_info_free);
}

/**
 * turnout_media_checker_check_async:
 * @url: the media address
 *
 * Asks the server about the file, without downloading it.
 */
void
turnout_media_checker_check_async (TurnoutMediaChecker *self,
                                   const char          *url,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;

  g_return_if_fail (TURNOUT_IS_MEDIA_CHECKER (self));
  g_return_if_fail (url != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_media_checker_check_async);
  g_task_set_task_data (task, g_strdup (url), g_free);
  message = soup_message_new (SOUP_METHOD_HEAD, url);
  if (message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a web address"), url);
      return;
    }
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, cancellable,
                                    on_head_ready_cb, g_steal_pointer (&task));
}

/**
 * turnout_media_checker_check_finish:
 *
 * Returns: (transfer full): what the server said, with any problem in
 *   words; %NULL with @error set when it could not be reached at all.
 */
TurnoutMediaInfo *
turnout_media_checker_check_finish (TurnoutMediaChecker  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_fetch_ready_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GBytes *bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  guint status = soup_message_get_status (message);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else if (status < 200 || status >= 300)
    {
      g_bytes_unref (bytes);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The address answered %u %s"), status,
                               soup_status_get_phrase (status));
    }
  else if (g_bytes_get_size (bytes) > MAX_FETCH_BYTES)
    {
      g_bytes_unref (bytes);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               _("The file is larger than 5 MB"));
    }
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

/**
 * turnout_media_checker_fetch_async:
 *
 * Downloads the file (for a thumbnail); files over 5 MB are refused.
 */
void
turnout_media_checker_fetch_async (TurnoutMediaChecker *self,
                                   const char          *url,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;

  g_return_if_fail (TURNOUT_IS_MEDIA_CHECKER (self));
  g_return_if_fail (url != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_media_checker_fetch_async);
  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a web address"), url);
      return;
    }
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, cancellable,
                                    on_fetch_ready_cb, g_steal_pointer (&task));
}

/**
 * turnout_media_checker_fetch_finish:
 *
 * Returns: (transfer full): the file's bytes, or %NULL with @error set.
 */
GBytes *
turnout_media_checker_fetch_finish (TurnoutMediaChecker  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
