"""Production server: `gunicorn -c gunicorn.conf.py app:app` (see README)."""
import logging
import multiprocessing
import os

from gunicorn.glogging import Logger

bind = os.environ.get("ROUTEKAART_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ROUTEKAART_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = 1
# Load the dataset once in the master; workers share it copy-on-write.
preload_app = True
timeout = 30
# No access log: gunicorn's line holds the full URL and the client IP. The app logs each
# request itself as JSON, by route pattern (routekaart/logs.py).
accesslog = None
errorlog = "-"
loglevel = "info"
# What gunicorn refuses itself (400, 414, 431) comes early and stays small: our longest
# addresses (a route page with every filter) are a few hundred characters.
limit_request_line = 2048
limit_request_fields = 50
limit_request_field_size = 8190


class PrivateLogger(Logger):
    """gunicorn's lines as JSON, through the app's one handler (routekaart.logs)."""

    def setup(self, cfg):
        super().setup(cfg)
        from routekaart import logs

        self.error_log.handlers.clear()
        self.error_log.propagate = True
        logs.configure(self.loglevel)


logger_class = PrivateLogger


def post_fork(server, worker):
    """A worker names the client address, request line or URI when a request fails or times out
    ('Invalid request from ip=...', 'Error handling request GET /?postcode=...'): from here on,
    in the worker, gunicorn's lines keep their leading words only. The master's keep theirs."""
    from routekaart import logs

    logging.getLogger("gunicorn.error").addFilter(logs.Private())


def when_ready(server):
    """Load the data and make the shared page parts in the master, before the workers fork. Only
    the few parts every page shares: the rest is made when first asked for (routekaart/derived.py)."""
    from routekaart.web import warm

    warm(server.app.wsgi())
