"""The two full-text engines behind one interface: SQLite FTS5 and PostgreSQL tsvector.

Both index text that jieba has already segmented into space-separated words, so neither needs a Chinese
parser: FTS5's unicode61 tokenizer and PostgreSQL's ``simple`` configuration split on the spaces. This is
what makes a two-character word like 托育 match, which trigram indexes cannot do.
"""

from django.db import connection


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _match_all(terms: list[str]) -> str:
    return " AND ".join(_quote(t) for t in terms)


def _lexemes(terms: list[str], operator: str) -> str:
    return operator.join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)


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

    def insert_many(self, cursor, rows: list[tuple[int, str, str]]):
        """Index (proposal id, title, body) rows not yet in the index (``rebuild``, after ``clear``)."""
        cursor.executemany("INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)", rows)

    def match(self, terms: list[str], *, any_term: bool = False) -> tuple[str, list]:
        """SQL selecting (proposal_id, score) of matching documents, best first (higher is better)."""
        expression = (" OR " if any_term else " AND ").join(_quote(t) for t in terms)
        # bm25 is "lower is better"; the title weighs five times the body.
        return ("SELECT rowid, -bm25(search_fts, 5.0, 1.0) AS score FROM search_fts "
                "WHERE search_fts MATCH %s ORDER BY score DESC"), [expression]


    def search(self, terms: list[str], scope: str, *, min_id: int = 0) -> tuple[str, list]:
        """SQL selecting (proposal_id, score, how many were ranked) of the documents matching every term, of
        proposals among the ids selected by ``scope`` and from ``min_id`` on, best first. The parameters of
        ``scope`` go after the ones returned."""
        # bm25 is "lower is better"; the title weighs five times the body. FTS5 refuses bm25 beside a window
        # function, hence the inner query. "+rowid" keeps the scope from being handed to FTS5, which would run
        # the MATCH once per id of the scope (minutes at 100,000 proposals) instead of once.
        return ("SELECT id, score, count(*) OVER () FROM (SELECT rowid AS id, "  # noqa: S608
                "-bm25(search_fts, 5.0, 1.0) AS score FROM search_fts WHERE search_fts MATCH %s AND rowid >= %s "
                f"AND +rowid IN ({scope})) ORDER BY score DESC, id DESC", [_match_all(terms), min_id])

    def newest(self, terms: list[str], scope: str, n: int) -> tuple[str, list]:
        """SQL selecting (id of the n-th newest match, how many match) when at least ``n`` documents match."""
        return ("SELECT id, count(*) OVER () FROM (SELECT rowid AS id FROM search_fts "  # noqa: S608
                f"WHERE search_fts MATCH %s AND +rowid IN ({scope})) ORDER BY id DESC LIMIT 1 OFFSET {int(n) - 1}",
                [_match_all(terms)])

    def older(self, terms: list[str], scope: str, *, below: int) -> tuple[str, list]:
        """SQL selecting (proposal_id, 0, 0) of the matches older than ``below``, newest first (not ranked)."""
        return ("SELECT rowid, 0.0, 0 FROM search_fts WHERE search_fts MATCH %s AND rowid < %s "  # noqa: S608
                f"AND +rowid IN ({scope}) ORDER BY rowid DESC", [_match_all(terms), below])

    def count(self, terms: list[str], scope: str) -> tuple[str, list]:
        return (f"SELECT count(*) FROM search_fts WHERE search_fts MATCH %s AND +rowid IN ({scope})",  # noqa: S608
                [_match_all(terms)])


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

    def insert_many(self, cursor, rows: list[tuple[int, str, str]]):
        """Index the search documents of ``rows`` (just written, with these very tokens), as ``upsert`` does."""
        cursor.execute(
            "UPDATE search_searchdocument SET vector = setweight(to_tsvector('simple', title_tokens), 'A') || "
            "setweight(to_tsvector('simple', body_tokens), 'D') WHERE proposal_id = ANY(%s)", [[r[0] for r in rows]])

    def match(self, terms: list[str], *, any_term: bool = False) -> tuple[str, list]:
        operator = " | " if any_term else " & "
        lexemes = operator.join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
        return ("SELECT proposal_id, ts_rank(vector, q, 1) AS score FROM search_searchdocument, "
                "to_tsquery('simple', %s) q WHERE vector @@ q ORDER BY score DESC"), [lexemes]


    def search(self, terms: list[str], scope: str, *, min_id: int = 0) -> tuple[str, list]:
        return ("SELECT proposal_id, ts_rank(vector, q, 1) AS score, count(*) OVER () FROM "  # noqa: S608
                "search_searchdocument, to_tsquery('simple', %s) q WHERE vector @@ q AND proposal_id >= %s "
                f"AND proposal_id IN ({scope}) ORDER BY score DESC, proposal_id DESC"), [_lexemes(terms, " & "), min_id]

    def newest(self, terms: list[str], scope: str, n: int) -> tuple[str, list]:
        return ("SELECT proposal_id, count(*) OVER () FROM search_searchdocument "  # noqa: S608
                f"WHERE vector @@ to_tsquery('simple', %s) AND proposal_id IN ({scope}) "
                f"ORDER BY proposal_id DESC LIMIT 1 OFFSET {int(n) - 1}"), [_lexemes(terms, " & ")]

    def older(self, terms: list[str], scope: str, *, below: int) -> tuple[str, list]:
        return ("SELECT proposal_id, 0.0, 0 FROM search_searchdocument WHERE "  # noqa: S608
                f"vector @@ to_tsquery('simple', %s) AND proposal_id < %s AND proposal_id IN ({scope}) "
                "ORDER BY proposal_id DESC"), [_lexemes(terms, " & "), below]

    def count(self, terms: list[str], scope: str) -> tuple[str, list]:
        return ("SELECT count(*) FROM search_searchdocument WHERE vector @@ to_tsquery('simple', %s) "  # noqa: S608
                f"AND proposal_id IN ({scope})"), [_lexemes(terms, " & ")]


def engine(conn=None):
    vendor = (conn or connection).vendor
    if vendor == "sqlite":
        return SQLiteFTS()
    if vendor == "postgresql":
        return PostgresFTS()
    raise NotImplementedError(f"no full-text engine for {vendor}")
