"""Answers with citations: composers behind one interface, citations checked before use."""
