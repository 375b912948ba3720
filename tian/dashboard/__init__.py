"""The signed-in user's way in: each role's home page and the navigation, read from the apps below it."""
