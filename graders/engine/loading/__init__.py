"""Loading a submission: importing a student's files and notebooks apart from the reference.

:class:`~.implementation.Implementation` is the entry point; :mod:`.sources`
finds the files, :mod:`.notebooks` reads and converts a handed-in notebook,
:mod:`.cells` runs its cells, :mod:`.tracebacks` formats errors for a learner.
"""
