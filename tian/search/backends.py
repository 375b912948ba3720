"""The two full-text engines behind one interface: SQLite FTS5 and PostgreSQL tsvector.

Both index text that jieba has already segmented into space-separated words, so neither needs a Chinese
parser: FTS5's unicode61 tokenizer and PostgreSQL's ``simple`` configuration split on the spaces. This is
what makes a two-character word like 托育 match, which trigram indexes cannot do.
"""

import json
import math

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _match_all(terms: list[str]) -> str:
    return " AND ".join(_quote(t) for t in terms)


def _scope_ids(scope: QuerySet) -> tuple[str, tuple]:
    """SQL selecting the ids of the proposals of ``scope``, and its parameters."""
    ids = scope.order_by().values("pk")
    if not ids.query.distinct_fields:
        ids.query.distinct = False  # a duplicate id changes nothing in "IN (…)"; removing them costs a pass
    return ids.query.sql_with_params()


def _one_row_per_proposal(scope: QuerySet) -> bool:
    """Whether the scope's SQL reads the proposal table alone (conditions on other tables as subqueries), so
    that it gives each proposal at most once."""
    query = scope.order_by().values("pk").query
    # A join the query set up but no longer uses (a filter on committee= uses committee_id) has no references.
    return all(not query.alias_refcount[alias] for alias in query.alias_map if alias != query.base_table)


def _in_scope(scope: QuerySet, column: str) -> tuple[str, tuple]:
    """SQL saying that the proposal whose id is in ``column`` is one of ``scope``, looked up by its id."""
    looked_up = scope.filter(pk=RawSQL(column, ()))  # noqa: S611 - a column name written in this module
    sql, params = looked_up.order_by().values("pk").query.sql_with_params()
    return f"EXISTS ({sql})", params


def _independent(terms: list[str]) -> list[str]:
    """The terms that no other term of the query contains. A query word is segmented as the documents are, so its
    parts come with it (群众反映 gives 群众 and 反映, found wherever 群众反映 is): the planner, which takes the
    terms as independent, multiplies their shares (群众反映: 3,069 documents expected of 100,000, 17,787 found,
    which took the index's way and read all of them, 100 ms); the share of the word alone is the estimate."""
    return [t for t in terms if not any(t != other and t in other for other in terms)]


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

    def insert_keywords(self, cursor, table: str, rows: list[tuple[int, str, float]]):
        cursor.executemany(f"INSERT INTO {table} (document_id, term, weight) VALUES (%s, %s, %s)", rows)  # noqa: S608

    def page(self, cursor, terms: list[str], scope: QuerySet, *, ranked: int, limit: int, offset: int,
             disclosed: bool = False) -> list[tuple[int, float, int]]:
        """(proposal_id, score, matches) of one page of the newest ``ranked`` documents matching every term
        among the proposals of ``scope``, best first; ``matches`` is how many match, counted up to ``ranked``
        + 1 and no further. ``disclosed`` says that the scope holds disclosed proposals only, which PostgreSQL
        looks for among the disclosed documents alone; here FTS5 hands over the matches newest first either way."""
        # A scope of many proposals (what staff may see, the disclosed ones) is not selected: FTS5 hands over
        # the matches newest first and each is looked up in the scope by its id until ranked + 1 are found, a
        # few thousand lookups where selecting the scope's ids would read the whole proposal table (100 ms at
        # 100,000 proposals). A few proposals (a unit's, through a filter) would have tens of thousands of
        # matches of a common word looked up one by one, so the lookups stop at the WALKED newest matches,
        # and if these hold too few of the scope's, the scope is selected instead, through its indexes.
        cursor.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rowid DESC LIMIT 1 OFFSET %s",
                       [_match_all(terms), self.WALKED - 1])
        oldest_walked = cursor.fetchone()
        in_scope, params = _in_scope(scope, "search_fts.rowid")
        if oldest_walked:
            in_scope = f"rowid >= {int(oldest_walked[0])} AND {in_scope}"
        cursor.execute(*self._page(terms, in_scope, params, ranked=ranked, limit=limit, offset=offset))
        rows = cursor.fetchall()
        if oldest_walked and (not rows or rows[0][2] <= ranked):
            ids, params = _scope_ids(scope)
            cursor.execute(*self._page(terms, f"+rowid IN ({ids})", params, ranked=ranked, limit=limit,
                                       offset=offset))
            rows = cursor.fetchall()
        return rows

    # How many of the newest matches are looked up in the scope one by one, at most (see ``page``).
    WALKED = 10000

    def _page(self, terms: list[str], in_scope: str, scope_params: tuple, *, ranked: int, limit: int, offset: int
              ) -> tuple[str, list]:
        # The matches in scope, newest first, until ranked + 1 are found, are kept for the ranking query: bm25
        # is "lower is better", the title weighs five times the body, and FTS5 only computes it in a query
        # that MATCHes; the rowid range keeps it to the kept matches, and "+rowid" keeps the id list from
        # being handed to FTS5, which would run the MATCH once per id instead of once.
        return ("WITH matched AS MATERIALIZED (SELECT rowid AS id FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608
                f"AND {in_scope} ORDER BY rowid DESC LIMIT {int(ranked) + 1}), "
                f"kept AS (SELECT id FROM matched ORDER BY id DESC LIMIT {int(ranked)}) "
                "SELECT rowid, -bm25(search_fts, 5.0, 1.0) AS score, (SELECT count(*) FROM matched) FROM search_fts "
                "WHERE search_fts MATCH %s AND rowid >= (SELECT min(id) FROM kept) AND +rowid IN (SELECT id FROM kept) "
                f"ORDER BY score DESC, rowid DESC LIMIT {int(limit)} OFFSET {int(offset)}",
                [_match_all(terms), *scope_params, _match_all(terms)])

    def count(self, cursor, terms: list[str], scope: QuerySet, *, at_most: int) -> int:
        """How many documents match every term among the proposals of ``scope``, counted up to ``at_most``."""
        ids, params = _scope_ids(scope)
        cursor.execute("SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608
                       f"AND +rowid IN ({ids}) LIMIT {int(at_most)})", [_match_all(terms), *params])
        return cursor.fetchone()[0]


