"""The unit handler's home tiles: the inbox groups with their counts."""

from tian.handling.pages import unit_tiles

__all__ = ["unit_tiles"]
