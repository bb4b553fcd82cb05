"""Production server: `gunicorn -c gunicorn.conf.py app:app` (see README)."""
import multiprocessing
import os

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



def when_ready(server):
    """Load the data and make the shared page parts in the master, before the workers fork. Only
    the few parts every page shares: the rest is made when first asked for (routekaart/derived.py)."""
    from routekaart.web import warm

    warm(server.app.wsgi())
