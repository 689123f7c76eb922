/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>

#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "turnout-credentials.h"
#include "turnout-settings.h"
#include "turnout-smtp-sender.h"
#include "turnout-store.h"
#include "turnout-test-utils.h"

/* The SMTP client against a real SMTP server on 127.0.0.1 (tests/
 * smtp-server.py on Debian's aiosmtpd) with certificates made here by
 * openssl: a message arrives byte for byte (dot-stuffing undone by the
 * server), both kinds of TLS, STARTTLS required and no password in the
 * clear, certificates refused with words and accepted by fingerprint,
 * AUTH PLAIN and LOGIN, every reply mapping, pipelining and one write per
 * command (the server logs each block it reads), the pool's parallel
 * connections, reuse and reconnects, a connection lost after the final
 * ".", SIZE, the connection test's steps, and the settings with the
 * keyring. */

#define USER "alice"
#define PASSWORD "s3cret"
#define FROM "promoter@example.test"

static char *certs_dir;

/* ------------------------------------------------------------------------
 * Certificates
 */

static void
run_openssl (const char *first,
             ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list ap;

  g_ptr_array_add (args, (char *) "openssl");
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, certs_dir);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("openssl %s failed: %s", first, err);
}

static void
write_text (const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (certs_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* A certificate for @san signed by the test authority. */
static void
make_signed (const char *name,
             const char *san)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *csr = g_strconcat (name, ".csr", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *ext = g_strconcat (name, ".ext", NULL);
  g_autofree char *ext_text = g_strdup_printf ("subjectAltName=%s\n"
                                               "basicConstraints=CA:FALSE\n"
                                               "keyUsage=digitalSignature\n"
                                               "extendedKeyUsage=serverAuth\n", san);

  write_text (ext, ext_text);
  run_openssl ("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
               "-keyout", key, "-out", csr, "-subj", "/CN=smtp.test", NULL);
  run_openssl ("x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca.key",
               "-CAcreateserial", "-out", pem, "-days", "2", "-extfile", ext, NULL);
}

static void
make_certificates (void)
{
  certs_dir = turnout_test_tmp_path ("certs");
  g_mkdir_with_parents (certs_dir, 0700);

  run_openssl ("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
               "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
               "-subj", "/CN=Turnout Test CA",
               "-addext", "basicConstraints=critical,CA:TRUE",
               "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL);
  make_signed ("server", "DNS:localhost,IP:127.0.0.1");
  make_signed ("wrong-name", "DNS:mail.other.test");
  /* Self-signed, trusted by nobody. */
  run_openssl ("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
               "-nodes", "-keyout", "rogue.key", "-out", "rogue.pem", "-days", "2",
               "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", NULL);
}

static char *
cert_path (const char *name,
           const char *suffix)
{
  g_autofree char *file = g_strconcat (name, suffix, NULL);

  return g_build_filename (certs_dir, file, NULL);
}

static char *
fingerprint_of (const char *name)
{
  g_autofree char *path = cert_path (name, ".pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, &error);

  g_assert_no_error (error);
  return turnout_smtp_dup_certificate_fingerprint (certificate);
}

/* ------------------------------------------------------------------------
 * The server
 */

typedef struct
{
  GSubprocess *process;
  guint        port;
  char        *outdir;
} Server;

static guint server_count;

/* Starts tests/smtp-server.py. @tls: "starttls", "implicit" or "none";
 * @cert: the certificate's name; then more options, NULL-terminated. */
static Server *
server_start (const char *tls,
              const char *cert,
              ...)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("server-%u", ++server_count);
  g_autofree char *line = NULL;
  va_list ap;

  server->outdir = turnout_test_tmp_path (name);
  g_ptr_array_add (args, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (args, g_test_build_filename (G_TEST_DIST, "smtp-server.py", NULL));
  g_ptr_array_add (args, g_strdup ("--outdir"));
  g_ptr_array_add (args, g_strdup (server->outdir));
  g_ptr_array_add (args, g_strdup ("--tls"));
  g_ptr_array_add (args, g_strdup (tls));
  g_ptr_array_add (args, g_strdup ("--user"));
  g_ptr_array_add (args, g_strdup (USER));
  g_ptr_array_add (args, g_strdup ("--password"));
  g_ptr_array_add (args, g_strdup (PASSWORD));
  if (cert != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--cert"));
      g_ptr_array_add (args, cert_path (cert, ".pem"));
      g_ptr_array_add (args, g_strdup ("--key"));
      g_ptr_array_add (args, cert_path (cert, ".key"));
    }
  va_start (ap, cert);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata,
                                                  &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, "PORT "))
    g_error ("smtp-server.py did not start (is python3-aiosmtpd installed?)");
  server->port = (guint) g_ascii_strtoull (line + 5, NULL, 10);
  g_assert_cmpuint (server->port, >, 0);
  return server;
}

static void
server_stop (Server *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (server->process);
  g_free (server->outdir);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_stop)

static char *
server_path (Server     *server,
             const char *name)
{
  return g_build_filename (server->outdir, name, NULL);
}

static guint
server_count_messages (Server *server)
{
  guint n = 0;

  for (;; n++)
    {
      g_autofree char *name = g_strdup_printf ("%u.json", n + 1);
      g_autofree char *path = server_path (server, name);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return n;
    }
}

static JsonObject *
parse_object (const char *text,
              gssize      len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, len, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The @n-th stored message's summary (1 is the first). */
static JsonObject *
server_dup_message (Server *server,
                    guint   n)
{
  g_autofree char *name = g_strdup_printf ("%u.json", n);
  g_autofree char *path = server_path (server, name);
  g_autoptr(GBytes) bytes = turnout_test_read_file (path);

  return parse_object (g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));
}

static GBytes *
server_dup_eml (Server *server,
                guint   n)
{
  g_autofree char *name = g_strdup_printf ("%u.eml", n);
  g_autofree char *path = server_path (server, name);

  return turnout_test_read_file (path);
}

/* The server's log: one JsonObject per event. */
static GPtrArray *
server_dup_log (Server *server)
{
  g_autofree char *path = server_path (server, "log.jsonl");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return events;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (events, parse_object (lines[i], -1));
  return events;
}

static guint
count_events (GPtrArray  *events,
              const char *kind)
{
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    n += g_str_equal (json_object_get_string_member (g_ptr_array_index (events, i), "event"),
                      kind);
  return n;
}

static guint
server_count_events (Server     *server,
                     const char *kind)
{
  g_autoptr(GPtrArray) events = server_dup_log (server);

  return count_events (events, kind);
}

/* The chunks (client writes) whose data contains @needle. */
static GPtrArray *
find_chunks (GPtrArray  *events,
             const char *needle)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);

      if (g_str_equal (json_object_get_string_member (event, "event"), "chunk") &&
          strstr (json_object_get_string_member (event, "data"), needle) != NULL)
        g_ptr_array_add (found, event);
    }
  return found;
}

