"""The public portal: disclosed proposals and their replies, readable without signing in."""
