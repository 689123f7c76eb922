#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/smtp: an email campaign sent through Turnout's real path — launched
(recipients snapshot into the queue), then TurnoutDispatcher handing each
message to TurnoutSmtpSender, unencrypted local-relay mode
(smtp.security=none) to 127.0.0.1 over smtp.connections sessions — to
postfix's smtp-sink, against postfix's smtp-source sending the same number
of messages of the same size over the same number of sessions to an
smtp-sink of its own, in the same run.

Each side is timed as a process, start to exit (Turnout opens the store,
makes the sender, launches the campaign and sends; smtp-source connects
and sends), median of several alternating rounds; the ratio is
smtp-source's time over Turnout's, so 1.0 is as fast as smtp-source (goal:
at least 0.5). The ratio of the sending alone (the dispatcher's run, launch
excluded) is printed after it.

smtp-source is given the fairest setting for it: -d, one connection a
session for all its messages (Turnout starts a new one every 100), and
pipelining as smtp-sink offers it to both. Its messages are as long as
Turnout's, measured first by sending one Turnout message to an smtp-sink
that keeps it.

Usage: bench/smtp.py BUILD_DIR

Environment (optional):
  TURNOUT_BENCH_SMTP_MESSAGES     messages a side sends (default 10000)
  TURNOUT_BENCH_SMTP_CONNECTIONS  sessions of both sides (default 4; the
                                  smtp.connections setting, 1 to 16)
  TURNOUT_BENCH_SMTP_RUNS         rounds, median taken (default 3)

Only the smtp-sink and smtp-source binaries of Debian's postfix package are
used (./dev bench installs it without starting or configuring its daemon).
Nothing leaves the machine: smtp-sink listens on 127.0.0.1 only, every
address given to Turnout and smtp-source is 127.0.0.1 (Turnout refuses
security "none" to anything else), and proxies are switched off (the
*_proxy variables removed, GIO's dummy proxy resolver).
"""

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SMTP_SINK = "/usr/sbin/smtp-sink"
SMTP_SOURCE = "/usr/sbin/smtp-source"
FROM = "promoter@example.test"
SUBJECT = "Hi {first_name|there}, doors open at ten"
TEXT = """Hello {first_name|there},

Doors open at ten at {event_venue|the usual place}. Bring a friend: the
first hundred through the door get in free, everyone else pays at the door.

See you tonight!
"""
HTML = """<p>Hello {first_name|there},</p>
<p>Doors open at <b>ten</b> at {event_venue|the usual place}. Bring a friend: the
first hundred through the door get in free, everyone else pays at the door.</p>
<p>See you tonight!</p>
"""
SPEED_GOAL = 0.5


def die(message):
    sys.exit(f"bench: {message}")


def loopback_env():
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith("TURNOUT_SMTP")
           and k != "TURNOUT_TLS_CA_FILE"}
    env.update({"no_proxy": "*", "NO_PROXY": "*", "GIO_USE_PROXY_RESOLVER": "dummy"})
    return env


def run(argv, **kwargs):
    proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        die(f"{' '.join(argv[:4])} … failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def make_db(cli, tmp, path, recipients, port, connections):
    """The port is set again before each send, to that of its smtp-sink."""
    run([cli, "--db", path, "doctor"])
    run(["sqlite3", "-bail", path], input=f"""
BEGIN;
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {recipients})
INSERT INTO contacts (first_name, last_name, email, city, email_consent, email_consent_at,
                      email_consent_source, created_at, updated_at)
SELECT CASE WHEN i % 10 = 0 THEN '' ELSE 'Fan' || i END, 'Contact' || i,
       'fan' || i || '@example.test', 'Oakland', 'opted_in', 1700000000, 'import',
       1700000000, 1700000000
