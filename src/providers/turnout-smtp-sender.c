/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-smtp-sender"

#include "config.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <glib/gi18n.h>
#include <gmime/gmime.h>

#include "turnout-smtp-sender.h"

#include "turnout-clock.h"
#include "turnout-credentials.h"
#include "turnout-email-message.h"
#include "turnout-settings.h"

/*
 * An SMTP submission client on GIO (RFC 5321, 3207 STARTTLS, 4954 AUTH,
 * 2920 PIPELINING, 1870 SIZE, 3463 enhanced status codes).
 *
 * Each connection belongs to one worker thread that speaks the protocol
 * with blocking GIO calls (and socket timeouts), so the conversation reads
 * top to bottom; the caller's thread only queues jobs and gets its GTask
 * back. Up to `connections` workers run at once; each keeps its
 * connection for many messages, QUITs after messages_per_connection or
 * when idle, and drops it on a 421 or an I/O error. A job that finds its
 * reused connection dead before anything was accepted is tried once on a
 * fresh one: the server has nothing of it.
 *
 * The line this file must get right is the one between "not accepted"
 * and "maybe accepted". Until the final "." is written in full, the server
 * can't have taken the message: failures are transient. Once it is
 * written, a lost connection or a timeout is TURNOUT_SEND_UNKNOWN, and
 * cancelling no longer stops the wait for the answer, so that a known
 * outcome is not thrown away.
 *
 * Writes: every command, and the whole DATA payload with its final ".",
 * go out in one write each. Split writes (command, then CRLF) hit Nagle
 * and delayed ACKs and made a prototype 200 times slower.
 *
 * RSET is sent only before a transaction that follows a failed or
 * abandoned one: after a completed DATA the server has already reset
 * (RFC 5321 4.1.1.4), so an RSET there would only cost a round trip per
 * message.
 *
 * Reply mapping, decided here and relied on by the dispatcher:
 * - 421 (any command): the server closes; transient (rate limited when the
 *   enhanced code is 4.7.x), and the connection is replaced.
 * - 451/452 with 4.7.x: rate limited (the whole channel slows down).
 * - other 4xx: transient.
 * - 5xx to RCPT or to the final ".": permanent for that recipient, except
 *   these hard bounces, which suppress the address: 5.1.1 (no such
 *   mailbox), 5.1.2 (no such domain), 5.1.6 (mailbox moved, no forwarding
 *   address), 5.1.10 (the domain accepts no mail, RFC 7505). 5.1.0 ("other
 *   address status") and 5.2.x (mailbox full or disabled, which RFC 3463
 *   calls possibly temporary) stay permanent: a suppression can't be
 *   undone by the fan, so it needs a certain answer. A 5xx without an
 *   enhanced code is permanent.
 * - 5xx to MAIL: the sender or the account is refused, which every message
 *   would meet: fatal; except 552 / 5.3.4 (message too big): permanent.
 * - 535 to AUTH: fatal, "check your credentials".
 * - DNS, connect and TLS handshake failures: transient; a refused
 *   certificate, STARTTLS not offered, or a server that says no in its
 *   greeting: fatal, since retrying can't fix them.
 */

#define IDLE_SECONDS 30
#define QUIT_TIMEOUT 5
/* Lines of one reply we read at most: a runaway server can't make us loop. */
#define MAX_REPLY_LINES 200

typedef struct _Pool Pool;

/* ------------------------------------------------------------------------
 * Configuration: immutable once made; a setter replaces it, and workers
 * reconnect when they see a new one.
 */

typedef struct
{
  char                *host;
  guint                port;
  TurnoutSmtpSecurity  security;
  char                *username;    /* nullable */
  char                *password;    /* nullable: never logged */
  char                *accepted_fingerprint; /* nullable, "AB:CD:…" */
  GTlsDatabase        *extra_cas;   /* nullable: TURNOUT_TLS_CA_FILE */
  char                *extra_cas_path;
  guint                timeout;
  guint                data_timeout;
  guint                messages_per_connection;
} Config;

static void
config_clear (gpointer data)
{
  Config *config = data;

  g_free (config->host);
  g_free (config->username);
  if (config->password != NULL)
    memset (config->password, 0, strlen (config->password));
  g_free (config->password);
  g_free (config->accepted_fingerprint);
  g_clear_object (&config->extra_cas);
  g_free (config->extra_cas_path);
}

static Config *
config_ref (Config *config)
{
  return g_atomic_rc_box_acquire (config);
}

static void
config_unref (Config *config)
{
  g_atomic_rc_box_release_full (config, config_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Config, config_unref)

static Config *
config_copy (const Config *from)
{
  Config *config = g_atomic_rc_box_new0 (Config);

  config->host = g_strdup (from->host);
  config->port = from->port;
  config->security = from->security;
  config->username = g_strdup (from->username);
  config->password = g_strdup (from->password);
  config->accepted_fingerprint = g_strdup (from->accepted_fingerprint);
  config->extra_cas = from->extra_cas != NULL ? g_object_ref (from->extra_cas) : NULL;
  config->extra_cas_path = g_strdup (from->extra_cas_path);
  config->timeout = from->timeout;
  config->data_timeout = from->data_timeout;
  config->messages_per_connection = from->messages_per_connection;
  return config;
}

/* ------------------------------------------------------------------------
 * The object
 */

struct _TurnoutSmtpSender
{
  GObject                 parent_instance;

  Pool                   *pool;
  char                   *host;
  char                   *from_address;
  char                   *from_name;           /* nullable */
  char                   *postal_address;      /* nullable */
  char                   *unsubscribe_mailto;  /* nullable */
  char                   *unsubscribe_url;     /* nullable */
};

static void turnout_smtp_sender_sender_init (TurnoutSenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TurnoutSmtpSender, turnout_smtp_sender, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TURNOUT_TYPE_SENDER,
                                                      turnout_smtp_sender_sender_init))

G_DEFINE_QUARK (turnout-smtp-error-quark, turnout_smtp_error)

void
turnout_smtp_check_free (TurnoutSmtpCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->message);
  g_free (check->certificate_fingerprint);
  g_strfreev (check->capabilities);
  g_free (check);
}

/* ------------------------------------------------------------------------
 * Replies
 */

typedef struct
{
  int    code;
  char  *enhanced;   /* nullable: "5.1.1" */
  char  *text;       /* the lines' text after the code, joined with spaces */
  char **lines;      /* each line's text after the code (EHLO keywords) */
} Reply;

static void
reply_free (Reply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->enhanced);
  g_free (reply->text);
  g_strfreev (reply->lines);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

/* An enhanced status code (RFC 3463) at the start of @text whose class
 * matches the reply's first digit: "5.1.1 User unknown" → "5.1.1". */
static char *
parse_enhanced (const char *text,
                int         code)
{
  const char *p = text;
  int parts = 0;

  if (p[0] != '0' + code / 100 || p[1] != '.')
    return NULL;
  p += 2;
  for (parts = 1; parts < 3; parts++)
    {
      int digits = 0;

      while (g_ascii_isdigit (*p) && digits < 4)
        p++, digits++;
      if (digits == 0 || digits > 3)
        return NULL;
      if (parts == 1)
        {
          if (*p != '.')
            return NULL;
          p++;
        }
    }
  if (*p != '\0' && *p != ' ')
    return NULL;
  return g_strndup (text, p - text);
}

/* "550 5.1.1 User unknown": for messages and logs. */
static char *
reply_describe (const Reply *reply)
{
  if (reply->text == NULL || *reply->text == '\0')
    return g_strdup_printf ("%d", reply->code);
  return g_strdup_printf ("%d %s", reply->code, reply->text);
}

/* "550 5.1.1", or "550": the error code of a send result. */
static char *
reply_dup_code (const Reply *reply)
{
  if (reply->enhanced != NULL)
    return g_strdup_printf ("%d %s", reply->code, reply->enhanced);
  return g_strdup_printf ("%d", reply->code);
}

static gboolean
enhanced_has_prefix (const Reply *reply,
                     const char  *prefix)
{
  return reply->enhanced != NULL && g_str_has_prefix (reply->enhanced, prefix);
}

static gboolean
enhanced_is (const Reply *reply,
             const char  *code)
{
  return g_strcmp0 (reply->enhanced, code) == 0;
}

/* ------------------------------------------------------------------------
 * A connection: used by one thread at a time
 */

typedef struct
{
  Config             *config;
  GSocketConnection  *tcp;
  GTlsConnection     *tls;      /* nullable */
  GIOStream          *stream;   /* tls or tcp: borrowed */
  GDataInputStream   *in;
  GOutputStream      *out;      /* borrowed from stream */
  char               *ehlo_name;

  char              **capabilities;
  gboolean            esmtp;
  gboolean            pipelining;
  gboolean            starttls;
  gboolean            eightbitmime;
  gboolean            smtputf8;
  gboolean            auth_plain;
  gboolean            auth_login;
  char               *auth_offered;  /* nullable: the AUTH line's mechanisms */
  guint64             size_limit;    /* 0: none advertised */

  guint               n_messages;
  gboolean            dirty;         /* a transaction was left half-way */
  gboolean            broken;        /* 421 or an I/O error: don't reuse */
} Conn;

/* Why a connection could not be opened. */
typedef struct
{
  TurnoutSmtpStep       step;
  TurnoutSendOutcome    outcome;
  char                 *message;
  char                 *error_code;
  GTlsCertificateFlags  certificate_errors;
  char                 *fingerprint;
  gboolean              cancelled;
} Failure;

static void
failure_clear (Failure *failure)
{
  g_clear_pointer (&failure->message, g_free);
  g_clear_pointer (&failure->error_code, g_free);
  g_clear_pointer (&failure->fingerprint, g_free);
}

static gboolean
fail (Failure            *failure,
      TurnoutSmtpStep     step,
      TurnoutSendOutcome  outcome,
      const Reply        *reply,
      char               *message)
{
  failure->step = step;
  failure->outcome = outcome;
  failure->message = message;
  failure->error_code = reply != NULL ? reply_dup_code (reply) : NULL;
  return FALSE;
}

static gboolean
fail_cancelled (Failure *failure,
                GError  *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  failure->cancelled = TRUE;
  return TRUE;
}

static void
conn_set_streams (Conn      *conn,
                  GIOStream *stream)
{
  g_clear_object (&conn->in);
  conn->stream = stream;
  conn->in = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (conn->in), FALSE);
  g_data_input_stream_set_newline_type (conn->in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  conn->out = g_io_stream_get_output_stream (stream);
}

static void
conn_free (Conn *conn)
{
  if (conn == NULL)
    return;
  g_clear_object (&conn->in);
  if (conn->tls != NULL)
    g_io_stream_close (G_IO_STREAM (conn->tls), NULL, NULL);
  if (conn->tcp != NULL)
    g_io_stream_close (G_IO_STREAM (conn->tcp), NULL, NULL);
  g_clear_object (&conn->tls);
  g_clear_object (&conn->tcp);
  g_free (conn->ehlo_name);
  g_strfreev (conn->capabilities);
  g_free (conn->auth_offered);
  config_unref (conn->config);
  g_free (conn);
}

