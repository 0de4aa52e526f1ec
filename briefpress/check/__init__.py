"""Check what was built: epubcheck, pdfua, DAISY Ace, our own PDF checks; and the links."""