FROM n;
COMMIT;
""")
    for key, value in (("smtp.host", "127.0.0.1"), ("smtp.port", str(port)),
                       ("smtp.security", "none"), ("smtp.from_address", FROM),
                       ("smtp.from_name", "Warehouse Nights"),
                       ("smtp.connections", str(connections)),
                       ("email.postal_address", "Warehouse Nights, 1 Dock Road, Oakland CA"),
                       ("email.unsubscribe_mailto", "unsubscribe@example.test"),
                       ("email.unsubscribe_url", "https://example.test/unsubscribe")):
        run([cli, "--db", path, "config", "set", key, value])
    text = os.path.join(tmp, "bench.txt")
    html = os.path.join(tmp, "bench.html")
    with open(text, "w", encoding="utf-8") as f:
        f.write(TEXT)
    with open(html, "w", encoding="utf-8") as f:
        f.write(HTML)
    run([cli, "--db", path, "template", "create", "--name", "Bench", "--channel", "email",
         "--subject", SUBJECT, "--text", text, "--html", html])
    campaign = json.loads(run([cli, "--json", "--db", path, "campaign", "create", "--name",
                               "Bench", "--channel", "email", "--segment", "all", "--template",
                               "Bench"]))["id"]
    # Everything in the file itself, so a plain copy is whole.
    run(["sqlite3", path, "PRAGMA wal_checkpoint(TRUNCATE);"])
    return campaign


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """smtp-sink on 127.0.0.1, counting what it accepts (-c)."""

    def __init__(self, tmp, dump=None):
        self.out_path = os.path.join(tmp, "sink.out")
        argv = [SMTP_SINK, "-c"]
        if dump is not None:
            argv += ["-D", dump]
        if os.geteuid() == 0:
            # It insists on dropping root once its socket is open.
            argv += ["-u", "nobody"]
        for _ in range(20):
            self.port = free_port()
            self.out = open(self.out_path, "w+b")
            self.proc = subprocess.Popen(argv + [f"127.0.0.1:{self.port}", "256"],
                                         stdout=self.out, stderr=subprocess.PIPE)
            if self.wait_listening():
                return
            self.stop()
        die("smtp-sink did not start")

    def wait_listening(self):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                # A connection that says nothing: the sink counts no message.
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.02)
        return False

    def received(self):
        """The messages accepted so far: the sink's last "mesg=N"."""
        self.out.flush()
        with open(self.out_path, "rb") as f:
            found = re.findall(rb"mesg=(\d+)", f.read())
        return int(found[-1]) if found else 0

    def wait_received(self, expected):
        # It prints its counts when a session ends; give it a moment.
        deadline = time.monotonic() + 5
        while self.received() < expected and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


def timed(argv, env):
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        die(f"{os.path.basename(argv[0])} failed ({proc.returncode}): "
            f"{(proc.stderr or proc.stdout).strip()[-2000:]}")
    return elapsed, proc.stdout


def parse_report(text):
    report = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        report[key] = value
    return report


def with_port(cli, db, port):
    run([cli, "--db", db, "config", "set", "smtp.port", str(port)])


def send_with_turnout(cli, runner, tmp, db, campaign, env, expected):
    sink = Sink(tmp)
    try:
        with_port(cli, db, sink.port)
        elapsed, out = timed([runner, "--db", db, "--campaign", str(campaign), "--email"], env)
        report = parse_report(out)
        got = sink.wait_received(expected)
    finally:
        sink.stop()
    if int(report["sent"]) != expected or got != expected:
        die(f"Turnout sent {report['sent']} and smtp-sink accepted {got}, not {expected}")
    return elapsed, report


def send_with_source(tmp, sessions, messages, length, env):
    sink = Sink(tmp)
    try:
        elapsed, _ = timed([SMTP_SOURCE, "-d", "-s", str(sessions), "-m", str(messages),
                            "-l", str(length), "-N", "-M", "bench.example.test",
                            "-f", FROM, "-t", "fan@example.test",
                            f"127.0.0.1:{sink.port}"], env)
        got = sink.wait_received(messages)
    finally:
        sink.stop()
    if got != messages:
        die(f"smtp-source got {got} messages accepted, not {messages}")
    return elapsed


