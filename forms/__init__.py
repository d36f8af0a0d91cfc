"""Online flows and what builds on them, one Django app each: `flows` (FlowPage, question
types, the runtime, submissions), `payments`, `inbox` (staff inbox, track your request),
`insights` (tracking, reports, satisfaction), `places` (the address list), `messaging`
(emails and text messages to residents: GOV.UK Notify, SMTP, the demo's sandbox outbox) and
`residents` ("your requests": sign in by link or code, add information, withdraw)."""
