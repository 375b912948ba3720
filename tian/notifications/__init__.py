"""Notifications: in-app messages for every event a user must act on or would want to know about, and
their delivery by email and SMS after commit, off the request path, retried until they succeed."""
