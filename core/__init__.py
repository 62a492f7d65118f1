"""core: what every app shares: local government units, staff roles and data scoping,
the error hierarchy, and the base of long-running jobs. Depends on no other app."""
