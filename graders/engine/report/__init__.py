"""Instructor analytics over a graded class, and a similarity check of its hand-ins.

``python -m graders report GRADED_DIR`` (:mod:`.class_report`) reads what
``python -m graders grade`` wrote (:mod:`.graded` reads and validates it),
computes the class statistics (:mod:`.stats`, topics from :mod:`.topics`),
draws them with matplotlib as inline SVG (:mod:`.charts`) and writes one
self-contained HTML file (:mod:`.page`) and a per-check CSV beside it.

``python -m graders similarity SUBMISSIONS_DIR`` (:mod:`.similarity`) reads
each student's hand-ins, notebooks as their code cells (:mod:`.handins`),
fingerprints them with copydetect, the skeleton's code being boilerplate,
ranks every pair of each assignment and writes an HTML report of the most
similar pairs, the shared code highlighted (:mod:`.similarity_page`), and a
CSV of every pair. It flags; it never changes a grade.

matplotlib and copydetect are instructor extras (``requirements-instructor.txt``),
never a student requirement: they are imported only when these commands run
(:mod:`.extras`). :mod:`.output` writes the files: never into a student's folder,
through a temporary file, spreadsheet cells that cannot run as formulas.
"""
