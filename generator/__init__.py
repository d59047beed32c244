"""disclose: a static site generator for China's 预算绩效目标公开."""

__version__ = "0.1.0"
