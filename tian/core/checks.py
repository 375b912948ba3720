"""Checks of settings that the environment's parsing cannot make (``tian/env.py``): that the classes named are there.
Run by ``manage.py check``, ``migrate`` and ``runserver``, so a deployment's first ``migrate`` stops on a typo that
would otherwise surface only when the task worker first sends a message."""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def backends_importable(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for name in ("SMS_BACKEND", "EMAIL_BACKEND"):
        path = getattr(settings, name, "")
        try:
            import_string(path)
        except ImportError as e:
            errors.append(Error(f"{name}={path!r} cannot be imported: {e}", id="tian.E001"))
    return errors
