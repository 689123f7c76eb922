/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-cli"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "turnout-outbox.h"
#include "turnout-phone.h"
#include "turnout-poll.h"
#include "turnout-render.h"
#include "turnout-settings.h"
#include "turnout-smtp-sender.h"
#include "turnout-store.h"
#include "turnout-templates.h"
#include "turnout-twilio-sender.h"
#include "turnout-cli-private.h"

/*
 * turnout-cli send sms | send email | poll | smtp test: a one-off text or
 * email, one pass of delivery status and reply polling (for cron, or to see
 * at once what came back), and the mail server's connection test. Texts
 * use Twilio as the settings say, with TWILIO_* from the environment
 * overriding them for headless use; emails the mail server, with
 * TURNOUT_SMTP_PASSWORD overriding the keyring.
 */

typedef struct
{
  GAsyncResult *result;
  gboolean      done;
} Wait;

static void
on_done_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static GAsyncResult *
wait_for (Wait *wait)
{
  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
  wait->done = FALSE;
  return wait->result;
}

static TurnoutTwilioSender *
new_sender (TurnoutSettings  *settings,
            GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { NULL, FALSE };

  turnout_twilio_sender_new_from_settings_async (settings, NULL, on_done_cb, &wait);
  result = wait_for (&wait);
  return turnout_twilio_sender_new_from_settings_finish (result, error);
}

static const char *
outbox_error_name (const GError *error)
{
  if (error->domain != TURNOUT_OUTBOX_ERROR)
    return "failed";
  switch ((TurnoutOutboxError) error->code)
    {
    case TURNOUT_OUTBOX_ERROR_INVALID: return "invalid";
    case TURNOUT_OUTBOX_ERROR_NOT_FOUND: return "not-found";
    case TURNOUT_OUTBOX_ERROR_SUPPRESSED: return "suppressed";
    case TURNOUT_OUTBOX_ERROR_NO_CONSENT: return "no-consent";
    default: return "failed";
    }
}

/* Says why nothing was sent: on standard error, and with --json as
 * {"ok": false, "error": {"code", "message"}}, with the message's row
 * and state when one was written. */
static int
fail_send (CliOptions                *options,
           const char                *code,
           const char                *message,
           const TurnoutOutboxResult *sent)
{
  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, FALSE);
      if (sent != NULL)
        {
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, sent->message_id);
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, sent->state);
        }
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  g_printerr ("turnout-cli: %s\n", message);
  return EXIT_FAILED;
}

