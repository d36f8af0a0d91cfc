"""Your requests: a resident signs in with a link or a code sent to their email address or
mobile number, sees every request made with it, adds information to an open one and withdraws
one nobody has started on."""
