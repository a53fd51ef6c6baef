"""lnetbook: the build runner of the lnet book (not part of the lnet package).

It executes the book's notebooks with papermill, records what ran, checks the
reproduced numbers and the chapters' claims, and builds the HTML with Jupyter Book.
Notebooks use :mod:`lnetbook.claims` to glue their numbers and state their claims.
Command line: ``python -m lnetbook {build,run,html,check,list}`` (:mod:`lnetbook.cli`).

Modules, by job:

- ``layout``: the repository's paths, ``_toc.yml``, strict YAML/JSON reading;
- ``params``: a notebook's ``parameters`` cell and the ``-p`` overrides checked against it;
- ``execute``: the pool of papermill workers, longest first, atomic and interruptible;
  ``worker``: one notebook's execution (a child process); ``lock``: one runner per ``_build/``;
- ``record``: the run record ``_build/executed/run.json`` (:class:`~lnetbook.record.RunRecord`);
- ``results``: glued scalars and claims of an executed notebook, ``_build/results/``;
- ``provenance``: hashes of the sources and of lnet, versions, the git commit;
- ``expected``: ``book/expected.yml``, its schema and the comparison;
- ``check``: the reproduction check and the checks that a build folder can be trusted;
- ``pages``: the generated status and reproduction pages and the "Results at a glance" table;
- ``stage``: the staged source tree, MathJax, the student edition;
- ``html``: ``jupyter-book build`` on the staged tree; ``htmlcheck``: checks of the built HTML;
- ``claims``: numbers and claims inside notebooks; ``sphinxext``: the book's Sphinx extension;
- ``tables``: text and markdown tables; ``errors``: the one exception type and the exit codes.
"""
