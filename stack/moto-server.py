"""
moto, served as its own `moto_server` serves it (moto/server.py), plus one route of drover's:

    GET /_drover/outbox?contains=<text>

answers the SES messages moto kept whose raw MIME contains <text> (a run id), as JSON:
{"messages": [{"id", "source", "destinations", "raw"}]}. Without `contains`, every message.

moto's own outbox is /moto-api/data.json, which serialises every model of every service,
S3 objects included: it grows with everything the emulator holds and fails (HTTP 500) once
a large object sits in a bucket. This route reads SES's sent messages and nothing else.

Run with the Python that has moto installed: `.venv/bin/python stack/moto-server.py -H 127.0.0.1 -p 4566`
(the same flags as `moto_server`).
"""

import json
import sys
from urllib.parse import parse_qs

import moto.server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from werkzeug.serving import run_simple

OUTBOX_PATH = "/_drover/outbox"


def sent_raw_messages():
    """Every raw message SES kept, over every account and region, oldest first."""
    from moto.ses.models import ses_backends

    # dict views of moto's BackendDicts: reading them creates no backend. Copies, since the
    # server's other threads may be sending meanwhile.
    for account in list(dict.values(ses_backends)):
        for backend in list(dict.values(account)):
            for message in list(backend.sent_messages):
                raw = getattr(message, "raw_data", None)
                if raw is not None:
                    yield message, raw


def outbox(environ, start_response):
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        start_response("405 Method Not Allowed", [("Content-Type", "text/plain"), ("Allow", "GET, HEAD")])
        return [b"GET only\n"]
    contains = parse_qs(environ.get("QUERY_STRING", "")).get("contains", [""])[0]
    messages = [
        {"id": m.id, "source": m.source, "destinations": list(m.destinations), "raw": raw}
        for m, raw in sent_raw_messages()
        if contains in raw
    ]
    body = json.dumps({"messages": messages}).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class DroverApp:
    """moto's application, with the outbox route in front of it."""

    def __init__(self, moto_app):
        self.moto_app = moto_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == OUTBOX_PATH:
            return outbox(environ, start_response)
        return self.moto_app(environ, start_response)


def main(argv=None):
    # moto_server's own argument parsing, and its app as its main() builds it, but served
    # through DroverApp: werkzeug's run_simple is what moto_server ends in, so run_simple is
    # stood in for with one that wraps the app.
    def run_with_outbox(host, port, application, **kwargs):
        assert isinstance(application, DomainDispatcherApplication)
        return run_simple(host, port, DroverApp(application), **kwargs)

    moto.server.run_simple = run_with_outbox
    moto.server.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
