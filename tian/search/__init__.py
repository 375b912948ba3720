"""Chinese full-text search and similar-proposal detection, on SQLite (FTS5) and PostgreSQL (tsvector),
over text segmented by jieba."""