static void
conn_set_timeout (Conn  *conn,
                  guint  seconds)
{
  g_socket_set_timeout (g_socket_connection_get_socket (conn->tcp), seconds);
}

static gboolean
conn_write (Conn          *conn,
            const void    *data,
            gsize          len,
            GCancellable  *cancellable,
            GError       **error)
{
  gsize written = 0;

  if (!g_output_stream_write_all (conn->out, data, len, &written, cancellable, error))
    {
      conn->broken = TRUE;
      return FALSE;
    }
  return TRUE;
}

static Reply *
conn_read_reply (Conn          *conn,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(Reply) reply = g_new0 (Reply, 1);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint n = 0; ; n++)
    {
      g_autofree char *line = NULL;
      GError *local_error = NULL;
      gsize len = 0;
      int code;
      char separator;

      line = g_data_input_stream_read_line (conn->in, &len, cancellable, &local_error);
      if (line == NULL)
        {
          conn->broken = TRUE;
          if (local_error != NULL)
            g_propagate_error (error, local_error);
          else
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                 _("the server closed the connection"));
          return NULL;
        }
      if (len < 3 || n >= MAX_REPLY_LINES || !g_ascii_isdigit (line[0]) ||
          !g_ascii_isdigit (line[1]) || !g_ascii_isdigit (line[2]) ||
          (line[3] != '\0' && line[3] != ' ' && line[3] != '-'))
        {
          conn->broken = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("the server’s answer is not SMTP: “%.40s”"),
                       g_utf8_validate (line, -1, NULL) ? line : "…");
          return NULL;
        }
      code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      if (n > 0 && code != reply->code)
        {
          conn->broken = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("the server’s answer mixes the codes %d and %d"), reply->code, code);
          return NULL;
        }
      reply->code = code;
      separator = line[3];
      g_ptr_array_add (lines, g_strdup (separator == '\0' ? "" : line + 4));
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, separator == '\0' ? "" : line + 4);
      if (separator != '-')
        break;
    }
  g_ptr_array_add (lines, NULL);
  reply->lines = (char **) g_ptr_array_steal (lines, NULL);
  reply->enhanced = parse_enhanced (text->str, reply->code);
  reply->text = g_utf8_make_valid (text->str, -1);
  return g_steal_pointer (&reply);
}

/* Writes @command and its CRLF in one write, and reads the reply. */
static Reply *
conn_command (Conn          *conn,
              const char    *command,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *line = g_strconcat (command, "\r\n", NULL);
  Reply *reply = NULL;

  if (conn_write (conn, line, strlen (line), cancellable, error))
    reply = conn_read_reply (conn, cancellable, error);
  memset (line, 0, strlen (line));
  return reply;
}

static void
conn_quit (Conn *conn)
{
  g_autoptr(Reply) reply = NULL;

  if (conn->broken)
    return;
  conn_set_timeout (conn, QUIT_TIMEOUT);
  reply = conn_command (conn, "QUIT", NULL, NULL);
}

/* Reads the EHLO keywords. */
static void
conn_take_capabilities (Conn  *conn,
                        Reply *reply)
{
  g_autoptr(GPtrArray) caps = g_ptr_array_new ();

  conn->pipelining = conn->starttls = conn->eightbitmime = conn->smtputf8 = FALSE;
  conn->auth_plain = conn->auth_login = FALSE;
  g_clear_pointer (&conn->auth_offered, g_free);
  conn->size_limit = 0;

  /* The first line is the server's name. */
  for (guint i = 1; reply->lines[i] != NULL; i++)
    {
      const char *line = reply->lines[i];
      g_auto(GStrv) words = g_strsplit (line, " ", -1);
      g_autofree char *keyword = NULL;

      /* postfix's smtp-sink ends its list with an empty "250 " line. */
      if (words[0] == NULL || *words[0] == '\0')
        continue;
      keyword = g_ascii_strup (words[0], -1);
      g_ptr_array_add (caps, g_strdup (line));
      if (g_str_equal (keyword, "PIPELINING"))
        conn->pipelining = TRUE;
      else if (g_str_equal (keyword, "STARTTLS"))
        conn->starttls = TRUE;
      else if (g_str_equal (keyword, "8BITMIME"))
        conn->eightbitmime = TRUE;
      else if (g_str_equal (keyword, "SMTPUTF8"))
        conn->smtputf8 = TRUE;
      else if (g_str_equal (keyword, "SIZE") && words[1] != NULL)
        conn->size_limit = g_ascii_strtoull (words[1], NULL, 10);
      /* Old Outlook servers write "AUTH=LOGIN PLAIN". */
      else if (g_str_equal (keyword, "AUTH") || g_str_has_prefix (keyword, "AUTH="))
        {
          g_autofree char *offered = g_ascii_strup (line + 5, -1);
          g_auto(GStrv) mechanisms = g_strsplit (offered, " ", -1);

          for (guint m = 0; mechanisms[m] != NULL; m++)
            {
              conn->auth_plain |= g_str_equal (mechanisms[m], "PLAIN");
              conn->auth_login |= g_str_equal (mechanisms[m], "LOGIN");
            }
          g_free (conn->auth_offered);
          conn->auth_offered = g_strdup (line + 5);
        }
    }
  g_ptr_array_add (caps, NULL);
  g_strfreev (conn->capabilities);
  conn->capabilities = (char **) g_ptr_array_steal (caps, NULL);
}

/* ------------------------------------------------------------------------
 * Certificates
 */

/**
 * turnout_smtp_dup_certificate_fingerprint:
 * @certificate: a certificate
 *
 * Returns: (transfer full): the SHA-256 fingerprint of its DER form, as
 *   upper-case hexadecimal pairs joined by colons ("AB:CD:…"), the form
 *   the setting `smtp.accepted_certificate` keeps
 */
char *
turnout_smtp_dup_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  for (guint i = 0; hex[i] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }
  return g_string_free (out, FALSE);
}

/**
 * turnout_smtp_dup_certificate_problems:
 * @errors: what the TLS library found wrong
 * @host: the server name the certificate should be for
 *
 * Returns: (transfer full): what is wrong with a certificate, in words
 *   joined by semicolons ("it has expired; it was issued for a different
 *   server than “smtp.example.com”")
 */
char *
turnout_smtp_dup_certificate_problems (GTlsCertificateFlags  errors,
                                       const char           *host)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_ptr_array_add (parts, g_strdup (_("it is not signed by an authority this computer trusts "
                                        "(it may be self-signed or from a private authority)")));
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_ptr_array_add (parts, g_strdup_printf (_("it was issued for a different server than "
                                                "“%s”"), host));
  if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_ptr_array_add (parts, g_strdup (_("it is not valid yet (check this computer’s clock)")));
  if (errors & G_TLS_CERTIFICATE_EXPIRED)
    g_ptr_array_add (parts, g_strdup (_("it has expired")));
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (parts, g_strdup (_("it has been revoked")));
  if (errors & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (parts, g_strdup (_("it uses an algorithm that is no longer safe")));
  if ((errors & G_TLS_CERTIFICATE_GENERIC_ERROR) || parts->len == 0)
    g_ptr_array_add (parts, g_strdup (_("it could not be checked")));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (char **) parts->pdata);
}

typedef struct
{
  Config               *config;
  GSocketConnectable   *identity;
  GTlsCertificateFlags  errors;
  char                 *fingerprint;
} Verify;