static gboolean
log_contains (Server     *server,
              const char *needle)
{
  g_autoptr(GPtrArray) events = server_dup_log (server);
  g_autoptr(GPtrArray) found = find_chunks (events, needle);

  return found->len > 0;
}

/* ------------------------------------------------------------------------
 * The client
 */

static TurnoutSmtpSender *
new_sender (guint                port,
            TurnoutSmtpSecurity  security,
            const char          *user,
            const char          *password)
{
  g_autoptr(GError) error = NULL;
  TurnoutSmtpSender *sender = turnout_smtp_sender_new ("127.0.0.1", port, security, user,
                                                       password, FROM, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sender);
  /* A stuck test fails in seconds, not in the default half minute. */
  turnout_smtp_sender_set_timeout (sender, 10);
  return sender;
}

static void
check_result (TurnoutSendResult *sent)
{
  g_assert_nonnull (sent);
  /* Every outcome but OK says in words what happened. */
  if (sent->outcome == TURNOUT_SEND_OK)
    g_assert_nonnull (sent->provider_id);
  else
    {
      g_assert_null (sent->provider_id);
      g_assert_nonnull (sent->message);
      g_assert_cmpstr (sent->message, !=, "");
    }
}

static TurnoutSendResult *
send_raw_from (TurnoutSmtpSender *sender,
               const char        *from,
               const char        *to,
               const char        *message)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (message, strlen (message));
  g_autoptr(GError) error = NULL;
  const char *recipients[] = { to, NULL };
  TurnoutSendResult *sent;

  turnout_smtp_sender_send_raw_async (sender, from, recipients, bytes, NULL,
                                      turnout_test_result_cb, &result);
  sent = turnout_smtp_sender_send_raw_finish (sender, turnout_test_wait_result (&result), &error);
  g_assert_no_error (error);
  check_result (sent);
  return sent;
}

static char *
simple_message (const char *to,
                const char *body)
{
  return g_strdup_printf ("From: " FROM "\r\nTo: %s\r\nSubject: Test\r\n"
                          "Message-ID: <%s@example.test>\r\n\r\n%s\r\n",
                          to, to, body);
}

static TurnoutSendResult *
send_simple (TurnoutSmtpSender *sender,
             const char        *to)
{
  g_autofree char *message = simple_message (to, "Hello");

  return send_raw_from (sender, FROM, to, message);
}

static TurnoutSendResult *
send_outgoing (TurnoutSmtpSender     *sender,
               const TurnoutOutgoing *outgoing)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutSendResult *sent;

  turnout_sender_send_async (TURNOUT_SENDER (sender), outgoing, NULL, turnout_test_result_cb,
                             &result);
  sent = turnout_sender_send_finish (TURNOUT_SENDER (sender), turnout_test_wait_result (&result),
                                     &error);
  g_assert_no_error (error);
  check_result (sent);
  return sent;
}

static void
assert_outcome (TurnoutSmtpSender  *sender,
                const char         *to,
                TurnoutSendOutcome  outcome,
                const char         *error_code)
{
  g_autoptr(TurnoutSendResult) sent = send_simple (sender, to);

  if (sent->outcome != outcome)
    g_error ("%s: outcome %s, expected %s (%s)", to, turnout_send_outcome_to_string (sent->outcome),
             turnout_send_outcome_to_string (outcome), sent->message);
  g_assert_cmpstr (sent->error_code, ==, error_code);
}

static TurnoutSmtpCheck *
test_connection (TurnoutSmtpSender *sender)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TurnoutSmtpCheck *check;

  turnout_smtp_sender_test_connection_async (sender, NULL, turnout_test_result_cb, &result);
  check = turnout_smtp_sender_test_connection_finish (sender, turnout_test_wait_result (&result),
                                                      &error);
  g_assert_no_error (error);
  g_assert_nonnull (check);
  g_assert_nonnull (check->message);
  return check;
}

#define assert_sent(sent, expected)                                                     \
  G_STMT_START                                                                          \
  {                                                                                     \
    if ((sent)->outcome != (expected))                                                  \
      g_error ("%s:%d: outcome %s, expected %s: %s", __FILE__, __LINE__,                \
               turnout_send_outcome_to_string ((sent)->outcome),                        \
               turnout_send_outcome_to_string (expected), (sent)->message);             \
  }                                                                                     \
  G_STMT_END

/* A header of a stored message, by its name in any case. */
static const char *
get_header (JsonObject *headers,
            const char *name)
{
  g_autoptr(GList) names = json_object_get_members (headers);

  for (GList *l = names; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, name) == 0)
      return json_object_get_string_member (headers, l->data);
  return NULL;
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack, needle);
}

/* ------------------------------------------------------------------------
 * Tests
 */

