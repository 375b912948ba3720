"""The search document of a proposal: its segmented text and keywords.

The full-text index itself is engine-specific and lives beside this table: an FTS5 virtual table
``search_fts`` on SQLite, the ``vector`` tsvector column (GIN-indexed) on PostgreSQL. See ``backends.py``.
``SearchKeyword`` is the inverted index of the documents' keywords, from which similar proposals are found.
"""

from django.db import models
from django.utils import timezone


class SearchDocument(models.Model):
    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, primary_key=True,
                                    related_name="search_document")
    title_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    keywords = models.JSONField(default=dict, blank=True)
    # Whether the proposal was disclosed when it was last indexed (its disclosure is an event, so it is indexed
    # again then). The public search looks among these documents alone, through indexes of their own (below, and
    # on PostgreSQL a GIN index of their vectors), then still looks each kept match up in its scope: a value not
    # yet brought up to date can hide a proposal from the public search, never show one.
    disclosed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["proposal"], condition=models.Q(disclosed=True),
                                name="search_document_disclosed")]

    def __str__(self):
        return f"search document of {self.proposal_id}"


class SearchKeyword(models.Model):
    """One keyword (a word, not a character) of a search document, with its weight divided by the length of
    the document's word vector, so that summing the products of a text's word weights with these gives the
    text's cosine with each document times the text's own length (``query.similar_proposals``).

    Rows are written with the document (``index.py``) and go with it; ``rebuild_search_index`` rewrites
    them all."""

    pk = models.CompositePrimaryKey("document", "term")
    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="keyword_rows",
                                 db_index=False)  # the primary key starts with it
    term = models.CharField(max_length=100)
    weight = models.FloatField()

    class Meta:
        # The candidates of a text are read from this index alone: the documents of each of its words and
        # their weights, without visiting the table.
        indexes = [models.Index(fields=["term", "document", "weight"], name="search_keyword_term")]

    def __str__(self):
        return f"{self.term} in {self.document_id}"
