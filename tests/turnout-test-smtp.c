/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>

#include "turnout-test-smtp.h"
#include "turnout-test-utils.h"

static char *certs_dir;
static char *ca_file;
static guint server_count;

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

/* Made once a test program: openssl takes a while. */
static void
make_certificates (void)
{
  g_autofree char *ext = NULL;
  g_autoptr(GError) error = NULL;

  if (certs_dir != NULL)
    return;
  certs_dir = turnout_test_tmp_path ("smtp-certs");
  g_mkdir_with_parents (certs_dir, 0700);
  run_openssl ("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
               "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
               "-subj", "/CN=Turnout Test CA",
               "-addext", "basicConstraints=critical,CA:TRUE",
               "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL);
  ext = g_build_filename (certs_dir, "server.ext", NULL);
  g_file_set_contents (ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                            "basicConstraints=CA:FALSE\n"
                            "keyUsage=digitalSignature\n"
                            "extendedKeyUsage=serverAuth\n", -1, &error);
  g_assert_no_error (error);
  run_openssl ("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
               "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=smtp.test", NULL);
  run_openssl ("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
               "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
               NULL);
  ca_file = g_build_filename (certs_dir, "ca.pem", NULL);
}

/**
 * turnout_test_smtp_get_ca_file:
 *
 * Returns: the PEM file of the authority that signed the server's
 *   certificate, made on first use
 */
const char *
turnout_test_smtp_get_ca_file (void)
{
  make_certificates ();
  return ca_file;
}

/**
 * turnout_test_smtp_start:
 * @tls: "starttls", "implicit" or "none"
 * @...: more options of smtp-server.py ("--delay", "0.5", …), then %NULL
 *
 * Starts a server with the user TURNOUT_TEST_SMTP_USER and the password
 * TURNOUT_TEST_SMTP_PASSWORD; it keeps what it accepts in its own folder.
 */
TurnoutTestSmtp *
turnout_test_smtp_start (const char *tls,
                         ...)
{
  TurnoutTestSmtp *server = g_new0 (TurnoutTestSmtp, 1);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("smtp-server-%u", ++server_count);
  g_autofree char *line = NULL;
  va_list ap;

  make_certificates ();
  server->outdir = turnout_test_tmp_path (name);
  g_ptr_array_add (args, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (args, g_test_build_filename (G_TEST_DIST, "smtp-server.py", NULL));
  g_ptr_array_add (args, g_strdup ("--outdir"));
  g_ptr_array_add (args, g_strdup (server->outdir));
  g_ptr_array_add (args, g_strdup ("--tls"));
  g_ptr_array_add (args, g_strdup (tls));
  g_ptr_array_add (args, g_strdup ("--user"));
  g_ptr_array_add (args, g_strdup (TURNOUT_TEST_SMTP_USER));
  g_ptr_array_add (args, g_strdup ("--password"));
  g_ptr_array_add (args, g_strdup (TURNOUT_TEST_SMTP_PASSWORD));
  g_ptr_array_add (args, g_strdup ("--cert"));
  g_ptr_array_add (args, g_build_filename (certs_dir, "server.pem", NULL));
  g_ptr_array_add (args, g_strdup ("--key"));
  g_ptr_array_add (args, g_build_filename (certs_dir, "server.key", NULL));
  va_start (ap, tls);
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

void
turnout_test_smtp_stop (TurnoutTestSmtp *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (server->process);
  g_free (server->outdir);
  g_free (server);
}

/* How many messages the server accepted and stored whole. */
guint
turnout_test_smtp_count_messages (TurnoutTestSmtp *server)
{
  guint n = 0;

  for (;; n++)
    {
      g_autofree char *name = g_strdup_printf ("%u.json", n + 1);
      g_autofree char *path = g_build_filename (server->outdir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return n;
    }
}

/**
 * turnout_test_smtp_dup_message:
 * @n: 1 for the first message
 *
 * Returns: (transfer full): the message as Python's email package parsed
 *   it: "rcpt_tos", "headers" (decoded), "parts" (text/plain, text/html,
 *   decoded), "defects"
 */
JsonObject *
turnout_test_smtp_dup_message (TurnoutTestSmtp *server,
                               guint            n)
{
  g_autofree char *name = g_strdup_printf ("%u.json", n);
  g_autofree char *path = g_build_filename (server->outdir, name, NULL);
  g_autoptr(GBytes) bytes = turnout_test_read_file (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                              (gssize) g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}
