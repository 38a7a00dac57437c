"""Bring your own LLM: an OpenAI-compatible model writes claims, each checked against
the source text before it is shown. Imported only when a model is configured."""
