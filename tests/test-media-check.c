/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>

#include "turnout-media-check.h"
#include "turnout-test-utils.h"

/* MMS media checks against a real HTTP server on 127.0.0.1: a good image,
 * one too big, a page that is not media, a missing file, a server that
 * refuses HEAD (asked for one byte instead), a file type with the 500 kB
 * limit over it, an address nothing answers, and a download for the
 * thumbnail. */

static SoupServer *server;
static char *base;

static void
set_body (SoupServerMessage *message,
          const char        *type,
          gsize              size)
{
  g_autofree char *body = g_malloc0 (size);

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, type, SOUP_MEMORY_COPY, body, size);
}

static void
handle (SoupServer        *soup_server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  const char *method = soup_server_message_get_method (message);

  if (g_str_equal (path, "/poster.jpg"))
    set_body (message, "image/jpeg", 120000);
  else if (g_str_equal (path, "/huge.png"))
    set_body (message, "image/png", 6 * 1024 * 1024);
  else if (g_str_equal (path, "/page"))
    set_body (message, "text/html; charset=utf-8", 300);
  else if (g_str_equal (path, "/card.vcf"))
    set_body (message, "text/vcard", 600 * 1024);
  else if (g_str_equal (path, "/nohead.gif"))
    {
      SoupMessageHeaders *request = soup_server_message_get_request_headers (message);

      if (g_str_equal (method, "HEAD"))
        soup_server_message_set_status (message, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      else if (soup_message_headers_get_one (request, "Range") != NULL)
        {
          soup_server_message_set_status (message, SOUP_STATUS_PARTIAL_CONTENT, NULL);
          soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                        "Content-Range", "bytes 0-0/2048");
          soup_server_message_set_response (message, "image/gif", SOUP_MEMORY_STATIC, "G", 1);
        }
      else
        set_body (message, "image/gif", 2048);
    }
  else
    soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
}

static TurnoutMediaInfo *
check (TurnoutMediaChecker  *checker,
       const char           *path,
       GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *url = g_str_has_prefix (path, "http") ? g_strdup (path)
                                                          : g_strconcat (base, path, NULL);

  turnout_media_checker_check_async (checker, url, NULL, turnout_test_result_cb, &result);
  return turnout_media_checker_check_finish (checker, turnout_test_wait_result (&result), error);
}

static void
test_check (void)
{
  g_autoptr(TurnoutMediaChecker) checker = turnout_media_checker_new ();
  g_autoptr(GError) error = NULL;
  TurnoutMediaInfo *info;

  info = check (checker, "/poster.jpg", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->status, ==, 200);
  g_assert_cmpstr (info->content_type, ==, "image/jpeg");
  g_assert_cmpint (info->size, ==, 120000);
  g_assert_true (info->is_image);
  g_assert_null (info->problem);
  turnout_media_info_free (info);

  info = check (checker, "/huge.png", &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->size, ==, 6 * 1024 * 1024);
  /* GLib writes sizes with a no-break space. */
  g_assert_cmpstr (info->problem, ==, "The image is 6.3 MB; an MMS can carry at most 5 MB");
  turnout_media_info_free (info);

  info = check (checker, "/page", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->content_type, ==, "text/html");
  g_assert_cmpstr (info->problem, ==,
                   "Twilio doesn’t send files of type text/html; use a JPEG, PNG or GIF image");
  turnout_media_info_free (info);

  info = check (checker, "/card.vcf", &error);
  g_assert_no_error (error);
  g_assert_false (info->is_image);
  g_assert_cmpstr (info->problem, ==, "The file is 614.4 kB; files other than JPEG, PNG and GIF "
                                      "may be at most 500 kB");
  turnout_media_info_free (info);

  info = check (checker, "/missing.jpg", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->status, ==, 404);
  g_assert_cmpstr (info->problem, ==, "The address answered 404 Not Found: Twilio can’t fetch "
                                      "the file");
  turnout_media_info_free (info);

  /* HEAD refused: one byte asked for instead, the size from Content-Range. */
  info = check (checker, "/nohead.gif", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->status, ==, 200);
  g_assert_cmpstr (info->content_type, ==, "image/gif");
  g_assert_cmpint (info->size, ==, 2048);
  g_assert_null (info->problem);
  turnout_media_info_free (info);

  /* Nothing listening: an error, not an answer. */
  info = check (checker, "http://127.0.0.1:1/poster.jpg", &error);
  g_assert_null (info);
  g_assert_nonnull (error);
}

static void
test_fetch (void)
{
  g_autoptr(TurnoutMediaChecker) checker = turnout_media_checker_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *url = g_strconcat (base, "/poster.jpg", NULL);
  g_autofree char *missing = g_strconcat (base, "/missing.jpg", NULL);

  turnout_media_checker_fetch_async (checker, url, NULL, turnout_test_result_cb, &result);
  bytes = turnout_media_checker_fetch_finish (checker, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 120000);
  g_clear_object (&result);

  turnout_media_checker_fetch_async (checker, missing, NULL, turnout_test_result_cb, &result);
  g_assert_null (turnout_media_checker_fetch_finish (checker, turnout_test_wait_result (&result),
                                                     &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  int status;

  turnout_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, handle, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));

  g_test_add_func ("/media-check/check", test_check);
  g_test_add_func ("/media-check/fetch", test_fetch);

  status = g_test_run ();
  g_clear_object (&server);
  g_free (base);
  return status;
}
