#!/usr/bin/python3
"""A remote session's two upgraded connections through HAProxy (tests/deploy).

    relay_probe.py PUBLIC_URL CA_FILE ADMIN_EMAIL ADMIN_PASSWORD

Plays both sides of one session over the public HTTPS address: a device registers and asks
for assistance, the admin connects, the device accepts; then the customer's tunnel
(`Upgrade: helpline-relay/1`, raw bytes after the 101) and the operator's viewer (a
WebSocket) are opened, each on its own connection, and bytes must cross both ways. Prints
one line per step; exits 1 with the reason on the first failure. Standard library only.
"""
import base64
import json
import os
import socket
import ssl
import sys
import urllib.parse
import urllib.request
import uuid

TIMEOUT = 10  # seconds, for every connect and read


def haproxy(sock_path, command):
    """One command on HAProxy's admin socket."""
    import socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(TIMEOUT)
        s.connect(sock_path)
        s.sendall((command + "\n").encode())
        while s.recv(4096):
            pass


def main():
    public, ca, email, password = sys.argv[1:5]
    # With HAProxy's admin socket, the two sides are sent to different servers for sure:
    # s2 drains while the tunnel connects, s1 while the viewer does.
    admin_socket = sys.argv[5] if len(sys.argv) > 5 else None
    host = urllib.parse.urlsplit(public)
    context = ssl.create_default_context(cafile=ca)

    def api(method, path, body=None, token=None, headers=None):
        request = urllib.request.Request(public + path, method=method)
        if body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        with urllib.request.urlopen(request, context=context, timeout=TIMEOUT) as answer:
            return json.load(answer)

    admin = api("POST", "/api/v1/auth/login", {"email": email, "password": password})["token"]
    device = api("POST", "/api/v1/devices", {"profile_id": "demo"})["device_token"]
    ticket = api("POST", "/api/v1/tickets", {"email": "customer@example.com", "description": "relay probe",
                                             "group_id": "helpdesk"},
                 token=device, headers={"Idempotency-Key": str(uuid.uuid4())})["number"]
    request = api("POST", f"/api/v1/tickets/{ticket}/connect", token=admin)["request_id"]
    accepted = api("POST", f"/api/v1/connection-requests/{request}/accept", {"vnc_password": "probe-pw"},
                   token=device)
    session = accepted["session_id"]
    print(f"ticket {ticket}: session {session} accepted")

    def connect():
        raw = socket.create_connection((host.hostname, host.port), timeout=TIMEOUT)
        return context.wrap_socket(raw, server_hostname=host.hostname)

    def read_head(conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                fail(f"the connection closed before the answer's head ended: {data!r}")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        return head.decode("latin-1"), rest

    if admin_socket:
        haproxy(admin_socket, "set server helpline/s2 state drain")
    tunnel = connect()
    tunnel.sendall((f"GET /api/v1/relay/{session} HTTP/1.1\r\nHost: {host.netloc}\r\n"
                    f"Upgrade: helpline-relay/1\r\nConnection: Upgrade\r\n"
                    f"Authorization: Bearer {accepted['relay_token']}\r\n\r\n").encode())
    head, tunnel_rest = read_head(tunnel)
    expect(head.startswith("HTTP/1.1 101"), f"the tunnel's answer: {head.splitlines()[0]}")
    print("tunnel: 101")
    if admin_socket:
        haproxy(admin_socket, "set server helpline/s2 state ready")
        haproxy(admin_socket, "set server helpline/s1 state drain")

    viewer = connect()
    key = base64.b64encode(os.urandom(16)).decode()
    viewer.sendall((f"GET /api/v1/relay/{session}/view HTTP/1.1\r\nHost: {host.netloc}\r\n"
                    f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                    f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n"
                    f"Authorization: Bearer {admin}\r\n\r\n").encode())
    head, viewer_rest = read_head(viewer)
    expect(head.startswith("HTTP/1.1 101"), f"the viewer's answer: {head.splitlines()[0]}")
    print("viewer: 101")
    if admin_socket:
        haproxy(admin_socket, "set server helpline/s1 state ready")

    # Customer to operator: raw bytes in, one binary WebSocket message out.
    sent = b"RFB 003.008\n"
    tunnel.sendall(sent)
    payload = read_ws_binary(viewer, viewer_rest)
    expect(payload == sent, f"the viewer received {payload!r}, expected {sent!r}")
    print("tunnel -> viewer: ok")

    # Operator to customer: a masked binary message in, its payload as raw bytes out.
    reply = b"RFB 003.008\n"
    mask = os.urandom(4)
    viewer.sendall(bytes([0x82, 0x80 | len(reply)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(reply)))
    got = tunnel_rest
    while len(got) < len(reply):
        chunk = tunnel.recv(4096)
        expect(bool(chunk), f"the tunnel closed after {got!r}")
        got += chunk
    expect(got == reply, f"the tunnel received {got!r}, expected {reply!r}")
    print("viewer -> tunnel: ok")


def read_ws_binary(conn, data):
    """The payload of the next binary message (server messages are not masked)."""
    def need(n):
        nonlocal data
        while len(data) < n:
            chunk = conn.recv(4096)
            expect(bool(chunk), f"the viewer closed after {data!r}")
            data += chunk
    need(2)
    expect(data[0] == 0x82, f"the viewer's first frame is not a final binary one: {data[:2].hex()}")
    length, offset = data[1] & 0x7F, 2
    if length == 126:
        need(4)
        length, offset = int.from_bytes(data[2:4], "big"), 4
    need(offset + length)
    return data[offset:offset + length]


def expect(condition, message):
    if not condition:
        fail(message)


def fail(message):
    print("relay_probe: " + message, file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
