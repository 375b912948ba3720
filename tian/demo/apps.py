from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tian.demo"
