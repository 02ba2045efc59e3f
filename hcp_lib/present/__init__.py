"""Presentation: the computed ``Bulletin`` as Chinese narrative, tables, charts and HTML.

Each module has one job: ``words`` (Chinese wording helpers), ``narrative`` (paragraphs from
templates), ``tables`` (DataFrames with Chinese headers), ``workbook`` (the .xlsx export),
``charts`` (PNG figures), ``html`` (HTML fragments and the nbconvert export), ``io`` (saving a
computed bulletin), ``notebook`` (the thin calls the bulletin notebook makes).
"""
