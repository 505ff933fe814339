"""gunicorn settings for the web tier.

The access log format leaves out the client address (%(h)s), user agent (%(a)s) and referrer
(%(f)s): the public side must never log who visited it. Access and error lines lose one-time
set-up links (/staff/setup/<uid>/<token>/: hotline/lib/logredact.py), which would let anyone who
reads the log choose a new staff member's password. Health checks and metric scrapes
(hotline/sides.py: OPS_PATHS) are not logged at all.
"""

from __future__ import annotations

import os
from typing import Any

# Every environment variable is read in hotline/settings.py, these two included.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
from django.conf import settings
from gunicorn.glogging import Logger

from hotline.lib.logredact import RedactSecrets
from hotline.sides import is_ops


class RedactingLogger(Logger):
    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(RedactSecrets())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        # Health checks and scrapes come every few seconds: they would drown the access log.
        if is_ops(environ.get("PATH_INFO", "")):
            return
        super().access(resp, req, environ, request_time)


wsgi_app = "hotline.wsgi:application"
worker_class = "gthread"
workers = settings.WEB_CONCURRENCY
threads = settings.WEB_THREADS
timeout = 30
graceful_timeout = 10
limit_request_line = 8190
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(t)s "%(r)s" %(s)s %(B)s %(M)sms'
logger_class = RedactingLogger
proc_name = "hotline-web"
# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl), so several
# servers on one machine (tests, benchmarks, blue/green) would fight over it; nothing uses it.
control_socket_disable = True
