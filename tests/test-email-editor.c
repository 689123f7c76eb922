/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-email-editor"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include <libsoup/soup.h>
#include <webkit/webkit.h>

#include "turnout-clock.h"
#include "turnout-email-editor.h"
#include "turnout-html-text.h"
#include "turnout-preview-chooser.h"
#include "turnout-settings.h"
#include "turnout-store.h"
#include "turnout-template.h"
#include "turnout-test-db.h"
#include "turnout-test-ui.h"
#include "turnout-test-utils.h"

/*
 * The email template editor as a user meets it, standalone in a window
 * over a real store: the message rendered for the first contact (the
 * inbox line with the sender, subject and preheader, and the HTML in a
 * WebKit view that loads about:blank and nothing else); a merge mistake in
 * the subject named with its column; edits written into the template and
 * announced, loading not; "Fill from HTML"; the desktop and phone widths;
 * and remote content: a tiny HTTP server on 127.0.0.1 counts what the
 * preview asks it for — nothing while remote images are off, the picture
 * (and still nothing else) once they are on. Runs under Xvfb in a private
 * D-Bus session; every wait spins the main loop until a condition holds.
 *
 * With TURNOUT_TEST_SCREENSHOTS=DIR, the tests also save what the screen
 * shows into DIR (with ImageMagick's import), for a person to look at.
 */

/* 2026-05-01T12:00:00Z: the frozen clock of every test. */
#define NOW 1777636800
#define DAY 86400

/* A 120×40 orange picture. */
static const guint8 picture[] =
  "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x78\x00\x00\x00"
  "\x28\x08\x02\x00\x00\x00\xba\x88\xa9\x72\x00\x00\x00\x50\x49\x44\x41\x54\x78\xda\xed\xd0\x31"
  "\x0d\x00\x00\x08\x03\xb0\x59\xc5\x3c\x3a\xe6\x82\x70\x34\xa9\x82\x66\x27\x1c\x50\x20\x5a\x34"
  "\xa2\x45\x8b\x56\x20\x5a\x34\xa2\x45\x8b\xb6\x20\x5a\x34\xa2\x45\x8b\x46\xb4\x68\x44\x8b\x16"
  "\x8d\x68\xd1\x88\x16\x2d\x1a\xd1\xa2\x11\x2d\x5a\x34\xa2\x45\x23\x5a\xb4\x68\x44\x8b\x46\xf4"
  "\x43\x05\x11\x47\xf4\x9a\x58\x60\x4e\x0d\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

typedef struct
{
  TurnoutStore    *store;
  TurnoutSettings *settings;
  TurnoutTemplate *template;
  GtkWindow       *window;
  GtkWidget       *editor;
  WebKitWebView   *web_view;
  SoupServer      *server;
  char            *base_url;      /* http://127.0.0.1:PORT */
  GHashTable      *hits;          /* path → number of requests */
  guint            changed;       /* "changed" emissions */
  guint            finished;      /* WEBKIT_LOAD_FINISHED events */
  GPtrArray       *loaded_uris;   /* the URI of every finished load */
} Fixture;

/* Ana Ruiz, registered for Warehouse Night tomorrow at 20:00 UTC; and a
 * contact with no first name. The preview starts with Ana, first by name. */
static void
seed_store (Fixture *fixture)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW);
  g_autoptr(TurnoutClock) clock = turnout_clock_new_frozen (now);
  g_autofree char *path = turnout_test_tmp_path ("email-editor.db");
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;

  turnout_clock_set_default (clock);
  g_unlink (path);
  fixture->store = turnout_store_open (path, &error);
  g_assert_no_error (error);

  sql = g_strdup_printf (
    "INSERT INTO contacts (id, first_name, last_name, phone, email, city, created_at, updated_at)"
    " VALUES (1, 'Ana', 'Ruiz', '+16505550100', 'ana@example.com', 'Leeds', %d, %d),"
    "        (2, '', 'Zed', '+16505550101', 'zed@example.com', 'York', %d, %d);"
    "INSERT INTO events (id, name, starts_at, time_zone, venue, created_at, updated_at)"
    " VALUES (1, 'Warehouse Night', %d, 'UTC', 'The Depot', %d, %d);"
    "INSERT INTO registrations (contact_id, event_id, status, amount, created_at,"
    "                           confirmed_at, updated_at)"
    " VALUES (1, 1, 'registered', 2500, %d, %d, %d),"
    "        (2, 1, 'registered', 2500, %d, %d, %d);",
    NOW, NOW, NOW, NOW,
    NOW + DAY + 8 * 3600, NOW, NOW,
    NOW, NOW, NOW, NOW, NOW, NOW);
  turnout_test_exec_sql (fixture->store, sql);

  fixture->settings = turnout_settings_new (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_true (turnout_settings_set (fixture->settings, "smtp.from_name", "Depot Nights",
                                       &error));
  g_assert_no_error (error);
  g_assert_true (turnout_settings_set (fixture->settings, "email.unsubscribe_url",
                                       "https://depot.example/unsubscribe", &error));
  g_assert_no_error (error);
}

