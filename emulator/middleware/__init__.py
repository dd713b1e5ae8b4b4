"""The WSGI layers around the Flask and Spyne applications, outermost first (app.py stacks them):

- guard.py: the last resort — an unhandled exception becomes a SOAP fault or SFMC's JSON error
- request_log.py: one log line per request
- journal.py: every exchange into the request journal
- faults.py: fault injection (answers a call matching an active rule instead of the application)
- routing.py: duplicate slashes collapsed; POST /Service.asmx to Spyne (through soap_gate.py), the rest to Flask
"""
