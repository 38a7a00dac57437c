"""From a question to ranked hits: what the question asks (intent), hybrid search over
an engine (search), tidied hits, and the llama-index adapter."""
