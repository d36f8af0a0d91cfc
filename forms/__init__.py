"""Online flows and what builds on them, one Django app each: `flows` (FlowPage, question
types, the runtime, submissions), `payments`, `inbox` (staff inbox, track your request),
`insights` (tracking, reports, satisfaction) and `places` (the address list)."""
