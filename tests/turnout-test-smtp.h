/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A real SMTP server for tests: tests/smtp-server.py on Debian's aiosmtpd,
 * on 127.0.0.1, with a certificate for 127.0.0.1 signed by an authority
 * made by the test (trust it with TURNOUT_TLS_CA_FILE=ca file). */

#define TURNOUT_TEST_SMTP_USER "alice"
#define TURNOUT_TEST_SMTP_PASSWORD "s3cret"

typedef struct
{
  GSubprocess *process;
  guint        port;
  char        *outdir;
} TurnoutTestSmtp;

const char      *turnout_test_smtp_get_ca_file        (void);
TurnoutTestSmtp *turnout_test_smtp_start              (const char       *tls,
                                                       ...) G_GNUC_NULL_TERMINATED;
void             turnout_test_smtp_stop               (TurnoutTestSmtp  *server);
guint            turnout_test_smtp_count_messages     (TurnoutTestSmtp  *server);
JsonObject      *turnout_test_smtp_dup_message        (TurnoutTestSmtp  *server,
                                                       guint             n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutTestSmtp, turnout_test_smtp_stop)

G_END_DECLS
