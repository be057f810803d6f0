"""`tracker serve`: the terminal app in a browser (textual-serve), for officers who never
open a terminal, with sign-in, sessions and limits.

- sessions.py: who is signed in (a cookie's token), until when; repeated wrong passwords
  slowed down.
- signin.py: how a name and password are checked: the account's password on a SQLite
  ledger, the database login on PostgreSQL, or nobody at all for the local officer.
- server.py: the web server (aiohttp, through textual-serve): sign-in pages, the app page,
  the websocket that drives one app process per browser tab, limits.
- tracker/cli/serve.py: `tracker serve`, and the hidden `tracker app` each tab runs.
"""
