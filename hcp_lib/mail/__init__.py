"""E-mail delivery of a finished report: the body written at run time, then ``hcp send``.

``body`` (with ``plaintext`` and ``images``) writes the mail-client body into the report;
``message`` assembles the MIME message from the report's files; ``transport`` talks SMTP with
retries; ``records`` checks the report against its manifest and records each sending;
``deliver`` ties them together for ``hcp send`` and ``hcp run --send``.
"""
