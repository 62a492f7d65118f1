"""geo_portal: the Django project, its settings, URL wiring and web pages."""
