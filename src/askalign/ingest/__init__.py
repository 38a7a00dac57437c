"""Building the index from the corpus: which files changed, reading them, chunking,
embedding and one catalog transaction (`pipeline.ingest`); adding texts to the corpus."""