static void
on_request_cb (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Fixture *fixture = user_data;
  guint hits = GPOINTER_TO_UINT (g_hash_table_lookup (fixture->hits, path));

  g_hash_table_replace (fixture->hits, g_strdup (path), GUINT_TO_POINTER (hits + 1));
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  if (g_str_has_suffix (path, ".png"))
    soup_server_message_set_response (message, "image/png", SOUP_MEMORY_STATIC,
                                      (const char *) picture, sizeof picture - 1);
  else if (g_str_has_suffix (path, ".css"))
    soup_server_message_set_response (message, "text/css", SOUP_MEMORY_STATIC,
                                      "body { background: red; }", 25);
  else
    soup_server_message_set_response (message, "text/html", SOUP_MEMORY_STATIC,
                                      "<p>elsewhere</p>", 16);
}

static guint
hits (Fixture    *fixture,
      const char *path)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fixture->hits, path));
}

static void
start_server (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  g_autofree char *uri = NULL;

  fixture->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, on_request_cb, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  g_assert_nonnull (uris);
  uri = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  /* "http://127.0.0.1:PORT/" without the slash. */
  fixture->base_url = g_strndup (uri, strlen (uri) - (g_str_has_suffix (uri, "/") ? 1 : 0));
}

static void
on_changed_cb (GtkWidget *editor,
               Fixture   *fixture)
{
  fixture->changed++;
}

static void
on_load_changed_cb (WebKitWebView   *view,
                    WebKitLoadEvent  event,
                    Fixture         *fixture)
{
  if (event != WEBKIT_LOAD_FINISHED)
    return;
  fixture->finished++;
  g_ptr_array_add (fixture->loaded_uris, g_strdup (webkit_web_view_get_uri (view)));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *html = NULL;

  seed_store (fixture);
  start_server (fixture);
  fixture->loaded_uris = g_ptr_array_new_with_free_func (g_free);

  html = g_strdup_printf ("<!doctype html>\n"
                          "<html><head>\n"
                          "<meta http-equiv=\"refresh\" content=\"0; url=%s/refresh\">\n"
                          "<link rel=\"stylesheet\" href=\"%s/style.css\">\n"
                          "</head><body style=\"font-family: sans-serif\">\n"
                          "<h1>Warehouse Night</h1>\n"
                          "<p>Hi {first_name|there}</p>\n"
                          "<p><img src=\"%s/x.png\" alt=\"Poster\" width=\"120\""
                          " height=\"40\"></p>\n"
                          "<p><a href=\"%s/tickets\">Your tickets</a></p>\n"
                          "<p>{unsubscribe}</p>\n"
                          "</body></html>\n",
                          fixture->base_url, fixture->base_url, fixture->base_url,
                          fixture->base_url);
  fixture->template = turnout_template_new ("email");
  turnout_template_set_subject (fixture->template, "Doors at {event_time}, {first_name|friend}!");
  turnout_template_set_body_html (fixture->template, html);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1280, 800);
  fixture->editor = g_object_ref_sink (g_object_new (TURNOUT_TYPE_EMAIL_EDITOR,
                                                     "store", fixture->store,
                                                     "settings", fixture->settings,
                                                     NULL));
  g_signal_connect (fixture->editor, "changed", G_CALLBACK (on_changed_cb), fixture);
  fixture->web_view = WEBKIT_WEB_VIEW (find_type (fixture->editor, WEBKIT_TYPE_WEB_VIEW));
  g_assert_nonnull (fixture->web_view);
  g_signal_connect (fixture->web_view, "load-changed", G_CALLBACK (on_load_changed_cb), fixture);
  gtk_window_set_child (fixture->window, fixture->editor);
  gtk_window_present (fixture->window);
  turnout_email_editor_set_template (TURNOUT_EMAIL_EDITOR (fixture->editor), fixture->template);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (fixture->web_view, fixture);
  g_object_ref (fixture->window);
  gtk_window_destroy (fixture->window);
  g_assert_finalize_object (fixture->window);
  turnout_test_finalize_object (fixture->editor);
  turnout_test_finalize_object (fixture->template);
  turnout_test_finalize_object (fixture->settings);
  turnout_test_finalize_object (fixture->store);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_clear_pointer (&fixture->hits, g_hash_table_unref);
  g_clear_pointer (&fixture->loaded_uris, g_ptr_array_unref);
  g_clear_pointer (&fixture->base_url, g_free);
}

