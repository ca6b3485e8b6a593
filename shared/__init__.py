"""Platform code shared by the four services: settings, db, events, auth, errors, observability.

No domain rules live here (ARCHITECTURE.md): policy belongs to the services.
"""
