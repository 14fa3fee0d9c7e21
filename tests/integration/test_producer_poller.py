"""The poller through spotipy against the fake Spotify API, the real broker and the database:
no loss and no duplicates across overlapping polls and restarts, Retry-After on a fake clock,
quota, token refresh and revocation, playlist connect (incl. 403) and commands."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from core import gold, kafka
from core.collections import Coll
from core.events import CommandEvent, PlayEvent, PlaylistTrackEvent, utc_now
from core.topics import Topic
from producer.poller.backoff import FakeClock
from producer.poller.service import Poller
from producer.poller.spotify import SCOPES
from producer.poller.tokens import TokenStore
from producer.publish import Publisher
from tests.fake_spotify.kafka_read import read_topic
from tests.fake_spotify.server import FakeSpotify, track_object

pytestmark = pytest.mark.integration
T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
KEY = Fernet.generate_key().decode()


@pytest.fixture
def fake():
    with FakeSpotify() as server:
        yield server


@pytest.fixture
def env(stack, mongo_db, fake):
    settings = stack.model_copy(
        update={
            "spotify_api_base": fake.api_base,
            "spotify_accounts_base": fake.accounts_base,
            "spotify_client_id": "client-id",
            "spotify_client_secret": SecretStr("client-secret"),
            "token_key": SecretStr(KEY),
        }
    )
    pub = Publisher(settings)
    yield settings, pub
    pub.close()


def connect(settings, db, fake: FakeSpotify, user: str, expired: bool = False) -> None:
    fake.add_user(user)
    token = fake.issue(user)
    token.update(scope=SCOPES, expires_at=int(time.time()) + (-10 if expired else 3600))
    db[Coll.USERS.value].update_one({"_id": user}, {"$set": {"spotify.status": "connected"}}, upsert=True)
    TokenStore(settings, db, user).save_token_to_cache(token)


def tid(n: int) -> str:
    return f"{n:022d}"


def test_plays_flow_without_loss_or_duplicates_across_overlap_and_restart(env, mongo_db, fake) -> None:
    settings, pub = env
    connect(settings, mongo_db, fake, "pol-ann")
    for i in range(5):
        fake.add_play("pol-ann", tid(i), T0 + timedelta(minutes=4 * i))
    clock = FakeClock(time.time())
    poller = Poller(settings, mongo_db, pub, clock)
    poller.refresh_users()
    poller.step()
    for i in range(5, 8):
        fake.add_play("pol-ann", tid(i), T0 + timedelta(minutes=4 * i))
    fake.add_play("pol-ann", tid(99), T0 + timedelta(minutes=15))  # reported late, inside the overlap
    clock.advance(1600)
    poller.step()
    restarted = Poller(settings, mongo_db, pub, FakeClock(time.time()))
    restarted.refresh_users()
    restarted.step()  # re-reads the overlap after a restart: nothing new
    pub.flush()

    plays = [PlayEvent.model_validate(v) for v in read_topic(settings, Topic.PLAYS, "pol-ann")]
    assert sorted(p.track_id for p in plays) == sorted([tid(i) for i in range(8)] + [tid(99)])
    assert len({p.event_id for p in plays}) == len(plays) == 9
    assert all(p.source == "api" and p.ms_played_estimated and p.ms_played == 200_000 for p in plays)
    assert fake.calls("pol-ann", "/v1/me/player/recently-played") == 3
    doc = mongo_db[Coll.USERS.value].find_one({"_id": "pol-ann"})
    assert doc["spotify"]["recent_cursor_ms"] == int((T0 + timedelta(minutes=28)).timestamp() * 1000)
    assert "access-" not in doc["spotify"]["token"]  # stored encrypted
    catalog = {c["entity_id"] for c in read_topic(settings, Topic.CATALOG)}
    assert {tid(i) for i in range(8)} <= catalog and f"artist{tid(0)[:4]}" in catalog
    now_playing = read_topic(settings, Topic.NOW_PLAYING, "pol-ann")
    assert now_playing and not now_playing[0]["is_playing"]  # 204: nothing playing


def test_retry_after_7200_leaves_other_loops_running(env, mongo_db, fake) -> None:
    settings, pub = env
    for user in ("pol-rl-a", "pol-rl-b"):
        connect(settings, mongo_db, fake, user)
        fake.add_play(user, tid(1), T0)
    fake.fail("GET", "/v1/me/player/recently-played", 429, user="pol-rl-a", headers={"Retry-After": "7200"})
    clock = FakeClock(time.time())
    poller = Poller(settings, mongo_db, pub, clock)
    poller.refresh_users()
    started = time.monotonic()
    poller.step()
    assert time.monotonic() - started < 10  # never slept through Retry-After
    for _ in range(4):  # 7,180 s later: now-playing and the other user kept going
        clock.advance(1795)
        poller.step()
    assert fake.calls("pol-rl-a", "/v1/me/player/recently-played") == 1
    assert fake.calls("pol-rl-a", "/v1/me/player/currently-playing") >= 5
    assert fake.calls("pol-rl-b", "/v1/me/player/recently-played") >= 3
    doc = mongo_db[Coll.USERS.value].find_one({"_id": "pol-rl-a"})
    assert "rate limited" in doc["spotify"]["message"] and doc["spotify"]["retry_after_until"]
    pub.flush()
    assert read_topic(settings, Topic.PLAYS, "pol-rl-a") == []
    clock.advance(21)
    poller.step()
    pub.flush()
    assert fake.calls("pol-rl-a", "/v1/me/player/recently-played") == 2
    assert len(read_topic(settings, Topic.PLAYS, "pol-rl-a")) == 1
    assert len(read_topic(settings, Topic.PLAYS, "pol-rl-b")) == 1


def test_quota_exceeded_pauses_every_loop(env, mongo_db, fake) -> None:
    settings, pub = env
    for user in ("pol-q-a", "pol-q-b"):
        connect(settings, mongo_db, fake, user)
    fake.fail(
        "GET",
        "/v1/me/player/currently-playing",
        429,
        user="pol-q-a",
        headers={"Retry-After": "600"},
        body={"error": {"status": 429, "message": "quota", "reason": "QUOTA_EXCEEDED"}},
    )
    clock = FakeClock(time.time())
    poller = Poller(settings, mongo_db, pub, clock)
    poller.refresh_users()
    poller.step()
    before = fake.calls()
    clock.advance(590)
    poller.step()
    assert fake.calls() == before
    clock.advance(11)
    poller.step()
    assert fake.calls() > before


def test_token_refresh_401_and_revocation(env, mongo_db, fake) -> None:
    settings, pub = env
    connect(settings, mongo_db, fake, "pol-tok", expired=True)
    fake.add_play("pol-tok", tid(1), T0)
    clock = FakeClock(time.time())
    poller = Poller(settings, mongo_db, pub, clock)
    poller.refresh_users()
    poller.step()
    assert fake.calls("pol-tok", "/api/token") == 1  # refreshed before calling
    stored = TokenStore(settings, mongo_db, "pol-tok").get_cached_token()
    assert stored["access_token"] == "access-pol-tok-2" and stored["refresh_token"] == "refresh-pol-tok"

    fake.expire_tokens("pol-tok")  # the server now answers 401 to the current token
    fake.add_play("pol-tok", tid(2), T0 + timedelta(minutes=5))
    clock.advance(1600)
    poller.step()  # 401 → marked expired
    clock.advance(2)
    poller.step()  # refresh, then success
    pub.flush()
    assert fake.calls("pol-tok", "/api/token") == 2
    assert len(read_topic(settings, Topic.PLAYS, "pol-tok")) == 2

    fake.users["pol-tok"].revoked = True
    fake.expire_tokens("pol-tok")
    clock.advance(1600)
    poller.step()
    clock.advance(2)
    poller.step()  # refresh refused with invalid_grant: no crash, user needs to reconnect
    doc = mongo_db[Coll.USERS.value].find_one({"_id": "pol-tok"})
    assert doc["spotify"]["status"] == "needs_reconnect" and "pol-tok" not in poller.users


def test_playlist_connect_pages_reconnects_and_reports_403(env, mongo_db, fake) -> None:
    settings, pub = env
    connect(settings, mongo_db, fake, "pol-pl")
    own, other = "0" * 21 + "A", "0" * 21 + "B"
    fake.users["pol-pl"].playlists = {
        own: {
            "name": "Mine",
            "owner": "pol-pl",
            "snapshot_id": "snap1",
            "tracks": [track_object(tid(i)) for i in range(120)],
        },
        other: {"name": "Theirs", "owner": "someone", "snapshot_id": "s", "tracks": [], "forbidden": True},
    }
    poller = Poller(settings, mongo_db, pub, FakeClock(time.time()))
    poller.refresh_users()

    def command(action: str, **args: str) -> CommandEvent:
        return CommandEvent(
            event_id=f"cmd-{action}-{time.time_ns()}",
            user_id="pol-pl",
            action=action,
            requested_at=utc_now(),
            args=args,
        )

    poller.handle(command("connect_playlist", playlist=f"https://open.spotify.com/playlist/{own}?si=1"))
    pub.flush()
    events = [
        PlaylistTrackEvent.model_validate(v) for v in read_topic(settings, Topic.PLAYLIST_TRACKS, "pol-pl")
    ]
    assert [e.position for e in events] == list(range(120)) and {e.snapshot_id for e in events} == {"snap1"}
    assert fake.calls("pol-pl", f"/v1/playlists/{own}/items") == 3  # 50 + 50 + 20
    doc = mongo_db[Coll.PLAYLISTS.value].find_one({"_id": gold.playlist_id("pol-pl", own)})
    assert (doc["status"], doc["tracks"], doc["snapshot_id"], doc["connected"]) == (
        "ready",
        120,
        "snap1",
        True,
    )

    poller.handle(command("connect_playlist", playlist=f"spotify:playlist:{own}"))  # unchanged snapshot
    pub.flush()
    assert len(read_topic(settings, Topic.PLAYLIST_TRACKS, "pol-pl")) == 120

    prod = kafka.producer(settings)  # the forbidden one arrives through the commands topic
    kafka.send(prod, settings, Topic.COMMANDS, command("connect_playlist", playlist_id=other)).get(timeout=10)
    prod.close()
    consumer = kafka.consumer(settings, "earshot-producer-test", Topic.COMMANDS)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        poller.poll_commands(consumer)
        status = (
            mongo_db[Coll.PLAYLISTS.value].find_one({"_id": gold.playlist_id("pol-pl", other)}) or {}
        ).get("status")
        if status not in (None, "pending"):
            break
    consumer.close()
    doc = mongo_db[Coll.PLAYLISTS.value].find_one({"_id": gold.playlist_id("pol-pl", other)})
    assert doc["status"] == "forbidden" and "own or collaborate" in doc["message"]

    poller.handle(command("connect_playlist", playlist="1" * 22))
    assert (
        mongo_db[Coll.PLAYLISTS.value].find_one({"_id": gold.playlist_id("pol-pl", "1" * 22)})["status"]
        == "not_found"
    )
    poller.handle(command("list_playlists"))
    assert mongo_db[Coll.PLAYLISTS.value].count_documents({"user_id": "pol-pl"}) == 3


def test_connect_runs_the_authorization_code_flow_on_loopback(env, mongo_db, fake) -> None:
    import socket

    import requests

    from producer.poller.connect import connect as connect_flow

    settings, _ = env
    fake.add_user("pol-new")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = settings.model_copy(update={"spotify_redirect_uri": f"http://127.0.0.1:{port}/callback"})
    pages: list[int] = []
    account = connect_flow(
        settings,
        "pol-new",
        timeout_s=20,
        on_url=lambda url: pages.append(requests.get(url, timeout=10).status_code),
    )
    assert account == "pol-new" and pages == [200]
    doc = mongo_db[Coll.USERS.value].find_one({"_id": "pol-new"})
    assert doc["spotify"]["status"] == "connected" and doc["spotify"]["token"]
    assert TokenStore(settings, mongo_db, "pol-new").get_cached_token()["refresh_token"] == "refresh-pol-new"


def test_unreadable_token_marks_reconnect_instead_of_prompting(env, mongo_db, fake) -> None:
    settings, pub = env
    connect(settings, mongo_db, fake, "pol-lost")
    other_key = settings.model_copy(update={"token_key": SecretStr(Fernet.generate_key().decode())})
    poller = Poller(other_key, mongo_db, pub, FakeClock(time.time()))
    poller.refresh_users()
    poller.step()
    assert mongo_db[Coll.USERS.value].find_one({"_id": "pol-lost"})["spotify"]["status"] == "needs_reconnect"


def test_server_errors_back_off_and_recover(env, mongo_db, fake) -> None:
    settings, pub = env
    connect(settings, mongo_db, fake, "pol-5xx")
    fake.add_play("pol-5xx", tid(7), T0)
    fake.fail("GET", "/v1/me/player/recently-played", 503, user="pol-5xx", times=2)
    clock = FakeClock(time.time())
    poller = Poller(settings, mongo_db, pub, clock)
    poller.refresh_users()
    poller.step()  # 503 → retry in 5 s
    clock.advance(4)
    poller.step()
    assert fake.calls("pol-5xx", "/v1/me/player/recently-played") == 1
    clock.advance(1)
    poller.step()  # 503 again → 10 s
    clock.advance(10)
    poller.step()
    pub.flush()
    assert fake.calls("pol-5xx", "/v1/me/player/recently-played") == 3
    assert [p["track_id"] for p in read_topic(settings, Topic.PLAYS, "pol-5xx")] == [tid(7)]
