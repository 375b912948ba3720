"""The two full-text engines behind one interface: SQLite FTS5 and PostgreSQL tsvector.

Both index text that jieba has already segmented into space-separated words, so neither needs a Chinese
parser: FTS5's unicode61 tokenizer and PostgreSQL's ``simple`` configuration split on the spaces. This is
what makes a two-character word like 托育 match, which trigram indexes cannot do.
"""

from django.db import connection


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SQLiteFTS:
    def create(self, cursor):
        cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, "
                       "tokenize = 'unicode61 remove_diacritics 0')")

    def drop(self, cursor):
        cursor.execute("DROP TABLE IF EXISTS search_fts")

    def clear(self, cursor):
        self.create(cursor)
        cursor.execute("DELETE FROM search_fts")

    def upsert(self, cursor, proposal_id: int, title: str, body: str):
        cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [proposal_id])
        cursor.execute("INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)", [proposal_id, title, body])

    def delete(self, cursor, proposal_id: int):
        cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [proposal_id])

    def match(self, terms: list[str], *, any_term: bool = False) -> tuple[str, list]:
        """SQL selecting (proposal_id, score) of matching documents, best first (higher is better)."""
        expression = (" OR " if any_term else " AND ").join(_quote(t) for t in terms)
        # bm25 is "lower is better"; the title weighs five times the body.
        return ("SELECT rowid, -bm25(search_fts, 5.0, 1.0) AS score FROM search_fts "
                "WHERE search_fts MATCH %s ORDER BY score DESC"), [expression]


    def ids(self, terms: list[str]) -> tuple[str, list]:
        """SQL selecting the ids of all documents matching every term (for filtering a queryset)."""
        return "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [" AND ".join(_quote(t) for t in terms)]


class PostgresFTS:
    def create(self, cursor):
        cursor.execute("ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS vector tsvector")
        cursor.execute("CREATE INDEX IF NOT EXISTS search_document_vector ON search_searchdocument USING GIN (vector)")

    def drop(self, cursor):
        cursor.execute("DROP INDEX IF EXISTS search_document_vector")
        cursor.execute("ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector")

    def clear(self, cursor):
        pass  # the vectors go with the search documents

    def upsert(self, cursor, proposal_id: int, title: str, body: str):
        cursor.execute(
            "UPDATE search_searchdocument SET vector = setweight(to_tsvector('simple', %s), 'A') || "
            "setweight(to_tsvector('simple', %s), 'D') WHERE proposal_id = %s", [title, body, proposal_id])

    def delete(self, cursor, proposal_id: int):
        pass  # the row goes with the search document

    def match(self, terms: list[str], *, any_term: bool = False) -> tuple[str, list]:
        operator = " | " if any_term else " & "
        lexemes = operator.join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
        return ("SELECT proposal_id, ts_rank(vector, q, 1) AS score FROM search_searchdocument, "
                "to_tsquery('simple', %s) q WHERE vector @@ q ORDER BY score DESC"), [lexemes]


    def ids(self, terms: list[str]) -> tuple[str, list]:
        lexemes = " & ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
        return "SELECT proposal_id FROM search_searchdocument WHERE vector @@ to_tsquery('simple', %s)", [lexemes]


def engine(conn=None):
    vendor = (conn or connection).vendor
    if vendor == "sqlite":
        return SQLiteFTS()
    if vendor == "postgresql":
        return PostgresFTS()
    raise NotImplementedError(f"no full-text engine for {vendor}")
