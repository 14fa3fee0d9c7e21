"""Sign-in rules that need no server: who may see which listener, the lock-out arithmetic, the
refusal to serve an open dashboard, Airflow's sign-in off loopback, the household comparison."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.accounts import Account, AccountError, normalize
from core.errors import EarshotError
from core.events import utc_now
from core.settings import get_settings, is_loopback, load_settings
from core.signin import locked_for
from infra.airflow_cli import airflow_env, write_passwords
from streamlit_app import APP_SCRIPT, household, server_args
from streamlit_app.guard import refuse_open


def test_a_listener_sees_only_what_it_owns_and_an_admin_everything():
    alice = Account("alice", owns=("alice", "alice-2019"))
    assert alice.visible(["bob", "alice-2019", "alice"]) == ["alice-2019", "alice"]
    assert not alice.may_see("bob")
    assert Account("mum", admin=True).visible(["bob", "alice"]) == ["bob", "alice"]


def test_account_names_are_normalised_and_checked():
    assert normalize("  Alice ") == "alice"
    for bad in ("", "-x", "a b", "x" * 65, "$ne"):
        with pytest.raises(AccountError):
            normalize(bad)


def test_lockout_after_max_failures_for_the_window():
    settings = load_settings(signin_max_failures=3, signin_window_minutes=10)
    now = utc_now()
    assert locked_for(None, settings, now) == 0
    assert locked_for({"failures": 2, "last_failure_at": now}, settings, now) == 0
    doc = {"failures": 3, "last_failure_at": now - timedelta(minutes=4)}
    assert locked_for(doc, settings, now) == 6 * 60
    assert locked_for(doc, settings, now + timedelta(minutes=6, seconds=1)) == 0


def test_loopback_addresses():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "", "::", "192.168.1.20", "earshot.home.arpa"))


def test_auth_off_is_refused_beyond_loopback_with_a_clear_message():
    off = load_settings(auth="off")
    refuse_open(off, "127.0.0.1")  # one person on one machine: allowed
    refuse_open(load_settings(), "0.0.0.0")  # sign-in on: allowed anywhere
    with pytest.raises(
        EarshotError, match=r"refusing to serve the dashboard on 0\.0\.0\.0 with EARSHOT_AUTH=off"
    ):
        refuse_open(off, "0.0.0.0")
    with pytest.raises(EarshotError, match="every interface"):
        refuse_open(off, None)


@pytest.mark.parametrize("argv", [["run"], ["app"], ["component", "app"]])
def test_earshot_run_and_app_fail_at_start_when_open(argv, monkeypatch, capsys):
    from earshot.cli import main

    monkeypatch.setenv("EARSHOT_AUTH", "off")
    monkeypatch.setenv("EARSHOT_BIND_HOST", "0.0.0.0")
    get_settings.cache_clear()
    try:
        assert main(argv) == 1  # before the stack or Streamlit starts: nothing was launched
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "refusing to serve the dashboard on 0.0.0.0 with EARSHOT_AUTH=off" in err


def test_the_app_itself_refuses_an_open_address(monkeypatch):
    # `streamlit run` by hand binds every interface unless told otherwise
    monkeypatch.setenv("EARSHOT_AUTH", "off")
    get_settings.cache_clear()
    try:
        at = AppTest.from_file(str(APP_SCRIPT), default_timeout=30).run()
    finally:
        get_settings.cache_clear()
    assert "refusing to serve the dashboard" in at.error[0].value
    assert not at.title  # no page ran


def test_streamlit_runs_with_xsrf_cors_and_strict_cookies():
    args = server_args("127.0.0.1", 8501)
    opts = dict(zip(args[2::2], args[3::2], strict=False))
    assert opts["--server.enableXsrfProtection"] == "true" and opts["--server.enableCORS"] == "true"
    assert opts["--server.xsrfCookieSameSite"] == "strict"
    assert opts["--client.showErrorDetails"] == "none"


def test_airflow_off_loopback_signs_in_its_own_user_not_the_generated_admin(tmp_path: Path):
    local = airflow_env(load_settings(data_dir=tmp_path))
    assert "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS" not in local  # standalone's admin, loopback only
    with pytest.raises(EarshotError, match="set EARSHOT_AIRFLOW_PASSWORD"):
        airflow_env(load_settings(data_dir=tmp_path, bind_host="0.0.0.0"))
    settings = load_settings(
        data_dir=tmp_path, bind_host="0.0.0.0", airflow_user="ops", airflow_password="s3cret-pw"
    )
    env = airflow_env(settings)
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "ops:admin"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] == "False"
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True)
    write_passwords(settings, env)
    path = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    assert path.read_text().strip() == '{"ops": "s3cret-pw"}'
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_household_compares_only_consenting_accounts():
    every = [
        Account("alice", owns=("alice",), household=True),
        Account("bob", owns=("bob", "bob-old"), household=True),
        Account("carol", owns=("carol",)),
    ]
    owner = household.listeners(every)
    assert owner == {"alice": "alice", "bob": "bob", "bob-old": "bob"}  # carol did not agree
    assert household.pairs(owner) == [("alice", "bob"), ("alice", "bob-old")]  # not bob with bob
    a = {"x": ("X", 10), "y": ("Y", 5), "z": ("Z", 1)}
    b = {"x": ("X", 4), "y": ("Y", 8), "w": ("W", 3)}
    assert household.shared(a, b) == [("Y", 5, 8), ("X", 10, 4)]
    assert household.affinity({"x": 1}, {"x": 5}) == 100.0
    assert household.affinity({"x": 1}, {"y": 5}) == 0.0
    assert 0 < household.artist_affinity(a, b) < 100


def test_compose_containers_bind_every_interface_but_count_as_loopback_when_published_there(tmp_path):
    from core.errors import EarshotError
    from infra.airflow_cli import airflow_env
    from streamlit_app.guard import refuse_open
    from tests.conftest import fresh_settings

    inside = fresh_settings(bind_host="0.0.0.0", publish_host="127.0.0.1", data_dir=tmp_path, auth=False)
    assert inside.loopback
    airflow_env(inside)  # the generated admin, as on a laptop: only this machine reaches it
    refuse_open(inside, inside.bind_host)
    lan = fresh_settings(bind_host="0.0.0.0", publish_host="0.0.0.0", data_dir=tmp_path, auth=False)
    assert not lan.loopback
    with pytest.raises(EarshotError, match="EARSHOT_AIRFLOW_PASSWORD"):
        airflow_env(lan)
    with pytest.raises(EarshotError, match="EARSHOT_AUTH=off"):
        refuse_open(lan, lan.bind_host)
