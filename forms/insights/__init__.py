"""Flow analytics for the web team: daily roll-ups of the flow events, the per-flow
drop-off metrics, satisfaction and the four service KPIs."""