static gboolean
on_accept_certificate_cb (GTlsConnection       *tls,
                          GTlsCertificate      *peer,
                          GTlsCertificateFlags  errors,
                          gpointer              user_data)
{
  Verify *verify = user_data;

  verify->errors = errors;
  g_free (verify->fingerprint);
  verify->fingerprint = turnout_smtp_dup_certificate_fingerprint (peer);

  /* The user's remembered decision covers exactly this certificate. */
  if (verify->config->accepted_fingerprint != NULL &&
      g_ascii_strcasecmp (verify->config->accepted_fingerprint, verify->fingerprint) == 0)
    return TRUE;

  /* TURNOUT_TLS_CA_FILE adds authorities to the system's: the chain is
   * checked again against them alone. */
  if (verify->config->extra_cas != NULL)
    {
      g_autoptr(GError) error = NULL;
      GTlsCertificateFlags flags;

      flags = g_tls_database_verify_chain (verify->config->extra_cas, peer,
                                           G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                           verify->identity, NULL,
                                           G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
      if (error == NULL)
        {
          if (flags == 0)
            return TRUE;
          /* What is left wrong once the extra authority is trusted says more
           * (a wrong name, say, rather than an unknown authority). */
          verify->errors = flags;
        }
    }
  return FALSE;
}

static gboolean
conn_start_tls (Conn          *conn,
                GCancellable  *cancellable,
                Failure       *failure)
{
  Config *config = conn->config;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;
  Verify verify = { config, NULL, 0, NULL };
  gulong handler;

  verify.identity = g_network_address_new (config->host, config->port);
  tls = g_tls_client_connection_new (G_IO_STREAM (conn->tcp), verify.identity, &error);
  if (tls == NULL)
    {
      g_object_unref (verify.identity);
      return fail (failure, TURNOUT_SMTP_STEP_TLS, TURNOUT_SEND_FATAL, NULL,
                   g_strdup_printf (_("Encryption is not available on this computer: %s"),
                                    error->message));
    }
  handler = g_signal_connect (tls, "accept-certificate",
                              G_CALLBACK (on_accept_certificate_cb), &verify);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), cancellable, &error);
  g_signal_handler_disconnect (tls, handler);
  g_object_unref (verify.identity);

  if (error != NULL)
    {
      g_autofree char *fingerprint = g_steal_pointer (&verify.fingerprint);

      conn->broken = TRUE;
      if (fail_cancelled (failure, error))
        return FALSE;
      if (verify.errors != 0 && g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
        {
          g_autofree char *problems = turnout_smtp_dup_certificate_problems (verify.errors,
                                                                             config->host);

          failure->certificate_errors = verify.errors;
          failure->fingerprint = g_strdup (fingerprint);
          /* TRANSLATORS: the first %s is the server, the second what is wrong with
           * its certificate, the third the certificate's fingerprint. */
          return fail (failure, TURNOUT_SMTP_STEP_TLS, TURNOUT_SEND_FATAL, NULL,
                       g_strdup_printf (_("The certificate of the mail server %s was refused: "
                                          "%s. Nothing was sent. Ask your provider which "
                                          "server name to use; if you are sure this is your "
                                          "server, you can accept this certificate (SHA-256 "
                                          "%s) in Preferences."),
                                        config->host, problems, fingerprint));
        }
      return fail (failure, TURNOUT_SMTP_STEP_TLS, TURNOUT_SEND_TRANSIENT, NULL,
                   config->security == TURNOUT_SMTP_SECURITY_TLS
                   ? g_strdup_printf (_("Could not set up an encrypted connection with %s on "
                                        "port %u: %s. Check the port and security in "
                                        "Preferences: TLS is usually on port 465, STARTTLS on "
                                        "port 587."),
                                      config->host, config->port, error->message)
                   : g_strdup_printf (_("Could not set up an encrypted connection with %s: %s."),
                                      config->host, error->message));
    }

  g_free (verify.fingerprint);
  conn->tls = G_TLS_CONNECTION (g_steal_pointer (&tls));
  conn_set_streams (conn, G_IO_STREAM (conn->tls));
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Opening a connection: DNS, connect, TLS, greeting, EHLO, STARTTLS, AUTH
 */

static GList *
resolve (Config        *config,
         GCancellable  *cancellable,
         Failure       *failure)
{
  g_autoptr(GInetAddress) literal = NULL;
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bare = NULL;
  GList *addresses;

  /* "[::1]" and "::1" are both written. */
  bare = g_strdup (config->host);
  if (bare[0] == '[' && g_str_has_suffix (bare, "]"))
    {
      memmove (bare, bare + 1, strlen (bare));
      bare[strlen (bare) - 1] = '\0';
    }
  if ((literal = g_inet_address_new_from_string (bare)) != NULL)
    return g_list_prepend (NULL, g_steal_pointer (&literal));

  resolver = g_resolver_get_default ();
  addresses = g_resolver_lookup_by_name (resolver, bare, cancellable, &error);
  if (addresses == NULL)
    {
      if (!fail_cancelled (failure, error))
        fail (failure, TURNOUT_SMTP_STEP_DNS, TURNOUT_SEND_TRANSIENT, NULL,
              g_strdup_printf (_("The mail server “%s” could not be found (%s). Check the "
                                 "server name in Preferences, and that this computer is "
                                 "online."), config->host, error->message));
      return NULL;
    }
  return addresses;
}

static char *
dup_ehlo_name (GSocketConnection *tcp)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (tcp, NULL);
  g_autofree char *ip = NULL;
  GInetAddress *address;

  /* An address literal (RFC 5321 4.1.3): a desktop rarely has a name the
   * server could look up, and a made-up one is worse than none. */
  if (!G_IS_INET_SOCKET_ADDRESS (local))
    return g_strdup ("[127.0.0.1]");
  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  ip = g_inet_address_to_string (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[IPv6:%s]", ip);
  return g_strdup_printf ("[%s]", ip);
}

static gboolean
conn_connect (Conn          *conn,
              GCancellable  *cancellable,
              Failure       *failure)
{
  Config *config = conn->config;
  g_autolist(GInetAddress) addresses = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if ((addresses = resolve (config, cancellable, failure)) == NULL)
    return FALSE;

  /* Unencrypted only to a relay on this computer: checked on every
   * address the name resolves to, before any connection is made. */
  if (config->security == TURNOUT_SMTP_SECURITY_NONE)
    for (GList *l = addresses; l != NULL; l = l->next)
      if (!g_inet_address_get_is_loopback (l->data))
        {
          g_autofree char *ip = g_inet_address_to_string (l->data);

          return fail (failure, TURNOUT_SMTP_STEP_CONNECT, TURNOUT_SEND_FATAL, NULL,
                       g_strdup_printf (_("Turnout sends mail without encryption only to a "
                                          "relay on this computer, and %s (%s) is not one. "
                                          "Choose STARTTLS or TLS in Preferences."),
                                        config->host, ip));
        }

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, config->timeout);
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, config->port);

      g_clear_error (&error);
      conn->tcp = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), cancellable,
                                           &error);
      if (conn->tcp != NULL)
        break;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        break;
    }
  if (conn->tcp == NULL)
    {
      if (!fail_cancelled (failure, error))
        fail (failure, TURNOUT_SMTP_STEP_CONNECT, TURNOUT_SEND_TRANSIENT, NULL,
              g_strdup_printf (_("Could not connect to the mail server %s on port %u: %s. "
                                 "Check the server and port in Preferences; the network may "
                                 "also block this port."),
                               config->host, config->port, error->message));
      return FALSE;
    }

  conn_set_timeout (conn, config->timeout);
  /* Each write is a whole command or message; nothing is gained by
   * holding it back. */
  g_socket_set_option (g_socket_connection_get_socket (conn->tcp), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);
  conn->ehlo_name = dup_ehlo_name (conn->tcp);
  conn_set_streams (conn, G_IO_STREAM (conn->tcp));
  return TRUE;
}

/* An I/O error during the session set-up, in words for @step. */
static gboolean
fail_io (Failure         *failure,
         Conn            *conn,
         TurnoutSmtpStep  step,
         GError          *error)
{
  Config *config = conn->config;

  if (fail_cancelled (failure, error))
    return FALSE;
  if (step == TURNOUT_SMTP_STEP_GREETING &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) &&
      config->security != TURNOUT_SMTP_SECURITY_TLS)
    return fail (failure, step, TURNOUT_SEND_TRANSIENT, NULL,
                 g_strdup_printf (_("The mail server %s did not greet Turnout on port %u. If "
                                    "this port is for TLS (usually 465), choose TLS as the "
                                    "security in Preferences."),
                                  config->host, config->port));
  return fail (failure, step, TURNOUT_SEND_TRANSIENT, NULL,
               g_strdup_printf (_("The connection to the mail server %s failed: %s."),
                                config->host, error->message));
}

static gboolean
conn_ehlo (Conn          *conn,
           GCancellable  *cancellable,
           Failure       *failure)
{
  g_autofree char *command = g_strconcat ("EHLO ", conn->ehlo_name, NULL);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(GError) error = NULL;

  if ((reply = conn_command (conn, command, cancellable, &error)) == NULL)
    return fail_io (failure, conn, TURNOUT_SMTP_STEP_GREETING, error);
  if (reply->code == 250)
    {
      conn->esmtp = TRUE;
      conn_take_capabilities (conn, reply);
      return TRUE;
    }
  if (reply->code >= 500)
    {
      /* A server from before ESMTP: no extensions, so no STARTTLS or AUTH
       * either, which the checks after this catch. */
      g_autofree char *helo = g_strconcat ("HELO ", conn->ehlo_name, NULL);

      g_clear_pointer (&reply, reply_free);
      if ((reply = conn_command (conn, helo, cancellable, &error)) == NULL)
        return fail_io (failure, conn, TURNOUT_SMTP_STEP_GREETING, error);
      if (reply->code == 250)
        {
          conn->esmtp = FALSE;
          g_clear_pointer (&conn->capabilities, g_strfreev);
          conn->capabilities = g_new0 (char *, 1);
          return TRUE;
        }
    }
  if (reply->code == 421)
    conn->broken = TRUE;
  {
    g_autofree char *said = reply_describe (reply);

    return fail (failure, TURNOUT_SMTP_STEP_GREETING,
                 reply->code < 500 ? TURNOUT_SEND_TRANSIENT : TURNOUT_SEND_FATAL, reply,
                 g_strdup_printf (_("The mail server %s refused to start a session: “%s”."),
                                  conn->config->host, said));
  }
}

static gboolean
conn_auth (Conn          *conn,
           GCancellable  *cancellable,
           Failure       *failure)
{
  Config *config = conn->config;
  g_autoptr(Reply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *said = NULL;

  if (!conn->auth_plain && !conn->auth_login)
    {
      if (conn->auth_offered == NULL)
        return fail (failure, TURNOUT_SMTP_STEP_AUTH, TURNOUT_SEND_FATAL, NULL,
                     g_strdup_printf (_("The mail server %s does not offer to sign in, but a "
                                        "user name is set. Clear the user name in Preferences "
                                        "if this server needs none, or check the server "
                                        "name."), config->host));
      return fail (failure, TURNOUT_SMTP_STEP_AUTH, TURNOUT_SEND_FATAL, NULL,
                   g_strdup_printf (_("The mail server %s offers no way to sign in that "
                                      "Turnout knows (it offers %s; Turnout knows PLAIN and "
                                      "LOGIN)."), config->host, conn->auth_offered));
    }

  if (conn->auth_plain)
    {
      gsize user_len = strlen (config->username), pass_len = strlen (config->password);
      gsize len = 1 + user_len + 1 + pass_len;
      g_autofree guchar *raw = g_malloc (len);
      g_autofree char *encoded = NULL;
      g_autofree char *command = NULL;

      raw[0] = '\0';
      memcpy (raw + 1, config->username, user_len);
      raw[1 + user_len] = '\0';
      memcpy (raw + 2 + user_len, config->password, pass_len);
      encoded = g_base64_encode (raw, len);
      memset (raw, 0, len);
      command = g_strconcat ("AUTH PLAIN ", encoded, NULL);
      memset (encoded, 0, strlen (encoded));
      reply = conn_command (conn, command, cancellable, &error);
      memset (command, 0, strlen (command));
    }
  else
    {
      reply = conn_command (conn, "AUTH LOGIN", cancellable, &error);
      for (guint step = 0; reply != NULL && reply->code == 334 && step < 2; step++)
        {
          const char *value = step == 0 ? config->username : config->password;
          g_autofree char *encoded = g_base64_encode ((const guchar *) value, strlen (value));

          g_clear_pointer (&reply, reply_free);
          reply = conn_command (conn, encoded, cancellable, &error);
          memset (encoded, 0, strlen (encoded));
        }
    }

  if (reply == NULL)
    return fail_io (failure, conn, TURNOUT_SMTP_STEP_AUTH, error);
  if (reply->code == 235)
    return TRUE;

  if (reply->code == 334)
    {
      /* The server asks for more than the mechanism has: give up on it. */
      g_autoptr(Reply) cancelled = conn_command (conn, "*", cancellable, NULL);
    }
  said = reply_describe (reply);
  if (reply->code == 535)
    return fail (failure, TURNOUT_SMTP_STEP_AUTH, TURNOUT_SEND_FATAL, reply,
                 g_strdup_printf (_("The mail server refused the user name or password "
                                    "(“%s”): check your credentials in Preferences. Some "
                                    "providers need an app password instead of your usual "
                                    "one."), said));
  if (reply->code == 421)
    conn->broken = TRUE;
  if (reply->code >= 400 && reply->code < 500)
    return fail (failure, TURNOUT_SMTP_STEP_AUTH, TURNOUT_SEND_TRANSIENT, reply,
                 g_strdup_printf (_("The mail server could not sign you in now (“%s”); "
                                    "Turnout tries again later."), said));
  return fail (failure, TURNOUT_SMTP_STEP_AUTH, TURNOUT_SEND_FATAL, reply,
               g_strdup_printf (_("The mail server refused to sign you in: “%s”. Check your "
                                  "account settings with your provider."), said));
}

static Conn *
conn_open (Config        *config,
           GCancellable  *cancellable,
           Failure       *failure)
{
  Conn *conn = g_new0 (Conn, 1);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(GError) error = NULL;

  conn->config = config_ref (config);
  if (!conn_connect (conn, cancellable, failure))
    goto failed;
  if (config->security == TURNOUT_SMTP_SECURITY_TLS && !conn_start_tls (conn, cancellable, failure))
    goto failed;

  if ((reply = conn_read_reply (conn, cancellable, &error)) == NULL)
    {
      fail_io (failure, conn, TURNOUT_SMTP_STEP_GREETING, error);
      goto failed;
    }
  if (reply->code != 220)
    {
      g_autofree char *said = reply_describe (reply);

      fail (failure, TURNOUT_SMTP_STEP_GREETING,
            reply->code < 500 ? TURNOUT_SEND_TRANSIENT : TURNOUT_SEND_FATAL, reply,
            reply->code < 500
            ? g_strdup_printf (_("The mail server %s is busy (“%s”); Turnout tries again "
                                 "later."), config->host, said)
            : g_strdup_printf (_("The mail server %s refuses connections from this computer: "
                                 "“%s”."), config->host, said));
      goto failed;
    }
  g_clear_pointer (&reply, reply_free);

  if (!conn_ehlo (conn, cancellable, failure))
    goto failed;

  if (config->security == TURNOUT_SMTP_SECURITY_STARTTLS)
    {
      if (!conn->starttls)
        {
          fail (failure, TURNOUT_SMTP_STEP_TLS, TURNOUT_SEND_FATAL, NULL,
                g_strdup_printf (_("The mail server %s does not offer STARTTLS encryption, so "
                                   "Turnout sent neither your password nor any message. If "
                                   "your provider offers TLS (usually on port 465), choose "
                                   "it in Preferences; otherwise check the server name."),
                                 config->host));
          goto failed;
        }
      if ((reply = conn_command (conn, "STARTTLS", cancellable, &error)) == NULL)
        {
          fail_io (failure, conn, TURNOUT_SMTP_STEP_TLS, error);
          goto failed;
        }
      if (reply->code != 220)
        {
          g_autofree char *said = reply_describe (reply);

          fail (failure, TURNOUT_SMTP_STEP_TLS,
                reply->code < 500 ? TURNOUT_SEND_TRANSIENT : TURNOUT_SEND_FATAL, reply,
                g_strdup_printf (_("The mail server %s offered STARTTLS but refused it: "
                                   "“%s”."), config->host, said));
          goto failed;
        }
      /* Anything the server sent after its 220 was sent in the clear and
       * would be read as if encrypted (the STARTTLS injection attack). */
      if (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (conn->in)) > 0)
        {
          conn->broken = TRUE;
          fail (failure, TURNOUT_SMTP_STEP_TLS, TURNOUT_SEND_FATAL, NULL,
                g_strdup_printf (_("The mail server %s sent unexpected data while starting "
                                   "encryption; Turnout closed the connection to be safe."),
                                 config->host));
          goto failed;
        }
      if (!conn_start_tls (conn, cancellable, failure))
        goto failed;
      /* What the server offers may change once encrypted (RFC 3207 4.2). */
      if (!conn_ehlo (conn, cancellable, failure))
        goto failed;
    }

  if (config->username != NULL && !conn_auth (conn, cancellable, failure))
    goto failed;
  return conn;

failed:
  conn->broken = TRUE;
  conn_free (conn);
  return NULL;
}