class PostgresFTS:
    def create(self, cursor):
        cursor.execute("ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS vector tsvector")
        self.store_inline(cursor)
        cursor.execute("CREATE INDEX IF NOT EXISTS search_document_vector ON search_searchdocument USING GIN (vector)")

    @staticmethod
    def index_disclosed(cursor):
        """The vectors of the disclosed documents alone, GIN-indexed for the public search (``page``); the
        index goes with the column (``drop``)."""
        cursor.execute("CREATE INDEX IF NOT EXISTS search_document_disclosed_vector ON search_searchdocument "
                       "USING GIN (vector) WHERE disclosed")

    @staticmethod
    def store_inline(cursor):
        """Keep the vectors in the table's own rows rather than out of line: a vector (3–4 KB with its positions,
        which compress poorly) went to the TOAST table, and every vector a search checks or ranks was a second
        index lookup there. The other long columns (the tokens, the keywords) go out of line first."""
        cursor.execute("ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE MAIN")

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

    def insert_keywords(self, cursor, table: str, rows: list[tuple[int, str, float]]):
        """Insert (document id, term, weight) rows in one statement: a row at a time, the 2 million rows of
        a rebuild at 100,000 proposals took longer than the rest of it."""
        ids, terms, weights = zip(*rows, strict=True)
        cursor.execute(f"INSERT INTO {table} (document_id, term, weight) "  # noqa: S608
                       "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::float8[])", [list(ids), list(terms), list(weights)])

    def page(self, cursor, terms: list[str], scope: QuerySet, *, ranked: int, limit: int, offset: int,
             disclosed: bool = False) -> list[tuple[int, float, int]]:
        scope_sql, scope_params = _scope_ids(scope)
        # The newest ranked + 1 matches are found in one of these ways, chosen here because the planner counts
        # checking a vector as nearly free while it means reading a 3–4 KB value (several µs each):
        # - a word in a good share of the documents (建设): walk the primary key backwards, checking vectors,
        #   and stop after ranked + 1 matches, a few thousand vectors read instead of every match counted;
        # - a rarer word (养老, 托育): take every match from the GIN index, which reads no vector but each
        #   match's row, and keep the newest; "+ 0" stops the planner from walking the key, checking tens of
        #   thousands of vectors to find a few thousand matches;
        # - a common word in a scope that reads the proposal table alone (what staff may see): walk the scope's
        #   newest proposals instead and look each one's vector up by its id. The lookup is a LATERAL subquery
        #   that cannot be flattened ("OFFSET 0"), or the planner merges the two walks back into the first. A
        #   scope joined to another table could repeat a proposal, so it keeps the first way.
        # A scope of disclosed proposals only (``disclosed``: the public's) is searched among the disclosed
        # documents alone, through indexes of their own (``index_disclosed``, ``SearchDocument.Meta``): over every
        # document, the newest of which are not disclosed yet, either way read several rows for each one kept (at
        # 100,000 proposals, 41 % disclosed: 11,453 GIN matches of 基层 突出 read, 2,242 looked up in the scope,
        # for 1,001 kept; 7,815 proposals and their vectors walked for 1,001 matches of 活动). New query pages of
        # the public search: 35 → 22 ms on average, SQL 24 → 12 ms.
        # Each match is ranked where its vector is read, so that the vectors (3–4 KB) are not carried through the
        # sort and the window below.
        words = _lexemes(terms, " & ")
        share, documents = self._share(cursor, terms, disclosed)
        common = share >= min(self.COMMON, math.sqrt(ranked / documents))
        if disclosed and share >= math.sqrt(ranked / documents) / 2:
            # The disclosed documents newest first, through their B-tree, each vector checked where it is read. The
            # walk is taken from half the share where the others' walk starts: measured over the 280 mixed queries
            # of make bench at 100,000 proposals (41 % disclosed), the public's SQL took 9.5 ms a query with the
            # others' bound, 8.8 with half of it and 9.1 with a third. It stops at twice the documents the share
            # needs, because the planner takes words as independent and two words each common may seldom be found
            # together (民生 各项: in 602 of 41,396 disclosed documents); then every match is taken from the index.
            walked = math.ceil(2 * (ranked + 1) / share)
            rows = self._scored(cursor, (
                "SELECT d.proposal_id, ts_rank(d.vector, q, 1) AS score FROM (SELECT proposal_id, vector "  # noqa: S608
                f"FROM search_searchdocument WHERE disclosed ORDER BY proposal_id DESC LIMIT {int(walked)}) d, "
                f"to_tsquery('simple', %s) q WHERE d.vector @@ q AND d.proposal_id IN ({scope_sql}) "
                f"ORDER BY d.proposal_id DESC LIMIT {int(ranked) + 1}"), [words, *scope_params],
                ranked=ranked, limit=limit, offset=offset)
            if (rows[0][2] if rows else 0) > ranked or walked >= documents:
                return rows
            common = False
        if common and _one_row_per_proposal(scope):
            matched = (f"SELECT d.proposal_id, ts_rank(d.vector, q, 1) AS score FROM ({scope_sql}) p "  # noqa: S608
                       "CROSS JOIN LATERAL (SELECT proposal_id, vector FROM search_searchdocument WHERE proposal_id = p.pk "
                       "AND vector @@ to_tsquery('simple', %s) OFFSET 0) d, to_tsquery('simple', %s) q "
                       f"ORDER BY p.pk DESC LIMIT {int(ranked) + 1}")
            params = [*scope_params, words, words]
        else:
            # The newest matches are chosen by their ids, looked up in the scope newest first until ranked + 1 are
            # found (the "OFFSET 0" keeps the planner from looking every match up before ordering them: for the
            # public a word in 8 % of 100,000 documents looks up 2,600 ids instead of 8,450, for staff ~1,000).
            # Only the scores are carried, never the vectors (carried through the sort, before the ninth session,
            # they spilled ~25 MB to disk for a word in a fifth of 100,000 documents). Up to a few times as many
            # matches as are kept, each match is ranked where the scan reads it, its vector in the row read anyway
            # for its id (a GIN index gives none): ranking costs about 1 µs a match, reading a kept match's vector
            # again by its id 5–13 µs (public searches that take the index, at 100,000: 10.6 → 8.1 ms). With more
            # matches only the kept ones are ranked, each read again by a subquery of its own row (joined instead,
            # the planner carried the 1,001 vectors through the window's sort and ranked them after it): a word in
            # 9 % of 100,000 documents took 23 ms that way for staff, 31 ranking all its matches.
            order = "proposal_id" if common else "proposal_id + 0"
            among = "disclosed AND " if disclosed else ""
            newest = (f"ORDER BY newest DESC OFFSET 0) m WHERE m.proposal_id IN ({scope_sql}) "
                      f"ORDER BY m.newest DESC LIMIT {int(ranked) + 1}")
            if share * documents <= self.RANKED_IN_SCAN * (ranked + 1):
                matched = (f"SELECT m.proposal_id, m.score FROM (SELECT proposal_id, {order} AS newest, "  # noqa: S608
                           "ts_rank(vector, q, 1) AS score FROM search_searchdocument, to_tsquery('simple', %s) q "
                           f"WHERE {among}vector @@ q {newest}")
                params = [words, *scope_params]
            else:
                matched = ("SELECT kept.proposal_id, (SELECT ts_rank(d.vector, to_tsquery('simple', %s), 1) "  # noqa: S608
                           "FROM search_searchdocument d WHERE d.proposal_id = kept.proposal_id) AS score "
                           f"FROM (SELECT m.proposal_id FROM (SELECT proposal_id, {order} AS newest "
                           f"FROM search_searchdocument WHERE {among}vector @@ to_tsquery('simple', %s) {newest}) kept")
                params = [words, words, *scope_params]
        return self._scored(cursor, matched, params, ranked=ranked, limit=limit, offset=offset)

    @staticmethod
    def _scored(cursor, matched: str, params: list, *, ranked: int, limit: int, offset: int
                ) -> list[tuple[int, float, int]]:
        """One page of ``matched`` (SQL of the newest ranked + 1 matches with their scores): of the newest
        ``ranked``, the best first, each row with how many ``matched`` gave."""
        cursor.execute("SELECT proposal_id, score, matches FROM (SELECT proposal_id, score, "  # noqa: S608
                       "count(*) OVER () AS matches, row_number() OVER (ORDER BY proposal_id DESC) AS newest FROM "
                       f"({matched}) matched) scored WHERE newest <= {int(ranked)} "
                       f"ORDER BY score DESC, proposal_id DESC LIMIT {int(limit)} OFFSET {int(offset)}", params)
        return cursor.fetchall()

    # From this share of the documents on, a query's matches are found by walking the newest documents: at most
    # ``COMMON``, and less as the documents grow (the square root of ranked ÷ documents, 10 % at 100,000). A walk
    # reads about ranked ÷ share vectors; taking every match from the index reads share × documents rows, each
    # carried through a sort: the two cost the same where share² = ranked ÷ documents. Measured over 280 mixed
    # queries at 100,000 proposals: words in 10–20 % of the documents fell from 70–79 ms to ~15 ms.
    COMMON = 0.2
    # Up to this many times ranked + 1 matches expected, every match is ranked where it is read (see ``page``);
    # measured over the 280 mixed queries at 100,000 proposals, the two ways cost the same at about 4–5 times.
    RANKED_IN_SCAN = 4

    def _share(self, cursor, terms: list[str], disclosed: bool = False) -> tuple[float, float]:
        """The share of the documents that the planner expects to match every term (every term that no other
        contains, ``_independent``), and how many documents it expects there to be: from the statistics that
        ANALYZE keeps of the vectors' lexemes and of the flag, no document is read. With ``disclosed``, of the
        disclosed documents."""
        among = "disclosed AND " if disclosed else ""
        matches = self._planned_rows(cursor, f"SELECT 1 FROM search_searchdocument WHERE {among}"  # noqa: S608
                                     "vector @@ to_tsquery('simple', %s)", [_lexemes(_independent(terms), " & ")])
        if disclosed:
            documents = self._planned_rows(cursor, "SELECT 1 FROM search_searchdocument WHERE disclosed", [])
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'search_searchdocument'::regclass")
            documents = cursor.fetchone()[0]
        documents = max(documents, 1)
        return min(matches / documents, 1.0), documents

    @staticmethod
    def _planned_rows(cursor, sql: str, params: list) -> float:
        """How many rows the planner expects ``sql`` to give."""
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return plan[0]["Plan"]["Plan Rows"]

    def count(self, cursor, terms: list[str], scope: QuerySet, *, at_most: int) -> int:
        scope_sql, scope_params = _scope_ids(scope)
        cursor.execute("SELECT count(*) FROM (SELECT 1 FROM search_searchdocument WHERE "  # noqa: S608
                       f"vector @@ to_tsquery('simple', %s) AND proposal_id IN ({scope_sql}) LIMIT {int(at_most)}) "
                       "matched", [_lexemes(terms, " & "), *scope_params])
        return cursor.fetchone()[0]


def engine(conn=None):
    vendor = (conn or connection).vendor
    if vendor == "sqlite":
        return SQLiteFTS()
    if vendor == "postgresql":
        return PostgresFTS()
    raise NotImplementedError(f"no full-text engine for {vendor}")
