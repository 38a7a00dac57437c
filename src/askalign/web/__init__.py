"""The Gradio web UI: rendering, feedback, uploads and the app itself."""
