"""`digest serve`: a live-reload preview.

- server.py: a generic live-reload HTTP server, handed a site folder, a base path and a builder.
- watch.py: watchdog observer with debouncing of editor noise and bursts.
- reload.js: the script the server adds to served HTML (reload, CSS swap, error overlay).
- command.py: the `digest serve` subcommand that wires digest's Builder into the two.
"""
