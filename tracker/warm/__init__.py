"""A warm `tracker`: a per-user server that has imported everything once, and a client of the
standard library only that hands it each command line.

A fresh Python process spends about half a second importing SQLAlchemy, SQLModel, Typer and
Rich before it does any work; an officer's command on a town's ledger takes a few tens of
milliseconds after that. As Mercurial's chg does, the client passes its own standard streams
(file descriptors), arguments, environment and working directory over a Unix socket; the
server forks a child that becomes the command with them and reports its exit status. The
child writes to the officer's own terminal or pipe, so colours, width, prompts and stdin are
those of an in-process run.

`protocol` is shared by both sides and imports only the standard library; `client` is the
`tracker` console script; `server` is started by the client on first use.
"""
