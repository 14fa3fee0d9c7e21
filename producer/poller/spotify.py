"""spotipy, configured for a poller that must never hang: no urllib3 retries (so a 429's
`Retry-After` is never slept through inside a call), the API and accounts addresses from
settings (a local fake in tests), and every failure classified into one `ApiError`.

    sp = client(settings, store)
    items = call(sp.current_user_recently_played, limit=50, after=cursor)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urljoin

import requests
import spotipy
from spotipy.oauth2 import SpotifyOauthError

from core.errors import EarshotError
from core.settings import Settings, SettingsError
from producer.poller.tokens import TokenStore

SCOPES = (
    "user-read-recently-played user-read-currently-playing user-read-playback-state "
    "playlist-read-private playlist-read-collaborative"
)
T = TypeVar("T")


class ApiError(Exception):
    """A classified failure: kind is 'rate_limited' | 'quota' | 'unauthorized' | 'revoked' |
    'forbidden' | 'not_found' | 'server' | 'network'; retry_after in seconds when Spotify said."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind, self.retry_after = kind, retry_after


class _NoPrompt(spotipy.SpotifyOAuth):  # type: ignore[misc]
    """For background loops: with no usable stored token, fail instead of prompting on stdin."""

    def get_auth_response(self, open_browser: bool | None = None) -> str:
        raise SpotifyOauthError("no stored Spotify token: run `earshot connect`", error="invalid_grant")


def require_credentials(settings: Settings) -> None:
    """At the start of anything that talks to Spotify: exit with one line naming what is missing."""
    missing = [
        name
        for name, value in (
            ("SPOTIFY_CLIENT_ID", settings.spotify_client_id),
            ("SPOTIFY_CLIENT_SECRET", settings.spotify_client_secret),
        )
        if not value
    ]
    if missing:
        raise SettingsError(
            f"earshot: the Spotify poller needs {' and '.join(missing)} "
            "(from https://developer.spotify.com/dashboard; see .env.example)"
        )


def oauth(
    settings: Settings, store: TokenStore, state: str | None = None, interactive: bool = False
) -> spotipy.SpotifyOAuth:
    if not settings.spotify_client_id or settings.spotify_client_secret is None:
        raise EarshotError(
            "set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (see .env.example) to use Spotify"
        )
    factory = spotipy.SpotifyOAuth if interactive else _NoPrompt
    manager = factory(
        client_id=settings.spotify_client_id,
        client_secret=settings.spotify_client_secret.get_secret_value(),
        redirect_uri=settings.spotify_redirect_uri,
        scope=SCOPES,
        state=state,
        cache_handler=store,
        open_browser=False,
        requests_session=requests.Session(),
        requests_timeout=10,
    )
    # spotipy reads these class attributes through `self`: instance values point it elsewhere.
    manager.OAUTH_TOKEN_URL = urljoin(settings.spotify_accounts_base, "api/token")
    manager.OAUTH_AUTHORIZE_URL = urljoin(settings.spotify_accounts_base, "authorize")
    return manager


def client(settings: Settings, store: TokenStore) -> spotipy.Spotify:
    # A plain Session (no retry adapter) plus retries=0: errors come back at once, with headers.
    sp = spotipy.Spotify(
        auth_manager=oauth(settings, store),
        requests_session=requests.Session(),
        requests_timeout=10,
        retries=0,
        status_retries=0,
    )
    sp.prefix = settings.spotify_api_base
    return sp


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    except spotipy.SpotifyException as exc:
        raise classify(exc) from None
    except SpotifyOauthError as exc:
        if getattr(exc, "error", None) == "invalid_grant":
            raise ApiError("revoked", "Spotify refused the refresh token (access revoked)") from None
        raise ApiError("unauthorized", f"token refresh failed: {getattr(exc, 'error', exc)}") from None
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise ApiError("network", f"cannot reach Spotify: {type(exc).__name__}") from None


def classify(exc: spotipy.SpotifyException) -> ApiError:
    status = exc.http_status
    headers = exc.headers or {}
    if status == 429:
        try:
            wait = float(headers.get("Retry-After", ""))
        except ValueError:
            wait = None
        if (exc.reason or "").upper() == "QUOTA_EXCEEDED":
            return ApiError("quota", "the app's Spotify quota is exhausted", wait)
        return ApiError("rate_limited", "rate limited by Spotify", wait)
    kinds = {401: "unauthorized", 403: "forbidden", 404: "not_found"}
    if status in kinds:
        return ApiError(kinds[status], f"HTTP {status}: {exc.msg.splitlines()[-1].strip()}")
    return ApiError("server", f"HTTP {status} from Spotify")
