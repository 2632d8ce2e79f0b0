"""Start the chat UI and HTTP API on the embedded default model: ``python app.py``."""

import sys

from qa.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
