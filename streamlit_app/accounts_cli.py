"""`earshot user add|list|passwd|remove`: the dashboard's accounts (core.accounts, docs/security.md).

    earshot user add alice --owns alice --owns alice-2019   # asks for the password twice
    earshot user add mum --admin --email mum@example.org    # an admin, linked to an SSO identity
    earshot user list
    earshot user passwd alice
    earshot user remove alice                               # her listeners' data stays
Scripts pass the password on stdin with `--password-stdin`; it is never an argument.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = sub.add_parser("user", help="dashboard accounts: add, list, change a password, remove")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create an account (asks for its password)")
    add.add_argument("name", help="the account name (what you type to sign in)")
    add.add_argument("--admin", action="store_true", help="sees every listener and manages accounts")
    add.add_argument(
        "--owns",
        action="append",
        default=[],
        metavar="USER_ID",
        help="an earshot user id this account may see (repeatable; default: its own name)",
    )
    add.add_argument("--email", default=None, help="link a single sign-on identity (st.login) by e-mail")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=_add)
    user_sub.add_parser("list", help="the accounts and what each may see").set_defaults(handler=_list)
    passwd = user_sub.add_parser("passwd", help="set an account's password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd.set_defaults(handler=_passwd)
    remove = user_sub.add_parser("remove", help="delete an account (the listeners' data stays)")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)


def _db():  # type: ignore[no-untyped-def]
    from core import mongo
    from core.settings import get_settings

    settings = get_settings()
    return mongo.client(settings), settings.mongo_db


def _add(args: argparse.Namespace) -> int:
    from core import accounts

    password = accounts.read_password(args.password_stdin, confirm=True)
    client, name = _db()
    with client:
        made = accounts.add(
            client[name], args.name, password, admin=args.admin, owns=args.owns, email=args.email
        )
    role = "admin" if made.admin else f"sees {', '.join(made.owns)}"
    print(f"account {made.name} created ({role}); sign in on the dashboard")  # noqa: T201
    return 0


def _list(args: argparse.Namespace) -> int:
    from core import accounts

    client, name = _db()
    with client:
        found = accounts.every(client[name])
    if not found:
        print("no accounts yet: earshot user add NAME --admin")  # noqa: T201
    for a in found:
        sees = "everyone" if a.admin else ", ".join(a.owns) or "nothing"
        extra = (f"  sso {a.email}" if a.email else "") + ("  household" if a.household else "")
        print(f"{a.name:20} {'admin' if a.admin else 'listener':8} sees {sees}{extra}")  # noqa: T201
    return 0


def _passwd(args: argparse.Namespace) -> int:
    from core import accounts

    password = accounts.read_password(args.password_stdin, confirm=True)
    client, name = _db()
    with client:
        accounts.set_password(client[name], args.name, password)
    print(f"password of {accounts.normalize(args.name)} changed")  # noqa: T201
    return 0


def _remove(args: argparse.Namespace) -> int:
    from core import accounts

    client, name = _db()
    with client:
        accounts.remove(client[name], args.name)
    print(f"account {accounts.normalize(args.name)} removed")  # noqa: T201
    return 0
