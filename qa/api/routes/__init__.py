"""The HTTP routes, one module per family; ``qa.api.app.create_app`` includes their routers."""
