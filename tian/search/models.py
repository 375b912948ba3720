"""The search document of a proposal: its segmented text and keywords.

The full-text index itself is engine-specific and lives beside this table: an FTS5 virtual table
``search_fts`` on SQLite, the ``vector`` tsvector column (GIN-indexed) on PostgreSQL. See ``backends.py``.
"""

from django.db import models
from django.utils import timezone


class SearchDocument(models.Model):
    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, primary_key=True,
                                    related_name="search_document")
    title_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    keywords = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"search document of {self.proposal_id}"
