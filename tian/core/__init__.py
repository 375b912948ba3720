"""The base every app stands on: settings helpers, the working-day calendar, SMS, backups, the page layout
and request handling. It imports no domain app (``[tool.importlinter]`` in pyproject.toml)."""
