"""Parcel lookup in the dialect of GUGiK's ULDK service (views.py tells the format)."""
