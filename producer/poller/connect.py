"""`earshot connect --user ID`: Spotify's Authorization Code flow with a loopback callback.

Opens (or prints) Spotify's consent page; Spotify redirects the browser to the configured
redirect URI (`http://127.0.0.1:<port>/callback` — Spotify refuses 'localhost'), where a one-shot
HTTP server on that port receives the code. The server binds EARSHOT_BIND_HOST (127.0.0.1, or
0.0.0.0 inside a container, whose published port 127.0.0.1:<port> forwards the browser's
request), while the redirect URI always names the loopback address the browser connects to. The
code is exchanged for tokens, which are stored encrypted (see `producer.poller.tokens`), and the user is
marked connected.
"""

from __future__ import annotations

import logging
import secrets
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from core import mongo
from core.collections import Coll
from core.errors import EarshotError
from core.events import utc_now
from core.settings import Settings
from producer.poller.spotify import ApiError, call, client, oauth
from producer.poller.tokens import TokenStore

log = logging.getLogger(__name__)
PAGE = b"<html><body><h3>earshot: Spotify is connected. You can close this tab.</h3></body></html>"


class _Callback(HTTPServer):
    result: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: _Callback

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.server.result = {k: v[0] for k, v in parse_qs(url.query).items()}
        ok = "code" in self.server.result
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(PAGE if ok else b"<html><body>earshot: authorisation failed.</body></html>")


def wait_for_code(
    redirect_uri: str,
    state: str,
    timeout_s: float,
    ready: threading.Event | None = None,
    bind_host: str = "127.0.0.1",
) -> str:
    url = urlparse(redirect_uri)
    server = _Callback((bind_host, url.port or 80), _Handler)
    server.timeout = 1.0
    server.result = {}
    if ready is not None:
        ready.set()
    try:
        waited = 0.0
        while not server.result and waited < timeout_s:
            server.handle_request()
            waited += 1.0
    finally:
        server.server_close()
    if not server.result:
        raise EarshotError(f"no answer from Spotify within {timeout_s:.0f} s (was the consent page opened?)")
    if server.result.get("state") != state:
        raise EarshotError("the callback's state does not match this request (possible CSRF); try again")
    if "error" in server.result:
        raise EarshotError(f"Spotify refused the authorisation: {server.result['error']}")
    return server.result["code"]


def connect(
    settings: Settings, user_id: str, open_browser: bool = True, timeout_s: float = 300, on_url: Any = None
) -> str:
    """Run the flow for `user_id`; returns the Spotify account id now connected."""
    db = mongo.database(settings)
    store = TokenStore(settings, db, user_id)
    state = f"{user_id}:{secrets.token_urlsafe(16)}"
    manager = oauth(settings, store, state=state, interactive=True)
    url = manager.get_authorize_url(state=state)
    ready = threading.Event()
    result: dict[str, Any] = {}
    waiter = threading.Thread(
        target=lambda: result.update(
            code=_catch(
                lambda: wait_for_code(
                    settings.spotify_redirect_uri, state, timeout_s, ready, settings.bind_host
                )
            )
        )
    )
    waiter.start()
    ready.wait(5)
    if on_url is not None:
        on_url(url)
    elif open_browser and webbrowser.open(url):
        log.info("opened the Spotify consent page in your browser")
    else:
        print(f"Open this address to connect Spotify:\n  {url}")  # noqa: T201
    waiter.join()
    code = result["code"]
    if isinstance(code, Exception):
        raise code
    manager.get_access_token(code, as_dict=False, check_cache=False)
    try:
        me = call(client(settings, store).me)
    except ApiError as exc:
        raise EarshotError(f"connected, but Spotify's /me failed: {exc}") from None
    now = utc_now()
    db[Coll.USERS.value].update_one(
        {"_id": user_id},
        {
            "$set": {
                "spotify.status": "connected",
                "spotify.account_id": me.get("id"),
                "spotify.message": "",
                "updated_at": now,
            },
            "$setOnInsert": {
                "display_name": me.get("display_name") or user_id,
                "time_zone": settings.default_time_zone,
                "demo": False,
                "created_at": now,
            },
        },
        upsert=True,
    )
    return str(me.get("id"))


def _catch(fn: Any) -> Any:
    try:
        return fn()
    except Exception as exc:  # handed back to the main thread
        return exc
