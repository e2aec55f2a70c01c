"""Reading the web: one polite HTTP client, pages as articles, RSS and Atom feeds."""
