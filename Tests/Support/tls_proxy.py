#!/usr/bin/env python3
"""Terminates TLS in front of a plain HTTP endpoint, for the tests.

    tls_proxy.py LISTEN_PORT UPSTREAM_PORT CERT KEY

Each TLS connection on 127.0.0.1:LISTEN_PORT is relayed byte for byte to
127.0.0.1:UPSTREAM_PORT.
"""
import socket
import ssl
import sys
import threading

listen_port, upstream_port, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)


def relay(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(client):
    try:
        secure = context.wrap_socket(client, server_side=True)
    except (OSError, ssl.SSLError):
        client.close()
        return
    upstream = socket.create_connection(("127.0.0.1", upstream_port))
    threading.Thread(target=relay, args=(secure, upstream), daemon=True).start()
    relay(upstream, secure)


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", listen_port))
listener.listen(64)
while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
