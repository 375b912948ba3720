"""The disclosure policy: what a viewer may see of a proposal, and the masking of personal data.

Every output that shows a proposal (pages, the portal, the API, documents, exports, the feed, search results,
notifications) asks ``policy.disclosure_for(user, proposal)`` and reads through it; see docs/architecture.md."""
