"""The audit log: every sign-in, failed sign-in, refusal, download and state change, with who, when, from
where and on what. Rows are only ever added; nothing in the app or the admin edits or deletes them, except
the retention command for rows older than the retention period."""
