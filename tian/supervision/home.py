"""Home tiles of supervisors and lead officials."""

from tian.supervision.pages import lead_official_tiles, supervisor_tiles

__all__ = ["lead_official_tiles", "supervisor_tiles"]
