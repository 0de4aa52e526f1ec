"""Read a manuscript: its front matter, its Markdown (through pandoc), its images."""
