/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-sender.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_SMTP_DEFAULT_CONNECTIONS 2
#define TURNOUT_SMTP_DEFAULT_MESSAGES_PER_CONNECTION 100
#define TURNOUT_SMTP_DEFAULT_TIMEOUT 30
/* RFC 5321 4.5.3.2.6 lets a server take 10 minutes to answer the final ".". */
#define TURNOUT_SMTP_DEFAULT_DATA_TIMEOUT 600

#define TURNOUT_SMTP_ERROR (turnout_smtp_error_quark ())

/**
 * TurnoutSmtpError:
 * @TURNOUT_SMTP_ERROR_INVALID_CONFIG: the server, port, security, user or
 *   From address is missing or malformed, or the choices contradict each
 *   other (a password over an unencrypted link, no encryption to a server
 *   that is not on this computer)
 * @TURNOUT_SMTP_ERROR_NO_PASSWORD: a user name is set and no password is
 *   stored for it
 * @TURNOUT_SMTP_ERROR_CANNOT_CHECK: a mail server can't be asked whether it
 *   accepted a message (turnout_sender_find_sent_async())
 *
 * Errors of the calls other than sending (which reports a
 * #TurnoutSendResult instead) and the connection test (which reports a
 * #TurnoutSmtpCheck).
 */
typedef enum
{
  TURNOUT_SMTP_ERROR_INVALID_CONFIG,
  TURNOUT_SMTP_ERROR_NO_PASSWORD,
  TURNOUT_SMTP_ERROR_CANNOT_CHECK,
} TurnoutSmtpError;

/**
 * TurnoutSmtpSecurity:
 * @TURNOUT_SMTP_SECURITY_STARTTLS: plain connection upgraded with STARTTLS
 *   (port 587); a server that does not offer it is refused
 * @TURNOUT_SMTP_SECURITY_TLS: TLS from the first byte (port 465)
 * @TURNOUT_SMTP_SECURITY_NONE: no encryption: only to a relay on this
 *   computer (a loopback address), and never with a password
 */
typedef enum
{
  TURNOUT_SMTP_SECURITY_STARTTLS,
  TURNOUT_SMTP_SECURITY_TLS,
  TURNOUT_SMTP_SECURITY_NONE,
} TurnoutSmtpSecurity;

/**
 * TurnoutSmtpStep:
 * @TURNOUT_SMTP_STEP_NONE: nothing failed
 * @TURNOUT_SMTP_STEP_DNS: the server name could not be looked up
 * @TURNOUT_SMTP_STEP_CONNECT: no connection could be made (refused,
 *   unreachable, timed out), or the server is not on this computer while
 *   security is "none"
 * @TURNOUT_SMTP_STEP_GREETING: the server refused the session (its
 *   greeting or EHLO said no, or it did not speak SMTP)
 * @TURNOUT_SMTP_STEP_TLS: encryption could not be set up: STARTTLS not
 *   offered, the handshake failed, or the certificate was refused
 * @TURNOUT_SMTP_STEP_AUTH: signing in failed: wrong user name or password,
 *   or no sign-in method both sides know
 *
 * Where a connection to the mail server stopped.
 */
typedef enum
{
  TURNOUT_SMTP_STEP_NONE,
  TURNOUT_SMTP_STEP_DNS,
  TURNOUT_SMTP_STEP_CONNECT,
  TURNOUT_SMTP_STEP_GREETING,
  TURNOUT_SMTP_STEP_TLS,
  TURNOUT_SMTP_STEP_AUTH,
} TurnoutSmtpStep;

/**
 * TurnoutSmtpCheck:
 * @failed_step: the step that failed, or %TURNOUT_SMTP_STEP_NONE
 * @message: a sentence for Preferences saying what worked or which step
 *   failed and what to do
 * @certificate_errors: when the certificate was refused, what was wrong
 *   with it; 0 otherwise
 * @certificate_fingerprint: (nullable): when the certificate was refused,
 *   its SHA-256 fingerprint ("AB:CD:…"); storing it in the setting
 *   `smtp.accepted_certificate` accepts exactly this certificate
 * @capabilities: (nullable): the server's EHLO keywords after encryption
 *   and sign-in ("PIPELINING", "SIZE 35882577", …), when it got that far
 */
