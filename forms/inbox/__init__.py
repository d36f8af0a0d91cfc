"""The staff inbox: residents' requests in the Wagtail admin, for the teams that run them, and
"track your request" for residents."""