static void
test_message_intact (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);
  g_autoptr(TurnoutSendResult) sent = NULL;
  g_autoptr(JsonObject) summary = NULL;
  g_autoptr(GBytes) eml = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) mail = NULL;
  g_autoptr(GPtrArray) payload = NULL;
  g_autofree char *mail_line = NULL;
  /* LF line ends, lines that start with dots, a lone dot, 8-bit text. */
  const char *message = "From: Zoë <" FROM ">\n"
                        "To: fan@example.test\n"
                        "Subject: Dots\n"
                        "Message-ID: <dots-1@example.test>\n"
                        "\n"
                        ".hidden line\n"
                        "..two dots\n"
                        ".\n"
                        "Zoë’s show\n"
                        "last line without end";
  const char *expected = "From: Zoë <" FROM ">\r\n"
                         "To: fan@example.test\r\n"
                         "Subject: Dots\r\n"
                         "Message-ID: <dots-1@example.test>\r\n"
                         "\r\n"
                         ".hidden line\r\n"
                         "..two dots\r\n"
                         ".\r\n"
                         "Zoë’s show\r\n"
                         "last line without end\r\n";

  sent = send_raw_from (sender, FROM, "fan@example.test", message);
  assert_sent (sent, TURNOUT_SEND_OK);
  g_assert_cmpstr (sent->provider_id, ==, "dots-1@example.test");

  /* Byte for byte, with the server's dot-unstuffing. */
  g_assert_cmpuint (server_count_messages (server), ==, 1);
  eml = server_dup_eml (server, 1);
  g_assert_cmpmem (g_bytes_get_data (eml, NULL), g_bytes_get_size (eml),
                   expected, strlen (expected));
  summary = server_dup_message (server, 1);
  g_assert_cmpstr (json_object_get_string_member (summary, "mail_from"), ==, FROM);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (summary,
                                                                                "rcpt_tos"), 0),
                   ==, "fan@example.test");

  /* Encrypted, and each command in one write; the payload and its final
   * "." in one write too. */
  events = server_dup_log (server);
  mail = find_chunks (events, "MAIL FROM");
  g_assert_cmpuint (mail->len, ==, 1);
  g_assert_true (json_object_get_boolean_member (g_ptr_array_index (mail, 0), "tls"));
  /* The size on the wire: three lines gained a dot, and ".\r\n" ends it. */
  mail_line = g_strdup_printf ("MAIL FROM:<" FROM "> SIZE=%zu BODY=8BITMIME\r\n",
                               strlen (expected) + 3 + 3);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (mail, 0), "data"), ==,
                   mail_line);
  payload = find_chunks (events, "..hidden line");
  g_assert_cmpuint (payload->len, ==, 1);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (g_ptr_array_index (payload, 0),
                                                                  "data"), "From: Zo"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (g_ptr_array_index (payload, 0),
                                                                  "data"),
                                   "last line without end\r\n.\r\n"));
  /* Without PIPELINING each command waits for its answer. */
  {
    g_autoptr(GPtrArray) rcpt = find_chunks (events, "RCPT TO");

    g_assert_cmpuint (rcpt->len, ==, 1);
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (rcpt, 0), "data"), ==,
                     "RCPT TO:<fan@example.test>\r\n");
  }
  /* No password went out before encryption. */
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);

      if (g_str_equal (json_object_get_string_member (event, "event"), "auth"))
        g_assert_true (json_object_get_boolean_member (event, "tls"));
    }
  g_assert_cmpuint (count_events (events, "auth"), ==, 1);

  turnout_test_finalize_object (g_steal_pointer (&sender));
}

static void
test_outgoing (void)
{
  g_autoptr(Server) server = server_start ("implicit", "server", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_TLS,
                                                    USER, PASSWORD);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutSendResult) sent = NULL;
  g_autoptr(JsonObject) summary = NULL;
  g_autofree char *message_id = NULL;
  JsonObject *headers, *parts;
  TurnoutOutgoing outgoing = {
    .to = "fan@example.test",
    .subject = "Zoë’s show — tonight, doors at 8 and a subject long enough to need folding",
    .text = "Hi Sam,\n.see you there\n",
    .html = "<p>Hi Sam,</p>",
  };

  g_assert_cmpstr (turnout_sender_get_channel (TURNOUT_SENDER (sender)), ==, "email");
  turnout_smtp_sender_set_from_name (sender, "Zoë \"Promo\" Events");
  turnout_smtp_sender_set_compliance (sender, "1 Main St, Springfield", "unsubscribe@example.test",
                                      "https://example.test/u/1");
  turnout_sender_send_async (TURNOUT_SENDER (sender), &outgoing, NULL, turnout_test_result_cb,
                             &result);
  sent = turnout_sender_send_finish (TURNOUT_SENDER (sender), turnout_test_wait_result (&result),
                                     &error);
  g_assert_no_error (error);
  check_result (sent);
  assert_sent (sent, TURNOUT_SEND_OK);
  g_assert_true (g_str_has_suffix (sent->provider_id, "@example.test"));

  /* Python's email package reads it back as it was meant. */
  summary = server_dup_message (server, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (summary, "defects")),
                    ==, 0);
  headers = json_object_get_object_member (summary, "headers");
  g_assert_cmpstr (get_header (headers, "Subject"), ==, outgoing.subject);
  g_assert_cmpstr (get_header (headers, "From"), ==, "\"Zoë \\\"Promo\\\" Events\" <" FROM ">");
  g_assert_cmpstr (get_header (headers, "To"), ==, "fan@example.test");
  message_id = g_strdup_printf ("<%s>", sent->provider_id);
  g_assert_cmpstr (get_header (headers, "Message-ID"), ==, message_id);
  /* What turnout-email-message.c adds, from turnout_smtp_sender_set_compliance(). */
  assert_contains (get_header (headers, "List-Unsubscribe"), "<mailto:unsubscribe@example.test");
  assert_contains (get_header (headers, "List-Unsubscribe"), "<https://example.test/u/1>");
  g_assert_cmpstr (get_header (headers, "List-Unsubscribe-Post"), ==,
                   "List-Unsubscribe=One-Click");
  g_assert_cmpstr (get_header (headers, "MIME-Version"), ==, "1.0");
  g_assert_nonnull (get_header (headers, "Date"));
  parts = json_object_get_object_member (summary, "parts");
  /* A line starting with a dot arrives as written. */
  assert_contains (json_object_get_string_member (parts, "text/plain"),
                   "Hi Sam,\r\n.see you there\r\n");
  assert_contains (json_object_get_string_member (parts, "text/plain"), "1 Main St");
  assert_contains (json_object_get_string_member (parts, "text/html"), outgoing.html);

  /* A contact without an address is refused before any connection. */
  {
    g_autoptr(GAsyncResult) again = NULL;
    g_autoptr(TurnoutSendResult) refused = NULL;
    TurnoutOutgoing nobody = { .to = "", .text = "Hi" };

    turnout_sender_send_async (TURNOUT_SENDER (sender), &nobody, NULL, turnout_test_result_cb,
                               &again);
    refused = turnout_sender_send_finish (TURNOUT_SENDER (sender),
                                          turnout_test_wait_result (&again), &error);
    g_assert_no_error (error);
    assert_sent (refused, TURNOUT_SEND_PERMANENT);
    assert_contains (refused->message, "no email address");
  }

  /* The results hold the sender. */
  g_clear_object (&result);
  turnout_test_finalize_object (g_steal_pointer (&sender));
}

