from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmark commands (`web_benchmark`, `search_benchmark`, `insights_benchmark`), kept
    together and installed beside the demo they measure, never in production."""

    name = "benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks"
