"""The web UI's entry point (`python ui/app.py`); `askalign serve` runs the same app.

The app itself is `askalign.web.app`, inside the package, so that an installed
askalign can serve it too.
"""

from askalign.web.app import main

if __name__ == "__main__":
    main()
