"""Per-user Spotify tokens for spotipy, stored encrypted in `users.spotify.token` (Fernet key from
EARSHOT_TOKEN_KEY) — or, without a key, in a 0600 JSON file under <data_dir>/tokens/.

    cache = TokenStore(settings, db, "alice")      # a spotipy CacheHandler
    SpotifyOAuth(..., cache_handler=cache)

Tokens are never logged. A token that cannot be decrypted (key changed) counts as missing.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from spotipy.cache_handler import CacheHandler

from core.collections import Coll
from core.events import utc_now
from core.settings import Settings

log = logging.getLogger(__name__)


class TokenStore(CacheHandler):  # type: ignore[misc]
    def __init__(self, settings: Settings, db: Any, user_id: str):
        self.db, self.user_id = db, user_id
        key = settings.token_key.get_secret_value() if settings.token_key else ""
        self.fernet = Fernet(key.encode()) if key else None
        self.file = settings.data_dir / "tokens" / f"{user_id}.json"

    def get_cached_token(self) -> dict[str, Any] | None:
        if self.fernet is None:
            return json.loads(self.file.read_text()) if self.file.is_file() else None
        doc = self.db[Coll.USERS.value].find_one({"_id": self.user_id}, {"spotify.token": 1}) or {}
        blob = (doc.get("spotify") or {}).get("token")
        if not blob:
            return None
        try:
            return json.loads(self.fernet.decrypt(blob.encode()))  # type: ignore[no-any-return]
        except InvalidToken:
            log.warning("stored token of %s cannot be decrypted (EARSHOT_TOKEN_KEY changed?)", self.user_id)
            return None

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        now = utc_now()
        update: dict[str, Any] = {"spotify.scope": token_info.get("scope"), "updated_at": now}
        if self.fernet is None:
            _write_private(self.file, json.dumps(token_info))
        else:
            update["spotify.token"] = self.fernet.encrypt(json.dumps(token_info).encode()).decode()
        self.db[Coll.USERS.value].update_one({"_id": self.user_id}, {"$set": update}, upsert=True)

    def force_expiry(self) -> None:
        """Make spotipy refresh before the next call (after a 401)."""
        token = self.get_cached_token()
        if token:
            token["expires_at"] = 0
            self.save_token_to_cache(token)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
