"""What gunicorn serves: `gunicorn wsgi:app`."""

import gc

from tracker import create_app

app = create_app()

# Compile every template now, in each worker as it starts (about a second), rather than in the
# first requests it serves: the GOV.UK macros alone are dozens of templates, and compiling them
# under load doubled the first minute's cost of a page.
for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")):
    app.jinja_env.get_template(name)

# Everything loaded so far (modules, templates, the app) lives as long as the worker: leave it out
# of garbage collection, whose full passes would otherwise walk it all and pause requests.
gc.collect()
gc.freeze()