static void
test_compose_refused (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);
  TurnoutOutgoing outgoing = { .to = "fan@example.test", .subject = "Hi", .text = "Body" };
  TurnoutSendResult *sent;

  /* No postal address: no email may go out until it is set. */
  sent = send_outgoing (sender, &outgoing);
  assert_sent (sent, TURNOUT_SEND_FATAL);
  assert_contains (sent->message, "postal address");
  turnout_send_result_free (sent);

  /* A bad template fails only its message. */
  turnout_smtp_sender_set_compliance (sender, "1 Main St", NULL, NULL);
  outgoing.subject = "Hi\r\nBcc: everyone@example.test";
  sent = send_outgoing (sender, &outgoing);
  assert_sent (sent, TURNOUT_SEND_PERMANENT);
  turnout_send_result_free (sent);
  g_assert_false (log_contains (server, "MAIL FROM"));

  outgoing.subject = "Hi";
  sent = send_outgoing (sender, &outgoing);
  assert_sent (sent, TURNOUT_SEND_OK);
  turnout_send_result_free (sent);
  turnout_test_finalize_object (g_steal_pointer (&sender));
}

static void
test_starttls_required (void)
{
  /* A server that offers AUTH without encryption and no STARTTLS. */
  g_autoptr(Server) server = server_start ("none", NULL, "--auth-in-clear", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);
  g_autoptr(TurnoutSendResult) sent = send_simple (sender, "fan@example.test");
  g_autoptr(TurnoutSmtpCheck) check = NULL;
  g_autoptr(GPtrArray) events = NULL;

  assert_sent (sent, TURNOUT_SEND_FATAL);
  assert_contains (sent->message, "does not offer STARTTLS");
  assert_contains (sent->message, "neither your password nor any message");

  check = test_connection (sender);
  g_assert_cmpint (check->failed_step, ==, TURNOUT_SMTP_STEP_TLS);
  assert_contains (check->message, "does not offer STARTTLS");

  /* The credentials never went out, and nothing was sent. */
  events = server_dup_log (server);
  g_assert_cmpuint (count_events (events, "auth"), ==, 0);
  g_assert_false (log_contains (server, "AUTH"));
  g_assert_false (log_contains (server, "MAIL FROM"));
  g_assert_cmpuint (server_count_messages (server), ==, 0);

  turnout_test_finalize_object (g_steal_pointer (&sender));
}

static void
test_security_none (void)
{
  g_autoptr(Server) server = server_start ("none", NULL, NULL);
  g_autoptr(GError) error = NULL;
  TurnoutSmtpSender *sender;
  TurnoutSendResult *sent;

  /* Never a password without encryption. */
  sender = turnout_smtp_sender_new ("127.0.0.1", server->port, TURNOUT_SMTP_SECURITY_NONE, USER,
                                    PASSWORD, FROM, &error);
  g_assert_null (sender);
  g_assert_error (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_INVALID_CONFIG);
  assert_contains (error->message, "never sends a password over an unencrypted connection");
  g_clear_error (&error);

  /* A relay on this computer, without sign-in: fine. */
  sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_NONE, NULL, NULL);
  sent = send_simple (sender, "fan@example.test");
  assert_sent (sent, TURNOUT_SEND_OK);
  turnout_send_result_free (sent);
  turnout_test_finalize_object (sender);
  g_assert_cmpuint (server_count_messages (server), ==, 1);

  /* Anything else is refused before connecting. */
  sender = turnout_smtp_sender_new ("192.0.2.1", 25, TURNOUT_SMTP_SECURITY_NONE, NULL, NULL,
                                    FROM, &error);
  g_assert_no_error (error);
  sent = send_simple (sender, "fan@example.test");
  assert_sent (sent, TURNOUT_SEND_FATAL);
  assert_contains (sent->message, "only to a relay on this computer");
  turnout_send_result_free (sent);
  turnout_test_finalize_object (sender);
}

