"""Text primitives both paths share: exact spans, sentences, how Markdown reads, token counts."""