/* ------------------------------------------------------------------------
 * One transaction
 */

typedef struct
{
  GTask             *task;
  char              *from;
  char             **recipients;
  GBytes            *message;     /* NULL until composed from @parts */
  char              *message_id;  /* nullable: from the message's header */
  TurnoutEmailParts  parts;       /* owned strings: composed on the connection's thread */
  TurnoutSendMark   *mark;        /* nullable: noted before the data leaves */
} Job;

static void
email_parts_clear (TurnoutEmailParts *parts)
{
  g_free ((char *) parts->from_name);
  g_free ((char *) parts->from_address);
  g_free ((char *) parts->to_name);
  g_free ((char *) parts->to_address);
  g_free ((char *) parts->subject);
  g_free ((char *) parts->preheader);
  g_free ((char *) parts->html);
  g_free ((char *) parts->text);
  g_free ((char *) parts->unsubscribe_mailto);
  g_free ((char *) parts->unsubscribe_url);
  g_free ((char *) parts->postal_address);
}

static void
job_free (Job *job)
{
  g_clear_object (&job->task);
  g_free (job->from);
  g_strfreev (job->recipients);
  g_clear_pointer (&job->message, g_bytes_unref);
  g_free (job->message_id);
  email_parts_clear (&job->parts);
  g_clear_pointer (&job->mark, turnout_send_mark_unref);
  g_free (job);
}

typedef enum
{
  PHASE_MAIL,
  PHASE_RCPT,
  PHASE_DATA,
  PHASE_END,
} Phase;

static TurnoutSendResult *
result_new (TurnoutSendOutcome  outcome,
            const Reply        *reply,
            char               *message)
{
  TurnoutSendResult *result = turnout_send_result_new (outcome);

  if (reply != NULL)
    result->error_code = reply_dup_code (reply);
  result->message = message;
  return result;
}

static gboolean
is_hard_bounce (const Reply *reply)
{
  static const char * const codes[] = { "5.1.1", "5.1.2", "5.1.6", "5.1.10" };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    if (enhanced_is (reply, codes[i]))
      return TRUE;
  return FALSE;
}

/* A refusal: @reply is not the success the command wanted. */
static TurnoutSendResult *
classify (Conn        *conn,
          const Reply *reply,
          Phase        phase,
          const char  *address)
{
  g_autofree char *said = reply_describe (reply);

  if (reply->code == 421)
    conn->broken = TRUE;

  if (reply->code < 500)
    {
      if ((reply->code == 421 || reply->code == 451 || reply->code == 452) &&
          enhanced_has_prefix (reply, "4.7."))
        return result_new (TURNOUT_SEND_RATE_LIMITED, reply,
                           g_strdup_printf (_("The mail server asks Turnout to send more "
                                              "slowly (“%s”); sending slows down and the "
                                              "message is tried again later."), said));
      if (reply->code == 421)
        return result_new (TURNOUT_SEND_TRANSIENT, reply,
                           g_strdup_printf (_("The mail server closed the connection (“%s”); "
                                              "the message is tried again later."), said));
      return result_new (TURNOUT_SEND_TRANSIENT, reply,
                         g_strdup_printf (_("The mail server can’t take the message now "
                                            "(“%s”); it is tried again later."), said));
    }

  switch (phase)
    {
    case PHASE_MAIL:
      if (reply->code == 552 || enhanced_is (reply, "5.3.4"))
        return result_new (TURNOUT_SEND_PERMANENT, reply,
                           g_strdup_printf (_("The message is too big for the mail server "
                                              "(“%s”)."), said));
      if (reply->code == 530)
        return result_new (TURNOUT_SEND_FATAL, reply,
                           g_strdup_printf (_("The mail server wants you to sign in before "
                                              "sending (“%s”): enter your user name and "
                                              "password in Preferences."), said));
      return result_new (TURNOUT_SEND_FATAL, reply,
                         g_strdup_printf (_("The mail server refused the sender address %s "
                                            "(“%s”). Check the From address in Preferences: "
                                            "it must be one your account may send from."),
                                          address, said));

    case PHASE_RCPT:
    case PHASE_END:
      if (is_hard_bounce (reply))
        return result_new (TURNOUT_SEND_SUPPRESS, reply,
                           g_strdup_printf (_("The address %s does not exist (“%s”): it "
                                              "was added to the suppression list, as a hard "
                                              "bounce."), address, said));
      if (phase == PHASE_RCPT)
        return result_new (TURNOUT_SEND_PERMANENT, reply,
                           g_strdup_printf (_("The mail server refused the recipient %s "
                                              "(“%s”)."), address, said));
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("The mail server refused the message (“%s”)."),
                                          said));

    case PHASE_DATA:
    default:
      return result_new (TURNOUT_SEND_PERMANENT, reply,
                         g_strdup_printf (_("The mail server refused the message (“%s”)."),
                                          said));
    }
}

/* The DATA payload, through GMime's filters: CRLF line ends, lines
 * starting with "." doubled (RFC 5321 4.5.2, GMimeFilterSmtpData), a CRLF
 * at the end, then the final ".". */
static GBytes *
dup_data_payload (GBytes   *message,
                  gboolean *eight_bit)
{
  gsize len;
  const guchar *data = g_bytes_get_data (message, &len);
  GByteArray *out = g_byte_array_sized_new (len + len / 32 + 8);
  GMimeStream *mem;
  GMimeStream *filtered;
  GMimeFilter *filter;

  turnout_email_message_init ();
  mem = g_mime_stream_mem_new_with_byte_array (out);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
  filtered = g_mime_stream_filter_new (mem);
  filter = g_mime_filter_unix2dos_new (TRUE);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), filter);
  g_object_unref (filter);
  filter = g_mime_filter_smtp_data_new ();
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), filter);
  g_object_unref (filter);
  g_mime_stream_write (filtered, (const char *) data, len);
  g_mime_stream_flush (filtered);
  g_object_unref (filtered);
  g_object_unref (mem);
  g_byte_array_append (out, (const guint8 *) ".\r\n", 3);

  *eight_bit = FALSE;
  for (gsize i = 0; i < len && !*eight_bit; i++)
    *eight_bit = data[i] >= 0x80;
  return g_byte_array_free_to_bytes (out);
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

