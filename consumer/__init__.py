"""earshot consumers: raw landing (bronze), live now-playing, alerts and notifications, health.

All of them run in one process, one thread per role:

    python -m consumer                       # every role
    python -m consumer --only raw,now-playing
    earshot consume --only alerts            # the same through the CLI

Roles live in small modules (`raw`, `now_playing`, `alerts`, `milestones`, `webhook`, `health`);
`runner` holds the poll → write → commit → heartbeat loop they share; `gold` reads the rollups by
`_id` (milestones, export, the batch jobs). See docs/consumers.md.
"""
