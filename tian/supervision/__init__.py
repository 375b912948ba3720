"""Supervision: the supervising offices' review of replies and the follow-up of key proposals."""
