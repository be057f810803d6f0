"""Import a town's 法治政府建设年度报告: read the file, find its structure and metadata, and
write a draft seed file for a reviewer. Pure Python: no database, no Textual."""
