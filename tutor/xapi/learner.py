"""The learner's pseudonym: the only name statements carry (`actor.account.name`), chosen by the learner or
drawn at random the first time it is needed, never their login."""

from __future__ import annotations

import secrets

from tutor.safetext import quote

KEY = "pseudonym"
MAX = 64


class BadPseudonym(ValueError):
    pass


def pseudonym(store) -> str:
    """This progress's pseudonym; a random one (`learner-` and 8 hex digits) is stored the first time."""
    return store.setting(KEY) or store.set_setting(KEY, f"learner-{secrets.token_hex(4)}", keep=True)


def check(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX or not name.isprintable():
        raise BadPseudonym(f"pseudonym {quote(name)}: 1 to {MAX} printable characters")
    return name


def set_pseudonym(store, name: str) -> str:
    return store.set_setting(KEY, check(name))
