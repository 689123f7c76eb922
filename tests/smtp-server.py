#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real SMTP server for tests/test-smtp-sender.c, on Debian's aiosmtpd.

Run it with /usr/bin/python3 (the python3 first on PATH may lack aiosmtpd).
It listens on 127.0.0.1 on a free port, prints "PORT <n>" on stdout and runs
until SIGTERM or until its stdin closes (so it dies with the test).

What it keeps, in --outdir:
  N.eml       each accepted message as received (dot-stuffing undone)
  N.json      its envelope and, parsed with Python's email package, its
              decoded headers and text parts
  log.jsonl   one line per event: "connect", "close", "chunk" (each block of
              bytes the client wrote, so a test sees what came in one write),
              "command", "auth"

Fault switches are recipients (or senders) whose local part names them:
  fail-RCPT-550-5.1.1@…   RCPT gets "550 5.1.1 …"
  fail-DATA-451-4.7.1@…   the final "." gets "451 4.7.1 …"
  fail-MAIL-550-5.7.1@…   (as the sender) MAIL gets "550 5.7.1 …"
  fail-RCPT-421-4.4.2@…   a 421 reply also closes the connection
  drop-after-dot@…        the message is stored, then the connection is
                          closed without an answer to the final "."

A rule's local part may go on with "-once" (the rule answers the first
time the address is seen, then the address is accepted like any other:
a fault a retry gets past) and with "+anything", so that many recipients
can share a rule: fail-RCPT-450-4.2.1-once+17@…, drop-after-dot+3@….

--close-every N answers every Nth MAIL with "421 4.3.2" and closes the
connection, whoever the message is for: a server shedding load now and then.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import re
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

FAULT = re.compile(r'^fail-(MAIL|RCPT|DATA)-([245]\d\d)-(\d\.\d{1,3}\.\d{1,3})(-once)?(\+[^@]*)?@',
                   re.I)
DROP = re.compile(r'^drop-after-dot(\+[^@]*)?@', re.I)


class Recorder:
    def __init__(self, outdir):
        self.outdir = outdir
        self.messages = 0
        self.connections = 0
        self.active = 0
        # Across connections (each has a Handler of its own): the MAIL
        # commands seen, and the "-once" rules that have answered.
        self.mails = 0
        self.faulted = set()
        self.log = open(os.path.join(outdir, 'log.jsonl'), 'a', buffering=1)

    def event(self, **fields):
        self.log.write(json.dumps(fields) + '\n')

    def store(self, conn, envelope):
        self.messages += 1
        base = os.path.join(self.outdir, str(self.messages))
        content = envelope.original_content
        with open(base + '.eml.tmp', 'wb') as f:
            f.write(content)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        parts = {}
        for part in parsed.walk():
            if part.get_content_maintype() == 'text':
                parts[part.get_content_type()] = part.get_content()
        summary = {
            'connection': conn,
            'mail_from': envelope.mail_from,
            'mail_options': envelope.mail_options,
            'rcpt_tos': envelope.rcpt_tos,
            'headers': {k: str(v) for k, v in parsed.items()},
            'defects': [str(d) for d in parsed.defects],
            'parts': parts,
            'size': len(content),
        }
        with open(base + '.json.tmp', 'w') as f:
            json.dump(summary, f)
        # The test waits for N.json: it appears only when both are whole.
        os.rename(base + '.eml.tmp', base + '.eml')
        os.rename(base + '.json.tmp', base + '.json')


class Handler:
    def __init__(self, recorder, pipelining, delay=0.0, close_every=0, blank_capability=False):
        self.recorder = recorder
        self.pipelining = pipelining
        self.blank_capability = blank_capability
        self.delay = delay
        self.close_every = close_every

    def fault(self, address, command):
        match = FAULT.match(address or '')
        if not match or match.group(1).upper() != command:
            return None
        if match.group(4):
            key = (address.lower(), command)
            if key in self.recorder.faulted:
                return None
            self.recorder.faulted.add(key)
        return f'{match.group(2)} {match.group(3)} Rule for {address}'

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, '250-PIPELINING')
        responses.insert(1, '250-ENHANCEDSTATUSCODES')
        if self.blank_capability:
            # As postfix's smtp-sink does: the list ends with an empty line.
            responses[-1] = '250-' + responses[-1][4:]
            responses.append('250 ')
        return responses

    async def handle_MAIL(self, server, session, envelope, address, options):
        self.recorder.mails += 1
        if self.close_every > 0 and self.recorder.mails % self.close_every == 0:
            reply = '421 4.3.2 Shedding load, try again later'
            server.close_after(reply)
            return reply
        reply = self.fault(address, 'MAIL')
        if reply:
            server.close_after(reply)
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return '250 2.1.0 OK'

    async def handle_RCPT(self, server, session, envelope, address, options):
        reply = self.fault(address, 'RCPT')
        if reply:
            server.close_after(reply)
            return reply
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 OK'

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            reply = self.fault(rcpt, 'DATA')
            if reply:
                server.close_after(reply)
                return reply
        if self.delay > 0:
            # A slow server, so a test can kill the client mid-send.
            await asyncio.sleep(self.delay)
        self.recorder.store(server.conn_id, envelope)
        if any(DROP.match(r) for r in envelope.rcpt_tos):
            server.drop_reply = True
        return f'250 2.0.0 Queued as {self.recorder.messages}'


