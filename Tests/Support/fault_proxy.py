#!/usr/bin/env python3
"""An HTTP proxy in front of an S3 endpoint that injects faults, for the tests.

    fault_proxy.py LISTEN_PORT UPSTREAM_PORT LOG

Every request is counted. Request 5, 10, 15, ... gets a 500 InternalError; request
7, 14, 21, ... has its connection dropped before any answer; request 11, 22, ...
gets a 503 SlowDown; and every sixth GET that is forwarded gets its answer cut
off halfway through the body. Every other request is forwarded unchanged. Each fault is
appended to LOG as one line ("500 PUT /path"), so a test knows the faults happened.
"""
import http.client
import http.server
import socket
import sys
import threading

listen_port, upstream_port, log_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
count = 0
gets = 0


def record(kind, handler):
    with lock, open(log_path, "a") as log:
        log.write(f"{kind} {handler.command} {handler.path}\n")


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, code):
        body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def forward(self):
        global count, gets
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            count += 1
            n = count
        if n % 5 == 0:
            record("500", self)
            return self.answer(500, "InternalError")
        if n % 7 == 0:
            record("drop", self)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if n % 11 == 0:
            record("503", self)
            return self.answer(503, "SlowDown")
        upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
        upstream.request(self.command, self.path, body, dict(self.headers))
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        cut = False
        if self.command == "GET" and len(data) > 1:
            with lock:
                gets += 1
                cut = gets % 6 == 0
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if cut:
            record("cut", self)
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)

    do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = forward


http.server.ThreadingHTTPServer(("127.0.0.1", listen_port), Proxy).serve_forever()
