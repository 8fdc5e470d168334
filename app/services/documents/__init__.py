"""PDF documents the agency issues or prints (reportlab), built in memory only."""
