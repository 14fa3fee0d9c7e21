"""Sign-in and per-listener privacy, on every page, with AppTest against the real local server.

The seeded listener 'alice' (account alice) has plays; 'demo-listener' (account demo-owner) has
three plays of a Björk track. Nobody signed in sees nothing; demo-owner cannot reach alice's data
by crafting widget state, a query parameter or a session token; an admin sees everyone.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from core.collections import Coll
from core.events import utc_now
from streamlit_app import auth
from tests.integration.signin import ADMIN, ALICE, DEMO_OWNER, PASSWORDS, add_accounts
from tests.integration.test_app_pages import run
from tests.seed import DEMO, EMPTY, USER, build_play, seed_known, write_plays

pytestmark = pytest.mark.integration
PAGES = Path(__file__).resolve().parents[2] / "streamlit_app" / "pages"
ALICE_ONLY = ("Army of Me", "No Surprises", "Hyperballad", "Radiohead", "1,500")  # 1,500: her import


@pytest.fixture(scope="module")
def seeded(mongo_db: Any) -> Iterator[dict[str, Any]]:
    now = utc_now()
    expected = seed_known(mongo_db, now)
    demo = [
        build_play(DEMO, 500 + n, now - timedelta(minutes=10 * n + 1), "t7", None, "web") for n in range(3)
    ]
    write_plays(mongo_db, DEMO, demo)
    add_accounts(mongo_db)
    yield expected


def page(name: str, account: str | None = None, query: dict[str, str] | None = None, **state: Any) -> AppTest:
    """A page as `account` (None: not signed in), with only the given query and widget state."""
    return run(name, user=None, params=query, account=account, **state)


def signing_in(at: AppTest) -> bool:
    """The sign-in form is on screen (after the page's own title when a page runs alone)."""
    return "Sign in to see this page" in [t.value for t in at.subheader]


def shown(at: AppTest) -> str:
    """Everything a person would read: text, tables, metrics, widget options, download contents."""
    parts: list[str] = []
    for kind in ("title", "markdown", "caption", "info", "success", "error", "warning", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.value.to_csv() for e in at.dataframe] + [e.value.to_csv() for e in at.table]
    parts += [" ".join(map(str, s.options)) for s in at.selectbox]
    for button in at.get("download_button"):
        parts.append(str(button.proto.url))
    return "\n".join(parts)


ALL_PAGES = sorted(p.name for p in PAGES.glob("*.py"))


@pytest.mark.parametrize("name", ALL_PAGES)
def test_without_signing_in_no_page_shows_any_listeners_data(seeded: Any, name: str) -> None:
    at = page(name, query={"user": USER}, user_id=USER, user_pick=USER)  # crafted, but no session
    assert signing_in(at)
    assert not at.metric and not at.dataframe and not at.table and not at.get("download_button")
    body = shown(at)
    assert not any(s in body for s in (*ALICE_ONLY, "Pagan Poetry", "Alice", "Demo listener")), body
    forged = page(name, **{auth.TOKEN: "made-up-token", "user_id": USER})
    assert signing_in(forged) and not forged.metric


@pytest.mark.parametrize("name", ALL_PAGES)
def test_another_listener_is_out_of_reach_even_with_crafted_state_and_query(seeded: Any, name: str) -> None:
    at = page(name, DEMO_OWNER, query={"user": USER}, user_id=USER, user_pick=USER)
    if at.sidebar.selectbox:
        assert at.sidebar.selectbox[0].options == ["Demo listener (demo data)"]
    body = shown(at)
    assert not any(s in body for s in ALICE_ONLY), body


def test_a_listener_sees_their_own_data_and_downloads_only_it(seeded: Any) -> None:
    live = page("live.py", DEMO_OWNER, user_id=USER)
    assert list(live.table[0].value["track"]) == ["Pagan Poetry"] * 3
    over = page("overview.py", DEMO_OWNER, user_id=USER, **{"overview-preset": "all time"})
    assert {m.label: m.value for m in over.metric}["Streams"] == "3"
    assert len(over.get("download_button")) == 3  # the three formats of demo-listener's numbers
    mine = page("overview.py", ALICE, **{"overview-preset": "all time"})
    assert {m.label: m.value for m in mine.metric}["Streams"] == f"{seeded['all_totals']['streams']:,}"
    assert mine.sidebar.selectbox[0].options == ["Alice", "Newbie"]  # alice owns both


def test_an_admin_sees_every_listener(seeded: Any) -> None:
    at = page("live.py", ADMIN, user_id=USER)
    assert at.sidebar.selectbox[0].options == ["Alice", "Demo listener (demo data)", "Newbie"]
    assert "No Surprises" in shown(at)
    asked = page("live.py", ADMIN, query={"user": DEMO})
    assert asked.sidebar.selectbox[0].value == DEMO  # ?user= works for what the account may see
    assert "Dead letters" in shown(page("pipeline.py", ADMIN)) and page("pipeline.py", ADMIN).dataframe[1]


def test_import_page_shows_and_imports_only_for_own_listeners(seeded: Any) -> None:
    theirs = page("import_export.py", DEMO_OWNER, user_id=USER)
    assert "No imports yet for this user." in shown(theirs)  # not alice's 1,500-record report
    own = page("import_export.py", ALICE, user_id=USER)
    assert {m.label: m.value for m in own.metric}["Records"] == "1,500"


def test_commands_carry_the_signed_in_account(seeded: Any) -> None:
    from core import kafka
    from core.events import CommandEvent, decode
    from core.settings import get_settings
    from core.topics import Topic

    settings = get_settings()
    kafka.ensure_topics(settings, [Topic.COMMANDS])
    at = page("playlists.py", ALICE, user_id=USER)
    at.text_input[0].set_value("spotify:playlist:abcdefghijkl0123456789")
    at.button[0].click().run()
    assert any("Requested playlist" in s.value for s in at.success)
    consumer = kafka.consumer(settings, None, Topic.COMMANDS, consumer_timeout_ms=5000)
    try:
        events = [decode(CommandEvent, m.value) for m in consumer]
    finally:
        consumer.close()
    sent = [e for e in events if e.args.get("playlist_id") == "abcdefghijkl0123456789"]
    assert [(e.user_id, e.requested_by) for e in sent] == [(USER, ALICE)]


def _sign_in_form(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin-name").set_value(name)
    at.text_input(key="signin-password").set_value(password)
    return at.button[0].click().run()


def test_sign_in_through_the_form_and_out(seeded: Any) -> None:
    at = page("live.py")
    _sign_in_form(at, "Alice", PASSWORDS[ALICE])  # names are case-insensitive
    assert not at.exception and not signing_in(at)
    assert "No Surprises" in shown(at) and "Signed in as **alice**" in shown(at)
    at.sidebar.button(key="sign-out").click().run()
    assert signing_in(at) and not at.metric


def test_wrong_passwords_are_rate_limited_across_restarts(seeded: Any, mongo_db: Any) -> None:
    at = page("live.py")
    for _ in range(5):
        _sign_in_form(at, DEMO_OWNER, "not-the-password")
        assert at.error[0].value == "Wrong account name or password."
    _sign_in_form(at, DEMO_OWNER, PASSWORDS[DEMO_OWNER])  # the right one, too late
    assert at.error[0].value.startswith("Sign-in refused: too many wrong passwords: try again in")
    assert signing_in(at)
    again = _sign_in_form(page("live.py"), DEMO_OWNER, PASSWORDS[DEMO_OWNER])  # a new session
    assert again.error[0].value.startswith("Sign-in refused")
    assert mongo_db[Coll.SIGNIN_ATTEMPTS.value].find_one({"_id": DEMO_OWNER})["failures"] == 5
    mongo_db[Coll.SIGNIN_ATTEMPTS.value].delete_many({})
    ok = _sign_in_form(page("live.py"), DEMO_OWNER, PASSWORDS[DEMO_OWNER])
    assert not signing_in(ok) and ok.metric


def test_passwords_are_stored_as_argon2id_hashes_only(seeded: Any, mongo_db: Any) -> None:
    doc = mongo_db[Coll.ACCOUNTS.value].find_one({"_id": ALICE})
    assert doc["password_hash"].startswith("$argon2id$")
    assert PASSWORDS[ALICE] not in str(doc)
    assert PasswordHasher().verify(doc["password_hash"], PASSWORDS[ALICE])


def test_settings_account_forms_are_for_admins(seeded: Any, mongo_db: Any) -> None:
    listener = page("settings.py", ALICE, user_id=USER)
    labels = {b.label for b in listener.button}
    assert "Create account" not in labels and "Add user" not in labels and "Change password" in labels
    admin = page("settings.py", ADMIN, user_id=USER)
    admin.text_input(key="new-account-name").set_value("Grandpa")
    admin.text_input(key="new-account-password").set_value("grandpa-pass-1")
    admin.multiselect(key="new-account-owns").set_value([EMPTY])
    next(b for b in admin.button if b.label == "Create account").click().run()
    assert any("Created account grandpa (sees newbie)" in s.value for s in admin.success)
    doc = mongo_db[Coll.ACCOUNTS.value].find_one({"_id": "grandpa"})
    assert doc["owns"] == [EMPTY] and not doc["admin"] and "grandpa-pass-1" not in str(doc)


def test_household_compares_only_listeners_who_agreed(seeded: Any, mongo_db: Any) -> None:
    at = page("household.py", ALICE)
    assert "You have not joined" in shown(at) and not at.dataframe
    at.toggle(key="household-consent").set_value(True).run()
    assert not at.exception
    assert mongo_db[Coll.ACCOUNTS.value].find_one({"_id": ALICE})["household"] is True
    assert "Nobody else has joined yet" in shown(at)  # demo-owner has not agreed
    theirs = page("household.py", DEMO_OWNER)
    theirs.toggle(key="household-consent").set_value(True).run()
    row = theirs.dataframe[0].value.to_dict("records")[0]
    assert (row["listener"], row["and"], row["shared artists"]) == ("Alice", "Demo listener", 1)
    assert 0 < row["artist affinity %"] < 100  # Björk in common, Radiohead only hers
    shared = theirs.dataframe[1].value
    assert shared["artist"].tolist() == ["Björk"] and shared["Demo listener streams"].tolist() == [3]
    mongo_db[Coll.ACCOUNTS.value].update_many({}, {"$set": {"household": False}})


def _export(tmp_path: Path, *args: str, password: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "earshot.cli", "export", "--user", USER, "--out", str(tmp_path), *args],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_export_only_for_the_listeners_account_or_an_admin(seeded: Any, tmp_path: Path) -> None:
    refused = _export(tmp_path / "a")
    assert refused.returncode == 1 and "export needs --account NAME" in refused.stderr
    other = _export(
        tmp_path / "b", "--account", DEMO_OWNER, "--password-stdin", password=PASSWORDS[DEMO_OWNER]
    )
    assert other.returncode == 1 and "may not read listener 'alice'" in other.stderr
    wrong = _export(tmp_path / "c", "--account", ALICE, "--password-stdin", password="guess-guess")
    assert wrong.returncode == 1 and "wrong account name or password" in wrong.stderr
    for name in (ALICE, ADMIN):
        done = _export(tmp_path / name, "--account", name, "--password-stdin", password=PASSWORDS[name])
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name / "plays.csv").is_file()
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def _sso(at: AppTest, email: str) -> AppTest:
    """A session whose st.login identity (OpenID Connect) is `email`, with SSO configured."""
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "earshot",
        "client_secret": "test-secret",
        "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
    }
    at.user = {"is_logged_in": True, "email": email}
    return at


