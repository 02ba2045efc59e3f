"""The bulletin as documents: leadership and analyst copies as HTML, PDF and Word.

One module per job: ``settings`` (what to make, from configuration), ``content`` (a copy's
parts from the bulletin), ``fonts`` (official fonts or the shipped fall-back, subset for the
web), ``html`` (the two HTML copies), ``pdf`` (Typst), ``word`` (python-docx) and ``export``
(everything ``hcp run`` writes, in one call). Kept import-light: ``config.py`` imports
``settings``.
"""
