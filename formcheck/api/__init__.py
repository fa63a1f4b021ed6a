"""The HTTP door onto the engine: the catalogue, uploaded-clip analyses, the live WebSocket and the page.

``formcheck serve`` runs :func:`formcheck.api.server.run_server`; tests build the app with
:func:`formcheck.api.main.create_app`.
"""