static void
test_bad_certificate (void)
{
  g_autoptr(Server) rogue = server_start ("starttls", "rogue", NULL);
  g_autoptr(Server) wrong_name = server_start ("implicit", "wrong-name", NULL);
  g_autofree char *rogue_fingerprint = fingerprint_of ("rogue");
  g_autofree char *server_fingerprint = fingerprint_of ("server");
  g_autoptr(GError) error = NULL;
  TurnoutSmtpSender *sender;
  TurnoutSendResult *sent;
  TurnoutSmtpCheck *check;

  /* A self-signed certificate: refused, with words and its fingerprint. */
  sender = new_sender (rogue->port, TURNOUT_SMTP_SECURITY_STARTTLS, USER, PASSWORD);
  sent = send_simple (sender, "fan@example.test");
  assert_sent (sent, TURNOUT_SEND_FATAL);
  assert_contains (sent->message, "certificate of the mail server 127.0.0.1 was refused");
  assert_contains (sent->message, "not signed by an authority this computer trusts");
  assert_contains (sent->message, rogue_fingerprint);
  turnout_send_result_free (sent);

  check = test_connection (sender);
  g_assert_cmpint (check->failed_step, ==, TURNOUT_SMTP_STEP_TLS);
  g_assert_true (check->certificate_errors & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpstr (check->certificate_fingerprint, ==, rogue_fingerprint);
  turnout_smtp_check_free (check);

  /* Another certificate's fingerprint doesn't open the door. */
  g_assert_true (turnout_smtp_sender_set_accepted_certificate (sender, server_fingerprint,
                                                               &error));
  g_assert_no_error (error);
  sent = send_simple (sender, "fan@example.test");
  assert_sent (sent, TURNOUT_SEND_FATAL);
  turnout_send_result_free (sent);
  g_assert_cmpuint (server_count_messages (rogue), ==, 0);
  g_assert_false (log_contains (rogue, "MAIL FROM"));

  /* The user accepts exactly this one (written any way). */
  g_assert_false (turnout_smtp_sender_set_accepted_certificate (sender, "AB:CD", &error));
  g_assert_error (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  {
    g_autofree char *lower = g_ascii_strdown (rogue_fingerprint, -1);

    g_assert_true (turnout_smtp_sender_set_accepted_certificate (sender, lower, &error));
    g_assert_no_error (error);
  }
  sent = send_simple (sender, "fan@example.test");
  assert_sent (sent, TURNOUT_SEND_OK);
  turnout_send_result_free (sent);
  g_assert_cmpuint (server_count_messages (rogue), ==, 1);
  turnout_test_finalize_object (sender);

  /* Signed by a trusted authority (TURNOUT_TLS_CA_FILE) for another name. */
  sender = new_sender (wrong_name->port, TURNOUT_SMTP_SECURITY_TLS, USER, PASSWORD);
  check = test_connection (sender);
  g_assert_cmpint (check->failed_step, ==, TURNOUT_SMTP_STEP_TLS);
  g_assert_cmpuint (check->certificate_errors, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  assert_contains (check->message, "issued for a different server than “127.0.0.1”");
  g_assert_null (strstr (check->message, "authority"));
  turnout_smtp_check_free (check);
  turnout_test_finalize_object (sender);
  g_assert_cmpuint (server_count_events (wrong_name, "auth"), ==, 0);
}

static void
test_auth (void)
{
  g_autoptr(Server) plain = server_start ("starttls", "server", "--auth-mechanisms", "PLAIN",
                                          NULL);
  g_autoptr(Server) login = server_start ("starttls", "server", "--auth-mechanisms", "LOGIN",
                                          NULL);
  TurnoutSmtpSender *sender;
  TurnoutSmtpCheck *check;

  sender = new_sender (plain->port, TURNOUT_SMTP_SECURITY_STARTTLS, USER, PASSWORD);
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
  turnout_test_finalize_object (sender);

  sender = new_sender (login->port, TURNOUT_SMTP_SECURITY_STARTTLS, USER, PASSWORD);
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
  check = test_connection (sender);
  g_assert_cmpint (check->failed_step, ==, TURNOUT_SMTP_STEP_NONE);
  assert_contains (check->message, "signed in as alice");
  turnout_smtp_check_free (check);
  turnout_test_finalize_object (sender);
  g_assert_true (log_contains (login, "AUTH LOGIN\r\n"));
  g_assert_false (log_contains (login, "AUTH PLAIN"));
  g_assert_true (log_contains (plain, "AUTH PLAIN "));

  /* Wrong password: fatal, and says so. */
  sender = new_sender (plain->port, TURNOUT_SMTP_SECURITY_STARTTLS, USER, "wrong");
  {
    g_autoptr(TurnoutSendResult) sent = send_simple (sender, "fan@example.test");

    assert_sent (sent, TURNOUT_SEND_FATAL);
    g_assert_cmpstr (sent->error_code, ==, "535 5.7.8");
    assert_contains (sent->message, "check your credentials");
  }
  check = test_connection (sender);
  g_assert_cmpint (check->failed_step, ==, TURNOUT_SMTP_STEP_AUTH);
  assert_contains (check->message, "check your credentials");
  turnout_smtp_check_free (check);
  turnout_test_finalize_object (sender);
  g_assert_cmpuint (server_count_messages (plain), ==, 1);
}

static void
test_replies (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);
  g_autoptr(GPtrArray) events = NULL;
  static const struct
  {
    const char         *to;
    TurnoutSendOutcome  outcome;
    const char         *code;
  } cases[] = {
    { "fail-RCPT-550-5.1.1@example.test", TURNOUT_SEND_SUPPRESS, "550 5.1.1" },
    { "fail-RCPT-550-5.1.2@example.test", TURNOUT_SEND_SUPPRESS, "550 5.1.2" },
    { "fail-RCPT-550-5.1.10@example.test", TURNOUT_SEND_SUPPRESS, "550 5.1.10" },
    { "fail-RCPT-550-5.1.0@example.test", TURNOUT_SEND_PERMANENT, "550 5.1.0" },
    { "fail-RCPT-552-5.2.2@example.test", TURNOUT_SEND_PERMANENT, "552 5.2.2" },
    { "fail-RCPT-554-5.7.1@example.test", TURNOUT_SEND_PERMANENT, "554 5.7.1" },
    { "fail-RCPT-450-4.2.1@example.test", TURNOUT_SEND_TRANSIENT, "450 4.2.1" },
    { "fail-RCPT-452-4.5.3@example.test", TURNOUT_SEND_TRANSIENT, "452 4.5.3" },
    { "fail-RCPT-451-4.7.1@example.test", TURNOUT_SEND_RATE_LIMITED, "451 4.7.1" },
    { "fail-RCPT-452-4.7.0@example.test", TURNOUT_SEND_RATE_LIMITED, "452 4.7.0" },
    { "fail-DATA-451-4.7.1@example.test", TURNOUT_SEND_RATE_LIMITED, "451 4.7.1" },
    { "fail-DATA-451-4.3.0@example.test", TURNOUT_SEND_TRANSIENT, "451 4.3.0" },
    { "fail-DATA-554-5.7.1@example.test", TURNOUT_SEND_PERMANENT, "554 5.7.1" },
    { "fail-DATA-550-5.1.1@example.test", TURNOUT_SEND_SUPPRESS, "550 5.1.1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      assert_outcome (sender, cases[i].to, cases[i].outcome, cases[i].code);
      /* The connection carries on after a refusal. */
      assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
    }

  /* The sender refused: no message can go. */
  {
    g_autofree char *message = simple_message ("fan@example.test", "Hi");
    g_autoptr(TurnoutSendResult) sent = send_raw_from (sender, "fail-MAIL-550-5.7.1@example.test",
                                                       "fan@example.test", message);

    assert_sent (sent, TURNOUT_SEND_FATAL);
    assert_contains (sent->message, "refused the sender address");
  }
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);

  /* One connection for all of it, reset after each refusal (and only
   * then), and exactly the accepted messages stored. */
  events = server_dup_log (server);
  g_assert_cmpuint (count_events (events, "connect"), ==, 1);
  g_assert_cmpuint (server_count_messages (server), ==, G_N_ELEMENTS (cases) + 1);
  {
    g_autoptr(GPtrArray) rsets = find_chunks (events, "RSET");

    /* RCPT refusals and the MAIL refusal leave a transaction half-way;
     * a refused final "." ends it. */
    g_assert_cmpuint (rsets->len, ==, 10 + 1);
  }
}

static void
test_pipelining (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", "--pipelining", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) batches = NULL;

  assert_outcome (sender, "one@example.test", TURNOUT_SEND_OK, NULL);
  assert_outcome (sender, "fail-RCPT-550-5.1.1@example.test", TURNOUT_SEND_SUPPRESS, "550 5.1.1");
  assert_outcome (sender, "fail-RCPT-451-4.7.1@example.test", TURNOUT_SEND_RATE_LIMITED,
                  "451 4.7.1");
  assert_outcome (sender, "two@example.test", TURNOUT_SEND_OK, NULL);

  /* MAIL, RCPT and DATA left in one write: two writes a message. */
  events = server_dup_log (server);
  batches = find_chunks (events, "MAIL FROM");
  g_assert_cmpuint (batches->len, ==, 4);
  for (guint i = 0; i < batches->len; i++)
    {
      const char *data = json_object_get_string_member (g_ptr_array_index (batches, i), "data");

      assert_contains (data, "\r\nRCPT TO:<");
      g_assert_true (g_str_has_suffix (data, "\r\nDATA\r\n"));
    }
  g_assert_cmpuint (server_count_messages (server), ==, 2);
  g_assert_cmpuint (count_events (events, "connect"), ==, 1);
}

/* postfix's smtp-sink ends its EHLO reply with an empty "250 " line,
 * which once crashed the capability parser. */
static void
test_blank_capability (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", "--blank-capability", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);

  assert_outcome (sender, "one@example.test", TURNOUT_SEND_OK, NULL);
  g_assert_cmpuint (server_count_messages (server), ==, 1);
}

typedef struct
{
  GPtrArray *results;
} Batch;

static void
on_batch_sent_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(GError) error = NULL;
  TurnoutSendResult *sent = turnout_smtp_sender_send_raw_finish (TURNOUT_SMTP_SENDER (object),
                                                                 result, &error);

  g_assert_no_error (error);
  g_ptr_array_add (batch->results, sent);
}

static void
test_parallel (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);
  g_autoptr(GPtrArray) events = NULL;
  Batch batch = { g_ptr_array_new_with_free_func ((GDestroyNotify) turnout_send_result_free) };
  gint64 max_active = 0;
  const guint n = 12;

  /* Sent at once: two connections (the default) share them. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *to = g_strdup_printf ("fan%u@example.test", i);
      g_autofree char *message = simple_message (to, "At once");
      g_autoptr(GBytes) bytes = g_bytes_new (message, strlen (message));
      const char *recipients[] = { to, NULL };

      turnout_smtp_sender_send_raw_async (sender, FROM, recipients, bytes, NULL,
                                          on_batch_sent_cb, &batch);
    }
  spin_until (batch.results->len == n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (((TurnoutSendResult *) g_ptr_array_index (batch.results, i))->outcome, ==,
                     TURNOUT_SEND_OK);
  g_assert_cmpuint (server_count_messages (server), ==, n);

  events = server_dup_log (server);
  g_assert_cmpuint (count_events (events, "connect"), ==, 2);
  for (guint i = 0; i < events->len; i++)
    if (json_object_has_member (g_ptr_array_index (events, i), "active"))
      max_active = MAX (max_active, json_object_get_int_member (g_ptr_array_index (events, i),
                                                                "active"));
  g_assert_cmpint (max_active, ==, 2);
  /* Both did their share. */
  {
    guint on_first = 0;

    for (guint i = 1; i <= n; i++)
      {
        g_autoptr(JsonObject) summary = server_dup_message (server, i);

        on_first += json_object_get_int_member (summary, "connection") == 1;
      }
    g_assert_cmpuint (on_first, >, 0);
    g_assert_cmpuint (on_first, <, n);
  }
  g_ptr_array_unref (batch.results);
}