def test_single_sign_on_maps_the_identity_to_its_linked_account(seeded: Any, mongo_db: Any) -> None:
    from core import accounts

    offered = AppTest.from_file(str(PAGES / "live.py"), default_timeout=60)
    offered.secrets["auth"] = {"client_id": "earshot", "redirect_uri": "x", "cookie_secret": "y"}
    offered.run()
    assert "Sign in with single sign-on" in [b.label for b in offered.button]  # next to the form
    accounts.add(mongo_db, "alex", "alex-pass-1234", owns=[DEMO], email="Alex@Example.org")
    linked = _sso(AppTest.from_file(str(PAGES / "live.py"), default_timeout=60), "alex@example.org")
    linked.session_state["user_id"] = USER
    linked.run()
    assert not linked.exception and not signing_in(linked)
    assert linked.sidebar.selectbox[0].options == ["Demo listener (demo data)"]
    assert not any(s in shown(linked) for s in ALICE_ONLY)
    stranger = _sso(AppTest.from_file(str(PAGES / "live.py"), default_timeout=60), "eve@example.org").run()
    assert "which no earshot account is linked to" in stranger.warning[0].value
    assert not stranger.metric and not stranger.table


def test_first_start_without_an_account_says_how_to_create_one(seeded: Any, caplog: Any) -> None:
    from core.settings import get_settings
    from streamlit_app.cli import prepare
    from streamlit_app.guard import FIRST_ACCOUNT, first_account_hint

    settings = get_settings()
    assert first_account_hint(settings) is None  # this database has accounts
    empty = settings.model_copy(update={"mongo_db": settings.mongo_db + "_noaccounts"})
    with caplog.at_level("WARNING", logger="earshot.app"):
        prepare(empty)
    assert FIRST_ACCOUNT in caplog.text and "earshot user add NAME --admin" in FIRST_ACCOUNT
    assert first_account_hint(empty.model_copy(update={"auth": False})) is None