/* Helpers -------------------------------------------------------------------- */

static void
take_screenshot (const char *name)
{
  const char *dir = g_getenv ("TURNOUT_TEST_SCREENSHOTS");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (dir == NULL)
    return;
  /* Let the last frames reach the screen. */
  turnout_test_spin_for (500);
  path = g_build_filename (dir, name, NULL);
  g_spawn_sync (NULL, (char *[]) { (char *) "import", (char *) "-window", (char *) "root", path,
                                   NULL },
                NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
}

static TurnoutEmailEditor *
editor (Fixture *fixture)
{
  return TURNOUT_EMAIL_EDITOR (fixture->editor);
}

/* The HTML the web view holds, as its main resource. */
static char *
dup_loaded_page (WebKitWebView *view)
{
  WebKitWebResource *resource = webkit_web_view_get_main_resource (view);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  guchar *data;

  if (resource == NULL)
    return g_strdup ("");
  webkit_web_resource_get_data (resource, NULL, turnout_test_result_cb, &result);
  data = webkit_web_resource_get_data_finish (resource, turnout_test_wait_result (&result),
                                              &length, &error);
  if (data == NULL)
    return g_strdup ("");
  return g_strndup ((char *) data, length);
}

/* Whether the view finished loading a page that says @text. */
static gboolean
page_says (Fixture    *fixture,
           const char *text)
{
  g_autofree char *page = NULL;

  if (fixture->finished == 0 || webkit_web_view_is_loading (fixture->web_view))
    return FALSE;
  page = dup_loaded_page (fixture->web_view);
  return strstr (page, text) != NULL;
}

static GtkTextBuffer *
view_buffer (Fixture    *fixture,
             const char *accessible_label)
{
  g_autoptr(GPtrArray) views = g_ptr_array_new ();

  collect_widgets (fixture->editor, is_type, GSIZE_TO_POINTER (GTK_SOURCE_TYPE_VIEW), views);
  g_assert_cmpuint (views->len, ==, 4);
  /* In the order of the form: subject, preheader, HTML, plain text. */
  if (g_str_equal (accessible_label, "subject"))
    return gtk_text_view_get_buffer (g_ptr_array_index (views, 0));
  if (g_str_equal (accessible_label, "preheader"))
    return gtk_text_view_get_buffer (g_ptr_array_index (views, 1));
  if (g_str_equal (accessible_label, "html"))
    return gtk_text_view_get_buffer (g_ptr_array_index (views, 2));
  return gtk_text_view_get_buffer (g_ptr_array_index (views, 3));
}

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

/* Types @text at the end of @buffer, as the keyboard would. */
static void
type_at_end (GtkTextBuffer *buffer,
             const char    *text)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_insert_interactive_at_cursor (buffer, text, -1, TRUE);
  gtk_text_buffer_end_user_action (buffer);
}

