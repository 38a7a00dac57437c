"""The Gradio web UI: rendering, logins and the app itself."""
