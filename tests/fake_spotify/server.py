"""A fake Spotify Web API + accounts service on loopback, driven by spotipy in tests.

    with FakeSpotify() as fake:                 # http://127.0.0.1:<port>/
        fake.add_user("alice")
        fake.add_play("alice", track_id, played_at)
        fake.fail("GET", "/v1/me/player/recently-played", user="alice", status=429,
                  headers={"Retry-After": "7200"})
        settings = load_settings(spotify_api_base=fake.api_base, spotify_accounts_base=fake.accounts_base)

Deterministic data; tokens are `access-<user>-<n>` / `refresh-<user>`; faults answer any status
(429 + Retry-After, 401, 403, 5xx, 204) a given number of times. Every request is logged.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse


def track_object(track_id: str, name: str | None = None, duration_ms: int = 200_000) -> dict[str, Any]:
    return {
        "id": track_id,
        "uri": f"spotify:track:{track_id}",
        "name": name or f"Track {track_id[:6]}",
        "type": "track",
        "duration_ms": duration_ms,
        "explicit": False,
        "external_ids": {"isrc": f"XX{track_id[:10].upper()}"},
        "artists": [{"id": f"artist{track_id[:4]}", "name": f"Artist {track_id[:4]}", "type": "artist"}],
        "album": {
            "id": f"album{track_id[:4]}",
            "name": f"Album {track_id[:4]}",
            "release_date": "2021-05-07",
        },
    }


@dataclass
class Fault:
    method: str
    path: str
    user: str | None
    status: int
    headers: dict[str, str]
    body: dict[str, Any] | None
    times: int


@dataclass
class FakeUser:
    recent: list[tuple[int, dict[str, Any], str | None]] = field(default_factory=list)  # (ms, track, ctx)
    current: dict[str, Any] | None = None
    playlists: dict[str, dict[str, Any]] = field(default_factory=dict)
    revoked: bool = False
    tokens_issued: int = 0


class FakeSpotify:
    def __init__(self, expires_in: int = 3600):
        self.users: dict[str, FakeUser] = {}
        self.faults: list[Fault] = []
        self.log: list[tuple[str | None, str, str]] = []  # (user, method, path)
        self.tokens: dict[str, str] = {}  # access token → user
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle -------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def api_base(self) -> str:
        return self.base + "v1/"

    @property
    def accounts_base(self) -> str:
        return self.base

    def __enter__(self) -> FakeSpotify:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- scripting -------------------------------------------------------------------------------
    def add_user(self, user: str) -> FakeUser:
        return self.users.setdefault(user, FakeUser())

    def add_play(self, user: str, track_id: str, played_at: datetime, context: str | None = None) -> None:
        with self.lock:
            self.users[user].recent.append(
                (int(played_at.timestamp() * 1000), track_object(track_id), context)
            )

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        user: str | None = None,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        self.faults.append(Fault(method, path, user, status, headers or {}, body, times))

    def expire_tokens(self, user: str) -> None:
        """Server-side expiry: the user's access tokens now answer 401."""
        with self.lock:
            self.tokens = {t: u for t, u in self.tokens.items() if u != user}

    def calls(self, user: str | None = None, path: str = "") -> int:
        return sum(1 for u, _, p in self.log if (user is None or u == user) and p.startswith(path))

    def issue(self, user: str) -> dict[str, Any]:
        with self.lock:
            fake = self.users[user]
            fake.tokens_issued += 1
            token = f"access-{user}-{fake.tokens_issued}"
            self.tokens[token] = user
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": f"refresh-{user}",
            "scope": "user-read-recently-played",
        }

    def fault_for(self, method: str, path: str, user: str | None) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if (
                    fault.times > 0
                    and fault.method == method
                    and path.startswith(fault.path)
                    and fault.user in (None, user)
                ):
                    fault.times -= 1
                    return fault
        return None


