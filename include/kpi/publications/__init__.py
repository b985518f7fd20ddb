"""The 管考 office's own documents, built from the warehouse's daily history (issue 13):

- briefing.py: the bi-monthly 市務會議 briefing (`kpi briefing`), HTML and PDF for A4;
- annual.py: the draft annual 施政績效成果報告 of a closed year (`kpi annual-report`), as .odt, .docx
  and the table as .xlsx;
- common.py: what both read beside the statuses (the departments' explanations, optional columns),
  and printing HTML to PDF with headless Chromium.

Every word of a status comes from the warehouse (marts.dim_status); values as the marts write them.
"""
