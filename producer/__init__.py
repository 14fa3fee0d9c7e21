"""The producer: everything that turns listening into events on Kafka.

- `producer.poller`   — the Spotify Web API poller (recently-played, now-playing, playlists, commands)
- `producer.importer` — the "Download your data" export importer (`earshot import PATH`)
- `producer.demo`     — the demo listener (`earshot demo`)

All three publish the `core.events` contracts with deterministic event ids, keyed by user.
"""
