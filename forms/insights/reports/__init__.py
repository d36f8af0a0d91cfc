"""The drop-off report and the service KPI dashboard in the Wagtail admin.

- /admin/reports/flows/: the flows this user may see, with the last 30 days' figures;
- /admin/reports/flows/<id>/: one flow over two date ranges side by side (the funnel as an SVG
  chart and as tables, drop-off and median time per page, the validation errors that stop people,
  payment abandonment, satisfaction, source and device), with a CSV/XLSX of the page table;
- /admin/reports/service-kpis/: the four GOV.UK KPIs per service with a six-month trend.

The figures come from `forms.insights.metrics`; this package only chooses, formats and draws:
`access` (who sees which flows: the inbox's rule), `periods` (the date and month ranges asked
for), `formatting` (numbers as the web team reads them), `dropoff` and `kpis` (the two reports'
pages) and `exports` (their spreadsheets)."""
