"""CACHE_URL chooses one of Django's own cache backends; a bad value stops the process naming the variable."""

import pytest

from tian.env import ImproperlyConfiguredEnv, parse_cache_url


@pytest.mark.parametrize("url, backend, location", [
    ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/0"),
    ("file:///var/cache/tian", "django.core.cache.backends.filebased.FileBasedCache", "/var/cache/tian"),
    ("db://tian_cache", "django.core.cache.backends.db.DatabaseCache", "tian_cache"),
    ("locmem://", "django.core.cache.backends.locmem.LocMemCache", None),
])
def test_each_scheme_is_one_of_djangos_backends(url, backend, location):
    entry = parse_cache_url(url)
    assert entry["BACKEND"] == backend and entry.get("LOCATION") == location


@pytest.mark.parametrize("url", ["memcached://x", "file://relative/folder", "db://bad-name;drop", "nonsense"])
def test_a_bad_cache_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfiguredEnv, match="CACHE_URL"):
        parse_cache_url(url)


def test_the_default_cache_is_shared_by_the_processes_of_one_machine(settings):
    from tian import settings as production

    assert production.CACHES["default"]["BACKEND"] in {"django.core.cache.backends.filebased.FileBasedCache",
                                                         "django.core.cache.backends.redis.RedisCache"}
