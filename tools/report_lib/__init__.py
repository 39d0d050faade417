"""Figures and index.html for a thermex study results file; entry point: tools/report."""