/* Whether @address can go in "<…>" on the wire. */
static gboolean
is_envelope_address (const char *address)
{
  if (address == NULL || *address == '\0' || strchr (address, '@') == NULL ||
      !g_utf8_validate (address, -1, NULL))
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    if (*p == '<' || *p == '>' || *p == ' ' || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

/* Sends one message on @conn. Returns NULL with @error for an I/O failure
 * before the server could have anything; *@stale says it happened on the
 * first command, so a fresh connection may try again. */
static TurnoutSendResult *
conn_send (Conn          *conn,
           Job           *job,
           GCancellable  *cancellable,
           gboolean      *stale,
           GError       **error)
{
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) reply_free);
  g_autoptr(Reply) end_reply = NULL;
  gboolean eight_bit = FALSE;
  gboolean utf8 = !is_ascii (job->from);
  guint n_rcpt = g_strv_length (job->recipients);
  guint n_commands;
  gsize payload_len;
  const void *payload_data;
  GError *local_error = NULL;
  int failed_rcpt = -1;

  *stale = FALSE;
  payload = dup_data_payload (job->message, &eight_bit);
  payload_data = g_bytes_get_data (payload, &payload_len);

  for (guint i = 0; i < n_rcpt; i++)
    utf8 |= !is_ascii (job->recipients[i]);
  if (utf8 && !conn->smtputf8)
    return result_new (TURNOUT_SEND_PERMANENT, NULL,
                       g_strdup_printf (_("The address %s has characters beyond ASCII, and "
                                          "the mail server does not accept such addresses."),
                                        !is_ascii (job->from) ? job->from : job->recipients[0]));
  if (conn->size_limit > 0 && payload_len > conn->size_limit)
    return result_new (TURNOUT_SEND_PERMANENT, NULL,
                       g_strdup_printf (_("The message is %" PRIu64 " kB and the mail "
                                          "server takes at most %" PRIu64 " kB: make it "
                                          "smaller (fewer or smaller images)."),
                                        (guint64) payload_len / 1024,
                                        conn->size_limit / 1024));

  if (conn->dirty)
    {
      g_autoptr(Reply) reply = conn_command (conn, "RSET", cancellable, &local_error);

      if (reply == NULL || reply->code != 250)
        {
          conn->broken = TRUE;
          *stale = TRUE;
          if (local_error == NULL)
            local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                               _("the server refused to reset the session"));
          g_propagate_error (error, local_error);
          return NULL;
        }
      conn->dirty = FALSE;
    }

  /* The transaction: MAIL, every RCPT, DATA. With PIPELINING they leave in
   * one write; without, one by one, stopping at the first refusal. */
  g_string_append_printf (batch, "MAIL FROM:<%s>", job->from);
  if (conn->size_limit > 0)
    g_string_append_printf (batch, " SIZE=%" G_GSIZE_FORMAT, payload_len);
  if (eight_bit && conn->eightbitmime)
    g_string_append (batch, " BODY=8BITMIME");
  if (utf8)
    g_string_append (batch, " SMTPUTF8");
  g_string_append (batch, "\r\n");
  for (guint i = 0; i < n_rcpt; i++)
    g_string_append_printf (batch, "RCPT TO:<%s>\r\n", job->recipients[i]);
  g_string_append (batch, "DATA\r\n");
  n_commands = n_rcpt + 2;

  conn->dirty = TRUE;
  if (conn->pipelining)
    {
      if (!conn_write (conn, batch->str, batch->len, cancellable, &local_error))
        goto io_failed;
      for (guint i = 0; i < n_commands; i++)
        {
          Reply *reply = conn_read_reply (conn, cancellable, &local_error);

          if (reply == NULL)
            goto io_failed;
          g_ptr_array_add (replies, reply);
        }
    }
  else
    {
      g_auto(GStrv) commands = g_strsplit (batch->str, "\r\n", -1);

      for (guint i = 0; i < n_commands; i++)
        {
          Reply *reply = conn_command (conn, commands[i], cancellable, &local_error);

          if (reply == NULL)
            goto io_failed;
          g_ptr_array_add (replies, reply);
          if (reply->code != (i + 1 == n_commands ? 354 : 250))
            break;
        }
    }

  /* The first refusal decides. */
  {
    Reply *mail = g_ptr_array_index (replies, 0);
    Reply *data = replies->len == n_commands ? g_ptr_array_index (replies, n_commands - 1) : NULL;

    for (guint i = 1; i < replies->len && i <= n_rcpt; i++)
      if (((Reply *) g_ptr_array_index (replies, i))->code != 250 &&
          ((Reply *) g_ptr_array_index (replies, i))->code != 251)
        {
          failed_rcpt = i;
          break;
        }

    /* A server that went away on the first command of a reused
     * connection (an idle timeout's 421) has nothing of this message. */
    if (mail->code == 421 && conn->n_messages > 0)
      {
        conn->broken = TRUE;
        *stale = TRUE;
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                             _("the server closed the connection"));
        return NULL;
      }
    if (mail->code != 250)
      {
        /* With pipelining a DATA that was accepted anyway can't be taken
         * back but by hanging up. */
        if (data != NULL && data->code == 354)
          conn->broken = TRUE;
        return classify (conn, mail, PHASE_MAIL, job->from);
      }
    if (failed_rcpt > 0)
      {
        if (data != NULL && data->code == 354)
          conn->broken = TRUE;
        return classify (conn, g_ptr_array_index (replies, failed_rcpt), PHASE_RCPT,
                         job->recipients[failed_rcpt - 1]);
      }
    if (data == NULL)
      {
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "incomplete transaction");
        conn->broken = TRUE;
        return NULL;
      }
    if (data->code != 354)
      return classify (conn, data, PHASE_DATA, job->recipients[0]);
  }

  /* From here on the message may be accepted: cancelling no longer stops
   * the wait for the answer, and a lost answer is unknown. Whoever asked
   * for the note hears of it first; when it can't be noted, nothing is
   * sent (hanging up takes the DATA back). */
  if (job->mark != NULL && !turnout_send_mark_leaving (job->mark, &local_error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not note that the message was leaving "
                                                 "(%s), so it was not sent; it is tried again "
                                                 "later."), local_error->message);

      g_clear_error (&local_error);
      conn->broken = TRUE;
      return result_new (TURNOUT_SEND_TRANSIENT, NULL, g_steal_pointer (&text));
    }
  if (!conn_write (conn, payload_data, payload_len, NULL, &local_error))
    {
      g_autofree char *text = g_strdup_printf (_("The connection to the mail server was lost "
                                                 "while sending the message (%s); it is tried "
                                                 "again later."), local_error->message);

      g_clear_error (&local_error);
      return result_new (TURNOUT_SEND_TRANSIENT, NULL, g_steal_pointer (&text));
    }
  conn_set_timeout (conn, conn->config->data_timeout);
  end_reply = conn_read_reply (conn, NULL, &local_error);
  conn_set_timeout (conn, conn->config->timeout);
  conn->n_messages++;
  if (end_reply == NULL)
    {
      TurnoutSendResult *result;

      conn->broken = TRUE;
      result = result_new (TURNOUT_SEND_UNKNOWN, NULL,
                           g_strdup_printf (_("The connection to the mail server was lost after "
                                              "the whole message was sent and before the "
                                              "server answered (%s): it may or may not have "
                                              "been accepted. Turnout does not send it again "
                                              "by itself; decide whether to send it again or "
                                              "count it as sent."),
                                            local_error->message));
      g_clear_error (&local_error);
      return result;
    }
  if (end_reply->code != 250)
    {
      /* The transaction is over either way (RFC 5321 4.1.1.4). */
      conn->dirty = FALSE;
      return classify (conn, end_reply, PHASE_END, job->recipients[0]);
    }
  conn->dirty = FALSE;
  {
    TurnoutSendResult *result = turnout_send_result_new (TURNOUT_SEND_OK);

    result->provider_id = job->message_id != NULL ? g_strdup (job->message_id)
                                                  : reply_describe (end_reply);
    return result;
  }

io_failed:
  conn->broken = TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  /* Nothing was accepted: the first commands were lost, or some later
   * one before the final ".". */
  if (replies->len == 0 && conn->n_messages > 0)
    {
      *stale = TRUE;
      g_propagate_error (error, local_error);
      return NULL;
    }
  {
    g_autofree char *text = g_strdup_printf (_("The connection to the mail server was lost "
                                               "(%s); the message is tried again later."),
                                             local_error->message);

    g_clear_error (&local_error);
    return result_new (TURNOUT_SEND_TRANSIENT, NULL, g_steal_pointer (&text));
  }
}

/* ------------------------------------------------------------------------
 * The pool of connections
 */

struct _Pool
{
  GMutex  mutex;
  GCond   cond;
  GQueue  jobs;
  Config *config;
  guint   max_connections;
  guint   n_workers;
  guint   n_busy;     /* workers with a job in hand */
  gboolean closing;
};

static void
pool_clear (gpointer data)
{
  Pool *pool = data;

  g_assert (g_queue_is_empty (&pool->jobs));
  config_unref (pool->config);
  g_mutex_clear (&pool->mutex);
  g_cond_clear (&pool->cond);
}

static Pool *
pool_new (Config *config)
{
  Pool *pool = g_atomic_rc_box_new0 (Pool);

  g_mutex_init (&pool->mutex);
  g_cond_init (&pool->cond);
  g_queue_init (&pool->jobs);
  pool->config = config;
  pool->max_connections = TURNOUT_SMTP_DEFAULT_CONNECTIONS;
  return pool;
}

static void
pool_unref (Pool *pool)
{
  g_atomic_rc_box_release_full (pool, pool_clear);
}

static Config *
pool_dup_config (Pool *pool)
{
  Config *config;

  g_mutex_lock (&pool->mutex);
  config = config_ref (pool->config);
  g_mutex_unlock (&pool->mutex);
  return config;
}

static void
pool_set_config (Pool   *pool,
                 Config *config)
{
  g_mutex_lock (&pool->mutex);
  config_unref (pool->config);
  pool->config = config;
  g_mutex_unlock (&pool->mutex);
}

static void
job_return_result (Job               *job,
                   TurnoutSendResult *result)
{
  g_task_return_pointer (job->task, result, (GDestroyNotify) turnout_send_result_free);
}

static TurnoutSendResult *
failure_to_result (Failure *failure)
{
  TurnoutSendResult *result = turnout_send_result_new (failure->outcome);

  result->message = g_steal_pointer (&failure->message);
  result->error_code = g_steal_pointer (&failure->error_code);
  return result;
}

/* Sends @job on *@conn, opening or replacing it as needed. Returns the
 * result, or NULL with @error (only %G_IO_ERROR_CANCELLED). */
static TurnoutSendResult *
process_job (Pool     *pool,
             Conn    **conn,
             Job      *job,
             GError  **error)
{
  GCancellable *cancellable = g_task_get_cancellable (job->task);

  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(Config) config = pool_dup_config (pool);
      g_autoptr(GError) local_error = NULL;
      TurnoutSendResult *result;
      gboolean fresh = FALSE;
      gboolean stale = FALSE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (*conn != NULL &&
          ((*conn)->broken || (*conn)->config != config ||
           (*conn)->n_messages >= config->messages_per_connection))
        {
          conn_quit (*conn);
          g_clear_pointer (conn, conn_free);
        }
      if (*conn == NULL)
        {
          Failure failure = { 0, };

          fresh = TRUE;
          *conn = conn_open (config, cancellable, &failure);
          if (*conn == NULL)
            {
              result = failure.cancelled ? NULL : failure_to_result (&failure);
              if (failure.cancelled)
                g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     _("Sending was cancelled"));
              failure_clear (&failure);
              return result;
            }
        }

      result = conn_send (*conn, job, cancellable, &stale, &local_error);
      if ((*conn)->broken)
        g_clear_pointer (conn, conn_free);
      if (result != NULL)
        return result;
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!stale || fresh || attempt > 0)
        return result_new (TURNOUT_SEND_TRANSIENT, NULL,
                           g_strdup_printf (_("The connection to the mail server failed (%s); "
                                              "the message is tried again later."),
                                            local_error->message));
      /* A reused connection had died: once more on a fresh one. */
      g_clear_pointer (conn, conn_free);
    }
}

