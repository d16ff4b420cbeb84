#!/bin/sh
# Saves this week's newsletters beside the articles; not an article itself.
set -eu
curl -fsSL "https://example.us20.campaign-archive.com/feed?u=4f2a" -o feed.xml
