"""Rights requests as cases: intake, identity verification, decisions, execution, answers.

The domain core of issue 5. Nothing here knows HTTP or the command line: the privacy centre,
the admin console, the API and the CLI are faces over these functions.
"""
