"""Shared test set-up: pages are served from a Wagtail site rooted at a HomePage."""
