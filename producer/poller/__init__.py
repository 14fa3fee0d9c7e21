"""The Spotify Web API poller (`earshot poll`, `python -m producer.poller`).

- `service`       — the process: one loop per connected user, commands, heartbeats
- `user_loops`    — a user's recently-played / now-playing / playlist loops
- `recent`        — recently-played and now-playing responses as events
- `metadata`      — track and artist catalog events for what was played
- `playlist_sync` — connected playlists' tracks
- `commands`      — the app's commands (connect/disconnect playlists, poll now)
- `spotify`       — the spotipy client, scopes and error classification
- `tokens`        — encrypted token storage
- `connect`       — `earshot connect`: the OAuth authorisation-code flow
- `backoff`       — retry and rate-limit backoff
"""