def measure_message(cli, runner, tmp, connections, env):
    """The size of one of Turnout's messages (headers and body as sent),
    from an smtp-sink that keeps it."""
    db = os.path.join(tmp, "probe.db")
    campaign = make_db(cli, tmp, db, 1, 25, connections)
    # smtp-sink run by root writes as nobody, to a name of its own making
    # (the template and a random number): a folder it may write in.
    probe = tempfile.mkdtemp(prefix="turnout-bench-probe-")
    os.chmod(probe, 0o1777)
    sink = Sink(tmp, dump=os.path.join(probe, "probe-"))
    try:
        with_port(cli, db, sink.port)
        timed([runner, "--db", db, "--campaign", str(campaign), "--email"], env)
        sink.wait_received(1)
    finally:
        sink.stop()
    dumps = os.listdir(probe)
    if len(dumps) != 1:
        die(f"smtp-sink kept {len(dumps)} messages, not 1")
    with open(os.path.join(probe, dumps[0]), "rb") as f:
        data = f.read()
    shutil.rmtree(probe)
    # The dump starts with the sink's envelope lines (X-Client-Addr: …
    # X-Rcpt-Args:) and its Received: header; the message is what follows,
    # its lines ending in LF here and CRLF on the wire.
    lines = data.split(b"\n")
    start = next((i for i, line in enumerate(lines) if line.startswith(b"Received:")), None)
    if start is None:
        die("smtp-sink's copy of the message has no Received: header")
    start += 1
    while start < len(lines) and lines[start][:1] in (b" ", b"\t"):
        start += 1
    message = lines[start:]
    return sum(len(line) + 2 for line in message)


def main():
    if len(sys.argv) != 2:
        die("usage: bench/smtp.py BUILD_DIR")
    build = os.path.abspath(sys.argv[1])
    cli = os.path.join(build, "src", "cli", "turnout-cli")
    runner = os.path.join(build, "bench", "turnout-bench-dispatch")
    for binary in (cli, runner):
        if not os.access(binary, os.X_OK):
            die(f"{binary} is missing: build first (ninja -C {sys.argv[1]})")
    for binary in (SMTP_SINK, SMTP_SOURCE):
        if not os.access(binary, os.X_OK):
            die(f"{binary} is missing (apt-get install postfix; ./dev bench does it without "
                "starting its daemon)")
    if shutil.which("sqlite3") is None:
        die("sqlite3 is needed (apt-get install sqlite3)")
    messages = int(os.environ.get("TURNOUT_BENCH_SMTP_MESSAGES", 10_000))
    connections = int(os.environ.get("TURNOUT_BENCH_SMTP_CONNECTIONS", 4))
    rounds = int(os.environ.get("TURNOUT_BENCH_SMTP_RUNS", 3))
    if not 1 <= connections <= 16:
        die("TURNOUT_BENCH_SMTP_CONNECTIONS must be 1 to 16 (the smtp.connections setting)")
    env = loopback_env()

    with tempfile.TemporaryDirectory(prefix="turnout-bench-") as tmp:
        length = measure_message(cli, runner, tmp, connections, env)
        base = os.path.join(tmp, "smtp.db")
        campaign = make_db(cli, tmp, base, messages, 25, connections)
        turnout_times, source_times, launches, sends = [], [], [], []
        for i in range(rounds):
            # A fresh copy each round: a campaign is sent only once.
            db = os.path.join(tmp, f"round-{i}.db")
            shutil.copyfile(base, db)
            elapsed, report = send_with_turnout(cli, runner, tmp, db, campaign, env, messages)
            turnout_times.append(elapsed)
            launches.append(float(report["launch_seconds"]))
            sends.append(float(report["send_seconds"]))
            source_times.append(send_with_source(tmp, connections, messages, length, env))
            for suffix in ("", "-wal", "-shm", "-email.lock", "-sms.lock"):
                if os.path.exists(db + suffix):
                    os.unlink(db + suffix)

    turnout = statistics.median(turnout_times)
    source = statistics.median(source_times)
    sending = statistics.median(sends)
    ratio = source / turnout
    print(f"{messages:>7} emails of about {length} bytes, {connections} sessions, "
          f"median of {rounds} rounds")
    print(f"  turnout-bench-dispatch --email (open, launch, send)  {turnout * 1000:8.1f} ms "
          f"{messages / turnout:7.0f}/s  (launch {statistics.median(launches) * 1000:.1f} ms, "
          f"sending {sending * 1000:.1f} ms)")
    print(f"  smtp-source -d -s {connections} -l {length}"
          f"{' ' * max(1, 26 - len(str(connections)) - len(str(length)))}"
          f"{source * 1000:8.1f} ms {messages / source:7.0f}/s")
    print(f"speed: Turnout's email throughput against smtp-source's: ratio {ratio:.2f} "
          f"({'meets' if ratio >= SPEED_GOAL else 'misses'} the goal of at least {SPEED_GOAL});"
          f" the sending alone: ratio {source / sending:.2f}")


if __name__ == "__main__":
    main()
