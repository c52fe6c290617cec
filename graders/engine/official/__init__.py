"""Official grading of a class in a sandbox: ``python -m graders grade``.

:mod:`.classroom` is the trusted parent (the job pool); :mod:`.submissions`
whitelists hand-ins; :mod:`.jobs` follows one sandboxed child per
(student, assignment); :mod:`.zygote_client` and :mod:`.zygote_server` are the
two ends of a pre-imported worker that forks those children;
:mod:`.sandbox` confines them; :mod:`.records` is what crosses the boundary;
:mod:`.gradebook` writes feedback and the gradebook.
"""