static void
test_reconnect (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);

  /* A new connection after every 3 messages. */
  turnout_smtp_sender_set_messages_per_connection (sender, 3);
  for (guint i = 0; i < 7; i++)
    assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
  g_assert_cmpuint (server_count_events (server, "connect"), ==, 3);
  g_assert_cmpuint (server_count_messages (server), ==, 7);

  /* A 421 closes the connection; the next message opens another. */
  assert_outcome (sender, "fail-RCPT-421-4.4.2@example.test", TURNOUT_SEND_TRANSIENT,
                  "421 4.4.2");
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
  g_assert_cmpuint (server_count_events (server, "connect"), ==, 4);
  g_assert_cmpuint (server_count_messages (server), ==, 8);
}

static void
test_lost_after_dot (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);
  g_autoptr(TurnoutSendResult) sent = send_simple (sender, "drop-after-dot@example.test");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *found;

  /* The server had it: that's why it is unknown and not "failed". */
  assert_sent (sent, TURNOUT_SEND_UNKNOWN);
  assert_contains (sent->message, "may or may not have been accepted");
  g_assert_cmpuint (server_count_messages (server), ==, 1);

  /* And it can't be looked up: an error, never "not sent". */
  turnout_sender_find_sent_async (TURNOUT_SENDER (sender), "drop-after-dot@example.test", 0,
                                  "Hello", NULL, turnout_test_result_cb, &result);
  found = turnout_sender_find_sent_finish (TURNOUT_SENDER (sender),
                                           turnout_test_wait_result (&result), &error);
  g_assert_null (found);
  g_assert_error (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_CANNOT_CHECK);

  /* The next message goes on a new connection. */
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
  g_assert_cmpuint (server_count_events (server, "connect"), ==, 2);
}

