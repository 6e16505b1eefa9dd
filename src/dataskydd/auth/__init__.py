"""Who may call the API: bearer tokens with scopes (``tokens``).

Issue 5 adds staff accounts and roles; other systems keep calling with tokens.
"""
