"""TiAn (提案): proposal management for CPPCC committees."""
