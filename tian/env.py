"""Typed readers for environment variables that fail loudly on bad values.

Settings read the environment only through these helpers, so a typo such as ``DEBUG=ture`` stops the
process with a message naming the variable instead of silently meaning something else.
"""

import os
from urllib.parse import parse_qsl, unquote, urlsplit


class ImproperlyConfiguredEnv(ValueError):
    """An environment variable holds a value its setting cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    """The variable's value, or the contents of the file named by ``NAME_FILE`` (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            with open(file_name, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as e:
            raise ImproperlyConfiguredEnv(f"{name}_FILE={file_name!r} cannot be read: {e}") from e
    return os.environ.get(name)


def envstr(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def envbool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    normalised = value.strip().lower()
    if normalised in _TRUE:
        return True
    if normalised in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def envint(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError as e:
        raise ImproperlyConfiguredEnv(f"{name}={value!r} is not an integer") from e
    if minimum is not None and number < minimum:
        raise ImproperlyConfiguredEnv(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfiguredEnv(f"{name}={number} is above the maximum {maximum}")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_database_url(url: str) -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name?opt=v`` into a DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db; sqlite:///:memory: for a throwaway database.
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ImproperlyConfiguredEnv(f"DATABASE_URL={url!r} names no SQLite file")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfiguredEnv(f"DATABASE_URL={url!r} names no database")
        try:
            port = parts.port
        except ValueError as e:
            raise ImproperlyConfiguredEnv(f"DATABASE_URL={url!r} has a bad port") from e
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": dict(parse_qsl(parts.query)),
        }
    raise ImproperlyConfiguredEnv(
        f"DATABASE_URL={url!r}: unsupported scheme {scheme!r} (use sqlite:/// or postgres://)"
    )


CACHE_BACKENDS = {
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "db": "django.core.cache.backends.db.DatabaseCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
}


def parse_cache_url(url: str, *, name: str = "CACHE_URL") -> dict:
    """Turn a cache address into a CACHES entry of Django's own backends:
    ``redis://host:6379/0`` (shared by every process and machine), ``file:///absolute/folder`` (shared by the
    processes of one machine), ``db://table_name`` (in the database: run ``manage.py createcachetable``) or
    ``locmem://`` (one process: tests only)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in CACHE_BACKENDS:
        raise ImproperlyConfiguredEnv(
            f"{name}={url!r}: unsupported scheme {scheme!r} (use redis://, file:///, db:// or locmem://)")
    entry = {"BACKEND": CACHE_BACKENDS[scheme], "KEY_PREFIX": "tian"}
    if scheme in {"redis", "rediss"}:
        entry["LOCATION"] = url
    elif scheme == "file":
        path = unquote(parts.path)
        if parts.netloc or not path.startswith("/"):
            raise ImproperlyConfiguredEnv(f"{name}={url!r}: give an absolute folder (file:///var/cache/tian)")
        entry["LOCATION"] = path
        entry["OPTIONS"] = {"MAX_ENTRIES": 20000}
    elif scheme == "db":
        table = parts.netloc or parts.path.lstrip("/")
        if not table.replace("_", "").isalnum():
            raise ImproperlyConfiguredEnv(f"{name}={url!r}: give a table name (db://tian_cache)")
        entry["LOCATION"] = table
        entry["OPTIONS"] = {"MAX_ENTRIES": 20000}
    return entry
