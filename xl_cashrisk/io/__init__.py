"""Workbook input and output: readers/validators, template builder, results writer, safe file writing."""
