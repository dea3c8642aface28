"""Where the learning record store is and who we are to it: `--lrs URL`, else `TUTOR_LRS_URL`, else the
config file; the user name and password from `TUTOR_LRS_USER` / `TUTOR_LRS_PASSWORD`, else the config file
(`lrs.toml` in tutor's data folder, or the file `TUTOR_LRS_CONFIG` names). Nothing here ever prints a
password, and a URL with credentials in it is refused (it would end up in shell history and messages)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tutor.safetext import one_line, quote


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class LrsConfig:
    endpoint: str  # .../xAPI/statements: also the key under which acknowledgements are kept
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password or "") if self.username else None


def config_path() -> Path:
    env = os.environ.get("TUTOR_LRS_CONFIG")
    if env:
        return Path(env).expanduser()
    from tutor import paths

    return paths.home() / "lrs.toml"


def endpoint(url: str) -> str:
    """The statements resource of the LRS at `url` (a base URL, `.../xAPI` or `.../xAPI/statements`)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"LRS URL {quote(url)}: give an http:// or https:// address")
    if parts.username or parts.password:
        raise ConfigError("LRS URL: leave the user name and password out of the URL; set TUTOR_LRS_USER and "
                          "TUTOR_LRS_PASSWORD, or put them in the config file")
    path = parts.path.rstrip("/")
    if not path.lower().endswith("/statements"):
        path += "/statements" if path.lower().endswith("/xapi") else "/xAPI/statements"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _file() -> tuple[dict, list[str]]:
    path = config_path()
    if not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{one_line(path)}: cannot read the LRS settings ({one_line(exc)})") from None
    warnings = []
    if "password" in data and os.name == "posix" and path.stat().st_mode & 0o077:
        warnings.append(f"{one_line(path)} holds a password and others can read it: chmod 600 {one_line(path)}")
    for key in ("url", "username", "password"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{one_line(path)}: {key} must be text")
    return data, warnings


def load(url: str | None = None) -> LrsConfig:
    data, warnings = _file()
    url = url or os.environ.get("TUTOR_LRS_URL") or data.get("url")
    if not url:
        raise ConfigError(f"no LRS: give --lrs URL, set TUTOR_LRS_URL, or put url = \"...\" in {one_line(config_path())}")
    user = os.environ.get("TUTOR_LRS_USER") or data.get("username")
    password = os.environ.get("TUTOR_LRS_PASSWORD") if os.environ.get("TUTOR_LRS_USER") else data.get("password")
    return LrsConfig(endpoint(url), user, password, tuple(warnings))
