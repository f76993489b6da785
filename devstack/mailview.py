"""A read-only web page over the dev mail sink's folder: every message, newest first, as text."""

import html
import re
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

NAME = re.compile(r"[0-9A-Za-z-]+\.eml")
STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:70em}td,th{padding:.2em .8em;text-align:left}"
    "tr:nth-child(even){background:#f4f4f4}pre{white-space:pre-wrap;background:#f8f8f8;padding:1em}"
)


def _parse(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def _page(title: str, body: str) -> bytes:
    return (
        f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style><h1>{html.escape(title)}</h1>{body}"
    ).encode()


def index_page(folder: Path) -> bytes:
    """The list of stored messages, newest first."""
    rows = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:500]:
        message = _parse(path)
        date, to, subject = (str(message[name] or "") for name in ("Date", "To", "Subject"))
        link = f'<a href="/{path.name}">{html.escape(subject or "(no subject)")}</a>'
        rows.append(
            f"<tr><td>{html.escape(date)}</td><td>{html.escape(to)}</td><td>{link}</td></tr>"
        )
    if not rows:
        return _page("Mail sent by Cohort", "<p>No messages yet. Reload this page later.</p>")
    table = "<tr><th>date</th><th>to</th><th>subject</th></tr>" + "".join(rows)
    return _page(f"Mail sent by Cohort ({len(rows)})", f"<table>{table}</table>")


def message_page(path: Path) -> bytes:
    """One message: its headers, its text and its calendar part."""
    message = _parse(path)
    head = "".join(
        f"<tr><th>{name}</th><td>{html.escape(str(message[name] or ''))}</td></tr>"
        for name in ("Date", "From", "To", "Subject")
    )
    parts = [f'<p><a href="/">all messages</a> · <a href="/{path.name}?raw">raw .eml</a></p>']
    parts.append(f"<table>{head}</table>")
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/calendar"):
            content = html.escape(str(part.get_content()))
            parts.append(f"<h2>{part.get_content_type()}</h2><pre>{content}</pre>")
    return _page(str(message["Subject"] or "(no subject)"), "".join(parts))


class _Handler(BaseHTTPRequestHandler):
    folder: Path

    def do_GET(self) -> None:
        """The list at /, a message at /<name>.eml, its raw bytes at /<name>.eml?raw."""
        name, _, query = self.path.lstrip("/").partition("?")
        if not name:
            self._send(index_page(self.folder), "text/html; charset=utf-8")
        elif NAME.fullmatch(name) and (self.folder / name).is_file():
            if query == "raw":
                self._send((self.folder / name).read_bytes(), "message/rfc822")
            else:
                self._send(message_page(self.folder / name), "text/html; charset=utf-8")
        else:
            self.send_error(404)

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def start_viewer(host: str, port: int, folder: Path) -> ThreadingHTTPServer:
    """Serve the folder's messages on http://host:port/ from a background thread."""
    handler = type("Handler", (_Handler,), {"folder": folder})
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
