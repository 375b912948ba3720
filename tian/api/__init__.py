"""The JSON API (/api/v1/): every workflow action and the main reads, on the same forms, service functions
and permission checks as the pages."""