static void
test_size (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", "--size", "2000", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);
  g_autofree char *big = g_strnfill (5000, 'x');
  g_autofree char *message = simple_message ("fan@example.test", big);
  g_autoptr(TurnoutSendResult) sent = send_raw_from (sender, FROM, "fan@example.test", message);

  assert_sent (sent, TURNOUT_SEND_PERMANENT);
  assert_contains (sent->message, "takes at most 1 kB");
  g_assert_false (log_contains (server, "MAIL FROM"));
  /* Small ones still go. */
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
}

static void
test_connection_steps (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", NULL);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;
  TurnoutSmtpSender *sender;
  TurnoutSmtpCheck *check;
  guint closed_port;

  sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS, USER, PASSWORD);
  check = test_connection (sender);
  g_assert_cmpint (check->failed_step, ==, TURNOUT_SMTP_STEP_NONE);
  g_assert_true (g_strv_contains ((const char * const *) check->capabilities, "SIZE 33554432"));
  turnout_smtp_check_free (check);
  turnout_test_finalize_object (sender);
  g_assert_false (log_contains (server, "MAIL FROM"));
  g_assert_true (log_contains (server, "QUIT"));

  /* DNS. */
  sender = turnout_smtp_sender_new ("no-such-host.invalid", 587, TURNOUT_SMTP_SECURITY_STARTTLS,
                                    USER, PASSWORD, FROM, &error);
  g_assert_no_error (error);
  check = test_connection (sender);
  g_assert_cmpint (check->failed_step, ==, TURNOUT_SMTP_STEP_DNS);
  assert_contains (check->message, "“no-such-host.invalid” could not be found");
  turnout_smtp_check_free (check);
  turnout_test_finalize_object (sender);

  /* Nothing listens on a port just closed. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  closed_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  sender = new_sender (closed_port, TURNOUT_SMTP_SECURITY_STARTTLS, USER, PASSWORD);
  check = test_connection (sender);
  g_assert_cmpint (check->failed_step, ==, TURNOUT_SMTP_STEP_CONNECT);
  assert_contains (check->message, "Could not connect to the mail server 127.0.0.1 on port");
  turnout_smtp_check_free (check);
  {
    g_autoptr(TurnoutSendResult) sent = send_simple (sender, "fan@example.test");

    /* A refused connection is worth another try later. */
    assert_sent (sent, TURNOUT_SEND_TRANSIENT);
  }
  turnout_test_finalize_object (sender);

  /* TLS on a STARTTLS port. */
  sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_TLS, USER, PASSWORD);
  check = test_connection (sender);
  g_assert_cmpint (check->failed_step, ==, TURNOUT_SMTP_STEP_TLS);
  assert_contains (check->message, "TLS is usually on port 465");
  turnout_smtp_check_free (check);
  turnout_test_finalize_object (sender);
}

static void
test_cancel (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", NULL);
  g_autoptr(TurnoutSmtpSender) sender = new_sender (server->port, TURNOUT_SMTP_SECURITY_STARTTLS,
                                                    USER, PASSWORD);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 17);
  const char *recipients[] = { "fan@example.test", NULL };
  TurnoutSendResult *sent;

  g_cancellable_cancel (cancellable);
  turnout_smtp_sender_send_raw_async (sender, FROM, recipients, bytes, cancellable,
                                      turnout_test_result_cb, &result);
  sent = turnout_smtp_sender_send_raw_finish (sender, turnout_test_wait_result (&result), &error);
  g_assert_null (sent);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (server_count_messages (server), ==, 0);
}

static void
set_setting (TurnoutSettings *settings,
             const char      *key,
             const char      *value)
{
  g_autoptr(GError) error = NULL;

  turnout_settings_set (settings, key, value, &error);
  g_assert_no_error (error);
}

