"""What gunicorn serves: `gunicorn wsgi:app`."""

import gc

from tracker import create_app

app = create_app()

# Everything loaded so far (modules, templates, the app) lives as long as the worker: leave it out
# of garbage collection, whose full passes would otherwise walk it all and pause requests.
gc.collect()
gc.freeze()
