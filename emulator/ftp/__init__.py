"""The emulated Enhanced FTP site: its Import folder, reachable over the admin API (routes.py)."""
