"""The demo listener (`earshot demo`, `python -m producer.demo`): realistic plays with no Spotify account.

- `run`       — the process: history backfill, then live plays, now-playing and playlists
- `args`      — its command-line options
- `catalog`   — the bundled demo catalog
- `sim`       — listeners, personas and a simulated day of plays
- `live`      — the live listener (now-playing ticks, plays as they end)
- `playlists` — the demo's connected playlists
"""
