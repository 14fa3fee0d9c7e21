"""Who is signed in to the dashboard and which listeners they may see, checked on the server.

Local accounts (core.accounts) sign in with the form here (rate limited by core.signin). The
session is server-side: a random token in `st.session_state` that this process's session table
(`_SESSIONS`) maps to the account until `session_hours` have passed. Crafted widget state or
query parameters cannot sign anyone in or widen what they see: a token counts only if this
process issued it, and every page asks `require_account()` / `check()` before it reads. A reload of
the browser tab starts a new Streamlit session and asks again (Streamlit offers no maintained way
for an app to set its own signed cookie).

Single sign-on through Streamlit's own `st.login` (OpenID Connect) is offered when
`.streamlit/secrets.toml` has an `[auth]` section; Streamlit keeps that identity in its signed
cookie, and the identity's e-mail address links it to an account (`earshot user add NAME --email`).
With EARSHOT_AUTH=off (allowed on loopback only) everyone is the local admin. docs/security.md.

    account = auth.require_account()   # the sign-in form and st.stop() when nobody is signed in
    auth.check(user_id)                # the account, or PermissionError when it may not see user_id
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

import streamlit as st

from core import accounts, signin
from core.accounts import Account
from core.settings import get_settings
from streamlit_app import queries as q

TOKEN = "earshot-session"  # the session_state key holding this browser session's token
LOCAL = Account("local", admin=True)  # everyone, when EARSHOT_AUTH=off
NO_ACCOUNT = (
    "No account yet. Create the first one on the server with "
    "`earshot user add NAME --admin` (it asks for the password), then sign in here."
)

_SESSIONS: dict[str, tuple[str, float]] = {}  # token → (account name, expires at, monotonic)
_LOCK = threading.Lock()


def start_session(name: str) -> str:
    """Issue a token for a verified account (the sign-in form's last step)."""
    ttl = get_settings().session_hours * 3600
    token = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _LOCK:
        for old in [t for t, (_, exp) in _SESSIONS.items() if exp <= now]:
            del _SESSIONS[old]
        _SESSIONS[token] = (name, now + ttl)
    return token


def end_session(token: str | None) -> None:
    with _LOCK:
        _SESSIONS.pop(token or "", None)


def _session_account() -> Account | None:
    token = st.session_state.get(TOKEN)
    with _LOCK:
        entry = _SESSIONS.get(token) if isinstance(token, str) else None
    if entry is None or entry[1] <= time.monotonic():
        return None
    return accounts.get(q.db(), entry[0])  # read again: a removed account or lost admin right counts now


def sso_providers() -> list[str | None]:
    """The `st.login` providers configured in secrets.toml ([auth] itself → None, [auth.NAME] → NAME)."""
    try:
        conf: Any = st.secrets.get("auth")
    except Exception:  # no secrets file at all
        return []
    if not conf:
        return []
    named = [k for k, v in conf.items() if hasattr(v, "items")]
    return ([None] if "client_id" in conf else []) + named


def _sso_signed_in() -> bool:
    """Whether st.login has an identity in this session (only asked when SSO is configured)."""
    return bool(sso_providers()) and bool(st.user.get("is_logged_in"))


def _sso_account() -> Account | None:
    if not _sso_signed_in():
        return None
    email = st.user.get("email")
    return accounts.by_email(q.db(), str(email)) if email else None


def current() -> Account | None:
    """The signed-in account (None: nobody), LOCAL when sign-in is off."""
    if not get_settings().auth:
        return LOCAL
    return _session_account() or _sso_account()


def is_admin() -> bool:
    account = current()
    return bool(account and account.admin)


def check(user_id: str) -> Account:
    """The signed-in account when it may see `user_id`; PermissionError otherwise."""
    account = current()
    if account is None or not account.may_see(user_id):
        raise PermissionError(f"not allowed to see listener {user_id!r}")
    return account


def recheck(user_id: str) -> None:
    """In a fragment's own reruns (which skip the page's checks): rerun the whole page — and so
    show the sign-in form — once the session ended or lost the right to `user_id`."""
    account = current()
    if account is None or not account.may_see(user_id):
        st.rerun(scope="app")


def require_account() -> Account:
    """The signed-in account (with 'signed in as' and sign-out in the sidebar), or the sign-in
    form in place of the page and `st.stop()`."""
    account = current()
    if account is None:
        sign_in_form()
        st.stop()
    assert account is not None
    if account is not LOCAL:
        st.sidebar.caption(f"Signed in as **{account.name}**" + (" (admin)" if account.admin else ""))
        if st.sidebar.button("Sign out", key="sign-out"):
            end_session(st.session_state.pop(TOKEN, None))
            if _sso_signed_in():
                st.logout()
            st.rerun()
    return account


def _wrong_identity() -> None:
    st.warning(
        f"You are signed in as {st.user.get('email')}, which no earshot account is linked to. "
        "An admin can link it: `earshot user add NAME --email ADDRESS`."
    )
    if st.button("Sign out", key="sso-out"):
        st.logout()


def sign_in_form() -> None:
    """The sign-in page: single sign-on buttons (when configured) and the password form."""
    st.subheader("Sign in to see this page")  # under the page's own title
    db = q.db()
    providers = sso_providers()
    if not providers and not accounts.exists(db):
        st.info(NO_ACCOUNT)
        return
    if _sso_signed_in():
        _wrong_identity()
        return
    for provider in providers:
        label = f"Sign in with {provider or 'single sign-on'}"
        st.button(label, key=f"sso-{provider}", on_click=st.login, args=(provider,) if provider else ())
    with st.form("sign-in", clear_on_submit=True):
        name = st.text_input("Account", key="signin-name")
        password = st.text_input("Password", type="password", key="signin-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    try:
        account = signin.sign_in(db, get_settings(), name, password)
    except signin.Locked as exc:
        st.error(f"Sign-in refused: {exc}.")
        return
    if account is None:
        st.error("Wrong account name or password.")
        return
    st.session_state[TOKEN] = start_session(account.name)
    st.rerun()