static gboolean
has_button_label (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_BUTTON (widget)
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

static GtkWidget *
find_button (Fixture    *fixture,
             const char *label)
{
  GtkWidget *button = find_widget (fixture->editor, has_button_label, label);

  g_assert_nonnull (button);
  return button;
}

/* Tests ---------------------------------------------------------------------- */

/* The first contact's message: the inbox line and the page, which holds
 * the name and loaded about:blank with nothing fetched — not the picture,
 * not the style sheet, not the page a <meta refresh> points at. */
static void
test_preview_blocks_remote (Fixture       *fixture,
                            gconstpointer  data)
{
  const char *subject;
  g_autofree char *unsubscribe = NULL;

  spin_until (g_str_has_suffix (turnout_email_editor_get_inbox_subject (editor (fixture)),
                                ", Ana!"));
  subject = turnout_email_editor_get_inbox_subject (editor (fixture));
  g_assert_true (g_str_has_prefix (subject, "Doors at "));
  g_assert_null (strchr (subject, '{'));
  /* The event's time, not a blank: "Doors at , Ana!" would be wrong. */
  g_assert_cmpuint (strlen (subject), >, strlen ("Doors at , Ana!"));
  g_assert_true (turnout_test_shows (fixture->editor, "Depot Nights"));
  /* No preheader: the inbox shows the start of the text, as mail apps do. */
  g_assert_true (g_str_has_prefix (turnout_email_editor_get_inbox_preheader (editor (fixture)),
                                   "Warehouse Night Hi Ana"));
  g_assert_false (turnout_test_shows_part (fixture->editor, "came out blank"));

  spin_until (page_says (fixture, "<p>Hi Ana</p>"));
  g_assert_nonnull (strstr (turnout_email_editor_get_preview_html (editor (fixture)),
                            "<p>Hi Ana</p>"));
  unsubscribe = dup_loaded_page (fixture->web_view);
  g_assert_nonnull (strstr (unsubscribe,
                            "<a href=\"https://depot.example/unsubscribe\">"));
  /* The <meta refresh> gets its chance, and is refused. */
  turnout_test_spin_for (600);
  g_assert_cmpstr (webkit_web_view_get_uri (fixture->web_view), ==, "about:blank");
  for (guint i = 0; i < fixture->loaded_uris->len; i++)
    g_assert_cmpstr (g_ptr_array_index (fixture->loaded_uris, i), ==, "about:blank");
  g_assert_cmpuint (hits (fixture, "/x.png"), ==, 0);
  g_assert_cmpuint (hits (fixture, "/style.css"), ==, 0);
  g_assert_cmpuint (hits (fixture, "/refresh"), ==, 0);
  /* Loading the template was no edit. */
  g_assert_cmpuint (fixture->changed, ==, 0);
  take_screenshot ("email-desktop.png");

  /* The preview follows the settings. */
  g_assert_true (turnout_settings_set (fixture->settings, "smtp.from_name", "", NULL));
  g_assert_true (turnout_settings_set (fixture->settings, "general.sender_name", "Ana's Promotions",
                                       NULL));
  spin_until (turnout_test_shows (fixture->editor, "Ana's Promotions"));
  g_assert_true (turnout_settings_set (fixture->settings, "email.unsubscribe_url", "", NULL));
  g_assert_true (turnout_settings_set (fixture->settings, "email.unsubscribe_mailto",
                                       "leave@depot.example", NULL));
  spin_until (page_says (fixture,
                         "<a href=\"mailto:leave@depot.example\">leave@depot.example</a>"));
  g_assert_cmpuint (fixture->changed, ==, 0);
}

/* "Load Remote Images" fetches the picture, and still nothing else. */
static void
test_remote_images (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *image_switch;
  gboolean load = FALSE;

  spin_until (page_says (fixture, "<p>Hi Ana</p>"));
  g_assert_cmpuint (hits (fixture, "/x.png"), ==, 0);

  image_switch = find_type (fixture->editor, GTK_TYPE_SWITCH);
  g_assert_nonnull (image_switch);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (image_switch)));
  /* The switch flips at the end of its animation. */
  gtk_widget_activate (image_switch);
  spin_until (gtk_switch_get_active (GTK_SWITCH (image_switch)));
  g_object_get (fixture->editor, "load-remote-images", &load, NULL);
  g_assert_true (load);
  spin_until (hits (fixture, "/x.png") > 0);
  spin_until (!webkit_web_view_is_loading (fixture->web_view));
  turnout_test_spin_for (300);
  g_assert_cmpuint (hits (fixture, "/style.css"), ==, 0);
  g_assert_cmpuint (hits (fixture, "/refresh"), ==, 0);
  g_assert_cmpstr (webkit_web_view_get_uri (fixture->web_view), ==, "about:blank");
  g_assert_cmpuint (fixture->changed, ==, 0);
  take_screenshot ("email-images.png");
}