typedef struct
{
  TurnoutSmtpStep       failed_step;
  char                 *message;
  GTlsCertificateFlags  certificate_errors;
  char                 *certificate_fingerprint;
  char                **capabilities;
} TurnoutSmtpCheck;

void turnout_smtp_check_free (TurnoutSmtpCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutSmtpCheck, turnout_smtp_check_free)

#define TURNOUT_TYPE_SMTP_SENDER (turnout_smtp_sender_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutSmtpSender, turnout_smtp_sender, TURNOUT, SMTP_SENDER, GObject)

GQuark               turnout_smtp_error_quark                      (void);
gboolean             turnout_smtp_security_from_string             (const char             *name,
                                                                    TurnoutSmtpSecurity    *security);
char                *turnout_smtp_dup_password_account             (const char             *username,
                                                                    const char             *host);
char                *turnout_smtp_dup_certificate_fingerprint      (GTlsCertificate        *certificate);
char                *turnout_smtp_dup_certificate_problems         (GTlsCertificateFlags    errors,
                                                                    const char             *host);

TurnoutSmtpSender   *turnout_smtp_sender_new                       (const char             *host,
                                                                    guint                   port,
                                                                    TurnoutSmtpSecurity     security,
                                                                    const char             *username,
                                                                    const char             *password,
                                                                    const char             *from_address,
                                                                    GError                **error);
void                 turnout_smtp_sender_new_from_settings_async   (TurnoutSettings        *settings,
                                                                    GCancellable           *cancellable,
                                                                    GAsyncReadyCallback     callback,
                                                                    gpointer                user_data);
TurnoutSmtpSender   *turnout_smtp_sender_new_from_settings_finish  (GAsyncResult           *result,
                                                                    GError                **error);

const char          *turnout_smtp_sender_get_host                  (TurnoutSmtpSender      *self);
const char          *turnout_smtp_sender_get_from_address          (TurnoutSmtpSender      *self);
void                 turnout_smtp_sender_set_from_name             (TurnoutSmtpSender      *self,
                                                                    const char             *from_name);
void                 turnout_smtp_sender_set_connections           (TurnoutSmtpSender      *self,
                                                                    guint                   connections);
void                 turnout_smtp_sender_set_messages_per_connection (TurnoutSmtpSender    *self,
                                                                    guint                   count);
void                 turnout_smtp_sender_set_timeout               (TurnoutSmtpSender      *self,
                                                                    guint                   seconds);
gboolean             turnout_smtp_sender_set_accepted_certificate  (TurnoutSmtpSender      *self,
                                                                    const char             *fingerprint,
                                                                    GError                **error);
void                 turnout_smtp_sender_set_compliance            (TurnoutSmtpSender      *self,
                                                                    const char             *postal_address,
                                                                    const char             *unsubscribe_mailto,
                                                                    const char             *unsubscribe_url);

void                 turnout_smtp_sender_send_raw_async            (TurnoutSmtpSender      *self,
                                                                    const char             *from,
                                                                    const char * const     *recipients,
                                                                    GBytes                 *message,
                                                                    GCancellable           *cancellable,
                                                                    GAsyncReadyCallback     callback,
                                                                    gpointer                user_data);
TurnoutSendResult   *turnout_smtp_sender_send_raw_finish           (TurnoutSmtpSender      *self,
                                                                    GAsyncResult           *result,
                                                                    GError                **error);
void                 turnout_smtp_sender_test_connection_async     (TurnoutSmtpSender      *self,
                                                                    GCancellable           *cancellable,
                                                                    GAsyncReadyCallback     callback,
                                                                    gpointer                user_data);
TurnoutSmtpCheck    *turnout_smtp_sender_test_connection_finish    (TurnoutSmtpSender      *self,
                                                                    GAsyncResult           *result,
                                                                    GError                **error);

G_END_DECLS
