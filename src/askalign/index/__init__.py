"""What is stored next to the index: the SQLite catalog (the source of truth), the
contract answering reads it through, the shelf that caches it, the ingest lock and the
users' feedback."""