/* Composes the message of a job that came as parts. Composing takes as
 * long as sending it to a server nearby: here it runs on the connection's
 * thread, the connections in parallel, and never on the caller's.
 *
 * Returns: (nullable): the result to give back instead of sending. */
static TurnoutSendResult *
job_compose (Job                  *job,
             TurnoutEmailComposer *composer)
{
  g_autoptr(GError) error = NULL;
  gboolean setup;

  if (job->message != NULL)
    return NULL;
  job->message = turnout_email_composer_compose (composer, &job->parts, &job->message_id,
                                                 &error);
  if (job->message != NULL)
    return NULL;
  /* A missing postal address or a bad From stops every message; a bad
   * recipient or template only this one. */
  setup = g_error_matches (error, TURNOUT_EMAIL_MESSAGE_ERROR, TURNOUT_EMAIL_MESSAGE_ERROR_SETUP);
  return result_new (setup ? TURNOUT_SEND_FATAL : TURNOUT_SEND_PERMANENT, NULL,
                     g_strdup (error->message));
}

static gpointer
worker_main (gpointer data)
{
  Pool *pool = data;
  Conn *conn = NULL;
  /* The connection's own: it reuses the last message's GMime objects. */
  g_autoptr(TurnoutEmailComposer) composer = turnout_email_composer_new ();

  for (;;)
    {
      Job *job = NULL;
      gint64 deadline = g_get_monotonic_time () + IDLE_SECONDS * G_USEC_PER_SEC;
      TurnoutSendResult *result;
      GError *error = NULL;

      g_mutex_lock (&pool->mutex);
      while (g_queue_is_empty (&pool->jobs) && !pool->closing)
        if (!g_cond_wait_until (&pool->cond, &pool->mutex, deadline) &&
            g_queue_is_empty (&pool->jobs))
          break;
      if (!pool->closing)
        job = g_queue_pop_head (&pool->jobs);
      if (job == NULL)
        {
          pool->n_workers--;
          g_mutex_unlock (&pool->mutex);
          break;
        }
      pool->n_busy++;
      g_mutex_unlock (&pool->mutex);

      if ((result = job_compose (job, composer)) == NULL)
        result = process_job (pool, &conn, job, &error);

      /* Free again before the caller hears back, so that the next message
       * it sends waits for this connection instead of opening another. */
      g_mutex_lock (&pool->mutex);
      pool->n_busy--;
      g_mutex_unlock (&pool->mutex);
      if (result != NULL)
        job_return_result (job, result);
      else
        g_task_return_error (job->task, error);
      job_free (job);
    }

  if (conn != NULL)
    conn_quit (conn);
  conn_free (conn);
  pool_unref (pool);
  return NULL;
}

static void
pool_push (Pool *pool,
           Job  *job)
{
  g_autoptr(GError) error = NULL;
  gboolean spawn = FALSE;

  g_mutex_lock (&pool->mutex);
  if (pool->closing)
    {
      g_mutex_unlock (&pool->mutex);
      g_task_return_new_error (job->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Sending was cancelled"));
      job_free (job);
      return;
    }
  g_queue_push_tail (&pool->jobs, job);
  /* A new connection only when every open one has work. */
  if (pool->jobs.length > pool->n_workers - pool->n_busy &&
      pool->n_workers < pool->max_connections)
    {
      pool->n_workers++;
      spawn = TRUE;
    }
  else
    g_cond_signal (&pool->cond);
  g_mutex_unlock (&pool->mutex);

  if (spawn)
    {
      GThread *thread = g_thread_try_new ("smtp-connection", worker_main,
                                          g_atomic_rc_box_acquire (pool), &error);

      if (thread != NULL)
        g_thread_unref (thread);
      else
        {
          gboolean queued;

          g_mutex_lock (&pool->mutex);
          pool->n_workers--;
          /* Unless a running worker took it, nobody would: give it back. */
          queued = g_queue_remove (&pool->jobs, job);
          g_mutex_unlock (&pool->mutex);
          pool_unref (pool);
          if (queued)
            {
              job_return_result (job, result_new (TURNOUT_SEND_TRANSIENT, NULL,
                                                  g_strdup_printf (_("Could not start a "
                                                                     "connection to the mail "
                                                                     "server (%s); the message "
                                                                     "is tried again later."),
                                                                   error->message)));
              job_free (job);
            }
        }
    }
}

static void
pool_close (Pool *pool)
{
  GQueue left = G_QUEUE_INIT;
  Job *job;

  g_mutex_lock (&pool->mutex);
  pool->closing = TRUE;
  left = pool->jobs;
  g_queue_init (&pool->jobs);
  g_cond_broadcast (&pool->cond);
  g_mutex_unlock (&pool->mutex);

  while ((job = g_queue_pop_head (&left)) != NULL)
    {
      g_task_return_new_error (job->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Sending was cancelled"));
      job_free (job);
    }
}

/* The Message-ID header's value, for the provider id of a sent message. */
static char *
dup_message_id (GBytes *message)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  const char *p = data, *end = data + len;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize line_len = (eol != NULL ? eol : end) - p;

      if (line_len == 0 || (line_len == 1 && *p == '\r'))
        break;
      if (line_len > 11 && g_ascii_strncasecmp (p, "Message-ID:", 11) == 0)
        {
          g_autofree char *value = g_strndup (p + 11, line_len - 11);

          g_strstrip (value);
          /* Kept without the angle brackets, as the send log shows it. */
          if (value[0] == '<' && g_str_has_suffix (value, ">"))
            {
              value[strlen (value) - 1] = '\0';
              memmove (value, value + 1, strlen (value));
            }
          return *value != '\0' ? g_steal_pointer (&value) : NULL;
        }
      if (eol == NULL)
        break;
      p = eol + 1;
    }
  return NULL;
}

/* ------------------------------------------------------------------------
 * The object's life
 */

static void
turnout_smtp_sender_dispose (GObject *object)
{
  TurnoutSmtpSender *self = TURNOUT_SMTP_SENDER (object);

  if (self->pool != NULL)
    {
      pool_close (self->pool);
      g_clear_pointer (&self->pool, pool_unref);
    }
  G_OBJECT_CLASS (turnout_smtp_sender_parent_class)->dispose (object);
}

static void
turnout_smtp_sender_finalize (GObject *object)
{
  TurnoutSmtpSender *self = TURNOUT_SMTP_SENDER (object);

  g_free (self->host);
  g_free (self->from_address);
  g_free (self->from_name);
  g_free (self->postal_address);
  g_free (self->unsubscribe_mailto);
  g_free (self->unsubscribe_url);

  G_OBJECT_CLASS (turnout_smtp_sender_parent_class)->finalize (object);
}

static void
turnout_smtp_sender_class_init (TurnoutSmtpSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = turnout_smtp_sender_dispose;
  object_class->finalize = turnout_smtp_sender_finalize;
}

static void
turnout_smtp_sender_init (TurnoutSmtpSender *self)
{
}

static gboolean
set_invalid (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_invalid (GError     **error,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_INVALID_CONFIG, message);
  return FALSE;
}

/**
 * turnout_smtp_security_from_string:
 * @name: "starttls", "tls" or "none" (the values of `smtp.security`)
 *
 * Returns: whether @name is one of them
 */
gboolean
turnout_smtp_security_from_string (const char          *name,
                                   TurnoutSmtpSecurity *security)
{
  if (g_strcmp0 (name, "starttls") == 0)
    *security = TURNOUT_SMTP_SECURITY_STARTTLS;
  else if (g_strcmp0 (name, "tls") == 0)
    *security = TURNOUT_SMTP_SECURITY_TLS;
  else if (g_strcmp0 (name, "none") == 0)
    *security = TURNOUT_SMTP_SECURITY_NONE;
  else
    return FALSE;
  return TRUE;
}

/**
 * turnout_smtp_dup_password_account:
 *
 * Returns: (transfer full): the account the SMTP password is stored under
 *   in the keyring: the user name, "@" and the server
 *   ("alice@example.com@smtp.example.com")
 */
char *
turnout_smtp_dup_password_account (const char *username,
                                   const char *host)
{
  return g_strdup_printf ("%s@%s", username, host);
}

/* TURNOUT_TLS_CA_FILE: extra authorities, for private relays and tests. */
static gboolean
load_extra_cas (Config  *config,
                GError **error)
{
  const char *path = g_getenv ("TURNOUT_TLS_CA_FILE");
  g_autoptr(GError) local_error = NULL;

  if (path == NULL || *path == '\0')
    return TRUE;
  config->extra_cas = g_tls_file_database_new (path, &local_error);
  if (config->extra_cas == NULL)
    return set_invalid (error, _("TURNOUT_TLS_CA_FILE names “%s”, which could not be read as "
                                 "PEM certificates: %s"), path, local_error->message);
  config->extra_cas_path = g_strdup (path);
  return TRUE;
}

/* What turnout_smtp_sender_new() checks, except the password. */
static gboolean
check_config (const char           *host,
              guint                 port,
              TurnoutSmtpSecurity   security,
              const char           *username,
              const char           *from_address,
              GError              **error)
{
  if (host == NULL || *host == '\0')
    return set_invalid (error, _("Enter your mail server in Preferences, such as "
                                 "smtp.example.com: your provider lists it with the port and "
                                 "security."));
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != ':' && *p != '[' && *p != ']')
      return set_invalid (error, _("The mail server “%s” is not a host name: “%c” at position "
                                   "%d is not allowed."), host, *p, (int) (p - host) + 1);
  if (port == 0 || port > 65535)
    return set_invalid (error, _("The mail server port %u is not valid: it is a number from 1 "
                                 "to 65535, usually 587 for STARTTLS or 465 for TLS."), port);
  if (from_address == NULL || *from_address == '\0')
    return set_invalid (error, _("Enter the address your emails come from in Preferences."));
  if (!is_envelope_address (from_address))
    return set_invalid (error, _("The From address “%s” is not an email address."),
                        from_address);
  if (security == TURNOUT_SMTP_SECURITY_NONE && username != NULL)
    return set_invalid (error, _("Turnout never sends a password over an unencrypted "
                                 "connection. Choose STARTTLS or TLS in Preferences, or clear "
                                 "the user name if the relay on this computer needs none."));
  return TRUE;
}

