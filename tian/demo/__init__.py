"""Data to try and measure the system with: the demo committee (``load_demo``, ``demo_code``) and large
synthetic committees for benchmarks (``generate_data``). Nothing else imports it."""
