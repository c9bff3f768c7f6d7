"""Deploy stage (beside the pipeline): what a production web server needs to serve a build.

Takes the finished staging tree (before the audit reads it) and gives precompressed
``.gz``/``.br`` siblings of its text files (:mod:`.compress`); takes a published site and
gives the server configurations written beside it, never inside it (:mod:`.servers`:
nginx and Caddy, from one table of content types and headers in :mod:`.mediatypes` that
``kaifang serve`` uses too); and takes a published site and a destination and gives an
incremental, resumable, verifiable upload (:mod:`.sync`, ``kaifang deploy``).
"""
