"""Proposal pages: the author's (drafting, co-signing), the office's (review, assignment) and the proposal
page everyone shares."""
