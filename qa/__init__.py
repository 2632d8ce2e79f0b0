"""Offline question answering over documents, with verified character-span citations."""

__version__ = "0.1.0"
