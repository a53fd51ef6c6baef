"""Figure functions of the book: each draws one figure from the data an experiment returned.

Styles come from :func:`lnet.plotting.use_book_style`.
"""