/* A mistake in the subject is named with its column; Enter adds no line. */
static void
test_subject_mistake (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkTextBuffer *subject = view_buffer (fixture, "subject");
  g_autofree char *text = NULL;

  g_assert_false (turnout_test_shows_part (fixture->editor, "Column"));
  type_at_end (subject, " {frist_name}");
  g_assert_cmpuint (fixture->changed, ==, 1);
  /* "Doors at {event_time}, {first_name|friend}! " is 44 characters. */
  spin_until (turnout_test_shows_part (fixture->editor, "Column 45: "));
  g_assert_true (turnout_test_shows_part (fixture->editor, "“frist_name”"));
  g_assert_true (turnout_test_shows_part (fixture->editor, "Merge fields show as written"));
  g_assert_cmpstr (turnout_template_get_subject (fixture->template), ==,
                   "Doors at {event_time}, {first_name|friend}! {frist_name}");

  type_at_end (subject, "\n");
  text = buffer_text (subject);
  g_assert_cmpstr (text, ==, "Doors at {event_time}, {first_name|friend}! {frist_name}");
  g_clear_pointer (&text, g_free);
  type_at_end (subject, "\nsee you");
  text = buffer_text (subject);
  g_assert_cmpstr (text, ==, "Doors at {event_time}, {first_name|friend}! {frist_name} see you");
  g_assert_cmpint (gtk_text_buffer_get_line_count (subject), ==, 1);
  take_screenshot ("email-mistake.png");

  /* Fixed, the message is rendered again. */
  gtk_text_buffer_set_text (subject, "Hello {first_name}", -1);
  spin_until (g_str_equal (turnout_email_editor_get_inbox_subject (editor (fixture)),
                           "Hello Ana"));
  g_assert_false (turnout_test_shows_part (fixture->editor, "Column"));
  g_assert_false (turnout_test_shows_part (fixture->editor, "Merge fields show as written"));
}

/* Editing the HTML writes the template, says so, and the preview follows
 * after a pause. */
static void
test_html_edit (Fixture       *fixture,
                gconstpointer  data)
{
  GtkTextBuffer *html = view_buffer (fixture, "html");
  GtkSourceLanguage *language = gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (html));
  GtkWidget *chooser;

  g_assert_nonnull (language);
  g_assert_cmpstr (gtk_source_language_get_id (language), ==, "html");
  spin_until (page_says (fixture, "<p>Hi Ana</p>"));
  g_assert_cmpuint (fixture->changed, ==, 0);

  type_at_end (html, "<p>See you, {first_name}!</p>\n");
  g_assert_cmpuint (fixture->changed, ==, 1);
  g_assert_true (g_str_has_suffix (turnout_template_get_body_html (fixture->template),
                                   "<p>See you, {first_name}!</p>\n"));
  spin_until (page_says (fixture, "<p>See you, Ana!</p>"));

  /* A contact without a first name: the blank is pointed out. */
  type_at_end (html, "<p>{first_name}</p>");
  chooser = find_type (fixture->editor, TURNOUT_TYPE_PREVIEW_CHOOSER);
  turnout_preview_chooser_set_contact_id (TURNOUT_PREVIEW_CHOOSER (chooser), 2);
  spin_until (turnout_test_shows_part (fixture->editor, "{first_name} came out blank for Zed"));
  spin_until (page_says (fixture, "<p>Hi there</p>"));
  take_screenshot ("email-blank.png");
  g_assert_true (g_str_has_suffix (turnout_email_editor_get_inbox_subject (editor (fixture)),
                                   ", friend!"));

  /* A mistake in the HTML is named with its line and column. */
  g_assert_false (turnout_test_shows_part (fixture->editor, "Line "));
  type_at_end (html, "\n{nope}");
  g_assert_cmpuint (fixture->changed, ==, 3);
  spin_until (turnout_test_shows_part (fixture->editor, "Line 14, column 1: "));
  g_assert_true (turnout_test_shows_part (fixture->editor, "“nope”"));
}

