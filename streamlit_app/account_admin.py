"""Settings → Accounts: every account changes its own password; an admin also sees the accounts
and creates new ones (name, password, admin, which listeners they own, an SSO e-mail)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import accounts
from core.accounts import Account, AccountError
from streamlit_app import auth
from streamlit_app import queries as q


def render(account: Account, listener_ids: list[str]) -> None:
    st.subheader("Accounts")
    if account is auth.LOCAL:
        st.caption("Sign-in is off (EARSHOT_AUTH=off, loopback only): everyone here is an admin.")
        return
    _own_password(account)
    if account.admin:
        _accounts_table()
        _create_form(listener_ids)


def _own_password(account: Account) -> None:
    with st.form("own-password", clear_on_submit=True):
        st.caption(f"Change the password of **{account.name}**")
        new = st.text_input("New password", type="password", key="own-new-password")
        if st.form_submit_button("Change password") and new:
            try:
                accounts.set_password(q.db(), account.name, new)
            except AccountError as exc:
                st.error(str(exc))
            else:
                st.success("Password changed.")


def _accounts_table() -> None:
    rows = [
        {
            "account": a.name,
            "admin": a.admin,
            "owns": ", ".join(a.owns),
            "sso e-mail": a.email or "",
            "household": a.household,
        }
        for a in accounts.every(q.db())
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def _create_form(listener_ids: list[str]) -> None:
    with st.form("add-account", clear_on_submit=True):
        st.caption("Create an account")
        name = st.text_input("Account name", key="new-account-name")
        password = st.text_input("Password", type="password", key="new-account-password")
        owns = st.multiselect("Listeners it may see", listener_ids, key="new-account-owns")
        email = st.text_input("Single sign-on e-mail (optional)", key="new-account-email")
        admin = st.checkbox("Admin (sees every listener, manages accounts)", key="new-account-admin")
        if not st.form_submit_button("Create account"):
            return
    if not auth.is_admin():  # checked again on the server at the moment of writing
        st.error("Only an admin creates accounts.")
        return
    try:
        made = accounts.add(q.db(), name, password, admin=admin, owns=owns, email=email or None)
    except AccountError as exc:
        st.error(str(exc))
        return
    st.success(f"Created account {made.name} (sees {', '.join(made.owns) or 'nothing yet'}).")