static TurnoutSmtpSender *
sender_from_settings (TurnoutSettings  *settings,
                      GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  turnout_smtp_sender_new_from_settings_async (settings, NULL, turnout_test_result_cb, &result);
  return turnout_smtp_sender_new_from_settings_finish (turnout_test_wait_result (&result), error);
}

static void
store_password (const char *account,
                const char *password)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  turnout_credentials_store_async (TURNOUT_SECRET_SMTP_PASSWORD, account, password, NULL,
                                   turnout_test_result_cb, &result);
  g_assert_true (turnout_credentials_store_finish (turnout_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
test_from_settings (void)
{
  g_autoptr(Server) server = server_start ("starttls", "server", NULL);
  g_autoptr(Server) rogue = server_start ("starttls", "rogue", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = turnout_store_open (NULL, &error);
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autofree char *port = g_strdup_printf ("%u", server->port);
  g_autofree char *rogue_port = g_strdup_printf ("%u", rogue->port);
  g_autofree char *account = turnout_smtp_dup_password_account (USER, "127.0.0.1");
  g_autofree char *fingerprint = fingerprint_of ("rogue");
  TurnoutSmtpSender *sender;

  g_assert_no_error (error);
  settings = turnout_settings_new (store, &error);
  g_assert_no_error (error);

  /* Nothing set up: the settings are wrong before the keyring is asked. */
  g_assert_null (sender_from_settings (settings, &error));
  g_assert_error (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_INVALID_CONFIG);
  assert_contains (error->message, "Enter your mail server");
  g_clear_error (&error);

  set_setting (settings, "smtp.host", "127.0.0.1");
  set_setting (settings, "smtp.port", port);
  set_setting (settings, "smtp.username", USER);
  set_setting (settings, "smtp.from_address", FROM);
  set_setting (settings, "smtp.from_name", "Promoter");
  g_assert_null (sender_from_settings (settings, &error));
  g_assert_error (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_NO_PASSWORD);
  assert_contains (error->message, "No password is stored for alice on 127.0.0.1");
  g_clear_error (&error);

  /* From the keyring. */
  store_password (account, PASSWORD);
  sender = sender_from_settings (settings, &error);
  g_assert_no_error (error);
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
  turnout_test_finalize_object (sender);

  /* The environment wins over the keyring. */
  store_password (account, "stale");
  g_setenv ("TURNOUT_SMTP_PASSWORD", PASSWORD, TRUE);
  sender = sender_from_settings (settings, &error);
  g_assert_no_error (error);
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
  turnout_test_finalize_object (sender);

  /* The remembered certificate. */
  set_setting (settings, "smtp.port", rogue_port);
  sender = sender_from_settings (settings, &error);
  g_assert_no_error (error);
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_FATAL, NULL);
  turnout_test_finalize_object (sender);
  set_setting (settings, "smtp.accepted_certificate", fingerprint);
  sender = sender_from_settings (settings, &error);
  g_assert_no_error (error);
  assert_outcome (sender, "fan@example.test", TURNOUT_SEND_OK, NULL);
  turnout_test_finalize_object (sender);
  g_unsetenv ("TURNOUT_SMTP_PASSWORD");

  /* No password over an unencrypted link, said before the keyring. */
  set_setting (settings, "smtp.security", "none");
  g_assert_null (sender_from_settings (settings, &error));
  g_assert_error (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_INVALID_CONFIG);
  g_clear_error (&error);

  /* The setting keeps fingerprints in one form, and refuses others. */
  {
    g_autofree char *lower = g_ascii_strdown (fingerprint, -1);
    g_autofree char *stored = NULL;

    set_setting (settings, "smtp.accepted_certificate", lower);
    stored = turnout_settings_dup_string (settings, "smtp.accepted_certificate");
    g_assert_cmpstr (stored, ==, fingerprint);
    g_assert_false (turnout_settings_set (settings, "smtp.accepted_certificate", "12:34", &error));
    g_assert_error (error, TURNOUT_SETTINGS_ERROR, TURNOUT_SETTINGS_ERROR_INVALID_VALUE);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *ca = NULL;
  int status;

  turnout_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  turnout_test_keyring_start ();
  make_certificates ();
  ca = cert_path ("ca", ".pem");
  g_setenv ("TURNOUT_TLS_CA_FILE", ca, TRUE);
  g_unsetenv ("TURNOUT_SMTP_PASSWORD");

  g_test_add_func ("/smtp-sender/message-intact", test_message_intact);
  g_test_add_func ("/smtp-sender/outgoing", test_outgoing);
  g_test_add_func ("/smtp-sender/compose-refused", test_compose_refused);
  g_test_add_func ("/smtp-sender/starttls-required", test_starttls_required);
  g_test_add_func ("/smtp-sender/security-none", test_security_none);
  g_test_add_func ("/smtp-sender/bad-certificate", test_bad_certificate);
  g_test_add_func ("/smtp-sender/auth", test_auth);
  g_test_add_func ("/smtp-sender/replies", test_replies);
  g_test_add_func ("/smtp-sender/pipelining", test_pipelining);
  g_test_add_func ("/smtp-sender/blank-capability", test_blank_capability);
  g_test_add_func ("/smtp-sender/parallel", test_parallel);
  g_test_add_func ("/smtp-sender/reconnect", test_reconnect);
  g_test_add_func ("/smtp-sender/lost-after-dot", test_lost_after_dot);
  g_test_add_func ("/smtp-sender/size", test_size);
  g_test_add_func ("/smtp-sender/connection-steps", test_connection_steps);
  g_test_add_func ("/smtp-sender/cancel", test_cancel);
  g_test_add_func ("/smtp-sender/from-settings", test_from_settings);

  status = g_test_run ();

  secret_service_disconnect ();
  turnout_test_bus_stop ();
  return status;
}