/**
 * turnout_smtp_sender_new:
 * @host: the server's name or address
 * @port: its port (1–65535)
 * @security: how the connection is encrypted
 * @username: (nullable): the user to sign in as; %NULL or empty: no
 *   sign-in (a relay that needs none)
 * @password: (nullable): the password, when @username is set
 * @from_address: the envelope sender, and the From of composed messages
 *
 * Checks the configuration and makes a sender; nothing is connected until
 * the first message. `TURNOUT_TLS_CA_FILE`, when set, names a PEM file of
 * authorities trusted besides the system's.
 *
 * Returns: (transfer full) (nullable): the sender, or %NULL with @error
 *   (%TURNOUT_SMTP_ERROR_INVALID_CONFIG or %TURNOUT_SMTP_ERROR_NO_PASSWORD)
 *   saying what is wrong in words for the user
 */
TurnoutSmtpSender *
turnout_smtp_sender_new (const char           *host,
                         guint                 port,
                         TurnoutSmtpSecurity   security,
                         const char           *username,
                         const char           *password,
                         const char           *from_address,
                         GError              **error)
{
  g_autoptr(TurnoutSmtpSender) self = NULL;
  Config *config;

  if (username != NULL && *username == '\0')
    username = NULL;
  if (!check_config (host, port, security, username, from_address, error))
    return NULL;
  if (username != NULL && (password == NULL || *password == '\0'))
    {
      g_set_error (error, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_NO_PASSWORD,
                   _("No password is stored for %s on %s: enter it in Preferences, or set "
                     "TURNOUT_SMTP_PASSWORD."), username, host);
      return NULL;
    }

  config = g_atomic_rc_box_new0 (Config);
  config->host = g_strdup (host);
  config->port = port;
  config->security = security;
  config->username = g_strdup (username);
  config->password = username != NULL ? g_strdup (password) : NULL;
  config->timeout = TURNOUT_SMTP_DEFAULT_TIMEOUT;
  config->data_timeout = TURNOUT_SMTP_DEFAULT_DATA_TIMEOUT;
  config->messages_per_connection = TURNOUT_SMTP_DEFAULT_MESSAGES_PER_CONNECTION;
  if (!load_extra_cas (config, error))
    {
      config_unref (config);
      return NULL;
    }

  self = g_object_new (TURNOUT_TYPE_SMTP_SENDER, NULL);
  self->pool = pool_new (config);
  self->host = g_strdup (host);
  self->from_address = g_strdup (from_address);
  return g_steal_pointer (&self);
}

const char *
turnout_smtp_sender_get_host (TurnoutSmtpSender *self)
{
  g_return_val_if_fail (TURNOUT_IS_SMTP_SENDER (self), NULL);

  return self->host;
}

const char *
turnout_smtp_sender_get_from_address (TurnoutSmtpSender *self)
{
  g_return_val_if_fail (TURNOUT_IS_SMTP_SENDER (self), NULL);

  return self->from_address;
}

/**
 * turnout_smtp_sender_set_from_name:
 * @from_name: (nullable): the display name of composed messages' From
 */
void
turnout_smtp_sender_set_from_name (TurnoutSmtpSender *self,
                                   const char        *from_name)
{
  g_return_if_fail (TURNOUT_IS_SMTP_SENDER (self));

  g_free (self->from_name);
  self->from_name = from_name != NULL && *from_name != '\0' ? g_strdup (from_name) : NULL;
}

/**
 * turnout_smtp_sender_set_connections:
 * @connections: how many connections may be open at once (at least 1)
 *
 * Takes effect for connections opened from now on.
 */
void
turnout_smtp_sender_set_connections (TurnoutSmtpSender *self,
                                     guint              connections)
{
  g_return_if_fail (TURNOUT_IS_SMTP_SENDER (self));
  g_return_if_fail (connections >= 1);

  g_mutex_lock (&self->pool->mutex);
  self->pool->max_connections = connections;
  g_mutex_unlock (&self->pool->mutex);
}

/**
 * turnout_smtp_sender_set_messages_per_connection:
 * @count: messages sent on one connection before it is replaced (at least 1)
 */
void
turnout_smtp_sender_set_messages_per_connection (TurnoutSmtpSender *self,
                                                 guint              count)
{
  Config *config;

  g_return_if_fail (TURNOUT_IS_SMTP_SENDER (self));
  g_return_if_fail (count >= 1);

  config = pool_dup_config (self->pool);
  {
    Config *copy = config_copy (config);

    copy->messages_per_connection = count;
    pool_set_config (self->pool, copy);
  }
  config_unref (config);
}

/**
 * turnout_smtp_sender_set_timeout:
 * @seconds: how long connecting and each command may take (at least 1);
 *   the answer to a whole message may take TURNOUT_SMTP_DEFAULT_DATA_TIMEOUT
 */
void
turnout_smtp_sender_set_timeout (TurnoutSmtpSender *self,
                                 guint              seconds)
{
  Config *config;
  Config *copy;

  g_return_if_fail (TURNOUT_IS_SMTP_SENDER (self));
  g_return_if_fail (seconds >= 1);

  config = pool_dup_config (self->pool);
  copy = config_copy (config);
  copy->timeout = seconds;
  pool_set_config (self->pool, copy);
  config_unref (config);
}

/**
 * turnout_smtp_sender_set_accepted_certificate:
 * @fingerprint: (nullable): the SHA-256 fingerprint of a certificate the
 *   user chose to trust although it failed the checks (any case, with or
 *   without colons), or %NULL to accept none
 *
 * Returns: %FALSE with @error when @fingerprint is not a SHA-256 fingerprint
 */
gboolean
turnout_smtp_sender_set_accepted_certificate (TurnoutSmtpSender  *self,
                                              const char         *fingerprint,
                                              GError            **error)
{
  g_autofree char *normalized = NULL;
  Config *config;
  Config *copy;

  g_return_val_if_fail (TURNOUT_IS_SMTP_SENDER (self), FALSE);

  if (fingerprint != NULL && *fingerprint != '\0')
    {
      g_autoptr(GError) local_error = NULL;

      normalized = turnout_setting_normalize ("smtp.accepted_certificate", fingerprint,
                                              &local_error);
      if (normalized == NULL)
        return set_invalid (error, _("The accepted certificate “%s” is not a SHA-256 "
                                     "fingerprint: %s."), fingerprint, local_error->message);
    }

  config = pool_dup_config (self->pool);
  copy = config_copy (config);
  g_free (copy->accepted_fingerprint);
  copy->accepted_fingerprint = g_steal_pointer (&normalized);
  pool_set_config (self->pool, copy);
  config_unref (config);
  return TRUE;
}