static int
send_sms (CliOptions          *options,
          const char          *to,
          const char          *text,
          const char * const  *media,
          gint64               contact_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutTwilioSender) sender = NULL;
  g_autoptr(TurnoutOutboxResult) sent = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *e164 = NULL;
  Wait wait = { NULL, FALSE };

  if ((store = turnout_cli_open_store (options, &error)) == NULL
      || (settings = turnout_settings_new (store, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (to != NULL)
    {
      g_autofree char *region = turnout_settings_dup_string (settings, "contacts.default_region");

      if ((e164 = turnout_phone_normalize (to, region, &error)) == NULL)
        return turnout_cli_usage_error (options, "--to: %s", error->message);
    }
  if ((sender = new_sender (settings, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  turnout_outbox_send_async (store, TURNOUT_SENDER (sender), contact_id, e164, text, media, NULL,
                             on_done_cb, &wait);
  result = wait_for (&wait);
  if ((sent = turnout_outbox_send_finish (store, result, &error)) == NULL)
    return fail_send (options, outbox_error_name (error), error->message, NULL);
  if (!g_str_equal (sent->state, "sent"))
    return fail_send (options, sent->error_code != NULL ? sent->error_code : sent->state,
                      sent->message != NULL ? sent->message : sent->state, sent);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sent->message_id);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, sent->state);
      json_builder_set_member_name (builder, "provider_id");
      json_builder_add_string_value (builder, sent->provider_id);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else
    g_print ("%s\n", sent->provider_id);
  return EXIT_OK;
}

static TurnoutSmtpSender *
new_smtp_sender (TurnoutSettings  *settings,
                 GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { NULL, FALSE };

  turnout_smtp_sender_new_from_settings_async (settings, NULL, on_done_cb, &wait);
  result = wait_for (&wait);
  return turnout_smtp_sender_new_from_settings_finish (result, error);
}

/* Renders the email template for the contact (or for nobody: merge fields
 * take their fallbacks) and sends it once through the mail server. */
static int
send_email (CliOptions *options,
            const char *to,
            const char *template_name,
            gint64      contact_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutSmtpSender) sender = NULL;
  g_autoptr(TurnoutTemplate) template = NULL;
  g_autoptr(TurnoutTemplateRenderer) renderer = NULL;
  g_autoptr(TurnoutRecipient) recipient = NULL;
  g_autoptr(TurnoutRendered) rendered = NULL;
  g_autoptr(TurnoutOutboxResult) sent = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *sender_name = NULL;
  g_autofree char *url = NULL;
  g_autofree char *mailto = NULL;
  g_autofree char *unsubscribe = NULL;
  g_autofree char *to_name = NULL;
  TurnoutMergeValues values = { 0 };
  TurnoutOutgoing email = { 0 };
  Wait wait = { NULL, FALSE };

  if ((store = turnout_cli_open_store (options, &error)) == NULL
      || (settings = turnout_settings_new (store, &error)) == NULL
      || (template = turnout_templates_get (store, template_name, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (!turnout_template_is_email (template))
    return turnout_cli_usage_error (options, _("--template: “%s” is an SMS template; give an "
                                               "email template"), template_name);
  if ((renderer = turnout_template_renderer_new (template, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  if (contact_id > 0)
    {
      turnout_recipient_load_async (store, contact_id, 0, NULL, on_done_cb, &wait);
      result = wait_for (&wait);
      if ((recipient = turnout_recipient_load_finish (store, result, &error)) == NULL)
        {
          if (error == NULL)
            g_set_error (&error, TURNOUT_OUTBOX_ERROR, TURNOUT_OUTBOX_ERROR_NOT_FOUND,
                         _("There is no contact %" PRId64), contact_id);
          return fail_send (options, outbox_error_name (error), error->message, NULL);
        }
      g_clear_object (&result);
      turnout_recipient_get_values (recipient, &values);
    }
  if ((sender = new_smtp_sender (settings, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  sender_name = turnout_settings_dup_string (settings, "general.sender_name");
  url = turnout_settings_dup_string (settings, "email.unsubscribe_url");
  mailto = turnout_settings_dup_string (settings, "email.unsubscribe_mailto");
  unsubscribe = turnout_email_unsubscribe_text (url, mailto);
  values.sender_name = sender_name;
  values.unsubscribe = unsubscribe;
  rendered = turnout_template_renderer_render (renderer, &values);
  email.subject = rendered->subject;
  email.text = rendered->text;
  email.html = rendered->html;
  email.preheader = rendered->preheader;

  turnout_outbox_send_email_async (store, TURNOUT_SENDER (sender), contact_id, to, &email, NULL,
                                   on_done_cb, &wait);
  result = wait_for (&wait);
  if ((sent = turnout_outbox_send_finish (store, result, &error)) == NULL)
    return fail_send (options, outbox_error_name (error), error->message, NULL);
  if (!g_str_equal (sent->state, "sent"))
    return fail_send (options, sent->error_code != NULL ? sent->error_code : sent->state,
                      sent->message != NULL ? sent->message : sent->state, sent);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sent->message_id);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, sent->state);
      json_builder_set_member_name (builder, "provider_id");
      json_builder_add_string_value (builder, sent->provider_id);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else
    g_print ("%s\n", sent->provider_id != NULL ? sent->provider_id : sent->state);
  return EXIT_OK;
}

int
turnout_cli_send_command (CliOptions  *options,
                          int          argc,
                          char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("sms | email");
  g_auto(GStrv) args = g_strdupv (argv);
  g_auto(GStrv) media = NULL;
  g_autofree char *to = NULL;
  g_autofree char *text = NULL;
  g_autofree char *template_name = NULL;
  gint64 contact_id = 0;
  const GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING, &to,
      N_("The phone number or email address; a number without a country code takes the "
         "contacts.default_region setting (may be left out with --contact)"),
      N_("NUMBER|ADDRESS") },
    { "template", 0, 0, G_OPTION_ARG_FILENAME, &template_name,
      N_("email: the email template, merged for the contact"), N_("NAME") },
    { "text", 0, 0, G_OPTION_ARG_STRING, &text, N_("The text, sent as it is"), N_("TEXT") },
    { "media", 0, 0, G_OPTION_ARG_STRING_ARRAY, &media,
      N_("A public https:// address of a picture to send with it (MMS); may be repeated"),
      N_("URL") },
    { "contact", 0, 0, G_OPTION_ARG_INT64, &contact_id,
      N_("The contact it is for: their consent is checked and the text is logged with them"),
      N_("ID") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Sends one text or email now, once. It is refused "
                                           "when the address is suppressed, or when the "
                                           "contact opted out or never opted in."));
  if (!g_option_context_parse_strv (context, &args, &error))
    return turnout_cli_fail (options, error, EXIT_USAGE);
  if (g_strv_length (args) == 2 && g_str_equal (args[1], "email"))
    {
      if (template_name == NULL || text != NULL || media != NULL
          || (to == NULL && contact_id <= 0) || contact_id < 0)
        return turnout_cli_usage_error (options, _("usage: turnout-cli send email --to ADDRESS "
                                                   "--template NAME [--contact ID]"));
      if ((to != NULL && !g_utf8_validate (to, -1, NULL))
          || !g_utf8_validate (template_name, -1, NULL))
        return turnout_cli_usage_error (options, _("--to and --template must be UTF-8 text"));
      return send_email (options, to, template_name, contact_id);
    }
  if (g_strv_length (args) != 2 || !g_str_equal (args[1], "sms") || text == NULL
      || (to == NULL && contact_id <= 0) || contact_id < 0)
    return turnout_cli_usage_error (options, _("usage: turnout-cli send sms --to NUMBER --text "
                                               "TEXT [--media URL]… [--contact ID] | send email "
                                               "--to ADDRESS --template NAME [--contact ID]"));
  if (!g_utf8_validate (text, -1, NULL))
    return turnout_cli_usage_error (options, _("--text is not UTF-8 text"));
  return send_sms (options, to, text, (const char * const *) media, contact_id);
}

static void
print_summary (const TurnoutPollSummary *summary)
{
  if (summary->reconciled > 0)
    g_print (_("One-off texts settled: %u\n"), summary->reconciled);
  g_print (_("Messages checked: %u\n"), summary->checked);
  g_print (_("  delivered: %u\n"), summary->delivered);
  g_print (_("  undelivered: %u\n"), summary->undelivered);
  g_print (_("  failed: %u\n"), summary->failed);
  g_print (_("New replies: %u\n"), summary->replies);
  g_print (_("  opt-outs: %u\n"), summary->opt_outs);
  g_print (_("  opt-ins: %u\n"), summary->opt_ins);
  g_print (_("  asking for help: %u\n"), summary->help);
}

int
turnout_cli_poll_command (CliOptions  *options,
                          int          argc,
                          char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutTwilioSender) sender = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  TurnoutPollSummary summary = { 0 };
  Wait wait = { NULL, FALSE };
  gboolean ok;

  if (argc > 1)
    return turnout_cli_usage_error (options, _("“poll” takes no arguments"));
  if ((store = turnout_cli_open_store (options, &error)) == NULL
      || (settings = turnout_settings_new (store, &error)) == NULL
      || (sender = new_sender (settings, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  turnout_poll_run_async (store, sender, NULL, on_done_cb, &wait);
  result = wait_for (&wait);
  ok = turnout_poll_run_finish (store, result, &summary, &error);
  if (options->json && ok)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      const struct
      {
        const char *name;
        guint       value;
      } members[] = {
        { "reconciled", summary.reconciled },
        { "checked", summary.checked },
        { "delivered", summary.delivered },
        { "undelivered", summary.undelivered },
        { "failed", summary.failed },
        { "replies", summary.replies },
        { "opt_outs", summary.opt_outs },
        { "opt_ins", summary.opt_ins },
        { "help", summary.help },
      };

      json_builder_begin_object (builder);
      for (guint i = 0; i < G_N_ELEMENTS (members); i++)
        {
          json_builder_set_member_name (builder, members[i].name);
          json_builder_add_int_value (builder, members[i].value);
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else if (!options->json)
    print_summary (&summary);
  if (!ok)
    return turnout_cli_fail (options, error, EXIT_FAILED);
  return EXIT_OK;
}

static const char *
step_name (TurnoutSmtpStep step)
{
  switch (step)
    {
    case TURNOUT_SMTP_STEP_NONE: return "none";
    case TURNOUT_SMTP_STEP_DNS: return "dns";
    case TURNOUT_SMTP_STEP_CONNECT: return "connect";
    case TURNOUT_SMTP_STEP_GREETING: return "greeting";
    case TURNOUT_SMTP_STEP_TLS: return "tls";
    case TURNOUT_SMTP_STEP_AUTH: return "auth";
    default: return "unknown";
    }
}

/* TRANSLATORS: the step of the connection test that failed. */
static const char *
step_words (TurnoutSmtpStep step)
{
  switch (step)
    {
    case TURNOUT_SMTP_STEP_DNS: return _("looking up the server’s name");
    case TURNOUT_SMTP_STEP_CONNECT: return _("connecting to the server");
    case TURNOUT_SMTP_STEP_GREETING: return _("the server’s greeting");
    case TURNOUT_SMTP_STEP_TLS: return _("encryption (TLS)");
    case TURNOUT_SMTP_STEP_AUTH: return _("signing in (user name and password)");
    case TURNOUT_SMTP_STEP_NONE:
    default: return "";
    }
}

/**
 * turnout_cli_smtp_command:
 *
 * `smtp test`: connects to the mail server as the settings say, encrypts,
 * signs in, and says which step failed in plain words (exit 1), or that
 * all worked (exit 0).
 */
int
turnout_cli_smtp_command (CliOptions  *options,
                          int          argc,
                          char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TurnoutStore) store = NULL;
  g_autoptr(TurnoutSettings) settings = NULL;
  g_autoptr(TurnoutSmtpSender) sender = NULL;
  g_autoptr(TurnoutSmtpCheck) check = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { NULL, FALSE };

  if (argc != 2 || !g_str_equal (argv[1], "test"))
    return turnout_cli_usage_error (options, _("usage: turnout-cli smtp test"));
  if ((store = turnout_cli_open_store (options, &error)) == NULL
      || (settings = turnout_settings_new (store, &error)) == NULL
      || (sender = new_smtp_sender (settings, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  turnout_smtp_sender_test_connection_async (sender, NULL, on_done_cb, &wait);
  result = wait_for (&wait);
  if ((check = turnout_smtp_sender_test_connection_finish (sender, result, &error)) == NULL)
    return turnout_cli_fail (options, error, EXIT_FAILED);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, check->failed_step == TURNOUT_SMTP_STEP_NONE);
      json_builder_set_member_name (builder, "failed_step");
      if (check->failed_step == TURNOUT_SMTP_STEP_NONE)
        json_builder_add_null_value (builder);
      else
        json_builder_add_string_value (builder, step_name (check->failed_step));
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, check->message);
      if (check->certificate_fingerprint != NULL)
        {
          json_builder_set_member_name (builder, "certificate_fingerprint");
          json_builder_add_string_value (builder, check->certificate_fingerprint);
        }
      json_builder_set_member_name (builder, "capabilities");
      json_builder_begin_array (builder);
      for (guint i = 0; check->capabilities != NULL && check->capabilities[i] != NULL; i++)
        json_builder_add_string_value (builder, check->capabilities[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      turnout_cli_print_json (root);
    }
  else if (check->failed_step == TURNOUT_SMTP_STEP_NONE)
    g_print ("%s\n", check->message);
  if (check->failed_step != TURNOUT_SMTP_STEP_NONE)
    {
      /* TRANSLATORS: first %s is a step ("signing in (user name and
       * password)"), the second what went wrong there. */
      g_printerr (_("turnout-cli: the connection test failed at %s: %s\n"),
                  step_words (check->failed_step), check->message);
      return EXIT_FAILED;
    }
  return EXIT_OK;
}