def _handler(fake: FakeSpotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            url = urlparse(self.path)
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
            if url.path != "/api/token":
                return self._send(404, {"error": {"status": 404, "message": "not found"}})
            grant = form.get("grant_type", [""])[0]
            if grant == "authorization_code":
                user = form.get("code", [""])[0].removeprefix("code-")
            else:
                user = form.get("refresh_token", [""])[0].removeprefix("refresh-")
            fake.log.append((user, "POST", url.path))
            if user not in fake.users or fake.users[user].revoked:
                return self._send(
                    400, {"error": "invalid_grant", "error_description": "Refresh token revoked"}
                )
            token = fake.issue(user)
            if grant == "refresh_token":
                token.pop("refresh_token")  # Spotify may omit it; clients keep the old one
            return self._send(200, token)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/authorize":
                code = f"code-{query.get('state', '').split(':')[0]}"
                target = (
                    query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
                )
                return self._send(302, None, {"Location": target})
            auth = self.headers.get("Authorization", "").removeprefix("Bearer ")
            user = fake.tokens.get(auth)
            fake.log.append((user, "GET", url.path))
            if user is None:
                return self._send(401, {"error": {"status": 401, "message": "The access token expired"}})
            fault = fake.fault_for("GET", url.path, user)
            if fault is not None:
                return self._send(
                    fault.status,
                    fault.body or {"error": {"status": fault.status, "message": "injected"}},
                    fault.headers,
                )
            return self._route(fake.users[user], user, url.path.rstrip("/"), query)

        def _route(self, data: FakeUser, user: str, path: str, query: dict[str, str]) -> None:
            if path == "/v1/me":
                return self._send(200, {"id": user, "display_name": user.title()})
            if path == "/v1/me/player/recently-played":
                after = int(query.get("after", 0))
                limit = int(query.get("limit", 20))
                items = sorted((r for r in data.recent if r[0] > after), key=lambda r: -r[0])[:limit]
                return self._send(
                    200,
                    {
                        "items": [
                            {
                                "played_at": datetime.fromtimestamp(ms / 1000, UTC)
                                .isoformat(timespec="milliseconds")
                                .replace("+00:00", "Z"),
                                "track": track,
                                "context": {"type": "playlist", "uri": ctx} if ctx else None,
                            }
                            for ms, track, ctx in items
                        ],
                        "cursors": None,
                        "limit": limit,
                        "next": None,
                    },
                )
            if path == "/v1/me/player/currently-playing":
                return self._send(204) if data.current is None else self._send(200, data.current)
            if path == "/v1/me/playlists":
                owned = [
                    {
                        "id": pid,
                        "name": p["name"],
                        "snapshot_id": p["snapshot_id"],
                        "owner": {"id": p["owner"]},
                        "items": {"total": len(p["tracks"])},
                    }
                    for pid, p in data.playlists.items()
                    if not p.get("forbidden")
                ]
                return self._send(200, {"items": owned, "total": len(owned), "next": None})
            parts = path.strip("/").split("/")
            if len(parts) >= 3 and parts[1] == "playlists":
                playlist = data.playlists.get(parts[2])
                if playlist is None:
                    return self._send(404, {"error": {"status": 404, "message": "Resource not found"}})
                if len(parts) == 4 and playlist.get("forbidden"):
                    return self._send(403, {"error": {"status": 403, "message": "Forbidden"}})
                if len(parts) == 3:
                    return self._send(
                        200,
                        {
                            "id": parts[2],
                            "name": playlist["name"],
                            "snapshot_id": playlist["snapshot_id"],
                            "owner": {"id": playlist["owner"]},
                            "items": {"total": len(playlist["tracks"])},
                        },
                    )
                offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
                page = playlist["tracks"][offset : offset + limit]
                more = offset + limit < len(playlist["tracks"])
                return self._send(
                    200,
                    {
                        "items": [{"added_at": "2024-01-02T03:04:05Z", "item": t, "track": t} for t in page],
                        "total": len(playlist["tracks"]),
                        "offset": offset,
                        "limit": limit,
                        "next": f"{fake.api_base}{path[4:]}?offset={offset + limit}&limit={limit}"
                        if more
                        else None,
                    },
                )
            if len(parts) == 3 and parts[1] == "artists":
                return self._send(
                    200, {"id": parts[2], "name": f"Artist {parts[2][6:]}", "genres": [], "type": "artist"}
                )
            if len(parts) == 3 and parts[1] == "audio-features":
                return self._send(403, {"error": {"status": 403, "message": "Forbidden"}})
            return self._send(404, {"error": {"status": 404, "message": f"no fake for {path}"}})

    return Handler