/* "Fill from HTML" puts the generated text in the plain-text part. */
static void
test_fill_text (Fixture       *fixture,
                gconstpointer  data)
{
  GtkTextBuffer *text = view_buffer (fixture, "text");
  const char *html = turnout_template_get_body_html (fixture->template);
  g_autofree char *expected = turnout_html_to_text (html);
  g_autofree char *filled = NULL;

  g_assert_cmpint (gtk_text_buffer_get_char_count (text), ==, 0);
  g_assert_true (turnout_test_shows (fixture->editor, "Left empty, it is made from the HTML"));

  /* A button reacts at the end of its pressed look. */
  gtk_widget_activate (find_button (fixture, "_Fill from HTML"));
  spin_until (gtk_text_buffer_get_char_count (text) > 0);
  filled = buffer_text (text);
  g_assert_cmpstr (filled, ==, expected);
  g_assert_nonnull (strstr (filled, "Hi {first_name|there}"));
  g_assert_cmpstr (turnout_template_get_body_text (fixture->template), ==, expected);
  g_assert_cmpuint (fixture->changed, ==, 1);
  g_assert_false (turnout_test_shows (fixture->editor, "Left empty, it is made from the HTML"));

  /* One undo takes it back. */
  gtk_text_buffer_undo (text);
  g_assert_cmpint (gtk_text_buffer_get_char_count (text), ==, 0);
  g_assert_cmpstr (turnout_template_get_body_text (fixture->template), ==, "");
  g_assert_true (turnout_test_shows (fixture->editor, "Left empty, it is made from the HTML"));
}

/* The phone and desktop buttons change the width the message is laid out at. */
static void
test_widths (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *view = GTK_WIDGET (fixture->web_view);
  GtkWidget *phone = find_button (fixture, "Pho_ne");
  GtkWidget *desktop = find_button (fixture, "_Desktop");
  int width = 0;

  gtk_widget_get_size_request (view, &width, NULL);
  g_assert_cmpint (width, ==, TURNOUT_EMAIL_PREVIEW_DESKTOP_WIDTH);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (desktop)));

  gtk_widget_activate (phone);
  spin_until (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (phone)));
  gtk_widget_get_size_request (view, &width, NULL);
  g_assert_cmpint (width, ==, TURNOUT_EMAIL_PREVIEW_PHONE_WIDTH);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (phone)));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (desktop)));
  spin_until (page_says (fixture, "<p>Hi Ana</p>"));
  spin_until (gtk_widget_get_width (view) == TURNOUT_EMAIL_PREVIEW_PHONE_WIDTH);
  take_screenshot ("email-phone.png");

  gtk_widget_activate (desktop);
  spin_until (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (desktop)));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (phone)));
  gtk_widget_get_size_request (view, &width, NULL);
  g_assert_cmpint (width, ==, TURNOUT_EMAIL_PREVIEW_DESKTOP_WIDTH);
  spin_until (gtk_widget_get_width (view) == TURNOUT_EMAIL_PREVIEW_DESKTOP_WIDTH);
  g_assert_cmpuint (fixture->changed, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  turnout_test_init (&argc, &argv);
  /* The labels are checked as written in English. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* What the application loads from its resource base path, so the
   * editor looks here as it does in Turnout. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/turnoutapp/Turnout/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add ("/email-editor/preview-blocks-remote", Fixture, NULL, fixture_set_up,
              test_preview_blocks_remote, fixture_tear_down);
  g_test_add ("/email-editor/remote-images", Fixture, NULL, fixture_set_up, test_remote_images,
              fixture_tear_down);
  g_test_add ("/email-editor/subject-mistake", Fixture, NULL, fixture_set_up,
              test_subject_mistake, fixture_tear_down);
  g_test_add ("/email-editor/html-edit", Fixture, NULL, fixture_set_up, test_html_edit,
              fixture_tear_down);
  g_test_add ("/email-editor/fill-text", Fixture, NULL, fixture_set_up, test_fill_text,
              fixture_tear_down);
  g_test_add ("/email-editor/widths", Fixture, NULL, fixture_set_up, test_widths,
              fixture_tear_down);

  return g_test_run ();
}