class TestSMTP(SMTP):
    recorder = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recorder.connections += 1
        self.conn_id = self.recorder.connections
        self.closing_reply = None
        self.drop_reply = False

    def close_after(self, reply):
        if reply.startswith('421'):
            self.closing_reply = reply

    def connection_made(self, transport):
        first = self.transport is None
        super().connection_made(transport)
        if first:
            self.recorder.active += 1
            self.recorder.event(event='connect', connection=self.conn_id,
                                active=self.recorder.active)

    def connection_lost(self, error):
        self.recorder.active -= 1
        self.recorder.event(event='close', connection=self.conn_id)
        super().connection_lost(error)

    def data_received(self, data):
        text = data.decode('utf-8', errors='replace')
        self.recorder.event(event='chunk', connection=self.conn_id,
                            tls=self._tls_protocol is not None, data=text)
        super().data_received(data)

    async def push(self, status):
        if self.drop_reply:
            self.transport.close()
            return
        await super().push(status)
        if self.closing_reply is not None and status == self.closing_reply:
            self.transport.close()

    async def smtp_AUTH(self, arg):
        self.recorder.event(event='auth', connection=self.conn_id,
                            tls=self._tls_protocol is not None or self.implicit_tls,
                            mechanism=(arg or '').split(' ')[0].upper())
        await super().smtp_AUTH(arg)


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        if (isinstance(auth_data, LoginPassword)
                and auth_data.login == user.encode()
                and auth_data.password == password.encode()):
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
    return authenticate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--outdir', required=True)
    parser.add_argument('--tls', choices=['starttls', 'implicit', 'none'], default='starttls')
    parser.add_argument('--cert')
    parser.add_argument('--key')
    parser.add_argument('--user', default='alice')
    parser.add_argument('--password', default='s3cret')
    parser.add_argument('--auth-mechanisms', default='PLAIN LOGIN')
    parser.add_argument('--auth-in-clear', action='store_true',
                        help='offer AUTH before encryption (a badly set up server)')
    parser.add_argument('--pipelining', action='store_true')
    parser.add_argument('--blank-capability', action='store_true',
                        help='end the EHLO reply with an empty "250 " line, as smtp-sink does')
    parser.add_argument('--size', type=int, default=33554432)
    parser.add_argument('--delay', type=float, default=0.0,
                        help='seconds to wait before answering the final "."')
    parser.add_argument('--close-every', type=int, default=0,
                        help='answer every Nth MAIL with 421 and close the connection')
    args = parser.parse_args()

    os.makedirs(args.outdir, exist_ok=True)
    recorder = Recorder(args.outdir)
    TestSMTP.recorder = recorder

    context = None
    if args.tls != 'none':
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    excluded = [m for m in ('PLAIN', 'LOGIN')
                if m not in args.auth_mechanisms.upper().split()]

    def factory():
        server = TestSMTP(Handler(recorder, args.pipelining, args.delay, args.close_every,
                                  args.blank_capability),
                          hostname='smtp.test',
                          data_size_limit=args.size,
                          enable_SMTPUTF8=True,
                          tls_context=context if args.tls == 'starttls' else None,
                          require_starttls=args.tls == 'starttls',
                          # aiosmtpd can't see implicit TLS: the link is encrypted
                          # from the first byte, so AUTH may be offered at once.
                          auth_require_tls=not args.auth_in_clear and args.tls != 'implicit',
                          auth_exclude_mechanism=excluded,
                          authenticator=make_authenticator(args.user, args.password))
        server.implicit_tls = args.tls == 'implicit'
        return server

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(factory, host='127.0.0.1', port=0,
                           ssl=context if args.tls == 'implicit' else None))
    port = server.sockets[0].getsockname()[1]
    print(f'PORT {port}', flush=True)

    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    loop.add_signal_handler(signal.SIGINT, lambda: stop.done() or stop.set_result(None))
    # The test's pipe to our stdin closes when the test dies.
    loop.add_reader(sys.stdin.fileno(),
                    lambda: (sys.stdin.buffer.read1(4096) == b'' and not stop.done()
                             and stop.set_result(None)))
    loop.run_until_complete(stop)
    server.close()
    loop.run_until_complete(server.wait_closed())
    try:
        print(f'stopped; messages received: {recorder.messages}', flush=True)
    except BrokenPipeError:
        pass  # the test stopped reading after the port


if __name__ == '__main__':
    main()
