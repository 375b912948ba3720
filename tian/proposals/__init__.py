"""Proposals: drafting, co-signing, review, registration and numbering, and the lifecycle declaration."""
