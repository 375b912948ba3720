"""Bringing data in: pages saved from the legacy proposal system, and Excel rosters."""
