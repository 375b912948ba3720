"""Shared ground: the page layout, navigation, role home pages and small helpers used by every app."""
