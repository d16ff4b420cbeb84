"""newsarc: a command-line archive of news articles."""

__version__ = "0.1.0"
