#!/usr/bin/env python3
"""A local HTTP receiver for notification tests.

usage: http_receiver.py PORT FOLDER

Answers every POST with 200 and writes its path and body to FOLDER/<n>.txt
(first line the path, then the body).
"""
import http.server
import os
import sys

port, folder = int(sys.argv[1]), sys.argv[2]
os.makedirs(folder, exist_ok=True)
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        count += 1
        with open(os.path.join(folder, f"{count}.txt"), "wb") as f:
            f.write(self.path.encode() + b"\n" + body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
