"""Handling by units: assignments, reassignment, contact with proposers, assisting opinions, replies and
evaluations."""
