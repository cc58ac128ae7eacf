"""Qt-free domain types and their file formats (labels, training CSV, data-set sheets)."""
