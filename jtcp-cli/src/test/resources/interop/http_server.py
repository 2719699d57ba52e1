"""The kernel-side HTTP server of the interop tests: python3's http.server (GET, HEAD) plus PUT.

usage: http_server.py PORT DIRECTORY
"""
import functools
import http.server
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_PUT(self):
        length = int(self.headers["Content-Length"])
        path = os.path.join(self.directory, os.path.basename(self.path))
        left = length
        with open(path, "wb") as f:
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 20))
                if not chunk:
                    break
                f.write(chunk)
                left -= len(chunk)
        self.send_response(201 if left == 0 else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        sys.stderr.write("python http: " + (fmt % args) + "\n")


port, directory = int(sys.argv[1]), sys.argv[2]
server = http.server.ThreadingHTTPServer(("", port), functools.partial(Handler, directory=directory))
print("serving", flush=True)
server.serve_forever()