static char *
dup_nonempty (const char *value)
{
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

/**
 * turnout_smtp_sender_set_compliance:
 * @postal_address: (nullable): the sender's postal address, for the footer
 *   CAN-SPAM asks for (email.postal_address); required before
 *   turnout_sender_send_async() sends anything
 * @unsubscribe_mailto: (nullable): where unsubscribe requests go
 *   (email.unsubscribe_mailto); %NULL uses the From address
 * @unsubscribe_url: (nullable): an https page for one-click unsubscribe
 *   (email.unsubscribe_url)
 *
 * Sets what turnout_sender_send_async() puts in every message besides the
 * rendered template (see turnout-email-message.h).
 */
void
turnout_smtp_sender_set_compliance (TurnoutSmtpSender *self,
                                    const char        *postal_address,
                                    const char        *unsubscribe_mailto,
                                    const char        *unsubscribe_url)
{
  g_return_if_fail (TURNOUT_IS_SMTP_SENDER (self));

  g_free (self->postal_address);
  self->postal_address = dup_nonempty (postal_address);
  g_free (self->unsubscribe_mailto);
  self->unsubscribe_mailto = dup_nonempty (unsubscribe_mailto);
  g_free (self->unsubscribe_url);
  self->unsubscribe_url = dup_nonempty (unsubscribe_url);
}

/* ------------------------------------------------------------------------
 * Sending
 */

static Job *
job_new (GTask              *task,
         const char         *from,
         const char * const *recipients)
{
  Job *job = g_new0 (Job, 1);

  job->task = g_object_ref (task);
  job->from = g_strdup (from);
  job->recipients = g_strdupv ((char **) recipients);
  return job;
}

/* Checks the addresses; returns a result to give back instead of sending. */
static TurnoutSendResult *
check_addresses (const char         *from,
                 const char * const *recipients)
{
  if (!is_envelope_address (from))
    return result_new (TURNOUT_SEND_FATAL, NULL,
                       g_strdup_printf (_("The sender address “%s” is not an email address: "
                                          "check the From address in Preferences."),
                                        from != NULL ? from : ""));
  if (recipients == NULL || recipients[0] == NULL)
    return result_new (TURNOUT_SEND_PERMANENT, NULL, g_strdup (_("The message has no recipient.")));
  for (guint i = 0; recipients[i] != NULL; i++)
    if (!is_envelope_address (recipients[i]))
      return result_new (TURNOUT_SEND_PERMANENT, NULL,
                         g_strdup_printf (_("“%s” is not an email address."), recipients[i]));
  return NULL;
}

/**
 * turnout_smtp_sender_send_raw_async:
 * @from: the envelope sender (MAIL FROM)
 * @recipients: (array zero-terminated=1): the envelope recipients
 * @message: an RFC 5322 message, LF or CRLF line ends, not dot-stuffed
 *
 * Sends a message composed elsewhere. All recipients or none: when the
 * server refuses one, the transaction is abandoned and the result is that
 * refusal's. The result's provider id is the message's Message-ID, or the
 * server's answer when it has none.
 */
void
turnout_smtp_sender_send_raw_async (TurnoutSmtpSender   *self,
                                    const char          *from,
                                    const char * const  *recipients,
                                    GBytes              *message,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TurnoutSendResult *refused;
  Job *job;

  g_return_if_fail (TURNOUT_IS_SMTP_SENDER (self));
  g_return_if_fail (message != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_smtp_sender_send_raw_async);
  if ((refused = check_addresses (from, recipients)) != NULL)
    {
      g_task_return_pointer (task, refused, (GDestroyNotify) turnout_send_result_free);
      return;
    }
  job = job_new (task, from, recipients);
  job->message = g_bytes_ref (message);
  job->message_id = dup_message_id (message);
  pool_push (self->pool, job);
}

/**
 * turnout_smtp_sender_send_raw_finish:
 *
 * Returns: (transfer full): what became of the message; %NULL only with
 *   %G_IO_ERROR_CANCELLED
 */
TurnoutSendResult *
turnout_smtp_sender_send_raw_finish (TurnoutSmtpSender  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_smtp_sender_send_raw_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
turnout_smtp_sender_get_channel (TurnoutSender *sender)
{
  return "email";
}

static void
turnout_smtp_sender_send_async (TurnoutSender         *sender,
                                const TurnoutOutgoing *outgoing,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  TurnoutSmtpSender *self = TURNOUT_SMTP_SENDER (sender);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  const char *recipients[] = { outgoing->to, NULL };
  TurnoutSendResult *refused;
  Job *job;

  g_task_set_source_tag (task, turnout_smtp_sender_send_async);

  if (outgoing->to == NULL || *outgoing->to == '\0')
    {
      g_task_return_pointer (task, result_new (TURNOUT_SEND_PERMANENT, NULL,
                                               g_strdup (_("The contact has no email "
                                                           "address."))),
                             (GDestroyNotify) turnout_send_result_free);
      return;
    }
  if ((refused = check_addresses (self->from_address, recipients)) != NULL)
    {
      g_task_return_pointer (task, refused, (GDestroyNotify) turnout_send_result_free);
      return;
    }
  job = job_new (task, self->from_address, recipients);
  job->parts = (TurnoutEmailParts) {
    .from_name = g_strdup (self->from_name),
    .from_address = g_strdup (self->from_address),
    .to_name = g_strdup (outgoing->to_name),
    .to_address = g_strdup (outgoing->to),
    .subject = g_strdup (outgoing->subject),
    .preheader = g_strdup (outgoing->preheader),
    .html = g_strdup (outgoing->html),
    .text = g_strdup (outgoing->text),
    .unsubscribe_mailto = g_strdup (self->unsubscribe_mailto),
    .unsubscribe_url = g_strdup (self->unsubscribe_url),
    .postal_address = g_strdup (self->postal_address),
    /* The Date the message had when it was handed over. */
    .date = turnout_clock_get_unix (turnout_clock_get_default ()),
  };
  if (outgoing->mark != NULL)
    job->mark = turnout_send_mark_ref (outgoing->mark);
  pool_push (self->pool, job);
}

static TurnoutSendResult *
turnout_smtp_sender_send_finish (TurnoutSender  *sender,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, sender), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_smtp_sender_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* SMTP has no way to ask a server what it accepted: the answer is always
 * "can't tell", which keeps an unknown row unknown and never sends it
 * again (the dispatcher's rule for a find_sent error). */
static void
turnout_smtp_sender_find_sent_async (TurnoutSender       *sender,
                                     const char          *to,
                                     gint64               since,
                                     const char          *text,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (sender, cancellable, callback, user_data);

  g_task_set_source_tag (task, turnout_smtp_sender_find_sent_async);
  g_task_return_new_error (task, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_CANNOT_CHECK,
                           _("a mail server can’t be asked whether it accepted a message; "
                             "check with the recipient, then send it again or count it "
                             "as sent"));
}

static char *
turnout_smtp_sender_find_sent_finish (TurnoutSender  *sender,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, sender), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_smtp_sender_find_sent_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
turnout_smtp_sender_sender_init (TurnoutSenderInterface *iface)
{
  iface->get_channel = turnout_smtp_sender_get_channel;
  iface->send_async = turnout_smtp_sender_send_async;
  iface->send_finish = turnout_smtp_sender_send_finish;
  iface->find_sent_async = turnout_smtp_sender_find_sent_async;
  iface->find_sent_finish = turnout_smtp_sender_find_sent_finish;
}

/* ------------------------------------------------------------------------
 * Testing the connection
 */

static void
test_connection_worker (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  Config *config = task_data;
  TurnoutSmtpCheck *check = g_new0 (TurnoutSmtpCheck, 1);
  Failure failure = { 0, };
  Conn *conn;

  conn = conn_open (config, cancellable, &failure);
  if (conn == NULL)
    {
      if (failure.cancelled)
        {
          turnout_smtp_check_free (check);
          failure_clear (&failure);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The connection test was cancelled"));
          return;
        }
      check->failed_step = failure.step;
      check->message = g_steal_pointer (&failure.message);
      check->certificate_errors = failure.certificate_errors;
      check->certificate_fingerprint = g_steal_pointer (&failure.fingerprint);
      failure_clear (&failure);
      g_task_return_pointer (task, check, (GDestroyNotify) turnout_smtp_check_free);
      return;
    }

  check->failed_step = TURNOUT_SMTP_STEP_NONE;
  check->capabilities = g_strdupv (conn->capabilities);
  if (config->username != NULL)
    check->message = g_strdup_printf (_("Connected to %s, %s, and signed in as %s."),
                                      config->host,
                                      config->security == TURNOUT_SMTP_SECURITY_NONE
                                      ? _("without encryption") : _("encrypted"),
                                      config->username);
  else
    check->message = g_strdup_printf (_("Connected to %s, %s; no sign-in was needed."),
                                      config->host,
                                      config->security == TURNOUT_SMTP_SECURITY_NONE
                                      ? _("without encryption") : _("encrypted"));
  conn_quit (conn);
  conn_free (conn);
  g_task_return_pointer (task, check, (GDestroyNotify) turnout_smtp_check_free);
}

/**
 * turnout_smtp_sender_test_connection_async:
 *
 * Connects as a send would (DNS, connection, encryption, greeting,
 * sign-in), then says goodbye without sending anything. Runs on a worker
 * thread of its own, beside the sending connections.
 */
void
turnout_smtp_sender_test_connection_async (TurnoutSmtpSender   *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TURNOUT_IS_SMTP_SENDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_smtp_sender_test_connection_async);
  g_task_set_task_data (task, pool_dup_config (self->pool), (GDestroyNotify) config_unref);
  g_task_run_in_thread (task, test_connection_worker);
}

/**
 * turnout_smtp_sender_test_connection_finish:
 *
 * Returns: (transfer full): which step failed, in words, or that all
 *   worked; %NULL only with %G_IO_ERROR_CANCELLED
 */
TurnoutSmtpCheck *
turnout_smtp_sender_test_connection_finish (TurnoutSmtpSender  *self,
                                            GAsyncResult       *result,
                                            GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_smtp_sender_test_connection_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------
 * From the settings and the keyring
 */

typedef struct
{
  char                *host;
  guint                port;
  TurnoutSmtpSecurity  security;
  char                *username;
  char                *from_address;
  char                *from_name;
  guint                connections;
  char                *accepted_certificate;
  char                *postal_address;
  char                *unsubscribe_mailto;
  char                *unsubscribe_url;
} SettingsData;

static void
settings_data_free (SettingsData *data)
{
  g_free (data->host);
  g_free (data->username);
  g_free (data->from_address);
  g_free (data->from_name);
  g_free (data->accepted_certificate);
  g_free (data->postal_address);
  g_free (data->unsubscribe_mailto);
  g_free (data->unsubscribe_url);
  g_free (data);
}

static void
finish_from_settings (GTask      *task,
                      const char *password)
{
  SettingsData *data = g_task_get_task_data (task);
  g_autoptr(TurnoutSmtpSender) sender = NULL;
  GError *error = NULL;

  sender = turnout_smtp_sender_new (data->host, data->port, data->security, data->username,
                                    password, data->from_address, &error);
  if (sender == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  turnout_smtp_sender_set_from_name (sender, data->from_name);
  turnout_smtp_sender_set_connections (sender, data->connections);
  turnout_smtp_sender_set_compliance (sender, data->postal_address, data->unsubscribe_mailto,
                                      data->unsubscribe_url);
  if (!turnout_smtp_sender_set_accepted_certificate (sender, data->accepted_certificate, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&sender), g_object_unref);
}

static void
on_password_ready_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SettingsData *data = g_task_get_task_data (task);
  GError *error = NULL;
  char *password = turnout_credentials_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (password == NULL)
    {
      g_task_return_new_error (task, TURNOUT_SMTP_ERROR, TURNOUT_SMTP_ERROR_NO_PASSWORD,
                               _("No password is stored for %s on %s: enter it in "
                                 "Preferences, or set TURNOUT_SMTP_PASSWORD."),
                               data->username, data->host);
      return;
    }
  finish_from_settings (task, password);
  memset (password, 0, strlen (password));
  g_free (password);
}

/**
 * turnout_smtp_sender_new_from_settings_async:
 *
 * Makes a sender from the settings smtp.host, smtp.port, smtp.security,
 * smtp.username, smtp.from_name (or general.sender_name),
 * smtp.from_address, smtp.connections and smtp.accepted_certificate, and
 * email.postal_address, email.unsubscribe_mailto and email.unsubscribe_url
 * for what every message carries, with the password from the keyring
 * (under turnout_smtp_dup_password_account()).
 * `TURNOUT_SMTP_PASSWORD` overrides the keyring for headless use.
 */
void
turnout_smtp_sender_new_from_settings_async (TurnoutSettings     *settings,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *security = NULL;
  g_autofree char *account = NULL;
  SettingsData *data;
  GError *error = NULL;

  g_return_if_fail (TURNOUT_IS_SETTINGS (settings));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, turnout_smtp_sender_new_from_settings_async);
  data = g_new0 (SettingsData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) settings_data_free);

  data->host = turnout_settings_dup_string (settings, "smtp.host");
  data->port = (guint) CLAMP (turnout_settings_get_int (settings, "smtp.port"), 0, 65535);
  security = turnout_settings_dup_string (settings, "smtp.security");
  if (!turnout_smtp_security_from_string (security, &data->security))
    data->security = TURNOUT_SMTP_SECURITY_STARTTLS;
  data->username = turnout_settings_dup_string (settings, "smtp.username");
  if (data->username != NULL && *data->username == '\0')
    g_clear_pointer (&data->username, g_free);
  data->from_address = turnout_settings_dup_string (settings, "smtp.from_address");
  data->from_name = turnout_settings_dup_string (settings, "smtp.from_name");
  if (data->from_name == NULL || *data->from_name == '\0')
    {
      g_free (data->from_name);
      data->from_name = turnout_settings_dup_string (settings, "general.sender_name");
    }
  data->connections = (guint) MAX (1, turnout_settings_get_int (settings, "smtp.connections"));
  data->accepted_certificate = turnout_settings_dup_string (settings,
                                                            "smtp.accepted_certificate");
  data->postal_address = turnout_settings_dup_string (settings, "email.postal_address");
  data->unsubscribe_mailto = turnout_settings_dup_string (settings, "email.unsubscribe_mailto");
  data->unsubscribe_url = turnout_settings_dup_string (settings, "email.unsubscribe_url");

  /* Say what is wrong with the settings before asking the keyring. */
  if (!check_config (data->host, data->port, data->security, data->username,
                     data->from_address, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->username == NULL)
    {
      finish_from_settings (task, NULL);
      return;
    }
  account = turnout_smtp_dup_password_account (data->username, data->host);
  turnout_credentials_lookup_async (TURNOUT_SECRET_SMTP_PASSWORD, account, cancellable,
                                    on_password_ready_cb, g_steal_pointer (&task));
}

/**
 * turnout_smtp_sender_new_from_settings_finish:
 *
 * Returns: (transfer full): the sender, or %NULL with @error saying what
 *   to fix (%TURNOUT_SMTP_ERROR_INVALID_CONFIG,
 *   %TURNOUT_SMTP_ERROR_NO_PASSWORD, or a keyring error)
 */
TurnoutSmtpSender *
turnout_smtp_sender_new_from_settings_finish (GAsyncResult  *result,
                                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        turnout_smtp_sender_new_from_settings_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
