"""The faithful floor: a bare script that imports WeasyPrint and renders our final HTML once, as the
build renders its distribution PDF: the brand's fonts through a FontConfiguration, PDF/UA-1 with tags.

    python bench/floor.py FINAL.html OUT.pdf STYLESHEET.css ...

Nothing of briefpress is imported, and WeasyPrint is imported the plain way.
"""

import sys

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

html, out, *sheets = sys.argv[1:]
fonts = FontConfiguration()
css = [CSS(filename=sheet, font_config=fonts) for sheet in sheets]
HTML(filename=html).write_pdf(out, stylesheets=css, font_config=fonts, pdf_variant="pdf/ua-1", pdf_tags=True)
