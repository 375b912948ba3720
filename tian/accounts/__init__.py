"""Users, the roles they hold and what each role may do; sign-in pages."""
