"""Domain services: what the CLI, the web pages, the REST API and the demo call.

One module per area — ``regions``, ``monitoring``, ``evaluations``, ``enterprises``, ``lists``,
``submissions``, ``observations``, ``rankings``, ``reports``, ``audit``, ``accounts`` and
``sessions``. Each takes a ``Workspace`` and an ``Actor`` where it reads or writes the store, asks
``zhuansheng.access`` before it shows or changes anything, and raises the domain errors of
``zhuansheng.errors``; the faces only parse, call, render and map those errors.
"""
