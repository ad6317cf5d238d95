#!/usr/bin/python3
"""A real SMTP server on 127.0.0.1 for the email tests (Debian's python3-aiosmtpd).

    smtp_sink.py --dir DIR [--max-seconds N] [--auth USER:PASSWORD]
                 [--tls {starttls,implicit} --tls-cert FILE --tls-key FILE]

Listens on a free port of 127.0.0.1 and writes it to DIR/port once it accepts connections.
Every message it takes becomes DIR/msg-NNNNNN.json (written whole, then renamed into
place): {"mail_from", "rcpt_tos", "raw", "headers": {name: raw value}, "subject" and
"body" decoded, "tls": whether it came over TLS}. What it answers is read from
DIR/control.json at each command, so a test can change it while the server runs:

    {"rcpt": {"someone@x.example": 550}}   refuse RCPT TO for an address with this code
    {"data_tempfail": 2}                   answer the first 2 DATA with 451
    {"hold": true}                         after storing a message, wait (at most 60 s)
                                           until DIR/release exists before answering 250

With --auth it advertises AUTH PLAIN and LOGIN and takes mail only from a client that
signed in as USER with PASSWORD (without TLS: it is on loopback).

With --tls starttls it offers STARTTLS with that certificate and refuses mail before it
(require_starttls); with --tls implicit the listening socket speaks TLS from the first byte
(smtps://).

It stops by itself after --max-seconds (default 300), so a test that dies leaves nothing.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import sys
import time

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.stderr.write("smtp_sink.py needs Debian's python3-aiosmtpd: apt-get install python3-aiosmtpd\n")
    sys.exit(3)


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.tempfailed = 0

    def control(self):
        try:
            with open(os.path.join(self.folder, "control.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.control().get("rcpt", {}).get(address.lower())
        if code:
            return f"{code} 5.1.1 refused by the test's relay" if code >= 500 else f"{code} 4.2.0 try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        control = self.control()
        if self.tempfailed < control.get("data_tempfail", 0):
            self.tempfailed += 1
            return "451 4.3.0 try again later (the test's relay)"
        raw = envelope.original_content if envelope.original_content is not None else envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        raw_headers = email.message_from_bytes(raw, policy=email.policy.compat32)
        body = parsed.get_body(preferencelist=("plain",))
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "raw": raw.decode("utf-8", "replace"),
            "headers": {k: v for k, v in raw_headers.items()},
            "subject": str(parsed["subject"] or ""),
            "body": body.get_content() if body is not None else "",
            "tls": server.transport.get_extra_info("ssl_object") is not None,
        }
        name = os.path.join(self.folder, "msg-%06d.json" % self.count)
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name)
        if control.get("hold"):
            release = os.path.join(self.folder, "release")
            deadline = time.monotonic() + 60
            while not os.path.exists(release) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        return "250 2.0.0 OK"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--auth")
    parser.add_argument("--tls", choices=("starttls", "implicit"))
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    if bool(args.tls) != bool(args.tls_cert and args.tls_key):
        parser.error("--tls goes with --tls-cert and --tls-key")
    sink = Sink(args.dir)
    options = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok)

        options = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
    context = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test", decode_data=False, **options), "127.0.0.1", 0,
        ssl=context if args.tls == "implicit" else None)
    port = server.sockets[0].getsockname()[1]
    with open(os.path.join(args.dir, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))
    await asyncio.sleep(args.max_seconds)
    server.close()


asyncio.run(main())
