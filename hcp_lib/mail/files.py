"""Where the e-mail body lives in a report folder (shared by the writer and ``hcp send``)."""

MAIL_DIR = "mail"
META_FILE = "mail.json"
HTML_FILE = "body.html"
TEXT_FILE = "body.txt"
