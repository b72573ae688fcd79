"""Workbook input and output: the one reader of inputs (:mod:`.inputs`: workbook → validated frames +
Settings), sheet reader and cell typing, template builder, results writer, safe file handling."""