def _earshot(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "earshot.cli", *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def test_earshot_user_add_list_and_passwd(seeded: Any, mongo_db: Any) -> None:
    made = _earshot("user", "add", "Kid", "--owns", EMPTY, "--password-stdin", stdin="kid-pass-1234\n")
    assert made.returncode == 0 and "account kid created (sees newbie)" in made.stdout, made.stderr
    assert _earshot("user", "add", "kid", "--password-stdin", stdin="another-pass\n").returncode == 1
    short = _earshot("user", "add", "tiny", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    listed = _earshot("user", "list").stdout
    assert "kid" in listed and "sees newbie" in listed and "admin    sees everyone" in listed
    assert _earshot("user", "passwd", "kid", "--password-stdin", stdin="kid-new-pass-1\n").returncode == 0
    from core import accounts

    assert accounts.verify(mongo_db, "kid", "kid-new-pass-1") is not None
    assert accounts.verify(mongo_db, "kid", "kid-pass-1234") is None
    assert "kid-new-pass-1" not in listed + made.stdout + made.stderr
    token = auth.start_session("kid")
    assert _earshot("user", "remove", "kid").returncode == 0
    gone = AppTest.from_file(str(PAGES / "live.py"), default_timeout=60)
    gone.session_state[auth.TOKEN] = token  # a session opened before the removal
    assert signing_in(gone.run()) and accounts.get(mongo_db, "kid") is None
