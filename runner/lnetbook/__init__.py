"""lnetbook: the build runner of the lnet book (not part of the lnet package).

It executes the book's notebooks with papermill, records what ran, checks the
reproduced numbers and the chapters' claims, and builds the HTML with Jupyter Book.
Notebooks use :mod:`lnetbook.claims` to glue their numbers and state their claims.
"""
